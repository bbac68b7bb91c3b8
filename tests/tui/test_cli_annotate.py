"""``partybuild annotate`` and bare ``partybuild``: seeding an empty database, then the app."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from partybuild_tui.cli import annotate_command, app
from partybuild_tui.core.store import Store
from partybuild_tui.tui.app import PartybuildApp

runner = CliRunner()


@pytest.fixture
def launched(monkeypatch: pytest.MonkeyPatch) -> list[PartybuildApp]:
    """Record the apps the CLI would run instead of taking over the terminal (which it
    would find: CliRunner's streams are not terminals)."""
    started: list[PartybuildApp] = []
    monkeypatch.setattr(PartybuildApp, "run", lambda self, *a, **k: started.append(self))
    monkeypatch.setattr(annotate_command, "on_a_terminal", lambda: True)
    return started


@pytest.mark.parametrize("args", [[], ["annotate"]])
def test_empty_database_gets_the_seeds_then_the_app(
    args: list[str], tmp_path: Path, launched: list[PartybuildApp]
) -> None:
    db = tmp_path / "new.db"
    result = runner.invoke(app, [*args, "--db", str(db), "--annotator", "lan"])
    assert result.exit_code == 0, result.output
    assert "importing the seed articles" in result.output
    with Store(db) as store:
        assert store.count_articles() == 5
    assert [(a.store.path, a.annotator) for a in launched] == [(db, "lan")]


def test_second_start_does_not_import_again(db_path: Path, launched: list) -> None:
    assert runner.invoke(app, []).exit_code == 0
    result = runner.invoke(app, ["annotate"])
    assert result.exit_code == 0
    assert "importing" not in result.output
    assert launched[-1].annotator == "tester"
    with Store(db_path) as store:
        assert store.count_articles() == 5


def test_clashing_label_key_is_a_one_line_error(tmp_path: Path, monkeypatch, launched) -> None:
    labels = tmp_path / "labels.toml"
    labels.write_text('[[label]]\nname = "PLACE"\nkeys = ["p", "u"]\ncolor = "red"\n')
    monkeypatch.setenv("PARTYBUILD_LABELS", str(labels))
    result = runner.invoke(app, ["--db", str(tmp_path / "x.db")])
    assert result.exit_code == 2
    assert "label PLACE: key 'u' is taken by 'Undo'" in result.output
    assert launched == []


def test_a_bad_app_setting_is_one_error_line(monkeypatch) -> None:  # noqa: ANN001
    from typer.testing import CliRunner

    from partybuild_tui.cli import app

    monkeypatch.setenv("PARTYBUILD_DONE_OPENS_NEXT", "maybe")
    result = CliRunner().invoke(app, ["annotate"])
    assert result.exit_code != 0
    assert result.output.strip() == (
        "error: $PARTYBUILD_DONE_OPENS_NEXT is 'maybe': use 1 (open the next article) or 0 (stay)"
    )
