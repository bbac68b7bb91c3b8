"""Metrics, the gold file format, the seeds gold itself, and quality numbers for stats."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest

from partybuild_tui.core import corpus, suggest, tokenize
from partybuild_tui.core.stats.matching import match
from partybuild_tui.core.store import Store
from partybuild_tui.core.suggest import evaluate
from partybuild_tui.errors import UserError

GOLD = Path(__file__).parent / "data" / "seeds_gold.jsonl"
SEEDS = Path(__file__).resolve().parents[1] / "seeds"


def test_exact_and_overlap_matching() -> None:
    gold = [(1, 0, 10, "ORG"), (1, 20, 30, "ORG"), (2, 0, 5, "FIG")]
    pred = [(1, 0, 10, "ORG"), (1, 22, 35, "ORG"), (1, 25, 28, "ORG"), (2, 0, 5, "ORG")]
    exact = match(pred, gold, "exact")
    assert (exact.tp_pred, exact.predicted, exact.tp_gold, exact.gold) == (1, 4, 1, 3)
    overlap = match(pred, gold, "overlap")
    # two predictions overlap the same gold span: only one may claim it
    assert (overlap.tp_pred, overlap.tp_gold) == (2, 2)
    assert overlap.precision == 0.5 and overlap.recall == pytest.approx(2 / 3)
    assert overlap.f1 == pytest.approx(2 * 0.5 * (2 / 3) / (0.5 + 2 / 3))
    assert match([], [], "exact").f1 == 0.0


def test_seeds_gold_is_valid_and_matches_the_seed_files() -> None:
    gold = evaluate.load_gold(GOLD)
    assert {g.id[:3] for g in gold} >= {"000", "001", "004"}
    for article in gold:
        raw = (SEEDS / f"{article.id}.txt").read_bytes()
        assert article.text == corpus.normalize(corpus.decode(raw))
        tokens = tokenize.segment(article.text)
        starts, ends = tokens.boundaries()
        previous_end = 0
        for start, end, label in sorted(article.spans):
            assert start >= previous_end, "gold spans are flat"
            assert start in starts and end in ends, article.text[start:end]
            assert label in {"ORGANIZATION", "FIGURE", "RESOLUTION"}
            previous_end = end
    records = [json.loads(line) for line in GOLD.read_text(encoding="utf-8").splitlines()]
    for record in records:
        for span in record["spans"]:
            assert record["text"][span["start"] : span["end"]] == span["text"]


def test_gold_file_errors_name_the_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "gold.jsonl"
    bad.write_text('{"id": 1, "text": "abc", "spans": []}\n{oops\n', encoding="utf-8")
    with pytest.raises(UserError, match=r"gold\.jsonl, line 2: not JSON"):
        evaluate.load_gold(bad)
    bad.write_text('{"text": "abc", "spans": [{"start": 1, "end": 9, "label": "X"}]}\n', "utf-8")
    with pytest.raises(UserError, match=r"line 1: span \[1, 9\) X is outside the text"):
        evaluate.load_gold(bad)
    bad.write_text(
        '{"text": "abc", "spans": [{"start": 0, "end": 2, "label": "X", "text": "bc"}]}\n', "utf-8"
    )
    with pytest.raises(
        UserError, match=r"line 1: span \[0, 2\) says 'bc' but the text there is 'ab'"
    ):
        evaluate.load_gold(bad)
    bad.write_text('{"spans": []}\n', "utf-8")
    with pytest.raises(UserError, match="line 1: expected text and spans"):
        evaluate.load_gold(bad)
    with pytest.raises(UserError, match="cannot read gold file"):
        evaluate.load_gold(tmp_path / "missing.jsonl")


def test_evaluate_gold_on_the_seeds(seeded: Store) -> None:
    report = evaluate.evaluate_gold(seeded, evaluate.load_gold(GOLD), ["rules", "byline"])
    assert report.articles == 5 and report.unmatched == []
    rules = report.get("rules", "RESOLUTION", "exact")
    assert rules.gold == 19 and rules.precision > 0.9 and rules.recall > 0.9
    byline = report.get("byline", "FIGURE", "exact")
    assert byline.precision == 1.0 and byline.tp_gold == 4
    combined = report.get(evaluate.ALL, evaluate.TOTAL, "overlap")
    assert combined.gold == sum(len(g.spans) for g in evaluate.load_gold(GOLD))


def test_unmatched_gold_articles_are_reported(seeded: Store, tmp_path: Path) -> None:
    gold = evaluate.load_gold(GOLD)
    other = evaluate.GoldArticle("elsewhere", "Một bài không có trong kho.", ())
    report = evaluate.evaluate_gold(seeded, [gold[0], other], ["rules"])
    assert report.unmatched == ["elsewhere"] and report.articles == 1
    with pytest.raises(UserError, match="none of the 1 gold articles is in the database"):
        evaluate.evaluate_gold(seeded, [other], ["rules"])


def test_suggestion_quality_for_stats(seeded: Store) -> None:
    article_id = seeded.article_ids()[0]
    suggest.compute(seeded, article_id, ["rules", "byline"])
    shown = suggest.pending(seeded, article_id)
    by_rules = len(suggest.suggestions(seeded, article_id, source="rules"))
    wrong = next(s for s in shown if s.text == "Mặt trận Tổ quốc")
    suggest.reject(seeded, wrong.id, "tester")
    suggest.accept_all(seeded, article_id, "tester")
    seeded.set_status(article_id, "done", "tester")

    quality = {(q.source, q.label): q for q in evaluate.suggestion_quality(seeded)}
    rules = quality[("rules", evaluate.TOTAL)]
    assert rules.rejected == 1 and rules.accepted == by_rules - 1
    assert rules.acceptance_rate == pytest.approx(rules.accepted / (rules.accepted + 1))
    assert rules.exact.recall == 1.0  # every accepted span came from a suggestion
    assert rules.exact.precision < 1.0  # the rejected one counts against it
    assert quality[("byline", "FIGURE")].exact.precision == 1.0


@pytest.mark.parametrize(
    "line",
    [
        '{"text": 5, "spans": []}',
        "[1, 2]",
        "null",
        '{"text": "Lan", "spans": {"start": 0}}',
        '{"text": "Lan", "spans": [[0, 3, "FIGURE"]]}',
        '{"text": "Lan", "spans": [{"start": 0, "end": 1.5, "label": "FIGURE"}]}',
        '{"text": "Lan", "spans": [{"start": "0", "end": 3, "label": "FIGURE"}]}',
        '{"text": "Lan", "spans": [{"start": false, "end": 3, "label": "FIGURE"}]}',
        '{"text": "Lan", "spans": [{"start": 0, "end": 3, "label": null}]}',
    ],
)
def test_a_malformed_gold_line_is_refused_by_name(tmp_path: Path, line: str) -> None:
    gold = tmp_path / "gold.jsonl"
    gold.write_text(line + "\n", encoding="utf-8")
    with pytest.raises(UserError, match=f"gold file {gold}, line 1: expected") as raised:
        evaluate.load_gold(gold)
    assert "object" not in str(raised.value) and "indices" not in str(raised.value)


def _as_windows_nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text).replace("\n", "\r\n")


def test_crlf_nfd_gold_is_normalized_like_import_and_scores_the_same(
    seeded: Store, tmp_path: Path
) -> None:
    """Gold saved by a Windows/macOS tool (CRLF, NFD) scores as the stored-form gold does."""
    assert "\n" in GOLD.read_text(encoding="utf-8")
    windows = tmp_path / "gold-windows.jsonl"
    lines = []
    for line in GOLD.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        text = record["text"]
        record["text"] = _as_windows_nfd(text)
        for span in record["spans"]:
            span["start"] = len(_as_windows_nfd(text[: span["start"]]))
            span["end"] = len(_as_windows_nfd(text[: span["end"]]))
            span["text"] = _as_windows_nfd(span["text"])
            assert record["text"][span["start"] : span["end"]] == span["text"]
        lines.append(json.dumps(record, ensure_ascii=False))
    windows.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8", newline="")
    assert windows.read_text(encoding="utf-8") != GOLD.read_text(encoding="utf-8")

    assert evaluate.load_gold(windows) == evaluate.load_gold(GOLD)
    sources = ["rules", "byline", "memory"]
    stored_form = evaluate.evaluate_gold(seeded, evaluate.load_gold(GOLD), sources)
    from_windows = evaluate.evaluate_gold(seeded, evaluate.load_gold(windows), sources)
    assert from_windows.scores == stored_form.scores and from_windows.articles == 5
    assert stored_form.get(evaluate.ALL, evaluate.TOTAL, "exact").tp_gold > 0


def test_a_gold_span_text_mismatch_is_named_in_the_file_offsets(tmp_path: Path) -> None:
    gold = tmp_path / "gold.jsonl"
    record = {
        "text": "A\r\nB Lan",
        "spans": [{"start": 5, "end": 8, "label": "FIGURE", "text": "Hoa"}],
    }
    gold.write_text(json.dumps(record) + "\n", encoding="utf-8")
    with pytest.raises(
        UserError, match=r"line 1: span \[5, 8\) says 'Hoa' but the text there is 'Lan'"
    ):
        evaluate.load_gold(gold)
