"""A scripted annotator for the safety tests: real Store calls, one ack line per commit.

    python tests/safety_driver.py DB SEED STEPS [PAUSE_SECONDS]

Each step tags, relabels, undoes, redoes, deletes or changes a status through the Store API
(the same calls the app makes), then prints ``ack <step> <action id or ->`` once the change is
committed. The sequence depends only on the seed and the database's contents, so a test can
replay it on a copy of the database and know exactly what the child had acknowledged.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import sqlite3
import sys
import time
from collections.abc import Callable
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"
sys.path.insert(0, str(SRC))

from partybuild_tui.core.store import STATUSES, Action, Store  # noqa: E402
from partybuild_tui.errors import UserError  # noqa: E402

LABELS = ("ORGANIZATION", "FIGURE", "RESOLUTION")
ANNOTATOR = "driver"


def child_env() -> dict[str, str]:
    """The environment for a child process that must run this checkout's code (not another
    copy installed in the virtualenv)."""
    paths = [str(SRC), *filter(None, [os.environ.get("PYTHONPATH")])]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}


def step_once(
    store: Store, rng: random.Random, ids: list[int], lengths: dict[int, int]
) -> Action | None:
    """One user action on a random article; the Action it recorded, if any."""
    article_id = rng.choice(ids)
    roll = rng.random()
    if roll < 0.55:
        start = rng.randrange(lengths[article_id] - 1)
        end = min(lengths[article_id], start + rng.randint(1, 40))
        return store.tag(article_id, start, end, rng.choice(LABELS), ANNOTATOR)
    if roll < 0.7:
        return store.undo(article_id, ANNOTATOR)
    if roll < 0.8:
        return store.redo(article_id, ANNOTATOR)
    spans = store.spans(article_id, ANNOTATOR)
    if roll < 0.9:
        return store.delete_span(rng.choice(spans).id, ANNOTATOR) if spans else None
    if roll < 0.95:
        label = rng.choice(LABELS)
        return store.relabel(rng.choice(spans).id, label, ANNOTATOR) if spans else None
    return store.set_status(article_id, rng.choice(STATUSES), ANNOTATOR)


def run(
    store: Store,
    seed: int,
    steps: int,
    ack: Callable[[int, Action | None], None],
    pause: float = 0.0,
) -> None:
    """Perform ``steps`` actions chosen by ``seed``, calling ``ack`` after each commit."""
    rng = random.Random(seed)
    ids = store.article_ids()
    lengths = {
        row[0]: row[1] for row in store.conn.execute("SELECT id, length(text) FROM articles")
    }
    for step in range(steps):
        try:
            action = step_once(store, rng, ids, lengths)
        except UserError:  # another process removed the span first: the app shows a message
            action = None
        ack(step, action)
        if pause:
            time.sleep(pause)


def fingerprint(conn: sqlite3.Connection) -> str:
    """A digest of everything an annotator's actions change (not timestamps or uuids)."""
    parts = [
        conn.execute(
            'SELECT id, article_id, start, "end", label, origin, annotator FROM spans ORDER BY id'
        ).fetchall(),
        conn.execute("SELECT id, article_id, kind, state FROM actions ORDER BY id").fetchall(),
        conn.execute("SELECT id, status FROM articles ORDER BY id").fetchall(),
    ]
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()


def main() -> None:
    db, seed, steps = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    pause = float(sys.argv[4]) if len(sys.argv) > 4 else 0.0

    def ack(step: int, action: Action | None) -> None:
        print(f"ack {step} {action.id if action else '-'}", flush=True)

    with Store(db) as store:
        run(store, seed, steps, ack, pause)


if __name__ == "__main__":
    main()
