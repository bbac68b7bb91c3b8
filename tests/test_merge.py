"""``partybuild merge``: two annotators' databases brought together, as a team would.

The databases are built like users build them (``partybuild import`` of the seeds, tagging
through the Store API), in different import orders so article and span ids differ, then merged
through the real CLI and read back.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from partybuild_tui.cli import app
from partybuild_tui.core.store import Store, migrations

ROOT = Path(__file__).resolve().parents[1]
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))
runner = CliRunner()


def invoke(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def imported(db: Path, *paths: Path) -> Path:
    for path in paths:
        code, out = invoke("import", str(path), "--no-segment", "--db", str(db))
        assert code == 0, out
    return db


def article(store: Store, seed: Path) -> int:
    """The id of a seed's article in this database (ids differ between the databases)."""
    for article_id in store.content_hashes():
        if store.article(article_id).key.endswith(seed.name):
            return article_id
    raise AssertionError(f"{seed} not imported")


def tag_word(store: Store, seed: Path, word_index: int, label: str, who: str) -> None:
    """Tag the ``word_index``-th whitespace word of the seed's body."""
    found = store.article(article(store, seed))
    start = found.body_start
    for _ in range(word_index):
        start = found.text.index(" ", start) + 1
    end = found.text.index(" ", start)
    store.tag(found.id, start, end, label, who)


def spans_of(db: Path) -> set[tuple[str, str, int, int, str, str]]:
    """Every span as (article hash, uid, start, end, label, layer): ids left out."""
    with Store(db) as store, store.snapshot() as conn:
        rows = conn.execute(
            'SELECT a.content_hash, s.uid, s.start, s."end", s.label, s.annotator '
            "FROM spans s JOIN articles a ON a.id = s.article_id"
        ).fetchall()
    return set(rows)


def dump(db: Path) -> str:
    conn = sqlite3.connect(db)
    try:
        return "\n".join(conn.iterdump())
    finally:
        conn.close()


def flat(db: Path) -> bool:
    with Store(db) as store, store.snapshot() as conn:
        return not conn.execute(
            "SELECT 1 FROM spans s JOIN spans t ON s.article_id = t.article_id AND "
            's.annotator = t.annotator AND s.id < t.id AND s.start < t."end" AND t.start < s."end"'
        ).fetchone()


@pytest.fixture
def pair(tmp_path: Path) -> tuple[Path, Path]:
    """A (lan) and B (minh) share three seeds, imported in another order, plus one each."""
    a = imported(tmp_path / "a.db", *SEEDS[:4])
    b = imported(tmp_path / "b.db", SEEDS[4], SEEDS[2], SEEDS[1], SEEDS[0])
    with Store(a) as store:
        tag_word(store, SEEDS[0], 3, "ORGANIZATION", "lan")
        tag_word(store, SEEDS[1], 5, "FIGURE", "lan")
        tag_word(store, SEEDS[3], 2, "FIGURE", "lan")
        store.set_status(article(store, SEEDS[0]), "done", "lan")
        store.save_resume_point("lan", article(store, SEEDS[1]), 7)
    with Store(b) as store:
        tag_word(store, SEEDS[0], 3, "FIGURE", "minh")
        tag_word(store, SEEDS[4], 1, "ORGANIZATION", "minh")
        tag_word(store, SEEDS[2], 4, "ORGANIZATION", "minh")
        store.set_status(article(store, SEEDS[0]), "skipped", "minh")
    return a, b


def test_merge_brings_everything_and_twice_changes_nothing(pair: tuple[Path, Path]) -> None:
    a, b = pair
    before_a, before_b = spans_of(a), spans_of(b)
    code, out = invoke("merge", str(b), "--db", str(a))
    assert code == 0, out
    assert "articles added" in out and "spans added" in out
    assert spans_of(a) == before_a | before_b
    with Store(a) as store:
        assert store.count_articles() == 5
        first = article(store, SEEDS[0])
        assert store.status(first, "lan") == "done"
        assert store.status(first, "minh") == "skipped"
        assert store.resume_point("lan") == (article(store, SEEDS[1]), 7)
        minh = [h for h in store.history(first) if h["annotator"] == "minh"]
        assert minh and all(s["article_id"] == first for h in minh for s in h["payload"]["added"])
    once = dump(a)
    code, out = invoke("merge", str(b), "--db", str(a), "--json")
    assert code == 0, out
    report = json.loads(out)[0]
    assert report["spans_added"] == report["actions_added"] == report["statuses"] == 0
    assert dump(a) == once


def test_merged_action_undoes_here(pair: tuple[Path, Path]) -> None:
    """A merged action names this database's ids: undoing minh's tag removes it here."""
    a, b = pair
    invoke("merge", str(b), "--db", str(a))
    with Store(a) as store:
        target = article(store, SEEDS[4])
        assert len(store.spans(target, "minh")) == 1
        assert store.undo(target, "minh") is not None
        assert store.spans(target, "minh") == []
        assert store.redo(target, "minh") is not None
        assert len(store.spans(target, "minh")) == 1


def test_a_into_b_equals_b_into_a(pair: tuple[Path, Path], tmp_path: Path) -> None:
    a, b = pair
    a2, b2 = shutil.copy(a, tmp_path / "a2.db"), shutil.copy(b, tmp_path / "b2.db")
    assert invoke("merge", str(b), "--db", str(a2))[0] == 0
    assert invoke("merge", str(a), "--db", str(b2))[0] == 0
    assert spans_of(Path(a2)) == spans_of(Path(b2))
    assert invoke("merge", str(a2), "--db", str(b2))[0] == 0  # and back: nothing new
    assert spans_of(Path(a2)) == spans_of(Path(b2))


def shared_base(tmp_path: Path) -> tuple[Path, Path]:
    """One database copied to two laptops, lan's span on the first seed in both."""
    base = imported(tmp_path / "base.db", *SEEDS)
    with Store(base) as store:
        tag_word(store, SEEDS[0], 3, "ORGANIZATION", "lan")
    return Path(shutil.copy(base, tmp_path / "a.db")), Path(shutil.copy(base, tmp_path / "b.db"))


def test_same_place_tagged_differently_is_a_conflict(tmp_path: Path) -> None:
    """lan relabels the span on one laptop and retags it on the other: newest kept."""
    a, b = shared_base(tmp_path)
    with Store(a) as store:
        span = store.spans(article(store, SEEDS[0]), "lan")[0]
        store.relabel(span.id, "FIGURE", "lan")
    with Store(b) as store:
        span = store.spans(article(store, SEEDS[0]), "lan")[0]
        store.relabel(span.id, "RESOLUTION", "lan")  # later: wins
    code, out = invoke("merge", str(b), "--db", str(a))
    assert code == 0, out
    assert "overlap" in out and "kept RESOLUTION" in out and "dropped FIGURE" in out
    with Store(a) as store:
        first = article(store, SEEDS[0])
        assert [s.label for s in store.spans(first, "lan")] == ["RESOLUTION"]
        recorded = [h for h in store.history(first) if h["kind"] == "merge conflict"]
        assert len(recorded) == 1 and recorded[0]["state"] == "discarded"
        assert recorded[0]["payload"]["removed"][0]["label"] == "FIGURE"
    once = dump(a)
    code, out = invoke("merge", str(b), "--db", str(a), "--json")
    assert json.loads(out)[0]["conflicts"] == [] and dump(a) == once
    assert invoke("merge", str(a), "--db", str(b))[0] == 0
    assert spans_of(a) == spans_of(b) and flat(a) and flat(b)


def test_same_uid_edited_in_both_keeps_newest(tmp_path: Path) -> None:
    """One uid with other edges in each file (an edit in place, as another tool may make)."""
    a, b = shared_base(tmp_path)
    for db, end_shift, stamp in ((a, -1, "2030-01-01T00:00:00.000+00:00"), (b, -2, "2031-01-01")):
        conn = sqlite3.connect(db)
        conn.execute('UPDATE spans SET "end" = "end" + ?, updated_at = ?', (end_shift, stamp))
        conn.commit()
        conn.close()
    theirs = spans_of(b)
    code, out = invoke("merge", str(b), "--db", str(a), "--json")
    assert code == 0, out
    report = json.loads(out)[0]
    assert len(report["conflicts"]) == 1 and report["conflicts"][0]["reason"] == "edited in both"
    assert report["spans_updated"] == 1
    assert spans_of(a) == theirs
    with Store(a) as store:
        kinds = [h["kind"] for h in store.history(article(store, SEEDS[0]))]
        assert kinds.count("merge conflict") == 1


def test_deleted_span_is_not_resurrected(tmp_path: Path) -> None:
    a, b = shared_base(tmp_path)
    with Store(a) as store:
        span = store.spans(article(store, SEEDS[0]), "lan")[0]
        store.delete_span(span.id, "lan")
    assert invoke("merge", str(b), "--db", str(a))[0] == 0
    assert spans_of(a) == set()
    code, out = invoke("merge", str(a), "--db", str(b), "--json")
    report = json.loads(out)[0]
    assert report["spans_removed"] == 1 and spans_of(b) == set()


def test_dry_run_writes_nothing(pair: tuple[Path, Path]) -> None:
    a, b = pair
    before = dump(a)
    code, out = invoke("merge", str(b), "--db", str(a), "--dry-run")
    assert code == 0 and "dry run" in out
    assert dump(a) == before


def test_old_schema_is_upgraded_in_a_copy(pair: tuple[Path, Path], tmp_path: Path) -> None:
    a, _ = pair
    old = tmp_path / "old.db"
    conn = sqlite3.connect(old, isolation_level=None)
    migrations.migrate(conn, upto=11)
    text = "Ban Tổ chức Trung ương họp."
    conn.execute(
        "INSERT INTO articles (id, key, title, text, raw_text, content_hash, body_start, "
        "body_end, status, created_at, updated_at) VALUES (1, 'old.txt', 't', ?, ?, 'h-old', 0, "
        "?, 'done', '2025-01-01', '2025-01-01')",
        (text, text, len(text)),
    )
    conn.execute(
        'INSERT INTO spans (uid, article_id, start, "end", label, text, origin, annotator, '
        "created_at, updated_at) VALUES ('u-old', 1, 0, 20, 'ORGANIZATION', ?, 'manual', "
        "'hoa', '2025-01-01', '2025-01-01')",
        (text[:20],),
    )
    conn.execute(
        "INSERT INTO actions (article_id, annotator, kind, payload, created_at, changed_at) "
        "VALUES (1, 'hoa', 'tag', ?, '2025-01-01', '2025-01-01')",
        (json.dumps({"added": [], "removed": [], "status": None, "suggestions": []}),),
    )
    conn.close()
    fingerprint = hashlib.sha256(old.read_bytes()).hexdigest()
    code, out = invoke("merge", str(old), "--db", str(a))
    assert code == 0, out
    assert "schema version 11" in out and "unchanged" in out
    assert hashlib.sha256(old.read_bytes()).hexdigest() == fingerprint
    with Store(a) as store:
        hoa = store.article_by_hash("h-old")
        assert hoa is not None and [s.uid for s in store.spans(hoa.id, "hoa")] == ["u-old"]
        assert store.status(hoa.id, "hoa") == "done"
    once = dump(a)
    assert invoke("merge", str(old), "--db", str(a))[0] == 0
    assert dump(a) == once


@pytest.mark.parametrize("kind", ["missing", "newer", "garbage", "other program", "empty"])
def test_bad_other_file_is_refused_in_one_line(
    pair: tuple[Path, Path], tmp_path: Path, kind: str
) -> None:
    a, b = pair
    bad = tmp_path / f"{kind.replace(' ', '_')}.db"
    if kind == "newer":
        shutil.copy(b, bad)
        conn = sqlite3.connect(bad)
        conn.execute(f"PRAGMA user_version = {migrations.latest_version() + 1}")
        conn.close()
    elif kind == "garbage":
        bad.write_bytes(b"\x00junk" * 2000)
    elif kind == "other program":
        conn = sqlite3.connect(bad)
        conn.execute("CREATE TABLE notes (x)")
        conn.close()
    elif kind == "empty":
        bad.write_bytes(b"")
    before = dump(a)
    code, out = invoke("merge", str(b), str(bad), "--db", str(a))
    assert code != 0
    lines = out.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and bad.name in lines[0], out
    assert dump(a) == before  # b, checked fine, was not merged either: all files checked first


_KILLER = """
import os, sys
from partybuild_tui.core.store import merge
calls, kill_at = [0], int(sys.argv[1])
real = merge._changes
def hooked(*args, **kwargs):
    calls[0] += 1
    if calls[0] == kill_at:
        os._exit(137)
    return real(*args, **kwargs)
merge._changes = hooked
from partybuild_tui.cli import app
app(sys.argv[2:])
"""


def test_killed_merge_leaves_the_target_as_before(pair: tuple[Path, Path], tmp_path: Path) -> None:
    """Killed (os._exit, as SIGKILL) at each write step: the target is untouched, and a rerun
    gives what an uninterrupted merge gives."""
    a, b = pair
    reference = Path(shutil.copy(a, tmp_path / "ref.db"))
    assert invoke("merge", str(b), "--db", str(reference))[0] == 0
    before = spans_of(a)
    for kill_at in range(1, 9):
        target = Path(shutil.copy(a, tmp_path / f"kill{kill_at}.db"))
        args = [sys.executable, "-c", _KILLER, str(kill_at), "merge", str(b), "--db", str(target)]
        done = subprocess.run(args, capture_output=True, text=True, check=False)
        assert done.returncode == 137, done.stderr
        conn = sqlite3.connect(target)
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        conn.close()
        assert spans_of(target) == before
        assert invoke("merge", str(b), "--db", str(target))[0] == 0
        assert spans_of(target) == spans_of(reference)


def test_undone_then_discarded_tag_is_not_resurrected(tmp_path: Path) -> None:
    """lan tagged, merged to B, then undid the tag and moved on in A: B's copy stays out."""
    a, b = shared_base(tmp_path)
    with Store(a) as store:
        first = article(store, SEEDS[0])
        tag_word(store, SEEDS[0], 9, "FIGURE", "lan")
    assert invoke("merge", str(a), "--db", str(b))[0] == 0
    with Store(a) as store:
        store.undo(first, "lan")
        tag_word(store, SEEDS[0], 12, "FIGURE", "lan")  # the undone tag is now discarded
    expected = spans_of(a)
    assert invoke("merge", str(b), "--db", str(a))[0] == 0
    assert spans_of(a) == expected
    assert invoke("merge", str(a), "--db", str(b))[0] == 0
    assert spans_of(b) == expected


def reimport(db: Path, seed: Path, extra: str) -> None:
    seed.write_text(seed.read_text(encoding="utf-8") + extra, encoding="utf-8")
    imported(db, seed)


def test_new_version_in_one_supersedes_in_the_other(tmp_path: Path) -> None:
    folder = tmp_path / "seeds"
    shutil.copytree(ROOT / "seeds", folder)
    seed = folder / SEEDS[0].name
    base = imported(tmp_path / "base.db", folder)
    a, b = (Path(shutil.copy(base, tmp_path / name)) for name in ("a.db", "b.db"))
    reimport(b, seed, "\n\nĐoạn thêm.\n")
    with Store(b) as store:
        newest = store.latest_by_key(store.article(article(store, seed)).key)
        assert newest is not None and newest.version == 2
    assert invoke("merge", str(b), "--db", str(a))[0] == 0
    with Store(a) as store:
        assert store.count_articles() == 5 and store.count_articles(include_superseded=True) == 6
        current = store.latest_by_key(newest.key)
        assert current is not None and current.content_hash == newest.content_hash


def test_both_reimported_later_version_stays_current(tmp_path: Path) -> None:
    folder = tmp_path / "seeds"
    shutil.copytree(ROOT / "seeds", folder)
    seed = folder / SEEDS[0].name
    base = imported(tmp_path / "base.db", folder)
    a, b = (Path(shutil.copy(base, tmp_path / name)) for name in ("a.db", "b.db"))
    original = seed.read_text(encoding="utf-8")
    reimport(a, seed, "\n\nBản A.\n")
    seed.write_text(original, encoding="utf-8")
    reimport(b, seed, "\n\nBản B, sau.\n")
    a2 = Path(shutil.copy(a, tmp_path / "a2.db"))
    assert invoke("merge", str(b), "--db", str(a2))[0] == 0
    assert invoke("merge", str(a), "--db", str(b))[0] == 0
    for db in (a2, b):
        with Store(db) as store:
            assert store.count_articles() == 5
            assert store.count_articles(include_superseded=True) == 7
            key = next(
                r for r in store.content_hashes() if store.article(r).text.endswith("sau.\n")
            )
            assert store.article(key).superseded_by is None


def test_suggestion_decisions_merge_and_undo_here(pair: tuple[Path, Path]) -> None:
    from types import SimpleNamespace

    from partybuild_tui.core.store import NewSpan

    a, b = pair
    with Store(b) as store:
        found = store.article(article(store, SEEDS[0]))
        start = found.text.index(" ", found.body_start + 40) + 1
        end = found.text.index(" ", start)
        store.save_suggestion_run(
            found, "rules", "1", [SimpleNamespace(start=start, end=end, label="FIGURE", score=0.9)]
        )
        sid = store.suggestions(found.id)[0].id
        store.apply(
            found.id,
            "minh",
            "accept",
            add=[NewSpan(start, end, "FIGURE", "rules")],
            suggestions=[(sid, "pending", "accepted")],
        )
    assert invoke("merge", str(b), "--db", str(a))[0] == 0
    with Store(a) as store:
        here = article(store, SEEDS[0])
        [suggestion] = store.suggestions(here)
        assert suggestion.status == "accepted"
        store.undo(here, "minh")
        assert store.suggestion(suggestion.id).status == "pending"


def test_merge_into_a_new_database(pair: tuple[Path, Path], tmp_path: Path) -> None:
    a, b = pair
    team = tmp_path / "team.db"
    code, out = invoke("merge", str(a), str(b), "--db", str(team))
    assert code == 0, out
    assert spans_of(team) == spans_of(a) | spans_of(b) and flat(team)


def test_each_layers_decision_merges_once(pair: tuple[Path, Path]) -> None:
    """One suggestion in both files, rejected by lan in A and accepted by minh in B: after the
    merge each layer keeps its own decision, and merging again changes nothing."""
    from types import SimpleNamespace

    a, b = pair
    decided = {a: ("lan", "rejected"), b: ("minh", "accepted")}
    for db, (who, outcome) in decided.items():
        with Store(db) as store:
            found = store.article(article(store, SEEDS[1]))
            start = found.text.index(" ", found.body_start + 60) + 1
            end = found.text.index(" ", start)
            proposal = SimpleNamespace(start=start, end=end, label="FIGURE", score=0.9)
            store.save_suggestion_run(found, "rules", "1", [proposal])
            [item] = store.suggestions(found.id)
            store.apply(found.id, who, "reject", suggestions=[(item.id, "pending", outcome)])
    assert invoke("merge", str(b), "--db", str(a))[0] == 0
    with Store(a) as store:
        here = article(store, SEEDS[1])
        [item] = store.suggestions(here)
        assert store.suggestion(item.id, "lan").status == "rejected"
        assert store.suggestion(item.id, "minh").status == "accepted"
        assert store.suggestion(item.id, "other").status == "pending"
        before = dump(a)
        [report] = store.merge_from([b])
        assert report.suggestions == 0
        assert dump(a) == before
        store.undo(here, "minh")  # the merged action undoes minh's decision only
        assert store.suggestion(item.id, "minh").status == "pending"
        assert store.suggestion(item.id, "lan").status == "rejected"
