"""The learning loop in the app: one proposal per place with its alternatives a key away,
the next proposal named after a decision, memory withdrawn by undo, the order of "next to
do", and the model retrained in the background after articles are marked done."""

from __future__ import annotations

from pathlib import Path

import pytest

from partybuild_tui.core import corpus
from partybuild_tui.core.store import NewSpan, Store
from partybuild_tui.core.suggest.base import Proposal
from partybuild_tui.core.suggest.evaluate import load_gold
from tests.tui.helpers import ROOT, SIZE, screen_of, settle

ORG = "Đảng bộ huyện Đồng Văn"
GOLD = ROOT / "tests" / "data" / "seeds_gold.jsonl"


def db_spans(db: Path, article_id: int = 1) -> list[tuple[str, str, str]]:
    with Store(db) as store:
        return [(s.label, s.text, s.origin) for s in store.spans(article_id)]


def propose(db: Path, source: str, text: str, label: str, article_id: int = 1) -> None:
    """Store a proposal of ``source`` at the first occurrence of ``text`` in the article."""
    with Store(db) as store:
        article = store.article(article_id)
        start = article.text.index(text)
        store.save_suggestion_run(
            article, source, "test", [Proposal(start, start + len(text), label, 0.5)]
        )


async def test_c_cycles_to_the_other_proposal_at_a_place(make_app, app_db: Path) -> None:
    propose(app_db, "ner", "huyện Đồng Văn", "ORGANIZATION")  # inside the rule's proposal
    async with make_app().run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = screen_of(pilot.app)
        view = screen.view
        view.move_to_offset(view.text.index(ORG) + 9)
        [shown] = view.here().suggestions_at_target()
        assert (shown.text, shown.source) == (ORG, "rules")  # the prior trusts rules more
        await pilot.press("c")
        [other] = view.here().suggestions_at_target()
        assert (other.text, other.source) == ("huyện Đồng Văn", "ner")
        assert "other proposal: ORGANIZATION ‘huyện Đồng Văn’ (ner)" in screen.message
        await pilot.press("a")  # accepts what is shown: exactly the underlined range
        assert db_spans(app_db) == [("ORGANIZATION", "huyện Đồng Văn", "suggestion:ner")]


async def test_c_cycles_through_every_proposal_at_a_place(make_app, app_db: Path) -> None:
    """Three sources disagree at one place: c shows each in turn, not two back and forth."""
    with Store(app_db) as store:
        article = store.article(1)
        end = article.text.index(ORG) + len(ORG)  # the three end where the rule's does
        for source, text in (("ner", "huyện Đồng Văn"), ("model", "Đồng Văn")):
            proposal = Proposal(end - len(text), end, "ORGANIZATION", 0.5)
            store.save_suggestion_run(article, source, "test", [proposal])
    async with make_app().run_test(size=SIZE) as pilot:
        await settle(pilot)
        view = screen_of(pilot.app).view
        view.move_to_offset(view.text.index(ORG) + len(ORG) - 1)  # in all three
        shown = []
        for _ in range(4):
            mark = view.here().suggestion_at()
            assert mark is not None
            shown.append((mark.source, mark.text))
            await pilot.press("c")
        assert shown == [
            ("rules", ORG),  # most reliable first, by the prior
            ("model", "Đồng Văn"),
            ("ner", "huyện Đồng Văn"),
            ("rules", ORG),  # and round again
        ]


async def test_accept_all_after_c_accepts_the_proposal_cycled_to(make_app, app_db: Path) -> None:
    """A accepts what shows: at a place cycled with c, the proposal shown, not the default."""
    propose(app_db, "ner", "huyện Đồng Văn", "ORGANIZATION")
    async with make_app().run_test(size=SIZE) as pilot:
        await settle(pilot)
        view = screen_of(pilot.app).view
        view.move_to_offset(view.text.index(ORG) + 9)
        await pilot.press("c")
        assert [m.text for m in view.here().suggestions_at_target()] == ["huyện Đồng Văn"]
        await pilot.press("A")
        found = [s for s in db_spans(app_db) if "Đồng Văn" in s[1]]
        assert found[0] == ("ORGANIZATION", "huyện Đồng Văn", "suggestion:ner")


async def test_after_accept_the_status_line_names_the_next_proposal(make_app, app_db: Path) -> None:
    async with make_app().run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = screen_of(pilot.app)
        view = screen.view
        view.move_to_offset(view.text.index(ORG))
        await pilot.press("a")
        nxt = view.here().suggestion_at()
        assert nxt is not None and nxt.start > view.text.index(ORG)
        assert screen.message.startswith(f"✓ saved: accept ORGANIZATION ‘{ORG}’ · next: ")
        assert f"{nxt.label} ‘" in screen.message and f"({nxt.source})" in screen.message


async def test_undo_of_a_tag_withdraws_what_memory_proposed_from_it(make_app, app_db: Path) -> None:
    async with make_app().run_test(size=SIZE) as pilot:
        await settle(pilot)
        view = screen_of(pilot.app).view
        caption = "Tả Phìn (phải)"
        first = view.text.find(caption)
        second = view.text.find(caption, first + 1)
        view.move_to_offset(first)
        await pilot.press("f")
        await settle(pilot)
        assert [m.text for m in view.suggestions if m.start == second] == ["Tả Phìn"]
        await pilot.press("u")
        await settle(pilot)
        assert [m for m in view.suggestions if m.start == second] == []


async def test_o_makes_next_to_do_follow_the_models_uncertainty(make_app, app_db: Path) -> None:
    with Store(app_db) as store:
        for article_id, doubt in ((3, 0.2), (4, 0.9), (5, 0.5)):
            store.save_suggestion_run(store.article(article_id), "model", "v", [], doubt)
    async with make_app(()).run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = screen_of(pilot.app)
        assert screen.article is not None and screen.article.id == 1
        await pilot.press("j")
        assert screen.article.id == 2  # corpus order
        await pilot.press("O")
        assert "least sure" in screen.message or "uncertain" in screen.message
        order = []
        for _ in range(4):
            await pilot.press("j")  # 2 is last in this order: from the top
            order.append(screen.article.id)
        assert order == [4, 5, 3, 1]
        await pilot.press("j")
        assert screen.article.id == 2


async def test_marking_articles_done_retrains_the_model_in_the_background(
    make_app, app_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PARTYBUILD_RETRAIN_EVERY", "2")
    with Store(app_db) as store:
        for item in load_gold(GOLD)[:2]:
            article = store.article_by_hash(corpus.content_hash(item.text))
            assert article is not None
            spans = [NewSpan(s, e, lab) for s, e, lab in item.spans]
            store.apply(article.id, "tester", "tag", add=spans)
        first_done = article.id
        store.set_status(first_done, "done", "tester")
    async with make_app(()).run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = screen_of(pilot.app)
        other = next(i for i in (1, 2) if i != first_done)
        screen.open_article(other)
        await pilot.press("D")  # the second done article: training starts in the background
        assert screen.training
        await pilot.press("right")  # keys go on while it trains
        await settle(pilot)
        assert not screen.training
        assert "model retrained on 2 articles" in screen.message
    with Store(app_db) as store:
        record = store.latest_model_record("model")
        assert record is not None and record.articles == 2
