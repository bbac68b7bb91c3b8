"""``partybuild annotate`` (and bare ``partybuild``): open the annotator on a database."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import typer

from partybuild_tui import config
from partybuild_tui.cli.app import (
    AnnotatorOption,
    DbOption,
    app,
    command,
    console,
    fail,
    open_store,
    sqlite_message,
)
from partybuild_tui.core.display import shown
from partybuild_tui.errors import UserError


def seed_if_empty(db: Path | None) -> None:
    """An empty database gets the seed articles, so a first start shows something to tag."""
    from partybuild_tui.cli.corpus_commands import print_import_report
    from partybuild_tui.core import ingest

    with open_store(db) as store:
        if store.count_articles(include_superseded=True):
            return
        seeds = config.seeds_path()
        if not seeds.exists():
            console().print(
                shown(
                    f"The database {store.path} is empty and there is no seeds folder {seeds}: "
                    "import articles with `partybuild import FILES`."
                ),
                soft_wrap=True,
            )
            return
        console().print(
            shown(f"Empty database {store.path}: importing the seed articles from {seeds}"),
            soft_wrap=True,
        )
        report = ingest.import_paths(store, [seeds])
    print_import_report(report)


def run_annotator(db: Path | None, annotator: str | None) -> None:
    from partybuild_tui.tui.app import PartybuildApp  # Textual loads only to annotate

    seed_if_empty(db)
    PartybuildApp(config.database_path(db), config.annotator_name(annotator)).run()


@command("annotate")
def annotate_command(db: DbOption = None, annotator: AnnotatorOption = None) -> None:
    """Open the annotator (the default when no command is given)."""
    run_annotator(db, annotator)


@app.callback(invoke_without_command=True)
def default(ctx: typer.Context, db: DbOption = None, annotator: AnnotatorOption = None) -> None:
    """Annotate named entities in Vietnamese party-building news. No command: annotate."""
    if ctx.invoked_subcommand is not None:
        return
    try:
        run_annotator(db, annotator)
    except UserError as exc:
        fail(str(exc))
    except sqlite3.Error as exc:
        fail(sqlite_message(exc, db))
