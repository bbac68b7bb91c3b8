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
two across one) they are matched one to one here, the way ``evaluate.match`` does.
"""

from __future__ import annotations

import sqlite3
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from partybuild_tui.core.stats.filters import StatsFilter
from partybuild_tui.core.store.queries import quality as q

__all__ = ["TOTAL", "Scores", "Scoring", "SourceQuality", "source_quality"]

TOTAL = "*"


@dataclass(frozen=True)
class Scores:
    """Counts and the measures computed from them."""

    tp_pred: int = 0  # predictions that matched
    tp_gold: int = 0  # gold spans that were matched
    predicted: int = 0
    gold: int = 0

    @property
    def precision(self) -> float:
        return self.tp_pred / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.tp_gold / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def __add__(self, other: Scores) -> Scores:
        return Scores(
            self.tp_pred + other.tp_pred,
            self.tp_gold + other.tp_gold,
            self.predicted + other.predicted,
            self.gold + other.gold,
        )

    def to_json(self) -> dict[str, Any]:
        """Counts and measures; a measure is null when its denominator is 0 (undefined)."""
        precision = self.precision if self.predicted else None
        recall = self.recall if self.gold else None
        f1 = self.f1 if precision is not None and recall is not None else None
        return {
            "matched": self.tp_pred,
            "predicted": self.predicted,
            "gold": self.gold,
            "precision": precision,
            "recall": recall,
            "f1": f1,
        }


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
    """Accepted / rejected / pending per source and label (decisions of the annotator, if any)."""
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
    by_key: dict[Key, list[q.Pair]] = defaultdict(list)
    for source, label, pair in tangled:
        by_key[(source, label)].append(pair)
    for key, pairs in by_key.items():
        overlap[key] += _greedy(pairs)
    return exact, overlap


def _greedy(pairs: list[tuple[int, int, int, int, int]]) -> int:
    """``evaluate.match``'s overlap matching over candidate pairs sorted by pred, then gold.

    Each prediction in text order takes the unused gold span it overlaps most (the first of
    equals); each gold span is matched at most once.
    """
    used: set[tuple[int, int, int]] = set()
    by_pred: dict[tuple[int, int, int], list[tuple[int, int]]] = defaultdict(list)
    for article_id, ps, pe, gs, ge in pairs:
        by_pred[(article_id, ps, pe)].append((gs, ge))
    for (article_id, ps, pe), golds in by_pred.items():
        free = [g for g in golds if (article_id, *g) not in used]
        if free:
            best = max(free, key=lambda g: min(g[1], pe) - max(g[0], ps))
            used.add((article_id, *best))
    return len(used)


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
