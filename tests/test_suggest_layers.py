"""Suggestion decisions belong to a layer: one annotator's accept or reject (and its undo)
never changes what another annotator sees pending (issue #12)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from partybuild_tui.core import suggest
from partybuild_tui.core.store import Store
from partybuild_tui.core.suggest import reliability
from partybuild_tui.core.suggest.patterns import PATTERNS_ENV


@pytest.fixture(autouse=True)
def no_user_patterns(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(PATTERNS_ENV, raising=False)
    reliability.forget()


def two_suggestions(store: Store) -> tuple[int, int, int]:
    """An article with two stored, non-overlapping ORGANIZATION proposals S and T."""
    article_id = store.article_ids()[0]
    found = store.article(article_id)
    s_start = found.text.index(" ", found.body_start + 10) + 1
    s_end = found.text.index(" ", s_start)
    t_start = found.text.index(" ", s_end + 20) + 1
    t_end = found.text.index(" ", t_start)
    proposals = [
        SimpleNamespace(start=s_start, end=s_end, label="ORGANIZATION", score=0.9),
        SimpleNamespace(start=t_start, end=t_end, label="ORGANIZATION", score=0.9),
    ]
    store.save_suggestion_run(found, "rules", "1", proposals)
    s, t = store.suggestions(article_id)
    return article_id, s.id, t.id


def pending_ids(store: Store, article_id: int, who: str) -> set[int]:
    return {item.id for item in suggest.pending(store, article_id, who)}


def test_one_annotators_decisions_leave_anothers_pending(seeded: Store) -> None:
    article_id, s, t = two_suggestions(seeded)
    assert suggest.reject(seeded, s, "lan") is not None
    assert suggest.accept(seeded, t, "lan") is not None
    assert pending_ids(seeded, article_id, "lan") == set()
    assert pending_ids(seeded, article_id, "minh") == {s, t}
    assert suggest.accept(seeded, s, "minh") is not None
    assert seeded.suggestion(s, "minh").status == "accepted"
    assert seeded.suggestion(s, "lan").status == "rejected"
    assert seeded.decision_counts("lan") == {("rules", "ORGANIZATION"): (1, 1)}
    assert seeded.decision_counts("minh") == {("rules", "ORGANIZATION"): (1, 0)}
    assert seeded.decision_counts() == {("rules", "ORGANIZATION"): (2, 1)}
    # lan's latest action is accepting T; undo it, then her reject of S
    assert seeded.undo(article_id, "lan") is not None
    assert seeded.undo(article_id, "lan") is not None
    assert seeded.suggestion(s, "lan").status == "pending"
    assert seeded.suggestion(s, "minh").status == "accepted"
    assert pending_ids(seeded, article_id, "lan") == {s, t}
    assert pending_ids(seeded, article_id, "minh") == {t}
    assert seeded.redo(article_id, "lan") is not None  # the reject again: minh's untouched
    assert seeded.suggestion(s, "lan").status == "rejected"
    assert seeded.suggestion(s, "minh").status == "accepted"


def test_fingerprint_follows_the_layers_decisions(seeded: Store) -> None:
    article_id, s, _ = two_suggestions(seeded)
    lan, minh = (seeded.suggestion_state(article_id, who) for who in ("lan", "minh"))
    suggest.reject(seeded, s, "lan")
    assert seeded.suggestion_state(article_id, "lan") != lan
    assert seeded.suggestion_state(article_id, "minh") == minh
    everyone = seeded.suggestion_state(article_id)
    seeded.undo(article_id, "lan")
    assert seeded.suggestion_state(article_id) != everyone


def test_a_rerun_keeps_a_decided_proposal_for_its_decider_only(seeded: Store) -> None:
    """A source that stops proposing S keeps it for lan's rejection; minh, who never decided
    it, no longer sees it; a proposal no one decided goes."""
    article_id, s, t = two_suggestions(seeded)
    suggest.reject(seeded, s, "lan")
    seeded.save_suggestion_run(seeded.article(article_id), "rules", "2", [])
    assert [item.id for item in seeded.suggestions(article_id, annotator="lan")] == [s]
    assert seeded.suggestions(article_id, annotator="minh") == []
    assert seeded.suggestion_count() == 1  # T, decided by no one, is gone
    assert seeded.suggestion_count("pending") == 0
    assert seeded.suggestion_count("rejected") == 1
    assert t not in {item.id for item in seeded.suggestions(article_id)}


def test_no_layer_means_decided_by_anyone(seeded: Store) -> None:
    article_id, s, t = two_suggestions(seeded)
    suggest.reject(seeded, s, "lan")
    assert seeded.suggestion(s).status == "rejected"
    assert seeded.suggestion(t).status == "pending"
    assert seeded.suggestion_count("pending") == 1
    assert seeded.suggestion_count("pending", "minh") == 2
