"""The annotator's day around the tagging: the list pane, the mode in the footer, the help
sheet, the command palette, exporting one article, and moving on after "done"."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from textual.command import CommandPalette
from textual.widgets import Footer

from partybuild_tui.tui.screens.help import HelpScreen
from partybuild_tui.tui.widgets.panels import Legend
from tests.tui.helpers import SIZE, screen_of, settle


def footer_text(app) -> str:  # noqa: ANN001
    footer = app.screen.query_one(Footer)
    return " ".join(str(key.render()) for key in footer.children)


async def test_list_pane_hides_by_key_and_below_100_columns(make_app) -> None:
    async with make_app().run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = screen_of(pilot.app)
        left = screen.query_one("#left")
        assert left.display and not screen.has_class("-list-hidden")
        await pilot.press("L")
        assert not left.display and "hidden (L shows it)" in screen.message
        assert screen.view.has_focus
        await pilot.press("L")
        assert left.display
    async with make_app().run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = screen_of(pilot.app)
        left = screen.query_one("#left")
        assert not left.display, "80 columns: the text gets the width"
        assert screen.view.size.width > 70
        await pilot.press("l")  # focusing the list shows it
        assert left.display and screen.article_list.has_focus


async def test_the_legend_keeps_every_label_and_the_count_beside_the_list(make_app) -> None:
    async with make_app().run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = screen_of(pilot.app)
        legend = screen.query_one(Legend)
        pending = len(screen.view.suggestions)
        assert "RESOLUTION 0" in str(legend.render())  # room for the names in full
        await pilot.press("L")
        await pilot.pause()
        shown = str(legend.render())
        assert legend.size.width < 60
        assert len(shown) <= legend.size.width
        for short in ("ORG 0", "FIG 0", "RES 0", f"{pending} sugg."):
            assert short in shown, shown


async def test_footer_names_the_mode_m_switches_to(make_app) -> None:
    async with make_app().run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        assert "Syllables" in footer_text(pilot.app)
        await pilot.press("m")
        await pilot.pause()
        screen = screen_of(pilot.app)
        assert screen.view.syllable_mode
        text = footer_text(pilot.app)
        assert "Words" in text and "Syllables" not in text
        await pilot.press("m")
        assert not screen.view.syllable_mode


async def test_help_says_how_it_closes_and_how_to_correct_a_label(make_app) -> None:
    async with make_app().run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        help_screen = pilot.app.screen
        assert isinstance(help_screen, HelpScreen)
        closing = str(help_screen.query_one("#help-closing").render())
        assert "esc, q or ? closes" in closing
        keys = help_screen.keys_table()
        rows = [str(cell) for column in keys.columns for cell in column._cells]
        assert any("on a suggestion: accept it as FIGURE, correcting its label" in r for r in rows)
        await pilot.press("escape")
        assert not isinstance(pilot.app.screen, HelpScreen)


async def test_palette_offers_every_action_with_its_key(make_app, app_db: Path) -> None:
    async with make_app().run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = screen_of(pilot.app)
        titles = [title for title, _help, _callback in screen.commands()]
        for wanted in (
            "Mark the article done",
            "(D / ctrl+d)",
            "Tag as ORGANIZATION",
            "Words / syllables",
            "Statistics",
            "Export this article",
            "Hide / show",
        ):
            assert any(wanted in t for t in titles), wanted
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(pilot.app.screen, CommandPalette)
        await pilot.press(*"mark the article done")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot)
        assert screen_of(pilot.app) is screen
    with sqlite3.connect(app_db) as conn:
        row = conn.execute("SELECT status FROM article_status WHERE annotator = 'tester'")
        assert row.fetchone()[0] == "done"


async def test_export_this_article_writes_its_spans(make_app, app_db: Path) -> None:
    async with make_app().run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = screen_of(pilot.app)
        await pilot.press("shift+right", "1")
        await pilot.pause()
        article_id = screen.article.id
        await pilot.app.run_action("export_article", screen)
        await settle(pilot)
        assert "✓ exported" in screen.message
    path = app_db.parent / "exports" / "articles" / f"{article_id}-tester.jsonl"
    record = json.loads(path.read_text(encoding="utf-8"))
    assert [s["label"] for s in record["spans"]] == ["ORGANIZATION"]


async def test_done_opens_the_next_article_to_do(
    make_app, app_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PARTYBUILD_DONE_OPENS_NEXT", "1")
    async with make_app().run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = screen_of(pilot.app)
        first = screen.article.id
        left = len(screen.view.suggestions)
        assert left > 1  # the fast sources' suggestions, none decided
        await pilot.press("D")
        await settle(pilot)
        assert screen.article.id != first
        # what it leaves undecided exports as no entity: said before moving on
        assert (
            f"#{first} done · {left} suggestions left undecided · opened the next to do"
            in screen.message
        )


async def test_done_says_nothing_is_left_when_every_suggestion_is_decided(
    make_app, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PARTYBUILD_DONE_OPENS_NEXT", "0")
    async with make_app().run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = screen_of(pilot.app)
        await pilot.press("D")
        assert "left undecided" in screen.message
        await pilot.press("D")  # back in progress
        await pilot.press("A")  # accept all
        await settle(pilot)
        assert not screen.view.suggestions
        await pilot.press("D")
        assert screen.message.startswith("✓") and "undecided" not in screen.message


async def test_switching_layer_tags_in_that_layer(make_app, app_db: Path) -> None:
    async with make_app().run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.app.run_action("switch_layer", screen_of(pilot.app))
        await pilot.pause()
        await pilot.press(*"minh", "enter")
        await settle(pilot)
        screen = screen_of(pilot.app)
        assert screen.annotator == "minh" == pilot.app.annotator
        await pilot.press("shift+right", "1")
        await pilot.pause()
        await pilot.app.run_action("switch_layer", screen)
        await pilot.pause()
        await pilot.press(*"a b", "enter")  # not a name: refused, the layer stays
        await pilot.pause()
        assert screen_of(pilot.app).annotator == "minh"
        assert "invalid annotator name" in screen_of(pilot.app).message
    with sqlite3.connect(app_db) as conn:
        rows = conn.execute("SELECT DISTINCT annotator FROM spans").fetchall()
    assert rows == [("minh",)]
