"""Trained suggestion models, newest last: the active one is the newest of its name."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from partybuild_tui.core.store.models import now


@dataclass(frozen=True)
class ModelRecord:
    """What a stored model was trained on and how well it did, without its bytes."""

    id: int
    name: str
    version: str
    training_hash: str
    articles: int
    spans: int
    tokens: int
    folds: int
    cv_f1: float | None
    seconds: float
    created_at: str


_COLUMNS = (
    "id, name, version, training_hash, articles, spans, tokens, folds, cv_f1, seconds, created_at"
)


def save(conn: sqlite3.Connection, record: ModelRecord, data: bytes) -> int:
    cursor = conn.execute(
        "INSERT INTO models (name, version, training_hash, articles, spans, tokens, folds, "
        "cv_f1, seconds, created_at, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            record.name,
            record.version,
            record.training_hash,
            record.articles,
            record.spans,
            record.tokens,
            record.folds,
            record.cv_f1,
            record.seconds,
            record.created_at or now(),
            data,
        ),
    )
    return int(cursor.lastrowid or 0)


def latest(conn: sqlite3.Connection, name: str) -> tuple[ModelRecord, bytes] | None:
    row = conn.execute(
        f"SELECT {_COLUMNS}, data FROM models WHERE name = ? ORDER BY id DESC LIMIT 1", (name,)
    ).fetchone()
    if row is None:
        return None
    return ModelRecord(*row[:-1]), bytes(row[-1])


def latest_record(conn: sqlite3.Connection, name: str) -> ModelRecord | None:
    row = conn.execute(
        f"SELECT {_COLUMNS} FROM models WHERE name = ? ORDER BY id DESC LIMIT 1", (name,)
    ).fetchone()
    return ModelRecord(*row) if row else None
