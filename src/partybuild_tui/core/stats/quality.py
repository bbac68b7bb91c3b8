"""How good each suggestion source is against the user's accepted spans, as SQL aggregates.

The figures ``partybuild evaluate --against-accepted`` prints, for the stats: per source and
label, decisions (accepted / rejected / pending) and exact / overlap precision, recall and F1.
Kept free of the suggestion engine (and underthesea) so ``partybuild stats`` starts fast.

Which spans are gold: those of the scored articles, the filtered articles marked done (or, if
none is, those with a span), at most ``limit`` of them, the newest; with an annotator, only
that annotator's spans and the articles holding them. A source is scored only in the scored
articles it ran on (a run recorded or a suggestion stored), so articles never suggested for
do not lower its recall. Every stored suggestion counts as a prediction, whatever its status:
the proposals are the source's, decisions only follow them. Gold counts come per article and
label from an index; exact and overlap matches from one join of the suggestions with the
spans of their article and label; where one suggestion meets one span the match is counted in
SQL, and only the tangled places (a proposal across two spans, two across one) are matched
one-to-one in Python, the way ``evaluate.match`` does.
"""

from __future__ import annotations

import sqlite3
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from partybuild_tui.core.stats.filters import StatsFilter, articles_scope_sql, scope_sql

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
def _scored_articles(
    conn: sqlite3.Connection, f: StatsFilter, limit: int | None
) -> Iterator[tuple[int, int, str]]:
    """Hold the scored article ids in ``temp.quality_scope``: the ``limit`` newest (highest
    ids) of the eligible ones. Yield how many are scored, how many were eligible, and why.
    """
    scope, params = articles_scope_sql(conn, f)
    if f.annotator:
        scope += " AND EXISTS (SELECT 1 FROM spans s WHERE s.annotator = ? AND s.article_id = a.id)"
        params = [*params, f.annotator]
    fill = "INSERT INTO temp.quality_scope SELECT a.id FROM articles a"
    conn.execute("DROP TABLE IF EXISTS temp.quality_scope")
    conn.execute("CREATE TEMP TABLE quality_scope (id INTEGER PRIMARY KEY)")
    try:
        basis = "done"
        eligible = conn.execute(f"{fill} {scope} AND a.status = 'done'", params).rowcount
        if not eligible:
            basis = "tagged"
            tagged = "EXISTS (SELECT 1 FROM spans s WHERE s.article_id = a.id)"
            eligible = conn.execute(f"{fill} {scope} AND {tagged}", params).rowcount
        if limit is not None and eligible > max(limit, 1):
            conn.execute(
                "DELETE FROM temp.quality_scope WHERE id < (SELECT id FROM temp.quality_scope "
                "ORDER BY id DESC LIMIT 1 OFFSET ?)",
                (limit - 1,),
            )
        yield min(eligible, limit if limit is not None else eligible), eligible, basis
    finally:
        conn.execute("DROP TABLE temp.quality_scope")


# The planner, knowing nothing of the temporary table, would index all spans on the fly.
_BY_ARTICLE_LABEL = "INDEXED BY idx_spans_article_label"
_RAN = (
    "ran AS MATERIALIZED (SELECT r.article_id, r.source FROM temp.quality_scope q "
    "CROSS JOIN suggestion_runs r ON r.article_id = q.id UNION SELECT g.article_id, g.source "
    "FROM temp.quality_scope q CROSS JOIN suggestions g ON g.article_id = q.id)"
)


def _gold(conn: sqlite3.Connection, f: StatsFilter) -> tuple[Counter[Key], bool]:
    """Gold spans per source and label in the scored articles it ran on; any duplicates?

    Spans are counted per article and label from an index; only where two annotators tagged
    the same article are identical spans counted once (one person's spans are flat).
    """
    mine = "AND s.annotator = ?" if f.annotator else ""
    sql = (
        "WITH per AS MATERIALIZED (SELECT q.id AS article_id, s.label, count(*) AS n, "
        "min(s.annotator) <> max(s.annotator) AS shared FROM temp.quality_scope q "
        f"CROSS JOIN spans s {_BY_ARTICLE_LABEL} ON s.article_id = q.id {mine} "
        f"GROUP BY q.id, s.label), {_RAN} "
        "SELECT ran.source, per.label, sum(CASE WHEN NOT per.shared THEN per.n ELSE "
        '(SELECT count(*) FROM (SELECT DISTINCT d.start, d."end" FROM spans d '
        "WHERE d.article_id = per.article_id AND d.label = per.label)) END), max(per.shared) "
        "FROM per JOIN ran USING (article_id) GROUP BY 1, 2"
    )
    gold: Counter[Key] = Counter()
    shared = False
    for source, label, n, two in conn.execute(sql, [f.annotator] if f.annotator else []):
        gold[(source, label)] = n
        shared = shared or bool(two)
    return gold, shared


def _predicted(conn: sqlite3.Connection) -> Counter[Key]:
    """Stored suggestions (any status) per source and label in the scored articles."""
    rows = conn.execute(
        "SELECT g.source, g.label, count(*) FROM temp.quality_scope q "
        "CROSS JOIN suggestions g ON g.article_id = q.id GROUP BY 1, 2"
    )
    return Counter({(source, label): n for source, label, n in rows})


def _matches(
    conn: sqlite3.Connection, f: StatsFilter, *, shared: bool
) -> tuple[Counter[Key], Counter[Key]]:
    """Exact and one-to-one overlap matches per source and label (see the module docstring).

    ``shared``: some article's gold has two annotators' spans, so identical ones are merged.
    """
    mine = "AND d.annotator = ?" if f.annotator else ""
    sql = (
        f"WITH pairs AS MATERIALIZED (SELECT {'DISTINCT' if shared else ''} g.id AS pid, "
        'g.source, g.label, g.article_id, g.start AS ps, g."end" AS pe, d.start AS gs, '
        'd."end" AS ge FROM temp.quality_scope q CROSS JOIN suggestions g '
        f"ON g.article_id = q.id CROSS JOIN spans d {_BY_ARTICLE_LABEL} "
        'ON d.article_id = g.article_id AND d.label = g.label AND d.start < g."end" '
        f'AND g.start < d."end" {mine}), '
        "degrees AS MATERIALIZED (SELECT *, count(*) OVER (PARTITION BY pid) AS dp, "
        "count(*) OVER (PARTITION BY source, article_id, label, gs, ge) AS dg FROM pairs) "
        "SELECT source, label, sum(dp = 1 AND dg = 1), sum(ps = gs AND pe = ge), NULL, NULL, "
        "NULL, NULL, NULL FROM degrees GROUP BY 1, 2 "
        "UNION ALL SELECT source, label, 0, 0, article_id, ps, pe, gs, ge FROM degrees "
        "WHERE dp > 1 OR dg > 1 ORDER BY 1, 2, 5, 6, 7, 8, 9"
    )
    exact: Counter[Key] = Counter()
    overlap: Counter[Key] = Counter()
    tangled: dict[Key, list[tuple[int, int, int, int, int]]] = defaultdict(list)
    params = [f.annotator] if f.annotator else []
    for source, label, simple, same, article_id, ps, pe, gs, ge in conn.execute(sql, params):
        if article_id is None:
            overlap[(source, label)] += simple
            exact[(source, label)] += same
        else:
            tangled[(source, label)].append((article_id, ps, pe, gs, ge))
    for key, pairs in tangled.items():
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

    ``limit`` bounds the work on a large database: P/R/F1 are measured on at most that many
    of the eligible articles, the newest (highest ids); decisions are always counted in full.
    """
    f = f or StatsFilter()
    counts = decisions(conn, f)
    with _scored_articles(conn, f, limit) as (articles, eligible, basis):
        gold, shared = _gold(conn, f)
        predicted = _predicted(conn)
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
        parts = [q for (s, _), q in rows.items() if s == source]
        rows[(source, TOTAL)] = _total(source, parts)
    ordered = sorted(rows.values(), key=lambda q: (q.source, q.label != TOTAL, q.label))
    return Scoring(ordered, articles, eligible, basis)


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
