"""The Textual application: opens the store, checks the label keys, shows the annotate screen."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.keys import Keys, key_to_character
from textual.screen import Screen

from partybuild_tui.config import LabelSet, load_labels
from partybuild_tui.core.layers import is_review
from partybuild_tui.core.store import BUSY_TIMEOUT_S, Store
from partybuild_tui.errors import UserError
from partybuild_tui.tui.analysis import SUGGEST_STEPS
from partybuild_tui.tui.screens.annotate import AnnotateScreen
from partybuild_tui.tui.widgets.article_list import ArticleList
from partybuild_tui.tui.widgets.article_view import ArticleView
from partybuild_tui.tui.writer import Writer

if TYPE_CHECKING:  # the stats screen (and the stats modules) load when it is opened
    from partybuild_tui.tui.screens.stats import StatsScreen


class PartybuildApp(App[None]):
    """``partybuild annotate`` (one annotator's layer) or ``partybuild review`` (a reviewer's)."""

    CSS_PATH = Path(__file__).parent / "app.tcss"
    TITLE = "partybuild"
    COMMAND_PALETTE_BINDING = "ctrl+p"
    BINDINGS = [Binding("q,ctrl+q", "quit", "Quit", tooltip="Quit (everything is saved)")]

    def __init__(
        self,
        db_path: Path,
        annotator: str,
        labels: LabelSet | None = None,
        *,
        suggest_steps: tuple[tuple[str, ...], ...] = SUGGEST_STEPS,
    ) -> None:
        """``suggest_steps``: suggestion source names run in turn when an article opens."""
        super().__init__()
        self.labels = labels or load_labels(db_path)
        check_label_keys(self.labels)
        self.annotator = annotator
        self.store = Store(db_path)
        self.writer = Writer(self, self.store.path, self.store.session)
        self.suggest_steps = suggest_steps

    def on_mount(self) -> None:
        self.annotate_screen = self._screen_for(self.annotator)
        self.push_screen(self.annotate_screen)

    def _screen_for(self, layer: str) -> AnnotateScreen:
        """The annotate screen on an annotator's layer, the review screen on a review layer."""
        if is_review(layer):
            from partybuild_tui.tui.screens.review import ReviewScreen  # loaded to review

            return ReviewScreen(self.store, layer, self.labels, writer=self.writer)
        return AnnotateScreen(
            self.store, layer, self.labels, suggest_steps=self.suggest_steps, writer=self.writer
        )

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """ctrl+p: every action of the annotate screen with its key, then Textual's own."""
        if isinstance(screen, AnnotateScreen):
            for title, text, callback in screen.commands():
                yield SystemCommand(title, text, callback)
        yield from super().get_system_commands(screen)

    def on_annotate_screen_layer_chosen(self, message: AnnotateScreen.LayerChosen) -> None:
        """Reopen the annotate screen on another layer (where that annotator left off)."""
        with contextlib.suppress(UserError, sqlite3.Error):
            self.annotate_screen.save_position()
        self.annotator = message.layer
        self.annotate_screen = self._screen_for(self.annotator)
        self.switch_screen(self.annotate_screen)
        self.notify(f"layer {message.layer} open", timeout=3)

    def on_stats_screen_jump_to(self, message: StatsScreen.JumpTo) -> None:
        """A consistency finding was chosen: back to the text, at that place."""
        while self.screen is not self.annotate_screen and len(self.screen_stack) > 1:
            self.pop_screen()
        self.annotate_screen.open_article(message.article_id, cursor=message.offset)

    async def action_quit(self) -> None:
        """Quit, remembering where the annotator is, once the changes waiting for a busy
        database are written (the keys keep working meanwhile)."""
        with contextlib.suppress(UserError, sqlite3.Error):
            self.annotate_screen.save_position()
        if self.writer.busy:
            self.notify("saving your last changes before quitting…", timeout=3)
            await asyncio.to_thread(self.writer.wait_idle, BUSY_TIMEOUT_S)
        self.exit()

    def on_unmount(self) -> None:
        screen: AnnotateScreen | None = getattr(self, "annotate_screen", None)  # mounted?
        with contextlib.suppress(UserError, sqlite3.Error):  # quitting: never a traceback
            if screen is not None:
                screen.save_position()
        self.writer.close(BUSY_TIMEOUT_S)
        self.store.close()


def reserved_keys() -> dict[str, str]:
    """Keys the app itself uses, so a label file cannot silently shadow them (by name, and
    by the character a name stands for: "?" is "question_mark")."""
    taken: dict[str, str] = {PartybuildApp.COMMAND_PALETTE_BINDING: "Command palette"}
    for owner in (PartybuildApp, AnnotateScreen, ArticleView, ArticleList):
        for binding in owner.BINDINGS:
            if isinstance(binding, Binding):
                for key in binding.key.split(","):
                    taken[key.strip()] = binding.description
                    character = key_to_character(key.strip())
                    if character is not None:
                        taken.setdefault(character, binding.description)
    return taken


MODIFIERS = frozenset({"ctrl", "shift", "alt", "meta", "super", "hyper"})
KEY_NAMES = frozenset(key.value for key in Keys)


def known_key(key: str) -> bool:
    """A key Textual can deliver: one character, or a key name with optional modifiers."""
    *modifiers, base = key.split("+")
    if not base or not MODIFIERS.issuperset(modifiers):
        return False
    return len(base) == 1 or key in KEY_NAMES or base in KEY_NAMES or bool(key_to_character(base))


def check_label_keys(labels: LabelSet) -> None:
    taken = reserved_keys()
    seen: dict[str, str] = {}
    for label in labels.labels:
        for key in label.keys:
            if not known_key(key):
                raise UserError(f"label {label.name}: {key!r} is not a key (try 'f5' or 'ctrl+l')")
            if key in taken:
                raise UserError(f"label {label.name}: key {key!r} is taken by {taken[key]!r}")
            if key in seen:
                raise UserError(f"labels {seen[key]} and {label.name} both use key {key!r}")
            seen[key] = label.name
