"""Start-up cost: the command line loads heavy libraries only in the commands that use them."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import underthesea

from partybuild_tui.core import choices, store, tokenize
from partybuild_tui.core.suggest.ner import NER_VERSION, NerSource
from partybuild_tui.core.suggest.patterns import load_patterns

# each costs 0.1-1.5 s to import; none is needed to parse a command line or print help
HEAVY = ("underthesea", "textual", "sqlite_utils", "rich", "numpy")


def imported_after(statement: str) -> set[str]:
    """Top-level packages in sys.modules after ``statement`` in a fresh interpreter."""
    code = f"{statement}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return {name.split(".")[0] for name in json.loads(done.stdout.splitlines()[-1])}


def test_importing_the_cli_loads_no_heavy_library() -> None:
    loaded = imported_after("import partybuild_tui.cli")
    assert loaded.isdisjoint(HEAVY), sorted(loaded & set(HEAVY))


def test_core_modules_load_underthesea_only_when_segmenting() -> None:
    """Every module of the core, however they are regrouped: none imports underthesea."""
    walk = (
        "import importlib, pkgutil, partybuild_tui.core as core\n"
        "for m in pkgutil.walk_packages(core.__path__, 'partybuild_tui.core.'):\n"
        "    importlib.import_module(m.name)"
    )
    loaded = imported_after(walk)
    assert "partybuild_tui" in loaded and "underthesea" not in loaded


def test_tokenizer_key_is_unchanged_by_reading_the_version_lazily() -> None:
    """Tokenizations cached before underthesea became lazy stay valid."""
    assert tokenize.tokenizer_id() == f"underthesea-{underthesea.__version__}/1"
    ner = NerSource(load_patterns())
    assert ner.version.startswith(f"{NER_VERSION}+ut{underthesea.__version__}+")


def test_choices_agree_with_the_modules_that_implement_them() -> None:
    from partybuild_tui.core import stats
    from partybuild_tui.core.export import readers, runner
    from partybuild_tui.core.suggest import engine

    assert store.STATUSES == choices.STATUSES
    assert tuple(runner.FORMATS) == choices.EXPORT_FORMATS
    assert readers.FORMATS == choices.IMPORT_FORMATS
    assert engine.SOURCE_NAMES == choices.SUGGESTION_SOURCES
    assert stats.SECTIONS == choices.STATS_SECTIONS


def test_help_shows_each_command_whole() -> None:
    """Plain help would cut a description at the terminal width: each shows whole."""
    done = subprocess.run(
        [sys.executable, "-m", "partybuild_tui", "--help"],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "80"},
    )
    assert done.returncode == 0, done.stderr
    flat = " ".join(done.stdout.split("Commands:")[1].split())
    assert "Re-importing the same files changes nothing." in flat
    assert "(the default when no command is given)" in flat
    assert "..." not in flat and "\\[" not in flat
