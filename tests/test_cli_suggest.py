"""``partybuild suggest`` and ``partybuild evaluate`` as a user runs them."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from partybuild_tui.cli import app
from partybuild_tui.core import suggest
from partybuild_tui.core.store import Store
from partybuild_tui.core.suggest.patterns import PATTERNS_ENV

GOLD = Path(__file__).parent / "data" / "seeds_gold.jsonl"
runner = CliRunner()


@pytest.fixture(autouse=True)
def no_user_patterns(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(PATTERNS_ENV, raising=False)


def counts(db_path: Path) -> tuple[int, int]:
    with Store(db_path) as store:
        runs = store.conn.execute("SELECT count(*) FROM suggestion_runs").fetchone()[0]
        rows = store.conn.execute("SELECT count(*) FROM suggestions").fetchone()[0]
    return runs, rows


def test_suggest_computes_once_then_does_nothing_new(seeded: Store, db_path: Path) -> None:
    seeded.close()
    result = runner.invoke(app, ["suggest", "--processes", "2"])
    assert result.exit_code == 0, result.output
    assert "5 articles, 5 brought up to date" in result.output
    runs, rows = counts(db_path)
    assert "model: none trained yet" in result.output  # nothing to run before training
    assert runs == 5 * (len(suggest.SOURCE_NAMES) - 1) and rows > 50
    with Store(db_path) as store:  # workers' tokenizations were cached by the parent
        assert store.untokenized_ids(suggest.engine.tokenize.tokenizer_id()) == []

    again = runner.invoke(app, ["suggest"])
    assert again.exit_code == 0, again.output
    assert "0 brought up to date" in again.output and "+0 suggestions" in again.output
    assert counts(db_path) == (runs, rows)

    forced = runner.invoke(app, ["suggest", "--force", "-s", "rules", "-q", "Lục Yên"])
    assert "1 articles, 1 brought up to date (rules): +0 suggestions" in forced.output


def test_suggest_filters_articles_and_sources(seeded: Store, db_path: Path) -> None:
    seeded.close()
    result = runner.invoke(app, ["suggest", "--search", "Lục Yên", "--source", "rules"])
    assert result.exit_code == 0, result.output
    assert "1 articles, 1 brought up to date (rules)" in result.output
    with Store(db_path) as store:
        sources = {r[0] for r in store.conn.execute("SELECT DISTINCT source FROM suggestions")}
        texts = {r[0] for r in store.conn.execute("SELECT text FROM suggestions")}
    assert sources == {"rules"} and "Ban Thường vụ Huyện ủy Lục Yên" in texts


def test_memory_reruns_after_new_tags(seeded: Store, db_path: Path) -> None:
    runner.invoke(app, ["suggest", "--source", "memory"])
    article = seeded.article(seeded.article_ids()[0])
    start = article.text.index("Tả Phìn")
    seeded.tag(article.id, start, start + len("Tả Phìn"), "ORGANIZATION", "tester")
    seeded.close()
    result = runner.invoke(app, ["suggest", "--source", "memory"])
    assert "5 brought up to date (memory)" in result.output
    with Store(db_path) as store:
        found = store.conn.execute(
            "SELECT count(*) FROM suggestions WHERE source = 'memory' AND text = 'Tả Phìn'"
        ).fetchone()[0]
    assert found >= 2  # the caption twice, the Bí thư's body


def test_evaluate_prints_per_source_and_label(seeded: Store) -> None:
    seeded.close()
    result = runner.invoke(
        app, ["evaluate", str(GOLD), "--source", "rules"], env={"COLUMNS": "100"}
    )
    assert result.exit_code == 0, result.output
    lines = [line.split() for line in result.output.splitlines()]
    rows = {(cells[0], cells[1]): cells[2:] for cells in lines if cells[:1] in (["rules"], ["all"])}
    assert set(rows) >= {("rules", "RESOLUTION"), ("rules", "FIGURE"), ("all", "(all)")}
    gold, pred, precision = rows[("rules", "RESOLUTION")][:3]
    assert gold == "19" and int(pred) > 0 and float(precision) > 80


def test_evaluate_against_accepted_spans(seeded: Store) -> None:
    article_id = seeded.article_ids()[0]
    suggest.compute(seeded, article_id, ["rules"])
    suggest.accept_all(seeded, article_id, "tester")
    seeded.close()
    result = runner.invoke(app, ["evaluate", "--against-accepted"], env={"COLUMNS": "100"})
    assert result.exit_code == 0, result.output
    assert "accepted spans: 1 articles" in result.output
    [total] = [
        line.split()
        for line in result.output.splitlines()
        if line.split()[:2] == ["rules", "(all)"]
    ]
    assert total[4:7] == ["100.0", "100.0", "100.0"]


def test_evaluate_errors_are_one_line(seeded: Store, tmp_path: Path) -> None:
    seeded.close()
    missing = runner.invoke(app, ["evaluate", str(tmp_path / "nope.jsonl")])
    assert missing.exit_code == 2 and "error:" in missing.output and "nope.jsonl" in missing.output
    assert "Traceback" not in missing.output
    neither = runner.invoke(app, ["evaluate"])
    assert neither.exit_code == 2
    bad_source = runner.invoke(app, ["suggest", "--source", "spacy"])
    assert bad_source.exit_code == 2 and "unknown suggestion source 'spacy'" in bad_source.output


def test_evaluate_against_nothing_accepted_says_so_and_exits_1(seeded: Store) -> None:
    """No table of zeros: one line, and exit 1 so a script can tell 'nothing to score'."""
    suggest.compute(seeded, seeded.article_ids()[0], ["rules"])
    seeded.close()
    result = runner.invoke(app, ["evaluate", "--against-accepted"], env={"COLUMNS": "100"})
    assert result.exit_code == 1, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("no accepted spans to score against")
    assert "Traceback" not in result.output and "rules" not in result.output


def test_evaluate_against_done_articles_without_spans_says_so(seeded: Store) -> None:
    article_id = seeded.article_ids()[0]
    suggest.compute(seeded, article_id, ["rules"])
    seeded.set_status(article_id, "done", "tester")
    seeded.close()
    result = runner.invoke(app, ["evaluate", "--against-accepted"], env={"COLUMNS": "100"})
    assert result.exit_code == 1 and "no accepted spans" in result.output
