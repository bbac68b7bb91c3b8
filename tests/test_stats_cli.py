"""``partybuild stats`` as a user runs it: tables, --json, filters, sections, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from partybuild_tui.cli import app
from partybuild_tui.core.store import Store
from tests.stats_fixture import build

runner = CliRunner()


@pytest.fixture
def db(db_path: Path) -> Path:
    with Store(db_path) as store:
        build(store)
    return db_path


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["stats", *args], env={"COLUMNS": "100"})
    return result.exit_code, result.output


def test_summary_shows_every_section(db: Path) -> None:
    code, out = run("--db", str(db))
    assert code == 0, out
    for title in ("Progress", "Labels", "Per article", "Consistency", "Suggestions"):
        assert title in out
    assert "40.0% done" in out
    assert "Tỉnh uỷ Hà Giang" in out
    assert "#1@35 FIG" in out  # a conflict's location


def test_json(db: Path) -> None:
    code, out = run("--db", str(db), "--json")
    assert code == 0, out
    data = json.loads(out)
    assert data["progress"]["statuses"] == {"new": 1, "in_progress": 1, "done": 2, "skipped": 1}
    assert data["progress"]["spans_per_label"]["ORGANIZATION"] == 4
    assert data["label_names"] == ["ORGANIZATION", "FIGURE", "RESOLUTION"]
    org = data["labels"][0]
    assert (org["label"], org["spans"], org["distinct_forms"]) == ("ORGANIZATION", 4, 3)
    assert org["top_forms"][0] == {"form": "Tỉnh uỷ Hà Giang", "count": 2}
    assert [r["id"] for r in data["articles"]["rows"]] == [3, 2, 1]
    conflict = data["consistency"]["conflicts"][0]
    assert conflict["labels"] == {"FIGURE": 1, "ORGANIZATION": 1}
    assert conflict["locations"][0] == {"article_id": 1, "start": 35, "end": 49, "label": "FIGURE"}
    untagged = {u["form"]: u for u in data["consistency"]["untagged"]}
    assert untagged["Tỉnh uỷ Hà Giang"]["untagged"] == 2
    rows = {(r["source"], r["label"]): r for r in data["suggestions"]}
    assert rows[("gazetteer", "ORGANIZATION")] == {
        "source": "gazetteer",
        "label": "ORGANIZATION",
        "accepted": 2,
        "rejected": 1,
        "pending": 1,
        "rate": pytest.approx(2 / 3),
        "exact": {
            "matched": 2,
            "predicted": 3,
            "gold": 3,
            "precision": pytest.approx(2 / 3),
            "recall": pytest.approx(2 / 3),
            "f1": pytest.approx(2 / 3),
        },
        "overlap": {
            "matched": 3,
            "predicted": 3,
            "gold": 3,
            "precision": 1.0,
            "recall": 1.0,
            "f1": 1.0,
        },
    }
    ner = rows[("ner", "*")]  # gold 3 in article 1 (the one ner ran on), 1 overlapping
    assert (ner["overlap"]["recall"], ner["overlap"]["f1"]) == (pytest.approx(1 / 3), 0.5)
    assert ner["exact"]["precision"] == 0.0 and ner["rate"] is None
    assert data["suggestions_scored"] == {"articles": 2, "eligible": 2, "basis": "done"}
    assert data["filter"] == {
        "status": [],
        "annotator": None,
        "since": None,
        "until": None,
        "search": None,
    }


def test_json_filters_and_sections(db: Path) -> None:
    code, out = run(
        "--db", str(db), "--json", "--status", "done", "--status", "in_progress",
        "-a", "an", "--since", "2024-03-01", "--until", "2024-04-30", "-q", "Nghị quyết",
        "--section", "progress", "--section", "articles",
    )  # fmt: skip
    assert code == 0, out
    data = json.loads(out)
    assert set(data) == {"filter", "label_names", "progress", "articles"}
    assert data["filter"]["status"] == ["done", "in_progress"]
    progress = data["progress"]
    # an's own statuses: article 2 is done in binh's layer, not an's
    assert progress["statuses"] == {"new": 0, "in_progress": 1, "done": 1, "skipped": 0}
    assert progress["spans_per_label"] == {"FIGURE": 1, "ORGANIZATION": 2, "RESOLUTION": 1}
    assert [a["annotator"] for a in progress["annotators"]] == ["an"]


def test_sort_and_limit(db: Path) -> None:
    code, out = run("--db", str(db), "--json", "--section", "articles", "--sort", "spans",
                    "--desc", "--limit", "1")  # fmt: skip
    assert code == 0, out
    table = json.loads(out)["articles"]
    assert (table["sort"], table["descending"], table["total"]) == ("spans", True, 3)
    assert [r["id"] for r in table["rows"]] == [1]


def test_top(db: Path) -> None:
    code, out = run("--db", str(db), "--json", "--section", "labels", "--top", "1")
    assert code == 0, out
    assert len(json.loads(out)["labels"][0]["top_forms"]) == 1


def test_one_section_in_tables(db: Path) -> None:
    code, out = run("--db", str(db), "--section", "suggestions")
    assert code == 0, out
    assert "Acceptance by source" in out and "66.7%" in out
    assert "Against accepted spans: 2 articles done" in out
    assert "44.4" in out  # gazetteer's exact F1 over all labels
    assert "Progress" not in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--status", "finished"], "unknown status 'finished'"),
        (["--since", "yesterday"], "--since 'yesterday' is not a date"),
        (["--section", "graphs"], "unknown section 'graphs'"),
        (["--sort", "size"], "cannot sort by 'size'"),
    ],
)
def test_bad_input_is_one_line(db: Path, args: list[str], message: str) -> None:
    code, out = run("--db", str(db), *args)
    assert code == 2
    assert message in out
    assert "Traceback" not in out


def test_missing_database(tmp_path: Path) -> None:
    missing = tmp_path / "nope.db"
    code, out = run("--db", str(missing))
    assert code == 2
    assert "does not exist" in out
    assert not missing.exists()


def test_per_article_section_of_an_untouched_corpus_says_why_it_is_empty(seeded: Store) -> None:
    result = runner.invoke(app, ["stats", "--section", "articles"], env={"COLUMNS": "100"})
    assert result.exit_code == 0
    assert "0 of 0 articles" not in result.output
    assert "none is in progress or done" in result.output
    listed = runner.invoke(app, ["stats", "--section", "articles", "--status", "new"])
    assert "5 of 5 articles" in listed.output
