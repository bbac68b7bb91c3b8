"""Export throughput (articles/s, MB/s) and peak memory, one case per format.

    PYTHONPATH=src python benchmarks/export_bench.py                 # builds 10k articles once
    PYTHONPATH=src python benchmarks/export_bench.py --case jsonl --case conll
    PYTHONPATH=src python benchmarks/export_bench.py --db benchmarks/out/bench-10000-seed7.db
    python benchmarks/run.py --only export       # on the run's database of N articles

Offset formats (jsonl, doccano, brat, labelstudio, labelstudio-min) export every article of
the run's database (``--db``, read only: the export only reads, files go under ``--work``).
Formats that need each article's words (conll, its syllable, BIOES and VLSP variants, phoner,
hf, hf-parquet, spacy, and prodigy for its tokens) run on the first ``--token-sample``
articles, copied into ``--work`` and segmented once by a separate process (cached there as
``export-tokens-N-K.db``), so the timed export reads cached words as it does after annotation;
``--vlsp-sample`` is smaller because VLSP runs underthesea's POS and chunk models on every
sentence. Every status is exported (``--status any``).

``import-FORMAT`` cases export first (not timed), then time ``import_annotations`` of that
file: offset formats into a fresh database (every article stored as new), token formats
(conll, phoner) onto a copy of the articles they came from with their spans removed (the
tokens are placed on the article bodies again). Each case runs in its own process under
run.py, so each row's peak memory is that case's. Follows the convention in
benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import benchlib  # noqa: E402
import generate_corpus  # noqa: E402
from benchlib import Row, row  # noqa: E402

from partybuild_tui.config import DEFAULT_LABELS  # noqa: E402
from partybuild_tui.core.export import (  # noqa: E402
    ExportOptions,
    Selection,
    TokenOptions,
    export,
    import_annotations,
)
from partybuild_tui.core.store import Store  # noqa: E402

EVERY_STATUS = Selection(statuses=())
# case -> (options, needs the words)
VARIANTS: dict[str, tuple[Callable[[], ExportOptions], bool]] = {
    "jsonl": (lambda: ExportOptions("jsonl", EVERY_STATUS), False),
    "doccano": (lambda: ExportOptions("doccano", EVERY_STATUS), False),
    "brat": (lambda: ExportOptions("brat", EVERY_STATUS), False),
    "conll": (lambda: ExportOptions("conll", EVERY_STATUS), True),
    "conll-syllable": (
        lambda: ExportOptions("conll", EVERY_STATUS, tokens=TokenOptions(level="syllable")),
        True,
    ),
    "conll-vlsp": (lambda: ExportOptions("conll", EVERY_STATUS, vlsp=True), True),
    "phoner": (lambda: ExportOptions("phoner", EVERY_STATUS), True),
    "hf": (lambda: ExportOptions("hf", EVERY_STATUS, split=(0.8, 0.1, 0.1)), True),
    "conll-bioes": (
        lambda: ExportOptions("conll", EVERY_STATUS, tokens=TokenOptions(scheme="bioes")),
        True,
    ),
    "prodigy": (lambda: ExportOptions("prodigy", EVERY_STATUS), True),
    "labelstudio": (lambda: ExportOptions("labelstudio", EVERY_STATUS), False),
    "labelstudio-min": (lambda: ExportOptions("labelstudio-min", EVERY_STATUS), False),
    "spacy": (lambda: ExportOptions("spacy", EVERY_STATUS), True),
    "hf-parquet": (lambda: ExportOptions("hf-parquet", EVERY_STATUS), True),
}
IMPORTS = ("jsonl", "doccano", "brat", "prodigy", "labelstudio", "labelstudio-min", "conll",
           "phoner")  # fmt: skip
ONTO_ARTICLES = ("conll", "phoner")  # token formats: imported onto their own articles


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--seed", type=int, default=7, help="corpus seed (without --db)")
    parser.add_argument("--token-sample", type=int, default=1000, help="articles, token formats")
    parser.add_argument("--vlsp-sample", type=int, default=200, help="articles, conll-vlsp")
    parser.add_argument("--prepare-tokens", help=argparse.SUPPRESS)  # internal: the child


def source_db(args: argparse.Namespace) -> Path:
    """The run's database, or one of --n generated articles built once under --work."""
    if args.db:
        return Path(args.db)
    path = Path(args.work) / f"export-{args.n}-seed{args.seed}.db"
    if not path.exists():
        partial = path.with_suffix(".partial")
        partial.unlink(missing_ok=True)
        generate_corpus.build_db(partial, args.n, args.seed)
        partial.rename(path)
    return path


def token_db(args: argparse.Namespace, count: int) -> Path:
    """The first ``count`` articles of the source with cached words, made once."""
    source = source_db(args)
    path = Path(args.work) / f"export-tokens-{args.n}-{count}.db"
    if not path.exists():
        command = [sys.executable, __file__, "--prepare-tokens", str(path), "--n", str(args.n)]
        command += ["--db", str(source), "--work", args.work, "--token-sample", str(count)]
        print(f"segmenting {count:,} articles once for the token formats ...", file=sys.stderr)
        subprocess.run(command, check=True, stdout=sys.stderr)
    return path


def prepare_tokens(source: Path, target: Path, count: int) -> None:
    """Copy the first ``count`` articles and their spans, then segment and cache them."""
    partial = target.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    with Store(partial) as store:
        store.conn.execute("ATTACH DATABASE ? AS src", (f"file:{source}?mode=ro",))
        with store.write():
            for table in ("articles", "spans"):
                column = "id" if table == "articles" else "article_id"
                store.conn.execute(
                    f"INSERT INTO {table} SELECT * FROM src.{table} WHERE {column} <= ?", (count,)
                )
        store.conn.execute("DETACH DATABASE src")
        from partybuild_tui.core.export.select import ensure_tokenized

        ensure_tokenized(store, store.article_ids(), processes=max(1, os.cpu_count() or 1))
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    partial.rename(target)


def size_of(paths: list[Path]) -> int:
    files = [f for p in paths for f in ([p] if p.is_file() else p.rglob("*")) if f.is_file()]
    return sum(f.stat().st_size for f in files)


def run_format(args: argparse.Namespace, name: str) -> list[Row]:
    make, tokenized = VARIANTS[name]
    count = args.vlsp_sample if name == "conll-vlsp" else args.token_sample
    db = token_db(args, min(count, args.n)) if tokenized else source_db(args)
    out = Path(args.work) / "export-out" / name
    shutil.rmtree(out, ignore_errors=True)
    started = time.perf_counter()
    with Store(db) as store:  # the export only reads the database; files go under --work
        summary = export(store, make(), out, DEFAULT_LABELS)
    seconds = time.perf_counter() - started
    megabytes = size_of(summary.files) / 1e6
    articles = summary.total_articles
    spans = sum(summary.spans.values())
    where = "words cached" if tokenized else "the run's database"
    note = f"{articles:,} articles, {spans:,} spans, {megabytes:.1f} MB in {seconds:.1f}s; {where}"
    shutil.rmtree(out, ignore_errors=True)
    return [
        row(f"export {name}", articles / seconds, "articles/s", note),
        row(f"export {name}, bytes written", megabytes / seconds, "MB/s", "same run"),
    ]


def run_import(args: argparse.Namespace, name: str) -> list[Row]:
    """Export ``name`` (untimed), then time importing it."""
    make, tokenized = VARIANTS[name]
    db = token_db(args, min(args.token_sample, args.n)) if tokenized else source_db(args)
    folder = Path(args.work) / "import-run" / name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    exported = folder / ("brat" if name == "brat" else f"data.{name}")
    with Store(db) as store:
        export(store, make(), exported, DEFAULT_LABELS)
    target = folder / "target.db"
    if name in ONTO_ARTICLES:  # the same articles, without their spans
        shutil.copy(db, target)
        with Store(target) as store, store.write():
            store.conn.execute("DELETE FROM spans")
    started = time.perf_counter()
    with Store(target) as store:
        report = import_annotations(store, exported, labels=DEFAULT_LABELS, default_annotator="b")
    seconds = time.perf_counter() - started
    articles = len(set(report.matched)) + len(report.created)
    note = (
        f"{articles:,} articles ({len(report.created):,} stored as new), "
        f"{report.spans_imported:,} spans, {len(report.skipped):,} skipped, in {seconds:.1f}s"
    )
    shutil.rmtree(folder, ignore_errors=True)
    return [row(f"import {name}", articles / seconds, "articles/s", note)]


def cases(args: argparse.Namespace) -> dict[str, benchlib.Case]:
    found: dict[str, benchlib.Case] = {
        name: (lambda a, name=name: run_format(a, name)) for name in VARIANTS
    }
    for name in IMPORTS:
        found[f"import-{name}"] = lambda a, name=name: run_import(a, name)
    return found


if __name__ == "__main__":
    if "--prepare-tokens" in sys.argv:
        found, _ = benchlib.parser(__doc__).parse_known_args()
        extra = argparse.ArgumentParser()
        add_arguments(extra)
        more, _ = extra.parse_known_args()
        prepare_tokens(Path(found.db), Path(more.prepare_tokens), more.token_sample)
        raise SystemExit(0)
    raise SystemExit(benchlib.main(cases, __doc__.split("\n\n")[0], add_arguments))
