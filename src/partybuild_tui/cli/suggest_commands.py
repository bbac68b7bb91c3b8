"""``partybuild suggest`` and ``partybuild evaluate``: pre-computing and measuring suggestions."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from partybuild_tui.cli import model_commands
from partybuild_tui.cli.app import (
    DbOption,
    SearchOption,
    command,
    console,
    open_store,
    progress_bar,
)
from partybuild_tui.core.choices import SUGGESTION_SOURCES as SOURCE_NAMES
from partybuild_tui.core.display import printable, shown

if TYPE_CHECKING:
    from partybuild_tui.core.suggest.evaluate import Report

SourceOption = Annotated[
    list[str] | None,
    typer.Option(
        "--source",
        "-s",
        help=f"Only this source (repeatable): {', '.join(SOURCE_NAMES)}.",
        show_default=False,
    ),
]


@command("suggest")
def suggest_command(
    db: DbOption = None,
    status: Annotated[str | None, typer.Option(help="Only articles with this status.")] = None,
    search: SearchOption = None,
    source: SourceOption = None,
    processes: Annotated[int, typer.Option(help="Worker processes.", min=1)] = max(
        1, min(os.cpu_count() or 1, 4)
    ),
    force: Annotated[
        bool, typer.Option("--force", help="Re-run sources even where nothing changed.")
    ] = False,
) -> None:
    """Pre-compute suggestions. Re-running only does what changed (texts, sources, tags)."""
    from rich.markup import escape

    from partybuild_tui.core.suggest import batch, engine
    from partybuild_tui.core.suggest.patterns import TIME_BUDGET

    names = list(engine.check_names(source))
    with open_store(db, create=False) as store:
        untrained = "model" in names and engine.trained_model(store) is None
        if untrained:
            names.remove("model")
        ids = store.article_ids(status=status, query=search)
        with progress_bar("suggesting") as bar:
            task = bar.add_task("suggest", total=None)
            report = batch.compute_many(
                store,
                ids,
                names,
                processes=processes,
                force=force,
                progress=lambda done, total: bar.update(task, completed=done, total=total),
            )
        pending = store.suggestion_count("pending")  # no layer: decided by no annotator yet
    console().print(
        f"{report.articles:,} articles, {report.updated:,} brought up to date "
        f"({', '.join(names)}): {report.added:+,} suggestions, {pending:,} pending in all",
        highlight=False,
    )
    if untrained:
        console().print("model: none trained yet (partybuild train learns from done articles)")
    for rule, (where, article_id) in sorted(report.timed_out.items()):
        console().print(
            f"[yellow]rule {escape(printable(repr(rule)))}[/] of {escape(printable(where))} "
            "ran out of time "
            f"({TIME_BUDGET:g} s on article {article_id}) and was skipped for the rest of this "
            "run: its pattern backtracks too much; make it simpler",
            highlight=False,
            soft_wrap=True,
            markup=True,
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
    folds: Annotated[
        int | None,
        typer.Option(
            "--folds",
            "-k",
            min=2,
            help="Train the model on K-1 folds of GOLD's articles, score the held-out fold, "
            "print a learning curve.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Precision, recall and F1 of each suggestion source, per label, exact and overlap."""
    from partybuild_tui.core.suggest import evaluate

    if (gold is None) == (not against_accepted):
        raise typer.BadParameter("give a GOLD.jsonl file or --against-accepted (not both)")
    if folds is not None:
        if gold is None:
            raise typer.BadParameter("--folds needs a GOLD.jsonl file")
        model_commands.print_folds(db, gold, folds)
        return
    with open_store(db, create=False) as store:
        if against_accepted:
            report = evaluate.evaluate_accepted(store, source)
            where = "accepted spans"
            if not report.gold_spans:
                _nothing_accepted()
        else:
            assert gold is not None
            report = evaluate.evaluate_gold(store, evaluate.load_gold(gold), source)
            where = str(gold)
    print_report(report, where)


def _nothing_accepted() -> None:
    """Exit 1 (not 2: nothing was misused) so a script does not record a table of zeros."""
    console().print(
        "no accepted spans to score against: tag or accept spans first (the spans of "
        "articles marked done count, or of every article when none is done)",
        highlight=False,
        soft_wrap=True,  # one line, however narrow the terminal: scripts grep it
    )
    raise typer.Exit(1)


def _pct(value: float) -> str:
    return f"{100 * value:.1f}"


def print_report(report: Report, where: str) -> None:
    """One row per source and label: counts, then P/R/F1 exact and with overlap."""
    from rich import box
    from rich.table import Table

    from partybuild_tui.core.suggest import evaluate

    table = Table(
        title=shown(f"Suggestions vs {where}: {report.articles} articles (P/R/F1 in %)"),
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
                shown(source),
                shown("(all)" if label == evaluate.TOTAL else label),
                str(exact.gold),
                str(exact.predicted),
                *(_pct(x) for x in (exact.precision, exact.recall, exact.f1)),
                *(_pct(x) for x in (overlap.precision, overlap.recall, overlap.f1)),
                style="bold" if label == evaluate.TOTAL else None,
                end_section=label == evaluate.TOTAL,
            )
    console().print(table)
    console().print("~ : a prediction counts if it overlaps a gold span of its label")
    if evaluate.MEMORY_LOO in report.sources:
        console().print(
            f"{evaluate.MEMORY_LOO}: memory in each gold article, the others tagged as gold"
        )
    if report.unmatched:
        listed = ", ".join(report.unmatched[:5])
        more = f" and {len(report.unmatched) - 5} more" if len(report.unmatched) > 5 else ""
        console().print(
            shown(
                f"{len(report.unmatched)} gold articles are not in the database "
                f"(import them first): {listed}{more}",
                "yellow",
            ),
        )
