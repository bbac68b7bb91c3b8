"""The `model` source: features, BIO, training from done articles, proposals, folds."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from partybuild_tui.cli import app
from partybuild_tui.core import corpus, tokenize
from partybuild_tui.core.store import NewSpan, Store
from partybuild_tui.core.suggest import engine, features, training
from partybuild_tui.core.suggest.evaluate import load_gold

GOLD = Path(__file__).parent / "data" / "seeds_gold.jsonl"
runner = CliRunner()


def annotate_from_gold(store: Store, limit: int | None = None) -> list[int]:
    """Tag the seeds with their gold spans and mark them done (the first ``limit``)."""
    done = []
    for item in load_gold(GOLD)[:limit]:
        article = store.article_by_hash(corpus.content_hash(item.text))
        assert article is not None
        store.apply(article.id, "lan", "tag", add=[NewSpan(s, e, lab) for s, e, lab in item.spans])
        store.set_status(article.id, "done", "lan")
        done.append(article.id)
    return done


# ---- features ------------------------------------------------------------------------------


ranges = st.lists(st.integers(1, 4), min_size=1, max_size=12)


@given(ranges, st.data())
@settings(max_examples=200, deadline=None)
def test_bio_tags_and_entities_are_inverse(widths: list[int], data: st.DataObject) -> None:
    tokens, pos = [], 0
    for w in widths:
        tokens.append((pos, pos + w))
        pos += w + 1
    spans, i = [], 0
    while i < len(tokens):
        size = data.draw(st.integers(0, 3))
        if size and i + size <= len(tokens):
            label = data.draw(st.sampled_from(["ORGANIZATION", "FIGURE"]))
            spans.append((tokens[i][0], tokens[i + size - 1][1], label))
            i += size
        i += 1
    tags = features.bio_tags(tokens, spans)
    found = [(s, e, label) for s, e, label, _a, _b in features.entities(tokens, tags)]
    assert found == sorted(spans)


def test_entities_reads_a_stray_inside_tag_as_a_start() -> None:
    tokens = [(0, 1), (2, 3), (4, 5)]
    assert [e[:3] for e in features.entities(tokens, ["I-FIGURE", "I-FIGURE", "B-FIGURE"])] == [
        (0, 3, "FIGURE"),
        (4, 5, "FIGURE"),
    ]


def test_features_name_lists_shapes_words_and_hints(seeded: Store) -> None:
    text = "Đồng chí Vũ Quỳnh Khánh dự Hội nghị Ban Thường vụ Huyện ủy khóa XII."
    tokens = tokenize.segment(text)
    sentence = features.sentences(tokens)[0]
    patterns = engine.patterns_for(seeded)
    from partybuild_tui.core.suggest.base import Proposal

    hint = ("rules", Proposal(text.index("Ban"), text.index(" khóa"), "ORGANIZATION"))
    rows = features.featurize(tokens, sentence, features.ListIndex(patterns), [hint])
    forms = [text[s:e] for s, e in sentence.tokens]
    at = {form: rows[i] for i, form in enumerate(forms)}
    assert "list:honorific:B" in at["Đồng"] and "list:honorific:I" in at["chí"]
    assert "shape=roman" in at["XII"]
    assert "hint:rules:ORGANIZATION:B" in at["Ban"]
    assert "hint:rules:ORGANIZATION:I" in at["ủy"]
    assert "upper_initial" in at["Vũ"] and "w[1]=quỳnh" in at["Vũ"]
    assert any(f.startswith("word=") for f in at["Quỳnh"])


# ---- training and proposing ----------------------------------------------------------------------


def test_train_learns_the_done_articles_and_the_model_source_proposes(seeded: Store) -> None:
    annotate_from_gold(seeded)
    result = runner.invoke(app, ["train", "--folds", "2"])
    assert result.exit_code == 0, result.output
    assert "trained model crf1:" in result.output and "on 5 articles, 110 spans" in result.output
    assert "cross-validated exact F1" in result.output
    record = seeded.latest_model_record("model")
    assert record is not None and record.folds == 2 and record.cv_f1 is not None
    assert record.cv_f1 > 0.6  # learned something that carries to a held-out article

    again = runner.invoke(app, ["train", "--folds", "2"])
    assert again.exit_code == 0 and "model up to date" in again.output

    article_id = seeded.article_ids()[0]
    engine.compute(seeded, article_id, ["model"])
    stored = engine.suggestions(seeded, article_id, source="model")
    gold = {(s.start, s.end, s.label) for s in seeded.spans(article_id)}
    assert stored and {(s.start, s.end, s.label) for s in stored} & gold
    assert all(0 < s.score <= 1 for s in stored)
    runs = seeded.suggestion_runs(article_id)
    assert runs["model"][0] == record.version


def test_a_retrained_model_makes_cached_model_suggestions_stale(seeded: Store) -> None:
    annotate_from_gold(seeded, limit=3)
    assert runner.invoke(app, ["train", "--folds", "2"]).exit_code == 0
    first = engine.trained_model(seeded)
    assert first is not None
    article = seeded.article(seeded.article_ids()[-1])
    sources = engine.default_sources(seeded, ["model"])
    assert engine.stale_sources(seeded, article, sources)
    engine.compute(seeded, article.id, ["model"])
    assert not engine.stale_sources(seeded, article, engine.default_sources(seeded, ["model"]))
    annotate_from_gold(seeded)  # two more articles done: a new training set
    assert runner.invoke(app, ["train", "--folds", "2"]).exit_code == 0
    second = engine.trained_model(seeded)
    assert second is not None and second.version != first.version
    assert engine.stale_sources(seeded, article, engine.default_sources(seeded, ["model"]))


def test_train_with_nothing_done_says_what_to_do(seeded: Store) -> None:
    result = runner.invoke(app, ["train"])
    assert result.exit_code == 2
    assert result.output.startswith("error: no done article has spans to learn from")


def test_the_model_source_is_skipped_until_trained(seeded: Store) -> None:
    assert [s.name for s in engine.default_sources(seeded)] == ["memory", "rules", "byline", "ner"]


# ---- folds -----------------------------------------------------------------------------------


def test_evaluate_folds_prints_held_out_figures_and_a_curve(seeded: Store) -> None:
    result = runner.invoke(app, ["evaluate", str(GOLD), "--folds", "2"])
    assert result.exit_code == 0, result.output
    out = " ".join(result.output.split())
    assert "5 articles, 110 spans, 2 folds" in out
    assert "model 110" in out and "all sources (accept all) 110" in out
    assert "Learning curve" in out
    assert seeded.latest_model_record("model") is None  # folds never store a model


def test_folds_by_article_hold_each_article_out_once() -> None:
    items = list(range(7))
    splits = [(list(map(int, a)), list(map(int, b))) for a, b in _folds(items, 3)]
    held = sorted(x for _train, out in splits for x in out)
    assert held == items
    assert all(not set(train) & set(out) for train, out in splits)


def _folds(items: list[int], k: int) -> list[tuple[list[int], list[int]]]:
    class Fake:
        def __init__(self, i: int) -> None:
            self.article = type("A", (), {"id": i})()

    splits = training.folds_of([Fake(i) for i in items], k)  # type: ignore[arg-type]
    return [([e.article.id for e in a], [e.article.id for e in b]) for a, b in splits]


def test_curve_sizes_end_at_the_largest_training_set() -> None:
    from partybuild_tui.core.suggest.crossval import curve_sizes

    assert curve_sizes(4) == [1, 2, 3, 4]
    assert curve_sizes(40)[-1] == 40 and len(curve_sizes(40)) <= 5
    assert curve_sizes(0) == []


@pytest.mark.parametrize("k", ["1", "x"])
def test_evaluate_folds_refuses_a_bad_k(seeded: Store, k: str) -> None:
    result = runner.invoke(app, ["evaluate", str(GOLD), "--folds", k])
    assert result.exit_code == 2


def test_list_order_uncertain_puts_what_the_model_is_least_sure_of_first(seeded: Store) -> None:
    annotate_from_gold(seeded, limit=2)
    assert runner.invoke(app, ["train", "--folds", "2"]).exit_code == 0
    assert runner.invoke(app, ["suggest", "--source", "model", "--processes", "1"]).exit_code == 0
    doubt = {i: seeded.uncertainty(i) for i in seeded.article_ids()}
    assert all(d is not None and 0 <= d <= 1 for d in doubt.values())
    by_doubt = sorted(doubt, key=lambda i: (-(doubt[i] or 0.0), i))
    result = runner.invoke(app, ["list", "--order", "uncertain"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    listed = [int(ln.split()[0]) for ln in lines[1:] if ln.strip()[:1].isdigit()]
    assert listed == by_doubt
    first = seeded.adjacent_article(0, status=("new",), order="uncertain")
    assert first == next(i for i in by_doubt if seeded.article(i).status == "new")
