"""Two annotators (and two windows of one) on one database, driven like users."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from partybuild_tui.core.store import Store
from partybuild_tui.tui.app import PartybuildApp
from partybuild_tui.tui.screens.annotate import POLL_S
from partybuild_tui.tui.widgets.article_list import ArticleList
from partybuild_tui.tui.widgets.article_view import ArticleView
from tests.tui.helpers import SIZE, screen_of, settle, until

ORG = "Đảng bộ huyện Đồng Văn"
PLAIN: tuple[tuple[str, ...], ...] = ()


def put_cursor(view: ArticleView, phrase: str) -> None:
    offset = view.text.find(phrase)
    assert offset >= 0, phrase
    view.move_to_offset(offset)


def shown(pilot: Pilot) -> list[tuple[str, str]]:
    return [(m.label, m.text) for m in screen_of(pilot.app).view.spans]


async def test_two_annotators_each_see_only_their_layer(app_db: Path) -> None:
    lan = PartybuildApp(app_db, "lan", suggest_steps=PLAIN)
    minh = PartybuildApp(app_db, "minh", suggest_steps=PLAIN)
    async with lan.run_test(size=SIZE) as a, minh.run_test(size=SIZE) as b:
        await settle(a)
        await settle(b)
        sa, sb = screen_of(a.app), screen_of(b.app)
        assert sa.article is not None and sa.article.id == 1 == sb.article.id  # type: ignore[union-attr]
        put_cursor(sb.view, "My Ly")
        await b.press("2", "D")  # minh tags and finishes article 1
        put_cursor(sa.view, ORG)
        await a.press("shift+right", "shift+right", "o")  # lan tags in article 1 at once
        await a.pause(POLL_S * 3)  # lan's window polls: minh's work is not in lan's layer
        assert shown(a) == [("ORGANIZATION", ORG)]
        assert "layer lan: in progress" in str(sa.query_one("#header").render())
        assert "layer lan" in str(sa.query_one("#status").render())
        row = sa.query_one(ArticleList).row(0)
        assert row is not None and (row.status, row.span_count) == ("in_progress", 1)
        assert sa._counts["done"] == 0
        assert sb.article is not None and sb.article.id == 1
        await b.press("u", "u")  # minh undoes: only minh's work
        assert "nothing to undo" not in sb.message
    with Store(app_db) as store:
        assert [(s.label, s.text) for s in store.spans(1, "lan")] == [("ORGANIZATION", ORG)]
        assert store.spans(1, "minh") == []
        assert (store.status(1, "lan"), store.status(1, "minh")) == ("in_progress", "new")


async def test_a_change_in_this_layer_from_another_window_shows_within_a_poll(
    app_db: Path,
) -> None:
    app = PartybuildApp(app_db, "lan", suggest_steps=PLAIN)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = screen_of(pilot.app)
        view = screen.view
        put_cursor(view, "My Ly")
        await pilot.press("shift+right")
        cursor, selection = view.cursor, view.selection
        assert selection is not None
        with Store(app_db) as window:  # lan's second window, and minh
            start = view.text.index(ORG)
            window.tag(1, start, start + len(ORG), "ORGANIZATION", "lan")
            start = view.text.index("Huyện ủy")
            window.tag(1, start, start + len("Huyện ủy"), "ORGANIZATION", "minh")
        assert await until(pilot, lambda: shown(pilot) != [])
        assert shown(pilot) == [("ORGANIZATION", ORG)]  # lan's, not minh's
        assert (view.cursor, view.selection) == (cursor, selection)  # nothing lost
        row = screen.query_one(ArticleList).row(0)
        assert row is not None and row.span_count == 1
        # that window's change is undone here, and the status line says where it came from
        await pilot.press("escape", "u")
        assert "undid a change made in another window/session" in screen.message
        assert shown(pilot) == []


async def test_undo_refuses_a_change_another_window_overtook(app_db: Path) -> None:
    app = PartybuildApp(app_db, "lan", suggest_steps=PLAIN)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = screen_of(pilot.app)
        put_cursor(screen.view, ORG)
        await pilot.press("shift+right", "shift+right", "o")
        with Store(app_db) as window:
            [span] = window.spans(1, "lan")
            window.relabel(span.id, "FIGURE", "lan")
        await until(pilot, lambda: shown(pilot) == [("FIGURE", ORG)])
        await pilot.press("u")
        assert screen.message == "can't undo: changed since in another window"
        assert shown(pilot) == [("FIGURE", ORG)]
    with Store(app_db) as store:
        assert [(s.label, s.text) for s in store.spans(1, "lan")] == [("FIGURE", ORG)]


async def test_next_to_do_and_the_list_follow_the_assignment(app_db: Path) -> None:
    with Store(app_db) as store:
        store.assign([(2, "lan"), (4, "lan"), (3, "minh")])
    app = PartybuildApp(app_db, "lan", suggest_steps=PLAIN)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = screen_of(pilot.app)
        articles = screen.query_one(ArticleList)
        assert screen.article is not None and screen.article.id == 2  # the first of lan's
        assert articles.ids == [2, 4]
        assert str(screen.query_one("#list-title").render()).startswith("mine · all · 2")
        await pilot.press("j")
        assert screen.article.id == 4  # type: ignore[union-attr]
        await pilot.press("j")
        assert screen.article.id == 2  # type: ignore[union-attr]  # wraps within lan's share
        await pilot.press("M")
        assert articles.ids == [1, 2, 3, 4, 5] and "every article" in screen.message


async def test_the_list_follows_another_windows_statuses_but_not_re_read_after_a_tag(
    app_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every commit seen from elsewhere (this window's writer's too) used to re-read every id
    of the list (50 ms at 100,000 articles); now only when the list clock moved."""
    reads: list[int] = []
    article_ids = Store.article_ids

    def counted(self: Store, **filters: Any) -> list[int]:
        reads.append(1)
        return article_ids(self, **filters)

    app = PartybuildApp(app_db, "lan", suggest_steps=PLAIN)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = screen_of(pilot.app)
        put_cursor(screen.view, ORG)
        await pilot.press("shift+right", "shift+right", "o")  # in progress: the list moves
        await pilot.pause(POLL_S * 2)
        monkeypatch.setattr(Store, "article_ids", counted)
        put_cursor(screen.view, "Huyện ủy")
        await pilot.press("f", "u", "r")
        await pilot.pause(POLL_S * 3)
        assert reads == []
        row = screen.query_one(ArticleList).row(0)
        assert row is not None and row.span_count == 2  # the rows are still re-read
        with Store(app_db) as window:  # lan's second window finishes article 2
            window.set_status(2, "done", "lan")
        assert await until(pilot, lambda: screen._counts["done"] == 1)
        assert reads
        row = screen.query_one(ArticleList).row(1)
        assert row is not None and row.status == "done"
