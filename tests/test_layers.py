"""Layers: each annotator's status is their own; layer names are checked."""

from __future__ import annotations

import pytest

from partybuild_tui.core import layers
from partybuild_tui.core.store import Store
from partybuild_tui.errors import UserError


def test_status_is_per_annotator(seeded: Store) -> None:
    article_id = seeded.list_articles()[0].id
    seeded.set_status(article_id, "done", "lan")
    assert seeded.status(article_id, "lan") == "done"
    assert seeded.status(article_id, "minh") == "new"
    seeded.set_status(article_id, "skipped", "minh")
    assert seeded.status(article_id, "lan") == "done"
    seeded.undo(article_id, "lan")
    assert seeded.status(article_id, "lan") == "new"
    assert seeded.status(article_id, "minh") == "skipped"


def test_review_layer_names() -> None:
    assert layers.review_layer("hoa") == "review:hoa"
    assert layers.is_review("review:hoa") and not layers.is_review("hoa")
    assert layers.person("review:hoa") == "hoa" == layers.person("hoa")
    for bad in ("", "a b", "x:y", "a,b"):
        with pytest.raises(UserError):
            layers.check_annotator(bad)
