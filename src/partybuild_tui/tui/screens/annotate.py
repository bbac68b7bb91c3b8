"""The main screen: article list on the left, the open article on the right, keys to tag.

Every key that changes data calls the store first (one SQLite transaction) and only then
updates the view and says "✓ saved", so what the screen shows is what is on disk.
"""

from __future__ import annotations

import functools
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Static
from textual.worker import Worker, WorkerState, get_current_worker

from partybuild_tui.config import LabelSet
from partybuild_tui.core.stats_filter import StatsFilter
from partybuild_tui.core.store import (
    Action,
    Article,
    OverlapError,
    Span,
    Store,
    describe_sqlite_error,
)
from partybuild_tui.errors import UserError
from partybuild_tui.tui.screens.help import HelpScreen, binding_rows
from partybuild_tui.tui.screens.search import SearchScreen
from partybuild_tui.tui.screens.stats import StatsScreen
from partybuild_tui.tui.widgets.article_list import ArticleList
from partybuild_tui.tui.widgets.article_view import ArticleView, Mark
from partybuild_tui.tui.widgets.panels import ArticleHeader, Legend, StatusLine

TODO = ("new", "in_progress")
FILTERS: list[tuple[str, tuple[str, ...] | None]] = [
    ("all", None),
    ("to do", TODO),
    ("new", ("new",)),
    ("in progress", ("in_progress",)),
    ("done", ("done",)),
    ("skipped", ("skipped",)),
]
_DELETE = "Delete the span under the cursor (with a selection: all spans in it)"
_DONE = "Mark the article done (again: back in progress)"
_PROTECT = "Protect spans: a tag that overlaps existing spans is refused instead of replacing them"
_SKIP = "Mark the article skipped (again: back in progress)"
_NEXT = "Open the next / previous article to do (new or in progress)"
_FILTER = "Cycle the list filter: all, to do, new, in progress, done, skipped"
_STATS = "Statistics of the listed articles (there: j findings, enter jump to one, esc back)"
_ACCEPT = "Accept the suggestion under the cursor (then go to the next one)"
_REJECT = "Reject the suggestion under the cursor: never proposed here again"
_JUMP = "Next / previous pending suggestion"
_ACCEPT_ALL = "Accept every pending suggestion in the article (one undo)"
_TAG_ALL = "Tag every untagged occurrence of the span under the cursor in this article"
NEEDS_ARTICLE = {
    "label",
    "delete_span",
    "undo",
    "redo",
    "mark",
    "accept_suggestion",
    "reject_suggestion",
    "next_suggestion",
    "accept_all",
    "tag_all",
}
NEEDS_TEXT_FOCUS = {
    "label",
    "delete_span",
    "accept_suggestion",
    "reject_suggestion",
    "next_suggestion",
    "tag_all",
}
# Suggestion sources run in this order when an article opens: the fast ones (milliseconds)
# show first, then underthesea NER (about a second). PartybuildApp(suggest_steps=) changes it.
SUGGEST_STEPS: tuple[tuple[str, ...], ...] = (
    ("memory", "rules", "byline"),
    ("ner",),
)
# underthesea's taggers are not known to be thread-safe: segmentation and NER take turns.
ANALYSIS_LOCK = threading.Lock()


F = TypeVar("F", bound=Callable[..., Any])


def reported(fn: F) -> F:
    """Turn a failed write (locked or read-only database, disk full) into a status message.

    Nothing is shown as saved unless the store returned; the app keeps running.
    """

    @functools.wraps(fn)
    def wrapper(self: AnnotateScreen, *args: Any, **kwargs: Any) -> Any:
        try:
            return fn(self, *args, **kwargs)
        except (UserError, sqlite3.Error) as exc:
            if isinstance(exc, sqlite3.Error):
                text = describe_sqlite_error(exc, self.store.path)
            else:
                text = str(exc)
            self._say(f"✗ not saved: {text}")
            self.app.bell()
            return None

    return wrapper  # type: ignore[return-value]


def run_abandonable(path: Path, article_id: int, sources: tuple[str, ...], worker: Worker) -> bool:
    """Compute suggestions in a daemon thread of their own connection; False if the worker
    was cancelled first (another article opened, or the app quitting: a long NER run must
    not hold up the exit; what it writes is one transaction, committed or not at all)."""
    from partybuild_tui.core import suggest

    done = threading.Event()
    failed: list[BaseException] = []

    def run() -> None:
        try:
            with ANALYSIS_LOCK:
                if worker.is_cancelled:
                    return  # waited for the lock while another article was opened
                with Store(path) as store:
                    suggest.compute(store, article_id, sources)
        except BaseException as exc:  # noqa: BLE001  (re-raised in the worker)
            failed.append(exc)
        finally:
            done.set()

    threading.Thread(target=run, name="suggest", daemon=True).start()
    while not done.wait(0.05):
        if worker.is_cancelled:
            return False
    if failed:
        raise failed[0]
    return True


def span_mark(span: Span) -> Mark:
    return Mark(span.id, span.start, span.end, span.label, span.text)


def pending_suggestions(store: Store, article_id: int, annotator: str) -> list[Mark]:
    """What to draw: the core's flat view of pending suggestions (never rejected ones, none
    over the annotator's spans, one per range and label)."""
    from partybuild_tui.core import suggest  # loads underthesea's module on first use

    return [
        Mark(s.id, s.start, s.end, s.label, s.text)
        for s in suggest.pending(store, article_id, annotator)
    ]


def quote(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return f"‘{text if len(text) <= limit else text[: limit - 1] + '…'}’"


class AnnotateScreen(Screen[None]):
    """Read, tag, undo and move between articles."""

    TAG_BINDINGS = [
        Binding("d,delete", "delete_span", "Delete", tooltip=_DELETE),
        Binding("u,ctrl+z", "undo", "Undo", tooltip="Undo (kept across restarts)"),
        Binding("U,ctrl+y", "redo", "Redo", show=False),
        Binding("D,ctrl+d", "mark('done')", "Done", tooltip=_DONE),
        Binding("S", "mark('skipped')", "Skip", show=False, tooltip=_SKIP),
        Binding("P", "toggle_protect", "Protect", show=False, tooltip=_PROTECT),
    ]
    SUGGEST_BINDINGS = [
        Binding("a", "accept_suggestion", "Accept", tooltip=_ACCEPT),
        Binding("x", "reject_suggestion", "Reject", tooltip=_REJECT),
        Binding("full_stop", "next_suggestion(1)", "Next sugg", key_display=".", tooltip=_JUMP),
        Binding("comma", "next_suggestion(-1)", "Prev sugg.", show=False, tooltip=_JUMP),
        Binding("A", "accept_all", "Accept all", show=False, tooltip=_ACCEPT_ALL),
        Binding("t", "tag_all", "Tag all", show=False, tooltip=_TAG_ALL),
    ]
    ARTICLE_BINDINGS = [
        Binding("j", "next_article(1)", "Next to do", tooltip=_NEXT),
        Binding("k", "next_article(-1)", "Prev to do", show=False, tooltip=_NEXT),
        Binding("slash", "search", "Search", tooltip="Full-text search of the list"),
        Binding("F", "cycle_filter", "Filter", show=False, tooltip=_FILTER),
        Binding("l", "focus_list", "List", show=False, tooltip="Focus the article list"),
        Binding("s", "stats", "Stats", show=False, tooltip=_STATS),
        Binding("question_mark", "help", "Help", tooltip="This help"),
    ]
    BINDINGS = TAG_BINDINGS + SUGGEST_BINDINGS + ARTICLE_BINDINGS

    def __init__(
        self,
        store: Store,
        annotator: str,
        labels: LabelSet,
        *,
        suggest_steps: tuple[tuple[str, ...], ...] = SUGGEST_STEPS,
    ) -> None:
        super().__init__()
        self.store = store
        self.annotator = annotator
        self.labels = labels
        self.suggest_steps = suggest_steps
        self.suggesting = False
        self.protect_spans = False
        self.article: Article | None = None
        self.filter_index = 0
        self.message = ""
        self._position: tuple[int | None, int] = (None, 0)
        self._counts: dict[str, int] = {}
        for label in labels.labels:
            self._bindings.bind(
                ",".join(label.keys),
                f"label({label.name!r})",
                label.name.title(),
                key_display="/".join(label.keys),
            )
        # The footer is cut at the right on narrow terminals: label, suggestion and help keys
        # go first (after the text's own n/m), the rest follow in their declared order.
        first = [key for label in labels.labels for key in label.keys]
        first += ["a", "x", "full_stop", "question_mark"]
        keyed = self._bindings.key_to_bindings
        self._bindings.key_to_bindings = {k: keyed[k] for k in first if k in keyed} | keyed

    def compose(self) -> ComposeResult:
        with Horizontal(id="main"):
            with Vertical(id="left"):
                yield Static(id="list-title")
                yield ArticleList(self.store, id="articles")
            with Vertical(id="right"):
                yield ArticleHeader(id="header")
                yield Legend(self.labels, id="legend")
                yield ArticleView(self.labels, id="text")
        yield StatusLine(id="status")
        yield Footer()

    @property
    def view(self) -> ArticleView:
        return self.query_one(ArticleView)

    @property
    def article_list(self) -> ArticleList:
        return self.query_one(ArticleList)

    def on_mount(self) -> None:
        self.article_list.set_filter(None, None)
        self._show_list_title()
        first = self.store.last_touched_article(self.annotator) or self._first_to_do()
        if first is not None:
            self.open_article(first)
        else:
            self.query_one(ArticleHeader).show(None)
            self.article_list.focus()
            self._refresh_status()

    def _first_to_do(self) -> int | None:
        return self.store.adjacent_article(0, status=TODO) or self.store.adjacent_article(0)

    # ---- opening ----------------------------------------------------------------------------

    @reported
    def open_article(self, article_id: int, *, cursor: int | None = None) -> None:
        """Show an article (cursor at text offset ``cursor`` if given); an untouched one
        becomes in progress (saved before it shows)."""
        article = self.store.article(article_id)
        opened = self.store.mark_opened(article_id, self.annotator)
        if opened:
            article = self.store.article(article_id)
        self.article = article
        spans = [span_mark(s) for s in self.store.spans(article_id, self.annotator)]
        suggestions = self.load_suggestions(article_id)
        self.suggesting = False
        self.workers.cancel_group(self, "suggest")  # a slow NER run for the last article
        self.view.load(article.text, (article.body_start, article.body_end), spans, suggestions)
        if cursor is not None:
            self.view.move_to_offset(cursor)
        self.query_one(ArticleHeader).show(article)
        self._refresh_list(status_changed=opened)
        self.article_list.show_open(article_id)
        self._show_legend()
        self.message = ""
        self._refresh_status(recount=True)
        self.view.focus()
        self.segment(article)

    def load_suggestions(self, article_id: int) -> list[Mark]:
        """The suggestions to draw for an article (pending ones); see ``refresh_suggestions``."""
        return pending_suggestions(self.store, article_id, self.annotator)

    def refresh_suggestions(self) -> None:
        """Re-read suggestions after something decided or computed them."""
        if self.article is not None:
            self.view.set_suggestions(self.load_suggestions(self.article.id))
            self._show_legend()

    @work(thread=True, exclusive=True, group="segment", exit_on_error=False)
    def segment(self, article: Article) -> None:
        """Segment (or read cached words of) the article off the UI thread."""
        from partybuild_tui.core import tokenize  # underthesea loads here, not at startup

        worker = get_current_worker()  # cancelled: another article opened, or quitting
        try:
            with ANALYSIS_LOCK, Store(self.store.path) as store:
                result = tokenize.tokenization(store, article, lambda: worker.is_cancelled)
        except tokenize.Cancelled:
            return
        self.app.call_from_thread(self._segmented, article.id, result)

    def _segmented(self, article_id: int, result: object) -> None:
        if self.article is not None and self.article.id == article_id:
            self.view.set_tokenization(result.words, result.sentences)  # type: ignore[attr-defined]
            self.suggesting = bool(self.suggest_steps)
            self._refresh_status()
            if self.suggest_steps:
                self.suggest(article_id)

    @work(thread=True, exclusive=True, group="suggest", exit_on_error=False)
    def suggest(self, article_id: int) -> None:
        """Compute the article's suggestions, fast sources first; each step is shown as it
        lands. Cached runs cost milliseconds, NER about a second per article."""
        worker = get_current_worker()
        for index, step in enumerate(self.suggest_steps):
            if worker.is_cancelled:
                return  # another article was opened: its worker takes over
            if not run_abandonable(self.store.path, article_id, step, worker):
                return
            last = index == len(self.suggest_steps) - 1
            self.app.call_from_thread(self._suggested, article_id, last)

    def _suggested(self, article_id: int, last: bool) -> None:
        """A step's suggestions are stored: draw them if the article is still open."""
        if self.article is None or self.article.id != article_id:
            return
        if last:
            self.suggesting = False
        self.refresh_suggestions()
        self._refresh_status()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A failed segmentation keeps the quick regex words; failed suggestions say so."""
        if event.state != WorkerState.ERROR:
            return
        if event.worker.group == "segment":
            self._say(f"✗ word segmentation failed ({event.worker.error}); using simple words")
        elif event.worker.group == "suggest":
            self.suggesting = False
            self._say(f"✗ suggestions failed: {event.worker.error}")

    def on_article_list_opened(self, event: ArticleList.Opened) -> None:
        self.open_article(event.article_id)

    def on_article_view_changed(self, event: ArticleView.Changed) -> None:
        # Status line only: re-checking the footer's bindings recomposes it (~50 ms).
        self._refresh_status()

    def on_descendant_focus(self) -> None:
        self.refresh_bindings()

    # ---- actions ----------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in NEEDS_ARTICLE and self.article is None:
            return False
        if action in NEEDS_TEXT_FOCUS and not self.view.has_focus:
            return False
        return True

    @reported
    def action_label(self, name: str) -> None:
        """Tag the selection (or the word under the cursor); on a span, relabel it."""
        assert self.article is not None
        view = self.view
        span = view.span_at_cursor() if view.selection is None else None
        suggested = self._suggestion_on_target() if span is None else None
        if suggested is not None and suggested.label != name:
            self._correct_suggestion(suggested, name)
            return
        if span is not None:
            if span.label == name:
                self._say(f"already {name}: {quote(span.text)}")
                return
            action = self.store.relabel(span.id, name, self.annotator)
        else:
            target = view.target
            if target is None:
                return
            try:
                action = self.store.tag(
                    self.article.id, *target, name, self.annotator, replace=not self.protect_spans
                )
            except OverlapError:
                self._say(
                    "✗ not tagged: it overlaps existing spans (protect is on: P turns it off)"
                )
                self.app.bell()
                return
        view.clear_selection()
        self._applied(action)

    def _suggestion_on_target(self) -> Mark | None:
        """The pending suggestion whose range is exactly what a label key would tag now."""
        target = self.view.target
        return next(
            (m for m in self.view.suggestions_at_cursor() if (m.start, m.end) == target), None
        )

    def _correct_suggestion(self, mark: Mark, name: str) -> None:
        """Tagging exactly a suggested range with another label rejects the suggestion's label
        (so its source's figures count the mistake) and keeps its range, in one action."""
        from partybuild_tui.core import suggest

        action = suggest.accept_as(self.store, mark.id, self.annotator, name)
        self.view.clear_selection()
        what = f"corrected {mark.label} → {name} {quote(mark.text)}"
        self._applied(action, nothing="that suggestion is no longer pending", what=what)

    def action_toggle_protect(self) -> None:
        """Choose whether a new tag replaces the spans it overlaps (default) or is refused."""
        self.protect_spans = not self.protect_spans
        state = "on: overlapping tags are refused" if self.protect_spans else "off: tags replace"
        self._say(f"protect spans {state}")

    @reported
    def action_delete_span(self) -> None:
        assert self.article is not None
        view = self.view
        selection = view.selection
        if selection is not None:
            marks = view.spans_in(*selection)
        else:
            span = view.span_at_cursor()
            marks = [span] if span else []
        if not marks:
            self._say("no span under the cursor")
            return
        spans = [self.store.span(m.id) for m in marks]
        action = self.store.apply(self.article.id, self.annotator, "delete", remove=spans)
        view.clear_selection()
        self._applied(action)

    @reported
    def action_undo(self) -> None:
        assert self.article is not None
        action = self.store.undo(self.article.id, self.annotator)
        self._applied(action, nothing="nothing to undo in this article", verb="undone")

    @reported
    def action_redo(self) -> None:
        assert self.article is not None
        action = self.store.redo(self.article.id, self.annotator)
        self._applied(action, nothing="nothing to redo in this article", verb="redone")

    @reported
    def action_mark(self, status: str) -> None:
        """Mark done / skipped; pressing it again puts the article back in progress."""
        assert self.article is not None
        current = self.store.article(self.article.id).status
        action = self.store.set_status(
            self.article.id, "in_progress" if current == status else status, self.annotator
        )
        self._applied(action)

    @reported
    def action_next_article(self, delta: int) -> None:
        if self.article is not None:
            here = self.article.id
        else:
            row = self.article_list.row(self.article_list.cursor)
            here = row.id if row else 0
        found = self.store.adjacent_article(
            here, forward=delta > 0, status=TODO, query=self.article_list.search
        )
        if found is None:
            self._say(f"no article to do {'after' if delta > 0 else 'before'} this one")
            return
        self.open_article(found)

    def action_search(self) -> None:
        self.app.push_screen(SearchScreen(self.article_list.search or ""), self._searched)

    def _searched(self, query: str | None) -> None:
        if query is None:
            return
        self._apply_filter(query)
        total = self.article_list.total
        self._say(f"{total:,} article{'s' * (total != 1)} match" if query else "search cleared")

    def action_cycle_filter(self) -> None:
        self.filter_index = (self.filter_index + 1) % len(FILTERS)
        self._apply_filter(self.article_list.search)
        self._say(f"showing {FILTERS[self.filter_index][0]}")

    def _apply_filter(self, query: str | None) -> None:
        self.article_list.set_filter(FILTERS[self.filter_index][1], query)
        self._show_list_title()
        self._refresh_status(recount=True)

    def action_focus_list(self) -> None:
        self.article_list.focus()

    def action_stats(self) -> None:
        """The stats screen for what the list shows (its status filter and search)."""
        status = FILTERS[self.filter_index][1] or ()
        filters = StatsFilter(status=status, search=self.article_list.search or None)
        self.app.push_screen(StatsScreen(self.store.path, filters, labels=self.labels))

    # ---- suggestions ------------------------------------------------------------------------

    @reported
    def action_accept_suggestion(self) -> None:
        """Accept the suggestion under the cursor as a span, then move to the next one."""
        from partybuild_tui.core import suggest

        mark = self._suggestion_here()
        if mark is None:
            return
        action = suggest.accept(self.store, mark.id, self.annotator)
        self.view.clear_selection()
        self._applied(action, nothing="that suggestion is no longer pending")
        if action is not None:
            self._to_next_suggestion(mark.end - 1)

    @reported
    def action_reject_suggestion(self) -> None:
        """Reject the suggestion under the cursor (for every source that proposed it)."""
        from partybuild_tui.core import suggest

        mark = self._suggestion_here()
        if mark is None:
            return
        action = suggest.reject(self.store, mark.id, self.annotator)
        self.view.clear_selection()
        what = f"rejected {mark.label} {quote(mark.text)}"
        self._applied(action, nothing="that suggestion is no longer pending", what=what)
        if action is not None:
            self._to_next_suggestion(mark.end - 1)

    def _suggestion_here(self) -> Mark | None:
        marks = self.view.suggestions_at_cursor()
        if not marks:
            self._say(
                "no suggestion under the cursor (. and , jump to one)"
                if self.view.suggestions
                else "no pending suggestions in this article"
            )
            return None
        return marks[0]

    def _to_next_suggestion(self, offset: int) -> None:
        following = [m for m in self.view.suggestions if m.start > offset]
        if following:
            self.view.move_to_offset(following[0].start)

    def action_next_suggestion(self, delta: int) -> None:
        """Move the cursor to the next (previous) pending suggestion, wrapping around."""
        marks = self.view.suggestions
        if not marks or not self.view.tokens:
            self._say("no pending suggestions in this article")
            return
        here = self.view.tokens[self.view.cursor][0]
        if delta > 0:
            after = [m for m in marks if m.start > here]
            mark = after[0] if after else marks[0]
        else:
            before = [m for m in marks if m.end <= here]
            mark = before[-1] if before else marks[-1]
        self.view.move_to_offset(mark.start)
        where = f"suggestion {marks.index(mark) + 1}/{len(marks)}"
        self._say(f"{where}: {mark.label} {quote(mark.text, 30)} (a accept, x reject)")

    @reported
    def action_accept_all(self) -> None:
        from partybuild_tui.core import suggest

        assert self.article is not None
        action = suggest.accept_all(self.store, self.article.id, self.annotator)
        self.view.clear_selection()
        self._applied(action, nothing="no pending suggestions in this article")

    @reported
    def action_tag_all(self) -> None:
        """Tag the span's other untagged occurrences in this article (one undoable action)."""
        from partybuild_tui.core import suggest

        assert self.article is not None
        span = self.view.span_at_cursor() if self.view.selection is None else None
        if span is None:
            self._say("put the cursor on a span to tag all its occurrences")
            return
        if not self.view.segmented:
            self._say("still segmenting the words; try again in a moment")
            return
        action = suggest.tag_all_occurrences(self.store, self.article.id, span.id, self.annotator)
        self._applied(action, nothing=f"no untagged {quote(span.text)} left in this article")

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen(self.help_groups(), self.labels))

    def help_groups(self) -> list[tuple[str, list[tuple[str, str]]]]:
        labels = [
            (" / ".join(label.keys), f"tag as {label.name} (on a span: relabel it)")
            for label in self.labels.labels
        ]
        return [
            ("Tagging", labels + binding_rows(self.TAG_BINDINGS)),
            ("Suggestions", binding_rows(self.SUGGEST_BINDINGS)),
            ("Moving in the text", binding_rows(ArticleView.BINDINGS)),
            ("Articles", binding_rows(self.ARTICLE_BINDINGS) + binding_rows(ArticleList.BINDINGS)),
            (
                "App",
                [("tab / shift+tab", "switch between list and text")]
                + binding_rows(self.app.BINDINGS),
            ),
        ]

    # ---- after a change ---------------------------------------------------------------------

    def _applied(
        self,
        action: Action | None,
        *,
        nothing: str = "nothing changed",
        verb: str = "saved",
        what: str | None = None,
    ) -> None:
        """Show a change the store has committed: spans, status, list row, message."""
        assert self.article is not None
        if action is None:
            self._say(nothing)
            return
        self.article = self.store.article(self.article.id)
        spans = [span_mark(s) for s in self.store.spans(self.article.id, self.annotator)]
        self.view.set_spans(spans)
        if action.added and action.kind in ("tag", "correct"):
            self.view.move_to_offset(action.added[0].end - 1)  # on its last word: → goes on
        elif action.added and action.kind != "relabel":
            self.view.move_to_offset(action.added[0].start)  # undo/redo: show what came back
        self.query_one(ArticleHeader).show(self.article)
        before = set(self.view.suggestions)
        self.refresh_suggestions()  # spans hide suggestions; undo brings decided ones back
        back = [m for m in self.view.suggestions if m not in before]
        if back and not action.added:  # an undone accept or reject: show what came back
            self.view.move_to_offset(back[0].start)
        self._refresh_list(status_changed=action.status is not None)
        self.message = f"✓ {verb}: {what or describe(action)}"
        self._refresh_status(recount=True)
        self.refresh_bindings()
        if action.added and not action.kind.startswith("undo"):
            self._remember(self.article.id)

    def _remember(self, article_id: int) -> None:
        """A form just tagged is proposed at once wherever else it occurs in this article
        (the memory source re-runs because the set of tagged forms changed)."""
        if any("memory" in step for step in self.suggest_steps) and not self.suggesting:
            self.remember(article_id)

    @work(thread=True, exclusive=True, group="remember", exit_on_error=False)
    def remember(self, article_id: int) -> None:
        """Re-run the memory source for the open article, off the UI thread (milliseconds)."""
        if run_abandonable(self.store.path, article_id, ("memory",), get_current_worker()):
            self.app.call_from_thread(self._suggested, article_id, False)

    def _refresh_list(self, *, status_changed: bool) -> None:
        """Re-read the list's ids only when a status change can move rows in or out of it."""
        if status_changed and self.article_list.status:
            self.article_list.reload()
        else:
            self.article_list.refresh_rows()

    def _say(self, message: str) -> None:
        self.message = message
        self._refresh_status()

    def _show_legend(self) -> None:
        self.query_one(Legend).show(
            [m.label for m in self.view.spans], pending=len(self.view.suggestions)
        )

    def _show_list_title(self) -> None:
        name = FILTERS[self.filter_index][0]
        query = self.article_list.search
        text = f"{name} · {self.article_list.total:,}"
        if query:
            text += f" · “{query}”"
        self.query_one("#list-title", Static).update(text)

    def _refresh_status(self, *, recount: bool = False) -> None:
        if recount or not self._counts:
            self._counts = self.store.status_counts()
            self._show_list_title()
            articles = self.article_list
            index = articles.position(self.article.id) if self.article else None
            self._position = (index, articles.total)
        view = self.view
        mode = "syllables" if view.syllable_mode else "words"
        if self.article is not None and not view.segmented:
            mode += " (segmenting…)"
        elif self.suggesting:
            mode += " (suggesting…)"
        if self.protect_spans:
            mode += " · protect"
        if view.selection is not None:
            mode += f" · {len(view.text[slice(*view.selection)])} chars selected"
        self.query_one(StatusLine).show(
            position=self._position,
            counts=self._counts,
            annotator=self.annotator,
            mode=mode,
            message=self.message,
        )


def describe(action: Action) -> str:
    """One line for the status bar about what an action did (or what an undo took back)."""
    undone = action.kind.startswith("undo ")
    kind = action.kind.removeprefix("undo ")
    added, removed = (action.removed, action.added) if undone else (action.added, action.removed)
    if action.status is not None and not added and not removed:
        old, new = action.status
        return (
            f"marked {old.replace('_', ' ')} (now {new.replace('_', ' ')})"
            if undone
            else (f"marked {new.replace('_', ' ')}")
        )
    shown = added or removed
    if not shown:
        return f"{kind} suggestion" if kind == "reject" else kind
    if kind == "accept all":
        return f"accept all: {len(shown)} suggestion{'s' * (len(shown) != 1)}"
    span = shown[0]
    more = f" +{len(shown) - 1}" if len(shown) > 1 else ""
    extra = f" (replacing {len(removed)})" if added and removed and kind == "tag" else ""
    return f"{kind} {span.label} {quote(span.text)}{more}{extra}"
