"""What each repaint shows, and how soon a screen may repaint again (frames.py)."""

from __future__ import annotations

import asyncio

import pytest
from textual._context import active_app

from partybuild_tui.tui import frames
from partybuild_tui.tui.widgets.panels import StatusLine
from tests.tui.helpers import SIZE, screen_of, settle

PLAIN: tuple[tuple[str, ...], ...] = ()


async def test_the_status_line_follows_a_selection_as_it_is_made(make_app) -> None:
    """The status line is updated as the view's place is set (so in the repaint that shows
    the selection), not by a message handled later: Textual may paint the view first and
    the status line a frame, 17 ms, after."""
    async with make_app(PLAIN).run_test(size=SIZE) as pilot:
        await settle(pilot)
        view = screen_of(pilot.app).view
        status = pilot.app.screen.query_one(StatusLine)
        at = view.text.find("Đồng Văn")
        view.move_to_offset(at)
        assert "chars selected" not in str(status.render())
        view.move_to_offset(at + len("Đồng Văn") - 1, extend=True)  # no await in between
        assert view.selection is not None
        assert "chars selected" in str(status.render())
        view.action_toggle_mode()
        assert "syllables" in str(status.render())


async def test_every_screen_repaints_through_a_pacer_that_stops_with_it(make_app) -> None:
    async with make_app(PLAIN).run_test(size=SIZE) as pilot:
        await settle(pilot)
        annotate = pilot.app.screen
        assert isinstance(annotate._update_timer, frames.FramePacer)
        await pilot.press("question_mark")
        helper = pilot.app.screen
        assert helper is not annotate
        pacer = helper._update_timer
        assert isinstance(pacer, frames.FramePacer)
        await pilot.press("escape")
        await pilot.pause()
        assert pilot.app.screen is annotate
        assert pacer._task is None or pacer._task.done()


class Target:
    """What a pacer ticks for: it pauses the pacer on each tick, as a screen does."""

    def __init__(self) -> None:
        self.ticks: list[float] = []
        self.pacer: frames.FramePacer | None = None

    def tick(self) -> None:
        assert self.pacer is not None
        self.pacer.pause()
        self.ticks.append(self.pacer.clock())


class App:
    """What a timer's tick asks of the running app."""

    _exit = False
    features: frozenset[str] = frozenset()

    def _handle_exception(self, error: Exception) -> None:
        raise error


async def test_the_pacer_repaints_at_once_or_one_frame_after_the_last() -> None:
    """Resumed long after its last tick it ticks at once; resumed just after one, it waits the
    rest of that frame (Textual's own timer waited up to two)."""
    clock = [100.0]
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        clock[0] += seconds

    class Pacer(frames.FramePacer):
        pass

    Pacer.clock = staticmethod(lambda: clock[0])  # type: ignore[method-assign]
    Pacer.sleep = staticmethod(sleep)  # type: ignore[method-assign]
    active_app.set(App())  # type: ignore[arg-type]
    target = Target()
    frame = 1 / 60
    pacer = Pacer(target, frame, callback=target.tick, pause=True)  # type: ignore[arg-type]
    target.pacer = pacer
    pacer._start()

    async def resume_and_run() -> None:
        pacer.resume()
        for _ in range(5):
            await asyncio.sleep(0)

    try:
        await resume_and_run()
        assert target.ticks == [100.0] and slept == []  # at once
        clock[0] += 0.004
        await resume_and_run()
        assert slept == [pytest.approx(frame - 0.004)]  # the rest of the frame, no more
        assert target.ticks[1] == pytest.approx(100.0 + frame)
        clock[0] += 1.0
        await resume_and_run()
        assert len(slept) == 1 and target.ticks[2] == pytest.approx(101.004 + frame - 0.004)
    finally:
        pacer.stop()
