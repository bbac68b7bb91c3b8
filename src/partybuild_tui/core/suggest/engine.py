"""Computing, storing and deciding suggestions: the API the app and the CLI call.

Sources run only when their output may have changed: ``suggestion_runs`` remembers, per
article and source, the source version and content hash of the last run. Every proposal a
source makes is stored (snapped to syllables, inside the body); what the user sees is
decided at read time: proposals overlapping a span are hidden, a range and label rejected
once is never shown again, duplicates from several sources show once and overlapping ones
are resolved to a flat set (higher score first, then longer). Accepting and rejecting go
through ``Store.apply``, so both are one undoable action.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from partybuild_tui import config
from partybuild_tui.core import tokenize
from partybuild_tui.core.choices import SUGGESTION_SOURCES
from partybuild_tui.core.store import Action, Article, NewSpan, Span, Store, Suggestion
from partybuild_tui.core.suggest import reliability
from partybuild_tui.core.suggest.base import Context, FlatSet, Proposal, Source, flatten, snap
from partybuild_tui.core.suggest.byline import BylineSource
from partybuild_tui.core.suggest.memory import Lexicon, MemorySource, load_lexicon
from partybuild_tui.core.suggest.model import NAME as MODEL_NAME
from partybuild_tui.core.suggest.model import ModelSource, Trained
from partybuild_tui.core.suggest.ner import NerSource
from partybuild_tui.core.suggest.patterns import Patterns, load_patterns
from partybuild_tui.core.suggest.rules import RuleSource
from partybuild_tui.core.tokenize import Tokenization
from partybuild_tui.errors import UserError

SOURCE_NAMES = SUGGESTION_SOURCES
# Sources that take milliseconds; NER takes 0.5-2 s per article. The app can show the fast
# ones first: compute(store, id, FAST_SOURCES), then compute(store, id, SLOW_SOURCES). The
# model reads the other sources' proposals, so it runs last (and is skipped until trained).
FAST_SOURCES = ("memory", "rules", "byline")
SLOW_SOURCES = ("ner", "model")


# ---- sources --------------------------------------------------------------------------------


def check_names(names: Iterable[str] | None) -> tuple[str, ...]:
    """The requested source names, validated; all of them when None."""
    if names is None:
        return SOURCE_NAMES
    chosen = tuple(dict.fromkeys(names))
    unknown = [n for n in chosen if n not in SOURCE_NAMES]
    if unknown:
        raise UserError(
            f"unknown suggestion source {unknown[0]!r}; use one of {', '.join(SOURCE_NAMES)}"
        )
    return chosen


def build_sources(
    names: Iterable[str] | None,
    patterns: Patterns,
    lexicon: Lexicon | None,
    trained: Trained | None = None,
) -> list[Source]:
    """The named sources, in ``SOURCE_NAMES`` order; ``model`` only once one is trained."""
    chosen = set(check_names(names))
    made: list[Source] = []
    for name in (n for n in SOURCE_NAMES if n in chosen):
        if name == "memory":
            made.append(MemorySource(lexicon or Lexicon({})))
        elif name == "rules":
            made.append(RuleSource(patterns))
        elif name == "byline":
            made.append(BylineSource())
        elif name == "ner":
            made.append(NerSource(patterns))
        elif trained is not None:
            made.append(ModelSource(trained, patterns))
    return made


def trained_model(store: Store) -> Trained | None:
    """The newest model trained on this database, if any."""
    found = store.latest_model(MODEL_NAME)
    return Trained(found[1], found[0].training_hash) if found else None


def patterns_for(store: Store) -> Patterns:
    return load_patterns(None if str(store.path) == ":memory:" else Path(store.path))


def default_sources(store: Store, names: Iterable[str] | None = None) -> list[Source]:
    """The sources to run against this store's corpus (memory reads its current tags)."""
    chosen = check_names(names)
    patterns = patterns_for(store)
    lexicon = load_lexicon(store, patterns) if "memory" in chosen else None
    trained = trained_model(store) if MODEL_NAME in chosen else None
    return build_sources(chosen, patterns, lexicon, trained)


def _resolve_sources(store: Store, sources: Sequence[Source | str] | None) -> list[Source]:
    if sources is None:
        return default_sources(store)
    names = [s for s in sources if isinstance(s, str)]
    made = default_sources(store, names) if names else []
    return [*made, *(s for s in sources if not isinstance(s, str))]


# ---- computing --------------------------------------------------------------------------------


def stale_sources(store: Store, article: Article, sources: Sequence[Source]) -> list[Source]:
    """The sources whose last run on this article is missing or out of date."""
    runs = store.suggestion_runs(article.id)
    return [s for s in sources if runs.get(s.name) != (s.version, article.content_hash)]


# source name -> (version, proposals, uncertainty: how unsure a model was of the article)
RunResult = dict[str, tuple[str, list[Proposal], float | None]]


def propose(
    article: Article, tokenization: Tokenization, sources: Sequence[Source], context: Context
) -> RunResult:
    """Run the sources (no database needed): source name -> (version, clean proposals)."""
    results: RunResult = {}
    for source in sources:
        uncertainty: float | None = None
        if isinstance(source, ModelSource):
            raw, uncertainty = source.assess(article, tokenization, context)
        else:
            raw = source.suggest(article, tokenization, context)
        kept = clean(raw, article, tokenization)
        results[source.name] = (source.version, kept, uncertainty)
        older = tuple(x for x in context.proposals if x[0] != source.name)
        context = Context(context.spans, older + tuple((source.name, p) for p in kept))
    return results


# The sources known to read only the article and its spans, not other sources' proposals.
_OWN_EYES = (MemorySource, RuleSource, BylineSource, NerSource)


def _reads_proposals(sources: Sequence[Source]) -> bool:
    return not all(isinstance(s, _OWN_EYES) for s in sources)


def stored_context(store: Store, article_id: int, *, with_proposals: bool = True) -> Context:
    """Where the article's spans lie and every stored proposal (any status: decisions are not
    features), for sources that build on other sources (only they need the proposals:
    thousands of rows in a long article)."""
    proposals = tuple(
        (s.source, Proposal(s.start, s.end, s.label, s.score))
        for s in (store.suggestions(article_id) if with_proposals else ())
    )
    return Context(tuple(store.span_places(article_id)), proposals)


def clean(raw: Iterable[Proposal], article: Article, tokenization: Tokenization) -> list[Proposal]:
    """Snap to syllables, keep what lies in the body, drop duplicates and overlaps."""
    seen: dict[tuple[int, int, str], Proposal] = {}
    for proposal in raw:
        edges = snap(tokenization, proposal.start, proposal.end)
        if edges is None:
            continue
        start, end = edges
        if start < article.body_start or end > article.body_end:
            continue
        key = (start, end, proposal.label)
        if key not in seen or seen[key].score < proposal.score:
            seen[key] = Proposal(start, end, proposal.label, proposal.score)
    return flatten(list(seen.values()))


def save_results(store: Store, article: Article, results: RunResult) -> list[tuple[int, int]]:
    """Store one article's run results (one transaction): new proposals in, stale ones out;
    the ranges where the stored suggestions changed."""
    changed: list[tuple[int, int]] = []
    with store.write():
        for name, (version, proposals, uncertainty) in results.items():
            changed += store.save_suggestion_run(article, name, version, proposals, uncertainty)
    return changed


@dataclass(frozen=True)
class Ran:
    """What one ``update`` stored: where, and the layer's ``suggestion_state`` just before and
    after it, in its transaction: a view that had seen ``before`` re-reads only ``changed``."""

    changed: tuple[tuple[int, int], ...]
    before: tuple[int | str, ...]
    after: tuple[int | str, ...]


def compute(
    store: Store,
    article_id: int,
    sources: Sequence[Source | str] | None = None,
    *,
    force: bool = False,
) -> list[Suggestion]:
    """Run the out-of-date sources on one article, store their proposals, return pending().

    ``sources`` are names or Source objects (default: all). Safe in a thread worker that
    opened its own ``Store(path)``.
    """
    update(store, article_id, sources, force=force)
    return pending(store, article_id)


def update(
    store: Store,
    article_id: int,
    sources: Sequence[Source | str] | None = None,
    *,
    force: bool = False,
    annotator: str | None = None,
) -> Ran | None:
    """``compute`` without reading the result back (the app reads its own layer's view of
    it): what changed (the states are ``annotator``'s layer's), None if no source ran."""
    article = store.article(article_id)
    chosen = _resolve_sources(store, sources)
    todo = chosen if force else stale_sources(store, article, chosen)
    if not todo:
        return None
    tokens = tokenize.tokenization(store, article)
    context = stored_context(store, article_id, with_proposals=_reads_proposals(todo))
    results = propose(article, tokens, todo, context)
    with store.write():
        before = store.suggestion_state(article_id, annotator)
        changed = save_results(store, article, results)
        after = store.suggestion_state(article_id, annotator)
    return Ran(tuple(changed), before, after)


def prepare_memory(store: Store, article_id: int) -> None:
    """Get the memory source ready for tags in this article (its words indexed, every tagged
    form's places found), so the first tag's re-run is as quick as the next ones; nothing
    is stored. Skipped while the article's words are not cached."""
    article = store.article(article_id)
    tokens = tokenize.cached_tokenization(store, article)
    if tokens is not None:
        MemorySource(load_lexicon(store, patterns_for(store))).prepare(tokens)


# ---- reading ------------------------------------------------------------------------------------


def suggestion(store: Store, suggestion_id: int, annotator: str | None = None) -> Suggestion:
    """One suggestion, its status in ``annotator``'s layer (None: decided by anyone)."""
    return store.suggestion(suggestion_id, annotator)


def suggestions(
    store: Store,
    article_id: int,
    status: str | None = None,
    source: str | None = None,
    annotator: str | None = None,
    within: tuple[int, int] | None = None,
) -> list[Suggestion]:
    """Stored suggestions of an article the layer sees (any status unless given), in text
    order, with their status in ``annotator``'s layer (None: decided by anyone); only
    those overlapping ``within`` when given."""
    return store.suggestions(article_id, status, source, annotator, within)


def project_labels(store: Store) -> list[str]:
    """The labels this database's project uses: suggestions of other labels are not shown."""
    path = None if str(store.path) == ":memory:" else Path(store.path)
    return config.load_labels(path).names


def suggestion_at(items: Sequence[Suggestion], offset: int) -> Suggestion | None:
    """The suggestion covering ``offset`` (for the one under the cursor), if any."""
    return next((s for s in items if s.start <= offset < s.end), None)


def next_suggestion(
    items: Sequence[Suggestion], offset: int, *, forward: bool = True
) -> Suggestion | None:
    """The first suggestion after the one at ``offset`` (or before it, going back); no wrap.

    ``items`` is a flat list in text order, as ``pending()`` returns.
    """
    if forward:
        return next((s for s in items if s.start > offset), None)
    return next((s for s in reversed(items) if s.end <= offset), None)


def rank(item: Suggestion) -> tuple[float, float, int, int]:
    """Who wins an overlap before any decision: the source's prior, score, length, place."""
    return reliability.Reliability().rank(item)


def pending(
    store: Store,
    article_id: int,
    annotator: str | None = None,
    *,
    flat: bool = True,
    prefer: Collection[int] = (),
) -> list[Suggestion]:
    """What to show: pending, not over a span, never rejected, one per range and label,
    all in ``annotator``'s layer: another layer's decisions change nothing here.

    With ``flat`` (default) overlapping proposals are resolved to one per place, the one of
    the source and label this annotator accepted most often (``reliability``), as
    ``accept_all`` takes them; the others come back if it is rejected. Ids in ``prefer``
    win their place (the annotator cycled to them). ``annotator`` limits the spans that hide
    suggestions to that annotator's, the decisions to theirs and the decisions that rate the
    sources to theirs; None: every span, and a suggestion is decided once anyone decided it.
    """
    with store.snapshot():
        everything = suggestions(store, article_id, annotator=annotator)
        spans = store.spans(article_id, annotator)
    shown = _candidates(store, everything, spans)
    return _flatten(store, shown, annotator, prefer) if flat else shown


def pending_near(
    store: Store,
    article_id: int,
    annotator: str,
    ranges: Iterable[tuple[int, int]],
    *,
    prefer: Collection[int] = (),
    longest_span: int | None = None,
) -> tuple[list[tuple[int, int]], list[Suggestion]]:
    """``pending()`` where a change happened: the places around ``ranges`` and what to show
    there. A place grows to every stored proposal overlapping it (and theirs, ...), so no
    proposal outside it competes with one inside, and the flat choice inside is exactly
    ``pending()``'s. Reads only those rows: milliseconds in an article of 4,000 proposals
    where ``pending()`` takes a tenth of a second. ``longest_span``: the layer's longest
    span if the caller knows it (the view does: the query reads every span, a millisecond).
    """
    with store.snapshot():
        places: list[tuple[int, int]] = []
        rows: dict[int, Suggestion] = {}
        longest = store.longest_suggestion(article_id)  # each read then costs ~20 µs
        for place in _merged(ranges):
            while True:  # widen to the proposals reaching out of it
                found = store.suggestions(
                    article_id, annotator=annotator, within=place, longest=longest
                )
                wider = (
                    min([place[0], *(s.start for s in found)]),
                    max([place[1], *(s.end for s in found)]),
                )
                if wider == place:
                    break
                place = wider
            places.append(place)
            rows.update((s.id, s) for s in found)
        places = _merged(places)
        reach = store.longest_span(article_id, annotator) if longest_span is None else longest_span
        spans = [
            sp
            for place in places
            for sp in store.spans(article_id, annotator, place, longest=reach)
        ]
    unique_spans = sorted({sp.id: sp for sp in spans}.values(), key=lambda sp: (sp.start, sp.id))
    everything = sorted(rows.values(), key=lambda s: (s.start, s.end, s.id))
    shown = _candidates(store, everything, unique_spans)
    return places, _flatten(store, shown, annotator, prefer)


def _merged(ranges: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """The ranges sorted, overlapping or touching ones joined."""
    joined: list[tuple[int, int]] = []
    for start, end in sorted(ranges):
        if joined and start <= joined[-1][1]:
            joined[-1] = (joined[-1][0], max(joined[-1][1], end))
        else:
            joined.append((start, end))
    return joined


def _flatten(
    store: Store, shown: Sequence[Suggestion], annotator: str | None, prefer: Collection[int]
) -> list[Suggestion]:
    """One proposal per place: preferred ones first, then the most reliable."""
    rates = reliability.load(store, annotator)
    kept: FlatSet[Suggestion] = FlatSet()
    for item in sorted(shown, key=lambda s: (s.id not in prefer, rates.rank(s))):
        kept.add_if_free(item)
    return sorted(kept.items, key=lambda s: (s.start, s.end, s.id))


def _candidates(
    store: Store, everything: Sequence[Suggestion], spans: Sequence[Span]
) -> list[Suggestion]:
    """Pending proposals of the project's labels, never rejected, over no span: one per
    range and label (the most reliable source's by prior), in text order. ``everything``
    carries the statuses of one layer (``suggestions(..., annotator=...)``)."""
    labels = set(project_labels(store))
    rejected = {s.key for s in everything if s.status == "rejected"}
    starts = [s.start for s in spans]
    reach = list(itertools.accumulate((s.end for s in spans), max))
    best: dict[tuple[int, int, str], Suggestion] = {}
    for item in everything:
        if item.status != "pending" or item.key in rejected or item.label not in labels:
            continue
        if _covered(starts, reach, item.start, item.end):
            continue
        if item.key not in best or rank(item) < rank(best[item.key]):
            best[item.key] = item
    return sorted(best.values(), key=lambda s: (s.start, s.end, s.id))


def _covered(starts: list[int], reach: list[int], start: int, end: int) -> bool:
    """Whether [start, end) overlaps a span: of the spans (sorted by start) that start
    before ``end``, does the furthest end reach past ``start``? (bisect, not a scan)"""
    i = bisect.bisect_left(starts, end)
    return i > 0 and reach[i - 1] > start


def alternatives(
    store: Store, article_id: int, suggestion_id: int, annotator: str | None = None
) -> list[Suggestion]:
    """The other pending proposals at the place of ``suggestion_id`` (overlapping it), in
    the order the annotator cycles to them: those after it in reliability order, then from
    the most reliable on (so cycling from any of them goes round all, not back and forth)."""
    with store.snapshot():  # only the rows around it: a long article has thousands
        try:
            middle = suggestion(store, suggestion_id, annotator)
        except UserError:
            return []  # gone (its source ran again)
        around = (middle.start, middle.end)
        everything = suggestions(store, article_id, annotator=annotator, within=around)
        reach = (
            min([middle.start, *(s.start for s in everything)]),
            max([middle.end, *(s.end for s in everything)]),
        )
        spans = store.spans(article_id, annotator, reach)
    shown = _candidates(store, everything, spans)
    here = next((s for s in shown if s.id == suggestion_id), None)
    if here is None:
        return []
    rates = reliability.load(store, annotator)
    place = sorted((s for s in shown if s.overlaps(here.start, here.end)), key=rates.rank)
    at = next(i for i, s in enumerate(place) if s.id == here.id)
    return place[at + 1 :] + place[:at]


# ---- deciding ------------------------------------------------------------------------------------


def _same_pending(store: Store, item: Suggestion, annotator: str) -> list[int]:
    """Ids of the suggestions (any source) with this range and label pending in the layer."""
    return store.same_pending(item, annotator)


def accept(store: Store, suggestion_id: int, annotator: str) -> Action | None:
    """Tag the suggestion's range as one undoable action (origin 'suggestion:<source>').

    The same range and label proposed by other sources is accepted with it. Overlapping
    suggestions are left pending (hidden while the span exists, back if it is undone).
    None when it is no longer pending in the annotator's layer or would overlap one of the
    annotator's spans. Decisions are the layer's: other annotators still see it pending.
    """
    return accept_as(store, suggestion_id, annotator, None)


def accept_as(store: Store, suggestion_id: int, annotator: str, label: str | None) -> Action | None:
    """Keep the suggestion's range, with ``label`` if the annotator corrects its label.

    With no label or the suggested one this is ``accept``. Otherwise the span is tagged
    (origin 'corrected:<source>') and the suggestion rejected, in one undoable action, so the
    source's acceptance figures count the wrong label. None when it is no longer pending in
    the annotator's layer or overlaps one of the annotator's spans.
    """
    with store.write():
        item = suggestion(store, suggestion_id, annotator)
        if item.status != "pending":
            return None
        if store.spans(item.article_id, annotator, (item.start, item.end)):
            return None
        same = label is None or label == item.label
        kind, origin, outcome = (
            ("accept", f"suggestion:{item.source}", "accepted")
            if same
            else ("correct", f"corrected:{item.source}", "rejected")
        )
        return store.apply(
            item.article_id,
            annotator,
            kind,
            add=[NewSpan(item.start, item.end, label or item.label, origin)],
            suggestions=[
                (sid, "pending", outcome) for sid in _same_pending(store, item, annotator)
            ],
        )


def reject(store: Store, suggestion_id: int, annotator: str) -> Action | None:
    """Reject the suggestion (and the same range and label from other sources), undoably.

    None when it is not pending in the annotator's layer any more; only that layer's
    decision changes.
    """
    with store.write():
        item = suggestion(store, suggestion_id, annotator)
        if item.status != "pending":
            return None
        return store.apply(
            item.article_id,
            annotator,
            "reject",
            suggestions=[
                (sid, "pending", "rejected") for sid in _same_pending(store, item, annotator)
            ],
        )


def accept_all(
    store: Store, article_id: int, annotator: str, *, prefer: Collection[int] = ()
) -> Action | None:
    """Accept every suggestion ``pending()`` shows (``prefer``: the ones cycled to), as one
    undoable action; None if none."""
    with store.write():
        chosen = pending(store, article_id, annotator, prefer=prefer)
        if not chosen:
            return None
        decided = [sid for item in chosen for sid in _same_pending(store, item, annotator)]
        return store.apply(
            article_id,
            annotator,
            "accept all",
            add=[NewSpan(s.start, s.end, s.label, f"suggestion:{s.source}") for s in chosen],
            suggestions=[(sid, "pending", "accepted") for sid in decided],
        )
