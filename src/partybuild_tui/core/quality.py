"""How good each suggestion source is against the user's accepted spans, as SQL aggregates.

The figures ``partybuild evaluate --against-accepted`` prints, for the stats: per source and
label, decisions (accepted / rejected / pending) and exact / overlap precision, recall and F1.
Kept free of the suggestion engine (and underthesea) so ``partybuild stats`` starts fast.

Which spans are gold: those of the scored articles, the filtered articles marked done (or, if
none is, those with a span); with an annotator, only that annotator's spans and the articles
holding them. A source is scored only in the scored articles it ran on (a run recorded or a
suggestion stored), so articles never suggested for do not lower its recall. Every stored
suggestion counts as a prediction, whatever its status: the proposals are the source's,
decisions only follow them. Exact matches and the predicted and gold totals are counted in
SQL; overlap matches too where one prediction meets one gold span, and only the rare tangled
places (a proposal across two spans, two across one) are matched one-to-one in Python, the
way ``evaluate.match`` does.
"""

from __future__ import annotations

import sqlite3
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from partybuild_tui.core.stats_filter import StatsFilter, scope_sql

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
    articles: int
    basis: str  # "done" or "tagged": which articles hold the gold spans


def decisions(conn: sqlite3.Connection, f: StatsFilter) -> dict[Key, Counter[str]]:
    """Accepted / rejected / pending per source and label (decisions of the annotator, if any)."""
    scope, params = scope_sql(conn, f, "g", annotator_column=None)
    if f.annotator:
        scope += " AND (g.status = 'pending' OR g.decided_by = ?)"
        params.append(f.annotator)
    counts: dict[Key, Counter[str]] = defaultdict(Counter)
    for source, label, status, n in conn.execute(
        f"SELECT g.source, g.label, g.status, count(*) FROM suggestions g {scope} GROUP BY 1, 2, 3",
        params,
    ):
        counts[(source, label)][status] += n
    return counts


@contextmanager
def _scored_articles(conn: sqlite3.Connection, f: StatsFilter) -> Iterator[tuple[int, str]]:
    """Hold the scored article ids in ``temp.quality_scope``; yield their number and basis."""
    where, params = f.articles_sql()
    mine = ""
    if f.annotator:
        mine = " AND EXISTS (SELECT 1 FROM spans s WHERE s.article_id = a.id AND s.annotator = ?)"
        params = [*params, f.annotator]
    conn.execute("DROP TABLE IF EXISTS temp.quality_scope")
    conn.execute("CREATE TEMP TABLE quality_scope (id INTEGER PRIMARY KEY)")
    try:
        done = conn.execute(
            "INSERT INTO temp.quality_scope SELECT a.id FROM articles a "
            f"WHERE {where} AND a.status = 'done'{mine}",
            params,
        ).rowcount
        basis = "done"
        if not done:
            basis = "tagged"
            conn.execute(
                "INSERT INTO temp.quality_scope SELECT a.id FROM articles a WHERE "
                f"{where}{mine or ' AND EXISTS (SELECT 1 FROM spans s WHERE s.article_id = a.id)'}",
                params,
            )
        count = conn.execute("SELECT count(*) FROM temp.quality_scope").fetchone()[0]
        yield count, basis
    finally:
        conn.execute("DROP TABLE temp.quality_scope")


def _gold_cte(f: StatsFilter) -> tuple[str, list[Any]]:
    """``gold`` (distinct accepted spans of the scored articles) and ``ran`` (article, source)."""
    mine = "WHERE s.annotator = ?" if f.annotator else ""
    sql = (
        'WITH gold AS MATERIALIZED (SELECT DISTINCT s.article_id, s.start, s."end", s.label '
        f"FROM spans s JOIN temp.quality_scope q ON q.id = s.article_id {mine}), "
        "ran AS MATERIALIZED (SELECT r.article_id, r.source FROM suggestion_runs r "
        "JOIN temp.quality_scope q ON q.id = r.article_id UNION SELECT g.article_id, g.source "
        "FROM suggestions g JOIN temp.quality_scope q ON q.id = g.article_id) "
    )
    return sql, [f.annotator] if f.annotator else []


def _counts(conn: sqlite3.Connection, f: StatsFilter) -> dict[str, Counter[Key]]:
    """Gold spans, predictions and exact matches per source and label, in the scored articles."""
    cte, params = _gold_cte(f)
    out: dict[str, Counter[Key]] = {"gold": Counter(), "predicted": Counter(), "exact": Counter()}
    gold = f"{cte}SELECT ran.source, gold.label, count(*) FROM gold JOIN ran USING (article_id)"
    for source, label, n in conn.execute(f"{gold} GROUP BY 1, 2", params):
        out["gold"][(source, label)] = n
    predicted = conn.execute(
        f"{cte}SELECT g.source, g.label, count(*), "
        "coalesce(sum(EXISTS (SELECT 1 FROM gold d WHERE d.article_id = g.article_id "
        'AND d.start = g.start AND d."end" = g."end" AND d.label = g.label)), 0) '
        "FROM suggestions g JOIN temp.quality_scope q ON q.id = g.article_id GROUP BY 1, 2",
        params,
    )
    for source, label, n, exact in predicted:
        out["predicted"][(source, label)] = n
        out["exact"][(source, label)] = exact
    return out


def _overlap_matches(conn: sqlite3.Connection, f: StatsFilter) -> Counter[Key]:
    """One-to-one overlap matches per source and label (see the module docstring)."""
    cte, params = _gold_cte(f)
    sql = (
        f"{cte}, pairs AS MATERIALIZED (SELECT g.id AS pid, g.source, g.label, g.article_id, "
        'g.start AS ps, g."end" AS pe, d.start AS gs, d."end" AS ge, '
        "count(*) OVER (PARTITION BY g.id) AS dp, "
        'count(*) OVER (PARTITION BY g.source, d.article_id, d.label, d.start, d."end") AS dg '
        "FROM suggestions g JOIN temp.quality_scope q ON q.id = g.article_id "
        'JOIN gold d ON d.article_id = g.article_id AND d.label = g.label AND d.start < g."end" '
        'AND g.start < d."end") '
        "SELECT source, label, count(*), NULL, NULL, NULL, NULL, NULL FROM pairs "
        "WHERE dp = 1 AND dg = 1 GROUP BY 1, 2 "
        "UNION ALL SELECT source, label, 0, article_id, ps, pe, gs, ge FROM pairs "
        "WHERE dp > 1 OR dg > 1 ORDER BY 1, 2, 4, 5, 6, 7, 8"
    )
    matched: Counter[Key] = Counter()
    tangled: dict[Key, list[tuple[int, int, int, int, int]]] = defaultdict(list)
    for source, label, simple, article_id, ps, pe, gs, ge in conn.execute(sql, params):
        if article_id is None:
            matched[(source, label)] += simple
        else:
            tangled[(source, label)].append((article_id, ps, pe, gs, ge))
    for key, pairs in tangled.items():
        matched[key] += _greedy(pairs)
    return matched


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


def source_quality(conn: sqlite3.Connection, f: StatsFilter | None = None) -> Scoring:
    """Per source and label (TOTAL: all labels): decisions and exact / overlap scores."""
    f = f or StatsFilter()
    counts = decisions(conn, f)
    with _scored_articles(conn, f) as (articles, basis):
        figures = _counts(conn, f)
        overlap = _overlap_matches(conn, f)
    keys = set(counts) | set(figures["gold"]) | set(figures["predicted"])
    rows: dict[Key, SourceQuality] = {}
    for source, label in keys:
        c = counts.get((source, label), Counter())
        key = (source, label)
        gold, predicted = figures["gold"][key], figures["predicted"][key]
        exact = figures["exact"][key]
        rows[key] = SourceQuality(
            source,
            label,
            c["accepted"],
            c["rejected"],
            c["pending"],
            Scores(exact, exact, predicted, gold),
            Scores(overlap[key], overlap[key], predicted, gold),
        )
    for source in {s for s, _ in keys}:
        parts = [q for (s, _), q in rows.items() if s == source]
        rows[(source, TOTAL)] = _total(source, parts)
    ordered = sorted(rows.values(), key=lambda q: (q.source, q.label != TOTAL, q.label))
    return Scoring(ordered, articles, basis)


def _total(source: str, parts: list[SourceQuality]) -> SourceQuality:
    return SourceQuality(
        source,
        TOTAL,
        sum(q.accepted for q in parts),
        sum(q.rejected for q in parts),
        sum(q.pending for q in parts),
        sum((q.exact for q in parts), Scores()),
        sum((q.overlap for q in parts), Scores()),
    )
