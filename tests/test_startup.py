"""Start-up cost: the command line loads heavy libraries only in the commands that use them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import underthesea

from partybuild_tui.core import choices, store, tokenize
from partybuild_tui.core.suggest.ner import NER_VERSION, NerSource
from partybuild_tui.core.suggest.patterns import load_patterns

# each costs 0.1-1.5 s to import; none is needed to parse a command line or print help
HEAVY = ("underthesea", "textual", "sqlite_utils", "rich", "numpy")


def imported_after(statement: str) -> set[str]:
    """Top-level packages in sys.modules after ``statement`` in a fresh interpreter."""
    code = f"{statement}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        stdin=subprocess.DEVNULL,
        timeout=120,  # an app started without a terminal would never end
    )
    return {name.split(".")[0] for name in json.loads(done.stdout.splitlines()[-1])}


def test_importing_the_cli_loads_no_heavy_library() -> None:
    loaded = imported_after("import partybuild_tui.cli")
    assert loaded.isdisjoint(HEAVY), sorted(loaded & set(HEAVY))


def loaded_by_command(*args: str) -> set[str]:
    """Top-level packages loaded by ``partybuild ARGS`` (its entry point, in a fresh
    interpreter, its output and exit code aside)."""
    run = (
        f"import sys\nsys.argv = ['partybuild', *{list(args)!r}]\n"
        "from partybuild_tui.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass"
    )
    return imported_after(run)


def test_help_loads_no_heavy_library_nor_pydantic() -> None:
    loaded = loaded_by_command("--help")
    assert loaded.isdisjoint({*HEAVY, "pydantic"}), sorted(loaded & {*HEAVY, "pydantic"})


def test_list_loads_neither_textual_nor_pydantic(seeded: store.Store) -> None:
    """typer would convert every option's value through pydantic (~0.1 s): cli.params does."""
    loaded = loaded_by_command("list", "--db", str(seeded.path), "--limit", "3")
    assert "partybuild_tui" in loaded and "rich" in loaded  # it did list
    unwanted = {"textual", "pydantic", "underthesea", "numpy", "sqlite_utils"}
    assert loaded.isdisjoint(unwanted), sorted(loaded & unwanted)


def test_options_before_the_app_are_read_without_pydantic(tmp_path: Path) -> None:
    """``partybuild --db X`` (no terminal here: it stops at the hint) parses like the app."""
    loaded = loaded_by_command("--db", str(tmp_path / "x.db"), "-a", "lan")
    assert loaded.isdisjoint({"pydantic", "textual"}), sorted(loaded & {"pydantic", "textual"})


def test_the_app_loads_the_stats_only_when_they_are_opened() -> None:
    code = "import partybuild_tui.tui.app\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = set(json.loads(done.stdout.splitlines()[-1]))
    lazy = {
        "partybuild_tui.core.stats",
        "partybuild_tui.tui.screens.stats",
        "partybuild_tui.tui.screens.search",
        "partybuild_tui.render.stats",
        "partybuild_tui.core.ingest",
        "underthesea",
        "pydantic",
    }
    assert "textual.app" in loaded and loaded.isdisjoint(lazy), sorted(loaded & lazy)


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
