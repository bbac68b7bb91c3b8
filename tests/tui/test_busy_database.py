"""Changes are committed by the app's writer thread, never on the UI thread: keys keep working,
"saving…" until each commit, and while another process holds the write lock they wait and are
saved in order after."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from textual import events
from textual.pilot import Pilot

from partybuild_tui.core.store import Store
from partybuild_tui.tui.app import PartybuildApp
from partybuild_tui.tui.screens import annotate
from partybuild_tui.tui.screens.annotate import AnnotateScreen
from partybuild_tui.tui.widgets.article_view import ArticleView
from tests.tui.helpers import SIZE, screen_of, settle, until

ORG = "Đảng bộ huyện Đồng Văn"
PLAIN: tuple[tuple[str, ...], ...] = ()


@contextmanager
def locked(db: Path) -> Iterator[sqlite3.Connection]:
    """Another process's writer holding the lock (as an import or a merge does)."""
    other = sqlite3.connect(db, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        yield other
    finally:
        if other.in_transaction:
            other.execute("COMMIT")
        other.close()


async def on_the_organization(pilot: Pilot) -> tuple[AnnotateScreen, ArticleView]:
    """The settled annotate screen, its cursor on the organization's first word."""
    await settle(pilot)
    screen = screen_of(pilot.app)
    screen.view.move_to_offset(screen.view.text.index(ORG))
    return screen, screen.view


async def test_a_key_draws_its_change_says_saving_and_the_writer_commits_it(
    app_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The UI thread only draws: the commit runs in the writer's thread, and until it
    comes back the status line says "saving…" (then, past 25 ms, that it waits)."""
    release = threading.Event()
    committed_in: list[str] = []
    carry_out = annotate._carry_out

    def held(*args: Any) -> Any:
        committed_in.append(threading.current_thread().name)
        release.wait(10)
        return carry_out(*args)

    monkeypatch.setattr(annotate, "_carry_out", held)
    monkeypatch.setattr(annotate, "WAITING_AFTER_S", 0.3)
    app = PartybuildApp(app_db, "lan", suggest_steps=PLAIN)
    async with app.run_test(size=SIZE) as pilot:
        screen, view = await on_the_organization(pilot)
        app.post_message(events.Key("o", "o"))
        assert await until(pilot, lambda: screen.message == "saving…", polls=2)
        assert [(m.text, m.id) for m in view.spans] == [("Đảng bộ", -1)]  # drawn, not saved
        assert await until(pilot, lambda: screen.message.startswith("waiting for"), polls=2)
        release.set()
        assert await until(pilot, lambda: screen.message.startswith("✓ saved"))
        assert [m.id > 0 for m in view.spans] == [True]
    assert committed_in == ["partybuild-writer"]
    with Store(app_db) as store:
        assert [s.text for s in store.spans(1, "lan")] == ["Đảng bộ"]


async def test_a_tag_on_a_locked_database_shows_at_once_and_is_saved_when_free(
    app_db: Path,
) -> None:
    app = PartybuildApp(app_db, "lan", suggest_steps=PLAIN)
    async with app.run_test(size=SIZE) as pilot:
        screen, view = await on_the_organization(pilot)
        with locked(app_db):
            await pilot.press("shift+right", "shift+right", "o")
            assert screen.message.startswith("waiting for the database")
            assert [(m.label, m.text, m.id) for m in view.spans] == [("ORGANIZATION", ORG, -1)]
            view.move_to_offset(view.text.index("Huyện ủy"))
            await pilot.press("right", "left")  # the keys still move the cursor
            await pilot.press("f")  # a second tag waits behind the first, in order
            assert "1 more key(s) after it" in screen.message
            await pilot.pause(0.2)
            with Store(app_db) as reader:
                assert reader.spans(1, "lan") == []  # nothing written while locked
        assert await until(pilot, lambda: screen.message.startswith("✓ saved"))
        assert [(m.label, m.text) for m in view.spans] == [
            ("ORGANIZATION", ORG),
            ("FIGURE", "Huyện ủy"),
        ]
        assert all(m.id > 0 for m in view.spans)
        await pilot.press("u")  # undo knows both as this window's
        assert screen.message.startswith("✓ undone")
    with Store(app_db) as store:
        assert [(s.label, s.text) for s in store.spans(1, "lan")] == [("ORGANIZATION", ORG)]


async def test_a_change_the_writer_cannot_save_is_taken_back_from_the_screen(
    app_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pressed = threading.Event()

    def broken(*_args: object) -> object:
        pressed.wait(10)  # fails once the keys after it were pressed
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(annotate, "_carry_out", broken)
    app = PartybuildApp(app_db, "lan", suggest_steps=PLAIN)
    async with app.run_test(size=SIZE) as pilot:
        screen, view = await on_the_organization(pilot)
        with locked(app_db):
            await pilot.press("shift+right", "o", "u")
            assert len(view.spans) == 1  # drawn while it waits
            pressed.set()
        assert await until(pilot, lambda: screen.message.startswith("✗ not saved"))
        assert "disk I/O error" in screen.message or "database" in screen.message
        assert "1 key(s) after it not applied" in screen.message
        assert view.spans == []  # the screen shows what is on disk again
    with Store(app_db) as store:
        assert store.spans(1, "lan") == []


async def test_quitting_waits_for_the_changes_still_waiting(app_db: Path) -> None:
    app = PartybuildApp(app_db, "lan", suggest_steps=PLAIN)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        view = screen_of(app).view
        view.move_to_offset(view.text.index("My Ly"))
        with locked(app_db) as other:
            await pilot.press("f")
            quitting = pilot.press("q")
            other.execute("COMMIT")  # the other process finishes while the app quits
            await quitting
    with Store(app_db) as store:
        assert [(s.label, s.text) for s in store.spans(1, "lan")] == [("FIGURE", "My Ly")]
