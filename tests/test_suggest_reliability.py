"""One proposal per place: the source and label this annotator accepted most often wins,
with a prior before any decision; the others are alternatives one key away."""

from __future__ import annotations

import itertools
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from partybuild_tui.core.store import Article, Store
from partybuild_tui.core.suggest import engine, reliability
from partybuild_tui.core.suggest.base import Proposal
from tests.suggest_helpers import import_texts

TEXT = "Tin\n\nĐảng bộ xã Na Tông họp. Ban Tuyên giáo tỉnh dự. Đảng bộ xã Na Hang họp.\n"


def place(store: Store, article: Article, source: str, text: str, label: str, nth: int = 0) -> None:
    start = -1
    for _ in range(nth + 1):
        start = article.text.index(text, start + 1)
    runs = {p.start: p for p in engine.suggestions(store, article.id, source=source)}
    proposals = [Proposal(s.start, s.end, s.label, s.score) for s in runs.values()]
    proposals.append(Proposal(start, start + len(text), label, 0.8))
    store.save_suggestion_run(article, source, "test", proposals)


def shown(
    store: Store, article_id: int, annotator: str = "lan", **kw: object
) -> list[tuple[str, str]]:
    text = store.article(article_id).text
    return [
        (text[s.start : s.end], s.source)
        for s in engine.pending(store, article_id, annotator, **kw)  # type: ignore[arg-type]
    ]


def test_before_any_decision_the_prior_picks_the_rule(store: Store, tmp_path: Path) -> None:
    reliability.forget()
    ids = import_texts(store, tmp_path / "d", {"a": TEXT})
    article = store.article(ids["a"])
    place(store, article, "rules", "Đảng bộ xã Na Tông", "ORGANIZATION")
    place(store, article, "ner", "Na Tông", "ORGANIZATION")
    assert shown(store, article.id) == [("Đảng bộ xã Na Tông", "rules")]
    winner = engine.pending(store, article.id, "lan")[0]
    others = engine.alternatives(store, article.id, winner.id, "lan")
    assert [(article.text[s.start : s.end], s.source) for s in others] == [("Na Tông", "ner")]
    # the alternative, once preferred (cycled to), takes the place
    assert shown(store, article.id, prefer={others[0].id}) == [("Na Tông", "ner")]


def test_the_annotators_decisions_outweigh_the_prior(store: Store, tmp_path: Path) -> None:
    reliability.forget()
    texts = {f"t{i}": TEXT.replace("Na Tông", f"Na Tông {i}") for i in range(8)}
    ids = import_texts(store, tmp_path / "d", texts)
    articles = [store.article(ids[k]) for k in sorted(ids)]
    for article in articles:
        place(store, article, "rules", "Ban Tuyên giáo tỉnh dự", "ORGANIZATION")
        place(store, article, "ner", "Ban Tuyên giáo tỉnh", "ORGANIZATION")
    for article in articles[:7]:  # the annotator keeps rejecting the rule, accepting NER
        rule = engine.suggestions(store, article.id, source="rules")[0]
        assert engine.reject(store, rule.id, "lan") is not None
        ner = engine.suggestions(store, article.id, source="ner")[0]
        assert engine.accept(store, ner.id, "lan") is not None
    reliability.forget()
    rates = reliability.load(store, "lan")
    assert rates.of("ner", "ORGANIZATION") > rates.of("rules", "ORGANIZATION")
    assert shown(store, articles[7].id) == [("Ban Tuyên giáo tỉnh", "ner")]
    # another annotator's figures are their own: the prior still picks the rule for them
    assert shown(store, articles[7].id, annotator="minh") == [("Ban Tuyên giáo tỉnh dự", "rules")]


intervals = st.lists(st.tuples(st.integers(0, 40), st.integers(1, 6)), max_size=12)


@given(intervals, st.integers(0, 45), st.integers(1, 6))
@settings(max_examples=300, deadline=None)
def test_covered_agrees_with_a_scan(spans: list[tuple[int, int]], start: int, width: int) -> None:
    ranges = sorted((s, s + w) for s, w in spans)
    starts = [s for s, _ in ranges]
    reach = list(itertools.accumulate((e for _, e in ranges), max))
    end = start + width
    expected = any(s < end and start < e for s, e in ranges)
    assert engine._covered(starts, reach, start, end) == expected
