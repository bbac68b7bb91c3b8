"""Shared constants and waits for the TUI tests."""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot

ROOT = Path(__file__).resolve().parents[2]
SIZE = (120, 36)


async def settle(pilot: Pilot) -> None:
    """Wait for the segmentation worker and the repaint that follows it."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
