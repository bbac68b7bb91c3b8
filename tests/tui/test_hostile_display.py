"""The app on stored text that attacks the screen: markup and terminal control characters.

Every stored field (title, source, author, text, annotator, label, a label's description)
holds an attack; the app opens the article, tags it, shows the stats screen and the help
screen. It must not exit, no rendered strip may carry a control character to the terminal,
and the header must show the title literally (control characters as their pictures).
"""

from __future__ import annotations

import asyncio
import tempfile
import unicodedata
from pathlib import Path

from hypothesis import example, given
from rich.cells import cell_len

from partybuild_tui.config import DEFAULT_LABELS, Label, LabelSet
from partybuild_tui.core import corpus, ingest, tokenize
from partybuild_tui.core.display import printable
from partybuild_tui.core.store import Store
from partybuild_tui.tui import textlayout
from partybuild_tui.tui.app import PartybuildApp
from partybuild_tui.tui.screens.annotate import AnnotateScreen
from partybuild_tui.tui.screens.stats import StatsScreen
from tests.safety_support import hostile_settings
from tests.test_safety_hostile_display import hostile, state
from tests.tui.conftest import FAST
from tests.tui.helpers import SIZE, settle

SETTINGS = hostile_settings(3)  # each example starts the app (~14 s)


def _hostile_db(db: Path, word: str, title: str, annotator: str, label: str) -> None:
    """Two done articles starting with the attack; it is their title, source and author, and
    it is tagged (by the attacking annotator) as ORGANIZATION in one and as the attack label
    in the other, so the stats screen lists it as a conflict to jump to."""
    with Store(db) as store:
        for n, kind in enumerate(("ORGANIZATION", label)):
            text = corpus.normalize(f"{word} Đảng bộ họp {n}.\nĐảng bộ {word} nữa.")
            doc = ingest.Document(
                key=f"k{n}", path="x", raw_text=text, title=title, source=word, author=word
            )
            article = store.insert_article(ingest.article_fields(doc))
            start = text.find(corpus.normalize(word).strip(), 1)
            if start > 0:
                store.tag(article, start, start + len(word.strip()), kind, annotator)
            store.set_status(article, "done", annotator)
        tokenize.segment_articles(store, store.article_ids())


def _screen_text(app: PartybuildApp) -> str:
    strips = app.screen._compositor.render_strips()
    return "\n".join("".join(segment.text for segment in strip) for strip in strips)


def _clean(app: PartybuildApp, where: str) -> str:
    assert app.is_running, f"the app exited ({where})"
    shown = _screen_text(app)
    bad = {hex(ord(c)) for c in shown if unicodedata.category(c) == "Cc" and c != "\n"}
    assert not bad, f"control characters in the {where} strips: {sorted(bad)}"
    return shown


async def _drive(db: Path, annotator: str, title: str, description: str) -> None:
    labels = LabelSet(
        (*DEFAULT_LABELS.labels[:2], Label("RESOLUTION", ("3", "r"), "#c678dd", description))
    )
    app = PartybuildApp(db, annotator, labels, suggest_steps=FAST)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, AnnotateScreen)
        shown = _clean(app, "annotate screen")
        assert printable(title)[:30] in shown  # the header: literal, controls as pictures
        await pilot.press("1", "right", "2")  # tag: the status line quotes the span text
        await settle(pilot)
        _clean(app, "status line")
        await pilot.press("s")
        for _ in range(100):
            await pilot.pause(0.02)
            if isinstance(app.screen, StatsScreen) and app.screen.stats is not None:
                break
        await pilot.pause()
        assert isinstance(app.screen, StatsScreen) and app.screen.stats is not None
        _clean(app, "stats screen")
        await pilot.press("j", "down")
        _clean(app, "stats jump list")
        await pilot.press("escape", "question_mark")
        await pilot.pause()
        _clean(app, "help screen")
        await pilot.press("escape")
        assert app.is_running


@SETTINGS
@given(word=hostile, title=hostile, annotator=hostile, label=hostile, description=hostile)
@example(
    word="[/x]",
    title="[link=http://evil]click[/link]",
    annotator="[/]evil",
    label="[/x]",
    description="[/bold] x",
)
@example(
    word="\x1b[2J",
    title="\x1b]0;pwned\x07",
    annotator="\x1b]0;pwned\x07",
    label="\x1b[2J",
    description="\x1b[2J",
)
def test_app_survives_hostile_stored_text(
    word: str, title: str, annotator: str, label: str, description: str
) -> None:
    word, title = word.strip(), " ".join(title.split()) or "t"
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "h.db"
        _hostile_db(db, word, title, annotator, label)
        articles, _ = state(db)
        asyncio.run(_drive(db, annotator, title, description))
        assert state(db)[0] == articles  # sound, texts and metadata untouched (spans: tagged)


def test_control_characters_take_one_cell_in_the_layout() -> None:
    """Each control character shows as one picture: wrapping and mouse columns count it."""
    text = "\x1b[2J\x07" * 10 + " đuôi"
    layout = textlayout.wrap(text, 0, len(text), 12)
    for start, end in layout.lines:
        assert cell_len(printable(text[start:end], body=True)) <= 12
    first = layout.lines[0]
    assert textlayout.offset_to_column(text, first, 5) == 5
    assert textlayout.column_to_offset(text, first, 5) == 5
