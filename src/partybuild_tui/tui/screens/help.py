"""The ``?`` screen: every key binding, grouped, and what each label means."""

from __future__ import annotations

from collections.abc import Iterable

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from partybuild_tui.config import LabelSet
from partybuild_tui.core.display import shown
from partybuild_tui.tui.frames import FramePaced

KEY_NAMES = {
    "left_square_bracket": "[",
    "right_square_bracket": "]",
    "question_mark": "?",
    "slash": "/",
    "delete": "del",
    "full_stop": ".",
    "comma": ",",
}


CLOSING = "esc, q or ? closes this help · ↑ ↓ PageUp PageDown scroll"


def key_label(key: str) -> str:
    return KEY_NAMES.get(key, key)


def binding_rows(bindings: Iterable[BindingType]) -> list[tuple[str, str]]:
    """(keys, description) per binding, aliases joined ('u / ctrl+z'), and neighbours with
    the same text merged into one row ('left / right')."""
    rows: list[tuple[str, str]] = []
    for binding in bindings:
        if not isinstance(binding, Binding):
            continue
        keys = " / ".join(key_label(k.strip()) for k in binding.key.split(","))
        text = binding.tooltip or binding.description
        if rows and rows[-1][1] == text:
            if keys not in rows[-1][0].split("  "):  # one key, two states: named once ('m')
                rows[-1] = (f"{rows[-1][0]}  {keys}", text)
        else:
            rows.append((keys, text))
    return rows


class HelpScreen(FramePaced, ModalScreen[None]):
    """A scrollable sheet of keys and label definitions; any of esc, q or ? closes it."""

    BINDINGS = [Binding("escape,q,question_mark", "close", "Close")]

    def __init__(self, groups: list[tuple[str, list[tuple[str, str]]]], labels: LabelSet) -> None:
        super().__init__()
        self.groups = groups
        self.labels = labels

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box"):
            yield Static(CLOSING, id="help-closing")
            yield Static(self.keys_table(), id="help-keys")
            yield Static(self.labels_table(), id="help-labels")

    def keys_table(self) -> Table:
        table = Table(title="Keys", title_justify="left", show_header=False, box=None, expand=True)
        table.add_column("keys", style="bold", max_width=26, overflow="fold")
        table.add_column("does", ratio=1)
        for title, rows in self.groups:
            table.add_row(Text(title, style="underline"), "")
            for keys, description in rows:
                table.add_row(shown(keys), shown(description))
            table.add_row("", "")
        return table

    def labels_table(self) -> Table:
        table = Table(
            title="Labels", title_justify="left", show_header=False, box=None, expand=True
        )
        table.add_column("label", no_wrap=True)
        table.add_column("means")
        for label in self.labels.labels:
            keys = "/".join(label.keys)
            name = shown(f" {keys} {label.name} ", f"bold black on {label.color}")
            table.add_row(name, shown(label.description))
        return table

    def action_close(self) -> None:
        self.dismiss(None)
