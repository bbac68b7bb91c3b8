"""Segmenting many articles: windows of work, the same result as segmenting one by one."""

from __future__ import annotations

import pytest

from partybuild_tui.core import tokenize
from partybuild_tui.core.store import Store


def test_segment_articles_in_windows_matches_segment(
    seeded: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tokenize, "WINDOW_PER_PROCESS", 1)  # 2 articles a window: 3 windows
    ids = seeded.article_ids()
    calls: list[tuple[int, int]] = []
    count = tokenize.segment_articles(
        seeded, ids, processes=2, progress=lambda done, total: calls.append((done, total))
    )
    assert count == len(ids) == 5
    assert calls[-1] == (5, 5) and [done for done, _ in calls] == [1, 2, 3, 4, 5]
    assert seeded.untokenized_ids(tokenize.tokenizer_id()) == []
    for article_id in ids:
        article = seeded.article(article_id)
        cached = tokenize.cached_tokenization(seeded, article)
        assert cached is not None
        assert cached.words == tokenize.segment(article.text).words
