"""``partybuild import`` and ``partybuild list``: getting articles in and seeing what is there."""

from __future__ import annotations

import os
from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from partybuild_tui.cli.app import (
    DbOption,
    command,
    console,
    open_store,
    progress_bar,
    report_line,
)
from partybuild_tui.core.choices import STATUSES
from partybuild_tui.core.display import printable

if TYPE_CHECKING:
    from rich.table import Table

    from partybuild_tui.core.ingest import ImportReport
    from partybuild_tui.core.store import ArticleRow, Store

STATUS_MARKS = {"new": "·", "in_progress": "◐", "done": "●", "skipped": "⊘"}
SHOW_SKIPPED = 20


@command("import")
def import_command(
    paths: Annotated[
        list[Path],
        typer.Argument(help="Files (.txt articles, .jsonl one article a line), folders, globs."),
    ],
    db: DbOption = None,
    segment: Annotated[
        bool,
        typer.Option(help="Segment words now (otherwise on first open)."),
    ] = True,
    processes: Annotated[int, typer.Option(help="Processes for segmentation.", min=1)] = max(
        1, min(os.cpu_count() or 1, 4)
    ),
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="List every skip.")] = False,
) -> None:
    """Import articles. Re-importing the same files changes nothing."""
    with open_store(db) as store:
        report = import_withprogress_bar(store, [str(p) for p in paths], segment, processes)
    print_import_report(report, verbose)
    if report.skipped and not report.imported and not report.duplicates:
        raise typer.Exit(1)


def import_withprogress_bar(
    store: Store, paths: list[str], segment: bool, processes: int
) -> ImportReport:
    """Import (and segment) with a progress bar on a terminal."""
    from partybuild_tui.core import ingest, tokenize

    with progress_bar("importing") as bar:
        task = bar.add_task("import", total=None)
        report = ingest.import_paths(
            store, paths, progress=lambda done, total: bar.update(task, completed=done, total=total)
        )
    # what an earlier, killed import stored but did not segment is segmented now
    todo = report.imported + tokenize.unsegmented(store, report.duplicate_ids) if segment else []
    if todo:
        with progress_bar("segmenting") as bar:
            task = bar.add_task("segment", total=len(todo))
            tokenize.segment_articles(
                store,
                todo,
                processes=processes,
                progress=lambda done, total: bar.update(task, completed=done),
            )
        report.segmented_again = len(todo) - len(report.imported)
    return report


def print_import_report(report: ImportReport, verbose: bool = False) -> None:
    from rich.table import Table

    from partybuild_tui.core import ingest, tokenize

    table = Table(title="Import", show_header=False, title_justify="left")
    table.add_row("imported", f"{len(report.imported):,}")
    if report.new_versions:
        table.add_row("  of which new versions", f"{len(report.new_versions):,}")
        table.add_row("  spans carried to new versions", f"{report.spans_carried:,}")
        table.add_row("  spans kept on old versions", f"{report.spans_left_on_old_version:,}")
    table.add_row("duplicates (already stored)", f"{len(report.duplicates):,}")
    if report.segmented_again:
        table.add_row("  of which segmented now (not before)", f"{report.segmented_again:,}")
    table.add_row("skipped", f"{len(report.skipped):,}", style="red" if report.skipped else None)
    if report.ignored_files:
        table.add_row("other files in folders (ignored)", f"{report.ignored_files:,}")
    console().print(table)
    shown = report.skipped if verbose else report.skipped[:SHOW_SKIPPED]
    for skipped in shown:
        line = report_line("skipped", "red", f"{skipped.path}: {skipped.reason}")
        console().print(line, soft_wrap=True)
    if len(shown) < len(report.skipped):
        console().print(f"  … and {len(report.skipped) - len(shown)} more (--verbose lists all)")
    for path, chars in report.large:
        line = report_line(
            "note",
            "yellow",
            f"{path}: {chars:,} characters, over {ingest.LARGE_ARTICLE_CHARS:,}: it is "
            f"segmented in pieces of {tokenize.MAX_PIECE:,} characters, which takes minutes; "
            "the app shows it at once and segments it in the background",
        )
        console().print(line, soft_wrap=True)


class ListOrder(StrEnum):
    corpus = "corpus"
    uncertain = "uncertain"


@command("list")
def list_command(
    db: DbOption = None,
    status: Annotated[
        str | None, typer.Option(help=f"Only this status: {', '.join(STATUSES)}.")
    ] = None,
    search: Annotated[
        str | None, typer.Option("--search", "-q", help="Full-text search (every word).")
    ] = None,
    limit: Annotated[int, typer.Option(help="At most this many rows (0: all).", min=0)] = 50,
    include_old: Annotated[
        bool, typer.Option("--all", help="Include superseded versions of changed files.")
    ] = False,
    order: Annotated[
        ListOrder,
        typer.Option(
            help="corpus: import order; uncertain: where the trained model is least sure "
            "first (what to annotate next), then the articles it has not seen.",
        ),
    ] = ListOrder.corpus,
    annotator: Annotated[
        str | None,
        typer.Option(
            "--annotator",
            "-a",
            help="This annotator's articles (their assigned ones, if any), status and spans "
            "[default: every article; status: the furthest any annotator got].",
            show_default=False,
        ),
    ] = None,
) -> None:
    """List articles with their status, date, source, span count and length.

    chars: the characters of the article's body (from the title to the byline, without the
    page boilerplate scrapers leave after it), as `partybuild stats` counts them.
    """
    from partybuild_tui.core.layers import check_layer, is_review

    if annotator is not None:
        check_layer(annotator)
    # a mistyped --db must not leave an empty database behind; rows and total: one state
    with open_store(db, create=False) as store, store.snapshot():
        assigned = annotator if annotator and store.has_assignments(annotator) else None
        rows = store.list_articles(
            status=status,
            query=search,
            limit=limit or None,
            include_superseded=include_old,
            order=order.value,
            layer=annotator,
            assigned=assigned,
        )
        total = store.count_articles(
            status=status,
            query=search,
            include_superseded=include_old,
            layer=annotator,
            assigned=assigned,
        )
        chars = body_chars(store, rows)
    whose = f" in {annotator}'s layer" if annotator else ""
    if assigned:
        whose = f" to review in {assigned}" if is_review(assigned) else f" assigned to {assigned}"
    console().print(_articles_table(rows, total, chars, whose))


def body_chars(store: Store, rows: Sequence[ArticleRow]) -> dict[int, int]:
    """The body's length of each row's article: a row's ``length`` is the whole text's."""
    lengths = {}
    for row in rows:
        article = store.article(row.id)
        lengths[row.id] = article.body_end - article.body_start
    return lengths


def _articles_table(
    rows: Sequence[ArticleRow], total: int, chars: dict[int, int], whose: str = ""
) -> Table:
    """The list as a table whose title column takes the width the others leave.

    Stored strings are shown as ``Text`` (never markup) with control characters made visible.
    """
    from rich import box
    from rich.table import Table
    from rich.text import Text

    cells = [
        (
            str(row.id),
            f"{STATUS_MARKS[row.status]} {row.status.replace('_', ' ')}",
            printable(row.title),
            printable(row.date or "")[:10],
            printable(row.source or ""),
            str(row.span_count),
            f"{chars[row.id]:,}",
        )
        for row in rows
    ]
    headers = ("id", "status", "title", "date", "source", "spans", "chars")
    widths = [max([len(h), *(len(c[i]) for c in cells)]) for i, h in enumerate(headers)]
    title_width = max(16, console().width - (sum(widths) - widths[2]) - 3 * len(headers))
    table = Table(
        title=f"{len(rows):,} of {total:,} articles{whose}",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
    )
    for i, header in enumerate(headers):
        width = title_width if header == "title" else widths[i]
        right = header in ("id", "spans", "chars")
        table.add_column(
            header,
            width=width,
            no_wrap=True,
            overflow="ellipsis",
            justify="right" if right else "left",
        )
    for cell in cells:
        table.add_row(*(Text(c) for c in cell))
    return table
