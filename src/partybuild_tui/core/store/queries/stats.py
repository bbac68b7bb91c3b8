"""The queries of the progress, labels and per-article sections of the stats.

Every figure is an aggregate over the filtered articles (``scope``). Surface forms are grouped
here by their exact text (a few thousand groups, not a million spans); ``core.stats`` merges
those groups by ``surface_key``, which SQL cannot compute (tone placement, case).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from partybuild_tui.core.store.queries.scope import (
    Filter,
    article_status,
    articles_where,
    scope_sql,
)

# the per-article table's own columns; a label name sorts by its span count
SORT_COLUMNS = ("density", "id", "title", "status", "chars", "spans")


def labels_present(conn: sqlite3.Connection) -> list[str]:
    """Every label some span has, in any article (labels outside the config included)."""
    return [row[0] for row in conn.execute("SELECT DISTINCT label FROM spans ORDER BY 1")]


def status_counts(conn: sqlite3.Connection, f: Filter) -> dict[str, int]:
    """Filtered articles per status (statuses with none are absent): the annotator's own
    statuses when the filter names one, else the furthest any layer got."""
    where, params = articles_where(f)
    status, status_params = article_status(f)
    return dict(
        conn.execute(
            f"SELECT {status}, count(*) FROM articles a WHERE {where} GROUP BY 1",
            [*status_params, *params],
        )
    )


def spans_per_label(conn: sqlite3.Connection, f: Filter) -> dict[str, int]:
    scope, params = scope_sql(conn, f, "s")
    return dict(
        conn.execute(f"SELECT s.label, count(*) FROM spans s {scope} GROUP BY 1 ORDER BY 1", params)
    )


def latest_action(conn: sqlite3.Connection, f: Filter) -> str | None:
    """When the latest recorded action in the filtered articles was taken (ISO, UTC)."""
    scope, params = scope_sql(conn, f, "x")
    row = conn.execute(f"SELECT max(x.created_at) FROM actions x {scope}", params).fetchone()
    return row[0] if row else None


def activity(
    conn: sqlite3.Connection, f: Filter, first_day: str
) -> tuple[list[tuple[str, str, int, int]], list[tuple[str, int, int]]]:
    """From ``first_day`` on, per UTC day (newest first): (day, annotator, articles touched,
    actions) and (day, articles touched, actions) over all annotators.
    """
    scope, params = scope_sql(conn, f, "x")
    recent = f"FROM actions x {scope} AND x.created_at >= ?"
    per_annotator = conn.execute(
        "SELECT substr(x.created_at, 1, 10), x.annotator, count(DISTINCT x.article_id), "
        f"count(*) {recent} GROUP BY 1, 2 ORDER BY 1 DESC, 2",
        [*params, first_day],
    ).fetchall()
    totals = conn.execute(
        "SELECT substr(x.created_at, 1, 10), count(DISTINCT x.article_id), count(*) "
        f"{recent} GROUP BY 1 ORDER BY 1 DESC",
        [*params, first_day],
    ).fetchall()
    return per_annotator, totals


def annotator_spans(conn: sqlite3.Connection, f: Filter) -> dict[str, tuple[int, int]]:
    """Per annotator: (current spans, articles holding them)."""
    scope, params = scope_sql(conn, f, "s")
    rows = conn.execute(
        f"SELECT s.annotator, count(*), count(DISTINCT s.article_id) FROM spans s {scope} "
        "GROUP BY 1",
        params,
    )
    return {name: (spans, articles) for name, spans, articles in rows}


def annotator_done(conn: sqlite3.Connection, f: Filter) -> dict[str, int]:
    """Per annotator: filtered articles marked done in their own layer (their progress)."""
    where, params = articles_where(f)
    who = "AND st.annotator = ?" if f.annotator else ""
    rows = conn.execute(
        "SELECT st.annotator, count(*) FROM article_status st JOIN articles a ON a.id = "
        f"st.article_id WHERE st.status = 'done' {who} AND {where} GROUP BY 1",
        [*([f.annotator] if f.annotator else []), *params],
    )
    return dict(rows)


def annotator_actions(conn: sqlite3.Connection, f: Filter) -> dict[str, tuple[int, str]]:
    """Per annotator: (recorded actions, when the latest was taken)."""
    scope, params = scope_sql(conn, f, "x")
    rows = conn.execute(
        f"SELECT x.annotator, count(*), max(x.created_at) FROM actions x {scope} GROUP BY 1",
        params,
    )
    return {name: (actions, last) for name, actions, last in rows}


def form_rows(conn: sqlite3.Connection, f: Filter) -> list[tuple[str, str, int]]:
    """(label, exact text, span count) groups: the one pass over spans the form figures need."""
    scope, params = scope_sql(conn, f, "s")
    return conn.execute(
        f"SELECT s.label, s.text, count(*) FROM spans s {scope} GROUP BY 1, 2 ORDER BY 1, 2",
        params,
    ).fetchall()


def article_page(
    conn: sqlite3.Connection,
    f: Filter,
    labels: Sequence[str],
    key: str,
    *,
    descending: bool = False,
    limit: int | None = 20,
) -> tuple[list[tuple[Any, ...]], int]:
    """One page of worked articles sorted by ``key`` (a ``SORT_COLUMNS`` name or a label), and
    how many there are in all.

    A row is (id, title, status, body chars, spans, spans per 1,000 chars, then the span count
    of each label). Without a status filter only worked articles (in progress or done) count.
    """
    columns = {name: name for name in SORT_COLUMNS}
    columns.update({label: f"l{i}" for i, label in enumerate(labels)})
    where, params = articles_where(f, worked_only=True)
    status, status_params = article_status(f)
    span_filter = "AND s.annotator = ?" if f.annotator else ""
    label_sums = "".join(f", coalesce(sum(s.label = ?), 0) AS l{i}" for i, _ in enumerate(labels))
    direction = "DESC" if descending else "ASC"
    final = "a.title" if key == "title" else f"page.{columns[key]}"
    # Only columns of the articles index until the page is cut: reading the table row of a
    # long article walks its text's overflow pages. The title precedes the text: cheap.
    title = ", a.title AS title" if key == "title" else ""
    sql = (
        f"WITH chosen AS MATERIALIZED (SELECT a.id, {status} AS status, "
        f"a.body_end - a.body_start AS chars{title} FROM articles a WHERE {where}), "
        "agg AS (SELECT c.*, count(s.article_id) AS spans, "
        f"count(s.article_id) * 1000.0 / max(c.chars, 1) AS density{label_sums} "
        f"FROM chosen c LEFT JOIN spans s ON s.article_id = c.id {span_filter} GROUP BY c.id), "
        f"page AS (SELECT * FROM agg ORDER BY {columns[key]} {direction}, id "
        f"{'LIMIT ?' if limit else ''}) "
        "SELECT page.id, a.title, page.status, page.chars, page.spans, page.density"
        + "".join(f", page.l{i}" for i, _ in enumerate(labels))
        + f" FROM page JOIN articles a ON a.id = page.id ORDER BY {final} {direction}, page.id"
    )
    all_params = [*status_params, *params, *labels, *([f.annotator] if f.annotator else [])]
    rows = conn.execute(sql, [*all_params, *([limit] if limit else [])]).fetchall()
    total = conn.execute(f"SELECT count(*) FROM articles a WHERE {where}", params).fetchone()[0]
    return rows, total
