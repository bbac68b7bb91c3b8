"""The ``partybuild`` command line: a thin layer over the core, one module per command group.

Importing a command module registers its commands on ``app``.
"""

import sys

from partybuild_tui.cli import (  # noqa: F401
    agreement_command,
    annotate_command,
    assign_command,
    corpus_commands,
    export_commands,
    merge_command,
    model_commands,
    stats_commands,
    suggest_commands,
)
from partybuild_tui.cli.app import READER_GONE, app, silence_stdout


def main() -> None:
    """The ``partybuild`` script: the app, then what is left in stdout's buffer written, a
    reader that went away (``| head``) ending it quietly."""
    try:
        app()
    finally:
        try:
            sys.stdout.flush()
        except BrokenPipeError:
            silence_stdout()
            raise SystemExit(READER_GONE) from None


__all__ = ["app", "main"]
