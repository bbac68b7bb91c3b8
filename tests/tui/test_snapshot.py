"""What the main screen looks like, so visual regressions show up as a failing diff."""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot

from partybuild_tui.tui.app import PartybuildApp
from partybuild_tui.tui.screens.annotate import AnnotateScreen
from tests.tui.conftest import FAST
from tests.tui.helpers import settle


def test_main_screen_with_spans_selection_and_suggestion(app_db: Path, snap_compare) -> None:
    """Spans in their label colours, a selection, a pending suggestion, legend and footer."""
    from partybuild_tui.core.store import Store

    with Store(app_db) as store, store.write():
        text = store.article(1).text
        start = text.find("Chỉ thị số 05")
        store.conn.execute(
            'INSERT INTO suggestions (article_id, source, source_version, start, "end", label, '
            "text, score, created_at) VALUES (1, 'test', '1', ?, ?, 'RESOLUTION', "
            "'Chỉ thị số 05', 0.9, '2020-01-01')",
            (start, start + len("Chỉ thị số 05")),
        )

    async def tag(pilot: Pilot) -> None:
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, AnnotateScreen)
        view = screen.view
        for phrase, keys in (
            ("Đảng bộ huyện Đồng Văn", ("shift+right", "shift+right", "o")),
            ("My Ly", ("f",)),
            ("Nghị quyết TW 4", ("shift+right",) * 5 + ("r",)),
            ("Huyện ủy tập trung", ("shift+right",)),
        ):
            view.move_to_offset(view.text.find(phrase))
            await pilot.press(*keys)
        await pilot.pause()

    app = PartybuildApp(app_db, "tester", suggest_steps=FAST)
    assert snap_compare(app, terminal_size=(120, 36), run_before=tag)
