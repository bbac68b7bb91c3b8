"""Memory proposes only what the annotator still stands by: no bare type nouns, nothing
rejected or deleted since it was last tagged, nothing left over from an undone tag."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from partybuild_tui.core import suggest
from partybuild_tui.core.store import Store
from tests.suggest_helpers import import_texts

TEXTS = {
    "a": "Tin một\n\nĐảng bộ xã Na Tông họp. Đảng bộ lãnh đạo tốt. Ông Lò Văn Sinh dự.\n",
    "b": "Tin hai\n\nĐảng bộ xã Na Tông và Đảng bộ khác. Ông Lò Văn Sinh phát biểu.\n",
    "c": "Tin ba\n\nLò Văn Sinh về thăm Đảng bộ xã Na Tông.\n",
    "d": "Tin bốn\n\nĐồng chí Lò Văn Sinh kiểm tra.\n",
}


@pytest.fixture
def ids(store: Store, tmp_path: Path) -> dict[str, int]:
    return import_texts(store, tmp_path / "docs", TEXTS)


def tag(store: Store, article_id: int, form: str, label: str, nth: int = 0) -> None:
    text = store.article(article_id).text
    start = -1
    for _ in range(nth + 1):
        start = text.index(form, start + 1)
    action = store.tag(article_id, start, start + len(form), label, "tester")
    assert action is not None


def memory_texts(store: Store, article_id: int) -> list[str]:
    text = store.article(article_id).text
    shown = suggest.compute(store, article_id, ["memory"])
    return [text[s.start : s.end] for s in shown if s.source == "memory"]


def test_bare_type_nouns_are_never_propagated(store: Store, ids: dict[str, int]) -> None:
    tag(store, ids["a"], "Đảng bộ", "ORGANIZATION", nth=1)  # a (wrong) tag of the bare noun
    tag(store, ids["a"], "Đảng bộ xã Na Tông", "ORGANIZATION")
    assert memory_texts(store, ids["b"]) == ["Đảng bộ xã Na Tông"]


def test_a_rejected_form_is_not_proposed_again(store: Store, ids: dict[str, int]) -> None:
    tag(store, ids["a"], "Lò Văn Sinh", "FIGURE")
    assert memory_texts(store, ids["b"]) == ["Lò Văn Sinh"]
    proposal = next(s for s in suggest.pending(store, ids["b"]) if s.source == "memory")
    time.sleep(0.002)  # decisions are stamped to the millisecond
    assert suggest.reject(store, proposal.id, "tester") is not None
    assert memory_texts(store, ids["c"]) == []


def test_a_form_tagged_again_after_a_rejection_comes_back(
    store: Store, ids: dict[str, int]
) -> None:
    tag(store, ids["a"], "Lò Văn Sinh", "FIGURE")
    memory_texts(store, ids["b"])
    proposal = next(s for s in suggest.pending(store, ids["b"]) if s.source == "memory")
    time.sleep(0.002)
    suggest.reject(store, proposal.id, "tester")
    time.sleep(0.002)
    tag(store, ids["c"], "Lò Văn Sinh", "FIGURE")  # the annotator changed their mind
    assert memory_texts(store, ids["d"]) == ["Lò Văn Sinh"]
    assert memory_texts(store, ids["b"]) == []  # but never again where it was rejected


def test_a_deleted_span_is_not_proposed_again(store: Store, ids: dict[str, int]) -> None:
    tag(store, ids["a"], "Lò Văn Sinh", "FIGURE")
    tag(store, ids["c"], "Lò Văn Sinh", "FIGURE")
    span = store.spans(ids["a"])[0]
    time.sleep(0.002)
    store.delete_span(span.id, "tester")
    assert memory_texts(store, ids["b"]) == []


def test_undoing_a_tag_withdraws_what_memory_proposed_from_it(
    store: Store, ids: dict[str, int]
) -> None:
    tag(store, ids["a"], "Lò Văn Sinh", "FIGURE")
    assert memory_texts(store, ids["b"]) == ["Lò Văn Sinh"]
    assert store.undo(ids["a"], "tester") is not None
    assert memory_texts(store, ids["b"]) == []
    assert [s for s in suggest.pending(store, ids["b"]) if s.source == "memory"] == []
