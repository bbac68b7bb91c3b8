"""The suggestions section: how good each source is against the user's accepted spans.

The figures ``partybuild evaluate --against-accepted`` prints, for the stats: per source and
label, decisions (accepted / rejected / pending) and exact / overlap precision, recall and F1.
Kept free of the suggestion engine (and underthesea) so ``partybuild stats`` starts fast.

Which spans are gold: those of the scored articles, the filtered articles marked done (or, if
none is, those with a span), at most ``limit`` of them, the newest; with an annotator, only
that annotator's spans and the articles holding them. A source is scored only in the scored
articles it ran on (a run recorded or a suggestion stored), so articles never suggested for
do not lower its recall. Every stored suggestion counts as a prediction, whatever its status:
the proposals are the source's, decisions only follow them. The counts come from SQL
(``store.queries.quality``); where proposals and spans tangle (a proposal across two spans,
two across one) they are matched one to one here, as ``matching.match`` does.
"""

from __future__ import annotations

import sqlite3
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from partybuild_tui.core.stats.filters import StatsFilter
from partybuild_tui.core.stats.matching import Scores, overlap_matches
from partybuild_tui.core.store.queries import quality as q

__all__ = ["TOTAL", "Scores", "Scoring", "SourceQuality", "source_quality"]

TOTAL = "*"


@dataclass(frozen=True)
class SourceQuality:
    """How one source fares on one label: decisions taken and scores against spans."""

    source: str
    label: str
    accepted: int
    rejected: int
    pending: int
    exact: Scores
    overlap: Scores

    @property
    def acceptance_rate(self) -> float | None:
        decided = self.accepted + self.rejected
        return self.accepted / decided if decided else None

    @property
    def rate(self) -> float | None:
        return self.acceptance_rate

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "label": self.label,
            "accepted": self.accepted,
            "rejected": self.rejected,
            "pending": self.pending,
            "rate": self.acceptance_rate,
            "exact": self.exact.to_json(),
            "overlap": self.overlap.to_json(),
        }


Key = tuple[str, str]  # source, label


@dataclass(frozen=True)
class Scoring:
    """The per-source/label quality rows and the number of articles they were scored on."""

    rows: list[SourceQuality]
    articles: int  # scored
    eligible: int  # could have been scored: ``articles`` < ``eligible`` when limited
    basis: str  # "done" or "tagged": which articles hold the gold spans


def decisions(conn: sqlite3.Connection, f: StatsFilter) -> dict[Key, Counter[str]]:
    """Accepted / rejected / pending per source and label: in the annotator's layer, else
    every layer's decisions and what no layer decided (see ``queries.quality.decisions``)."""
    counts: dict[Key, Counter[str]] = defaultdict(Counter)
    for source, label, status, n in q.decisions(conn, f):
        counts[(source, label)][status] += n
    return counts


def _gold(conn: sqlite3.Connection, f: StatsFilter) -> tuple[Counter[Key], bool]:
    """Gold spans per source and label in the scored articles it ran on; any duplicates?"""
    gold: Counter[Key] = Counter()
    shared = False
    for source, label, n, two in q.gold(conn, f.annotator):
        gold[(source, label)] = n
        shared = shared or bool(two)
    return gold, shared


def _matches(
    conn: sqlite3.Connection, f: StatsFilter, *, shared: bool
) -> tuple[Counter[Key], Counter[Key]]:
    """Exact and one-to-one overlap matches per source and label.

    ``shared``: some article's gold has two annotators' spans, so identical ones are merged.
    """
    exact: Counter[Key] = Counter()
    overlap: Counter[Key] = Counter()
    counted, tangled = q.overlap_pairs(conn, f.annotator, shared=shared)
    for source, label, simple, same in counted:
        overlap[(source, label)] += simple
        exact[(source, label)] += same
    by_key: dict[Key, list[tuple[tuple[int, int, int], tuple[int, int, int]]]] = defaultdict(list)
    for source, label, (article_id, ps, pe, gs, ge) in tangled:
        by_key[(source, label)].append(((article_id, ps, pe), (article_id, gs, ge)))
    for key, pairs in by_key.items():
        overlap[key] += overlap_matches(pairs)
    return exact, overlap


def source_quality(
    conn: sqlite3.Connection, f: StatsFilter | None = None, *, limit: int | None = None
) -> Scoring:
    """Per source and label (TOTAL: all labels): decisions and exact / overlap scores.

    ``conn`` is a ``Store.snapshot()``'s. ``limit`` bounds the work on a large database:
    P/R/F1 are measured on at most that many of the eligible articles, the newest (highest
    ids); decisions are always counted in full.
    """
    f = f or StatsFilter()
    counts = decisions(conn, f)
    with q.scored_articles(conn, f, limit) as (articles, eligible, basis):
        gold, shared = _gold(conn, f)
        predicted = Counter({(source, label): n for source, label, n in q.predicted(conn)})
        exact, overlap = _matches(conn, f, shared=shared)
    keys = set(counts) | set(gold) | set(predicted)
    rows: dict[Key, SourceQuality] = {}
    for source, label in keys:
        c = counts.get((source, label), Counter())
        key = (source, label)
        rows[key] = SourceQuality(
            source,
            label,
            c["accepted"],
            c["rejected"],
            c["pending"],
            Scores(exact[key], exact[key], predicted[key], gold[key]),
            Scores(overlap[key], overlap[key], predicted[key], gold[key]),
        )
    for source in {s for s, _ in keys}:
        parts = [row for (s, _), row in rows.items() if s == source]
        rows[(source, TOTAL)] = _total(source, parts)
    ordered = sorted(rows.values(), key=lambda row: (row.source, row.label != TOTAL, row.label))
    return Scoring(ordered, articles, eligible, basis)


def _total(source: str, parts: list[SourceQuality]) -> SourceQuality:
    return SourceQuality(
        source,
        TOTAL,
        sum(row.accepted for row in parts),
        sum(row.rejected for row in parts),
        sum(row.pending for row in parts),
        sum((row.exact for row in parts), Scores()),
        sum((row.overlap for row in parts), Scores()),
    )
