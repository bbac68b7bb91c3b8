"""Annotator speed: first paint with 10k/100k articles, opening articles, key-to-repaint latency,
and how responsive the UI stays while suggestions are computed in the background.

    PYTHONPATH=src python benchmarks/tui_bench.py                    # all cases, a table
    PYTHONPATH=src python benchmarks/tui_bench.py --case key-latency --keys 300
    python benchmarks/run.py --only tui                               # in the one table

The app runs headless (Textual's run_test) at 160x48; "painted" means Textual handed a
rendered screen update to the output (App._display), which is what a terminal would show.
Databases are made by ``generate_corpus.build_db`` (N articles with ~17 gold spans each) once
and cached under ``--work`` as ``tui-N-seedS.db``: the app writes (opening an article marks it
in progress), so it never runs on the shared ``--db``, which is copied instead. Follows the
convention in benchmarks/README.md; numbers are printed, never asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import benchlib  # noqa: E402
from benchlib import Row, row  # noqa: E402
from textual.worker import WorkerCancelled, WorkerState  # noqa: E402

from partybuild_tui.core import corpus  # noqa: E402
from partybuild_tui.core.store import Store  # noqa: E402
from partybuild_tui.tui.app import PartybuildApp  # noqa: E402
from partybuild_tui.tui.screens.annotate import AnnotateScreen  # noqa: E402

SIZE = (160, 48)
# Annotators that never act (so the app starts on the first article to do, not where a
# previous run's tagging left it) and the one that tags in the key-latency case.
VIEWER = "bench-view"
TAGGER = "bench-keys"
OTHER = "bench-other"  # the annotator tagging in another process (key-latency-shared)
LONG_KEY = "bench/long-100k"
MARKED_KEY = "bench/long-100k-marked"  # the one with SPANS spans and SUGGESTIONS suggestions
LONG_CHARS = 100_000
# The key-latency workload (issue #14): spans of the tagging annotator and pending
# suggestions shown in the long article.
SPANS = 4_000
SUGGESTIONS = 4_000
LABELS = ("ORGANIZATION", "FIGURE", "RESOLUTION")
SHOWN: dict[int, int] = {}  # article id -> suggestions shown when its workload was prepared
# A tagging session: select a word or two, label it, move on, undo now and then.
KEYS = ["right", "right", "shift+right", "o", "down", "right", "f", "u", "left", "up", "escape"]


class TimedApp(PartybuildApp):
    """Records when each rendered update leaves the app."""

    article_painted_at: float = 0.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.paints: list[float] = []

    def _display(self, screen: Any, renderable: Any) -> None:
        super()._display(screen, renderable)
        if renderable is None:
            return
        now = time.perf_counter()
        self.paints.append(now)
        if not self.article_painted_at and isinstance(screen, AnnotateScreen) and screen.article:
            self.article_painted_at = now


# ---- databases --------------------------------------------------------------------------------


def app_db(args: argparse.Namespace, n: int) -> Path:
    """A writable database of ``n`` generated articles, made once and reused."""
    target = Path(args.work) / f"tui-{n}-seed{args.seed}.db"
    if target.exists():
        return target
    partial = target.with_name(target.name + ".partial")
    for old in partial.parent.glob(partial.name + "*"):
        old.unlink()
    if args.db and n == args.n and Path(args.db).exists():
        source = sqlite3.connect(f"file:{args.db}?mode=ro", uri=True)
        copy = sqlite3.connect(partial)
        source.backup(copy)
        copy.close()
        source.close()
    else:  # in a child process, so this one's peak memory is the app's
        print(f"building {target.name} ({n:,} articles) ...", file=sys.stderr)
        generator = Path(__file__).resolve().parent / "generate_corpus.py"
        command = [sys.executable, str(generator), str(partial), "--db", "--n", str(n)]
        subprocess.run([*command, "--seed", str(args.seed)], check=True)
    partial.rename(target)
    return target


def long_article(path: Path, key: str = LONG_KEY, shift: int = 0) -> int:
    """The id of a 100,000-character article (added once): paragraphs of the corpus
    (``shift``: starting elsewhere in them, for another text)."""
    with Store(path) as store:
        found = store.conn.execute("SELECT id FROM articles WHERE key = ?", (key,)).fetchone()
        if found:
            return int(found[0])
        paragraphs: list[str] = []
        for (text,) in store.conn.execute("SELECT text FROM articles ORDER BY id LIMIT 40"):
            paragraphs.extend(p for p in text.split("\n") if len(p) > 200)
        paragraphs = paragraphs[shift:] + paragraphs[:shift]
        text = ""
        while len(text) < LONG_CHARS:
            text += paragraphs[len(text) % len(paragraphs)] + "\n\n"
        text = text[:LONG_CHARS]
        fields = {
            "key": key,
            "path": "long.txt",
            "title": "Một bài rất dài",
            "text": text,
            "raw_text": text,
            "content_hash": corpus.content_hash(text),
            "body_start": 0,
            "body_end": len(text),
        }
        with store.write():
            return store.insert_article(fields)


def marked_long_article(path: Path) -> int:
    """The long article with the issue's workload for the key-latency cases: ``SPANS`` spans of
    the tagging annotator and ``SUGGESTIONS`` pending suggestions shown, reset before every
    run (the tagging of the last run, its undo history and its decisions taken out).

    The article's own suggestions are computed first (every source; NER once, then cached).
    The spans cover every occurrence of the words they tag, as an annotator who tagged a word
    tags it everywhere: so when the memory source runs again after a new tag, it proposes
    nothing new where they are (it would be hidden under them anyway). The suggestions missing
    to make ``SUGGESTIONS`` are added as the rules source's, on other syllables, a few
    syllables apart; they stay while the rules' run is current (it does not depend on tags).
    """
    from partybuild_tui.core import suggest, tagging
    from partybuild_tui.core.store import NewSpan
    from partybuild_tui.core.store import spans as span_rows
    from partybuild_tui.core.store.models import now
    from partybuild_tui.core.suggest.memory import form_key

    article_id = long_article(path, MARKED_KEY, shift=2)
    with Store(path) as store:
        with store.write():
            conn = store.conn
            for table in ("spans", "actions"):
                conn.execute(
                    f"DELETE FROM {table} WHERE article_id = ? AND annotator = ?",
                    (article_id, TAGGER),
                )
            conn.execute(
                "DELETE FROM suggestion_decisions WHERE annotator = ? AND suggestion_id IN "
                "(SELECT id FROM suggestions WHERE article_id = ?)",
                (TAGGER, article_id),
            )
        suggest.compute(store, article_id)  # the article's own proposals (stale sources only)
        text = store.article(article_id).text
        taken = [False] * len(text)
        for item in store.suggestions(article_id):
            for i in range(max(item.start - 1, 0), min(item.end + 1, len(text))):
                taken[i] = True
        syllables = [(m.start(), m.end()) for m in re.finditer(r"\w+", text)]
        by_form: dict[str, list[tuple[int, int]]] = {}
        for start, end in syllables:
            if end - start >= 2 and not text[start:end].isdigit():
                by_form.setdefault(form_key(text[start:end]), []).append((start, end))
        chosen: list[tuple[int, int]] = []
        for places in sorted(by_form.values(), key=len):  # rare words first: spread out
            if len(chosen) >= SPANS:
                break
            if not any(taken[i] for start, end in places for i in range(start, end)):
                chosen.extend(places[: SPANS - len(chosen)])
        stamp = now()
        with store.write():
            for number, (start, end) in enumerate(sorted(chosen)):
                label = LABELS[number % len(LABELS)]
                span_rows.insert(
                    store.conn, article_id, TAGGER, NewSpan(start, end, label), text, stamp
                )
        for start, end in chosen:
            for i in range(max(start - 1, 0), min(end + 1, len(text))):
                taken[i] = True
        suggest.compute(store, article_id)  # memory again: its lexicon has the new forms
        for item in store.suggestions(article_id):
            for i in range(max(item.start - 1, 0), min(item.end + 1, len(text))):
                taken[i] = True
        shown = len(tagging.pending_marks(store, article_id, TAGGER))
        if shown < SUGGESTIONS:
            free = [
                (start, end)
                for start, end in syllables
                if not any(taken[i] for i in range(max(start - 1, 0), min(end + 1, len(text))))
            ]
            step = max(1, len(free) // (SUGGESTIONS - shown))
            added = free[::step][: SUGGESTIONS - shown]
            version = store.suggestion_runs(article_id)["rules"][0]
            with store.write():
                store.conn.executemany(
                    "INSERT OR IGNORE INTO suggestions (article_id, source, source_version, "
                    'start, "end", label, text, score, created_at) '
                    "VALUES (?, 'rules', ?, ?, ?, ?, ?, 0.5, ?)",
                    [
                        (article_id, version, a, b, LABELS[k % len(LABELS)], text[a:b], stamp)
                        for k, (a, b) in enumerate(added)
                    ],
                )
            shown = len(tagging.pending_marks(store, article_id, TAGGER))
        spans = len(store.spans(article_id, TAGGER))
    # memory's proposals grow with what earlier runs tagged elsewhere: a few % more shown
    if spans != SPANS or not SUGGESTIONS * 0.99 <= shown <= SUGGESTIONS * 1.1:
        raise SystemExit(f"the long article has {spans} spans, {shown} suggestions shown")
    SHOWN[article_id] = shown
    return article_id


def forget_tokenization(path: Path, article_id: int) -> None:
    """So the next open segments the article again (a cold open)."""
    with Store(path) as store, store.write():
        store.conn.execute("DELETE FROM tokenizations WHERE article_id = ?", (article_id,))


def middle_article(path: Path) -> int:
    with Store(path) as store:
        ids = store.article_ids()
        return ids[len(ids) // 2]


# ---- measurements -----------------------------------------------------------------------------


async def settle(app: Any, pilot: Any) -> None:
    """Wait until no worker of the app is pending or running.

    ``app.workers.wait_for_complete()`` is not enough: it raises ``WorkerCancelled`` for a
    worker that opening another article cancelled (the first article's suggestion run), and
    it waits only for the workers already started, while a finished segmentation starts the
    suggestion worker (and so on). Cancelled workers are fine here; a failed one is not.
    """
    while True:
        await pilot.pause()
        running = [w for w in app.workers if w.state in (WorkerState.PENDING, WorkerState.RUNNING)]
        if not running:
            return
        done = await asyncio.gather(*(w.wait() for w in running), return_exceptions=True)
        for outcome in done:
            if isinstance(outcome, BaseException) and not isinstance(outcome, WorkerCancelled):
                raise outcome


async def wait_for(condition: Any, limit: float = 120.0) -> None:
    deadline = time.perf_counter() + limit
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError("the app did not paint in time")
        await asyncio.sleep(0.001)


async def first_paint(path: Path, other: int) -> tuple[float, float, float]:
    """(s from creating the app to the first article on screen, s to open another article,
    the wall-clock time of the first paint)."""
    started = time.perf_counter()
    app = TimedApp(path, VIEWER)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(lambda: app.article_painted_at)
        painted = app.article_painted_at - started
        painted_at = time.time() - (time.perf_counter() - app.article_painted_at)
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, AnnotateScreen)
        app.paints.clear()
        started = time.perf_counter()
        screen.open_article(other)
        await wait_for(lambda: app.paints)
        opened = app.paints[0] - started
        await settle(app, pilot)
    return painted, opened, painted_at


async def open_long(path: Path, article_id: int, *, cold: bool) -> tuple[float, float]:
    """(s to paint the long article, s until its words are segmented in the background);
    ``cold``: its cached tokenization is deleted first, so the worker segments it."""
    app = TimedApp(path, VIEWER)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        if cold:
            forget_tokenization(path, article_id)
        screen = app.screen
        assert isinstance(screen, AnnotateScreen)
        app.paints.clear()
        started = time.perf_counter()
        screen.open_article(article_id)
        await wait_for(lambda: app.paints)
        painted = app.paints[0] - started
        await settle(app, pilot)
        segmented = time.perf_counter() - started
        assert screen.view.segmented, "the words should be segmented"
    return painted, segmented


async def key_latency(
    path: Path, article_id: int, presses: int, *, polls: list[int] | None = None
) -> list[tuple[str, float, float]]:
    """(key, seconds from its press to its first repaint, to the last one it caused).

    The first repaint shows the cursor or the new span; the status line may follow a frame
    later (Textual paints at most 60 frames a second). Keys that change nothing on screen
    (none in this sequence, normally) are left out.
    """
    app = TimedApp(path, TAGGER)
    timings: list[tuple[str, float, float]] = []
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, AnnotateScreen)
        screen.open_article(article_id)
        await settle(app, pilot)
        screen.view.move_to_offset(LONG_CHARS // 2)
        await pilot.pause()
        if polls is not None:  # count the re-reads another process's commits cause
            refresh = screen.refresh_from_disk

            def counted() -> None:
                polls.append(1)
                refresh()

            screen.refresh_from_disk = counted  # type: ignore[method-assign]
        for i in range(presses):
            app.paints.clear()
            started = time.perf_counter()
            key = KEYS[i % len(KEYS)]
            await pilot.press(key)
            await asyncio.sleep(0.05)  # let any follow-up frame happen
            if app.paints:
                timings.append((key, app.paints[0] - started, app.paints[-1] - started))
    return timings


def latency_rows(timings: list[tuple[str, float, float]], presses: int, note: str) -> list[Row]:
    """Median and p95 of key-to-repaint, p95 and median of key-to-settled, and the slowest
    keys by kind (in the p95 note)."""
    first_ms = [x * 1000 for _, x, _ in timings]
    last_ms = [x * 1000 for _, _, x in timings]
    by_key: dict[str, list[float]] = {}
    for key, _, settled in timings:
        by_key.setdefault(key, []).append(settled * 1000)
    slowest = sorted(by_key.items(), key=lambda item: -max(item[1]))[:4]
    worst = ", ".join(
        f"{key} median {benchlib.median(ms):.0f} / max {max(ms):.0f} ms" for key, ms in slowest
    )
    shown = f"{next(iter(SHOWN.values())):,}" if SHOWN else f"{SUGGESTIONS:,}"
    workload = f"{SPANS:,} spans and {shown} suggestions shown"
    return [
        row(
            "key-to-repaint latency, median",
            benchlib.median(first_ms),
            "ms",
            f"{len(first_ms)} of {presses} keys ({' '.join(dict.fromkeys(KEYS))}) in the "
            f"100,000-char article with {workload}; {note}",
        ),
        row(
            "key-to-repaint latency, p95",
            benchlib.percentile(first_ms, 95),
            "ms",
            f"max {max(first_ms):.0f} ms",
        ),
        row(
            "key-to-screen-settled latency, p95",
            benchlib.percentile(last_ms, 95),
            "ms",
            f"to the last repaint a key caused (status line); median "
            f"{benchlib.median(last_ms):.1f} ms; slowest keys (settled): {worst}",
        ),
    ]


def forget_suggestions(path: Path, article_id: int) -> None:
    """So the next open computes every suggestion source again."""
    with Store(path) as store, store.write():
        for table in ("suggestions", "suggestion_runs"):
            store.conn.execute(f"DELETE FROM {table} WHERE article_id = ?", (article_id,))


def join_suggest_threads() -> None:
    """Wait for NER runs that closed apps abandoned (daemon threads named 'suggest')."""
    for thread in threading.enumerate():
        if thread.name == "suggest":
            thread.join()


async def stalls_while_suggesting(path: Path, article_id: int) -> tuple[list[float], float]:
    """Gaps between turns of the UI's event loop while the suggestion worker runs on the
    article (rules and NER compete for the GIL), and seconds until all are shown.

    A task asks to wake every millisecond: a key pressed during a gap waits at most that long.
    """
    app = TimedApp(path, VIEWER)
    gaps: list[float] = []
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, AnnotateScreen)
        join_suggest_threads()
        forget_suggestions(path, article_id)
        opened = time.perf_counter()
        screen.open_article(article_id)
        await wait_for(lambda: screen.suggesting)  # words segmented; suggestion steps running
        last = time.perf_counter()
        while screen.suggesting:
            await asyncio.sleep(0.001)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now
        done = time.perf_counter() - opened
    return gaps, done


# ---- cases ------------------------------------------------------------------------------------


def case_first_paint(n: int) -> benchlib.Case:
    def run(args: argparse.Namespace) -> list[Row]:
        path = app_db(args, n)
        other = middle_article(path)
        launched = time.time()
        done = subprocess.run(
            [sys.executable, __file__, "--paint-child", str(path), "--open", str(other)],
            check=True,
            capture_output=True,
            text=True,
        )
        child = json.loads(done.stdout.splitlines()[-1])
        note = f"{n:,} articles with spans, {SIZE[0]}x{SIZE[1]}, headless, first article to do"

        def measured(figure: str, value: float, note: str) -> Row:
            return {**row(figure, value, "ms", note), "peak_rss_mb": child["peak_mb"]}

        return [
            measured(
                f"app time to first paint, {n:,} articles",
                (child["painted_at"] - launched) * 1000,
                f"{note}; from starting Python (imports included) to the article on screen",
            ),
            measured(
                "  … of which in the app",
                child["in_app"] * 1000,
                "from creating the App: open the store, list, first article",
            ),
            measured(
                f"open an article from the list, {n:,} articles",
                child["opened"] * 1000,
                "open_article() to the repaint: article, spans, list and status refresh",
            ),
        ]

    return run


def paint_child(path: Path, other: int) -> None:
    """Run in a fresh process by case_first_paint: print when the first paint happened."""
    painted, opened, painted_at = asyncio.run(first_paint(path, other))
    found = {"painted_at": painted_at, "in_app": painted, "opened": opened}
    print(json.dumps({**found, "peak_mb": round(benchlib.peak_mb(), 1)}))


def case_open_long(args: argparse.Namespace) -> list[Row]:
    path = app_db(args, args.n)
    article_id = long_article(path)
    painted, segmented = asyncio.run(open_long(path, article_id, cold=True))
    painted_again, cached = asyncio.run(open_long(path, article_id, cold=False))
    note = f"{LONG_CHARS:,}-char article in a database of {args.n:,}"
    return [
        row("open a 100,000-char article: painted", painted * 1000, "ms", note),
        row(
            "  … painted on a second open (words cached)",
            painted_again * 1000,
            "ms",
            "open_article() to the repaint, its tokenization in the database",
        ),
        row(
            "  … its words segmented (background worker)",
            segmented * 1000,
            "ms",
            "first open: underthesea segments it while the text is already usable",
        ),
        row(
            "  … words ready on a second open (cached)",
            cached * 1000,
            "ms",
            "the tokenization read back from the database",
        ),
    ]


def case_key_latency(args: argparse.Namespace) -> list[Row]:
    path = app_db(args, args.n)
    article_id = marked_long_article(path)
    timings = asyncio.run(key_latency(path, article_id, args.keys))
    note = "tagging with o/f, undo u; keys that repaint nothing (escape, no selection) left out"
    return latency_rows(timings, args.keys, note)


def tag_child(path: Path, article_id: int) -> None:
    """Run in a fresh process by case_key_latency_shared: another annotator tags and undoes in
    the same article, about 5 committed actions a second, until killed."""
    with Store(path) as store:
        text = store.article(article_id).text
        starts = [i for i in range(0, len(text) - 10, 997) if text[i].isalpha()]
        print("ready", flush=True)
        for n in range(10**9):
            start = starts[n % len(starts)]
            store.tag(article_id, start, start + 4, "ORGANIZATION", OTHER)
            time.sleep(0.1)
            store.undo(article_id, OTHER)
            time.sleep(0.1)


def case_key_latency_shared(args: argparse.Namespace) -> list[Row]:
    """The key-latency keys while another process tags in the same article as another
    annotator: every commit there makes this app re-read its view within a poll."""
    path = app_db(args, args.n)
    article_id = marked_long_article(path)
    child = subprocess.Popen(
        [sys.executable, __file__, "--tag-child", str(path), "--open", str(article_id)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "ready"
        polls: list[int] = []
        timings = asyncio.run(key_latency(path, article_id, args.keys, polls=polls))
    finally:
        child.kill()
        child.wait()
    note = (
        f"while {OTHER} tags/undoes ~5 times a second in another process (same article): "
        f"{len(polls)} re-reads of the view after its commits"
    )
    return latency_rows(timings, args.keys, note)


async def saved_while_importing(path: Path, corpus_dir: Path, presses: int) -> list[float]:
    """Seconds from a tag (or undo) key to its "✓ saved" put on the status line (painted
    within the next frame) while ``partybuild import`` of ``corpus_dir`` runs in another
    process on the same database."""
    app = TimedApp(path, TAGGER, suggest_steps=())
    saved: list[float] = []
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, AnnotateScreen)
        written = screen._written
        pressed = [0.0]

        def timed(*args: Any) -> None:
            written(*args)
            saved.append(time.perf_counter() - pressed[0])

        screen._written = timed  # type: ignore[method-assign]
        partybuild = Path(sys.executable).with_name("partybuild")
        command = [str(partybuild), "import", str(corpus_dir), "--no-segment", "--db", str(path)]
        importer = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            await asyncio.sleep(1.0)  # the importer is past its start-up, writing batches
            for i in range(presses):
                if importer.poll() is not None:
                    break
                screen.view.move_to_offset(screen.view.text.index(" ", 200 + 40 * (i // 2)) + 1)
                before = len(saved)
                pressed[0] = time.perf_counter()
                await pilot.press("f" if i % 2 == 0 else "u")
                await wait_for(lambda n=before: len(saved) > n, limit=30)
                await asyncio.sleep(0.05)
        finally:
            importer.kill()
            importer.wait()
    return saved


def case_saved_during_import(args: argparse.Namespace) -> list[Row]:
    """Tagging in a seed article while ``partybuild import`` brings the --n corpus into
    the same database (a fresh one holding the seeds)."""
    corpus_dir = Path(args.corpus or Path(args.work) / f"corpus-{args.n}-seed{args.seed}")
    if not corpus_dir.is_dir():
        raise SystemExit(f"no corpus at {corpus_dir} (run.py makes it)")
    path = Path(args.work) / "saved-during-import.db"
    for old in path.parent.glob(path.name + "*"):
        old.unlink()
    seeds = Path(__file__).resolve().parents[1] / "seeds"
    partybuild = Path(sys.executable).with_name("partybuild")
    subprocess.run(
        [str(partybuild), "import", str(seeds), "--db", str(path)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    saved_ms = [x * 1000 for x in asyncio.run(saved_while_importing(path, corpus_dir, 200))]
    return [
        row(
            "key to ✓ saved while importing, p95",
            benchlib.percentile(saved_ms, 95),
            "ms",
            f"{len(saved_ms)} tag/undo keys in a seed article while `partybuild import` of "
            f"{args.n:,} files runs in another process on the same database; median "
            f"{benchlib.median(saved_ms):.1f} ms, max {max(saved_ms):.0f} ms",
        )
    ]


def case_suggest_gaps(args: argparse.Namespace) -> list[Row]:
    path = app_db(args, args.n)
    article_id = long_article(path, LONG_KEY + "-suggest", shift=1)
    gaps, done = asyncio.run(stalls_while_suggesting(path, article_id))
    gaps_ms = [x * 1000 for x in gaps]
    note = f"{LONG_CHARS:,}-char article, suggestions computed from scratch"
    return [
        row(
            "UI event-loop gap while suggesting, p95",
            benchlib.percentile(gaps_ms, 95),
            "ms",
            f"{note}; median {benchlib.median(gaps_ms):.1f} ms, max {max(gaps_ms):.0f} ms: "
            "the longest a key waits to be handled meanwhile",
        ),
        row(
            "  … all its suggestions shown (fast sources, then NER)",
            done * 1000,
            "ms",
            "from open_article(), including segmenting its words the first time",
        ),
    ]


def cases(args: argparse.Namespace) -> dict[str, benchlib.Case]:
    sizes = args.sizes or sorted({10_000, 100_000, args.n})
    found: dict[str, benchlib.Case] = {f"first-paint-{n}": case_first_paint(n) for n in sizes}
    found["open-long"] = case_open_long
    found["key-latency"] = case_key_latency
    found["key-latency-shared"] = case_key_latency_shared
    found["suggest-gaps"] = case_suggest_gaps
    found["saved-during-import"] = case_saved_during_import
    return found


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--sizes", type=int, nargs="+", help="first paint at these sizes")
    parser.add_argument("--keys", type=int, default=300, help="keys pressed for latency")
    parser.add_argument("--seed", type=int, default=7, help="corpus generator seed")
    parser.add_argument("--paint-child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--tag-child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--open", type=int, help=argparse.SUPPRESS)


def main() -> int:
    if "--paint-child" in sys.argv:
        found = argparse.ArgumentParser()
        add_arguments(found)
        args, _ = found.parse_known_args()
        paint_child(args.paint_child, args.open)
        return 0
    if "--tag-child" in sys.argv:
        found = argparse.ArgumentParser()
        add_arguments(found)
        args, _ = found.parse_known_args()
        tag_child(args.tag_child, args.open)
        return 0
    return benchlib.main(cases, __doc__.split("\n\n")[0], add_arguments)


if __name__ == "__main__":
    raise SystemExit(main())
