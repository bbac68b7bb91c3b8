"""``partybuild assign``: split the (filtered) articles among annotators, some shared."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from partybuild_tui.cli.app import DbOption, command, console, open_store
from partybuild_tui.core.choices import STATUSES
from partybuild_tui.errors import UserError

if TYPE_CHECKING:
    from rich.table import Table


def share(value: str) -> float:
    """``--overlap``'s value: a number (the range is checked with the plan). Read here, not
    as a typer float, which only typer's pydantic conversion handles."""
    try:
        return float(value)
    except ValueError:
        raise UserError(f"--overlap {value!r}: give a share like 0.2") from None


@command("assign")
def assign_command(
    annotators: Annotated[
        str, typer.Option(help="Who annotates, comma-separated, like lan,minh,hoa.")
    ],
    db: DbOption = None,
    overlap: Annotated[
        str,
        typer.Option(
            help="Share of the articles given to two annotators (for agreement), 0 to 1.",
            metavar="SHARE",
        ),
    ] = "0",
    seed: Annotated[int, typer.Option(help="The same seed gives the same split.")] = 0,
    status: Annotated[
        str | None,
        typer.Option(help=f"Only articles with this status for anyone: {', '.join(STATUSES)}."),
    ] = None,
    search: Annotated[
        str | None, typer.Option("--search", "-q", help="Full-text search (every word).")
    ] = None,
    replace: Annotated[
        bool,
        typer.Option(
            "--replace",
            help="Split every selected article afresh (default: only those assigned to nobody "
            "yet, keeping the earlier split and its balance).",
        ),
    ] = False,
) -> None:
    """Split the current articles (those the filters select) among annotators.

    The app's list and "next to do" then show each annotator their own share, and
    `partybuild list --annotator NAME` lists it.
    """
    from partybuild_tui.core import assign

    names = assign.check_plan(annotators.split(","), share(overlap))
    with open_store(db, create=False) as store:
        with store.write():  # what is selected and what is saved: one state
            chosen = store.article_ids(status=status, query=search)
            taken = store.assignees(chosen)
            todo = chosen if replace else [i for i in chosen if i not in taken]
            loads = {} if replace else _loads(store.assignment_summary())
            plan = assign.split(todo, names, share(overlap), seed, loads)
            store.assign(
                ((i, name) for i, who in plan.items() for name in who),
                replace_for=todo if replace else (),
            )
        summary = store.assignment_summary()
    kept = len(chosen) - len(todo)
    note = f"; {kept:,} already assigned, kept (--replace splits them afresh)" if kept else ""
    console().print(f"assigned {len(todo):,} article{'s' * (len(todo) != 1)}{note}")
    console().print(_summary_table(summary))


def _loads(summary: list[tuple[str, int, int]]) -> dict[str, int]:
    return {name: articles for name, articles, _shared in summary}


def _summary_table(summary: list[tuple[str, int, int]]) -> Table:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, title_justify="left")
    table.add_column("annotator")
    table.add_column("articles", justify="right")
    table.add_column("shared", justify="right")
    for name, articles, shared in summary:
        table.add_row(Text(name), f"{articles:,}", f"{shared:,}")
    return table
