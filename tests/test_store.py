"""The store: flat spans, one action per change, persistent undo/redo, search and migrations."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from unittest.mock import ANY

import pytest

from partybuild_tui.core.store import OverlapError, Store, migrations
from partybuild_tui.errors import UserError


def first_article(store: Store) -> tuple[int, str]:
    article = store.article(store.article_ids()[0])
    return article.id, article.text


def find(text: str, needle: str) -> tuple[int, int]:
    start = text.index(needle)
    return start, start + len(needle)


def test_tag_saves_span_text_and_action(seeded: Store) -> None:
    aid, text = first_article(seeded)
    start, end = find(text, "Đảng bộ huyện Đồng Văn")
    action = seeded.tag(aid, start, end, "ORGANIZATION", "tester")
    assert action is not None and action.kind == "tag"
    [span] = seeded.spans(aid)
    assert (span.start, span.end, span.label, span.text) == (
        start,
        end,
        "ORGANIZATION",
        "Đảng bộ huyện Đồng Văn",
    )
    assert [h["kind"] for h in seeded.history(aid)] == ["tag"]
    assert seeded.tag(aid, start, end, "ORGANIZATION", "tester") is None


def test_overlapping_tag_replaces_and_stays_flat(seeded: Store) -> None:
    aid, text = first_article(seeded)
    start, end = find(text, "Đảng bộ huyện Đồng Văn")
    seeded.tag(aid, start, start + len("Đảng bộ"), "ORGANIZATION", "tester")
    seeded.tag(aid, end - len("Đồng Văn"), end, "FIGURE", "tester")
    action = seeded.tag(aid, start, end, "ORGANIZATION", "tester")
    assert action is not None and len(action.removed) == 2
    assert [(s.start, s.end) for s in seeded.spans(aid)] == [(start, end)]
    with pytest.raises(OverlapError):
        seeded.tag(aid, start, start + 3, "FIGURE", "tester", replace=False)


def test_annotators_do_not_replace_each_other(seeded: Store) -> None:
    aid, text = first_article(seeded)
    start, end = find(text, "Đảng bộ huyện Đồng Văn")
    seeded.tag(aid, start, end, "ORGANIZATION", "an")
    seeded.tag(aid, start, end, "FIGURE", "binh")
    assert {s.annotator: s.label for s in seeded.spans(aid)} == {
        "an": "ORGANIZATION",
        "binh": "FIGURE",
    }


def test_relabel_delete_undo_redo_survive_restart(db_path: Path, seeded: Store) -> None:
    aid, text = first_article(seeded)
    start, end = find(text, "Chỉ thị số 05")
    seeded.tag(aid, start, end, "ORGANIZATION", "tester")
    span = seeded.spans(aid)[0]
    seeded.relabel(span.id, "RESOLUTION", "tester")
    relabeled = seeded.spans(aid)[0]
    assert relabeled.label == "RESOLUTION"
    seeded.delete_span(relabeled.id, "tester")
    assert seeded.spans(aid) == []
    seeded.close()

    with Store(db_path) as reopened:
        assert reopened.undo(aid, "tester") is not None  # undo delete
        assert [s.label for s in reopened.spans(aid)] == ["RESOLUTION"]
        assert reopened.spans(aid)[0].uid == relabeled.uid
    with Store(db_path) as reopened:
        reopened.undo(aid, "tester")  # undo relabel
        assert [s.label for s in reopened.spans(aid)] == ["ORGANIZATION"]
        reopened.redo(aid, "tester")
        assert [s.label for s in reopened.spans(aid)] == ["RESOLUTION"]
        reopened.redo(aid, "tester")
        assert reopened.spans(aid) == []
        assert reopened.redo(aid, "tester") is None


def test_new_action_discards_redo(seeded: Store) -> None:
    aid, text = first_article(seeded)
    start, end = find(text, "Chỉ thị số 05")
    seeded.tag(aid, start, end, "RESOLUTION", "tester")
    seeded.undo(aid, "tester")
    s2, e2 = find(text, "Đảng bộ huyện Đồng Văn")
    seeded.tag(aid, s2, e2, "ORGANIZATION", "tester")
    assert seeded.redo(aid, "tester") is None
    assert [s.text for s in seeded.spans(aid)] == ["Đảng bộ huyện Đồng Văn"]


def test_status_changes_are_undoable_and_the_first_action_starts_an_article(
    seeded: Store,
) -> None:
    aid, text = first_article(seeded)
    start = text.index("Đảng bộ")
    action = seeded.tag(aid, start, start + len("Đảng bộ"), "ORGANIZATION", "tester")
    assert action is not None and action.status == ("new", "in_progress")
    assert seeded.article(aid).status == "in_progress"
    seeded.undo(aid, "tester")
    assert seeded.article(aid).status == "new"
    seeded.redo(aid, "tester")
    assert seeded.article(aid).status == "in_progress"
    seeded.set_status(aid, "done", "tester")
    assert seeded.status_counts()["done"] == 1
    seeded.undo(aid, "tester")
    assert seeded.article(aid).status == "in_progress"
    with pytest.raises(UserError, match="unknown status"):
        seeded.set_status(aid, "finished", "tester")


def test_span_outside_text_is_refused(seeded: Store) -> None:
    aid, text = first_article(seeded)
    with pytest.raises(UserError, match="outside"):
        seeded.tag(aid, len(text) - 1, len(text) + 5, "FIGURE", "tester")


def test_search_and_filters(seeded: Store) -> None:
    assert seeded.count_articles() == 5
    hits = seeded.list_articles(query="Chỉ thị số 05")  # also "Chỉ thị số 05-CT/TW"
    # every word, anywhere: the articles with them as a phrase first
    assert [row.title[:9] for row in hits] == ["Đồng Văn ", "Vĩnh Phúc", "Xây dựng "]
    assert seeded.count_articles(query="nghi quyet 37") >= 1  # "Nghị quyết số 37"
    assert seeded.count_articles(query="nghi quyet so 37") >= 1
    assert seeded.count_articles(query="thị số 05-CT") == 1
    assert seeded.count_articles(query="Na Tông") == 1
    assert seeded.count_articles(query='"; DROP TABLE articles; --') == 0
    assert seeded.count_articles(status="done") == 0
    page = seeded.list_articles(limit=2, offset=2)
    assert [row.id for row in page] == seeded.article_ids()[2:4]


def test_old_database_is_upgraded_with_data_intact(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path, isolation_level=None)
    migrations.migrate(conn, upto=1)
    conn.execute(
        "INSERT INTO articles (key, title, text, raw_text, content_hash, body_start, body_end, "
        "created_at, updated_at) VALUES ('k', 'Tiêu đề', 'Chi bộ thôn Úc họp.', "
        "'Chi bộ thôn Úc họp.', 'h', 0, 19, 'now', 'now')"
    )
    conn.close()
    with Store(path) as store:
        assert store.schema_version() == migrations.latest_version()
        assert store.count_articles(query="thôn Úc") == 1  # FTS built from old rows
        action = store.tag(1, 0, 14, "ORGANIZATION", "tester")
        assert action is not None and action.added[0].text == "Chi bộ thôn Úc"


def test_newer_schema_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    Store(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {migrations.latest_version() + 1}")
    conn.close()
    before = path.read_bytes()
    with pytest.raises(UserError, match="newer"):
        Store(path)
    assert path.read_bytes() == before


def test_the_tagged_forms_table_follows_every_change_of_the_spans(seeded: Store) -> None:
    """``span_forms`` (kept by triggers) against a grouping of the spans, after random tags,
    overlapping replacements, relabels, deletes, undos, redos and a raw relabel in SQL."""
    import random

    from partybuild_tui.core.store import NewSpan

    def grouped() -> list[tuple[str, str, int, str]]:
        rows = seeded.conn.execute(
            "SELECT text, label, count(*), max(created_at) FROM spans GROUP BY text, label "
            "ORDER BY label, text"
        )
        return [tuple(row) for row in rows]

    rng = random.Random(16)
    ids = seeded.article_ids()[:2]
    labels = ("ORGANIZATION", "FIGURE", "RESOLUTION")
    for step in range(200):
        article_id = rng.choice(ids)
        annotator = rng.choice(("lan", "minh"))
        spans = seeded.spans(article_id, annotator)
        kind = rng.random()
        if kind < 0.45:
            start = rng.randrange(0, 400)
            seeded.tag(
                article_id, start, start + rng.randrange(2, 12), rng.choice(labels), annotator
            )
        elif kind < 0.6 and spans:
            seeded.apply(article_id, annotator, "delete", remove=[rng.choice(spans)])
        elif kind < 0.7 and spans:
            old = rng.choice(spans)
            seeded.apply(
                article_id,
                annotator,
                "relabel",
                remove=[old],
                add=[NewSpan(old.start, old.end, rng.choice(labels))],
            )
        elif kind < 0.85:
            seeded.undo(article_id, annotator)
        elif kind < 0.95:
            seeded.redo(article_id, annotator)
        elif spans:
            with seeded.write():
                seeded.conn.execute(
                    "UPDATE spans SET label = ? WHERE id = ?", (rng.choice(labels), spans[0].id)
                )
        assert seeded.tagged_forms() == grouped(), f"step {step}"
    assert len(grouped()) > 10


def test_the_forms_table_is_filled_from_the_spans_of_an_older_database(
    db_path: Path, seeded: Store
) -> None:
    first = seeded.article_ids()[0]
    seeded.tag(first, 0, 8, "ORGANIZATION", "lan")
    seeded.tag(first, 20, 30, "FIGURE", "minh")
    expected = seeded.tagged_forms()
    with seeded.write():  # back to version 15: no table, no triggers, no clocks
        for trigger in ("span_forms_added", "span_forms_removed", "span_forms_changed"):
            seeded.conn.execute(f"DROP TRIGGER {trigger}")
        seeded.conn.execute("DROP TABLE span_forms")
        seeded.conn.execute("DROP TABLE span_forms_clock")
        triggers = "SELECT name FROM sqlite_master WHERE name LIKE 'list_clock_%'"
        for (trigger,) in seeded.conn.execute(triggers).fetchall():  # m018's
            seeded.conn.execute(f"DROP TRIGGER {trigger}")
        seeded.conn.execute("DROP TABLE list_clock")
        seeded.conn.execute("DELETE FROM _migrations WHERE name GLOB 'm01[678]*'")
        seeded.conn.execute("PRAGMA user_version = 15")
    seeded.close()
    with Store(db_path) as store:
        assert store.schema_version() == migrations.latest_version()
        assert store.tagged_forms() == expected and len(expected) == 2
        uid, ticks, _ = store.tagged_forms_since("", 0)
        store.tag(first, 40, 48, "FIGURE", "lan")  # the clock ticks from the upgrade on
        assert store.tagged_forms_since(uid, ticks)[2] == [
            (store.span(store.spans(first, "lan")[-1].id).text, "FIGURE", 1, ANY)
        ]


def test_the_list_clock_moves_with_what_a_list_shows_and_not_with_tags(seeded: Store) -> None:
    """A window re-reads its list and recounts only when the clock moved: statuses (any
    layer), assignments, new and replaced articles move it; tags and their undo not."""
    first, second = seeded.article_ids()[:2]
    clock = seeded.list_clock()

    def moved() -> bool:
        nonlocal clock
        before, clock = clock, seeded.list_clock()
        return clock != before

    seeded.tag(first, 0, 8, "ORGANIZATION", "lan")
    assert moved()  # the first action in an article makes it in progress
    seeded.tag(first, 20, 30, "FIGURE", "lan")
    seeded.undo(first, "lan")
    seeded.redo(first, "lan")
    assert not moved()
    seeded.set_status(first, "done", "lan")
    assert moved()
    seeded.set_status(first, "in_progress", "minh")
    assert moved()
    seeded.assign([(second, "minh")])
    assert moved()
    from partybuild_tui.core import ingest

    doc = ingest.Document(key="k:new", path="x", raw_text="Chi bộ thôn Úc họp.", title="x")
    with seeded.write():
        newer = seeded.insert_article(ingest.article_fields(doc))
        assert moved()
        seeded.supersede(second, newer)
    assert moved()
    assert not moved()


def test_reads_near_a_place_bounded_by_the_longest_row_find_every_overlap(seeded: Store) -> None:
    """``longest`` lets the index read only rows starting near the place; every span and
    suggestion overlapping it is still found, those exactly the longest and ending one
    character into it too (several layers, lengths from one character to a paragraph)."""
    import random

    from partybuild_tui.core.store import NewSpan
    from partybuild_tui.core.suggest.base import Proposal

    article = seeded.article(seeded.article_ids()[0])
    rng = random.Random(7)
    size = len(article.text)
    with seeded.write():
        for layer in ("ann", "other"):
            at = 0
            while at < size - 400:
                end = at + rng.choice([1, 2, 5, 12, 40, 300])
                seeded.apply(article.id, layer, "tag", add=[NewSpan(at, end, "FIGURE")])
                at = end + rng.randrange(0, 30)
        proposals = [
            Proposal(start, start + rng.choice([1, 3, 9, 250]), "FIGURE")
            for start in range(0, size - 300, 7)
        ]
        seeded.save_suggestion_run(article, "rules", "v", proposals)
    layers: list[str | None] = ["ann", "other", None]
    reach = {layer: seeded.longest_span(article.id, layer) for layer in layers}
    longest = seeded.longest_suggestion(article.id)
    assert max(reach.values()) == 300 and longest == 250
    places = [(a, a + rng.choice([0, 1, 4, 60])) for a in rng.sample(range(size), 200)]
    rows = [(s.start, s.end) for s in seeded.spans(article.id)]
    rows += [(s.start, s.end) for s in seeded.suggestions(article.id)]
    places += [(end - 1, end + 3) for start, end in rows if end - start in (250, 300)]
    places += [(end - 1, end) for _, end in rows][::5]
    for place in places:
        for seen_by, bound in reach.items():
            plain = seeded.spans(article.id, seen_by, place)
            assert seeded.spans(article.id, seen_by, place, longest=bound) == plain
        plain_suggestions = seeded.suggestions(article.id, within=place)
        assert seeded.suggestions(article.id, within=place, longest=longest) == plain_suggestions
