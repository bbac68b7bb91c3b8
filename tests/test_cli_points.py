"""The command line's rough edges of #15, as a user meets them: help, options before a
command, a closed pipe, the length of an article, no terminal."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from partybuild_tui.cli import annotate_command, app
from partybuild_tui.core import ingest
from partybuild_tui.core.choices import EXPORT_FORMATS
from partybuild_tui.core.store import Store

ROOT = Path(__file__).resolve().parents[1]
COMMANDS = ("agreement", "annotate", "assign", "import", "list", "export", "import-annotations")
COMMANDS += ("merge", "train", "stats", "suggest", "evaluate")
runner = CliRunner()


def help_of(*command: str) -> str:
    result = runner.invoke(app, [*command, "--help"], env={"COLUMNS": "100"})
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize("command", [(), *((c,) for c in COMMANDS)])
def test_help_shows_click_metavars_not_typer_placeholders(command: tuple[str, ...]) -> None:
    out = help_of(*command)
    assert not re.search(r"<[a-z][\w\[\] ]*>", out), out  # <str>, <int range>, <bool>
    assert "{" not in out.split("\n")[0], out  # typer's {paths} in the usage line


def test_help_names_what_each_option_takes() -> None:
    listing = help_of("list")
    assert "--db PATH" in listing and "--limit INTEGER" in listing
    assert "-q, --search TEXT" in listing and "--order [corpus|uncertain]" in listing
    assert re.search(r"--all\s+Include", listing)  # a flag takes nothing
    assert "Usage: partybuild import [OPTIONS] PATHS..." in help_of("import")
    assert "Usage: partybuild evaluate [OPTIONS] [GOLD]" in help_of("evaluate")
    export = help_of("export")
    assert "Usage: partybuild export [OPTIONS] FORMAT" in export
    assert re.search(r"--docstart / --no-docstart\s+CoNLL", export)
    assert "--format FORMAT" in help_of("import-annotations")


def complete(words: str) -> list[str]:
    env = {"_PARTYBUILD_COMPLETE": "complete_bash", "COMP_WORDS": words}
    env["COMP_CWORD"] = str(len(words.split()) - (0 if words.endswith(" ") else 1))
    result = runner.invoke(app, [], env=env, prog_name="partybuild")
    return result.output.split()


def test_shell_completion_offers_the_export_formats() -> None:
    assert complete("partybuild export ") == list(EXPORT_FORMATS)
    assert complete("partybuild export label") == ["labelstudio", "labelstudio-min"]
    assert "jsonl" in complete("partybuild import-annotations x --format ")


def test_an_unknown_format_names_the_choices(seeded: Store) -> None:
    result = runner.invoke(app, ["export", "xml"])
    assert result.exit_code == 2
    assert "'xml' is not one of 'jsonl', 'conll'" in result.output


def test_options_before_a_command_apply_to_it(seeded: Store, tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    with Store(other) as store:
        ingest.import_paths(store, [ROOT / "seeds" / "001_df33ac9889921649.txt"])
    result = runner.invoke(app, ["--db", str(other), "list"])
    assert result.exit_code == 0 and "1 of 1 articles" in result.output
    after = runner.invoke(app, ["--db", str(other), "list", "--db", str(seeded.path)])
    assert "5 of 5 articles" in after.output  # the command's own option wins
    stats = runner.invoke(app, ["-a", "nobody", "stats", "--json", "--section", "progress"])
    assert json.loads(stats.output)["filter"]["annotator"] == "nobody"


def test_an_option_before_a_command_without_it_is_refused(seeded: Store) -> None:
    result = runner.invoke(app, ["-a", "lan", "merge", "other.db"])
    assert result.exit_code == 2
    assert result.output.count("\n") == 1
    assert result.output.startswith("error: -a/--annotator before `merge` does not apply")


def many_articles(folder: Path, count: int) -> Path:
    """``count`` distinct articles (copies of a seed, each numbered), over 64 KB exported."""
    seed = (ROOT / "seeds" / "001_df33ac9889921649.txt").read_text(encoding="utf-8")
    folder.mkdir()
    for i in range(count):
        (folder / f"{i:03}.txt").write_text(f"{seed}\nBài số {i}.\n", encoding="utf-8")
    return folder


def test_export_into_a_pipe_closed_early_ends_quietly(tmp_path: Path) -> None:
    db = tmp_path / "many.db"
    with Store(db) as store:
        ingest.import_paths(store, [many_articles(tmp_path / "articles", 40)])
    command = [sys.executable, "-m", "partybuild_tui", "export", "jsonl", "--status", "any"]
    proc = subprocess.Popen(
        [*command, "--out", "-", "--db", str(db)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PARTYBUILD_DB": str(db)},
    )
    assert proc.stdout is not None and proc.stderr is not None
    assert proc.stdout.read(100)  # what `head -c 100` reads, then it exits
    proc.stdout.close()
    error = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 141, error  # as a shell reports `yes | head`
    assert error == ""


def list_chars(output: str) -> dict[int, int]:
    """The chars column of ``partybuild list`` by article id."""
    rows = (line.split() for line in output.splitlines())
    cells = [r for r in rows if len(r) > 3 and r[0].isdigit() and r[-1][0].isdigit()]
    return {int(r[0]): int(r[-1].replace(",", "")) for r in cells}


def test_list_and_stats_count_the_same_chars(seeded: Store) -> None:
    listed = list_chars(runner.invoke(app, ["list"], env={"COLUMNS": "120"}).output)
    result = runner.invoke(app, ["stats", "--json", "--status", "new", "--section", "articles"])
    counted = {row["id"]: row["chars"] for row in json.loads(result.output)["articles"]["rows"]}
    bodies = {}
    for article_id in listed:
        article = seeded.article(article_id)
        bodies[article_id] = article.body_end - article.body_start
    assert listed == counted == bodies
    assert any(len(seeded.article(i).text) != n for i, n in bodies.items())  # not the text's
    assert "as `partybuild stats`" in help_of("list")


def test_bare_partybuild_without_a_terminal_says_what_to_run(
    seeded: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[Any] = []
    monkeypatch.setattr(annotate_command, "run_annotator", lambda *a: started.append(a))
    result = runner.invoke(app, [])  # CliRunner's stdin and stdout are not terminals
    assert result.exit_code == 2 and started == []
    assert result.output.count("\n") == 1 and "`partybuild --help`" in result.output
    monkeypatch.setattr(annotate_command, "on_a_terminal", lambda: True)
    assert runner.invoke(app, []).exit_code == 0 and len(started) == 1


def test_bare_partybuild_in_a_pipe_does_not_start_the_app(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "partybuild_tui", "--db", str(tmp_path / "x.db")],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=60,
    )
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith("error: no command given") and done.stderr.count("\n") == 1
    assert not (tmp_path / "x.db").exists()
