"""The effort benchmark's scripted annotator, tested: with suggestions off it tags a seed
article to exactly its gold with the app's keys, and its planned cursor moves land where
the app puts the cursor."""

from __future__ import annotations

import sys
from pathlib import Path

from partybuild_tui.core import corpus
from partybuild_tui.core.store import Store
from partybuild_tui.core.suggest.evaluate import load_gold
from tests.tui.helpers import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))

import effort_bench  # noqa: E402

GOLD = ROOT / "tests" / "data" / "seeds_gold.jsonl"


async def test_the_bot_tags_one_seed_article_to_its_gold_by_hand(app_db: Path) -> None:
    item = min(load_gold(GOLD), key=lambda g: len(g.spans))  # the shortest to tag
    with Store(app_db) as store:
        found = store.article_by_hash(corpus.content_hash(item.text))
        assert found is not None
        for other in store.article_ids():
            if other != found.id:  # only this one is left to do (in the bot's layer)
                store.set_status(other, "skipped", effort_bench.ANNOTATOR, record=False)
    off = effort_bench.CONDITIONS["off"]
    [tally] = await effort_bench.drive(app_db, {found.id: item}, off)
    assert tally.mismatch == "" and tally.gold == len(item.spans)
    assert tally.by_hand == len(item.spans)
    assert (tally.accepted, tally.corrected, tally.cycled, tally.rejected) == (0, 0, 0, 0)
    assert tally.replans == 0  # every planned move ended where the app put the cursor
    assert tally.keys["tag"] == len(item.spans) and tally.keys["article"] == 2  # D, j
    assert tally.keys["move"] > 0 and tally.total == sum(tally.keys.values())
    assert effort_bench.verify(app_db, {found.id: item}, [tally]) == []
    with Store(app_db) as store:
        spans = {(s.start, s.end, s.label) for s in store.spans(found.id, "effort-bot")}
        assert spans == set(item.spans)
        assert store.article(found.id).status == "done"
