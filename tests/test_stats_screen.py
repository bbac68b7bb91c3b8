"""The stats screen in a tiny host app: figures appear, a finding jumps, escape closes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from rich.console import Console
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import OptionList, Static

from partybuild_tui.core.stats import StatsFilter
from partybuild_tui.core.store import Store
from partybuild_tui.render.agreement import HOW_TO
from partybuild_tui.tui.screens.stats import StatsScreen
from tests import agreement_fixture
from tests.stats_fixture import Fixture, build


class Host(App[None]):
    """Stands in for the annotator app: pushes the screen, records jump requests."""

    def __init__(self, screen: StatsScreen) -> None:
        super().__init__()
        self.stats_screen = screen
        self.jumps: list[tuple[int, int]] = []

    def on_mount(self) -> None:
        self.push_screen(self.stats_screen)

    def on_stats_screen_jump_to(self, message: StatsScreen.JumpTo) -> None:
        self.jumps.append((message.article_id, message.offset))


@pytest.fixture
def fx(db_path: Path) -> Fixture:
    with Store(db_path) as store:
        return build(store)


async def computed(pilot: Pilot[None]) -> None:
    """Let the screen mount and start its worker, then wait for the figures to be shown."""
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def text_of(widget: Static) -> str:
    console = Console(record=True, width=100, file=open(os.devnull, "w"))  # noqa: SIM115
    console.print(widget.content)
    return console.export_text()


async def test_shows_figures_and_jumps(db_path: Path, fx: Fixture) -> None:
    app = Host(StatsScreen(db_path))
    async with app.run_test(size=(110, 50)) as pilot:
        await computed(pilot)
        screen = app.stats_screen
        assert screen.stats is not None and screen.stats.progress is not None
        assert screen.stats.progress.spans == 7
        progress = text_of(screen.query_one("#stats-progress", Static))
        assert "40.0% done" in progress
        suggestions = text_of(screen.query_one("#stats-suggestions", Static))
        assert "Acceptance by source" in suggestions
        assert "Against accepted spans: 2 articles done" in suggestions
        gazetteer_all = next(
            line for line in suggestions.splitlines() if "gazetteer" in line and "(all)" in line
        )  # gold, pred, exact P R F1, overlap P R F1 (see test_stats.test_suggestions)
        assert gazetteer_all.split()[2:] == "6 3 66.7 33.3 44.4 100.0 50.0 66.7".split()
        jumps = screen.query_one("#stats-jumps", OptionList)
        assert jumps.option_count == 5  # 2 conflict places, 1 + 2 untagged places
        await pilot.press("j")
        assert jumps.has_focus
        await pilot.press("down", "enter")  # the second: the ORGANIZATION "Nguyễn Văn Hoà"
        await pilot.pause()
        assert app.jumps == [(fx.ids[2], fx.offset(2, "Nguyễn Văn Hoà"))]
        await pilot.press("down", "enter")  # an untagged "Tỉnh ủy Hà Giang" (most untagged)
        await pilot.pause()
        assert app.jumps[-1] == (fx.ids[1], fx.offset(1, "Tỉnh ủy Hà Giang"))
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is not screen


async def test_filter_and_refresh(db_path: Path, fx: Fixture) -> None:
    app = Host(StatsScreen(db_path, StatsFilter(annotator="binh"), top=3))
    async with app.run_test(size=(110, 50)) as pilot:
        await computed(pilot)
        screen = app.stats_screen
        assert "annotator binh" in str(screen.query_one("#stats-title", Static).content)
        assert screen.stats is not None and screen.stats.progress is not None
        assert screen.stats.progress.spans == 3
        with Store(db_path) as store:  # the app tags meanwhile; r recomputes
            store.tag(fx.ids[3], 0, 14, "ORGANIZATION", "binh", replace=False)
        await pilot.press("r")
        await computed(pilot)
        assert screen.stats.progress.spans == 4
        assert len(screen.query(".stats-section")) == 6


async def test_missing_database_shows_error(tmp_path: Path) -> None:
    app = Host(StatsScreen(tmp_path / "missing.db"))
    async with app.run_test() as pilot:
        await computed(pilot)
        status = app.stats_screen.query_one("#stats-status", Static)
        assert "does not exist" in str(status.content)
        assert not (tmp_path / "missing.db").exists()


def test_screen_snapshot(db_path: Path, fx: Fixture, snap_compare) -> None:  # type: ignore[no-untyped-def]
    """What the screen looks like at 110x40 (pytest --snapshot-update rewrites it)."""

    assert snap_compare(Host(StatsScreen(db_path)), terminal_size=(110, 40), run_before=computed)


async def test_sort_keys_reorder_the_article_table(db_path: Path, fx: Fixture) -> None:
    app = Host(StatsScreen(db_path))
    async with app.run_test(size=(110, 50)) as pilot:
        await computed(pilot)
        screen = app.stats_screen
        assert screen.stats is not None and screen.stats.articles is not None
        assert [r.id for r in screen.stats.articles.rows] == [fx.ids[3], fx.ids[2], fx.ids[1]]
        await pilot.press("o")  # density -> id
        await computed(pilot)
        assert screen.sort == "id"
        assert [r.id for r in screen.stats.articles.rows] == [fx.ids[1], fx.ids[2], fx.ids[3]]
        await pilot.press("O")
        await computed(pilot)
        assert [r.id for r in screen.stats.articles.rows] == [fx.ids[3], fx.ids[2], fx.ids[1]]
        table = text_of(screen.query_one("#stats-per-article", Static))
        assert "by id (descending)" in table
        assert screen.stats.progress is not None  # the other sections are kept


async def test_agreement_section(db_path: Path) -> None:
    """With two annotators done on the same articles the section shows their figures."""
    with Store(db_path) as store:
        agreement_fixture.build(store)
    app = Host(StatsScreen(db_path))
    async with app.run_test(size=(130, 50)) as pilot:
        await computed(pilot)
        screen = app.stats_screen
        assert screen.stats is not None and screen.stats.agreement is not None
        assert screen.stats.agreement.alpha == pytest.approx(0.45)
        text = text_of(screen.query_one("#stats-agreement", Static))
        assert "hoa, lan, minh on 2 articles" in text and "Krippendorff's α 0.450" in text
        assert "Chi bộ thôn Úc" in text


async def test_agreement_section_says_how(db_path: Path, fx: Fixture) -> None:
    app = Host(StatsScreen(db_path))
    async with app.run_test(size=(110, 50)) as pilot:
        await computed(pilot)
        text = text_of(app.stats_screen.query_one("#stats-agreement", Static))
        assert text.splitlines()[1:] == [HOW_TO]
