"""Merging another partybuild database into this one (``partybuild merge``).

Rows are matched by identities that mean the same in every copy: articles by content hash,
spans and actions by uid, statuses and resume points by (article, annotator), suggestions by
(article, source, start, end, label). Local ids are remapped, also inside action payloads, so
undo of a merged action works here. The other file is never written: it is copied with the
SQLite backup API into a temporary folder (and an older schema upgraded there), attached, and
merged in one transaction per file, so a crash leaves the target as it was before that file.

Every rule is a function of the two sides alone (newest ``updated_at`` wins, ties broken by
content), so merging twice changes nothing and A into B gives the same spans as B into A.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from partybuild_tui.core.store import migrations
from partybuild_tui.core.text import plain_fold
from partybuild_tui.errors import UserError

CONFLICT_KIND = "merge conflict"
_SPAN_KEYS = ("id", "uid", "article_id", "start", "end", "label", "text", "origin", "annotator")


@dataclass(frozen=True)
class Conflict:
    """Two versions of one place in one layer; ``kept`` stays, ``dropped`` went to history."""

    reason: str  # "edited in both" (same uid) or "overlap" (different uids, same layer)
    article_key: str
    annotator: str
    kept: dict[str, Any]
    dropped: dict[str, Any]


@dataclass
class MergeReport:
    source: str
    upgraded_from: int | None = None
    articles_added: int = 0
    articles_matched: int = 0
    versions_linked: int = 0
    spans_theirs: int = 0
    spans_same: int = 0
    spans_added: int = 0
    spans_updated: int = 0
    spans_removed: int = 0
    spans_not_resurrected: int = 0
    conflicts: list[Conflict] = field(default_factory=list)
    conflicts_known: int = 0
    statuses: int = 0
    actions_added: int = 0
    assignments: int = 0
    resume_points: int = 0
    suggestions: int = 0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


# ---- the other file: checked, copied, upgraded ------------------------------------------------


def prepare(path: Path, copy: Path) -> tuple[Path, int]:
    """A private, up-to-date ``copy`` of ``path`` and the file's schema version.

    Refuses (one ``UserError`` line naming the file) a missing file, a folder, a file that is
    not a partybuild database or is damaged, and a newer schema.
    """
    if not path.exists():
        raise UserError(f"{path} does not exist")
    if not path.is_file():
        raise UserError(f"{path} is not a file")
    try:
        version = _copy(path, copy)
        conn = sqlite3.connect(copy, isolation_level=None)
        try:
            check = conn.execute("PRAGMA quick_check").fetchone()[0]
            if check != "ok":
                raise UserError(f"{path} is damaged (integrity check: {check}); not merging it")
            if version < migrations.latest_version():
                migrations.migrate(conn)
            _fill_action_uids(conn)
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise UserError(f"{path} is not a partybuild database or is damaged ({exc})") from exc
    return copy, version


def _copy(path: Path, copy: Path) -> int:
    """Back ``path`` up to ``copy`` (read-only on the original); return its schema version."""
    src = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        version = migrations.schema_version(src)
        latest = migrations.latest_version()
        if version > latest:
            raise UserError(
                f"{path} has schema version {version}, newer than this partybuild understands "
                f"({latest}); upgrade partybuild-tui to merge it"
            )
        tables = {r[0] for r in src.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if version == 0 or "articles" not in tables:
            raise UserError(f"{path} is not a partybuild database (no partybuild schema)")
        dst = sqlite3.connect(copy)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()
    return version


def action_uid(action_id: int, annotator: str, kind: str, created_at: str, payload: str) -> str:
    """A uid for an action recorded without one: derived from the row, so every merge of the
    same file derives the same one (the action is then matched, not copied twice)."""
    raw = "\x1f".join((str(action_id), annotator, kind, created_at, payload))
    return hashlib.sha1(raw.encode()).hexdigest()[:32]


def _fill_action_uids(conn: sqlite3.Connection) -> None:
    conn.create_function("pb_action_uid", 5, action_uid, deterministic=True)
    conn.execute(
        "UPDATE actions SET uid = pb_action_uid(id, annotator, kind, created_at, payload) "
        "WHERE uid IS NULL"
    )


def merge_files(
    conn: sqlite3.Connection, paths: list[Path], *, dry_run: bool = False
) -> list[MergeReport]:
    """Merge every file into ``conn``'s database, one transaction each, after checking and
    copying them all (a refused file stops the merge before anything is written)."""
    with tempfile.TemporaryDirectory(prefix="partybuild-merge-") as folder:
        prepared = [
            (path, *prepare(path, Path(folder) / f"other-{i}.db")) for i, path in enumerate(paths)
        ]
        reports = []
        for path, copy, version in prepared:
            report = MergeReport(str(path))
            if version < migrations.latest_version():
                report.upgraded_from = version
            merge(conn, copy, report, dry_run=dry_run)
            reports.append(report)
    return reports


# ---- the merge --------------------------------------------------------------------------------


def merge(conn: sqlite3.Connection, copy: Path, report: MergeReport, *, dry_run: bool) -> None:
    """Merge the prepared copy into ``conn``'s database in one transaction (rolled back on a
    dry run or any error)."""
    conn.create_function("pb_fold", 1, plain_fold, deterministic=True)
    conn.execute("ATTACH DATABASE ? AS o", (str(copy),))
    try:
        conn.execute("BEGIN IMMEDIATE")
        try:
            _fill_action_uids(conn)
            _articles(conn, report)
            _spans(conn, report)
            _statuses(conn, report)
            _suggestions(conn, report)
            _actions(conn, report)
            _assignments_and_resume(conn, report)
            conn.execute("ROLLBACK" if dry_run else "COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
    finally:
        for table in _TEMP_TABLES:
            conn.execute(f"DROP TABLE IF EXISTS temp.{table}")
        conn.execute("DETACH DATABASE o")


_TEMP_TABLES = ("m_art", "m_in", "m_gone", "m_changed", "m_act", "m_sid", "m_sug")


def _changes(conn: sqlite3.Connection, sql: str, params: tuple[Any, ...] = ()) -> int:
    """Rows the statement itself changed (``rowcount``: not what the spans' triggers do to
    ``span_forms``, which ``total_changes`` would count too)."""
    return max(conn.execute(sql, params).rowcount, 0)


# ---- articles ---------------------------------------------------------------------------------

_ARTICLE_COLUMNS = (
    "key, path, title, date, source, author, url, text, raw_text, content_hash, body_start, "
    "body_end, status, version, created_at, updated_at"
)


def _articles(conn: sqlite3.Connection, report: MergeReport) -> None:
    """Match by content hash, insert the others (with their cached tokenization), link the
    version chains and keep one current version per re-imported file."""
    conn.execute(
        "CREATE TEMP TABLE m_art (other_id INTEGER PRIMARY KEY, our_id INTEGER, "
        "added INTEGER NOT NULL)"
    )
    conn.execute(
        "INSERT INTO m_art SELECT x.id, a.id, a.id IS NULL FROM o.articles x "
        "LEFT JOIN main.articles a ON a.content_hash = x.content_hash"
    )
    conn.execute(
        f"INSERT INTO main.articles ({_ARTICLE_COLUMNS}) SELECT {_ARTICLE_COLUMNS} "
        "FROM o.articles WHERE id IN (SELECT other_id FROM m_art WHERE added) ORDER BY id"
    )
    conn.execute(
        "UPDATE m_art SET our_id = (SELECT a.id FROM main.articles a JOIN o.articles x "
        "ON x.content_hash = a.content_hash WHERE x.id = m_art.other_id) WHERE added"
    )
    conn.execute("CREATE INDEX temp.m_art_ours ON m_art(our_id)")
    conn.execute(
        "INSERT INTO main.articles_plain (rowid, title, text) SELECT a.id, pb_fold(a.title), "
        "pb_fold(a.text) FROM main.articles a JOIN m_art m ON m.our_id = a.id WHERE m.added"
    )
    conn.execute(
        "INSERT OR IGNORE INTO main.tokenizations SELECT m.our_id, t.content_hash, t.tokenizer, "
        "t.words, t.sentences, t.created_at FROM o.tokenizations t "
        "JOIN m_art m ON m.other_id = t.article_id WHERE m.added"
    )
    added, total = conn.execute("SELECT sum(added), count(*) FROM m_art").fetchone()
    report.articles_added, report.articles_matched = int(added or 0), total - int(added or 0)
    report.versions_linked = _changes(
        conn,
        "UPDATE main.articles SET superseded_by = (SELECT n.our_id FROM m_art m JOIN o.articles x "
        "ON x.id = m.other_id JOIN m_art n ON n.other_id = x.superseded_by "
        "WHERE m.our_id = articles.id) WHERE superseded_by IS NULL AND id IN (SELECT m.our_id "
        "FROM m_art m JOIN o.articles x ON x.id = m.other_id WHERE x.superseded_by IS NOT NULL)",
    )
    report.versions_linked += _one_current_version(conn)


def _one_current_version(conn: sqlite3.Connection) -> int:
    """Where both sides re-imported a file differently (two current versions of one key that
    supersede something), the later import stays current and supersedes the other."""
    forks = conn.execute(
        "SELECT a.key FROM main.articles a WHERE a.superseded_by IS NULL AND a.key IN "
        "(SELECT x.key FROM o.articles x) GROUP BY a.key HAVING count(*) > 1 AND a.key IN "
        "(SELECT key FROM main.articles WHERE superseded_by IS NOT NULL)"
    ).fetchall()
    linked = 0
    for (key,) in forks:
        heads = conn.execute(
            "SELECT id FROM main.articles WHERE key = ? AND superseded_by IS NULL "
            "ORDER BY created_at DESC, content_hash DESC",
            (key,),
        ).fetchall()
        winner = heads[0][0]
        for (loser,) in heads[1:]:
            conn.execute("UPDATE main.articles SET superseded_by = ? WHERE id = ?", (winner, loser))
            linked += 1
    return linked


# ---- spans ------------------------------------------------------------------------------------

# Uids a side deleted, and when: removed by a done action, or added by one since undone (or
# undone and then discarded by a newer edit). Conflict records are not deletions.
_DELETIONS = (
    "SELECT json_extract(e.value, '$.uid'), max(a.changed_at) FROM {db}.actions a, "
    "json_each(a.payload, CASE a.state WHEN 'done' THEN '$.removed' ELSE '$.added' END) e "
    "WHERE a.kind != '" + CONFLICT_KIND + "' "
    "AND a.article_id IN (SELECT {side} FROM m_art WHERE NOT added) GROUP BY 1"
)


def _spans(conn: sqlite3.Connection, report: MergeReport) -> None:
    """Union the layers by uid, minus what either side deleted after the other's last edit,
    newest version of an edited span, then each layer made flat again."""
    conn.execute(
        'CREATE TEMP TABLE m_in AS SELECT s.uid, m.our_id AS article_id, s.start, s."end", '
        "s.label, s.text, s.origin, s.annotator, s.created_at, s.updated_at "
        "FROM o.spans s JOIN m_art m ON m.other_id = s.article_id"
    )
    conn.execute("CREATE UNIQUE INDEX temp.m_in_uid ON m_in(uid)")
    conn.execute("CREATE TEMP TABLE m_gone (side TEXT, uid TEXT, at TEXT, PRIMARY KEY (side, uid))")
    conn.execute(
        f"INSERT INTO m_gone SELECT 'ours', * FROM ({_DELETIONS.format(db='main', side='our_id')})"
    )
    conn.execute(
        f"INSERT INTO m_gone SELECT 'theirs', * FROM ({_DELETIONS.format(db='o', side='other_id')})"
    )
    conn.execute("CREATE TEMP TABLE m_changed (uid TEXT PRIMARY KEY, how TEXT)")
    report.spans_theirs = conn.execute("SELECT count(*) FROM m_in").fetchone()[0]
    report.spans_same = conn.execute(
        "SELECT count(*) FROM m_in i JOIN main.spans s ON s.uid = i.uid AND s.article_id = "
        'i.article_id AND s.start = i.start AND s."end" = i."end" AND s.label = i.label'
    ).fetchone()[0]
    _edited_in_both(conn, report)
    report.spans_removed = _changes(
        conn,
        "DELETE FROM main.spans WHERE article_id IN (SELECT our_id FROM m_art WHERE NOT added) "
        "AND uid NOT IN (SELECT uid FROM m_in) AND EXISTS (SELECT 1 FROM m_gone g WHERE "
        "g.side = 'theirs' AND g.uid = spans.uid AND g.at > spans.updated_at)",
    )
    _new_spans(conn, report)
    _flatten(conn, report)


def _edited_in_both(conn: sqlite3.Connection, report: MergeReport) -> None:
    """One uid, two versions: the newest stays; the other is a recorded conflict."""
    rows = conn.execute(
        'SELECT s.id, s.uid, s.annotator, i.article_id, i.start, i."end", i.label, i.text, '
        'i.origin, i.updated_at, s.article_id, s.start, s."end", s.label, s.text, s.origin, '
        "s.updated_at FROM m_in i JOIN main.spans s ON s.uid = i.uid WHERE NOT (s.article_id "
        '= i.article_id AND s.start = i.start AND s."end" = i."end" AND s.label = i.label)'
    ).fetchall()
    for row in rows:
        head, theirs, ours = row[:3], row[3:10], row[10:17]
        versions = [(_span(head, side[:6]), side[6]) for side in (theirs, ours)]
        if _newer(versions[0], versions[1]):
            conn.execute(
                'UPDATE main.spans SET article_id = ?, start = ?, "end" = ?, label = ?, text = ?, '
                "origin = ?, updated_at = ? WHERE id = ?",
                (*theirs, head[0]),
            )
            conn.execute("INSERT OR IGNORE INTO m_changed VALUES (?, 'updated')", (head[1],))
            report.spans_updated += 1
        else:
            versions.reverse()
        _record_conflict(conn, report, "edited in both", versions[0], versions[1])


def _span(head: tuple[Any, ...], place: tuple[Any, ...]) -> dict[str, Any]:
    """A payload span from (id, uid, annotator) and (article, start, end, label, text, origin)."""
    span_id, uid, annotator = head
    return dict(zip(_SPAN_KEYS, (span_id, uid, *place, annotator), strict=True))


def _newer(a: tuple[dict[str, Any], str], b: tuple[dict[str, Any], str]) -> bool:
    """Whether version ``a`` beats ``b``: later ``updated_at``, ties broken by content."""

    def rank(v: tuple[dict[str, Any], str]) -> tuple[Any, ...]:
        return (v[1], v[0]["uid"], v[0]["label"], v[0]["start"], v[0]["end"])

    return rank(a) > rank(b)


def _new_spans(conn: sqlite3.Connection, report: MergeReport) -> None:
    """Their spans we lack, unless our history deleted them after their last change."""
    gone = (
        "EXISTS (SELECT 1 FROM m_gone g WHERE g.side = 'ours' AND g.uid = i.uid "
        "AND g.at > i.updated_at)"
    )
    missing = "i.uid NOT IN (SELECT uid FROM main.spans)"
    report.spans_not_resurrected = conn.execute(
        f"SELECT count(*) FROM m_in i WHERE {missing} AND {gone}"
    ).fetchone()[0]
    conn.execute(
        f"INSERT INTO m_changed SELECT uid, 'added' FROM m_in i WHERE {missing} AND NOT {gone}"
    )
    report.spans_added = _changes(
        conn,
        'INSERT INTO main.spans (uid, article_id, start, "end", label, text, origin, annotator, '
        'created_at, updated_at) SELECT uid, article_id, start, "end", label, text, origin, '
        "annotator, created_at, updated_at FROM m_in WHERE uid IN (SELECT uid FROM m_changed "
        "WHERE how = 'added') ORDER BY article_id, start",
    )


def _flatten(conn: sqlite3.Connection, report: MergeReport) -> None:
    """Spans stay flat per layer: where merged spans overlap, the newest wins, in one greedy
    pass over the layer's spans newest first (a function of the union: the same both ways)."""
    groups = conn.execute(
        "SELECT DISTINCT s.article_id, s.annotator FROM main.spans s JOIN main.spans t "
        'ON t.article_id = s.article_id AND t.annotator = s.annotator AND t.start < s."end" '
        'AND s.start < t."end" AND t.uid != s.uid WHERE s.uid IN (SELECT uid FROM m_changed)'
    ).fetchall()
    for article_id, annotator in groups:
        rows = conn.execute(
            'SELECT id, uid, annotator, article_id, start, "end", label, text, origin, '
            "updated_at FROM main.spans WHERE article_id = ? AND annotator = ?",
            (article_id, annotator),
        ).fetchall()
        versions = [(_span(r[:3], r[3:9]), r[9]) for r in rows]
        versions.sort(key=lambda v: (v[1], v[0]["uid"], v[0]["label"]), reverse=True)
        kept: list[tuple[dict[str, Any], str]] = []
        for version in versions:
            winner = next((k for k in kept if _overlap(k[0], version[0])), None)
            if winner is None:
                kept.append(version)
                continue
            conn.execute("DELETE FROM main.spans WHERE id = ?", (version[0]["id"],))
            how = conn.execute("SELECT how FROM m_changed WHERE uid = ?", (version[0]["uid"],))
            if (how.fetchone() or [""])[0] == "added":
                report.spans_added -= 1
            _record_conflict(conn, report, "overlap", winner, version)


def _overlap(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return bool(a["start"] < b["end"] and b["start"] < a["end"])


def _record_conflict(
    conn: sqlite3.Connection,
    report: MergeReport,
    reason: str,
    kept: tuple[dict[str, Any], str],
    dropped: tuple[dict[str, Any], str],
) -> None:
    """A discarded (never undone) action holding the dropped version, once per conflict: its
    uid is derived from the two versions, so a second merge finds it already recorded."""
    (win, win_at), (lose, lose_at) = kept, dropped
    identity = [
        (s["uid"], s["start"], s["end"], s["label"], at)
        for s, at in ((win, win_at), (lose, lose_at))
    ]
    uid = hashlib.sha1(json.dumps([CONFLICT_KIND, *identity]).encode()).hexdigest()[:32]
    key = conn.execute("SELECT key FROM main.articles WHERE id = ?", (win["article_id"],))
    conflict = Conflict(reason, key.fetchone()[0], win["annotator"], win, lose)
    if conn.execute("SELECT 1 FROM main.actions WHERE uid = ?", (uid,)).fetchone():
        report.conflicts_known += 1
        return
    payload = {
        "added": [],
        "removed": [lose],
        "status": None,
        "suggestions": [],
        "kept": win,
        "reason": reason,
        "merged_from": report.source,
    }
    conn.execute(
        "INSERT INTO main.actions (article_id, annotator, kind, payload, state, created_at, "
        "changed_at, uid) VALUES (?, ?, ?, ?, 'discarded', strftime('%Y-%m-%dT%H:%M:%f+00:00'),"
        " strftime('%Y-%m-%dT%H:%M:%f+00:00'), ?)",
        (
            win["article_id"],
            win["annotator"],
            CONFLICT_KIND,
            json.dumps(payload, ensure_ascii=False),
            uid,
        ),
    )
    report.conflicts.append(conflict)


# ---- statuses, suggestions, actions, assignments, resume points -------------------------------


def _statuses(conn: sqlite3.Connection, report: MergeReport) -> None:
    """Per annotator, the newest status wins; the shared column follows the newest of all."""
    report.statuses = _changes(
        conn,
        "INSERT INTO main.article_status (article_id, annotator, status, updated_at) "
        "SELECT m.our_id, s.annotator, s.status, s.updated_at FROM o.article_status s "
        "JOIN m_art m ON m.other_id = s.article_id WHERE true "
        "ON CONFLICT (article_id, annotator) DO UPDATE SET status = excluded.status, "
        "updated_at = excluded.updated_at WHERE (excluded.updated_at, excluded.status) > "
        "(article_status.updated_at, article_status.status)",
    )
    conn.execute(
        "UPDATE main.articles SET status = n.status, updated_at = max(articles.updated_at, "
        "n.updated_at) FROM (SELECT article_id, status, updated_at, row_number() OVER (PARTITION "
        "BY article_id ORDER BY updated_at DESC, status DESC) AS k FROM main.article_status "
        "WHERE article_id IN (SELECT m.our_id FROM m_art m WHERE m.other_id IN "
        "(SELECT article_id FROM o.article_status))) AS n "
        "WHERE n.k = 1 AND n.article_id = articles.id AND articles.status IS NOT n.status"
    )


def _suggestions(conn: sqlite3.Connection, report: MergeReport) -> None:
    """Decisions are work, proposals are not: their suggestions some layer decided come in
    (matched by article, source, range and label; one we hold keeps our row), then their
    decisions, per (suggestion, layer) the newest winning; pending ones stay behind."""
    cols = 'source, start, "end", label'
    conn.execute(
        f"INSERT INTO main.suggestions (article_id, {cols}, source_version, text, score, "
        'withdrawn_at, created_at) SELECT m.our_id, s.source, s.start, s."end", s.label, '
        "s.source_version, s.text, s.score, s.withdrawn_at, s.created_at FROM o.suggestions s "
        "JOIN m_art m ON m.other_id = s.article_id WHERE EXISTS (SELECT 1 FROM "
        "o.suggestion_decisions d WHERE d.suggestion_id = s.id) ORDER BY s.id "
        f"ON CONFLICT (article_id, {cols}) DO NOTHING"
    )
    conn.execute("CREATE TEMP TABLE m_sug (other_id INTEGER PRIMARY KEY, our_id INTEGER)")
    conn.execute(
        "INSERT INTO m_sug SELECT s.id, t.id FROM o.suggestions s JOIN m_art m ON m.other_id = "
        "s.article_id JOIN main.suggestions t ON t.article_id = m.our_id AND t.source = s.source "
        'AND t.start = s.start AND t."end" = s."end" AND t.label = s.label'
    )
    report.suggestions = _changes(
        conn,
        "INSERT INTO main.suggestion_decisions (suggestion_id, annotator, status, decided_at) "
        "SELECT g.our_id, d.annotator, d.status, d.decided_at FROM o.suggestion_decisions d "
        "JOIN m_sug g ON g.other_id = d.suggestion_id WHERE true "
        "ON CONFLICT (suggestion_id, annotator) DO UPDATE SET status = excluded.status, "
        "decided_at = excluded.decided_at WHERE (excluded.decided_at, excluded.status) > "
        "(suggestion_decisions.decided_at, suggestion_decisions.status)",
    )


_REMAP_SPANS = (
    "CASE WHEN json_array_length(a.payload, '$.{side}') = 0 THEN json('[]') ELSE "
    "json((SELECT json_group_array(json_set(e.value, '$.id', i.id, '$.article_id', a.our_id)) "
    "FROM json_each(a.payload, '$.{side}') e JOIN m_sid i ON i.uid = json_extract(e.value, "
    "'$.uid'))) END"
)
_REMAP_DECISIONS = (
    "CASE WHEN coalesce(json_array_length(a.payload, '$.suggestions'), 0) = 0 THEN json('[]') "
    "ELSE json((SELECT json_group_array(json_array(g.our_id, json_extract(e.value, '$[1]'), "
    "json_extract(e.value, '$[2]'))) FROM json_each(a.payload, '$.suggestions') e "
    "JOIN m_sug g ON g.other_id = json_extract(e.value, '$[0]'))) END"
)


def _actions(conn: sqlite3.Connection, report: MergeReport) -> None:
    """Their actions we lack, by uid, with the article, span and suggestion ids of this
    database inside the payload (undo restores spans under those ids)."""
    conn.execute(
        "CREATE TEMP TABLE m_act AS SELECT a.*, m.our_id FROM o.actions a JOIN m_art m "
        "ON m.other_id = a.article_id WHERE a.uid NOT IN (SELECT uid FROM main.actions "
        "WHERE uid IS NOT NULL)"
    )
    conn.create_function("pb_same_change", 2, same_change, deterministic=True)
    conn.execute(
        "DELETE FROM m_act WHERE EXISTS (SELECT 1 FROM main.actions x WHERE x.created_at = "
        "m_act.created_at AND x.annotator = m_act.annotator AND x.article_id = m_act.our_id "
        "AND x.kind = m_act.kind AND pb_same_change(x.payload, m_act.payload))"
    )
    conn.execute("CREATE TEMP TABLE m_sid (uid TEXT PRIMARY KEY, id INTEGER)")
    conn.execute(
        "INSERT OR IGNORE INTO m_sid SELECT json_extract(e.value, '$.uid'), NULL FROM m_act a, "
        "json_each(a.payload, '$.added') e UNION SELECT json_extract(e.value, '$.uid'), NULL "
        "FROM m_act a, json_each(a.payload, '$.removed') e"
    )
    conn.execute("UPDATE m_sid SET id = (SELECT s.id FROM main.spans s WHERE s.uid = m_sid.uid)")
    _fresh_span_ids(conn)
    report.actions_added = _changes(
        conn,
        "INSERT INTO main.actions (article_id, annotator, kind, payload, state, created_at, "
        "changed_at, uid, session, undone_seq) SELECT a.our_id, a.annotator, a.kind, "
        f"json_set(a.payload, '$.added', {_REMAP_SPANS.format(side='added')}, '$.removed', "
        f"{_REMAP_SPANS.format(side='removed')}, '$.suggestions', {_REMAP_DECISIONS}), a.state, "
        "a.created_at, a.changed_at, a.uid, a.session, a.undone_seq FROM m_act a "
        "ORDER BY a.created_at, a.id",
    )


def same_change(ours: str, theirs: str) -> bool:
    """Whether two payloads record one change (same span uids, same status): an action whose
    uid differs, as the random ones m012 gave the actions of each copy of an older file."""

    def change(payload: str) -> tuple[Any, ...]:
        data = json.loads(payload)
        added, removed = (sorted(s["uid"] for s in data.get(k) or []) for k in ("added", "removed"))
        return added, removed, data.get("status")

    return change(ours) == change(theirs)


def _fresh_span_ids(conn: sqlite3.Connection) -> None:
    """Ids for spans only the history knows, above every id issued here (ids never reused)."""
    top = conn.execute(
        "SELECT max(coalesce((SELECT seq FROM main.sqlite_sequence WHERE name = 'spans'), 0), "
        "coalesce((SELECT max(id) FROM main.spans), 0))"
    ).fetchone()[0]
    conn.execute(
        "UPDATE m_sid SET id = ? + r.k FROM (SELECT uid, row_number() OVER (ORDER BY uid) AS k "
        "FROM m_sid WHERE id IS NULL) AS r WHERE r.uid = m_sid.uid",
        (top,),
    )
    issued = conn.execute("SELECT max(id) FROM m_sid").fetchone()[0]
    if issued is not None and issued > top:
        conn.execute("UPDATE main.sqlite_sequence SET seq = ? WHERE name = 'spans'", (issued,))
        if not conn.execute("SELECT 1 FROM main.sqlite_sequence WHERE name = 'spans'").fetchone():
            conn.execute(
                "INSERT INTO main.sqlite_sequence (name, seq) VALUES ('spans', ?)", (issued,)
            )


def _assignments_and_resume(conn: sqlite3.Connection, report: MergeReport) -> None:
    """Assignments are a union; per annotator the newest resume point wins."""
    report.assignments = _changes(
        conn,
        "INSERT OR IGNORE INTO main.assignments SELECT m.our_id, s.annotator, s.assigned_at "
        "FROM o.assignments s JOIN m_art m ON m.other_id = s.article_id",
    )
    report.resume_points = _changes(
        conn,
        'INSERT INTO main.resume_points (annotator, article_id, "offset", updated_at) '
        'SELECT r.annotator, m.our_id, r."offset", r.updated_at FROM o.resume_points r '
        "JOIN m_art m ON m.other_id = r.article_id WHERE true ON CONFLICT (annotator) DO UPDATE "
        'SET article_id = excluded.article_id, "offset" = excluded."offset", updated_at = '
        "excluded.updated_at WHERE excluded.updated_at > resume_points.updated_at",
    )
