"""Export throughput (articles/s, MB/s) and peak memory per format on a synthetic database.

    PYTHONPATH=src python benchmarks/export_bench.py [--sizes 500,2000] [--formats all]

The database holds copies of the five seeds (each made unique by a trailing line), with
real entity spans and cached tokenizations, built in one transaction. Each format is exported
twice per size: once timed, once under tracemalloc for the peak of Python allocations. A flat
peak across sizes shows that memory does not grow with the corpus.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

from rich.console import Console
from rich.table import Table

from partybuild_tui.config import DEFAULT_LABELS
from partybuild_tui.core import ingest, tokenize
from partybuild_tui.core.export import FORMATS, ExportOptions, Selection, TokenOptions, export
from partybuild_tui.core.store import Store, now

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
NAMES = {
    "ORGANIZATION": ("Đảng bộ huyện Đồng Văn", "Ban Thường vụ Tỉnh ủy", "Đảng bộ xã Na Tông"),
    "FIGURE": ("Vũ Quỳnh Khánh", "Lò Văn Phong", "Trần Xuân Thu"),
    "RESOLUTION": ("Nghị quyết số 37", "Chỉ thị số 05", "Nghị quyết số 22"),
}
VARIANTS: dict[str, Callable[[], ExportOptions]] = {
    "jsonl": lambda: ExportOptions("jsonl"),
    "doccano": lambda: ExportOptions("doccano"),
    "brat": lambda: ExportOptions("brat"),
    "conll": lambda: ExportOptions("conll"),
    "conll-syllable": lambda: ExportOptions("conll", tokens=TokenOptions(level="syllable")),
    "conll-vlsp": lambda: ExportOptions("conll", vlsp=True),
    "phoner": lambda: ExportOptions("phoner"),
    "hf": lambda: ExportOptions("hf", split=(0.8, 0.1, 0.1)),
}


def build(path: Path, count: int) -> None:
    """``count`` articles from the seeds with spans and cached words, in one transaction."""
    seeds = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    words = [tokenize.segment(ingest.corpus.normalize(text)) for text in seeds]
    with Store(path) as store, store.write():
        for i in range(count):
            base = i % len(seeds)
            doc = ingest.Document(f"bench:{i}", f"bench/{i}.txt", f"{seeds[base]}\nBản {i}.\n")
            fields = ingest.article_fields(doc)
            fields["status"] = "done"
            article_id = store.insert_article(fields)
            store.save_tokenization(
                article_id, fields["content_hash"], tokenize.TOKENIZER, *words[base].flat()
            )
            _spans(store, article_id, fields["text"])


def _spans(store: Store, article_id: int, text: str) -> None:
    taken: list[tuple[int, int]] = []
    for label, names in NAMES.items():
        for name in names:
            pos = text.find(name)
            while pos != -1:
                end = pos + len(name)
                if all(end <= a or pos >= b for a, b in taken):
                    taken.append((pos, end))
                    store.conn.execute(
                        'INSERT INTO spans (uid, article_id, start, "end", label, text, origin, '
                        "annotator, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        (f"{article_id}-{pos}", article_id, pos, end, label, name, "manual",
                         "bench", now(), now()),
                    )  # fmt: skip
                pos = text.find(name, pos + 1)


def size_of(paths: list[Path]) -> int:
    files = [f for p in paths for f in ([p] if p.is_file() else p.rglob("*"))]
    return sum(f.stat().st_size for f in files)


def measure(store: Store, name: str, out: Path) -> tuple[float, int, int, int]:
    """(seconds, bytes written, articles, peak traced bytes)."""
    options = VARIANTS[name]()
    options = ExportOptions(**{**options.__dict__, "selection": Selection()})
    start = time.perf_counter()
    summary = export(store, options, out / name, DEFAULT_LABELS)
    seconds = time.perf_counter() - start
    tracemalloc.start()
    export(store, options, out / f"{name}-traced", DEFAULT_LABELS)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return seconds, size_of(summary.files), summary.total_articles, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="500,2000")
    parser.add_argument("--formats", default=",".join(VARIANTS))
    parser.add_argument("--json", action="store_true", help="Also print raw numbers as JSON.")
    args = parser.parse_args()
    sizes = [int(x) for x in args.sizes.split(",")]
    names = [n for n in args.formats.split(",") if n]
    assert set(FORMATS) <= {n.split("-")[0] for n in VARIANTS}
    table = Table(title="partybuild export benchmark", title_justify="left")
    for column in ("format", "articles", "seconds", "articles/s", "MB", "MB/s", "peak MB"):
        table.add_column(column, justify="left" if column == "format" else "right")
    raw = []
    with tempfile.TemporaryDirectory() as folder:
        for size in sizes:
            db = Path(folder) / f"bench-{size}.db"
            started = time.perf_counter()
            build(db, size)
            built = time.perf_counter() - started
            Console(stderr=True).print(f"built {size:,} articles in {built:.1f}s")
            with Store(db) as store:
                for name in names:
                    seconds, written, articles, peak = measure(store, name, Path(folder) / "out")
                    mb = written / 1e6
                    table.add_row(
                        name,
                        f"{articles:,}",
                        f"{seconds:.2f}",
                        f"{articles / seconds:,.0f}",
                        f"{mb:.1f}",
                        f"{mb / seconds:.1f}",
                        f"{peak / 1e6:.1f}",
                    )
                    raw.append({"format": name, "articles": articles, "seconds": seconds,
                                "bytes": written, "peak": peak})  # fmt: skip
            table.add_section()
    Console().print(table)
    if args.json:
        print(json.dumps(raw))


if __name__ == "__main__":
    main()
