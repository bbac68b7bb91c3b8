"""Review (adjudication): the disagreements between annotators' layers of one article.

The annotators of an article are the layers (never review layers) that marked it done. Their
spans are grouped into places: spans that overlap, across layers, are one place. A place
where every annotator has the same single span (range and label) is agreed; every other
place is a disagreement, of one of three kinds: the same range with different labels, a span
some annotators have and others lack, or overlapping spans with different edges.

A reviewer's layer (``review:NAME``) starts from the agreed spans (one recorded action) and
then takes one decision per disagreement: one annotator's version, none, or an edit of their
own. A disagreement counts as decided while a live (not undone) action of the review layer
decided it or changed spans in its place, so undoing a decision opens it again. Nothing here
knows of the screen: the app and the tests call these functions on a ``Store``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from partybuild_tui.core.layers import is_review
from partybuild_tui.core.store import Action, NewSpan, Span, Store

Range = tuple[int, int]
Key = tuple[int, int, str]  # (start, end, label): what "the same span" means
START_KIND = "review start"  # the action that copies the agreed spans into the review layer
KINDS = {
    "label": "same words, different labels",
    "missing": "tagged by some, not by others",
    "edges": "overlapping spans with different edges",
}


@dataclass(frozen=True)
class Option:
    """One way to resolve a disagreement: these spans (none: empty), and who chose them."""

    spans: tuple[Span, ...]
    annotators: tuple[str, ...]

    @property
    def keys(self) -> tuple[Key, ...]:
        return tuple(_key(s) for s in self.spans)


@dataclass(frozen=True)
class Disagreement:
    """A place where the annotators differ; ``options`` are the distinct versions, each
    annotator in exactly one, the empty version (someone tagged nothing here) last."""

    start: int
    end: int
    kind: str
    options: tuple[Option, ...]

    @property
    def extent(self) -> Range:
        return self.start, self.end

    def describe(self) -> str:
        return KINDS[self.kind]

    def chosen(self, review_spans: Sequence[Span]) -> int | None:
        """The index of the option the review layer now holds here, if it matches one."""
        held = tuple(_key(s) for s in review_spans if s.overlaps(self.start, self.end))
        return next((i for i, o in enumerate(self.options) if o.keys == held), None)


@dataclass(frozen=True)
class ArticleReview:
    """What a reviewer sees of one article."""

    annotators: tuple[str, ...]  # those who finished it, in name order
    agreed: tuple[Key, ...]
    disagreements: tuple[Disagreement, ...]
    decided: frozenset[int]  # indexes into ``disagreements``
    started: bool  # the review layer has acted in this article

    @property
    def reviewable(self) -> bool:
        return len(self.annotators) >= 2

    @property
    def open(self) -> list[int]:
        """Indexes of the disagreements still to decide."""
        return [i for i in range(len(self.disagreements)) if i not in self.decided]


def finished_annotators(statuses: Mapping[str, str]) -> tuple[str, ...]:
    """The annotator layers (not reviews) that marked the article done."""
    return tuple(sorted(w for w, s in statuses.items() if s == "done" and not is_review(w)))


def compare(layers: Mapping[str, Sequence[Span]]) -> tuple[list[Key], list[Disagreement]]:
    """The agreed spans and the disagreements between ``layers`` (annotator -> spans)."""
    names = sorted(layers)
    tagged = sorted(
        ((s, who) for who in names for s in layers[who]), key=lambda p: (p[0].start, p[0].end)
    )
    agreed: list[Key] = []
    disagreements: list[Disagreement] = []
    for place in _places(tagged):
        found = _place(place, names)
        if isinstance(found, Disagreement):
            disagreements.append(found)
        else:
            agreed.append(found)
    return agreed, disagreements


def _places(tagged: list[tuple[Span, str]]) -> list[list[tuple[Span, str]]]:
    """Group spans (sorted by start) into runs that overlap one another, across layers."""
    places: list[list[tuple[Span, str]]] = []
    reach = -1
    for span, who in tagged:
        if places and span.start < reach:
            places[-1].append((span, who))
            reach = max(reach, span.end)
        else:
            places.append([(span, who)])
            reach = span.end
    return places


def _place(place: list[tuple[Span, str]], names: list[str]) -> Key | Disagreement:
    by_layer: dict[str, list[Span]] = {who: [] for who in names}
    for span, who in place:
        by_layer[who].append(span)
    versions: dict[tuple[Key, ...], list[str]] = {}
    first: dict[tuple[Key, ...], tuple[Span, ...]] = {}
    for who in names:
        spans = tuple(by_layer[who])
        keys = tuple(_key(s) for s in spans)
        versions.setdefault(keys, []).append(who)
        first.setdefault(keys, spans)
    if len(versions) == 1:
        (keys,) = versions
        if len(keys) == 1:
            return keys[0]
    options = sorted(
        (Option(first[k], tuple(who)) for k, who in versions.items()),
        key=lambda o: (not o.spans, -len(o.annotators), o.annotators),
    )
    start = min(s.start for s, _ in place)
    end = max(s.end for s, _ in place)
    return Disagreement(start, end, _kind(options), tuple(options))


def _kind(options: list[Option]) -> str:
    if any(not o.spans for o in options):
        return "missing"
    ranges = {(s.start, s.end) for o in options for s in o.spans}
    single = all(len(o.spans) == 1 for o in options)
    return "label" if single and len(ranges) == 1 else "edges"


def _key(span: Span) -> Key:
    return span.start, span.end, span.label


# ---- reading and writing a review --------------------------------------------------------


def article_review(store: Store, article_id: int, layer: str) -> ArticleReview:
    """The annotators, agreement and disagreements of an article, and what ``layer`` decided
    (one read transaction)."""
    with store.snapshot():
        annotators = finished_annotators(store.statuses(article_id))
        every = store.spans(article_id)
        touched = store.live_ranges(article_id, layer, skip_kind=START_KIND)
        started = store.has_acted(article_id, layer)
    layers = {who: [s for s in every if s.annotator == who] for who in annotators}
    agreed, disagreements = compare(layers) if len(annotators) >= 2 else ([], [])
    decided = frozenset(
        i
        for i, d in enumerate(disagreements)
        if any(start < d.end and d.start < end for start, end in touched)
    )
    return ArticleReview(annotators, tuple(agreed), tuple(disagreements), decided, started)


def start(store: Store, article_id: int, layer: str, review: ArticleReview) -> Action | None:
    """Copy the agreed spans into an untouched review layer (one action); None if the layer
    has acted here already or there is nothing to review."""
    if review.started or not review.reviewable:
        return None
    with store.write():
        if store.has_acted(article_id, layer):  # another window started it meanwhile
            return None
        return store.apply(
            article_id,
            layer,
            START_KIND,
            add=[NewSpan(s, e, label, "review") for s, e, label in review.agreed],
        )


def take(
    store: Store, article_id: int, layer: str, disagreement: Disagreement, option: Option | None
) -> Action:
    """Decide a disagreement: the review layer's spans in its place become ``option``'s
    (None: no span there), as one undoable action that records the decision."""
    with store.write():
        held = [s for s in store.spans(article_id, layer) if s.overlaps(*disagreement.extent)]
        new = option.spans if option is not None else ()
        who = ", ".join(option.annotators) if option is not None and option.spans else "none"
        return store.apply(
            article_id,
            layer,
            f"review take {who}",
            add=[NewSpan(s.start, s.end, s.label, "review") for s in new],
            remove=held,
            decided=[disagreement.extent],
        )
