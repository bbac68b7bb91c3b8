"""The ``/`` prompt (a full-text query over titles and texts, empty to show everything) and
the ``ctrl+f`` prompt (a word or phrase to find in the open article)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label

from partybuild_tui.tui.frames import FramePaced


class SearchScreen(FramePaced, ModalScreen[str | None]):
    """Ask for a search query; dismisses with the text, or None when cancelled."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    PROMPT = (
        "Search articles (all words, marks optional; empty: show all). enter applies, esc cancels"
    )
    PLACEHOLDER = "e.g. Nghị quyết 37, or nghi quyet 37"

    def __init__(self, query: str = "") -> None:
        super().__init__()
        self.query_text = query

    def compose(self) -> ComposeResult:
        with Vertical(id="search-box"):
            yield Label(self.PROMPT)
            yield Input(value=self.query_text, placeholder=self.PLACEHOLDER, id="search-input")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip())

    def action_cancel(self) -> None:
        self.dismiss(None)


class FindScreen(SearchScreen):
    """Ask what to find in the open article (marks optional, like the list search)."""

    PROMPT = "Find in this article, marks optional (enter / esc; ctrl+g: next match)"
    PLACEHOLDER = "e.g. Chi bộ thôn Úc, or chi bo thon uc"


class LayerScreen(SearchScreen):
    """Ask whose layer to open (an annotator's name, or review:NAME for a review)."""

    PROMPT = "Open the layer of annotator (a name, or review:NAME; enter opens, esc cancels)"
    PLACEHOLDER = "e.g. lan"
