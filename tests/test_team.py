"""Team work on one database: layers, undo across windows, ``assign`` and ``list -a``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from partybuild_tui.cli import app
from partybuild_tui.core import ingest
from partybuild_tui.core.store import ChangedElsewhere, Store

runner = CliRunner()
ORG = "Đảng bộ huyện Đồng Văn"


def invoke(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def many(store: Store, n: int) -> list[int]:
    """``n`` small articles."""
    ids = []
    with store.write():
        for i in range(n):
            text = f"Bài số {i} về Đảng bộ huyện."
            ids.append(
                store.insert_article(
                    {
                        "key": f"k{i}",
                        "title": f"t{i}",
                        "text": text,
                        "raw_text": text,
                        "content_hash": f"h{i}",
                        "body_start": 0,
                        "body_end": len(text),
                    }
                )  # fmt: skip
            )
    return ids


def where(store: Store, article_id: int, phrase: str) -> tuple[int, int]:
    start = store.article(article_id).text.index(phrase)
    return start, start + len(phrase)


# ---- layers ---------------------------------------------------------------------------------


def test_one_annotators_work_never_changes_anothers_layer(seeded: Store) -> None:
    a = seeded.list_articles()[0].id
    seeded.tag(a, *where(seeded, a, ORG), "ORGANIZATION", "lan")
    seeded.set_status(a, "done", "lan")
    assert seeded.status(a, "minh") == "new"
    assert seeded.status_counts("minh")["done"] == 0
    assert seeded.status_counts("lan")["done"] == 1
    assert seeded.status_counts()["done"] == 1  # for anyone: the furthest a layer got
    assert seeded.article_ids(status="done", layer="minh") == []
    assert seeded.article_ids(status="done", layer="lan") == [a]
    assert seeded.article_ids(status="new", layer="minh")[0] == a
    [row] = seeded.article_rows([a], "minh")
    assert (row.status, row.span_count) == ("new", 0)
    assert seeded.done_article_ids() == [a]  # training learns from anyone's done articles
    old = seeded.conn.execute("SELECT status FROM articles WHERE id = ?", (a,)).fetchone()[0]
    assert old == "new"  # the shared column is no longer written
    assert seeded.undo(a, "minh") is None  # nothing of minh's to undo


# ---- undo and redo across windows ---------------------------------------------------------


def test_undo_prefers_this_session_and_says_when_it_takes_anothers(seeded: Store) -> None:
    a = seeded.list_articles()[0].id
    with Store(seeded.path) as window:  # the same annotator's second window
        mine = seeded.tag(a, *where(seeded, a, ORG), "ORGANIZATION", "lan")
        theirs = window.tag(a, *where(seeded, a, "Huyện ủy"), "ORGANIZATION", "lan")
        assert mine is not None and theirs is not None
        undone = seeded.undo(a, "lan")  # this window's latest, not the other's newer one
        assert undone is not None and undone.id == mine.id and not undone.elsewhere
        undone = seeded.undo(a, "lan")  # none left here: the other window's, and it says so
        assert undone is not None and undone.id == theirs.id and undone.elsewhere
        sessions = {r[0] for r in seeded.conn.execute("SELECT session FROM actions")}
        assert sessions == {seeded.session, window.session}


def test_undo_refuses_what_another_window_changed_since(seeded: Store) -> None:
    a = seeded.list_articles()[0].id
    with Store(seeded.path) as window:
        action = seeded.tag(a, *where(seeded, a, ORG), "ORGANIZATION", "lan")
        assert action is not None
        [span] = action.added
        window.relabel(span.id, "FIGURE", "lan")  # the other window changed that span
        before = [(s.uid, s.label) for s in seeded.spans(a, "lan")]
        with pytest.raises(ChangedElsewhere, match="can't undo: changed since in another"):
            seeded.undo(a, "lan")
        assert [(s.uid, s.label) for s in seeded.spans(a, "lan")] == before  # nothing changed
        window.undo(a, "lan")  # the other window takes its relabel back: now it applies
        assert seeded.undo(a, "lan") is not None
        assert seeded.spans(a, "lan") == []


def test_redo_follows_the_order_of_undoing_not_the_clock(seeded: Store) -> None:
    a = seeded.list_articles()[0].id
    first = seeded.tag(a, *where(seeded, a, ORG), "ORGANIZATION", "lan")
    second = seeded.tag(a, *where(seeded, a, "Huyện ủy"), "ORGANIZATION", "lan")
    assert first is not None and second is not None
    seeded.undo(a, "lan")
    seeded.undo(a, "lan")  # first undone last
    with seeded.write() as conn:  # a clock that went back (another machine, NTP)
        conn.execute("UPDATE actions SET changed_at = '2000-01-01' WHERE id = ?", (first.id,))
    redone = seeded.redo(a, "lan")
    assert redone is not None and redone.id == first.id


# ---- assign and list ----------------------------------------------------------------------


def test_assign_splits_with_overlap_and_list_shows_a_share(db_path: Path) -> None:
    with Store(db_path) as store:
        ids = many(store, 20)
    code, out = invoke("assign", "--annotators", "lan,minh,hoa", "--overlap", "0.2", "--seed", "7")
    assert code == 0, out
    assert "assigned 20 articles" in out and "annotator" in out and "shared" in out
    with Store(db_path) as store:
        plan = store.assignees(ids)
        summary = store.assignment_summary()
    assert set(plan) == set(ids)
    assert sum(len(who) == 2 for who in plan.values()) == 4  # 20% of 20
    loads = [n for _name, n, _shared in summary]
    assert sum(loads) == 24 and max(loads) - min(loads) <= 1
    assert [name for name, _n, _s in summary] == ["hoa", "lan", "minh"]
    lan = [i for i, who in plan.items() if "lan" in who]
    with Store(db_path) as store:
        store.set_status(lan[0], "done", "lan")
        counts = store.status_counts("lan", assigned="lan")
    assert counts == {"new": len(lan) - 1, "in_progress": 0, "done": 1, "skipped": 0}
    code, out = invoke("list", "--annotator", "lan", "--limit", "0")
    assert code == 0 and f"{len(lan)} of {len(lan)} articles assigned to lan" in out
    # the same seed gives the same split; a re-run without --replace keeps it
    code, out = invoke("assign", "--annotators", "lan,minh,hoa", "--overlap", "0.2", "--seed", "7")
    assert "assigned 0 articles; 20 already assigned, kept" in out
    with Store(db_path) as store:
        assert store.assignees(ids) == plan
    code, out = invoke(
        "assign", "--annotators", "lan,minh", "--seed", "7", "--replace", "-q", "Bài số 1"
    )
    assert code == 0, out
    with Store(db_path) as store:
        replaced = store.assignees([ids[1]])
    assert len(replaced[ids[1]]) == 1 and replaced[ids[1]][0] in ("lan", "minh")


def test_list_annotator_shows_their_status(db_path: Path) -> None:
    with Store(db_path) as store:
        ids = many(store, 3)
        store.set_status(ids[0], "done", "lan")
    code, out = invoke("list", "--annotator", "minh", "--status", "done")
    assert code == 0 and "0 of 0 articles in minh's layer" in out
    code, out = invoke("list", "--annotator", "lan", "--status", "done")
    assert "1 of 1 articles in lan's layer" in out and "done" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--annotators", "lan", "--overlap", "0.2"), "two or more annotators"),
        (("--annotators", "lan,minh", "--overlap", "2"), "--overlap 2: give a share"),
        (("--annotators", "lan,mi nh"), "invalid annotator name 'mi nh'"),
    ],
)
def test_assign_bad_input_is_one_line(db_path: Path, args: tuple[str, ...], message: str) -> None:
    with Store(db_path) as store:
        many(store, 2)
    code, out = invoke("assign", *args)
    assert code != 0 and message in out
    assert len([line for line in out.splitlines() if line.strip()]) == 1, out


def test_reimport_keeps_each_layers_started_status(db_path: Path, tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("Đảng bộ huyện Đồng Văn họp.\n", encoding="utf-8")
    with Store(db_path) as store:
        ingest.import_paths(store, [path])
        [old] = store.article_ids()
        store.set_status(old, "done", "lan")
        path.write_text("Đảng bộ huyện Đồng Văn họp hôm nay.\n", encoding="utf-8")
        ingest.import_paths(store, [path])
        [new] = store.article_ids()
        assert new != old
        assert store.statuses(new) == {"lan": "in_progress"}


def test_export_takes_one_layer_and_refuses_to_guess_between_several(seeded: Store) -> None:
    a = seeded.list_articles()[0].id
    seeded.tag(a, *where(seeded, a, ORG), "ORGANIZATION", "lan")
    seeded.tag(a, *where(seeded, a, "Huyện ủy"), "ORGANIZATION", "minh")
    seeded.set_status(a, "done", "lan")
    path = str(seeded.path)

    def exported(*args: str) -> list[dict[str, object]]:
        code, out = invoke("export", "jsonl", "--db", path, "--out", "-", *args)
        if "no article matches" in out:
            return []
        assert code == 0, out
        return [json.loads(line) for line in out.splitlines() if line.startswith("{")]

    code, out = invoke("export", "jsonl", "--db", path, "--out", "-")
    assert code == 2  # two layers: never both annotators' spans mixed in one article
    assert out.startswith("error: ") and "2 layers (lan, minh)" in out and "--layer" in out
    assert exported("--annotator", "minh") == []  # not done in minh's layer
    [row] = exported("--layer", "lan")
    assert [s["text"] for s in row["spans"]] == [ORG]  # type: ignore[attr-defined, index]
    assert exported("--annotator", "lan") == [row]
    code, out = invoke("export", "jsonl", "--db", path, "--layer", "hoa")
    assert code == 2 and "layer 'hoa'" in out and "lan, minh" in out
    code, out = invoke("export", "jsonl", "--db", path, "--layer", "review")
    assert code == 2 and "no review layer" in out and "partybuild review" in out


def test_stats_progress_per_annotator(seeded: Store) -> None:
    from partybuild_tui.core import stats as st

    first, second = seeded.article_ids()[:2]
    seeded.set_status(first, "done", "lan")
    seeded.set_status(second, "done", "lan")
    seeded.set_status(first, "done", "minh")
    progress = st.compute(seeded, sections=["progress"]).progress
    assert progress is not None
    assert {a.annotator: a.done for a in progress.annotators} == {"lan": 2, "minh": 1}
    assert progress.statuses["done"] == 2  # articles done by anyone
    minh = st.compute(seeded, st.StatsFilter(annotator="minh"), sections=["progress"]).progress
    assert minh is not None and minh.statuses["done"] == 1  # minh's own progress


def test_undoing_a_first_tag_keeps_in_progress_while_another_windows_tag_stays(
    seeded: Store,
) -> None:
    a = seeded.list_articles()[0].id
    with Store(seeded.path) as window:
        seeded.tag(a, *where(seeded, a, ORG), "ORGANIZATION", "lan")  # new -> in progress
        window.tag(a, *where(seeded, a, "Huyện ủy"), "ORGANIZATION", "lan")
        window.set_status(a, "done", "lan")
        undone = seeded.undo(a, "lan")  # this window's first tag: not refused by the done
        assert undone is not None and undone.status is None
        assert seeded.status(a, "lan") == "done"  # and the other window's status stays
        assert [s.text for s in seeded.spans(a, "lan")] == ["Huyện ủy"]
