"""Suggestion speed per seed article: segmentation, each source, cached reads.

Run: PYTHONPATH=src python benchmarks/suggest_speed.py [FOLDER]   (default: seeds/)
Prints one row per article; times in milliseconds. The first NER call also loads the
CRF model, reported on its own line.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import underthesea
from rich.console import Console
from rich.table import Table

from partybuild_tui.core import ingest, tokenize
from partybuild_tui.core.store import Store
from partybuild_tui.core.suggest import engine
from partybuild_tui.core.suggest.base import Context


def ms(start: float) -> float:
    return (time.perf_counter() - start) * 1000


def main(folder: Path) -> None:
    started = time.perf_counter()
    underthesea.ner("Ông Nguyễn Văn A.")
    load_ms = ms(started)
    table = Table(title=f"suggestions on {folder} (ms)", title_justify="left")
    for header in (
        "article",
        "chars",
        "sentences",
        "segment",
        *engine.SOURCE_NAMES,
        "compute cold",
        "compute cached",
        "pending",
    ):
        table.add_column(header, justify="right")
    with tempfile.TemporaryDirectory() as tmp, Store(Path(tmp) / "bench.db") as store:
        ingest.import_paths(store, [folder])
        sources = engine.default_sources(store)
        for article_id in store.article_ids():
            article = store.article(article_id)
            started = time.perf_counter()
            tokens = tokenize.segment(article.text)
            segment_ms = ms(started)
            per_source = []
            for source in sources:
                started = time.perf_counter()
                source.suggest(article, tokens, Context())
                per_source.append(ms(started))
            started = time.perf_counter()
            engine.compute(store, article_id)
            cold_ms = ms(started)
            started = time.perf_counter()
            engine.compute(store, article_id)
            cached_ms = ms(started)
            started = time.perf_counter()
            engine.pending(store, article_id)
            pending_ms = ms(started)
            table.add_row(
                str(article_id),
                f"{len(article.text):,}",
                str(len(tokens.sentences)),
                *(f"{x:.0f}" for x in (segment_ms, *per_source, cold_ms, cached_ms, pending_ms)),
            )
    console = Console()
    console.print(f"underthesea NER model load + first call: {load_ms:.0f} ms")
    console.print(table)


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("seeds"))
