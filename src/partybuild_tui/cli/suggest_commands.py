"""``partybuild suggest`` and ``partybuild evaluate``: pre-computing and measuring suggestions.

``suggest`` decides in the parent which (article, source) runs are out of date, runs the
sources in worker processes (each builds its sources once) and writes every result from the
parent, so there is one writer and a killed run keeps the articles it finished.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Annotated

import typer
from rich import box
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from partybuild_tui.cli.app import DbOption, command, console, err_console, open_store
from partybuild_tui.core import evaluate, tokenize
from partybuild_tui.core.store import Article, Span, Store
from partybuild_tui.core.suggest import engine
from partybuild_tui.core.suggest.base import Context, Source
from partybuild_tui.core.suggest.memory import Lexicon, load_lexicon
from partybuild_tui.core.suggest.patterns import Patterns

SourceOption = Annotated[
    list[str] | None,
    typer.Option(
        "--source",
        "-s",
        help=f"Only this source (repeatable): {', '.join(engine.SOURCE_NAMES)}.",
        show_default=False,
    ),
]
Flat = tuple[list[int], list[int]]  # a tokenization as cached: words, sentences
Job = tuple[Article, Flat | None, list[str], tuple[Span, ...]]
Done = tuple[int, Flat | None, engine.RunResult]
Progress_ = Callable[[int, int], None] | None

_worker_sources: list[Source] = []


def _progress(description: str) -> Progress:
    return Progress(
        TextColumn(f"[bold]{description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err_console,
        transient=True,
        disable=not err_console.is_terminal,
    )


def _init_worker(names: list[str], patterns: Patterns, labels: dict[str, str]) -> None:
    global _worker_sources
    _worker_sources = engine.build_sources(names, patterns, Lexicon(labels))


def _run(job: Job) -> Done:
    """In a worker: segment if needed, run the asked sources on one article."""
    article, cached, names, spans = job
    new_flat: Flat | None = None
    if cached is None:
        tokens = tokenize.segment(article.text)
        new_flat = tokens.flat()
    else:
        tokens = _tokens(article.text, *cached)
    wanted = [s for s in _worker_sources if s.name in names]
    results = engine.propose(article, tokens, wanted, Context(spans))
    return article.id, new_flat, results


def _pairs(flat: list[int]) -> tuple[tuple[int, int], ...]:
    return tuple(zip(flat[::2], flat[1::2], strict=True))


def _tokens(text: str, words: list[int], sentences: list[int]) -> tokenize.Tokenization:
    """A cached tokenization rebuilt in a worker (the cache stores flat offset lists)."""
    return tokenize.Tokenization(_pairs(words), _pairs(sentences), text)


def _jobs(store: Store, ids: Iterable[int], sources: list[Source]) -> Iterator[Job]:
    for article_id in ids:
        article = store.article(article_id)
        stale = engine.stale_sources(store, article, sources)
        if not stale:
            continue
        cached = store.load_tokenization(article.id, article.content_hash, tokenize.TOKENIZER)
        yield article, cached, [s.name for s in stale], tuple(store.spans(article_id))


def run_suggest(
    store: Store,
    ids: list[int],
    names: list[str],
    processes: int,
    force: bool = False,
    progress: Progress_ = None,
) -> tuple[int, int]:
    """Compute suggestions for ``ids``; return (articles updated, suggestions added)."""
    patterns = engine.patterns_for(store)
    lexicon = load_lexicon(store) if "memory" in names else Lexicon({})
    sources = engine.build_sources(names, patterns, lexicon)
    if force:
        store.conn.execute(
            f"DELETE FROM suggestion_runs WHERE source IN ({', '.join('?' for _ in names)})",
            names,
        )
    jobs = list(_jobs(store, ids, sources))
    before = store.conn.execute("SELECT count(*) FROM suggestions").fetchone()[0]
    if progress:
        progress(0, len(jobs))
    if processes <= 1 or len(jobs) < 4:
        _init_worker(names, patterns, lexicon.labels)
        _save(store, map(_run, jobs), len(jobs), progress)
    else:
        with ProcessPoolExecutor(
            max_workers=processes,
            initializer=_init_worker,
            initargs=(names, patterns, lexicon.labels),
        ) as pool:
            _save(store, pool.map(_run, jobs, chunksize=2), len(jobs), progress)
    after = store.conn.execute("SELECT count(*) FROM suggestions").fetchone()[0]
    return len(jobs), after - before


def _save(store: Store, results: Iterable[Done], total: int, progress: Progress_) -> None:
    for done, (article_id, flat, result) in enumerate(results, 1):
        article = store.article(article_id)
        if flat is not None:
            store.save_tokenization(
                article.id, article.content_hash, tokenize.TOKENIZER, flat[0], flat[1]
            )
        engine.save_results(store, article, result)
        if progress:
            progress(done, total)


@command("suggest")
def suggest_command(
    db: DbOption = None,
    status: Annotated[str | None, typer.Option(help="Only articles with this status.")] = None,
    search: Annotated[
        str | None, typer.Option("--search", "-q", help="Only articles matching this search.")
    ] = None,
    source: SourceOption = None,
    processes: Annotated[int, typer.Option(help="Worker processes.", min=1)] = max(
        1, min(os.cpu_count() or 1, 4)
    ),
    force: Annotated[
        bool, typer.Option("--force", help="Re-run sources even where nothing changed.")
    ] = False,
) -> None:
    """Pre-compute suggestions. Re-running only does what changed (texts, sources, tags)."""
    names = list(engine.check_names(source))
    with open_store(db) as store:
        ids = store.article_ids(status=status, query=search)
        with _progress("suggesting") as bar:
            task = bar.add_task("suggest", total=None)
            updated, added = run_suggest(
                store,
                ids,
                names,
                processes,
                force,
                lambda done, total: bar.update(task, completed=done, total=total),
            )
        pending = store.conn.execute(
            "SELECT count(*) FROM suggestions WHERE status = 'pending'"
        ).fetchone()[0]
    console.print(
        f"{len(ids):,} articles, {updated:,} brought up to date "
        f"({', '.join(names)}): {added:+,} suggestions, {pending:,} pending in all",
        highlight=False,
    )


@command("evaluate")
def evaluate_command(
    gold: Annotated[
        Path | None,
        typer.Argument(help="Gold spans, JSONL in the export form.", dir_okay=False),
    ] = None,
    db: DbOption = None,
    source: SourceOption = None,
    against_accepted: Annotated[
        bool,
        typer.Option("--against-accepted", help="Score stored suggestions against the DB's spans."),
    ] = False,
) -> None:
    """Precision, recall and F1 of each suggestion source, per label, exact and overlap."""
    if (gold is None) == (not against_accepted):
        raise typer.BadParameter("give a GOLD.jsonl file or --against-accepted (not both)")
    with open_store(db) as store:
        if against_accepted:
            report = evaluate.evaluate_accepted(store, source)
            where = "accepted spans"
        else:
            assert gold is not None
            report = evaluate.evaluate_gold(store, evaluate.load_gold(gold), source)
            where = str(gold)
    print_report(report, where)


def _pct(value: float) -> str:
    return f"{100 * value:.1f}"


def print_report(report: evaluate.Report, where: str) -> None:
    """One row per source and label: counts, then P/R/F1 exact and with overlap."""
    table = Table(
        title=f"Suggestions vs {where}: {report.articles} articles (P/R/F1 in %)",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        collapse_padding=True,
    )
    table.add_column("source", no_wrap=True)
    table.add_column("label", no_wrap=True)
    for header in ("gold", "pred", "P", "R", "F1", "P~", "R~", "F1~"):
        table.add_column(header, justify="right", no_wrap=True)
    for source in report.sources:
        for label in report.labels(source):
            exact = report.get(source, label, "exact")
            overlap = report.get(source, label, "overlap")
            if label != evaluate.TOTAL and not exact.gold and not exact.predicted:
                continue
            table.add_row(
                source,
                "(all)" if label == evaluate.TOTAL else label,
                str(exact.gold),
                str(exact.predicted),
                *(_pct(x) for x in (exact.precision, exact.recall, exact.f1)),
                *(_pct(x) for x in (overlap.precision, overlap.recall, overlap.f1)),
                style="bold" if label == evaluate.TOTAL else None,
                end_section=label == evaluate.TOTAL,
            )
    console.print(table)
    console.print("~ : a prediction counts if it overlaps a gold span of its label")
    if evaluate.MEMORY_LOO in report.sources:
        console.print(
            f"{evaluate.MEMORY_LOO}: memory in each gold article, the others tagged as gold"
        )
    if report.unmatched:
        shown = ", ".join(report.unmatched[:5])
        more = f" and {len(report.unmatched) - 5} more" if len(report.unmatched) > 5 else ""
        console.print(
            f"[yellow]{len(report.unmatched)} gold articles are not in the database "
            f"(import them first): {shown}{more}",
            highlight=False,
        )
