"""Shared constants and waits for the TUI tests."""

from __future__ import annotations

import contextlib
from pathlib import Path

from textual.app import App
from textual.pilot import Pilot
from textual.worker import WorkerFailed

from partybuild_tui.tui.screens.annotate import POLL_S, AnnotateScreen

ROOT = Path(__file__).resolve().parents[2]
SIZE = (120, 36)


async def settle(pilot: Pilot) -> None:
    """Wait for segmentation, the suggestion steps it starts, and the repaint after them."""
    for _ in range(200):
        with contextlib.suppress(WorkerFailed):  # failures are the app's to report
            await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        screen = pilot.app.screen
        busy = getattr(screen, "suggesting", False)
        if not busy and not any(w.is_running for w in pilot.app.workers):
            return
    raise AssertionError("workers did not settle")


def screen_of(app: App[None]) -> AnnotateScreen:
    """The annotate screen, which must be the one on top."""
    screen = app.screen
    assert isinstance(screen, AnnotateScreen)
    return screen


async def until(pilot: Pilot, check, polls: int = 10) -> bool:  # noqa: ANN001
    """Let the app run through up to ``polls`` poll intervals until ``check()`` holds."""
    for _ in range(polls * 4):
        if check():
            return True
        await pilot.pause(POLL_S / 4)
    return bool(check())
