"""``partybuild agreement``: how alike the annotators who finished the same articles tagged."""

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
from partybuild_tui.errors import UserError


@command("agreement")
def agreement_command(
    db: DbOption = None,
    annotators: Annotated[
        str | None,
        typer.Option(help="Compare only these annotators, comma-separated [default: all]."),
    ] = None,
    label: Annotated[
        str | None, typer.Option(help="Only this label (every other span counts as untagged).")
    ] = None,
    since: SinceOption = None,
    until: UntilOption = None,
    search: SearchOption = None,
    top: Annotated[int, typer.Option(help="Disagreement forms shown.", min=1)] = 10,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the figures as JSON instead of tables.")
    ] = False,
) -> None:
    """Agreement between annotators on the articles two or more of them marked done.

    Span precision/recall/F1 per pair and label (exact and overlap), Cohen's kappa per pair
    and Krippendorff's alpha over tokens, and the most frequent disagreement forms.
    """
    from partybuild_tui.core import stats as st
    from partybuild_tui.render.agreement import render_agreement

    names = annotators.split(",") if annotators is not None else None
    filters = st.StatsFilter(since=since, until=until, search=search)
    labels = config.load_labels(config.database_path(db))
    with open_store(db, create=False) as store:
        known = [*labels.names, *(lb for lb in store.labels_in_use() if lb not in labels.names)]
        if label is not None and label not in known:
            raise UserError(f"--label {label!r} is no label here (labels: {', '.join(known)})")
        with store.snapshot() as conn:
            figures = st.measure_agreement(conn, filters, annotators=names, label=label, top=top)
    if as_json:
        typer.echo(json.dumps(figures.to_json(), ensure_ascii=False, indent=2))
        return
    console().print(render_agreement(figures, labels))
