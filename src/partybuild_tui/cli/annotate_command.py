"""``partybuild annotate`` (and bare ``partybuild``): open the annotator on a database."""

from __future__ import annotations

import sqlite3
import sys
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
        from partybuild_tui.core import ingest  # only to seed: not on every start

        console().print(
            shown(f"Empty database {store.path}: importing the seed articles from {seeds}"),
            soft_wrap=True,
        )
        report = ingest.import_paths(store, [seeds])
    from partybuild_tui.cli.corpus_commands import print_import_report

    print_import_report(report)


def run_annotator(db: Path | None, annotator: str | None, *, review: bool = False) -> None:
    """Open the app on the annotator's layer (``review``: on their review layer)."""
    from partybuild_tui.core import layers
    from partybuild_tui.tui.app import PartybuildApp  # Textual loads only to annotate

    config.check_app_settings()
    name = config.annotator_name(annotator)
    layers.check_layer(name)
    layer = layers.review_layer(layers.person(name)) if review else name
    seed_if_empty(db)
    PartybuildApp(config.database_path(db), layer).run()


def on_a_terminal() -> bool:
    """Whether the app can take over a terminal: keys come from stdin, screens go to stdout."""
    return sys.stdin.isatty() and sys.stdout.isatty()


@command("annotate")
def annotate_command(db: DbOption = None, annotator: AnnotatorOption = None) -> None:
    """Open the annotator (the default when no command is given)."""
    run_annotator(db, annotator)


@command("review")
def review_command(db: DbOption = None, annotator: AnnotatorOption = None) -> None:
    """Review: decide the disagreements of articles two or more annotators marked done.

    Your decisions go to your review layer, review:NAME (NAME: --annotator, else
    $PARTYBUILD_ANNOTATOR or your login); export it with `partybuild export --layer review`.
    """
    run_annotator(db, annotator, review=True)


@app.callback(invoke_without_command=True)
def default(ctx: typer.Context, db: DbOption = None, annotator: AnnotatorOption = None) -> None:
    """Annotate named entities in Vietnamese party-building news. No command: annotate."""
    if ctx.invoked_subcommand is not None:
        return
    if not on_a_terminal():  # piped or in CI: a hint, not an app drawing into a pipe
        fail(
            "no command given and no terminal to open the annotator in: "
            "`partybuild --help` lists the commands (`partybuild list`, `partybuild export`)"
        )
    try:
        run_annotator(db, annotator)
    except UserError as exc:
        fail(str(exc))
    except sqlite3.Error as exc:
        fail(sqlite_message(exc, db))
