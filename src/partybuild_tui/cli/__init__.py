"""The ``partybuild`` command line: a thin layer over the core, one module per command group.

Importing a command module registers its commands on ``app``.
"""

from partybuild_tui.cli import (  # noqa: F401
    agreement_command,
    annotate_command,
    corpus_commands,
    export_commands,
    merge_command,
    model_commands,
    stats_commands,
    suggest_commands,
)
from partybuild_tui.cli.app import app


def main() -> None:
    app()


__all__ = ["app", "main"]
