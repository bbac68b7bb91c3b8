"""``partybuild stats``: how far the work is and whether the data is any good."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from partybuild_tui import config
from partybuild_tui.cli.app import (
    DbOption,
    SearchOption,
    SinceOption,
    UntilOption,
    command,
    console,
    open_store,
)
from partybuild_tui.core.choices import STATS_SECTIONS as SECTIONS
from partybuild_tui.core.choices import STATUSES


@command("stats")
def stats_command(
    db: DbOption = None,
    status: Annotated[
        list[str] | None,
        typer.Option(help=f"Only articles with this status (repeatable): {', '.join(STATUSES)}."),
    ] = None,
    annotator: Annotated[
        str | None,
        typer.Option("--annotator", "-a", help="Only this annotator's spans, actions, decisions."),
    ] = None,
    since: SinceOption = None,
    until: UntilOption = None,
    search: SearchOption = None,
    section: Annotated[
        list[str] | None,
        typer.Option(help=f"Show only this section (repeatable): {', '.join(SECTIONS)}."),
    ] = None,
    top: Annotated[
        int, typer.Option(help="Top forms per label, consistency forms checked.", min=1)
    ] = 10,
    sort: Annotated[
        str,
        typer.Option(
            help="Per-article column to sort by: id, title, status, chars (of the body, as in "
            "`partybuild list`), spans, density (spans per 1,000 chars) or a label name."
        ),
    ] = "density",
    desc: Annotated[bool, typer.Option("--desc", help="Sort the articles descending.")] = False,
    limit: Annotated[int, typer.Option(help="Rows of the per-article table (0: all).", min=0)] = 20,
    days: Annotated[int, typer.Option(help="Days of recent activity shown.", min=1)] = 14,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the figures as JSON instead of tables.")
    ] = False,
) -> None:
    """Summarize progress, labels, per-article density, consistency and suggestions."""
    from partybuild_tui.core import stats as st
    from partybuild_tui.render.stats import render_stats

    wanted = [s.lower() for s in section] if section else list(SECTIONS)
    filters = st.StatsFilter(
        status=tuple(status or ()), annotator=annotator, since=since, until=until, search=search
    )
    db_path = config.database_path(db)
    labels = config.load_labels(db_path)
    with open_store(db, create=False) as store:
        stats = st.compute(
            store,
            filters,
            labels=labels.names,
            sections=wanted,
            top=top,
            sort=sort,
            descending=desc,
            limit=limit or None,
            days=days,
        )
    if as_json:
        typer.echo(json.dumps(st.to_json(stats), ensure_ascii=False, indent=2))
        return
    console().print(render_stats(stats, labels))
