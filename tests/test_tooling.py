"""The checks CI enforces beyond the tests: the core's import boundary and the types."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_core_imports_no_ui() -> None:
    """The contract in pyproject.toml: core imports neither textual, typer, tui nor cli."""
    pytest.importorskip("importlinter", reason="import-linter is not installed ('.[test]')")
    from importlinter.cli import lint_imports

    code = lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True, no_logo=True)
    assert code == 0, "the core imports UI code: run lint-imports for the chain"


def test_mypy_is_clean_on_src() -> None:
    pytest.importorskip("mypy", reason="mypy is not installed ('.[test]')")
    done = subprocess.run(
        [sys.executable, "-m", "mypy"],  # files and options: [tool.mypy] in pyproject.toml
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr
