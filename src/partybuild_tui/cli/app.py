"""The typer application, shared options and the error handling every command gets.

Command modules import the core, rich renderables and other heavy libraries inside the
commands, so ``partybuild --help`` (and every command) loads only what it runs.
"""

from __future__ import annotations

import contextlib
import functools
import os
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from partybuild_tui import config
from partybuild_tui.cli.params import Command, Group
from partybuild_tui.core.display import printable, shown
from partybuild_tui.errors import UserError

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress
    from rich.text import Text

    from partybuild_tui.core.store import Store


class SubCommand(Command):
    """A command under ``partybuild``: the options given before its name apply to it."""

    def invoke(self, ctx: Any) -> Any:
        inherit_options(ctx)
        return super().invoke(ctx)


def inherit_options(ctx: Any) -> None:
    """``partybuild --db X list`` is ``partybuild list --db X`` (an option given after the
    command's name wins); an option before a command that has no such option is refused."""
    parent = ctx.parent
    if parent is None:
        return
    for param in parent.command.params:
        name = param.name or ""
        if not _given(parent, name) or param.is_eager:
            continue
        if name not in ctx.params:
            flags = "/".join(sorted(param.opts, key=len))
            fail(f"{flags} before `{ctx.info_name}` does not apply: it has no {flags}")
        if not _given(ctx, name):
            ctx.params[name] = parent.params[name]


def _given(ctx: Any, name: str) -> bool:
    """Whether the user gave the option (on the command line), not its default."""
    source = ctx.get_parameter_source(name)
    return source is not None and source.name not in ("DEFAULT", "DEFAULT_MAP")


app = typer.Typer(
    name="partybuild",
    cls=Group,
    help="Annotate named entities (ORGANIZATION, FIGURE, RESOLUTION) in Vietnamese "
    "party-building news, in the terminal.\n\nThe options before a command apply to it, as "
    "if given after its name.",
    no_args_is_help=False,
    rich_markup_mode=None,  # plain click help: typer's rich help imports ~0.25 s of modules
    pretty_exceptions_show_locals=False,
    add_completion=True,
)


def console() -> Console:
    """Standard output, made on the first print: importing rich costs more than --help.

    One console per output stream and terminal width (rich reads ``COLUMNS`` once), so a
    caller that swaps the stream or the width (a test runner, a wrapper) gets its own."""
    return _console(False, os.environ.get("COLUMNS"), id(sys.stdout))


def err_console() -> Console:
    return _console(True, os.environ.get("COLUMNS"), id(sys.stderr))


@functools.lru_cache(maxsize=8)
def _console(stderr: bool, _columns: str | None, _stream: int) -> Console:
    from rich.console import Console

    return Console(stderr=stderr)


def _db_value(value: str) -> Path:
    """``--db``'s value; an empty one is refused here (as a path it would read as '.')."""
    if not value.strip():
        fail("--db is empty: give a database file, like --db annotations/partybuild.db")
    return Path(value)


# The article filters several commands share (stats, agreement, export, suggest).
SinceOption = Annotated[
    str | None, typer.Option(help="Only articles dated on or after YYYY-MM-DD.")
]
UntilOption = Annotated[
    str | None, typer.Option(help="Only articles dated on or before YYYY-MM-DD.")
]
SearchOption = Annotated[
    str | None, typer.Option("--search", "-q", help="Only articles matching this search.")
]
DbOption = Annotated[
    Path | None,
    typer.Option(
        "--db",
        help=f"SQLite database [default: ${config.DB_ENV} or {config.DEFAULT_DB}]",
        show_default=False,
        parser=_db_value,  # a folder or a device is refused by open_store, in one line
        metavar="PATH",
    ),
]
AnnotatorOption = Annotated[
    str | None,
    typer.Option(
        "--annotator",
        "-a",
        help=f"Annotator name [default: ${config.ANNOTATOR_ENV} or your login]",
        show_default=False,
    ),
]

F = TypeVar("F", bound=Callable[..., Any])


def command(*args: Any, **kwargs: Any) -> Callable[[F], F]:
    """Register a command whose user errors print one clear line and exit non-zero."""

    def decorate(fn: F) -> F:
        @functools.wraps(fn)
        def wrapper(*a: Any, **kw: Any) -> Any:
            try:
                return fn(*a, **kw)
            except BrokenPipeError:
                reader_gone()
            except UserError as exc:
                if isinstance(exc.__cause__, BrokenPipeError):
                    reader_gone()
                fail(str(exc))
            except sqlite3.Error as exc:
                fail(sqlite_message(exc, kw.get("db")))
            except KeyboardInterrupt:
                err_console().print("interrupted: everything confirmed so far is saved")
                raise typer.Exit(130) from None

        # the whole first paragraph in `partybuild --help`, wrapped, not cut at a width
        kwargs.setdefault("short_help", (fn.__doc__ or "").split("\n\n")[0])
        app.command(*args, cls=SubCommand, **kwargs)(wrapper)
        return fn

    return decorate


READER_GONE = 128 + 13  # what a shell reports of a filter stopped by SIGPIPE


def reader_gone() -> None:
    """Standard output was closed early (``| head``): stop quietly, as Unix filters do."""
    silence_stdout()
    raise typer.Exit(READER_GONE)


def silence_stdout() -> None:
    """Point standard output at /dev/null, so Python's last flush does not complain."""
    with contextlib.suppress(OSError, ValueError, AttributeError):  # CliRunner: no fd
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


def fail(message: str, code: int = 2) -> None:
    """One ``error:`` line (the message may quote file names: shown literally) and exit."""
    from rich.text import Text

    line = Text.assemble(("error:", "bold red"), " ", shown(message))
    err_console().print(line, highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def sqlite_message(exc: sqlite3.Error, db: Path | None) -> str:
    """What an SQLite error means for the user's database, in one line."""
    from partybuild_tui.core.store import describe_sqlite_error

    return describe_sqlite_error(exc, config.database_path(db))


def report_line(tag: str, style: str, detail: str) -> Text:
    """An indented report line: ``tag`` styled, ``detail`` (stored or file text) literal."""
    from rich.text import Text

    return Text.assemble("  ", (tag, style), " ", printable(detail))


def open_store(db: Path | None, *, create: bool = True) -> Store:
    """The store at ``--db`` (or the default), checked first; folders it creates are named."""
    from partybuild_tui.core.store import MissingDatabase, Store

    path = config.database_path(db)
    config.check_database_path(path)
    missing = create and not path.parent.exists()
    try:
        store = Store(path, create=create)
    except MissingDatabase as exc:
        raise UserError(f"{exc} (create it with: partybuild import PATH)") from exc
    if missing:
        err_console().print(
            shown(f"note: created folder {path.parent} for the database"), soft_wrap=True
        )
    return store


def progress_bar(description: str) -> Progress:
    """A transient progress bar on stderr, only on a terminal; ``description`` is a template."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    return Progress(
        TextColumn(f"[bold]{description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err_console(),
        transient=True,
        disable=not err_console().is_terminal,
    )
