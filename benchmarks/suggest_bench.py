"""Suggestion speed per article: each source, and NER against underthesea.ner alone.

    PYTHONPATH=src python benchmarks/suggest_bench.py [FOLDER]     # default: seeds/
    PYTHONPATH=src python benchmarks/suggest_bench.py --case ner --generated 10
    python benchmarks/run.py --only suggest

Articles: the files of FOLDER (the five real seeds by default) plus ``--generated`` articles
of the synthetic corpus. Each is segmented first (not timed), as the app has its words
cached. The memory source's lexicon is read from ``--db`` (the run's database, read only)
when given, else from the seeds' gold spans. NER is bound by underthesea: it is timed
against ``underthesea.ner`` alone on the very sentences the source tags, article by article,
in alternating order so load changes on the machine hit both alike. Follows the convention
in benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import benchlib  # noqa: E402
import generate_corpus  # noqa: E402
from benchlib import Row, row  # noqa: E402

from partybuild_tui.core import ingest, tokenize  # noqa: E402
from partybuild_tui.core.store import Article, Store  # noqa: E402
from partybuild_tui.core.suggest import engine  # noqa: E402
from partybuild_tui.core.suggest.base import Context  # noqa: E402
from partybuild_tui.core.suggest.memory import Lexicon, lexicon_from  # noqa: E402
from partybuild_tui.core.tokenize import Tokenization  # noqa: E402

GOLD = benchlib.ROOT / "tests" / "data" / "seeds_gold.jsonl"
Prepared = list[tuple[Article, Tokenization]]


@contextmanager
def articles(args: argparse.Namespace) -> Iterator[tuple[Store, Prepared]]:
    """A scratch store holding the benchmark's articles, each with its words."""
    with tempfile.TemporaryDirectory() as tmp, Store(Path(tmp) / "suggest.db") as store:
        ingest.import_paths(store, [Path(args.folder)])
        with store.write():
            for index in range(args.generated):
                text = generate_corpus.make_article(index).text
                doc = ingest.Document(key=f"generated/{index}", path=f"{index}.txt", raw_text=text)
                store.insert_article(ingest.article_fields(doc))
        prepared = [(store.article(i), None) for i in store.article_ids()]
        yield store, [(a, tokenize.segment(a.text)) for a, _ in prepared]


def lexicon(args: argparse.Namespace) -> tuple[Lexicon, str]:
    """The memory source's lexicon and where it came from."""
    if args.db:
        with sqlite3.connect(f"file:{args.db}?mode=ro", uri=True) as conn:
            rows = conn.execute("SELECT text, label, count(*) FROM spans GROUP BY text, label")
            found = lexicon_from(rows.fetchall())
        return found, f"lexicon of {len(found.labels):,} forms from the run's database"
    counts: dict[tuple[str, str], int] = {}
    for line in GOLD.read_text("utf-8").splitlines():
        for span in json.loads(line).get("spans", []):
            key = (span["text"], span["label"])
            counts[key] = counts.get(key, 0) + 1
    found = lexicon_from([(text, label, n) for (text, label), n in counts.items()])
    return found, f"lexicon of {len(found.labels):,} forms from the seeds' gold"


def describe(prepared: Prepared) -> str:
    chars = sum(len(a.text) for a, _ in prepared)
    sentences = sum(len(t.sentences) for _, t in prepared)
    return (
        f"{len(prepared)} articles, avg {chars // len(prepared):,} chars, {sentences:,} sentences"
    )


def case_sources(args: argparse.Namespace) -> list[Row]:
    """Rules, memory and byline: each run ``--repeat`` times on every article."""
    found, origin = lexicon(args)
    rows: list[Row] = []
    with articles(args) as (store, prepared):
        sources = engine.build_sources(
            ("rules", "memory", "byline"), engine.patterns_for(store), found
        )
        for source in sources:
            times: list[float] = []
            for article, words in prepared:
                source.suggest(article, words, Context())  # warm any lazy compilation
                for _ in range(args.repeat):
                    started = time.perf_counter()
                    source.suggest(article, words, Context())
                    times.append((time.perf_counter() - started) * 1000)
            note = f"{describe(prepared)}; {benchlib.summary(times)} (×{args.repeat} each)"
            if source.name == "memory":
                note += f"; {origin}"
            rows.append(
                row(f"suggest: {source.name} per article", benchlib.median(times), "ms", note)
            )
    return rows


def case_ner(args: argparse.Namespace) -> list[Row]:
    """The NER source against underthesea.ner alone on the same sentences."""
    import underthesea

    started = time.perf_counter()
    underthesea.ner("Ông Nguyễn Văn A.")
    load_ms = (time.perf_counter() - started) * 1000
    with articles(args) as (store, prepared):
        (source,) = engine.build_sources(("ner",), engine.patterns_for(store), None)

        def ours(article: Article, words: Tokenization) -> None:
            source.suggest(article, words, Context())

        def alone(article: Article, words: Tokenization) -> None:
            for start, end in words.sentences:  # the sentences the source tags: in the body
                if end > article.body_start and start < article.body_end:
                    underthesea.ner(article.text[start:end])

        contenders = {"ours": ours, "alone": alone}
        spent: dict[str, list[float]] = {name: [] for name in contenders}
        for number, (article, words) in enumerate(prepared):
            names = list(contenders) if number % 2 == 0 else list(reversed(contenders))
            for name in names:
                started = time.perf_counter()
                contenders[name](article, words)
                spent[name].append((time.perf_counter() - started) * 1000)
    what = describe(prepared)
    return [
        row("underthesea NER model load + first call", load_ms, "ms", "once per process"),
        row(
            "suggest: ner per article",
            benchlib.median(spent["ours"]),
            "ms",
            f"{what}; median, p95 {benchlib.percentile(spent['ours'], 95):,.0f} ms",
        ),
        row(
            "underthesea.ner alone per article",
            benchlib.median(spent["alone"]),
            "ms",
            "the same body sentences, one ner() call each",
        ),
        row(
            "NER source cost vs underthesea.ner alone",
            sum(spent["ours"]) / sum(spent["alone"]),
            "ratio",
            "total time; the rest is alignment, trimming and place filtering",
        ),
    ]


def cases(args: argparse.Namespace) -> dict[str, benchlib.Case]:
    return {"sources": case_sources, "ner": case_ner}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("folder", nargs="?", default=str(benchlib.ROOT / "seeds"))
    parser.add_argument("--generated", type=int, default=5, help="synthetic articles to add")
    parser.add_argument("--repeat", type=int, default=20, help="runs per article (fast sources)")


if __name__ == "__main__":
    raise SystemExit(benchlib.main(cases, __doc__.split("\n\n")[0], add_arguments))
