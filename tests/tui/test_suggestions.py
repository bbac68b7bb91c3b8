"""Suggestions in the app: computed in the background on open, decided with one key each."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

from partybuild_tui.core.store import Store
from partybuild_tui.tui.screens.annotate import AnnotateScreen
from partybuild_tui.tui.screens.stats import StatsScreen
from tests.tui.helpers import SIZE, screen_of, settle

ORG = "Đảng bộ huyện Đồng Văn"
RESOLUTION = "Nghị quyết TW 4 (khóa XII)"


def db_spans(db: Path, article_id: int = 1) -> list[tuple[str, str, str]]:
    """(label, text, origin) of every span, read through a fresh connection."""
    with Store(db) as store:
        return [(s.label, s.text, s.origin) for s in store.spans(article_id)]


def db_suggestions(db: Path, article_id: int = 1) -> list[tuple[str, str, str, str | None]]:
    """(text, source, status, decider) of every stored suggestion, in text order (a row per
    layer's decision; these tests have one annotator)."""
    with Store(db) as store:
        rows = store.conn.execute(
            "SELECT g.text, g.source, coalesce(d.status, 'pending'), d.annotator FROM "
            "suggestions g LEFT JOIN suggestion_decisions d ON d.suggestion_id = g.id "
            'WHERE g.article_id = ? ORDER BY g.start, g."end", g.id',
            (article_id,),
        )
        return [tuple(row) for row in rows]


def shown(screen: AnnotateScreen) -> list[str]:
    return [m.text for m in screen.view.suggestions]


async def test_suggestions_appear_in_the_background(make_app, app_db: Path) -> None:
    assert db_suggestions(app_db) == []
    async with make_app().run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = screen_of(pilot.app)
        # the screen is up and keys work before (or while) the sources run
        await pilot.press("right")
        assert screen.article is not None and screen.article.id == 1
        await settle(pilot)
        assert not screen.suggesting
        texts = shown(screen)
        assert ORG in texts and RESOLUTION in texts and "My Ly" in texts
        legend = str(screen.query_one("#legend").render())
        assert f"{len(texts)} suggestions" in legend
    sources = {row[1] for row in db_suggestions(app_db)}
    assert sources == {"rules", "byline"}  # no NER in this app: only the fast step


async def test_keys_work_while_a_slow_source_runs(make_app, app_db: Path, monkeypatch) -> None:
    """The second step is held until the user has tagged: the UI never waits for it."""
    from partybuild_tui.core import suggest

    release = threading.Event()
    real = suggest.update

    def held(store, article_id, sources, **options):  # noqa: ANN001, ANN003, ANN202
        if tuple(sources) == ("rules",):
            assert release.wait(10)
        return real(store, article_id, sources, **options)

    monkeypatch.setattr(suggest, "update", held)
    async with make_app(suggest_steps=(("byline",), ("rules",))).run_test(size=SIZE) as pilot:
        screen = screen_of(pilot.app)
        for _ in range(100):  # until the first step is shown and the second one is held
            await pilot.pause(0.02)
            if screen.view.suggestions:
                break
        assert screen.suggesting and "(suggesting…)" in str(screen.query_one("#status").render())
        assert shown(screen) == ["My Ly"]
        screen.view.move_to_offset(screen.view.text.find("Huyện ủy"))
        await pilot.press("o")
        assert db_spans(app_db) == [("ORGANIZATION", "Huyện ủy", "manual")]
        release.set()
        await settle(pilot)
        assert RESOLUTION in shown(screen) and not screen.suggesting
        assert "Huyện ủy" not in shown(screen)  # tagged meanwhile: not proposed over it


async def test_two_steps_fast_sources_then_ner(make_app, app_db: Path, monkeypatch) -> None:
    steps: list[tuple[bool, int, int]] = []  # (last step?, stored, drawn) as each step lands
    original = AnnotateScreen._suggested

    def spy(self: AnnotateScreen, article_id: int, last: bool, ran: object = None) -> None:
        original(self, article_id, last, ran)  # type: ignore[arg-type]
        steps.append((last, len(db_suggestions(app_db)), len(self.view.suggestions)))

    monkeypatch.setattr(AnnotateScreen, "_suggested", spy)
    async with make_app(suggest_steps=(("rules",), ("ner",))).run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = screen_of(pilot.app)
        assert [last for last, *_ in steps] == [False, True]
        assert 0 < steps[0][1] < steps[1][1]  # rules stored and drawn first, NER added later
        assert steps[0][2] > 0
        assert "Đảng bộ huyện Đồng Văn" in shown(screen)
    assert {row[1] for row in db_suggestions(app_db)} == {"rules", "ner"}


async def test_results_for_an_article_no_longer_open_are_ignored(make_app) -> None:
    async with make_app().run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = screen_of(pilot.app)
        screen.open_article(2)
        await settle(pilot)
        before = list(screen.view.suggestions)
        screen._suggested(1, True)  # a late result of article 1
        assert screen.article is not None and screen.article.id == 2
        assert screen.view.suggestions == before
        assert all(screen.view.text[m.start : m.end] == m.text for m in before)


async def test_accept_reject_and_jump_keys(make_app, app_db: Path) -> None:
    async with make_app().run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = screen_of(pilot.app)
        view = screen.view
        first = view.suggestions[0]
        await pilot.press("full_stop")  # the cursor is at the top: to the first one
        assert view.cursor_range[0] == first.start
        await pilot.press("full_stop")
        assert view.cursor_range[0] == view.suggestions[1].start
        await pilot.press("comma")
        assert view.cursor_range[0] == first.start
        assert screen.message.startswith(f"suggestion 1/{len(view.suggestions)}: ORGAN")
        assert "(a accept, x reject)" in screen.message
        await pilot.press("a")
        assert db_spans(app_db) == [("ORGANIZATION", ORG, "suggestion:rules")]
        assert [m.text for m in view.spans] == [ORG]
        assert first.id not in [m.id for m in view.suggestions]
        assert screen.message.startswith(f"✓ saved: accept ORGANIZATION ‘{ORG}’ · next: ")
        # the cursor moved on to the next pending suggestion
        assert view.suggestions_at_cursor()[0] == view.suggestions[0]
        rejected = view.suggestions[0]
        await pilot.press("x")
        assert screen.message.startswith("✓ saved: rejected ORGANIZATION")
        assert rejected.id not in [m.id for m in view.suggestions]
        assert view.suggestions_at_cursor()[0] == view.suggestions[0]
        await pilot.press("u")  # the rejected one comes back, under the cursor
        assert view.suggestions_at_cursor() == [rejected]
        await pilot.press("x")
    rows = db_suggestions(app_db)
    assert (ORG, "rules", "accepted", "tester") in rows
    assert (rejected.text, "rules", "rejected", "tester") in rows


async def test_deciding_the_last_suggestion_says_how_many_are_before_it(make_app) -> None:
    async with make_app().run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = screen_of(pilot.app)
        view = screen.view
        total = len(view.suggestions)
        assert total > 1
        await pilot.press("comma")  # from the top, round to the last one
        assert view.cursor_range[0] == view.suggestions[-1].start
        await pilot.press("x")
        assert f"none after this one; {total - 1} before it (. goes round)" in screen.message
        await pilot.press("full_stop")
        assert view.cursor_range[0] == view.suggestions[0].start


async def test_a_message_about_the_suggestion_here_goes_when_the_cursor_leaves_it(
    make_app,
) -> None:
    async with make_app().run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = screen_of(pilot.app)
        view = screen.view
        await pilot.press("full_stop")
        assert screen.message.startswith("suggestion 1/")
        await pilot.press("G")  # far away: "a accept" would not mean that suggestion
        assert view.cursor_range[0] > view.suggestions[0].end
        assert screen.message == ""
        await pilot.press("comma", "a")
        assert " · next: " in screen.message
        saved = screen.message.partition(" · next: ")[0]
        await pilot.press("g")
        assert screen.message == saved  # what was saved stays said


async def test_label_key_on_a_suggestion_corrects_its_label(make_app, app_db: Path) -> None:
    async with make_app().run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = screen_of(pilot.app)
        view = screen.view
        view.move_to_offset(view.text.find(RESOLUTION) + 3)
        [mark] = view.suggestions_at_cursor()
        assert (mark.text, mark.label) == (RESOLUTION, "RESOLUTION")
        view.move_to_offset(view.text.find(RESOLUTION))
        await pilot.press(*["shift+right"] * 5)
        assert view.text[slice(*view.selection)] == RESOLUTION
        await pilot.press("o")  # exactly the suggested range, with the label the user chose
        assert db_spans(app_db) == [("ORGANIZATION", RESOLUTION, "corrected:rules")]
        assert screen.message == f"✓ saved: corrected RESOLUTION → ORGANIZATION ‘{RESOLUTION}’"
        assert (RESOLUTION, "rules", "rejected", "tester") in db_suggestions(app_db)
        await pilot.press("u")
        assert db_spans(app_db) == []
        assert view.suggestions_at_cursor() == [mark]
        view.move_to_offset(view.text.find(RESOLUTION))
        await pilot.press(*["shift+right"] * 5, "r")  # the suggested label: accepted
        assert db_spans(app_db) == [("RESOLUTION", RESOLUTION, "suggestion:rules")]
        await pilot.press("u")
        view.move_to_offset(view.text.find(RESOLUTION) + len(RESOLUTION) - 2)
        assert view.selection is None
        await pilot.press("o")  # the cursor on its last word: the whole suggestion
        assert db_spans(app_db) == [("ORGANIZATION", RESOLUTION, "corrected:rules")]


async def test_a_new_tag_is_proposed_again_in_the_open_article(make_app, app_db: Path) -> None:
    async with make_app().run_test(size=SIZE) as pilot:
        await settle(pilot)
        view = screen_of(pilot.app).view
        caption = "Tả Phìn (phải)"
        first = view.text.find(caption)
        second = view.text.find(caption, first + 1)
        assert second > first >= 0 and "Tả Phìn" not in shown(screen_of(pilot.app))
        view.move_to_offset(first)
        await pilot.press("f")
        assert db_spans(app_db) == [("FIGURE", "Tả Phìn", "manual")]
        await settle(pilot)  # the memory source re-ran in the background
        memory = [m for m in view.suggestions if m.start == second]
        assert [(m.text, m.label) for m in memory] == [("Tả Phìn", "FIGURE")]
    assert ("Tả Phìn", "memory", "pending", None) in db_suggestions(app_db)


async def test_accept_off_a_suggestion_says_so(make_app, app_db: Path) -> None:
    async with make_app().run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = screen_of(pilot.app)
        screen.view.move_to_offset(screen.view.text.find("luôn chú trọng"))
        await pilot.press("a", "x")
        assert "no suggestion under the cursor" in screen.message
    assert db_spans(app_db) == []
    assert {row[2] for row in db_suggestions(app_db)} == {"pending"}


async def test_undo_of_an_accept_brings_the_suggestion_back(make_app, app_db: Path) -> None:
    async with make_app().run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = screen_of(pilot.app)
        view = screen.view
        count = len(view.suggestions)
        view.move_to_offset(view.text.find(RESOLUTION) + 3)
        await pilot.press("a")
        assert [m.text for m in view.spans] == [RESOLUTION]
        assert len(view.suggestions) == count - 1
        await pilot.press("u")
        assert view.spans == []
        assert len(view.suggestions) == count
        assert f"{count} suggestions" in str(screen.query_one("#legend").render())
    assert db_spans(app_db) == []
    assert (RESOLUTION, "rules", "pending", None) in db_suggestions(app_db)


async def test_rejected_stays_rejected_after_reopening(make_app, app_db: Path) -> None:
    async with make_app().run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = screen_of(pilot.app)
        screen.view.move_to_offset(screen.view.text.find("My Ly"))
        await pilot.press("x")
        assert "My Ly" not in shown(screen)
        await pilot.press("q")
    async with make_app().run_test(size=SIZE) as pilot:  # restart: recomputes (cached)
        await settle(pilot)
        screen = screen_of(pilot.app)
        assert screen.article is not None and screen.article.id == 1
        assert "My Ly" not in shown(screen) and ORG in shown(screen)
        screen.open_article(2)
        await settle(pilot)
        screen.open_article(1)
        await settle(pilot)
        assert "My Ly" not in shown(screen)
    assert ("My Ly", "byline", "rejected", "tester") in db_suggestions(app_db)


async def test_accept_all_is_one_undoable_action(make_app, app_db: Path) -> None:
    async with make_app().run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = screen_of(pilot.app)
        view = screen.view
        expected = sorted(shown(screen))
        await pilot.press("A")
        # (one of them ends inside underthesea's word 'Đồng Văn hiện': the message says so)
        assert screen.message.startswith(f"✓ saved: accept all: {len(expected)} suggestions")
        assert view.suggestions == []
        assert sorted(m.text for m in view.spans) == expected
        assert "suggestion" not in str(screen.query_one("#legend").render())
        origins = {origin for _, _, origin in db_spans(app_db)}
        assert origins == {"suggestion:rules", "suggestion:byline"}
        await pilot.press("A")
        assert screen.message == "no pending suggestions in this article"
        await pilot.press("u")
        assert view.spans == [] and sorted(shown(screen)) == expected
    assert db_spans(app_db) == []


async def test_tag_all_occurrences_of_the_span_under_the_cursor(make_app, app_db: Path) -> None:
    async with make_app(suggest_steps=()).run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = screen_of(pilot.app)
        view = screen.view
        await pilot.press("t")
        assert screen.message == "put the cursor on a span to tag all its occurrences"
        view.move_to_offset(view.text.find(ORG))
        await pilot.press("shift+right", "shift+right", "o", "t")
        tagged = db_spans(app_db)
        assert tagged == [("ORGANIZATION", ORG, "manual"), ("ORGANIZATION", ORG, "propagated")]
        assert [m.text for m in view.spans] == [ORG, ORG]
        assert screen.message.startswith(f"✓ saved: tag all ORGANIZATION ‘{ORG}’")
        await pilot.press("t")
        assert screen.message == f"no untagged ‘{ORG}’ left in this article"
        await pilot.press("u")
        assert db_spans(app_db) == [("ORGANIZATION", ORG, "manual")]


async def test_help_lists_the_suggestion_keys(make_app) -> None:
    async with make_app(suggest_steps=()).run_test(size=SIZE) as pilot:
        await settle(pilot)
        groups = dict(screen_of(pilot.app).help_groups())
        keys = dict(groups["Suggestions"])
        assert set(keys) == {"a", "x", ".  ,", "A", "t", "c"}
        assert "Accept every pending suggestion" in keys["A"]
        assert any("Statistics" in text for _, text in groups["Articles"])


async def test_stats_screen_opens_with_the_list_filter_and_jumps(make_app, app_db: Path) -> None:
    async with make_app(suggest_steps=()).run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = screen_of(pilot.app)
        await pilot.press("F")  # "to do"
        await pilot.press("s")
        await pilot.pause()
        stats = pilot.app.screen
        assert isinstance(stats, StatsScreen)
        assert stats.filters.status == ("new", "in_progress")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        assert stats.stats is not None and stats.stats.progress is not None
        with Store(app_db) as store:
            text = store.article(3).text
        offset = text.find("Đảng")
        stats.post_message(StatsScreen.JumpTo(3, offset))
        await settle(pilot)
        assert pilot.app.screen is screen
        assert screen.article is not None and screen.article.id == 3
        assert screen.view.cursor_range[0] <= offset < screen.view.cursor_range[1]
        await pilot.press("s")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("j")  # nothing is tagged: no finding to jump to, and it says so
        assert [n.message for n in pilot.app._notifications] == [
            "No consistency findings to jump to"
        ]
        await pilot.press("escape")
        await pilot.pause()
        assert pilot.app.screen is screen


async def test_stats_jump_list_enter_opens_the_finding(make_app, app_db: Path) -> None:
    async with make_app(suggest_steps=()).run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = screen_of(pilot.app)
        view = screen.view
        view.move_to_offset(view.text.find("Đảng bộ xã Tả Phìn"))
        # tagged once, left untagged further on: a consistency finding
        await pilot.press("shift+right", "shift+right", "o")
        await pilot.press("s")
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
        for _ in range(20):
            await pilot.pause()
            if pilot.app.screen.query("#stats-jumps"):
                break
            await asyncio.sleep(0.05)
        stats = pilot.app.screen
        assert isinstance(stats, StatsScreen)
        target = stats._targets[0]
        await pilot.press("j", "enter")
        await settle(pilot)
        assert pilot.app.screen is screen
        assert screen.article is not None and screen.article.id == target.article_id
        assert screen.view.cursor_range[0] == target.start


async def test_a_failing_source_is_reported_and_keys_still_work(
    make_app, app_db: Path, monkeypatch
) -> None:
    from partybuild_tui.core import suggest

    def broken(store, article_id, sources, **options):  # noqa: ANN001, ANN003, ANN202
        raise RuntimeError("pattern file unreadable")

    monkeypatch.setattr(suggest, "update", broken)
    async with make_app().run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = screen_of(pilot.app)
        assert screen.message == "✗ suggestions failed: pattern file unreadable"
        assert not screen.suggesting and screen.view.suggestions == []
        screen.view.move_to_offset(screen.view.text.find("Huyện ủy"))
        await pilot.press("o")
    assert db_spans(app_db) == [("ORGANIZATION", "Huyện ủy", "manual")]
