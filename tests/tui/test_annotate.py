"""Drive the annotator like a user and check the database after every kind of key."""

from __future__ import annotations

import io
import sqlite3
from pathlib import Path

from rich.console import Console

from partybuild_tui.core.store import Store
from partybuild_tui.tui.screens.annotate import AnnotateScreen
from partybuild_tui.tui.screens.help import HelpScreen
from partybuild_tui.tui.widgets.article_list import ArticleList
from partybuild_tui.tui.widgets.article_view import ArticleView, Mark
from tests.tui.helpers import SIZE, screen_of, settle

ORG = "Đảng bộ huyện Đồng Văn"
RESOLUTION = "Nghị quyết TW 4 (khóa XII)"

# No suggestion sources: here a label key tags the word itself (on a pending suggestion it
# takes the whole suggestion, tested in test_suggestions.py).
PLAIN: tuple[tuple[str, ...], ...] = ()


def spans(db: Path, article_id: int = 1) -> list[tuple[str, str]]:
    """(label, text) of every span, read through a fresh connection: what is on disk."""
    with Store(db) as store:
        return [(s.label, s.text) for s in store.spans(article_id)]


def status(db: Path, article_id: int) -> str:
    with Store(db) as store:
        return store.article(article_id).status


def put_cursor(view: ArticleView, phrase: str) -> None:
    offset = view.text.find(phrase)
    assert offset >= 0, phrase
    view.move_to_offset(offset)


async def test_opens_the_first_article_and_its_first_action_starts_it(
    make_app, app_db: Path
) -> None:
    async with make_app(PLAIN).run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = screen_of(pilot.app)
        assert screen.article is not None and screen.article.id == 1
        assert screen.view.segmented
        assert screen.view.has_focus
        status_text = str(screen.query_one("#status").render())
        assert "article 1 of 5" in status_text and "tester" in status_text
        assert status(app_db, 1) == "new"  # opening changes nothing
        put_cursor(screen.view, "Huyện ủy")
        await pilot.press("o")
        assert status(app_db, 1) == "in_progress"  # the first action does
        await pilot.press("u")
        assert status(app_db, 1) == "new"  # and undoing it makes the article new again
    assert status(app_db, 2) == "new"


async def test_label_keys_tag_words_and_selections(make_app, app_db: Path) -> None:
    async with make_app(PLAIN).run_test(size=SIZE) as pilot:
        await settle(pilot)
        view = screen_of(pilot.app).view
        put_cursor(view, ORG)
        await pilot.press("shift+right", "shift+right")
        assert view.text[slice(*view.selection)] == ORG
        await pilot.press("o")
        assert view.selection is None
        assert spans(app_db) == [("ORGANIZATION", ORG)]
        assert view.text[slice(*view.cursor_range)] == "Đồng Văn"  # last word: → goes on
        await pilot.press("right")
        assert view.text[slice(*view.cursor_range)] == "luôn"
        put_cursor(view, "Huyện ủy")
        await pilot.press("1")
        put_cursor(view, RESOLUTION)
        await pilot.press(*["shift+right"] * 5)
        assert view.text[slice(*view.selection)] == RESOLUTION
        await pilot.press("3")
        put_cursor(view, "Chỉ thị số 05")
        await pilot.press("shift+right", "shift+right", "r")
        put_cursor(view, "My Ly")
        await pilot.press("2")
        assert "saved: tag FIGURE" in screen_of(pilot.app).message
        assert ("FIGURE", "My Ly") in spans(app_db)
        legend = str(screen_of(pilot.app).query_one("#legend").render())
        assert "ORGANIZATION 2" in legend and "RESOLUTION 2" in legend and "FIGURE 1" in legend
    assert sorted(spans(app_db)) == sorted(
        [
            ("ORGANIZATION", ORG),
            ("ORGANIZATION", "Huyện ủy"),
            ("RESOLUTION", RESOLUTION),
            ("RESOLUTION", "Chỉ thị số 05"),
            ("FIGURE", "My Ly"),
        ]
    )


async def test_f_key_and_relabel_and_overlap_replaces(make_app, app_db: Path) -> None:
    async with make_app(PLAIN).run_test(size=SIZE) as pilot:
        await settle(pilot)
        view = screen_of(pilot.app).view
        put_cursor(view, "Đồng Văn luôn")
        await pilot.press("f")
        assert spans(app_db) == [("FIGURE", "Đồng Văn")]
        await pilot.press("o")  # cursor inside the span, no selection: relabel
        assert spans(app_db) == [("ORGANIZATION", "Đồng Văn")]
        await pilot.press("o")
        assert "already ORGANIZATION" in screen_of(pilot.app).message
        put_cursor(view, ORG)
        await pilot.press("shift+right", "shift+right", "o")  # overlaps: replaces
        assert spans(app_db) == [("ORGANIZATION", ORG)]
        with Store(app_db) as store:
            kinds = [h["kind"] for h in store.history(1)]
        assert kinds == ["tag", "relabel", "tag"]


async def test_a_change_the_store_makes_nothing_of_is_put_back_on_screen(
    make_app, app_db: Path
) -> None:
    """The same tag again is drawn at once (a new span over the old) and the store says
    nothing changed: the screen shows the stored span again, not the drawing's."""
    async with make_app(PLAIN).run_test(size=SIZE) as pilot:
        await settle(pilot)
        view = screen_of(pilot.app).view
        put_cursor(view, ORG)
        await pilot.press("shift+right", "shift+right", "o")
        stored = view.spans
        assert [(m.label, m.text) for m in stored] == [("ORGANIZATION", ORG)]
        assert stored[0].id > 0
        put_cursor(view, ORG)
        await pilot.press("shift+right", "shift+right", "o")
        assert screen_of(pilot.app).message == "nothing changed"
        assert view.spans == stored  # its id, not the drawing's -1
        with Store(app_db) as store:
            assert [s.id for s in store.spans(1)] == [stored[0].id]


async def test_protect_mode_refuses_overlapping_tags(make_app, app_db: Path) -> None:
    async with make_app(PLAIN).run_test(size=SIZE) as pilot:
        await settle(pilot)
        view = screen_of(pilot.app).view
        put_cursor(view, "Đồng Văn luôn")
        await pilot.press("f")
        await pilot.press("P")
        assert "protect spans on" in screen_of(pilot.app).message
        put_cursor(view, ORG)
        await pilot.press("shift+right", "shift+right", "o")  # overlaps: refused, kept
        assert spans(app_db) == [("FIGURE", "Đồng Văn")]
        assert "overlaps existing spans" in screen_of(pilot.app).message
        put_cursor(view, "Chỉ thị số 05")
        await pilot.press("shift+right", "shift+right", "r")  # free text: tagged as usual
        assert ("RESOLUTION", "Chỉ thị số 05") in spans(app_db)
        await pilot.press("P")
        put_cursor(view, ORG)
        await pilot.press("shift+right", "shift+right", "o")  # protect off: replaces again
        assert ("ORGANIZATION", ORG) in spans(app_db)
        assert ("FIGURE", "Đồng Văn") not in spans(app_db)


async def test_delete_span_under_cursor_and_in_selection(make_app, app_db: Path) -> None:
    async with make_app().run_test(size=SIZE) as pilot:
        await settle(pilot)
        view = screen_of(pilot.app).view
        for phrase, key in (("Đảng bộ huyện", "1"), ("Huyện ủy", "1"), ("Chỉ thị", "3")):
            put_cursor(view, phrase)
            await pilot.press(key)
        assert len(spans(app_db)) == 3
        put_cursor(view, "Đảng bộ huyện")
        await pilot.press("d")
        assert len(spans(app_db)) == 2
        await pilot.press("d")
        assert "no span under the cursor" in screen_of(pilot.app).message
        put_cursor(view, "Huyện ủy")
        await pilot.press(*["shift+right"] * 20, "delete")
        assert spans(app_db) == []


async def test_undo_redo_keys_and_persistence_across_restart(make_app, app_db: Path) -> None:
    async with make_app(PLAIN).run_test(size=SIZE) as pilot:
        await settle(pilot)
        view = screen_of(pilot.app).view
        put_cursor(view, "Huyện ủy")
        await pilot.press("1")
        put_cursor(view, "Chỉ thị")
        await pilot.press("3")
        await pilot.press("u")
        assert spans(app_db) == [("ORGANIZATION", "Huyện ủy")]
        assert screen_of(pilot.app).message == "✓ undone: tag RESOLUTION ‘Chỉ thị’"
        await pilot.press("ctrl+z")
        assert spans(app_db) == []
        await pilot.press("ctrl+z")
        assert "nothing to undo" in screen_of(pilot.app).message
        await pilot.press("U")
        assert spans(app_db) == [("ORGANIZATION", "Huyện ủy")]
        assert screen_of(pilot.app).message == "✓ redone: tag ORGANIZATION ‘Huyện ủy’"
        assert [m.label for m in view.spans] == ["ORGANIZATION"]
    async with make_app(PLAIN).run_test(size=SIZE) as pilot:  # a restart resumes there
        await settle(pilot)
        screen = screen_of(pilot.app)
        assert screen.article is not None and screen.article.id == 1
        assert [m.text for m in screen.view.spans] == ["Huyện ủy"]
        await pilot.press("ctrl+y")
        assert sorted(spans(app_db)) == [("ORGANIZATION", "Huyện ủy"), ("RESOLUTION", "Chỉ thị")]
        await pilot.press("u", "u")
        assert spans(app_db) == []
    async with make_app(PLAIN).run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("U")
        assert spans(app_db) == [("ORGANIZATION", "Huyện ủy")]


async def test_done_and_skip_toggle_and_undo(make_app, app_db: Path) -> None:
    async with make_app().run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("D")
        assert status(app_db, 1) == "done"
        assert "marked done" in screen_of(pilot.app).message
        await pilot.press("ctrl+d")
        assert status(app_db, 1) == "in_progress"
        await pilot.press("S")
        assert status(app_db, 1) == "skipped"
        await pilot.press("u")
        assert status(app_db, 1) == "in_progress"
        assert "undone: marked skipped (now in progress)" in screen_of(pilot.app).message
        await pilot.press("ctrl+d")
        assert status(app_db, 1) == "done"
        header = str(screen_of(pilot.app).query_one("#header").render())
        assert "done" in header


async def test_next_and_previous_article_to_do(make_app, app_db: Path) -> None:
    async with make_app().run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = screen_of(pilot.app)
        await pilot.press("D", "j")
        await settle(pilot)
        assert screen.article is not None and screen.article.id == 2
        assert status(app_db, 2) == "new"
        await pilot.press("S", "j", "j")
        await settle(pilot)
        assert screen.article.id == 4
        await pilot.press("k")
        await settle(pilot)
        assert screen.article.id == 3  # 2 is skipped, 1 is done: not to do
        await pilot.press("k")  # nothing to do before 3: around to the last one to do
        await settle(pilot)
        assert screen.article.id == 5
        assert screen.message == "from the bottom"
        assert "article 5 of 5" in str(screen.query_one("#status").render())


async def test_open_article_at_an_offset(make_app) -> None:
    """What a jump from another screen (stats, search results) does."""
    async with make_app().run_test(size=SIZE) as pilot:
        await settle(pilot)
        app = pilot.app
        with Store(app.store.path) as store:
            offset = store.article(4).text.find("Đảng ủy")
        app.annotate_screen.open_article(4, cursor=offset)
        await settle(pilot)
        view = app.annotate_screen.view
        assert view.cursor_range[0] == offset
        line = view.text_layout.line_of(offset)
        assert view.scroll_y <= line < view.scroll_y + view.scrollable_content_region.height


async def test_cursor_motion_keys(make_app) -> None:
    async with make_app().run_test(size=SIZE) as pilot:
        await settle(pilot)
        view = screen_of(pilot.app).view

        def word() -> str:
            return view.text[slice(*view.cursor_range)]

        assert word() == "Đồng Văn"
        await pilot.press("right")
        assert word() == "xây dựng"
        await pilot.press("left")
        assert word() == "Đồng Văn"
        starts = [s for s, _ in view.sentences]
        await pilot.press("right_square_bracket")
        assert view.cursor_range[0] == starts[1]
        assert word() == "Thứ"  # next sentence: the date line
        await pilot.press("ctrl+down", "ctrl+down")
        assert view.cursor_range[0] == starts[3]
        await pilot.press("right", "ctrl+up")
        assert view.cursor_range[0] == starts[3]  # back to the start of this sentence
        await pilot.press("left_square_bracket")
        assert view.cursor_range[0] == starts[2]
        assert word() == "BHG"
        line = view.text_layout.line_of(view.cursor_range[0])
        await pilot.press("down")
        assert view.text_layout.line_of(view.cursor_range[0]) == line + 1
        await pilot.press("up")
        assert view.text_layout.line_of(view.cursor_range[0]) == line
        await pilot.press("end")
        end_line = view.text_layout.lines[line]
        assert view.cursor_range[1] == end_line[1]
        await pilot.press("home")
        assert view.cursor_range[0] == end_line[0]
        await pilot.press("G")
        assert view.cursor == len(view.tokens) - 1
        assert view.scroll_y > 0
        await pilot.press("g")
        assert view.cursor == 0 and view.scroll_y == 0
        await pilot.press("pagedown")
        assert view.text_layout.line_of(view.cursor_range[0]) > 20
        await pilot.press("pageup")
        assert view.text_layout.line_of(view.cursor_range[0]) < 5
        await pilot.press("ctrl+end")
        assert view.cursor == len(view.tokens) - 1
        await pilot.press("ctrl+home")
        assert view.cursor == 0


async def test_shift_arrows_extend_and_escape_clears(make_app) -> None:
    async with make_app().run_test(size=SIZE) as pilot:
        await settle(pilot)
        view = screen_of(pilot.app).view
        await pilot.press("shift+right", "shift+right")
        assert view.text[slice(*view.selection)] == "Đồng Văn xây dựng Đảng"
        await pilot.press("shift+left")
        assert view.text[slice(*view.selection)] == "Đồng Văn xây dựng"
        await pilot.press("shift+down")
        assert view.selection[1] > view.text_layout.lines[0][1]
        await pilot.press("shift+up", "escape")
        assert view.selection is None


async def test_syllable_mode_tags_part_of_a_word(make_app, app_db: Path) -> None:
    async with make_app(PLAIN).run_test(size=SIZE) as pilot:
        await settle(pilot)
        view = screen_of(pilot.app).view
        put_cursor(view, "Đồng Văn luôn")
        await pilot.press("m")
        assert view.syllable_mode
        assert "syllables" in str(screen_of(pilot.app).query_one("#status").render())
        await pilot.press("right", "o")
        assert spans(app_db) == [("ORGANIZATION", "Văn")]
        # said, as the export will split the word there
        assert "cuts the word ‘Đồng Văn" in screen_of(pilot.app).message
        await pilot.press("m")
        assert not view.syllable_mode
        assert view.text[slice(*view.cursor_range)] == "Đồng Văn"


async def test_next_previous_span_keys(make_app) -> None:
    async with make_app().run_test(size=SIZE) as pilot:
        await settle(pilot)
        view = screen_of(pilot.app).view
        for phrase in ("Huyện ủy", "Chỉ thị", "Đảng bộ huyện"):
            put_cursor(view, phrase)
            await pilot.press("1")
        await pilot.press("g", "n")
        assert view.text[slice(*view.cursor_range)] == "Đảng bộ"
        await pilot.press("n")
        assert view.text[slice(*view.cursor_range)] == "Huyện ủy"
        await pilot.press("n", "N")
        assert view.text[slice(*view.cursor_range)] == "Huyện ủy"


async def test_list_keys_open_articles_and_filter(make_app, app_db: Path) -> None:
    async with make_app().run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = screen_of(pilot.app)
        articles = screen.query_one(ArticleList)
        await pilot.press("l")
        assert articles.has_focus
        await pilot.press("o")  # label keys do nothing in the list
        assert spans(app_db) == []
        await pilot.press("down", "enter")
        await settle(pilot)
        assert screen.article is not None and screen.article.id == 2
        assert screen.view.has_focus
        assert status(app_db, 2) == "new"
        await pilot.press("tab")
        assert articles.has_focus
        await pilot.press("end", "enter")
        assert screen.article.id == 5
        await pilot.press("tab", "home", "pagedown", "pageup", "up")
        assert articles.cursor == 0
        await pilot.press("F")  # to do
        assert articles.total == 5
        await pilot.press("F")  # new only: looking at articles left them new
        assert articles.total == 5
        assert "new · 5" in str(screen.query_one("#list-title").render())
        await pilot.press("F", "F")  # done
        assert articles.total == 0
        await pilot.press("F", "F")  # all again
        assert articles.total == 5


async def test_search_filters_the_list(make_app) -> None:
    async with make_app().run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = screen_of(pilot.app)
        articles = screen.query_one(ArticleList)
        await pilot.press("slash")
        await pilot.pause()
        await pilot.press(*"Lục Yên", "enter")
        await pilot.pause()
        assert articles.search == "Lục Yên"
        assert articles.total == 1
        assert articles.row(0).title.startswith("Lục Yên")
        assert "1 article match" in screen.message
        await pilot.press("slash", "escape")
        assert articles.total == 1
        await pilot.press("slash")
        await pilot.pause()
        await pilot.press(*["backspace"] * 7, "enter")
        await pilot.pause()
        assert articles.total == 5 and articles.search is None


async def test_help_lists_bindings_and_label_definitions(make_app) -> None:
    async with make_app().run_test(size=(120, 60)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        help_screen = pilot.app.screen
        assert isinstance(help_screen, HelpScreen)
        console = Console(width=120, record=True, file=io.StringIO())
        console.print(help_screen.keys_table())
        keys = console.export_text()
        console.print(help_screen.labels_table())
        labels = console.export_text()
        for expected in (
            "u / ctrl+z",
            "shift+left",
            "ctrl+up / [  ctrl+down / ]",
            "2 / f",
            "tag as FIGURE",
            "d / del",
            "Mark the article done",
            "q / ctrl+q",
            "enter",
        ):
            assert expected in keys, expected
        assert "m  m" not in keys  # one key for both modes, named once
        assert "Vũ Quỳnh Khánh" in labels and "Nghị quyết số" in labels
        await pilot.press("escape")
        assert isinstance(pilot.app.screen, AnnotateScreen)


async def test_mouse_click_and_drag_select(make_app, app_db: Path) -> None:
    async with make_app().run_test(size=SIZE) as pilot:
        await settle(pilot)
        view = screen_of(pilot.app).view
        await pilot.click(ArticleView, offset=(12, 0))
        assert view.selection is None
        assert view.text[slice(*view.cursor_range)] == "xây dựng"
        await pilot.mouse_down(ArticleView, offset=(0, 0))
        await pilot.hover(ArticleView, offset=(10, 0))
        await pilot.mouse_up(ArticleView, offset=(10, 0))
        assert view.text[slice(*view.selection)] == "Đồng Văn xây dựng"
        await pilot.press("1")
        assert spans(app_db) == [("ORGANIZATION", "Đồng Văn xây dựng")]


async def test_pending_suggestions_are_drawn_and_refreshable(make_app, app_db: Path) -> None:
    start = Path(app_db).exists() and 0
    with Store(app_db) as store, store.write():
        text = store.article(1).text
        start = text.find("Huyện ủy")
        store.conn.execute(
            'INSERT INTO suggestions (article_id, source, source_version, start, "end", label, '
            "text, score, created_at) "
            "VALUES (1, 'test', '1', ?, ?, 'ORGANIZATION', 'Huyện ủy', 0.9, 'now')",
            (start, start + 8),
        )
    async with make_app(suggest_steps=()).run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = screen_of(pilot.app)
        view = screen.view
        assert [(m.start, m.label) for m in view.suggestions] == [(start, "ORGANIZATION")]
        assert "1 suggestion" in str(screen.query_one("#legend").render())
        line = view.text_layout.line_of(start)
        view.scroll_to(y=line, animate=False, immediate=True)
        await pilot.pause()
        strip = view.render_line(line - int(view.scroll_y))
        styled = [seg.style for seg in strip if seg.text.strip() == "Huyện ủy"]
        assert styled and styled[0].underline
        view.move_to_offset(start + 2)
        assert [m.id for m in view.suggestions_at_cursor()] == [view.suggestions[0].id]
        view.set_suggestions([Mark(99, start, start + 8, "FIGURE")])
        assert view.suggestions[0].label == "FIGURE"
        with Store(app_db) as store, store.write():
            store.conn.execute(  # rejected in the screen annotator's layer
                "INSERT INTO suggestion_decisions (suggestion_id, annotator, status, decided_at) "
                "SELECT id, ?, 'rejected', 'now' FROM suggestions",
                (screen.annotator,),
            )
        screen.refresh_suggestions()
        assert view.suggestions == []


async def test_quit_key(make_app) -> None:
    async with make_app().run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("q")
        await pilot.pause()
        assert not pilot.app.is_running


async def test_a_failed_write_is_reported_not_shown_as_saved(
    make_app, app_db: Path, monkeypatch
) -> None:
    def locked(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise sqlite3.OperationalError("database is locked")

    async with make_app().run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = screen_of(pilot.app)
        monkeypatch.setattr(Store, "tag", locked)
        await pilot.press("o")
        assert screen.message.startswith("✗ not saved: database")
        assert "locked by another process" in screen.message
        assert screen.view.spans == []
        assert pilot.app.is_running
    assert spans(app_db) == []


async def test_failed_segmentation_keeps_simple_words(make_app, monkeypatch) -> None:
    from partybuild_tui.core import tokenize

    def broken(store, article, cancelled=None):  # noqa: ANN001, ANN202
        raise RuntimeError("model missing")

    monkeypatch.setattr(tokenize, "tokenization", broken)
    async with make_app().run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        screen = screen_of(pilot.app)
        assert "segmentation failed (model missing)" in screen.message
        assert not screen.view.segmented
        await pilot.press("right", "o")
        assert [m.text for m in screen.view.spans] == ["Văn"]


async def test_a_restart_resumes_at_the_article_and_cursor_left(make_app, app_db: Path) -> None:
    async with make_app(PLAIN).run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = screen_of(pilot.app)
        screen.open_article(3)
        await settle(pilot)
        put_cursor(screen.view, "13 đảng bộ trực thuộc")
        assert screen.view.cursor_range[0] > 100  # not where an article opens
        offset = screen.view.cursor_range[0]
        await pilot.press("q")
    assert status(app_db, 3) == "new"  # looking at it changed nothing
    async with make_app(PLAIN).run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = screen_of(pilot.app)
        assert screen.article is not None and screen.article.id == 3
        assert screen.view.cursor_range[0] == offset


async def test_ctrl_f_finds_a_phrase_typed_without_marks(make_app, app_db: Path) -> None:
    async with make_app(PLAIN).run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = screen_of(pilot.app)
        view = screen.view
        await pilot.press("ctrl+f")
        await pilot.press(*"dang bo huyen dong van", "enter")
        await pilot.pause()
        first = view.text.index("Đảng bộ huyện Đồng Văn")
        assert view.cursor_range is not None and view.cursor_range[0] == first
        assert screen.message == "found ‘Đảng bộ huyện Đồng Văn’"
        await pilot.press("ctrl+g")
        second = view.text.index("Đảng bộ huyện Đồng Văn", first + 1)
        assert view.cursor_range[0] == second
        await pilot.press("ctrl+f")
        await pilot.press(*"khong co dau", "enter")
        await pilot.pause()
        assert "not found in this article" in screen.message
