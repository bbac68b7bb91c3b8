"""Frame pacing: a screen repaints as soon as it has something new, at most once a frame.

Textual repaints a screen from an interval timer (``MAX_FPS``, 60 a second) that is paused
while nothing is dirty. Resumed after a pause it paints at once, but its catch-up arithmetic
then schedules the next tick one to two frames ahead instead of at most one: the second
repaint a key causes (the status line's "✓ saved" after the drawn span, a mode after the
selection) waited 17-33 ms instead of 0-17. ``FramePaced`` screens use ``FramePacer``,
which keeps the cap and drops the extra frame.
"""

from __future__ import annotations

from typing import Any

from textual import _time
from textual.screen import UPDATE_PERIOD
from textual.timer import EventTargetGone, Timer


class FramePacer(Timer):
    """A paused-until-needed timer that ticks when resumed, but never sooner than one
    interval after its last tick."""

    clock = staticmethod(_time.get_time)
    sleep = staticmethod(_time.sleep)  # Textual's: high resolution on Windows

    async def _run(self) -> None:
        last = -self._interval
        while True:
            await self._active.wait()
            wait = last + self._interval - self.clock()
            if wait > 0:
                await self.sleep(wait)
                await self._active.wait()
            last = self.clock()
            try:
                await self._tick(next_timer=last, count=0)
            except EventTargetGone:
                break


class FramePaced:
    """Mixed into a ``Screen``: its repaints are paced by a ``FramePacer`` (the screen's
    ``_update_timer``, which Textual resumes when something is dirty and pauses on each
    tick)."""

    _frame_pacer: FramePacer | None = None

    @property
    def _update_timer(self) -> Timer:
        if self._frame_pacer is None:
            screen: Any = self
            pacer = FramePacer(
                screen,
                UPDATE_PERIOD,
                name="screen_update",
                callback=screen._on_timer_update,
                pause=True,
            )
            pacer._start()
            screen._timers.add(pacer)  # stopped with the screen's other timers
            self._frame_pacer = pacer
        return self._frame_pacer
