"""What a key means while tagging, decided from plain data, and carried out on the store.

The annotate screen describes where the cursor is (``Here``: the token under it, the
selection, the spans and pending suggestions drawn) and asks a ``decide_*`` function what a
key means there. The answer is ``Nothing`` (with the message to show) or a ``Change``, which
``carry_out`` writes. The rules live here, without Textual, so they are tested with no screen;
the screen only shows the ``Outcome``.
"""

from __future__ import annotations

import bisect
import dataclasses
import itertools
import operator
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from partybuild_tui.core import review
from partybuild_tui.core.review import Disagreement, Option
from partybuild_tui.core.store import Action, ChangedElsewhere, OverlapError, Span, Store

Range = tuple[int, int]
SuggestionState = tuple[int | str, ...]  # ``Store.suggestion_state``

NO_SUGGESTIONS = "no pending suggestions in this article"
NOT_PENDING = "that suggestion is no longer pending"
REFUSED_OVERLAP = "✗ not tagged: it overlaps existing spans (protect is on: P turns it off)"


class Mark(NamedTuple):
    """Something drawn over the text: an accepted span or a pending suggestion (a tuple: the
    view compares thousands of them after every key, at C speed)."""

    id: int
    start: int
    end: int
    label: str
    text: str = ""
    source: str = ""  # a suggestion's source


_ID = operator.itemgetter(0)  # a Mark's id, read by C code


def overlaps(mark: Mark, start: int, end: int) -> bool:
    return mark.start < end and start < mark.end


def spans_overlapping(spans: Sequence[Mark], start: int, end: int) -> Iterator[Mark]:
    """Spans overlapping [start, end), by bisection: spans are flat and in text order, so
    their ends are sorted too, and a key press need not scan a long article's spans."""
    for i in range(bisect.bisect_right(spans, start, key=lambda m: m.end), len(spans)):
        if spans[i].start >= end:
            return
        yield spans[i]


def clear_of(marks: Sequence[Mark], start: int, end: int) -> list[Mark]:
    """The marks (flat, in text order) without those overlapping [start, end): the ones that
    do are one run, found by bisection (a tag in a long article's 4,000 suggestions)."""
    first = bisect.bisect_right(marks, start, key=lambda m: m.end)
    last = bisect.bisect_left(marks, end, lo=first, key=lambda m: m.start)
    return [*marks[:first], *marks[last:]]


def patched(marks: Sequence[Mark], gone: Collection[int], came: Iterable[Mark]) -> list[Mark]:
    """The marks (in text order) without the ids in ``gone`` (-1: drawn before a commit),
    with ``came`` in their places: the ids are tested at C speed, the rest is insertion."""
    drop = set(gone)
    out = list(itertools.compress(marks, [i not in drop for i in map(_ID, marks)]))
    for mark in came:
        bisect.insort(out, mark, key=lambda m: (m.start, m.end))
    return out


def covered(spans: Sequence[Mark], mark: Mark) -> bool:
    """Whether any of the spans (flat, in text order) overlaps ``mark``."""
    return next(spans_overlapping(spans, mark.start, mark.end), None) is not None


def exactly(marks: Sequence[Mark], start: int, end: int) -> Mark | None:
    """The first mark covering exactly [start, end), by bisection of marks in text order."""
    i = bisect.bisect_left(marks, start, key=lambda m: m.start)
    while i < len(marks) and marks[i].start == start:
        if marks[i].end == end:
            return marks[i]
        i += 1
    return None


@dataclass(frozen=True)
class Here:
    """Where the annotator points in the open article and what is drawn there.

    ``token`` is the word (or syllable) under the cursor, None in an empty text; ``spans``
    and ``suggestions`` are in text order and flat, as the article view holds them.
    """

    token: Range | None
    selection: Range | None = None
    spans: Sequence[Mark] = ()
    suggestions: Sequence[Mark] = ()

    @property
    def target(self) -> Range | None:
        """What a label key applies to: the selection, else the token under the cursor."""
        return self.selection or self.token

    def span_at_cursor(self) -> Mark | None:
        """The span under the cursor, only when nothing is selected (a selection means
        "this range", not "that span")."""
        if self.selection is not None or self.token is None:
            return None
        return next(spans_overlapping(self.spans, *self.token), None)

    def spans_in(self, start: int, end: int) -> list[Mark]:
        return list(spans_overlapping(self.spans, start, end))

    def suggestions_at_target(self) -> list[Mark]:
        """Pending suggestions touching the token under the cursor (or the selection)."""
        target = self.target
        if target is None:
            return []
        return list(spans_overlapping(self.suggestions, *target))

    def suggestion_at(self) -> Mark | None:
        """The pending suggestion under the cursor (suggestions are flat: one at most)."""
        if self.token is None:
            return None
        return next(spans_overlapping(self.suggestions, *self.token), None)


# ---- intents: what a key means, before anything is written ------------------------------


@dataclass(frozen=True)
class Nothing:
    """Nothing to write; ``message`` (if any) says why."""

    message: str = ""


@dataclass(frozen=True)
class Tag:
    start: int
    end: int
    label: str
    replace: bool = True  # False (protect on): refuse a tag that overlaps spans


@dataclass(frozen=True)
class Relabel:
    span: Mark
    label: str


@dataclass(frozen=True)
class Correct:
    """Keep a suggestion's range with another label (the suggestion counts as rejected)."""

    suggestion: Mark
    label: str


@dataclass(frozen=True)
class Accept:
    suggestion: Mark


@dataclass(frozen=True)
class Reject:
    suggestion: Mark


@dataclass(frozen=True)
class AcceptAll:
    """Accept what shows: ``prefer`` are the proposals cycled to (c), which win their place."""

    prefer: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Delete:
    spans: tuple[Mark, ...]


@dataclass(frozen=True)
class TagAll:
    span: Mark


@dataclass(frozen=True)
class MarkStatus:
    """Mark done or skipped; the same key again puts the article back in progress."""

    status: str


@dataclass(frozen=True)
class Decide:
    """Review: settle a disagreement with one annotator's version (None: no span there)."""

    disagreement: Disagreement
    option: Option | None


@dataclass(frozen=True)
class Undo:
    pass


@dataclass(frozen=True)
class Redo:
    pass


Change = (
    Tag
    | Relabel
    | Correct
    | Accept
    | Reject
    | AcceptAll
    | Delete
    | TagAll
    | MarkStatus
    | Decide
    | Undo
    | Redo
)
Intent = Nothing | Change
# Changes made on what the annotator pointed at: the selection is used up once they ran.
USES_SELECTION = (Tag, Relabel, Correct, Delete, Accept, Reject, AcceptAll)


# ---- decisions ----------------------------------------------------------------------------


def decide_label(here: Here, label: str, *, protect: bool = False) -> Intent:
    """A label key: relabel the span under the cursor; on a pending suggestion (the cursor
    in it, or a selection of exactly its range) it applies to the whole suggestion, one-word
    or long alike: accept it with its own label, correct it with another; else tag the
    target (a selection tags part of a suggestion)."""
    span = here.span_at_cursor()
    if span is not None:
        if span.label == label:
            return Nothing(f"already {label}: {quote(span.text)}")
        return Relabel(span, label)
    target = here.target
    if target is None:
        return Nothing()
    proposal = exactly(here.suggestions, *target) if here.selection else here.suggestion_at()
    if proposal is not None:
        return Accept(proposal) if proposal.label == label else Correct(proposal, label)
    return Tag(*target, label, replace=not protect)


def decide_delete(here: Here) -> Intent:
    """Delete every span in the selection, else the span under the cursor."""
    if here.selection is not None:
        marks = here.spans_in(*here.selection)
    else:
        span = here.span_at_cursor()
        marks = [span] if span else []
    if not marks:
        return Nothing("no span under the cursor")
    return Delete(tuple(marks))


def suggestion_here(here: Here) -> Mark | Nothing:
    """The suggestion ``a`` and ``x`` decide: the first one under the cursor or selection."""
    marks = here.suggestions_at_target()
    if marks:
        return marks[0]
    if here.suggestions:
        return Nothing("no suggestion under the cursor (. and , jump to one)")
    return Nothing(NO_SUGGESTIONS)


def decide_accept(here: Here) -> Intent:
    found = suggestion_here(here)
    return Accept(found) if isinstance(found, Mark) else found


def decide_reject(here: Here) -> Intent:
    found = suggestion_here(here)
    return Reject(found) if isinstance(found, Mark) else found


def decide_tag_all(here: Here, *, segmented: bool) -> Intent:
    """Tag all occurrences of the span under the cursor, once the words are known (the
    occurrences are found on word boundaries)."""
    span = here.span_at_cursor()
    if span is None:
        return Nothing("put the cursor on a span to tag all its occurrences")
    if not segmented:
        return Nothing("still segmenting the words; try again in a moment")
    return TagAll(span)


def toggled_status(current: str, pressed: str) -> str:
    """Done (skipped) unless it already is: then back in progress."""
    return "in_progress" if current == pressed else pressed


def jump_to_suggestion(here: Here, delta: int) -> Mark | None:
    """The next (``delta`` > 0) or previous pending suggestion from the cursor, wrapping
    around; None when there is none (or no text)."""
    marks = here.suggestions
    if not marks or here.token is None:
        return None
    at = here.token[0]
    if delta > 0:
        return next((m for m in marks if m.start > at), marks[0])
    return next((m for m in reversed(marks) if m.end <= at), marks[-1])


def following(marks: Sequence[Mark], offset: int) -> Mark | None:
    """The first mark starting after ``offset`` (no wrap): where ``a``/``x`` go on to."""
    return next((m for m in marks if m.start > offset), None)


def suggestion_position(marks: Sequence[Mark], mark: Mark) -> str:
    """Status text after a jump: which suggestion this is and what to do with it."""
    where = f"suggestion {marks.index(mark) + 1}/{len(marks)}"
    return f"{where}: {proposal_text(mark)} (a accept, x reject)"


def cursor_after(action: Action, before: Sequence[Mark], after: Sequence[Mark]) -> int | None:
    """Where the cursor goes after a change, given the suggestions drawn before and after.

    A new tag: on its last word, so → goes on. Something back from undo or redo: on it. An
    undone accept or reject (a suggestion is back, no span): on the suggestion. A relabel
    or a delete: the cursor stays (None).
    """
    if action.added:
        if action.kind in ("tag", "correct"):
            return action.added[0].end - 1
        return None if action.kind == "relabel" else action.added[0].start
    _gone, back = difference(before, after)
    return back[0].start if back else None


def difference(old: Sequence[Mark], new: Sequence[Mark]) -> tuple[list[Mark], list[Mark]]:
    """(marks only in ``old``, marks only in ``new``), both lists in text order. After one
    key most marks are the very same objects: the equal head and tail are found by
    bisection with C-level list comparisons, and only the middle is walked."""
    head = _same_run(old, new, tail=False)
    tail = _same_run(old[head:], new[head:], tail=True)
    old_mid, new_mid = old[head : len(old) - tail], new[head : len(new) - tail]
    gone: list[Mark] = []
    came: list[Mark] = []
    i = j = 0
    while i < len(old_mid) and j < len(new_mid):
        a, b = old_mid[i], new_mid[j]
        if a is b or a == b:
            i, j = i + 1, j + 1
        elif (a.start, a.end) < (b.start, b.end):
            gone.append(a)
            i += 1
        elif (b.start, b.end) < (a.start, a.end):
            came.append(b)
            j += 1
        else:  # the same place, another mark
            gone.append(a)
            came.append(b)
            i, j = i + 1, j + 1
    return gone + list(old_mid[i:]), came + list(new_mid[j:])


def _same_run(old: Sequence[Mark], new: Sequence[Mark], *, tail: bool) -> int:
    """How many marks at the start (``tail``: the end) of both are equal."""
    lo, hi = 0, min(len(old), len(new))
    while lo < hi:
        mid = (lo + hi + 1) // 2
        same = old[len(old) - mid :] == new[len(new) - mid :] if tail else old[:mid] == new[:mid]
        lo, hi = (mid, hi) if same else (lo, mid - 1)
    return lo


def teaches(action: Action) -> bool:
    """Whether a change alters the tagged forms memory proposes: a new tag, or an undo,
    redo or delete that takes some back (their proposals are withdrawn)."""
    return bool(action.added or action.removed)


def preview(
    change: Change, spans: Sequence[Mark], suggestions: Sequence[Mark], text: str
) -> tuple[list[Mark], list[Mark]] | None:
    """The spans and suggestions a change will leave, drawn before it is committed (while the
    database is busy); None for changes only the store can work out (undo, accept all, …).
    New spans get id -1 until the commit gives them theirs."""
    match change:
        case Tag(start, end, label, replace):
            hit = list(spans_overlapping(spans, start, end))
            if hit and not replace:
                return None
            new = Mark(-1, start, end, label, text[start:end])
            return patched(spans, _ids(hit), [new]), clear_of(suggestions, start, end)
        case Relabel(span, label):
            new = Mark(-1, span.start, span.end, label, span.text)
            return patched(spans, {span.id}, [new]), list(suggestions)
        case Delete(marks):
            return patched(spans, _ids(marks), ()), list(suggestions)
        case Accept(mark) | Correct(mark):
            label = change.label if isinstance(change, Correct) else mark.label
            hit = list(spans_overlapping(spans, mark.start, mark.end))
            new = Mark(-1, mark.start, mark.end, label, mark.text)
            return patched(spans, _ids(hit), [new]), clear_of(suggestions, mark.start, mark.end)
        case Reject(mark):
            return list(spans), [m for m in suggestions if m != mark]
    return None


def _ids(marks: Iterable[Mark]) -> set[int]:
    return {m.id for m in marks}


# ---- carrying an intent out ---------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """What ``carry_out`` did: the committed action (None: nothing changed) and how to say it."""

    action: Action | None
    nothing: str = "nothing changed"  # the message when nothing changed
    verb: str = "saved"
    what: str | None = None  # instead of ``describe(action)``
    refused: bool = False  # the store refused the change (protect): ``nothing`` says why
    # The layer's suggestion state just before and after, read in the change's transaction:
    # a view that had seen the first has seen the second once it patched the change in.
    states: tuple[SuggestionState, SuggestionState] | None = None


def carry_out(store: Store, article_id: int, annotator: str, change: Change) -> Outcome:
    """Carry a change out as one store transaction (suggest's for suggestions), with the
    layer's suggestion state before and after it."""
    if isinstance(change, TagAll):  # its words, segmented if need be outside the lock
        from partybuild_tui.core import tokenize

        tokenize.tokenization(store, store.article(article_id))
    with store.write():
        before = store.suggestion_state(article_id, annotator)
        outcome = _carried_out(store, article_id, annotator, change)
        after = store.suggestion_state(article_id, annotator)
    return dataclasses.replace(outcome, states=(before, after))


def _carried_out(store: Store, article_id: int, annotator: str, change: Change) -> Outcome:
    from partybuild_tui.core import suggest  # underthesea's module loads on first use

    match change:
        case Tag(start, end, label, replace):
            try:
                action = store.tag(article_id, start, end, label, annotator, replace=replace)
            except OverlapError:
                return Outcome(None, nothing=REFUSED_OVERLAP, refused=True)
            return Outcome(action)
        case Relabel(span, label):
            return Outcome(store.relabel(span.id, label, annotator))
        case Correct(mark, label):
            action = suggest.accept_as(store, mark.id, annotator, label)
            what = f"corrected {mark.label} → {label} {quote(mark.text)}"
            return Outcome(action, nothing=NOT_PENDING, what=what)
        case Accept(mark):
            return Outcome(suggest.accept(store, mark.id, annotator), nothing=NOT_PENDING)
        case Reject(mark):
            action = suggest.reject(store, mark.id, annotator)
            what = f"rejected {mark.label} {quote(mark.text)}"
            return Outcome(action, nothing=NOT_PENDING, what=what)
        case AcceptAll(prefer):
            action = suggest.accept_all(store, article_id, annotator, prefer=prefer)
            return Outcome(action, nothing=NO_SUGGESTIONS)
        case Delete(marks):
            spans = [store.span(m.id) for m in marks]
            return Outcome(store.apply(article_id, annotator, "delete", remove=spans))
        case TagAll(span):
            action = suggest.tag_all_occurrences(store, article_id, span.id, annotator)
            return Outcome(action, nothing=f"no untagged {quote(span.text)} left in this article")
        case MarkStatus(pressed):
            status = toggled_status(store.status(article_id, annotator), pressed)
            return Outcome(store.set_status(article_id, status, annotator))
        case Decide(place, option):
            action = review.take(store, article_id, annotator, place, option)
            return Outcome(action, verb="decided", what=choice_text(option))
        case Undo():
            return _step(store, article_id, annotator, forward=False)
        case Redo():
            return _step(store, article_id, annotator, forward=True)
    raise TypeError(f"not a change: {change!r}")


ELSEWHERE = "a change made in another window/session"


def _step(store: Store, article_id: int, annotator: str, *, forward: bool) -> Outcome:
    """Undo or redo in this annotator's layer; refused (nothing changed) when another window
    changed those spans since; says so when the change came from another window."""
    verb = "redone" if forward else "undone"
    try:
        action = store.redo(article_id, annotator) if forward else store.undo(article_id, annotator)
    except ChangedElsewhere as exc:
        return Outcome(None, nothing=str(exc), refused=True)
    what = None
    if action is not None and action.elsewhere:
        what = f"{describe(action)} · {'redid' if forward else 'undid'} {ELSEWHERE}"
    nothing = f"nothing to {'redo' if forward else 'undo'} in this article"
    return Outcome(action, nothing=nothing, verb=verb, what=what)


# ---- marks and status text ----------------------------------------------------------------


def span_mark(span: Span) -> Mark:
    return Mark(span.id, span.start, span.end, span.label, span.text)


def span_marks(store: Store, article_id: int, annotator: str) -> list[Mark]:
    return [span_mark(s) for s in store.spans(article_id, annotator)]


def pending_marks(
    store: Store, article_id: int, annotator: str, prefer: Collection[int] = ()
) -> list[Mark]:
    """What to draw: suggest's flat view of pending suggestions (one per place, never
    rejected ones, none over the annotator's spans); ``prefer`` ids win their place."""
    from partybuild_tui.core import suggest

    return [
        Mark(s.id, s.start, s.end, s.label, s.text, s.source)
        for s in suggest.pending(store, article_id, annotator, prefer=prefer)
    ]


def pending_marks_near(
    store: Store,
    article_id: int,
    annotator: str,
    ranges: Sequence[Range],
    prefer: Collection[int] = (),
    longest_span: int | None = None,
) -> tuple[list[Range], list[Mark]]:
    """``pending_marks`` only around ``ranges`` (where a change happened): the places read
    and what to draw in them (see ``suggest.pending_near``)."""
    from partybuild_tui.core import suggest

    places, found = suggest.pending_near(
        store, article_id, annotator, ranges, prefer=prefer, longest_span=longest_span
    )
    return places, [Mark(s.id, s.start, s.end, s.label, s.text, s.source) for s in found]


def touched(store: Store, action: Action) -> list[Range]:
    """Where an action can change what suggestions show: its spans' ranges and those of
    the suggestions it decided (a reject, or undoing one, has no span)."""
    ranges = [(s.start, s.end) for s in (*action.added, *action.removed)]
    return ranges + store.suggestion_ranges(action.verdicts) if action.verdicts else ranges


def replace_near(
    drawn: Sequence[Mark], places: Sequence[Range], found: Sequence[Mark]
) -> list[Mark]:
    """The suggestions drawn, with those in ``places`` (disjoint, in text order) replaced by
    ``found``: by bisection, as ``drawn`` is flat and in text order."""
    out: list[Mark] = []
    at = taken = 0
    for start, end in places:
        first = bisect.bisect_right(drawn, start, lo=at, key=lambda m: m.end)
        out.extend(drawn[at:first])
        at = first
        while at < len(drawn) and drawn[at].start < end:
            at += 1  # drawn[at] overlaps the place: read again
        while taken < len(found) and found[taken].start < end:
            out.append(found[taken])  # found lies in the places, in text order
            taken += 1
    out.extend(drawn[at:])
    return out


def alternative(store: Store, article_id: int, annotator: str, mark: Mark) -> Mark | None:
    """The next proposal at ``mark``'s place to show instead (cycling), if there is one."""
    from partybuild_tui.core import suggest

    others = suggest.alternatives(store, article_id, mark.id, annotator)
    if not others:
        return None
    s = others[0]
    return Mark(s.id, s.start, s.end, s.label, s.text, s.source)


def proposal_text(mark: Mark) -> str:
    """How the status line names a proposal: label, text, source."""
    source = f" ({mark.source})" if mark.source else ""
    return f"{mark.label} {quote(mark.text, 30)}{source}"


def choice_text(option: Option | None) -> str:
    """How the status line names a review decision."""
    if option is None or not option.spans:
        return "no span here"
    shown = " + ".join(f"{s.label} {quote(s.text, 30)}" for s in option.spans)
    return f"took {', '.join(option.annotators)}'s {shown}"


def quote(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return f"‘{text if len(text) <= limit else text[: limit - 1] + '…'}’"


def describe(action: Action) -> str:
    """One line for the status bar about what an action did (or what an undo took back)."""
    undone = action.kind.startswith("undo ")
    kind = action.kind.removeprefix("undo ")
    added, removed = (action.removed, action.added) if undone else (action.added, action.removed)
    if kind == "status" and action.status is not None:
        old, new = action.status
        if undone:
            return f"marked {old.replace('_', ' ')} (now {new.replace('_', ' ')})"
        return f"marked {new.replace('_', ' ')}"
    shown = added or removed
    if not shown:
        return f"{kind} suggestion" if kind == "reject" else kind
    if kind == "accept all":
        return f"accept all: {len(shown)} suggestion{'s' * (len(shown) != 1)}"
    span = shown[0]
    more = f" +{len(shown) - 1}" if len(shown) > 1 else ""
    extra = f" (replacing {len(removed)})" if added and removed and kind == "tag" else ""
    return f"{kind} {span.label} {quote(span.text)}{more}{extra}"
