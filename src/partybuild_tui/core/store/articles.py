"""Articles: inserting versions, reading them, the filtered and paged list, statuses."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator, Sequence
from typing import Any

from partybuild_tui.core.layers import REVIEW_PREFIX, is_review
from partybuild_tui.core.store.models import STATUSES, Article, ArticleRow, now
from partybuild_tui.core.text import plain_fold
from partybuild_tui.errors import UserError

# The status an article has "for anyone": the furthest any layer got (done, then in progress,
# then skipped, else new). Exports and training read it; the app and ``list --annotator`` read
# one layer's status (``status_sql``). ``articles.status`` is no longer written (m012 moved
# statuses to ``article_status``).
_ANY_STATUS = (
    "coalesce((SELECT CASE max(CASE st.status WHEN 'done' THEN 3 WHEN 'in_progress' THEN 2 "
    "WHEN 'skipped' THEN 1 ELSE 0 END) WHEN 3 THEN 'done' WHEN 2 THEN 'in_progress' "
    "WHEN 1 THEN 'skipped' END FROM article_status st WHERE st.article_id = {t}.id), 'new')"
)
# The articles a reviewer reviews: two or more annotators (not reviews) marked them done.
_REVIEWABLE = (
    "SELECT article_id FROM article_status WHERE status = 'done' AND substr(annotator, 1, "
    f"{len(REVIEW_PREFIX)}) != '{REVIEW_PREFIX}' GROUP BY article_id HAVING count(*) >= 2"
)
_LAYER_STATUS = (
    "coalesce((SELECT st.status FROM article_status st WHERE st.article_id = {t}.id "
    "AND st.annotator = ?), 'new')"
)
COLUMNS = (
    "id, key, path, title, date, source, author, url, text, content_hash, body_start, "
    f"body_end, {_ANY_STATUS.format(t='articles')}, version, superseded_by"
)
_ROW = (
    "SELECT a.id, a.title, a.date, a.source, {status}, "
    "(SELECT count(*) FROM spans s WHERE s.article_id = a.id{spans}), length(a.text) "
    "FROM articles a"
)
_FTS_TERM = re.compile(r"[\w\-/]+", re.UNICODE)

Status = str | Sequence[str] | None
ORDERS = ("corpus", "uncertain")
# "uncertain": the articles the model was least sure of first (active learning), then those
# it has not seen, in corpus order. The key sorts ascending; adjacency compares row values.
_UNCERTAIN_JOIN = "LEFT JOIN suggestion_runs r ON r.article_id = a.id AND r.source = 'model' "
_UNCERTAIN_KEY = ("(r.uncertainty IS NULL)", "-coalesce(r.uncertainty, 0)", "a.id")


def check_order(order: str) -> None:
    if order not in ORDERS:
        raise UserError(f"unknown order {order!r}; use one of {', '.join(ORDERS)}")


def _ordering(order: str) -> tuple[str, tuple[str, ...]]:
    """(join, sort key expressions) of a list order."""
    check_order(order)
    return (_UNCERTAIN_JOIN, _UNCERTAIN_KEY) if order == "uncertain" else ("", ("a.id",))


def fts_query(text: str) -> str:
    """What a user types as a safe FTS5 query: every word, anywhere in the article (the
    search box says "all words": "nghi quyet 37" finds "Nghị quyết số 37"), the last one a
    prefix, as it may be still being typed."""
    terms = _FTS_TERM.findall(text)
    return " ".join(f'"{term}"' for term in terms) + "*" if terms else ""


def plain_query(text: str) -> str:
    """The same query over the folded index: marks and đ folded, so typing without them
    (or with other tone placement) finds the text."""
    return fts_query(plain_fold(text))


def phrase_query(text: str) -> str:
    """The words as one phrase (in this order, next to each other), the last one a prefix."""
    terms = _FTS_TERM.findall(text)
    return '"' + " ".join(terms) + '"*' if terms else ""


# Articles where the words stand together as typed come first, then those with the words as
# typed with marks, then those found only folded with the words apart.
_PHRASE_FIRST = "(a.id NOT IN (SELECT rowid FROM articles_plain WHERE articles_plain MATCH ?))"
_EXACT_FIRST = "(a.id NOT IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?))"


def search_order(query: str | None) -> tuple[list[str], list[Any]]:
    """Sort keys (and their parameters) that rank a query's phrase, then its words with the
    marks as typed, first."""
    text = query or ""
    keys: list[str] = []
    params: list[Any] = []
    if len(_FTS_TERM.findall(text)) > 1:
        keys.append(_PHRASE_FIRST)
        params.append(phrase_query(plain_fold(text)))
    exact = fts_query(text)
    if exact and any(ord(c) > 127 for c in text):
        keys.append(_EXACT_FIRST)
        params.append(exact)
    return keys, params


def check_status(status: str) -> None:
    if status not in STATUSES:
        raise UserError(f"unknown status {status!r}; use one of {', '.join(STATUSES)}")


def insert(conn: sqlite3.Connection, fields: dict[str, Any]) -> int:
    """Insert one article (inside the caller's transaction if any); return its id."""
    stamp = now()
    row = {**fields, "created_at": stamp, "updated_at": stamp}
    columns = ", ".join(row)
    marks = ", ".join("?" for _ in row)
    cursor = conn.execute(f"INSERT INTO articles ({columns}) VALUES ({marks})", tuple(row.values()))
    article_id = int(cursor.lastrowid or 0)
    conn.execute(
        "INSERT INTO articles_plain (rowid, title, text) VALUES (?, ?, ?)",
        (article_id, plain_fold(row.get("title", "")), plain_fold(row["text"])),
    )
    return article_id


def supersede(conn: sqlite3.Connection, old_id: int, new_id: int) -> None:
    """Mark ``old_id`` as replaced by the newer version ``new_id`` of the same file."""
    conn.execute("UPDATE articles SET superseded_by = ? WHERE id = ?", (new_id, old_id))


def get(conn: sqlite3.Connection, article_id: int) -> Article:
    row = conn.execute(f"SELECT {COLUMNS} FROM articles WHERE id = ?", (article_id,)).fetchone()
    if row is None:
        raise UserError(f"no article with id {article_id}")
    return Article(*row)


def by_hash(conn: sqlite3.Connection, content_hash: str) -> Article | None:
    row = conn.execute(
        f"SELECT {COLUMNS} FROM articles WHERE content_hash = ?", (content_hash,)
    ).fetchone()
    return Article(*row) if row else None


def latest_by_key(conn: sqlite3.Connection, key: str) -> Article | None:
    row = conn.execute(
        f"SELECT {COLUMNS} FROM articles WHERE key = ? AND superseded_by IS NULL "
        "ORDER BY version DESC LIMIT 1",
        (key,),
    ).fetchone()
    return Article(*row) if row else None


def by_key_or_id(conn: sqlite3.Connection, key: str, length: int) -> int | None:
    """An article named by its key, or by its id where the text length agrees (gold files)."""
    row = conn.execute(
        "SELECT id FROM articles WHERE key = ? OR (CAST(id AS TEXT) = ? AND length(text) = ?)",
        (key, key, length),
    ).fetchone()
    return int(row[0]) if row else None


def status_sql(layer: str | None, table: str = "a") -> tuple[str, list[Any]]:
    """An article's status in ``layer`` as SQL over ``table`` (None: for anyone), with params."""
    if layer is None:
        return _ANY_STATUS.format(t=table), []
    return _LAYER_STATUS.format(t=table), [layer]


def _row_sql(layer: str | None) -> tuple[str, list[Any]]:
    """The list row query: status and span count of ``layer`` (None: anyone's, all spans)."""
    status, params = status_sql(layer)
    spans = " AND s.annotator = ?" if layer is not None else ""
    return _ROW.format(status=status, spans=spans), [*params, *([layer] if layer else [])]


def _status_clause(statuses: list[str], layer: str | None) -> tuple[str, list[Any]]:
    """Articles whose status (in ``layer``, or for anyone) is one of ``statuses``; a layer's
    test probes its index of ``article_status`` (a missing row is 'new')."""
    marks = ", ".join("?" for _ in statuses)
    if layer is None:
        return f"{_ANY_STATUS.format(t='a')} IN ({marks})", list(statuses)
    if "new" in statuses:
        sql = (
            "a.id NOT IN (SELECT article_id FROM article_status WHERE annotator = ? "
            f"AND status NOT IN ({marks}))"
        )
    else:
        sql = (
            "a.id IN (SELECT article_id FROM article_status WHERE annotator = ? "
            f"AND status IN ({marks}))"
        )
    return sql, [layer, *statuses]


def filter_sql(
    status: Status,
    query: str | None,
    include_superseded: bool,
    annotator: str | None = None,
    *,
    layer: str | None = None,
    assigned: str | None = None,
) -> tuple[str, list[Any]]:
    """The WHERE clause (over ``articles a``) of the list's filters.

    ``status`` is tested in ``layer``'s statuses (None: the status for anyone); ``annotator``
    keeps articles that annotator worked in; ``assigned`` those assigned to that annotator
    (a reviewer's share, for a review layer: the articles two or more annotators finished).
    """
    clauses: list[str] = []
    params: list[Any] = []
    if not include_superseded:
        clauses.append("a.superseded_by IS NULL")
    if status:
        statuses = [status] if isinstance(status, str) else list(status)
        for value in statuses:
            check_status(value)
        clause, clause_params = _status_clause(statuses, layer)
        clauses.append(clause)
        params.extend(clause_params)
    match = plain_query(query or "")
    if match:
        clauses.append("a.id IN (SELECT rowid FROM articles_plain WHERE articles_plain MATCH ?)")
        params.append(match)
    if annotator is not None:
        clauses.append(
            "a.id IN (SELECT article_id FROM spans WHERE annotator = ? "
            "UNION SELECT article_id FROM actions WHERE annotator = ?)"
        )
        params += [annotator, annotator]
    if assigned is not None and is_review(assigned):
        clauses.append(f"a.id IN ({_REVIEWABLE})")
    elif assigned is not None:
        clauses.append("a.id IN (SELECT article_id FROM assignments WHERE annotator = ?)")
        params.append(assigned)
    where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
    return where, params


def list_rows(
    conn: sqlite3.Connection,
    *,
    status: Status = None,
    query: str | None = None,
    limit: int | None = None,
    offset: int = 0,
    include_superseded: bool = False,
    order: str = "corpus",
    layer: str | None = None,
    assigned: str | None = None,
) -> list[ArticleRow]:
    where, params = filter_sql(status, query, include_superseded, layer=layer, assigned=assigned)
    join, key = _ordering(order)
    first, first_params = search_order(query)
    page = f"LIMIT {int(limit)} OFFSET {int(offset)}" if limit is not None else ""
    row_sql, row_params = _row_sql(layer)
    sql = f"{row_sql} {join}{where} ORDER BY {', '.join([*first, *key])} {page}"
    rows = conn.execute(sql, [*row_params, *params, *first_params]).fetchall()
    return [ArticleRow(*row) for row in rows]


def count(
    conn: sqlite3.Connection,
    *,
    status: Status = None,
    query: str | None = None,
    include_superseded: bool = False,
    layer: str | None = None,
    assigned: str | None = None,
) -> int:
    where, params = filter_sql(status, query, include_superseded, layer=layer, assigned=assigned)
    return int(conn.execute(f"SELECT count(*) FROM articles a {where}", params).fetchone()[0])


def ids(
    conn: sqlite3.Connection,
    *,
    status: Status = None,
    query: str | None = None,
    annotator: str | None = None,
    order: str = "corpus",
    layer: str | None = None,
    assigned: str | None = None,
) -> list[int]:
    where, params = filter_sql(status, query, False, annotator, layer=layer, assigned=assigned)
    join, key = _ordering(order)
    first, first_params = search_order(query)
    sql = f"SELECT a.id FROM articles a {join}{where} ORDER BY {', '.join([*first, *key])}"
    return [row[0] for row in conn.execute(sql, [*params, *first_params])]


def ids_and_hashes(
    conn: sqlite3.Connection,
    *,
    status: Status,
    query: str | None,
    annotator: str | None,
    include_superseded: bool = False,
) -> Iterator[tuple[int, str]]:
    """(id, content hash) of the articles the filters select, in id order, streamed; with an
    ``annotator``, ``status`` is theirs (their layer), else the furthest any layer got."""
    where, params = filter_sql(status, query, include_superseded, annotator, layer=annotator)
    rows = conn.execute(
        f"SELECT a.id, a.content_hash FROM articles a {where} ORDER BY a.id", params
    )
    for row in rows:
        yield int(row[0]), str(row[1])


def text_lengths(conn: sqlite3.Connection, article_ids: Sequence[int]) -> dict[int, int]:
    """Characters of each article's text (never the texts themselves)."""
    marks = ", ".join("?" for _ in article_ids)
    sql = f"SELECT id, length(text) FROM articles WHERE id IN ({marks})"
    return {int(i): int(n) for i, n in conn.execute(sql, list(article_ids))}


def content_hashes(conn: sqlite3.Connection) -> dict[int, str]:
    return dict(conn.execute("SELECT id, content_hash FROM articles"))


def texts(conn: sqlite3.Connection, article_ids: Sequence[int]) -> list[tuple[int, str, str]]:
    """(id, content hash, text) of these articles, in the order asked (missing ones left out)."""
    marks = ", ".join("?" for _ in article_ids)
    rows = conn.execute(
        f"SELECT id, content_hash, text FROM articles WHERE id IN ({marks})", list(article_ids)
    ).fetchall()
    by_id = {row[0]: (row[0], row[1], row[2]) for row in rows}
    return [by_id[i] for i in article_ids if i in by_id]


def rows_of(
    conn: sqlite3.Connection, article_ids: Sequence[int], layer: str | None = None
) -> list[ArticleRow]:
    """List rows for these article ids, in the order given (a page of a virtual list), with
    ``layer``'s status and spans (None: the status for anyone, everyone's spans)."""
    if not article_ids:
        return []
    marks = ", ".join("?" for _ in article_ids)
    row_sql, row_params = _row_sql(layer)
    rows = conn.execute(
        f"{row_sql} WHERE a.id IN ({marks})", [*row_params, *article_ids]
    ).fetchall()
    by_id = {row[0]: ArticleRow(*row) for row in rows}
    return [by_id[i] for i in article_ids if i in by_id]


def adjacent(
    conn: sqlite3.Connection,
    article_id: int,
    *,
    forward: bool = True,
    status: Status = None,
    query: str | None = None,
    order: str = "corpus",
    layer: str | None = None,
    assigned: str | None = None,
) -> int | None:
    """The next (or previous) article after ``article_id`` in list order matching filters
    (``article_id`` 0 or unknown: from the start, or the end going back)."""
    where, params = filter_sql(status, query, False, layer=layer, assigned=assigned)
    join, key = _ordering(order)
    here = conn.execute(
        f"SELECT {', '.join(key)} FROM articles a {join}WHERE a.id = ?", (article_id,)
    ).fetchone()
    if here is None:
        here = (-(10**18),) * len(key) if forward else (10**18,) * len(key)
    op, direction = (">", "ASC") if forward else ("<", "DESC")
    keyed = f"({', '.join(key)}) {op} ({', '.join('?' for _ in key)})"
    sort = ", ".join(f"{k} {direction}" for k in key)
    row = conn.execute(
        f"SELECT a.id FROM articles a {join}{where} {'AND' if where else 'WHERE'} {keyed} "
        f"ORDER BY {sort} LIMIT 1",
        [*params, *here],
    ).fetchone()
    return int(row[0]) if row else None


def last_touched(conn: sqlite3.Connection, annotator: str) -> int | None:
    """The current article this annotator last changed: where to resume after a restart."""
    row = conn.execute(
        "SELECT ac.article_id FROM actions ac JOIN articles a ON a.id = ac.article_id "
        "WHERE ac.annotator = ? AND a.superseded_by IS NULL ORDER BY ac.id DESC LIMIT 1",
        (annotator,),
    ).fetchone()
    return int(row[0]) if row else None


def done_ids(conn: sqlite3.Connection) -> list[int]:
    """Current articles some layer marked done, in id order (what the model learns from: an
    article done by any annotator)."""
    rows = conn.execute(
        "SELECT id FROM articles WHERE superseded_by IS NULL AND id IN "
        "(SELECT article_id FROM article_status WHERE status = 'done') ORDER BY id"
    )
    return [row[0] for row in rows]


def status_counts(
    conn: sqlite3.Connection, layer: str | None = None, assigned: str | None = None
) -> dict[str, int]:
    """Current articles per status in ``layer`` (None: the status for anyone), only those
    assigned to ``assigned`` if given. A layer's counts read its index of ``article_status``
    (the rest are new): the app recounts after every change."""
    counts = dict.fromkeys(STATUSES, 0)
    where, params = filter_sql(None, None, False, assigned=assigned)
    if layer is None:
        rows = conn.execute(
            f"SELECT {_ANY_STATUS.format(t='a')}, count(*) FROM articles a {where} GROUP BY 1",
            params,
        )
        counts.update(dict(rows))
        return counts
    total = conn.execute(f"SELECT count(*) FROM articles a {where}", params).fetchone()[0]
    mine, mine_params = "", []
    if assigned is not None and is_review(assigned):
        mine = f"AND article_id IN ({_REVIEWABLE})"
    elif assigned is not None:
        mine = "AND article_id IN (SELECT article_id FROM assignments WHERE annotator = ?)"
        mine_params = [assigned]
    rows = conn.execute(  # indexes only: never an article's row (its text's pages)
        "SELECT status, count(*) FROM article_status WHERE annotator = ? AND article_id NOT IN "
        f"(SELECT id FROM articles WHERE superseded_by IS NOT NULL) {mine} GROUP BY 1",
        [layer, *mine_params],
    )
    counts.update(dict(rows))
    counts["new"] = total - sum(n for status, n in counts.items() if status != "new")
    return counts


def list_clock(conn: sqlite3.Connection) -> int:
    """Ticks with every change the article list or its counts can show (m018's triggers)."""
    return int(conn.execute("SELECT n FROM list_clock").fetchone()[0])


def statuses_of(conn: sqlite3.Connection, article_id: int) -> dict[str, str]:
    """Every layer's status of one article (layers that never acted in it are absent)."""
    rows = conn.execute(
        "SELECT annotator, status FROM article_status WHERE article_id = ?", (article_id,)
    )
    return dict(rows)


def status_of(conn: sqlite3.Connection, article_id: int, annotator: str) -> str:
    """The article's status in one annotator's layer ('new' until they act in it)."""
    row = conn.execute(
        "SELECT status FROM article_status WHERE article_id = ? AND annotator = ?",
        (article_id, annotator),
    ).fetchone()
    return str(row[0]) if row else "new"


def write_status(conn: sqlite3.Connection, article_id: int, annotator: str, status: str) -> None:
    """Set the status in the annotator's layer (only there: no other layer changes)."""
    conn.execute(
        "INSERT INTO article_status (article_id, annotator, status, updated_at) "
        "VALUES (?, ?, ?, ?) ON CONFLICT (article_id, annotator) DO UPDATE SET "
        "status = excluded.status, updated_at = excluded.updated_at",
        (article_id, annotator, status, now()),
    )


def save_resume_point(
    conn: sqlite3.Connection, annotator: str, article_id: int, offset: int
) -> None:
    conn.execute(
        'INSERT OR REPLACE INTO resume_points (annotator, article_id, "offset", updated_at) '
        "VALUES (?, ?, ?, ?)",
        (annotator, article_id, offset, now()),
    )


def resume_point(conn: sqlite3.Connection, annotator: str) -> tuple[int, int] | None:
    """(article id, cursor offset) where the annotator left off, if that article is current."""
    row = conn.execute(
        'SELECT r.article_id, r."offset" FROM resume_points r JOIN articles a '
        "ON a.id = r.article_id WHERE r.annotator = ? AND a.superseded_by IS NULL",
        (annotator,),
    ).fetchone()
    return (int(row[0]), int(row[1])) if row else None


def any_reviewable(conn: sqlite3.Connection) -> bool:
    """Whether some article is finished by two or more annotators (something to review)."""
    return conn.execute(f"SELECT EXISTS ({_REVIEWABLE})").fetchone()[0] == 1


def layers(conn: sqlite3.Connection) -> list[str]:
    """Every layer with a status or a span in some article, in name order."""
    rows = conn.execute(
        "SELECT annotator FROM article_status UNION SELECT annotator FROM spans ORDER BY 1"
    )
    return [row[0] for row in rows]
