"""The review screen: a reviewer walks through the disagreements of each article and decides.

It is the annotate screen on a review layer (``review:NAME``): the list holds the articles two
or more annotators finished, the text shows the review layer's spans (on first opening, what
every annotator agrees on), and the places where annotators differ are marked. A panel above
the text shows the current disagreement's versions, each with its annotators' names; one key
takes a version, ``x`` takes no span, ``e`` selects the place to tag it by hand. Every decision
is one undoable action of the review layer, saved at once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding, BindingType

from partybuild_tui.core import review, tagging
from partybuild_tui.core.review import ArticleReview
from partybuild_tui.core.store import DatabaseBusy
from partybuild_tui.tui.feedback import reported
from partybuild_tui.tui.screens.annotate import WAITING, AnnotateScreen
from partybuild_tui.tui.widgets.panels import ReviewPanel
from partybuild_tui.tui.writer import FAST_LOCK_S, Job

if TYPE_CHECKING:
    from partybuild_tui.core.tagging import Mark, Outcome

# The keys of the versions, in the panel's order (a: the version most annotators share).
OPTION_KEYS = "abchiwyz"
_TAKE = "Take this version of the disagreement (a: the first shown, b: the second, …)"
_NONE = "No span at this disagreement's place"
_EDIT = "Edit: select the disagreement's place, then tag it with a label key (or adjust it)"
_NEXT_PLACE = "Next / previous open disagreement"
# Suggestion keys mean nothing in a review: the annotators' versions take their place.
HIDDEN = {
    "accept_suggestion",
    "reject_suggestion",
    "next_suggestion",
    "accept_all",
    "cycle_suggestion",
}

REVIEW_BINDINGS: list[BindingType] = [
    *(
        Binding(key, f"take({i})", "Take", show=i == 0, key_display="a/b", tooltip=_TAKE)
        for i, key in enumerate(OPTION_KEYS)
    ),
    Binding("x", "take_none", "No span", tooltip=_NONE),
    Binding("e", "edit_place", "Edit", tooltip=_EDIT),
    Binding("full_stop", "next_place(1)", "Next", key_display=".", tooltip=_NEXT_PLACE),
    Binding("comma", "next_place(-1)", "Previous", show=False, tooltip=_NEXT_PLACE),
]


class ReviewScreen(AnnotateScreen):
    """Adjudicate: decide each disagreement between the annotators of an article."""

    BINDINGS = REVIEW_BINDINGS
    SHOWS_SUGGESTIONS = False

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs["suggest_steps"] = ()  # the versions to choose from are the annotators'
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        keyed = self._bindings.key_to_bindings  # the review keys first in the footer
        first = {k: keyed[k] for k in ("a", "x", "e", "full_stop") if k in keyed}
        self._bindings.key_to_bindings = first | keyed
        self.review: ArticleReview | None = None
        self.place: int | None = None  # index of the disagreement being decided
        self._cursor_token: tuple[int, int] | None = None

    def compose_above_text(self) -> ComposeResult:
        yield ReviewPanel(id="review")

    @property
    def panel(self) -> ReviewPanel:
        return self.query_one(ReviewPanel)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in HIDDEN:
            return False
        if action == "take":
            return self._option_count() > int(str(parameters[0]))
        if action in ("take_none", "edit_place", "next_place"):
            return self.place is not None or (action == "next_place" and self._has_open())
        return super().check_action(action, parameters)

    def on_mount(self) -> None:
        # Textual runs the annotate screen's on_mount too (after this one): it opens the
        # first article, so the hint waits until then.
        self.call_later(self._hint_if_nothing_to_review)

    def _hint_if_nothing_to_review(self) -> None:
        if not self.store.has_assignments(self.annotator):
            self.say("nothing to review yet: no article is done by two or more annotators")

    def help_groups(self) -> list[tuple[str, list[tuple[str, str]]]]:
        """The help sheet with the review keys where the suggestion keys were."""
        rows = [
            (" / ".join(OPTION_KEYS[:3]) + " …", _TAKE),
            ("x", _NONE),
            ("e", _EDIT),
            (".  ,", _NEXT_PLACE),
            ("u / U", "Undo / redo a decision (the place is open again)"),
        ]
        groups = super().help_groups()
        return [("Review", rows) if title == "Suggestions" else (title, r) for title, r in groups]

    def palette_entries(self) -> list[tuple[str, str, str, bool]]:
        review_entries = [
            ("Take the first version  (a)", _TAKE, "take(0)", False),
            ("Take the second version  (b)", _TAKE, "take(1)", False),
            ("No span at this place  (x)", _NONE, "take_none", False),
            ("Edit the place by hand  (e)", _EDIT, "edit_place", False),
            ("Next open disagreement  (.)", _NEXT_PLACE, "next_place(1)", False),
            ("Previous open disagreement  (,)", _NEXT_PLACE, "next_place(-1)", False),
        ]
        kept = [e for e in super().palette_entries() if e[2].split("(")[0] not in HIDDEN]
        return review_entries + kept

    # ---- opening an article -----------------------------------------------------------------

    @reported
    def open_article(self, article_id: int, *, cursor: int | None = None) -> None:
        # The view reports its cursor as it loads the article, before this article's review
        # is read: the last one's must not be matched against the new text.
        self.review, self._cursor_token = None, None
        super().open_article(article_id, cursor=cursor)
        self.place = None
        found = review.article_review(self.store, article_id, self.annotator)
        try:
            with self.store.patience(FAST_LOCK_S):
                started = review.start(self.store, article_id, self.annotator, found)
        except DatabaseBusy:  # another process is writing: the writer starts it, then reopen
            self._start_in_writer(article_id, found)
            started = None
        if started is not None:  # the agreed spans are the review's first action
            self.view.set_spans(tagging.span_marks(self.store, article_id, self.annotator))
            self.article_list.refresh_after(status_changed=True)
            self._show_header()
            self._refresh_status(recount=True)
            found = review.article_review(self.store, article_id, self.annotator)
        self._show_review(found, move=cursor is None or not self._in_a_place(found, cursor))
        self._cursor_token = None
        self.cursor_moved()  # a cursor opened inside a place makes it the current one
        if started is not None:
            agreed = len(found.agreed)
            self.say(
                f"✓ review started: {agreed} agreed span{'s' * (agreed != 1)} taken, "
                f"{len(found.disagreements)} disagreement"
                f"{'s' * (len(found.disagreements) != 1)} to decide"
            )

    def _start_in_writer(self, article_id: int, found: ArticleReview) -> None:
        self.say(WAITING)
        layer = self.annotator

        def started(_action: object) -> None:
            if self._is_open(article_id):
                self.open_article(article_id)

        self.writer.submit(
            Job(
                run=lambda store: review.start(store, article_id, layer, found),
                done=started,
                failed=lambda exc: self.say(f"✗ review not started: {exc}", bell=True),
            )
        )

    def load_suggestions(self, article_id: int) -> list[Mark]:
        return []  # no suggestions in a review

    # ---- keys -------------------------------------------------------------------------------

    @reported
    def action_take(self, option: int) -> None:
        place = self._current()
        if place is None:
            return
        options = [o for o in place.options if o.spans]
        if option >= len(options):
            self.say(f"this disagreement has {len(options)} version(s) with spans", bell=True)
            return
        chosen = options[option]
        self.act(lambda _here: tagging.Decide(place, chosen))

    @reported
    def action_take_none(self) -> None:
        place = self._current()
        if place is not None:
            self.act(lambda _here: tagging.Decide(place, None))

    def action_edit_place(self) -> None:
        """Select the place: a label key then tags it, shift+arrows adjust it first."""
        place = self._current()
        if place is None:
            return
        view = self.view
        view.move_to_offset(place.start)
        view.move_to_offset(place.end - 1, extend=True)
        view.focus()
        self.say("place selected: a label key tags it, shift+arrows adjust, d deletes spans in it")

    def action_next_place(self, delta: int) -> None:
        """The next (previous) open disagreement after the cursor, wrapping around."""
        found = self._adjacent_open(delta)
        if found is None:
            self.say("no open disagreement in this article")
            return
        self._go_to(found)

    @reported
    def action_mark(self, status: str) -> None:
        open_places = len(self.review.open) if self.review else 0
        super().action_mark(status)
        if status == "done" and open_places and self.message.startswith("✓"):
            self.say(f"{self.message} · {open_places} disagreement(s) left undecided")

    def cursor_moved(self) -> None:
        """The cursor in a disagreement's place (open or decided) makes it the current one."""
        if self.review is None or not self.view.tokens:
            return
        token = self.view.tokens[self.view.cursor]
        if token == self._cursor_token:
            return  # a selection or the mode changed, or a repaint: the place stays
        self._cursor_token = token
        for i, place in enumerate(self.review.disagreements):
            if place.start < token[1] and token[0] < place.end:
                if i != self.place:
                    self._go_to(i, move=False)
                return

    # ---- after a change ---------------------------------------------------------------------

    def _applied(self, outcome: Outcome) -> None:
        super()._applied(outcome)
        if self.article is None or outcome.action is None:
            return
        before = set(self.review.open) if self.review else set()
        found = review.article_review(self.store, self.article.id, self.annotator)
        reopened = [i for i in found.open if i not in before]
        if reopened:  # an undone decision: back to the place it decided
            self.review = found
            self._go_to(reopened[0])
            self._show_review(found, move=False)
            return
        self._show_review(found, move=outcome.action.kind.startswith("review take"))

    def refresh_from_disk(self, *, force: bool = False) -> None:
        super().refresh_from_disk(force=force)
        if self.article is not None:
            found = review.article_review(self.store, self.article.id, self.annotator)
            if found != self.review:
                self._show_review(found, move=False)

    def _show_review(self, found: ArticleReview, *, move: bool) -> None:
        """Draw a (re-read) review; ``move``: on to the next open disagreement."""
        self.review = found
        if move or (self.place is not None and self.place >= len(found.disagreements)):
            self.place = self._next_open(found, self.place)
        regions = [d.extent for i, d in enumerate(found.disagreements) if i in found.open]
        current = found.disagreements[self.place].extent if self.place is not None else None
        self.view.set_regions(regions, current)
        if move and self.place is not None:
            self.view.move_to_offset(found.disagreements[self.place].start)
        self._show_panel()
        self.refresh_bindings()

    def _show_panel(self) -> None:
        if self.review is None or self.article is None:
            return
        held = self.store.spans(self.article.id, self.annotator)
        self.panel.show_place(self.labels, self.review, self.place, OPTION_KEYS, held)

    @staticmethod
    def _in_a_place(found: ArticleReview, offset: int | None) -> bool:
        return offset is not None and any(d.start <= offset < d.end for d in found.disagreements)

    @staticmethod
    def _next_open(found: ArticleReview, after: int | None) -> int | None:
        """The first open disagreement after ``after`` (wrapping), None when all are decided."""
        open_places = found.open
        if not open_places:
            return None
        later = [i for i in open_places if after is None or i > after]
        return later[0] if later else open_places[0]

    def _adjacent_open(self, delta: int) -> int | None:
        if self.review is None or not self.review.open:
            return None
        places = self.review.disagreements
        here = self.view.cursor_range[0] if self.view.cursor_range else -1
        open_places = self.review.open
        if delta > 0:
            return next((i for i in open_places if places[i].start > here), open_places[0])
        return next((i for i in reversed(open_places) if places[i].end <= here), open_places[-1])

    def _go_to(self, index: int, *, move: bool = True) -> None:
        assert self.review is not None
        self.place = index
        place = self.review.disagreements[index]
        self.view.set_regions(self.view.regions, place.extent)
        if move:
            self.view.move_to_offset(place.start)
        self._show_panel()
        self.refresh_bindings()

    def _current(self) -> review.Disagreement | None:
        if self.review is None or self.place is None:
            self.say("no disagreement chosen: . goes to the next open one")
            return None
        return self.review.disagreements[self.place]

    def _option_count(self) -> int:
        if self.review is None or self.place is None:
            return 0
        return sum(1 for o in self.review.disagreements[self.place].options if o.spans)

    def _has_open(self) -> bool:
        return self.review is not None and bool(self.review.open)

    def _mode(self) -> str:
        mode = super()._mode()
        if self.review is not None and self.review.reviewable:
            total = len(self.review.disagreements)
            mode += f" · review {total - len(self.review.open)}/{total} decided"
        return mode
