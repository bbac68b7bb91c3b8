"""The queries of the suggestion scores: decisions, gold and predictions, overlapping pairs.

Which spans are gold and what a source is scored on is decided in ``core.stats.quality``;
here the scored article ids sit in ``temp.quality_scope`` (``scored_articles``) while
``gold``, ``predicted`` and ``overlap_pairs`` read them. Gold counts come per article and
label from an index; exact and overlap matches from one join of the suggestions with the
spans of their article and label, where one suggestion meeting one span is counted in SQL and
only the tangled places are returned pair by pair.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from partybuild_tui.core.store.queries.scope import (
    Filter,
    article_status,
    articles_scope_sql,
    scope_sql,
)

# The planner, knowing nothing of the temporary table, would index all spans on the fly.
_BY_ARTICLE_LABEL = "INDEXED BY idx_spans_article_label"
_RAN = (
    "ran AS MATERIALIZED (SELECT r.article_id, r.source FROM temp.quality_scope q "
    "CROSS JOIN suggestion_runs r ON r.article_id = q.id UNION SELECT g.article_id, g.source "
    "FROM temp.quality_scope q CROSS JOIN suggestions g ON g.article_id = q.id)"
)


def decisions(conn: sqlite3.Connection, f: Filter) -> list[tuple[str, str, str, int]]:
    """(source, label, status, suggestions) in the filtered articles.

    With an annotator, that layer's: accepted and rejected are its decisions, pending the
    suggestions still proposed that it has not decided. Without, every layer's decisions are
    counted (two layers deciding one suggestion count twice) and pending are the suggestions
    still proposed that no layer decided.
    """
    scope, params = scope_sql(conn, f, "g", annotator_column=None)
    mine = " AND d.annotator = ?" if f.annotator else ""
    layer = [f.annotator] if f.annotator else []
    sql = (
        "SELECT g.source, g.label, d.status, count(*) FROM suggestions g "
        f"JOIN suggestion_decisions d ON d.suggestion_id = g.id{mine} {scope} GROUP BY 1, 2, 3 "
        "UNION ALL SELECT g.source, g.label, 'pending', count(*) FROM suggestions g "
        f"{scope} AND g.withdrawn_at IS NULL AND NOT EXISTS (SELECT 1 FROM "
        f"suggestion_decisions d WHERE d.suggestion_id = g.id{mine}) GROUP BY 1, 2"
    )
    return conn.execute(sql, [*layer, *params, *params, *layer]).fetchall()


@contextmanager
def scored_articles(
    conn: sqlite3.Connection, f: Filter, limit: int | None
) -> Iterator[tuple[int, int, str]]:
    """Hold the scored article ids in ``temp.quality_scope``: the ``limit`` newest (highest
    ids) of the filtered articles marked done (none done: of those with a span); with an
    annotator, only articles holding that annotator's spans. Yield how many are scored, how
    many were eligible, and which basis ("done" or "tagged") was used.
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
        status, status_params = article_status(f)  # done in the annotator's layer (or any)
        eligible = conn.execute(
            f"{fill} {scope} AND {status} = 'done'", [*params, *status_params]
        ).rowcount
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


def gold(conn: sqlite3.Connection, annotator: str | None) -> list[tuple[str, str, int, int]]:
    """(source, label, gold spans, shared) in the scored articles the source ran on; shared is
    1 where some article's spans of the label come from two annotators.

    Spans are counted per article and label from an index; only where two annotators tagged
    the same article are identical spans counted once (one person's spans are flat).
    """
    mine = "AND s.annotator = ?" if annotator else ""
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
    return conn.execute(sql, [annotator] if annotator else []).fetchall()


def predicted(conn: sqlite3.Connection) -> list[tuple[str, str, int]]:
    """(source, label, stored suggestions of any status) in the scored articles."""
    return conn.execute(
        "SELECT g.source, g.label, count(*) FROM temp.quality_scope q "
        "CROSS JOIN suggestions g ON g.article_id = q.id GROUP BY 1, 2"
    ).fetchall()


Pair = tuple[int, int, int, int, int]  # article id, suggestion start, end, span start, end


def overlap_pairs(
    conn: sqlite3.Connection, annotator: str | None, *, shared: bool
) -> tuple[list[tuple[str, str, int, int]], list[tuple[str, str, Pair]]]:
    """Suggestions meeting spans of their article and label, in the scored articles.

    Returns (source, label, isolated overlaps, exact matches) - isolated: a suggestion that
    meets one span which meets no other suggestion of the source, a match whatever else is
    matched - and (source, label, pair) for every other overlapping pair, in a fixed order.
    ``shared``: some article's gold has two annotators' spans, so identical ones are merged.
    """
    mine = "AND d.annotator = ?" if annotator else ""
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
    counted: list[tuple[str, str, int, int]] = []
    tangled: list[tuple[str, str, Pair]] = []
    for source, label, simple, same, article_id, ps, pe, gs, ge in conn.execute(
        sql, [annotator] if annotator else []
    ):
        if article_id is None:
            counted.append((source, label, simple, same))
        else:
            tangled.append((source, label, (article_id, ps, pe, gs, ge)))
    return counted, tangled
