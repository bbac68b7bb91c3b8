"""Schema migrations: numbered functions applied in order, each recorded once.

A database remembers its version in ``PRAGMA user_version`` (the number of migrations applied)
and in the ``_migrations`` table (which, and when). A database newer than this program is
refused rather than touched. Each migration returns one SQL script, run inside a single
transaction together with its bookkeeping, so a crash mid-migration leaves the old schema.
"""

from __future__ import annotations

import inspect
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime

# A migration returns an SQL script, or (taking the connection) makes its change itself with
# sqlite-utils, inside the step's transaction (sqlite-utils nests it in a savepoint).
Migration = Callable[[], str] | Callable[[sqlite3.Connection], None]
MIGRATIONS: list[Migration] = []


def migration(fn: Migration) -> Migration:
    MIGRATIONS.append(fn)
    return fn


@migration
def m001_articles_spans_actions() -> str:
    return """
        CREATE TABLE articles (
            id INTEGER PRIMARY KEY,
            key TEXT NOT NULL,
            path TEXT,
            title TEXT NOT NULL DEFAULT '',
            date TEXT,
            source TEXT,
            author TEXT,
            url TEXT,
            text TEXT NOT NULL,
            raw_text TEXT NOT NULL,
            content_hash TEXT NOT NULL UNIQUE,
            body_start INTEGER NOT NULL,
            body_end INTEGER NOT NULL,
            status TEXT NOT NULL DEFAULT 'new'
                CHECK (status IN ('new', 'in_progress', 'done', 'skipped')),
            version INTEGER NOT NULL DEFAULT 1,
            superseded_by INTEGER REFERENCES articles(id),
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX idx_articles_key ON articles(key);
        CREATE INDEX idx_articles_status ON articles(status);

        CREATE TABLE spans (
            id INTEGER PRIMARY KEY,
            uid TEXT NOT NULL UNIQUE,
            article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            label TEXT NOT NULL,
            text TEXT NOT NULL,
            origin TEXT NOT NULL DEFAULT 'manual',
            annotator TEXT NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            CHECK (start >= 0 AND "end" > start)
        );
        CREATE INDEX idx_spans_article ON spans(article_id, annotator, start);
        CREATE INDEX idx_spans_label ON spans(label);

        CREATE TABLE actions (
            id INTEGER PRIMARY KEY,
            article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            annotator TEXT NOT NULL,
            kind TEXT NOT NULL,
            payload TEXT NOT NULL,
            state TEXT NOT NULL DEFAULT 'done' CHECK (state IN ('done', 'undone', 'discarded')),
            created_at TEXT NOT NULL,
            changed_at TEXT NOT NULL
        );
        CREATE INDEX idx_actions_stack ON actions(article_id, annotator, state, id);
        """


@migration
def m002_full_text_search() -> str:
    return """
        CREATE VIRTUAL TABLE articles_fts USING fts5(
            title, text, content='articles', content_rowid='id',
            tokenize='unicode61 remove_diacritics 0'
        );
        INSERT INTO articles_fts(rowid, title, text) SELECT id, title, text FROM articles;
        CREATE TRIGGER articles_fts_ai AFTER INSERT ON articles BEGIN
            INSERT INTO articles_fts(rowid, title, text) VALUES (new.id, new.title, new.text);
        END;
        CREATE TRIGGER articles_fts_ad AFTER DELETE ON articles BEGIN
            INSERT INTO articles_fts(articles_fts, rowid, title, text)
                VALUES ('delete', old.id, old.title, old.text);
        END;
        CREATE TRIGGER articles_fts_au AFTER UPDATE OF title, text ON articles BEGIN
            INSERT INTO articles_fts(articles_fts, rowid, title, text)
                VALUES ('delete', old.id, old.title, old.text);
            INSERT INTO articles_fts(rowid, title, text) VALUES (new.id, new.title, new.text);
        END;
        """


@migration
def m003_tokenizations() -> str:
    return """
        CREATE TABLE tokenizations (
            article_id INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
            content_hash TEXT NOT NULL,
            tokenizer TEXT NOT NULL,
            words TEXT NOT NULL,
            sentences TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
        """


@migration
def m004_suggestions() -> str:
    return """
        CREATE TABLE suggestions (
            id INTEGER PRIMARY KEY,
            article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            source TEXT NOT NULL,
            source_version TEXT NOT NULL,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            label TEXT NOT NULL,
            text TEXT NOT NULL,
            score REAL,
            status TEXT NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'accepted', 'rejected')),
            decided_by TEXT,
            decided_at TEXT,
            created_at TEXT NOT NULL,
            UNIQUE (article_id, source, start, "end", label)
        );
        CREATE INDEX idx_suggestions_article ON suggestions(article_id, status, start);
        CREATE TABLE suggestion_runs (
            article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            source TEXT NOT NULL,
            source_version TEXT NOT NULL,
            content_hash TEXT NOT NULL,
            computed_at TEXT NOT NULL,
            PRIMARY KEY (article_id, source)
        );
        """


@migration
def m005_spans_ids_never_reused() -> str:
    """Span ids become AUTOINCREMENT: undo/redo restores a span under its old id, so an id
    must never be handed to another span (SQLite reuses the largest rowid after a delete)."""
    issued = """
        SELECT coalesce(max(json_extract(item.value, '$.id')), 0)
        FROM actions, json_each(actions.payload, '$.{side}') AS item
    """
    return f"""
        CREATE TABLE spans_new (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            uid TEXT NOT NULL UNIQUE,
            article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            label TEXT NOT NULL,
            text TEXT NOT NULL,
            origin TEXT NOT NULL DEFAULT 'manual',
            annotator TEXT NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            CHECK (start >= 0 AND "end" > start)
        );
        INSERT INTO spans_new SELECT id, uid, article_id, start, "end", label, text, origin,
            annotator, created_at, updated_at FROM spans;
        DROP TABLE spans;
        ALTER TABLE spans_new RENAME TO spans;
        CREATE INDEX idx_spans_article ON spans(article_id, annotator, start);
        CREATE INDEX idx_spans_label ON spans(label);
        DELETE FROM sqlite_sequence WHERE name = 'spans';
        INSERT INTO sqlite_sequence (name, seq) VALUES ('spans', max(
            (SELECT coalesce(max(id), 0) FROM spans),
            ({issued.format(side="added")}),
            ({issued.format(side="removed")})
        ));
        """


@migration
def m006_current_article_indexes() -> str:
    """Counting and paging the current (not superseded) articles read these small indexes
    instead of the whole table: with 100k articles a count drops from ~100 ms to < 1 ms."""
    return """
        CREATE INDEX idx_articles_current ON articles(superseded_by, id);
        CREATE INDEX idx_articles_current_status ON articles(status, id)
            WHERE superseded_by IS NULL;
        """


@migration
def m007_stats_indexes() -> str:
    """Covering indexes so every stats figure is an index scan, not a sort of all spans.

    ``idx_articles_filter`` matters most on real articles: status, dates and body bounds sit
    after the text in a row, so reading them from the table walks the text's overflow pages.
    """
    return """
        CREATE INDEX idx_spans_label_text ON spans(label, text, annotator, article_id);
        CREATE INDEX idx_spans_annotator ON spans(annotator, article_id);
        CREATE INDEX idx_spans_article_label ON spans(article_id, label, annotator);
        CREATE INDEX idx_actions_created ON actions(created_at, annotator, article_id);
        CREATE INDEX idx_actions_annotator ON actions(annotator, created_at, article_id);
        CREATE INDEX idx_articles_superseded ON articles(superseded_by)
            WHERE superseded_by IS NOT NULL;
        CREATE INDEX idx_articles_filter ON articles(superseded_by, status, date, body_start,
            body_end);
        CREATE INDEX idx_suggestions_outcome ON suggestions(source, label, status, decided_by,
            article_id);
        """


@migration
def m008_models(conn: sqlite3.Connection) -> None:
    """Trained suggestion models: the CRFsuite file, its version and what it was trained on."""
    import sqlite_utils  # only the migration needs it

    db = sqlite_utils.Database(conn)
    db["models"].create(  # type: ignore[union-attr]
        {
            "id": int,
            "name": str,
            "version": str,
            "training_hash": str,
            "articles": int,
            "spans": int,
            "tokens": int,
            "folds": int,
            "cv_f1": float,
            "seconds": float,
            "created_at": str,
            "data": bytes,
        },
        pk="id",
        not_null={"name", "version", "training_hash", "created_at", "data"},
    )
    db["models"].create_index(["name", "id"], index_name="idx_models_latest")  # type: ignore[union-attr]


@migration
def m009_run_uncertainty(conn: sqlite3.Connection) -> None:
    """How unsure a model was of each article it ran on: the order of active learning."""
    import sqlite_utils

    runs = sqlite_utils.Database(conn)["suggestion_runs"]
    runs.add_column("uncertainty", float)  # type: ignore[union-attr]
    conn.execute(
        "CREATE INDEX idx_runs_uncertainty ON suggestion_runs(source, uncertainty) "
        "WHERE uncertainty IS NOT NULL"
    )


@migration
def m010_plain_search(conn: sqlite3.Connection) -> None:
    """Search as users type without an IME: a contentless FTS index of the titles and texts
    with every mark folded and đ → d ("nghi quyet" finds "Nghị quyết"). The store adds each
    new article to it; contentless, it holds the index only, not a second copy of the text."""
    from partybuild_tui.core.text import plain_fold

    conn.execute(
        "CREATE VIRTUAL TABLE articles_plain USING fts5(title, text, content='', "
        "tokenize='unicode61 remove_diacritics 2')"
    )
    rows = conn.execute("SELECT id, title, text FROM articles")
    conn.executemany(
        "INSERT INTO articles_plain (rowid, title, text) VALUES (?, ?, ?)",
        ((i, plain_fold(title), plain_fold(text)) for i, title, text in rows.fetchall()),
    )


@migration
def m011_where_annotators_left_off(conn: sqlite3.Connection) -> None:
    """Per annotator, the article and cursor offset the app last showed: where to resume."""
    import sqlite_utils

    sqlite_utils.Database(conn)["resume_points"].create(  # type: ignore[union-attr]
        {"annotator": str, "article_id": int, "offset": int, "updated_at": str},
        pk="annotator",
        not_null={"article_id", "offset", "updated_at"},
        foreign_keys=[("article_id", "articles", "id")],
    )


@migration
def m012_team_layers(conn: sqlite3.Connection) -> None:
    """Team work: a status per annotator, assignments, and actions that merge and redo in order.

    ``article_status`` holds each annotator's (and each review layer's, see ``core.layers``)
    own status; ``articles.status`` stays as the latest status anyone set. Existing statuses go to
    every annotator who acted in or tagged the article. Actions get a ``uid`` (a merge brings
    each in once), the ``session`` (app instance) that made them, and ``undone_seq``, the order
    of undoing, so redo takes the latest undone by sequence, not by the clock.
    """
    conn.execute(
        "CREATE TABLE article_status (article_id INTEGER NOT NULL REFERENCES articles(id) "
        "ON DELETE CASCADE, annotator TEXT NOT NULL, status TEXT NOT NULL CHECK (status IN "
        "('new', 'in_progress', 'done', 'skipped')), updated_at TEXT NOT NULL, "
        "PRIMARY KEY (article_id, annotator)) WITHOUT ROWID"
    )
    conn.execute(
        "CREATE INDEX idx_article_status_annotator ON article_status(annotator, status, article_id)"
    )
    conn.execute(
        "INSERT INTO article_status (article_id, annotator, status, updated_at) "
        "SELECT a.id, who.annotator, a.status, a.updated_at FROM articles a JOIN "
        "(SELECT article_id, annotator FROM actions UNION SELECT article_id, annotator FROM spans)"
        " who ON who.article_id = a.id WHERE a.status != 'new'"
    )
    conn.execute(
        "CREATE TABLE assignments (article_id INTEGER NOT NULL REFERENCES articles(id) "
        "ON DELETE CASCADE, annotator TEXT NOT NULL, assigned_at TEXT NOT NULL, "
        "PRIMARY KEY (article_id, annotator)) WITHOUT ROWID"
    )
    conn.execute("CREATE INDEX idx_assignments_annotator ON assignments(annotator, article_id)")
    conn.execute("ALTER TABLE actions ADD COLUMN uid TEXT")
    conn.execute("UPDATE actions SET uid = lower(hex(randomblob(16)))")
    conn.execute("CREATE UNIQUE INDEX idx_actions_uid ON actions(uid)")
    conn.execute("ALTER TABLE actions ADD COLUMN session TEXT")
    conn.execute("ALTER TABLE actions ADD COLUMN undone_seq INTEGER")


@migration
def m013_suggestion_decisions(conn: sqlite3.Connection) -> None:
    """Suggestion decisions per layer: accepting or rejecting a proposal is one annotator's
    (or review layer's) work, so it lives in ``suggestion_decisions`` keyed by (suggestion,
    layer); a suggestion with no row there is pending in that layer. The shared ``status``,
    ``decided_by`` and ``decided_at`` columns go: existing decisions move to their decider's
    layer (one with no decider recorded, which the app never wrote, becomes pending).

    ``withdrawn_at``: when a source's re-run stopped proposing a suggestion some layer had
    decided. The row stays for that decision; layers that never decided it no longer see it.
    """
    conn.execute(
        "CREATE TABLE suggestion_decisions (suggestion_id INTEGER NOT NULL REFERENCES "
        "suggestions(id) ON DELETE CASCADE, annotator TEXT NOT NULL, status TEXT NOT NULL "
        "CHECK (status IN ('accepted', 'rejected')), decided_at TEXT NOT NULL, "
        "PRIMARY KEY (suggestion_id, annotator)) WITHOUT ROWID"
    )
    conn.execute(
        "CREATE INDEX idx_suggestion_decisions_annotator ON suggestion_decisions(annotator, "
        "status, suggestion_id)"
    )
    conn.execute(
        "INSERT INTO suggestion_decisions (suggestion_id, annotator, status, decided_at) "
        "SELECT id, decided_by, status, coalesce(decided_at, created_at) FROM suggestions "
        "WHERE status != 'pending' AND decided_by IS NOT NULL"
    )
    conn.execute("DROP INDEX idx_suggestions_article")
    conn.execute("DROP INDEX idx_suggestions_outcome")
    for column in ("status", "decided_by", "decided_at"):
        conn.execute(f"ALTER TABLE suggestions DROP COLUMN {column}")
    conn.execute("ALTER TABLE suggestions ADD COLUMN withdrawn_at TEXT")
    conn.execute('CREATE INDEX idx_suggestions_article ON suggestions(article_id, start, "end")')
    conn.execute("CREATE INDEX idx_suggestions_outcome ON suggestions(source, label, article_id)")


@migration
def m014_suggestion_state_index(conn: sqlite3.Connection) -> None:
    """The screen's suggestion fingerprint (count, ids, withdrawn) of one article from an
    index alone: without it every open and every poll read the article's suggestion rows."""
    conn.execute("CREATE INDEX idx_suggestions_state ON suggestions(article_id, withdrawn_at)")


@migration
def m015_tagged_forms_index(conn: sqlite3.Connection) -> None:
    """The memory source's lexicon (every tagged form, its label, count and last time) from
    an index alone: it is read again after every new tag, 350 ms at 175,000 spans -> 45."""
    conn.execute("CREATE INDEX idx_spans_forms ON spans(text, label, created_at)")


@migration
def m016_span_forms() -> str:
    """Every tagged form with its label, count and last time, kept by triggers as spans come
    and go (any process, any path): the memory source reads its lexicon from this small
    table after every new tag, where grouping all spans took 350 ms at 100,000 articles."""
    return """
        CREATE TABLE span_forms (
            label TEXT NOT NULL,
            text TEXT NOT NULL,
            n INTEGER NOT NULL,
            last_at TEXT NOT NULL,
            PRIMARY KEY (label, text)
        ) WITHOUT ROWID;
        INSERT INTO span_forms (label, text, n, last_at)
            SELECT label, text, count(*), max(created_at) FROM spans GROUP BY label, text;
        CREATE TRIGGER span_forms_added AFTER INSERT ON spans BEGIN
            INSERT INTO span_forms (label, text, n, last_at)
                VALUES (NEW.label, NEW.text, 1, NEW.created_at)
                ON CONFLICT (label, text) DO UPDATE
                SET n = n + 1, last_at = max(last_at, excluded.last_at);
        END;
        CREATE TRIGGER span_forms_removed AFTER DELETE ON spans BEGIN
            UPDATE span_forms SET n = n - 1, last_at = coalesce((SELECT max(created_at)
                FROM spans WHERE text = OLD.text AND label = OLD.label), last_at)
                WHERE label = OLD.label AND text = OLD.text;
            DELETE FROM span_forms WHERE label = OLD.label AND text = OLD.text AND n <= 0;
        END;
        CREATE TRIGGER span_forms_changed AFTER UPDATE OF label, text, created_at ON spans
        BEGIN
            UPDATE span_forms SET n = n - 1, last_at = coalesce((SELECT max(created_at)
                FROM spans WHERE text = OLD.text AND label = OLD.label), last_at)
                WHERE label = OLD.label AND text = OLD.text;
            DELETE FROM span_forms WHERE label = OLD.label AND text = OLD.text AND n <= 0;
            INSERT INTO span_forms (label, text, n, last_at)
                VALUES (NEW.label, NEW.text, 1, NEW.created_at)
                ON CONFLICT (label, text) DO UPDATE
                SET n = n + 1, last_at = max(last_at, excluded.last_at);
        END
    """


@migration
def m017_span_forms_changes() -> str:
    """Which tagged forms changed since a reader last looked: each change of ``span_forms``
    ticks a clock and stamps the rows it touched, and a form's row stays at n = 0 when its
    last span goes, so a reader sees it go too. The memory source then reads only the forms
    changed since its last run (a few rows) where it read all of them after every tag. The
    clock's ``uid`` tells one database from another (a file copied over another)."""
    tick = "UPDATE span_forms_clock SET n = n + 1;"
    added = """INSERT INTO span_forms (label, text, n, last_at, changed)
                VALUES (NEW.label, NEW.text, 1, NEW.created_at, (SELECT n FROM span_forms_clock))
                ON CONFLICT (label, text) DO UPDATE SET
                    n = n + 1,
                    last_at = CASE WHEN n > 0 THEN max(last_at, excluded.last_at)
                        ELSE excluded.last_at END,
                    changed = excluded.changed;"""
    removed = """UPDATE span_forms SET n = n - 1, last_at = coalesce((SELECT max(created_at)
                FROM spans WHERE text = OLD.text AND label = OLD.label), last_at),
                changed = (SELECT n FROM span_forms_clock)
                WHERE label = OLD.label AND text = OLD.text;"""
    return f"""
        ALTER TABLE span_forms ADD COLUMN changed INTEGER NOT NULL DEFAULT 0;
        CREATE INDEX idx_span_forms_changed ON span_forms(changed);
        CREATE TABLE span_forms_clock (n INTEGER NOT NULL, uid TEXT NOT NULL);
        INSERT INTO span_forms_clock (n, uid) VALUES (0, lower(hex(randomblob(8))));
        DROP TRIGGER span_forms_added;
        DROP TRIGGER span_forms_removed;
        DROP TRIGGER span_forms_changed;
        CREATE TRIGGER span_forms_added AFTER INSERT ON spans BEGIN {tick} {added} END;
        CREATE TRIGGER span_forms_removed AFTER DELETE ON spans BEGIN {tick} {removed} END;
        CREATE TRIGGER span_forms_changed AFTER UPDATE OF label, text, created_at ON spans
        BEGIN {tick} {removed} {added} END
    """


@migration
def m018_list_clock() -> str:
    """A clock that ticks with every change to what the article list and its counts show:
    articles added, replaced or removed, statuses in any layer, assignments, and the model's
    uncertainty (the 'uncertain' order). A window re-reads its list (every id: 50 ms at
    100,000 articles) and recounts only when it moved, not after every commit it sees, most
    of which are its own tags."""
    events = {
        "article_added": "AFTER INSERT ON articles",
        "article_removed": "AFTER DELETE ON articles",
        "article_changed": "AFTER UPDATE OF superseded_by, status, title ON articles",
        "status_added": "AFTER INSERT ON article_status",
        "status_removed": "AFTER DELETE ON article_status",
        "status_changed": "AFTER UPDATE ON article_status",
        "assigned": "AFTER INSERT ON assignments",
        "unassigned": "AFTER DELETE ON assignments",
        "model_run": "AFTER INSERT ON suggestion_runs WHEN NEW.source = 'model'",
        "model_rerun": "AFTER UPDATE ON suggestion_runs WHEN NEW.source = 'model'",
        "model_gone": "AFTER DELETE ON suggestion_runs WHEN OLD.source = 'model'",
    }
    triggers = "".join(
        f"CREATE TRIGGER list_clock_{name} {event} BEGIN UPDATE list_clock SET n = n + 1; END;\n"
        for name, event in events.items()
    )
    return "CREATE TABLE list_clock (n INTEGER NOT NULL);\n" + (
        "INSERT INTO list_clock (n) VALUES (0);\n" + triggers
    )


def schema_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def latest_version() -> int:
    return len(MIGRATIONS)


def migrate(conn: sqlite3.Connection, upto: int | None = None) -> list[str]:
    """Apply pending migrations (up to ``upto``), one transaction each; return their names.

    Each step takes the write lock first and only then reads the version, so two processes
    opening a fresh database at once never both apply the same step: the second finds it done.
    """
    target = latest_version() if upto is None else upto
    applied: list[str] = []
    while True:
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute(
                "CREATE TABLE IF NOT EXISTS _migrations "
                "(name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
            )
            number = schema_version(conn)
            if number >= target:
                conn.execute("COMMIT")
                return applied
            fn = MIGRATIONS[number]
            run(fn, conn)
            stamp = datetime.now(UTC).isoformat(timespec="seconds")
            conn.execute(
                "INSERT INTO _migrations (name, applied_at) VALUES (?, ?)", (fn.__name__, stamp)
            )
            conn.execute(f"PRAGMA user_version = {number + 1}")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        applied.append(fn.__name__)


def run(fn: Migration, conn: sqlite3.Connection) -> None:
    """Apply one migration inside the open transaction."""
    if inspect.signature(fn).parameters:
        fn(conn)  # type: ignore[call-arg]
        return
    for statement in statements(fn()):  # type: ignore[call-arg, arg-type]
        conn.execute(statement)


def statements(script: str) -> list[str]:
    """Split a script into complete statements (trigger bodies keep their inner ``;``).

    ``executescript`` would commit the open transaction first, releasing the lock the
    migration step holds; running statement by statement keeps the step atomic.
    """
    found: list[str] = []
    pending = ""
    for piece in script.split(";"):
        pending += piece + ";"
        if sqlite3.complete_statement(pending):
            if pending.strip(" \n\t;"):
                found.append(pending.strip())
            pending = ""
    return found
