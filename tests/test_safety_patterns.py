"""A user's patterns.toml is hostile input: wrong types give one line naming the file, the rule
and the field, and a pattern that backtracks catastrophically runs out of its time budget,
is named and skipped, instead of hanging ``suggest`` (and the app) for minutes.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from partybuild_tui.cli import app
from partybuild_tui.core import ingest
from partybuild_tui.core.store import Store
from tests import safety_driver
from tests.conftest import SEEDS

GOOD_RULE = '[[rule]]\nname = "union"\nlabel = "ORGANIZATION"\npattern = "Công đoàn {proper}"\n'


def _suggest(db: Path, *more: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["suggest", "--db", str(db), "-s", "rules", *more])
    assert "Traceback" not in result.output
    return result.exit_code, result.output


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "p.db"
    with Store(path) as store:
        ingest.import_paths(store, [SEEDS / "000_e5b5bf95444e5f29.txt"])
    return path


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (GOOD_RULE.replace('"union"\n', '"union"\nscore = "high"\n'), ["rule 1", "union", "score"]),
        ("lists = 5\n", ["[lists]"]),
        ('define = "x"\n', ["[define]"]),
        ("[define]\nx = 5\n", ["definition 'x'"]),
        ("[lists]\nfoo = {items = 5}\n", ["list 'foo'", "items"]),
        ("[lists]\nfoo = [1, 2]\n", ["list 'foo'", "item 1"]),
        ('[lists]\nfoo = {items = ["a"], ignore_case = "yes"}\n', ["list 'foo'", "ignore_case"]),
        (GOOD_RULE.replace('"union"', '["a"]'), ["rule 1", "name"]),
        (GOOD_RULE.replace('"ORGANIZATION"', "7"), ["rule 1", "union", "label"]),
        (GOOD_RULE.replace('"Công đoàn {proper}"', "[1]"), ["rule 1", "union", "pattern"]),
        (GOOD_RULE.replace('"union"\n', '"union"\nscore = 7\n'), ["rule 1", "union", "score"]),
        (GOOD_RULE.replace('"union"\n', '"union"\nenabled = "no"\n'), ["rule 1", "enabled"]),
        (GOOD_RULE.replace('"union"\n', '"union"\nscor = 0.5\n'), ["rule 1", "scor"]),
        ("rule = 5\n", ["[[rule]]"]),
        ("[rules]\nx = 1\n", ["[rules]"]),
        (GOOD_RULE.replace('"ORGANIZATION"', '"LOCATION"'), ["rule 1", "union", "LOCATION"]),
    ],
)
def test_wrong_fields_are_one_line_naming_file_rule_and_field(
    db: Path, body: str, words: list[str]
) -> None:
    patterns = db.parent / "patterns.toml"
    patterns.write_text(body, encoding="utf-8")
    code, output = _suggest(db)
    assert code == 2, output
    lines = [line for line in output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:"), output
    joined = "".join(output.split())
    for word in [str(patterns), *words]:
        assert "".join(word.split()) in joined, output
    with Store(db) as store:
        assert store.conn.execute("SELECT count(*) FROM suggestions").fetchone()[0] == 0


def test_a_label_of_the_project_is_accepted(db: Path) -> None:
    (db.parent / "labels.toml").write_text(
        '[[label]]\nname = "UNION"\nkeys = ["u"]\n', encoding="utf-8"
    )
    (db.parent / "patterns.toml").write_text(
        GOOD_RULE.replace('"ORGANIZATION"', '"union"'), encoding="utf-8"
    )
    code, output = _suggest(db)
    assert code == 0, output
    with Store(db) as store:
        labels = {row[0] for row in store.conn.execute("SELECT DISTINCT label FROM suggestions")}
    assert labels <= {"UNION"}, "shipped rules of labels the project does not have stay off"


# ---- catastrophic backtracking ------------------------------------------------------------

SLOW_RULES = (
    '[[rule]]\nname = "shouting"\nlabel = "ORGANIZATION"\n'
    'pattern = "(?:{letter}|{letter}{letter})+!"\n\n'
    '[[rule]]\nname = "issue"\nlabel = "FIGURE"\npattern = "(?:{letter}+\\\\s?)+!"\n'
)


def _slow_corpus(folder: Path, articles: int) -> Path:
    folder.mkdir()
    seed = (SEEDS / "000_e5b5bf95444e5f29.txt").read_text(encoding="utf-8")
    for i in range(articles):
        trap = "đảng" * (30 + i) + "1!"  # a run of letters, then no match
        (folder / f"{i}.txt").write_text(f"{seed}\n\n{trap}\n", encoding="utf-8")
    return folder


@pytest.mark.parametrize("processes", [1, 2])
def test_a_backtracking_rule_runs_out_of_time_and_is_skipped(
    tmp_path: Path, processes: int
) -> None:
    corpus = _slow_corpus(tmp_path / "corpus", 6)
    db = tmp_path / "slow.db"
    (tmp_path / "patterns.toml").write_text(SLOW_RULES, encoding="utf-8")
    command = [sys.executable, "-m", "partybuild_tui"]
    env = safety_driver.child_env()
    subprocess.run([*command, "import", str(corpus), "--db", str(db)], env=env, check=True)
    started = time.monotonic()
    done = subprocess.run(
        [*command, "suggest", "-s", "rules", "--processes", str(processes), "--db", str(db)],
        env=env,
        capture_output=True,
        text=True,
        timeout=90,
    )
    took = time.monotonic() - started
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    text = " ".join(done.stdout.split())
    assert "rule 'shouting'" in text and "ran out of time" in text, done.stdout
    assert took < 30, f"suggest took {took:.1f} s"
    with Store(db) as store:
        found = store.conn.execute(
            "SELECT count(*) FROM suggestions WHERE source = 'rules' AND label = 'RESOLUTION'"
        ).fetchone()[0]
    assert found >= 6, "the other rules still ran on every article"


def test_articles_a_rule_was_skipped_on_are_computed_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Skipping a rule changes the version stored with the run, so the next run is not
    fooled into thinking those articles are up to date."""
    from partybuild_tui.core.suggest import batch, patterns

    monkeypatch.setattr(patterns, "TIME_BUDGET", 0.2)
    corpus = _slow_corpus(tmp_path / "corpus", 2)
    db = tmp_path / "slow.db"
    (tmp_path / "patterns.toml").write_text(SLOW_RULES, encoding="utf-8")
    with Store(db) as store:
        ids = ingest.import_paths(store, [corpus]).imported
        first = batch.compute_many(store, ids, ["rules"])
        assert set(first.timed_out) == {"shouting"}
        again = batch.compute_many(store, ids, ["rules"])
        assert again.updated == len(ids), "the skipped articles were not brought up to date"
