"""Annotator speed: first paint with 10k/100k articles, opening a long article, key latency.

Run: PYTHONPATH=src python benchmarks/tui_bench.py [--sizes 10000 100000] [--keys 300]
The app runs headless (Textual's run_test) at 160x48; "painted" means Textual handed a
rendered screen update to the output (App._display), which is what a terminal would show.
Numbers are printed, never asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import threading
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from partybuild_tui.core import corpus, ingest
from partybuild_tui.core.store import Store
from partybuild_tui.tui.app import PartybuildApp
from partybuild_tui.tui.screens.annotate import AnnotateScreen

ROOT = Path(__file__).resolve().parents[1]
SIZE = (160, 48)


class TimedApp(PartybuildApp):
    """Records when each rendered update leaves the app."""

    article_painted_at: float = 0.0

    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.paints: list[float] = []

    def _display(self, screen, renderable) -> None:  # noqa: ANN001
        super()._display(screen, renderable)
        if renderable is None:
            return
        now = time.perf_counter()
        self.paints.append(now)
        if not self.article_painted_at and isinstance(screen, AnnotateScreen) and screen.article:
            self.article_painted_at = now


def seed_fields() -> list[dict]:
    docs = []
    for path in sorted((ROOT / "seeds").glob("*.txt")):
        doc = ingest.Document(key=path.name, path=str(path), raw_text=path.read_text("utf-8"))
        docs.append(ingest.article_fields(doc))
    return docs


def make_corpus(path: Path, count: int) -> float:
    """``count`` synthetic articles (seed openings, made unique) in one transaction."""
    seeds = seed_fields()
    started = time.perf_counter()
    with Store(path) as store, store.write():
        for i in range(count):
            seed = seeds[i % len(seeds)]
            text = seed["text"][:1200] + f"\n\nBài số {i}."
            store.insert_article(
                {
                    **seed,
                    "key": f"synthetic-{i}",
                    "path": f"synthetic/{i}.txt",
                    "title": f"{seed['title'][:60]} #{i}",
                    "text": text,
                    "raw_text": text,
                    "content_hash": corpus.content_hash(text),
                    "body_start": 0,
                    "body_end": len(text),
                }
            )
    return time.perf_counter() - started


def add_long_article(path: Path, chars: int = 100_000, first: int = 0) -> int:
    """A long article of seed paragraphs, starting at paragraph ``first`` (another text)."""
    seeds = seed_fields()
    paragraphs = [p for s in seeds for p in s["text"].split("\n") if len(p) > 200]
    paragraphs = paragraphs[first:] + paragraphs[:first]
    text = ""
    i = 0
    while len(text) < chars:
        text += paragraphs[i % len(paragraphs)] + "\n\n"
        i += 1
    text = text[:chars]
    with Store(path) as store, store.write():
        return store.insert_article(
            {
                **seeds[0],
                "key": "long",
                "path": "long.txt",
                "title": "Một bài rất dài",
                "text": text,
                "raw_text": text,
                "content_hash": corpus.content_hash(text),
                "body_start": 0,
                "body_end": len(text),
            }
        )


async def first_paint(path: Path) -> float:
    started = time.perf_counter()
    app = TimedApp(path, "bench")
    async with app.run_test(size=SIZE) as pilot:
        while not app.article_painted_at:  # noqa: ASYNC110
            await asyncio.sleep(0.001)
        result = app.article_painted_at - started
        await pilot.app.workers.wait_for_complete()
    return result


async def open_long(path: Path, article_id: int) -> tuple[float, float]:
    """(ms to paint the long article, ms until its words are segmented in the background)."""
    app = TimedApp(path, "bench")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, AnnotateScreen)
        app.paints.clear()
        started = time.perf_counter()
        screen.open_article(article_id)
        while not app.paints:
            await asyncio.sleep(0.001)
        painted = app.paints[0] - started
        await pilot.app.workers.wait_for_complete()
        segmented = time.perf_counter() - started
        assert screen.view.segmented
    return painted, segmented


async def key_latency(path: Path, article_id: int, presses: int) -> tuple[list[float], list[float]]:
    """Seconds from each key press to its first repaint and to the last one it caused.

    The first repaint shows the cursor; the status line may follow one frame later
    (Textual paints at most 60 frames a second).
    """
    app = TimedApp(path, "bench")
    keys = [
        "right",
        "shift+right",
        "shift+right",
        "escape",
        "down",
        "right",
        "up",
        "m",
        "left",
        "m",
    ]
    first: list[float] = []
    last: list[float] = []
    async with app.run_test(size=SIZE) as pilot:
        await pilot.app.workers.wait_for_complete()
        screen = app.screen
        assert isinstance(screen, AnnotateScreen)
        screen.open_article(article_id)
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        screen.view.move_to_offset(50_000)
        await pilot.pause()
        for i in range(presses):
            app.paints.clear()
            started = time.perf_counter()
            await pilot.press(keys[i % len(keys)])
            await asyncio.sleep(0.05)  # let any follow-up frame happen
            if app.paints:
                first.append(app.paints[0] - started)
                last.append(app.paints[-1] - started)
    return first, last


async def stalls_while_suggesting(path: Path, article_id: int) -> tuple[list[float], float, float]:
    """How long the UI's event loop goes without a turn while the suggestion worker runs
    (rules and NER compete for the GIL), then seconds until segmented and until all shown.

    Measured as the gaps between the turns of a task that asks to wake every millisecond: a
    key pressed during a gap waits at most that long before it is handled.
    """
    app = TimedApp(path, "bench")
    gaps: list[float] = []
    async with app.run_test(size=SIZE) as pilot:
        await pilot.app.workers.wait_for_complete()
        screen = app.screen
        assert isinstance(screen, AnnotateScreen)
        opened = time.perf_counter()
        screen.open_article(article_id)
        while not screen.suggesting:  # segmented; the suggestion steps are running
            await asyncio.sleep(0.01)
        segmented = time.perf_counter() - opened
        last = time.perf_counter()
        while screen.suggesting:
            await asyncio.sleep(0.001)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now
        done = time.perf_counter() - opened
    return gaps, segmented, done


def join_workers() -> None:
    """Wait for thread workers a closed app left running (a thread cannot be interrupted)."""
    for thread in threading.enumerate():
        if thread is not threading.main_thread() and (
            not thread.daemon or thread.name == "suggest"
        ):
            thread.join()


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[round(pct / 100 * (len(ordered) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--keys", type=int, default=300)
    args = parser.parse_args()
    table = Table(title="partybuild annotator (headless, 160x48)", title_justify="left")
    table.add_column("measure")
    table.add_column("value", justify="right")
    with tempfile.TemporaryDirectory() as tmp:
        long_db = None
        for count in args.sizes:
            db = Path(tmp) / f"corpus-{count}.db"
            built = make_corpus(db, count)
            table.add_row(f"build {count:,} synthetic articles (not timed UI)", f"{built:.1f} s")
            paint = asyncio.run(first_paint(db))
            table.add_row(f"time to first paint, {count:,} articles", f"{paint * 1000:.0f} ms")
            long_db = db
        assert long_db is not None
        long_id = add_long_article(long_db)
        painted, segmented = asyncio.run(open_long(long_db, long_id))
        table.add_row("open a 100,000-char article: painted", f"{painted * 1000:.0f} ms")
        table.add_row("  … words segmented (background worker)", f"{segmented * 1000:.0f} ms")
        first, last = asyncio.run(key_latency(long_db, long_id, args.keys))
        for name, values in (("first repaint", first), ("screen settled", last)):
            table.add_row(
                f"key-to-{name} median / p95 ({len(values)} keys, long article)",
                f"{statistics.median(values) * 1000:.1f} / {percentile(values, 95) * 1000:.1f} ms",
            )
        join_workers()  # the NER runs the earlier apps started on the long article
        fresh_id = add_long_article(long_db, first=1)  # nothing computed for it yet
        gaps, segmented, done = asyncio.run(stalls_while_suggesting(long_db, fresh_id))
        table.add_row(
            "UI event-loop gap median / p95 / max while suggesting",
            f"{statistics.median(gaps) * 1000:.1f} / {percentile(gaps, 95) * 1000:.1f} / "
            f"{max(gaps) * 1000:.0f} ms",
        )
        table.add_row("another long article: words segmented", f"{segmented:.1f} s")
        table.add_row("  … all its suggestions shown (fast sources, then NER)", f"{done:.1f} s")
    Console().print(table)


if __name__ == "__main__":
    main()
