"""The per-article section: spans per label and per 1,000 body characters, sorted, paged."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

from partybuild_tui.core.stats.filters import StatsFilter
from partybuild_tui.core.store.queries import stats as q
from partybuild_tui.core.store.queries.stats import SORT_COLUMNS
from partybuild_tui.errors import UserError

__all__ = ["SORT_COLUMNS", "ArticleStats", "ArticleTable", "article_table"]


@dataclass(frozen=True)
class ArticleStats:
    id: int
    title: str
    status: str
    chars: int
    spans: int
    per_label: dict[str, int]
    density: float


@dataclass
class ArticleTable:
    rows: list[ArticleStats]
    total: int
    sort: str
    descending: bool


def article_table(
    conn: sqlite3.Connection,
    f: StatsFilter,
    labels: Sequence[str],
    *,
    sort: str = "density",
    descending: bool = False,
    limit: int | None = 20,
) -> ArticleTable:
    """Articles with spans per label and spans per 1,000 body characters, sorted in SQL.

    Without a status filter only worked articles (in progress or done) are listed: untouched
    ones all have density 0 and would hide the thinly tagged ones.
    """
    names = [*SORT_COLUMNS, *labels]
    key = next((name for name in names if name.lower() == sort.lower()), None)
    if key is None:
        raise UserError(f"cannot sort by {sort!r}; use one of {', '.join(dict.fromkeys(names))}")
    rows, total = q.article_page(conn, f, labels, key, descending=descending, limit=limit)
    out = [
        ArticleStats(
            id=row[0],
            title=row[1],
            status=row[2],
            chars=row[3],
            spans=row[4],
            per_label=dict(zip(labels, row[6:], strict=True)),
            density=round(row[5], 3),
        )
        for row in rows
    ]
    return ArticleTable(out, total, key, descending)
