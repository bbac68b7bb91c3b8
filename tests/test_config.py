"""The label file is user input: every mistake in it is one line naming the file."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from partybuild_tui.cli import app
from partybuild_tui.config import load_labels
from partybuild_tui.core.suggest.patterns import load_patterns
from partybuild_tui.errors import UserError

GOOD = '[[label]]\nname = "location"\nkeys = ["4", "l"]\ncolor = "#98c379"\n'


def _labels(tmp_path: Path, text: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "labels.toml"
    path.write_text(text, encoding="utf-8")
    monkeypatch.setenv("PARTYBUILD_LABELS", str(path))
    return path


def test_a_good_label_file_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _labels(tmp_path, GOOD, monkeypatch)
    labels = load_labels()
    assert labels.names == ["LOCATION"]
    assert labels.by_key("l") is labels.get("LOCATION")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[[label]]\nkeys = ["4"]\n', "give a name without spaces"),
        ('[[label]]\nname = ""\n', "give a name without spaces"),
        ('[[label]]\nname = "PARTY BODY"\n', "give a name without spaces"),
        ('[[label]]\nname = "A"\n[[label]]\nname = "a"\n', "defines A twice"),
        ('[[label]]\nname = "A"\ncolor = "blurple"\n', "'blurple' is not a valid color"),
        ('[[label]]\nname = "A"\nkeys = [4]\n', "keys must be a list of keys"),
        ("label = 3\n", "defines no [[label]] tables"),
        ("label = [1]\n", "not a [[label]] table"),
    ],
)
def test_a_bad_label_file_is_one_line_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, message: str
) -> None:
    path = _labels(tmp_path, text, monkeypatch)
    with pytest.raises(UserError, match=str(path)) as raised:
        load_labels()
    assert message in str(raised.value)


def test_stats_with_a_bad_colour_is_an_error_not_a_traceback(
    seeded: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _labels(tmp_path, '[[label]]\nname = "FIGURE"\ncolor = "blurple"\n', monkeypatch)
    result = CliRunner().invoke(app, ["stats", "--section", "labels"])
    assert result.exit_code == 2
    assert "blurple" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


@pytest.mark.parametrize(
    ("variable", "loader"),
    [("PARTYBUILD_LABELS", load_labels), ("PARTYBUILD_PATTERNS", load_patterns)],
)
def test_a_folder_given_as_the_file_is_called_a_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, variable: str, loader: object
) -> None:
    monkeypatch.setenv(variable, str(tmp_path))
    with pytest.raises(UserError, match=f"{tmp_path} .*is a folder, not a .toml file"):
        loader()  # type: ignore[operator]
