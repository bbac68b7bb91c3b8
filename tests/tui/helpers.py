"""Shared constants and waits for the TUI tests."""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot

ROOT = Path(__file__).resolve().parents[2]
SIZE = (120, 36)


async def settle(pilot: Pilot) -> None:
    """Wait for segmentation, the suggestion steps it starts, and the repaint after them."""
    for _ in range(200):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        screen = pilot.app.screen
        busy = getattr(screen, "suggesting", False)
        if not busy and not any(w.is_running for w in pilot.app.workers):
            return
    raise AssertionError("workers did not settle")
