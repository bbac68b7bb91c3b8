"""A long article's suggestions: re-read around each action at once, in full in a thread.

Real long articles carry thousands of suggestions; here the threshold for the thread is
lowered (``BACKGROUND_FROM``) so the seeds take the same path.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from partybuild_tui.core import tagging
from partybuild_tui.core.store import Store
from partybuild_tui.tui.analysis import Analysis
from partybuild_tui.tui.screens.annotate import AnnotateScreen
from tests.tui.helpers import SIZE, screen_of, settle


def on_disk(db: Path, article_id: int = 1) -> list[tagging.Mark]:
    """What a full read through a fresh connection says the tester's layer should see."""
    with Store(db) as store:
        return tagging.pending_marks(store, article_id, "tester")


@pytest.fixture
def long_article_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(AnnotateScreen, "BACKGROUND_FROM", 1)


@pytest.mark.usefixtures("long_article_path")
async def test_full_reads_land_from_the_thread_and_match_the_database(
    make_app, app_db: Path
) -> None:
    async with make_app().run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = screen_of(pilot.app)
        assert screen.view.suggestions == on_disk(app_db) != []
        first = screen.view.suggestions[0]
        screen.view.move_to_offset(first.start)
        await pilot.press("x")  # reject: patched around it at once
        assert first not in screen.view.suggestions
        await pilot.press("u")  # undo: back at once, from the read around it
        assert first in screen.view.suggestions
        await pilot.press("a", "d")  # accept it, delete the span: the proposal comes back
        await settle(pilot)
        assert screen.view.suggestions == on_disk(app_db)
        screen.refresh_suggestions()  # a full read, in the thread
        await settle(pilot)
        assert screen.view.suggestions == on_disk(app_db)


@pytest.mark.usefixtures("long_article_path")
async def test_a_full_read_started_before_a_change_is_not_drawn(
    make_app, app_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The thread read the suggestions, the user rejected one meanwhile: drawing that read
    would bring the rejected one back. It is dropped and a new read starts."""
    reads: list[object] = []
    monkeypatch.setattr(
        Analysis,
        "read_pending",
        lambda self, *args: reads.append(args),  # noqa: ARG005
    )
    monkeypatch.setattr(AnnotateScreen, "poll_changes", lambda self: None)  # no re-reads
    async with make_app().run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = screen_of(pilot.app)
        before = list(screen.view.suggestions)
        state = screen._suggestion_state
        reads.clear()
        screen.refresh_suggestions()
        assert len(reads) == 1
        done = reads[0][-1]
        first = before[0]
        screen.view.move_to_offset(first.start)
        await pilot.press("x")
        assert first not in screen.view.suggestions
        done(1, state, before)  # the read lands, taken before the reject
        assert first not in screen.view.suggestions
        assert len(reads) == 2  # read again
        reads[1][-1](1, state, on_disk(app_db))
        assert screen.view.suggestions == on_disk(app_db)
        assert first not in screen.view.suggestions


@pytest.mark.usefixtures("long_article_path")
async def test_a_long_article_opens_before_its_suggestions_are_read(make_app, app_db: Path) -> None:
    async with make_app().run_test(size=SIZE) as pilot:
        await settle(pilot)  # article 1's suggestions are stored by now
        screen = screen_of(pilot.app)
        screen.open_article(1)
        assert screen.view.text and screen.view.suggestions == []  # the text first
        await settle(pilot)
        assert screen.view.suggestions == on_disk(app_db) != []
        assert "suggestions" in str(screen.query_one("#legend").render())


@pytest.mark.usefixtures("long_article_path")
async def test_memory_proposals_after_a_tag_are_drawn_where_they_are(
    make_app, app_db: Path
) -> None:
    """A tag teaches memory: its run lands with the places it changed, which alone are read
    again; the screen then shows what a full read shows, the form proposed elsewhere."""
    async with make_app().run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = screen_of(pilot.app)
        view = screen.view
        assert not any(m.source == "memory" for m in view.suggestions)
        view.move_to_offset(view.text.index("Đồng Văn"))
        await pilot.press("o")
        await settle(pilot)
        assert view.suggestions == on_disk(app_db)
        taught = [m for m in view.suggestions if m.source == "memory"]
        assert len(taught) >= 2 and {m.text for m in taught} == {"Đồng Văn"}


@pytest.mark.usefixtures("long_article_path")
async def test_after_a_decision_memory_is_still_patched_in_not_read_in_full(
    make_app, app_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reject changes the layer's suggestion state; the screen knows the state after it
    (read in the reject's transaction), so memory's run after the next tag, which starts
    from that state, is patched in where it changed: no full read in the thread."""
    reads: list[object] = []
    read = Analysis.read_pending

    def counted(self: Analysis, *args: object) -> None:
        reads.append(args)
        read(self, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(Analysis, "read_pending", counted)
    async with make_app().run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = screen_of(pilot.app)
        view = screen.view
        reads.clear()
        view.move_to_offset(view.suggestions[0].start)
        await pilot.press("x")
        view.move_to_offset(view.text.index("Đồng Văn"))
        await pilot.press("o")
        await settle(pilot)
        assert any(m.source == "memory" for m in view.suggestions)
        assert view.suggestions == on_disk(app_db)
        assert reads == []
