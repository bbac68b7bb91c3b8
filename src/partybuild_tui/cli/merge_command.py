"""``partybuild merge``: bring other annotators' databases into this one."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from partybuild_tui.cli.app import DbOption, command, console, err_console, open_store

if TYPE_CHECKING:
    from partybuild_tui.core.store import MergeReport

HELP = """Merge other partybuild databases (OTHER.db ...) into --db.

Articles are matched by content hash, spans and history actions by uid; statuses and resume
points per annotator take the newest. Merging twice changes nothing. A span edited in both
databases, or overlapping spans of one layer, keep the newest: the other is listed here and
recorded in the history as a "merge conflict" action. A span one side deleted after the other
last changed it stays deleted. The other files are only read: an older schema is upgraded in a
temporary copy. Each file is merged in one transaction.
"""


@command("merge", help=HELP)
def merge_command(
    others: Annotated[
        list[Path], typer.Argument(help="Partybuild databases to merge in.", metavar="OTHER.db")
    ],
    db: DbOption = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Report what would change; write nothing.")
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the reports (with every conflict) as JSON.")
    ] = False,
    show: Annotated[
        int, typer.Option("--conflicts", help="Conflicts listed per file (0: none).", min=0)
    ] = 20,
) -> None:
    """Merge other partybuild databases into this one (idempotent; conflicts reported)."""
    import json

    from partybuild_tui import config
    from partybuild_tui.errors import UserError

    target = config.database_path(db)
    for other in others:
        if not other.exists():  # before the target is opened (and, if missing, created)
            raise UserError(f"{other} does not exist")
        if other.exists() and target.exists() and other.resolve() == target.resolve():
            raise UserError(f"{other} is the target database itself; give another file")
    with open_store(db) as store:
        reports = store.merge_from(others, dry_run=dry_run)
    if as_json:
        typer.echo(json.dumps([r.as_dict() for r in reports], ensure_ascii=False, indent=2))
        return
    for report in reports:
        if report.upgraded_from is not None:
            err_console().print(
                f"note: {report.source} has schema version {report.upgraded_from}: merged "
                "from an upgraded temporary copy; the file itself is unchanged",
                soft_wrap=True,
                highlight=False,
                markup=False,
            )
    console().print(_summary(reports, dry_run))
    for report in reports:
        _print_conflicts(report, show)


def _summary(reports: list[MergeReport], dry_run: bool) -> object:
    from rich.table import Table

    table = Table(title="merge (dry run: nothing written)" if dry_run else "merge")
    table.add_column("")
    for report in reports:
        table.add_column(Path(report.source).name, justify="right")
    rows = [
        ("articles added", "articles_added"),
        ("articles matched", "articles_matched"),
        ("versions linked", "versions_linked"),
        ("spans theirs", "spans_theirs"),
        ("spans already here", "spans_same"),
        ("spans added", "spans_added"),
        ("spans updated (theirs newer)", "spans_updated"),
        ("spans removed (deleted there)", "spans_removed"),
        ("spans not resurrected", "spans_not_resurrected"),
        ("conflicts (new)", "conflicts"),
        ("conflicts (recorded before)", "conflicts_known"),
        ("statuses taken", "statuses"),
        ("actions added", "actions_added"),
        ("assignments added", "assignments"),
        ("resume points taken", "resume_points"),
        ("suggestion decisions", "suggestions"),
    ]
    for title, name in rows:
        values = [getattr(r, name) for r in reports]
        table.add_row(title, *(str(len(v) if isinstance(v, list) else v) for v in values))
    return table


def _print_conflicts(report: MergeReport, show: int) -> None:
    from partybuild_tui.cli.app import report_line

    if not report.conflicts or not show:
        return
    console().print(f"conflicts from {report.source}:", markup=False, highlight=False)
    for conflict in report.conflicts[:show]:
        kept, dropped = conflict.kept, conflict.dropped
        detail = (
            f"{conflict.article_key} [{conflict.annotator}] kept {kept['label']} "
            f"[{kept['start']}, {kept['end']}) {kept['text']!r}, dropped {dropped['label']} "
            f"[{dropped['start']}, {dropped['end']}) {dropped['text']!r}"
        )
        console().print(report_line(conflict.reason, "yellow", detail))
    if len(report.conflicts) > show:
        console().print(f"  ... and {len(report.conflicts) - show} more (--json lists all)")
