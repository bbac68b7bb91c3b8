"""The word-segmentation cache: word and sentence boundaries per article and content hash."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence

from partybuild_tui.core.store.models import now


def load(
    conn: sqlite3.Connection, article_id: int, content_hash: str, tokenizer: str
) -> tuple[list[int], list[int]] | None:
    row = conn.execute(
        "SELECT words, sentences FROM tokenizations WHERE article_id = ? AND "
        "content_hash = ? AND tokenizer = ?",
        (article_id, content_hash, tokenizer),
    ).fetchone()
    if row is None:
        return None
    return json.loads(row[0]), json.loads(row[1])


def stamp(
    conn: sqlite3.Connection, article_id: int, content_hash: str, tokenizer: str
) -> tuple[int, str] | None:
    """(rowid, created_at) of the cached row: a saved-again row gets a new rowid."""
    row = conn.execute(
        "SELECT rowid, created_at FROM tokenizations WHERE article_id = ? AND "
        "content_hash = ? AND tokenizer = ?",
        (article_id, content_hash, tokenizer),
    ).fetchone()
    return None if row is None else (int(row[0]), str(row[1]))


def save(
    conn: sqlite3.Connection,
    article_id: int,
    content_hash: str,
    tokenizer: str,
    words: Sequence[int],
    sentences: Sequence[int],
) -> None:
    conn.execute(
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


def missing(conn: sqlite3.Connection, tokenizer: str, *, current_only: bool = True) -> list[int]:
    """Articles with no cached segmentation of their present text, in id order."""
    current = "AND a.superseded_by IS NULL" if current_only else ""
    rows = conn.execute(
        "SELECT a.id FROM articles a LEFT JOIN tokenizations t ON t.article_id = a.id "
        "AND t.tokenizer = ? AND t.content_hash = a.content_hash "
        f"WHERE t.article_id IS NULL {current} ORDER BY a.id",
        (tokenizer,),
    )
    return [row[0] for row in rows]
