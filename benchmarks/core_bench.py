"""Benchmarks of the core: import, database size, segmentation and its cache, list queries.

Follows the convention in benchmarks/README.md: ``--list-cases`` prints the case names,
``--case NAME --json`` runs one case and prints ``{"rows": [...]}`` as the last stdout line.
Run them all through ``python benchmarks/run.py``; standalone:

    python benchmarks/core_bench.py --case segment --n 10000
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))
sys.path.insert(0, str(HERE))

import generate_corpus  # noqa: E402

Row = dict[str, Any]


def row(figure: str, value: float, unit: str, note: str = "", **extra: Any) -> Row:
    return {"figure": figure, "value": round(value, 4), "unit": unit, "note": note, **extra}


def _cli(args: list[str]) -> None:
    """Run a ``partybuild`` command in this process, its output sent to stderr."""
    from partybuild_tui.cli import app

    with contextlib.redirect_stdout(sys.stderr):
        try:
            app(args, standalone_mode=False)
        except SystemExit as exc:
            if exc.code:
                raise RuntimeError(f"partybuild {args[0]} exited with {exc.code}") from exc


def _db_bytes(db: Path) -> int:
    import sqlite3

    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return sum(p.stat().st_size for p in db.parent.glob(db.name + "*"))


def _corpus(args: argparse.Namespace) -> Path:
    if args.corpus:
        return Path(args.corpus)
    target = Path(args.work) / f"corpus-{args.n}"
    if not target.exists():
        generate_corpus.write_corpus(target, args.n)
    return target


def case_import(args: argparse.Namespace) -> list[Row]:
    """`partybuild import --no-segment` of the whole corpus into a fresh database."""
    corpus_dir = _corpus(args)
    files = sorted(corpus_dir.rglob("*.txt"))
    megabytes = sum(f.stat().st_size for f in files) / 1e6
    db = Path(args.work) / "import-nosegment.db"
    for old in db.parent.glob(db.name + "*"):
        old.unlink()
    started = time.perf_counter()
    _cli(["import", str(corpus_dir), "--no-segment", "--db", str(db)])
    elapsed = time.perf_counter() - started
    size = _db_bytes(db)
    n = len(files)
    return [
        row(
            "import --no-segment",
            n / elapsed,
            "articles/s",
            f"{n:,} files, {megabytes:,.0f} MB, {elapsed:.1f}s ({megabytes / elapsed:.1f} MB/s)",
        ),
        row(
            "database size per article",
            size / n / 1024,
            "KiB",
            f"no spans, no tokenization; files average {megabytes * 1e6 / n / 1024:.1f} KiB",
        ),
    ]


def case_import_segment(args: argparse.Namespace) -> list[Row]:
    """`partybuild import` with segmentation, on a subset, extrapolated to the corpus."""
    corpus_dir = _corpus(args)
    files = sorted(corpus_dir.rglob("*.txt"))[: args.sample]
    db = Path(args.work) / "import-segment.db"
    for old in db.parent.glob(db.name + "*"):
        old.unlink()
    started = time.perf_counter()
    _cli(["import", *map(str, files), "--db", str(db)])
    elapsed = time.perf_counter() - started
    rate = len(files) / elapsed
    cache = _tokenization_bytes(db) / len(files) / 1024
    return [
        row(
            "import with segmentation",
            rate,
            "articles/s",
            f"measured on {len(files)} articles (default processes); "
            f"extrapolated to {args.n:,}: {_duration(args.n / rate)}",
        ),
        row("tokenization cache size per article", cache, "KiB", "words + sentences offsets"),
    ]


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def _tokenization_bytes(db: Path) -> int:
    import sqlite3

    with sqlite3.connect(db) as conn:
        found = conn.execute(
            "SELECT sum(length(words) + length(sentences) + length(content_hash) + "
            "length(tokenizer)) FROM tokenizations"
        ).fetchone()[0]
    return int(found or 0)


def case_segment(args: argparse.Namespace) -> list[Row]:
    """tokenize.segment() against underthesea alone, on the same texts."""
    import underthesea

    from partybuild_tui.core import tokenize

    def same_calls(text: str) -> None:
        """What segment() asks of underthesea, without mapping words back to offsets."""
        for paragraph in text.split("\n"):
            if paragraph.strip():
                for sentence in underthesea.sent_tokenize(paragraph):
                    underthesea.word_tokenize(sentence, use_token_normalize=False)

    texts = [generate_corpus.make_article(i).text for i in range(args.segment_articles)]
    contenders = {
        "alone": underthesea.word_tokenize,
        "same calls": same_calls,
        "ours": tokenize.segment,
    }
    for fn in contenders.values():
        fn(texts[0][:500])  # load the models before timing
    kilobytes = sum(len(t.encode("utf-8")) for t in texts) / 1024
    spent = dict.fromkeys(contenders, 0.0)
    for number, text in enumerate(texts):  # interleaved, so load changes hit all alike
        names = list(contenders)
        for name in names[number % 3 :] + names[: number % 3]:
            started = time.perf_counter()
            contenders[name](text)
            spent[name] += time.perf_counter() - started
    note = f"{len(texts)} articles, {kilobytes:,.0f} KiB, one process, interleaved"
    return [
        row("underthesea.word_tokenize(article) alone", kilobytes / spent["alone"], "KiB/s", note),
        row("tokenize.segment (words+sentences)", kilobytes / spent["ours"], "KiB/s", note),
        row(
            "segmentation cost vs underthesea alone",
            spent["ours"] / spent["alone"],
            "ratio",
            "vs one word_tokenize call on the whole article",
        ),
        row(
            "segmentation cost vs the same underthesea calls",
            spent["ours"] / spent["same calls"],
            "ratio",
            "vs sent_tokenize per paragraph + word_tokenize per sentence: the alignment's cost",
        ),
    ]


def _timed(fn: Callable[[], object], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return times


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) >= 2 else values[0]


def case_cache_hit(args: argparse.Namespace) -> list[Row]:
    """Loading a cached tokenization (what opening a segmented article costs)."""
    from partybuild_tui.core import tokenize
    from partybuild_tui.core.store import Store

    db = Path(args.work) / "cache-hit.db"
    for old in db.parent.glob(db.name + "*"):
        old.unlink()
    rows: list[Row] = []
    with Store(db) as store:
        typical = generate_corpus.make_article(0).text
        long_text = "\n\n".join(generate_corpus.make_article(i).text for i in range(1, 40))
        long_text = long_text[:100_000]
        for label, text in (("typical", typical), ("100,000-char", long_text)):
            with store.write():
                doc_id = store.insert_article(_fields(text, key=label))
            article = store.article(doc_id)
            tokenize.tokenization(store, article)  # segment and cache

            def hit(article_id: int = doc_id) -> object:
                found = store.article(article_id)
                result = tokenize.tokenization(store, found)
                return result.syllables

            times = _timed(hit, args.repeat)
            rows.append(
                row(
                    f"open cached tokenization ({label} article)",
                    statistics.median(times),
                    "ms",
                    f"median of {args.repeat}, p95 {_p95(times):.2f} ms; "
                    f"{len(text):,} chars, includes article load and syllables",
                )
            )
    return rows


def _fields(text: str, key: str) -> dict[str, Any]:
    from partybuild_tui.core import ingest

    return ingest.article_fields(ingest.Document(key=key, path=key, raw_text=text))


def case_queries(args: argparse.Namespace) -> list[Row]:
    """What the article list and `partybuild list` ask of a database of N articles."""
    from partybuild_tui.core.store import Store

    db = Path(args.db) if args.db else Path(args.work) / f"bench-{args.n}.db"
    if not db.exists():
        generate_corpus.build_db(db, args.n)
    started = time.perf_counter()
    store = Store(db)
    opened = (time.perf_counter() - started) * 1000
    n = store.count_articles()
    spans = store.conn.execute("SELECT count(*) FROM spans").fetchone()[0]
    middle = store.article_ids()[n // 2]
    checks: list[tuple[str, Callable[[], object]]] = [
        ("list first page (50 rows)", lambda: store.list_articles(limit=50)),
        ("list last page (50 rows)", lambda: store.list_articles(limit=50, offset=n - 50)),
        ("count articles", lambda: store.count_articles()),
        ("status counts", lambda: store.status_counts()),
        (
            "full-text search, first page",
            lambda: store.list_articles(query="Nghị quyết số 37", limit=50),
        ),
        ("full-text search, count", lambda: store.count_articles(query="Chi bộ thôn")),
        ("load article + its spans", lambda: (store.article(middle), store.spans(middle))),
    ]
    rows = [row("open database", opened, "ms", f"{n:,} articles, {spans:,} spans")]
    for name, fn in checks:
        times = _timed(fn, args.repeat)
        rows.append(
            row(
                name,
                statistics.median(times),
                "ms",
                f"median of {args.repeat}, p95 {_p95(times):.1f} ms",
            )
        )
    store.close()
    return rows


def case_tag_latency(args: argparse.Namespace) -> list[Row]:
    """How long one tag (a committed, undoable action) takes, alone and during an import."""
    import subprocess

    from partybuild_tui.core import ingest
    from partybuild_tui.core.store import Store

    corpus_dir = _corpus(args)
    db = Path(args.work) / "tag-latency.db"
    for old in db.parent.glob(db.name + "*"):
        old.unlink()
    rows: list[Row] = []
    with Store(db) as store:
        ingest.import_paths(store, [HERE.parent / "seeds"])
        length = len(store.article(1).text)

        steps = iter(range(1_000_000))

        def tag_once() -> None:
            start = (next(steps) * 37) % (length - 20)
            store.tag(1, start, start + 10, "ORGANIZATION", "bench")

        idle = _timed(tag_once, args.repeat * 4)
        rows.append(
            row(
                "tag (one committed action), idle",
                statistics.median(idle),
                "ms",
                f"median of {len(idle)}, p95 {_p95(idle):.1f} ms, synchronous=FULL",
            )
        )
        folders = sorted(p for p in corpus_dir.iterdir() if p.is_dir())[:3]
        command = [
            sys.executable,
            "-m",
            "partybuild_tui",
            "import",
            *map(str, folders),
            "--no-segment",
            "--db",
            str(db),
        ]
        child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        busy: list[float] = []
        while child.poll() is None:  # a brisk annotator: 20 actions a second
            busy.extend(_timed(tag_once, 1))
            time.sleep(0.05)
        if len(busy) < 2:
            raise RuntimeError("the import ended before any tag could be timed")
        rows.append(
            row(
                "tag during a concurrent import",
                statistics.median(busy),
                "ms",
                f"median of {len(busy)}, p95 {_p95(busy):.1f} ms, max {max(busy):.0f} "
                f"ms; 20 tags/s while another process imports {len(folders) * 1000:,} files",
            )
        )
    return rows


CASES: dict[str, Callable[[argparse.Namespace], list[Row]]] = {
    "import": case_import,
    "import-segment": case_import_segment,
    "segment": case_segment,
    "cache-hit": case_cache_hit,
    "queries": case_queries,
    "tag-latency": case_tag_latency,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--list-cases", action="store_true")
    parser.add_argument("--case", choices=sorted(CASES), action="append")
    parser.add_argument("--json", action="store_true", help="print {'rows': [...]} last")
    parser.add_argument("--n", type=int, default=10_000, help="corpus size")
    parser.add_argument("--db", help="prebuilt database of --n articles (read only)")
    parser.add_argument("--corpus", help="prebuilt corpus folder of --n files")
    parser.add_argument("--work", default=str(HERE / "out"), help="scratch folder")
    parser.add_argument("--sample", type=int, default=500, help="articles to segment-import")
    parser.add_argument("--segment-articles", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=50)
    args, _unknown = parser.parse_known_args(argv)
    if args.list_cases:
        print(json.dumps(list(CASES)))
        return 0
    Path(args.work).mkdir(parents=True, exist_ok=True)
    rows: list[Row] = []
    for name in args.case or list(CASES):
        for found in CASES[name](args):
            rows.append({"case": name, **found})
    if args.json:
        print(json.dumps({"rows": rows}, ensure_ascii=False))
    else:
        for found in rows:
            print(
                f"{found['case']:15} {found['figure']:45} {found['value']:>12,.2f} "
                f"{found['unit']:11} {found['note']}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
