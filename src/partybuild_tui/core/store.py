"""The SQLite store: articles, spans, the action history and caches, behind one small API.

Every user action is one ``BEGIN IMMEDIATE`` transaction that writes the change and its entry
in ``actions`` together, so what the screen shows as saved is on disk, undo and redo survive a
restart, and an audit can replay who did what. WAL mode lets exports and stats read while the
app writes. Use one ``Store`` per thread.
"""

from __future__ import annotations

import json
import re
import sqlite3
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from partybuild_tui.core import migrations
from partybuild_tui.errors import UserError

STATUSES = ("new", "in_progress", "done", "skipped")
BUSY_TIMEOUT_S = 30.0


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


@dataclass(frozen=True)
class Article:
    id: int
    key: str
    path: str | None
    title: str
    date: str | None
    source: str | None
    author: str | None
    url: str | None
    text: str
    content_hash: str
    body_start: int
    body_end: int
    status: str
    version: int
    superseded_by: int | None

    @property
    def body(self) -> str:
        return self.text[self.body_start : self.body_end]


@dataclass(frozen=True)
class ArticleRow:
    """What the article list shows of an article, without its text."""

    id: int
    title: str
    date: str | None
    source: str | None
    status: str
    span_count: int
    length: int


@dataclass(frozen=True)
class Span:
    id: int
    uid: str
    article_id: int
    start: int
    end: int
    label: str
    text: str
    origin: str
    annotator: str

    def overlaps(self, start: int, end: int) -> bool:
        return self.start < end and start < self.end


@dataclass(frozen=True)
class NewSpan:
    start: int
    end: int
    label: str
    origin: str = "manual"


@dataclass(frozen=True)
class Action:
    """One recorded change: the spans it added and removed, and any status it changed."""

    id: int
    article_id: int
    kind: str
    added: tuple[Span, ...]
    removed: tuple[Span, ...]
    status: tuple[str, str] | None = None


class OverlapError(UserError):
    """A new span would overlap an existing one and the caller asked not to replace it."""


_ARTICLE_COLUMNS = (
    "id, key, path, title, date, source, author, url, text, content_hash, body_start, "
    "body_end, status, version, superseded_by"
)
_SPAN_COLUMNS = 'id, uid, article_id, start, "end", label, text, origin, annotator'


def describe_sqlite_error(exc: sqlite3.Error, path: Path | str) -> str:
    """A one-line explanation of a SQLite failure that tells the user what to do."""
    message = str(exc)
    lowered = message.lower()
    if "locked" in lowered or "busy" in lowered:
        return f"database {path} is locked by another process (waited {BUSY_TIMEOUT_S:.0f}s)"
    if "readonly" in lowered or "read-only" in lowered:
        return f"database {path} is read-only: check the file's and folder's permissions"
    if "disk is full" in lowered or "disk full" in lowered:
        return f"disk full while writing {path}: nothing was half-written; free space and retry"
    if "not a database" in lowered or "malformed" in lowered or "corrupt" in lowered:
        return f"database {path} is corrupt or not a partybuild database ({message})"
    if "unable to open" in lowered:
        return (
            f"cannot open database {path}: check that its folder exists and is writable "
            "(SQLite keeps its -wal and -shm files beside it)"
        )
    return f"database {path}: {message}"


class Store:
    """An open partybuild database."""

    def __init__(self, path: Path | str, *, create: bool = True) -> None:
        self.path = Path(path)
        if not create and not self.path.exists():
            raise UserError(
                f"database {self.path} does not exist (create it with: partybuild import PATH)"
            )
        if str(path) != ":memory:":
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise UserError(f"cannot create folder for database {self.path}: {exc}") from exc
        try:
            self.conn = sqlite3.connect(
                str(path), isolation_level=None, timeout=BUSY_TIMEOUT_S, check_same_thread=False
            )
            self.conn.execute("PRAGMA foreign_keys = ON")
            self._check_version()  # before anything writes: a refused file stays untouched
            self._configure()
            self._upgrade()
        except sqlite3.Error as exc:
            raise UserError(describe_sqlite_error(exc, self.path)) from exc
        self.db = sqlite_utils.Database(self.conn)

    def _configure(self) -> None:
        mode = self.conn.execute("PRAGMA journal_mode").fetchone()[0]
        if mode != "wal":
            try:
                self.conn.execute("PRAGMA journal_mode = WAL")
            except sqlite3.OperationalError:
                pass  # read-only media: reading still works, writing reports clearly
        self.conn.execute("PRAGMA synchronous = FULL")

    def _check_version(self) -> None:
        version = migrations.schema_version(self.conn)
        latest = migrations.latest_version()
        if version > latest:
            raise UserError(
                f"database {self.path} has schema version {version}, newer than this "
                f"partybuild understands ({latest}); upgrade partybuild-tui"
            )
        if version == 0:
            tables = {
                row[0]
                for row in self.conn.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' "
                    "AND name NOT LIKE 'sqlite_%' AND name != '_migrations'"
                )
            }
            if tables:
                raise UserError(
                    f"{self.path} is an SQLite database of another program (tables: "
                    f"{', '.join(sorted(tables)[:5])}); not touching it"
                )

    def _upgrade(self) -> None:
        if migrations.schema_version(self.conn) < migrations.latest_version():
            migrations.migrate(self.conn)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction; nested calls join the outer one."""
        if self.conn.in_transaction:
            yield self.conn
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
            self.conn.execute("COMMIT")
        except BaseException:
            # SQLite has already rolled back after some errors (disk full, I/O): keep the
            # original error rather than "cannot rollback - no transaction is active"
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise

    @contextmanager
    def snapshot(self) -> Iterator[sqlite3.Connection]:
        """A read transaction: every query inside sees the same committed state."""
        if self.conn.in_transaction:
            yield self.conn
            return
        self.conn.execute("BEGIN")
        try:
            yield self.conn
        finally:
            if self.conn.in_transaction:
                self.conn.execute("COMMIT")

    def schema_version(self) -> int:
        return migrations.schema_version(self.conn)

    # ---- articles -------------------------------------------------------------------------

    def insert_article(self, fields: dict[str, Any]) -> int:
        """Insert one article (inside the caller's transaction if any); return its id."""
        stamp = now()
        row = {**fields, "created_at": stamp, "updated_at": stamp}
        columns = ", ".join(row)
        marks = ", ".join("?" for _ in row)
        cursor = self.conn.execute(
            f"INSERT INTO articles ({columns}) VALUES ({marks})", tuple(row.values())
        )
        return int(cursor.lastrowid or 0)

    def article(self, article_id: int) -> Article:
        row = self.conn.execute(
            f"SELECT {_ARTICLE_COLUMNS} FROM articles WHERE id = ?", (article_id,)
        ).fetchone()
        if row is None:
            raise UserError(f"no article with id {article_id}")
        return Article(*row)

    def article_by_hash(self, content_hash: str) -> Article | None:
        row = self.conn.execute(
            f"SELECT {_ARTICLE_COLUMNS} FROM articles WHERE content_hash = ?", (content_hash,)
        ).fetchone()
        return Article(*row) if row else None

    def latest_by_key(self, key: str) -> Article | None:
        row = self.conn.execute(
            f"SELECT {_ARTICLE_COLUMNS} FROM articles WHERE key = ? AND superseded_by IS NULL "
            "ORDER BY version DESC LIMIT 1",
            (key,),
        ).fetchone()
        return Article(*row) if row else None

    def _filter_sql(
        self, status: str | Sequence[str] | None, query: str | None, include_superseded: bool
    ) -> tuple[str, list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []
        if not include_superseded:
            clauses.append("a.superseded_by IS NULL")
        if status:
            statuses = [status] if isinstance(status, str) else list(status)
            for value in statuses:
                if value not in STATUSES:
                    raise UserError(f"unknown status {value!r}; use one of {', '.join(STATUSES)}")
            clauses.append(f"a.status IN ({', '.join('?' for _ in statuses)})")
            params.extend(statuses)
        match = fts_query(query or "")
        if match:
            clauses.append("a.id IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?)")
            params.append(match)
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        return where, params

    def list_articles(
        self,
        *,
        status: str | Sequence[str] | None = None,
        query: str | None = None,
        limit: int | None = None,
        offset: int = 0,
        include_superseded: bool = False,
    ) -> list[ArticleRow]:
        where, params = self._filter_sql(status, query, include_superseded)
        page = f"LIMIT {int(limit)} OFFSET {int(offset)}" if limit is not None else ""
        rows = self.conn.execute(
            "SELECT a.id, a.title, a.date, a.source, a.status, "
            "(SELECT count(*) FROM spans s WHERE s.article_id = a.id), length(a.text) "
            f"FROM articles a {where} ORDER BY a.id {page}",
            params,
        ).fetchall()
        return [ArticleRow(*row) for row in rows]

    def count_articles(
        self,
        *,
        status: str | Sequence[str] | None = None,
        query: str | None = None,
        include_superseded: bool = False,
    ) -> int:
        where, params = self._filter_sql(status, query, include_superseded)
        row = self.conn.execute(f"SELECT count(*) FROM articles a {where}", params).fetchone()
        return int(row[0])

    def article_ids(
        self, *, status: str | Sequence[str] | None = None, query: str | None = None
    ) -> list[int]:
        where, params = self._filter_sql(status, query, False)
        rows = self.conn.execute(f"SELECT a.id FROM articles a {where} ORDER BY a.id", params)
        return [row[0] for row in rows]

    def article_rows(self, ids: Sequence[int]) -> list[ArticleRow]:
        """List rows for these article ids, in id order (a page of a virtual list)."""
        if not ids:
            return []
        marks = ", ".join("?" for _ in ids)
        rows = self.conn.execute(
            "SELECT a.id, a.title, a.date, a.source, a.status, "
            "(SELECT count(*) FROM spans s WHERE s.article_id = a.id), length(a.text) "
            f"FROM articles a WHERE a.id IN ({marks}) ORDER BY a.id",
            list(ids),
        ).fetchall()
        return [ArticleRow(*row) for row in rows]

    def adjacent_article(
        self,
        article_id: int,
        *,
        forward: bool = True,
        status: str | Sequence[str] | None = None,
        query: str | None = None,
    ) -> int | None:
        """The next (or previous) article after ``article_id`` in list order matching filters."""
        where, params = self._filter_sql(status, query, False)
        op, order = (">", "ASC") if forward else ("<", "DESC")
        row = self.conn.execute(
            f"SELECT a.id FROM articles a {where} {'AND' if where else 'WHERE'} a.id {op} ? "
            f"ORDER BY a.id {order} LIMIT 1",
            [*params, article_id],
        ).fetchone()
        return int(row[0]) if row else None

    def last_touched_article(self, annotator: str) -> int | None:
        """The current article this annotator last changed: where to resume after a restart."""
        row = self.conn.execute(
            "SELECT ac.article_id FROM actions ac JOIN articles a ON a.id = ac.article_id "
            "WHERE ac.annotator = ? AND a.superseded_by IS NULL ORDER BY ac.id DESC LIMIT 1",
            (annotator,),
        ).fetchone()
        return int(row[0]) if row else None

    def status_counts(self) -> dict[str, int]:
        counts = dict.fromkeys(STATUSES, 0)
        rows = self.conn.execute(
            "SELECT status, count(*) FROM articles INDEXED BY idx_articles_current_status "
            "WHERE superseded_by IS NULL GROUP BY status"
        )
        counts.update(dict(rows))
        return counts

    def set_status(
        self, article_id: int, status: str, annotator: str, *, record: bool = True
    ) -> Action | None:
        """Change an article's status; recorded (undoable) unless ``record`` is false."""
        if status not in STATUSES:
            raise UserError(f"unknown status {status!r}; use one of {', '.join(STATUSES)}")
        old = self.article(article_id).status
        if old == status:
            return None
        if not record:
            with self.write():
                self._write_status(article_id, status)
            return None
        return self.apply(article_id, annotator, "status", status=(old, status))

    def mark_opened(self, article_id: int, annotator: str) -> bool:
        """Opening an untouched article marks it in progress (not an undoable action)."""
        with self.write():
            cursor = self.conn.execute(
                "UPDATE articles SET status = 'in_progress', updated_at = ? "
                "WHERE id = ? AND status = 'new'",
                (now(), article_id),
            )
        return cursor.rowcount > 0

    def _write_status(self, article_id: int, status: str) -> None:
        self.conn.execute(
            "UPDATE articles SET status = ?, updated_at = ? WHERE id = ?",
            (status, now(), article_id),
        )

    # ---- spans ----------------------------------------------------------------------------

    def spans(self, article_id: int, annotator: str | None = None) -> list[Span]:
        sql = f"SELECT {_SPAN_COLUMNS} FROM spans WHERE article_id = ?"
        params: list[Any] = [article_id]
        if annotator is not None:
            sql += " AND annotator = ?"
            params.append(annotator)
        rows = self.conn.execute(sql + " ORDER BY start, id", params).fetchall()
        return [Span(*row) for row in rows]

    def span(self, span_id: int) -> Span:
        row = self.conn.execute(f"SELECT {_SPAN_COLUMNS} FROM spans WHERE id = ?", (span_id,))
        found = row.fetchone()
        if found is None:
            raise UserError(f"no span with id {span_id}")
        return Span(*found)

    def tag(
        self,
        article_id: int,
        start: int,
        end: int,
        label: str,
        annotator: str,
        *,
        origin: str = "manual",
        replace: bool = True,
    ) -> Action | None:
        """Tag [start, end) with ``label``; overlapping spans are replaced (spans stay flat).

        Returns None when the exact span already exists with this label.
        """
        with self.write():  # the overlap check and the change see the same state
            article = self.article(article_id)
            if not 0 <= start < end <= len(article.text):
                raise UserError(f"span [{start}, {end}) is outside article {article_id}")
            existing = [s for s in self.spans(article_id, annotator) if s.overlaps(start, end)]
            if any(s.start == start and s.end == end and s.label == label for s in existing):
                return None
            if existing and not replace:
                raise OverlapError(f"[{start}, {end}) overlaps {len(existing)} existing span(s)")
            same_range = len(existing) == 1 and (existing[0].start, existing[0].end) == (start, end)
            kind = "relabel" if same_range else "tag"
            return self.apply(
                article_id,
                annotator,
                kind,
                add=[NewSpan(start, end, label, origin)],
                remove=existing,
                text=article.text,
            )

    def relabel(self, span_id: int, label: str, annotator: str) -> Action | None:
        with self.write():  # another process may have changed the span since it was shown
            span = self.span(span_id)
            if span.label == label:
                return None
            return self.apply(
                span.article_id,
                annotator,
                "relabel",
                add=[NewSpan(span.start, span.end, label, span.origin)],
                remove=[span],
            )

    def delete_span(self, span_id: int, annotator: str) -> Action:
        with self.write():
            span = self.span(span_id)
            return self.apply(span.article_id, annotator, "delete", remove=[span])

    def apply(
        self,
        article_id: int,
        annotator: str,
        kind: str,
        *,
        add: Iterable[NewSpan] = (),
        remove: Iterable[Span] = (),
        status: tuple[str, str] | None = None,
        suggestions: Iterable[tuple[int, str, str]] = (),
        text: str | None = None,
    ) -> Action:
        """Apply one change as one transaction and record it as an undoable action.

        ``suggestions`` holds (suggestion id, old status, new status) triples decided by it.
        """
        with self.write():
            if text is None:
                text = self.article(article_id).text
            removed = tuple(remove)
            for span in removed:
                self.conn.execute("DELETE FROM spans WHERE uid = ?", (span.uid,))
            stamp = now()
            added = tuple(self._insert_span(article_id, annotator, new, text, stamp) for new in add)
            if status is not None:
                self._write_status(article_id, status[1])
            decided = tuple(suggestions)
            for sid, _old, new_status in decided:
                self._write_suggestion_status(sid, new_status, annotator, stamp)
            payload = {
                "added": [asdict(s) for s in added],
                "removed": [asdict(s) for s in removed],
                "status": list(status) if status else None,
                "suggestions": [list(d) for d in decided],
            }
            self.conn.execute(
                "UPDATE actions SET state = 'discarded', changed_at = ? "
                "WHERE article_id = ? AND annotator = ? AND state = 'undone'",
                (stamp, article_id, annotator),
            )
            cursor = self.conn.execute(
                "INSERT INTO actions (article_id, annotator, kind, payload, state, created_at, "
                "changed_at) VALUES (?, ?, ?, ?, 'done', ?, ?)",
                (
                    article_id,
                    annotator,
                    kind,
                    json.dumps(payload, ensure_ascii=False),
                    stamp,
                    stamp,
                ),
            )
        return Action(int(cursor.lastrowid or 0), article_id, kind, added, removed, status)

    def _insert_span(
        self, article_id: int, annotator: str, new: NewSpan, text: str, stamp: str
    ) -> Span:
        uid = uuid.uuid4().hex
        span_text = text[new.start : new.end]
        cursor = self.conn.execute(
            'INSERT INTO spans (uid, article_id, start, "end", label, text, origin, annotator, '
            "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                uid,
                article_id,
                new.start,
                new.end,
                new.label,
                span_text,
                new.origin,
                annotator,
                stamp,
                stamp,
            ),
        )
        return Span(
            int(cursor.lastrowid or 0),
            uid,
            article_id,
            new.start,
            new.end,
            new.label,
            span_text,
            new.origin,
            annotator,
        )

    def _restore_span(self, span: Span) -> None:
        stamp = now()
        self.conn.execute(
            'INSERT INTO spans (id, uid, article_id, start, "end", label, text, origin, '
            "annotator, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                span.id,
                span.uid,
                span.article_id,
                span.start,
                span.end,
                span.label,
                span.text,
                span.origin,
                span.annotator,
                stamp,
                stamp,
            ),
        )

    def _write_suggestion_status(self, sid: int, status: str, annotator: str, stamp: str) -> None:
        decided = status != "pending"
        self.conn.execute(
            "UPDATE suggestions SET status = ?, decided_by = ?, decided_at = ? WHERE id = ?",
            (status, annotator if decided else None, stamp if decided else None, sid),
        )

    # ---- undo / redo ------------------------------------------------------------------------

    def undo(self, article_id: int, annotator: str) -> Action | None:
        """Revert the annotator's latest action in this article; None if there is none."""
        return self._step(article_id, annotator, forward=False)

    def redo(self, article_id: int, annotator: str) -> Action | None:
        """Re-apply the most recently undone action in this article; None if there is none."""
        return self._step(article_id, annotator, forward=True)

    def _step(self, article_id: int, annotator: str, *, forward: bool) -> Action | None:
        with self.write():
            if forward:
                sql = (
                    "SELECT id, kind, payload FROM actions WHERE article_id = ? AND "
                    "annotator = ? AND state = 'undone' ORDER BY changed_at DESC, id ASC "
                    "LIMIT 1"
                )
            else:
                sql = (
                    "SELECT id, kind, payload FROM actions WHERE article_id = ? AND "
                    "annotator = ? AND state = 'done' ORDER BY id DESC LIMIT 1"
                )
            row = self.conn.execute(sql, (article_id, annotator)).fetchone()
            if row is None:
                return None
            action_id, kind, raw = row
            payload = json.loads(raw)
            added = tuple(Span(**s) for s in payload["added"])
            removed = tuple(Span(**s) for s in payload["removed"])
            status = tuple(payload["status"]) if payload["status"] else None
            gone, back = (removed, added) if forward else (added, removed)
            for span in gone:
                self.conn.execute("DELETE FROM spans WHERE uid = ?", (span.uid,))
            for span in back:
                self._restore_span(span)
            if status:
                self._write_status(article_id, status[1] if forward else status[0])
            stamp = now()
            for sid, old, new in payload["suggestions"]:
                self._write_suggestion_status(sid, new if forward else old, annotator, stamp)
            self.conn.execute(
                "UPDATE actions SET state = ?, changed_at = ? WHERE id = ?",
                ("done" if forward else "undone", stamp, action_id),
            )
        if forward:
            return Action(action_id, article_id, kind, added, removed, status)  # type: ignore[arg-type]
        flipped = (status[1], status[0]) if status else None
        return Action(action_id, article_id, f"undo {kind}", removed, added, flipped)  # type: ignore[arg-type]

    def history(self, article_id: int, annotator: str | None = None) -> list[dict[str, Any]]:
        """The recorded actions of an article, oldest first, for audits."""
        sql = (
            "SELECT id, annotator, kind, payload, state, created_at FROM actions "
            "WHERE article_id = ?"
        )
        params: list[Any] = [article_id]
        if annotator:
            sql += " AND annotator = ?"
            params.append(annotator)
        rows = self.conn.execute(sql + " ORDER BY id", params).fetchall()
        return [
            {
                "id": r[0],
                "annotator": r[1],
                "kind": r[2],
                "payload": json.loads(r[3]),
                "state": r[4],
                "created_at": r[5],
            }
            for r in rows
        ]

    # ---- tokenization cache -------------------------------------------------------------------

    def load_tokenization(
        self, article_id: int, content_hash: str, tokenizer: str
    ) -> tuple[list[int], list[int]] | None:
        row = self.conn.execute(
            "SELECT words, sentences FROM tokenizations WHERE article_id = ? AND "
            "content_hash = ? AND tokenizer = ?",
            (article_id, content_hash, tokenizer),
        ).fetchone()
        if row is None:
            return None
        return json.loads(row[0]), json.loads(row[1])

    def save_tokenization(
        self,
        article_id: int,
        content_hash: str,
        tokenizer: str,
        words: Sequence[int],
        sentences: Sequence[int],
    ) -> None:
        with self.write():
            self.conn.execute(
                "INSERT OR REPLACE INTO tokenizations (article_id, content_hash, tokenizer, "
                "words, sentences, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                (
                    article_id,
                    content_hash,
                    tokenizer,
                    json.dumps(list(words)),
                    json.dumps(list(sentences)),
                    now(),
                ),
            )

    def untokenized_ids(self, tokenizer: str) -> list[int]:
        rows = self.conn.execute(
            "SELECT a.id FROM articles a LEFT JOIN tokenizations t ON t.article_id = a.id "
            "AND t.tokenizer = ? AND t.content_hash = a.content_hash "
            "WHERE t.article_id IS NULL AND a.superseded_by IS NULL ORDER BY a.id",
            (tokenizer,),
        )
        return [row[0] for row in rows]


_FTS_TERM = re.compile(r"[\w\-/]+", re.UNICODE)


def fts_query(text: str) -> str:
    """What a user types as a safe FTS5 query: the words as a phrase, the last one a prefix."""
    terms = _FTS_TERM.findall(text)
    return '"' + " ".join(terms) + '"*' if terms else ""
