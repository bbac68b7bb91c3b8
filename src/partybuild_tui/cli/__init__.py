"""The ``partybuild`` command line: a thin layer over the core, one module per command group."""

from partybuild_tui.cli import (
    corpus_commands,  # noqa: F401  (registers commands)
    export_commands,  # noqa: F401  (registers commands)
)
from partybuild_tui.cli.app import app


def main() -> None:
    app()


__all__ = ["app", "main"]
