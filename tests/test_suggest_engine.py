"""Computing, caching and deciding suggestions on the seeds, with undo through the store."""

from __future__ import annotations

import re
import threading
from pathlib import Path

import pytest

from partybuild_tui.core import suggest, tokenize
from partybuild_tui.core.store import Store
from partybuild_tui.core.suggest import engine
from partybuild_tui.core.suggest.patterns import PATTERNS_ENV

ANNOTATOR = "tester"


@pytest.fixture(autouse=True)
def no_user_patterns(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(PATTERNS_ENV, raising=False)


def first_article(store: Store) -> int:
    """Seed 000 ('Đồng Văn xây dựng Đảng vững mạnh từ cơ sở')."""
    return store.article_ids()[0]


def shown(store: Store, article_id: int) -> list[tuple[str, str]]:
    return [(s.text, s.label) for s in suggest.pending(store, article_id)]


def find(store: Store, article_id: int, text: str, label: str) -> suggest.Suggestion:
    return next(s for s in suggest.pending(store, article_id) if (s.text, s.label) == (text, label))


def test_compute_stores_flat_syllable_aligned_proposals(seeded: Store) -> None:
    article_id = first_article(seeded)
    result = suggest.compute(seeded, article_id)
    assert ("Nghị quyết TW 4 (khóa XII)", "RESOLUTION") in shown(seeded, article_id)
    assert ("Nguyễn Văn Hãnh", "FIGURE") in shown(seeded, article_id)
    assert ("My Ly", "FIGURE") in shown(seeded, article_id)
    tokens = tokenize.cached_tokenization(seeded, seeded.article(article_id))
    assert tokens is not None
    starts, ends = tokens.boundaries()
    for a, b in zip(result, result[1:], strict=False):
        assert a.end <= b.start  # what is shown never overlaps
    stored = suggest.suggestions(seeded, article_id)
    assert {s.source for s in stored} == {"rules", "ner", "byline"}
    assert all(s.start in starts and s.end in ends for s in stored)


def test_compute_is_incremental(seeded: Store) -> None:
    article_id = first_article(seeded)
    suggest.compute(seeded, article_id)
    runs = seeded.conn.execute("SELECT * FROM suggestion_runs ORDER BY source").fetchall()
    rows = seeded.conn.execute("SELECT id, source FROM suggestions ORDER BY id").fetchall()
    suggest.compute(seeded, article_id)
    assert seeded.conn.execute("SELECT * FROM suggestion_runs ORDER BY source").fetchall() == runs
    assert seeded.conn.execute("SELECT id, source FROM suggestions ORDER BY id").fetchall() == rows
    suggest.compute(seeded, article_id, ["rules"], force=True)
    assert seeded.conn.execute("SELECT id, source FROM suggestions ORDER BY id").fetchall() == rows
    after = seeded.conn.execute("SELECT * FROM suggestion_runs ORDER BY source").fetchall()
    assert after != runs  # the forced rules run was recorded again


def test_accept_tags_undoably_and_records_the_source(seeded: Store) -> None:
    article_id = first_article(seeded)
    suggest.compute(seeded, article_id)
    item = find(seeded, article_id, "Chỉ thị số 05", "RESOLUTION")
    action = suggest.accept(seeded, item.id, ANNOTATOR)
    assert action is not None
    [span] = [s for s in seeded.spans(article_id) if s.text == "Chỉ thị số 05"]
    assert (span.label, span.origin) == ("RESOLUTION", "suggestion:rules")
    assert suggest.suggestion(seeded, item.id).status == "accepted"
    assert ("Chỉ thị số 05", "RESOLUTION") not in shown(seeded, article_id)
    assert suggest.accept(seeded, item.id, ANNOTATOR) is None  # already decided

    seeded.undo(article_id, ANNOTATOR)
    assert seeded.spans(article_id) == []
    assert suggest.suggestion(seeded, item.id).status == "pending"
    seeded.redo(article_id, ANNOTATOR)
    assert suggest.suggestion(seeded, item.id).status == "accepted"
    assert [s.text for s in seeded.spans(article_id)] == ["Chỉ thị số 05"]


def test_accepting_marks_the_same_proposal_of_every_source(seeded: Store) -> None:
    article_id = first_article(seeded)
    suggest.compute(seeded, article_id)
    item = find(seeded, article_id, "Đảng bộ xã Tả Phìn", "ORGANIZATION")
    twins = [
        s for s in suggest.suggestions(seeded, article_id) if (s.start, s.end, s.label) == item.key
    ]
    assert {s.source for s in twins} == {"rules", "ner"}
    suggest.accept(seeded, item.id, ANNOTATOR)
    assert {suggest.suggestion(seeded, s.id).status for s in twins} == {"accepted"}


def test_rejected_is_never_proposed_again(seeded: Store) -> None:
    article_id = first_article(seeded)
    suggest.compute(seeded, article_id)
    item = find(seeded, article_id, "Mặt trận Tổ quốc", "ORGANIZATION")
    action = suggest.reject(seeded, item.id, ANNOTATOR)
    assert action is not None and action.added == ()
    row = suggest.suggestion(seeded, item.id)
    assert row.status == "rejected"
    suggest.compute(seeded, article_id, force=True)
    assert ("Mặt trận Tổ quốc", "ORGANIZATION") not in shown(seeded, article_id)
    assert suggest.suggestion(seeded, item.id).status == "rejected"
    # another source proposing the same range and label stays hidden too
    seeded.conn.execute(
        'INSERT INTO suggestions (article_id, source, source_version, start, "end", label, '
        "text, score, created_at) VALUES (?, 'memory', 'x', ?, ?, ?, ?, 1, '')",
        (article_id, item.start, item.end, item.label, item.text),
    )
    assert ("Mặt trận Tổ quốc", "ORGANIZATION") not in shown(seeded, article_id)
    seeded.undo(article_id, ANNOTATOR)
    assert suggest.suggestion(seeded, item.id).status == "pending"


def test_manual_spans_hide_overlapping_suggestions(seeded: Store) -> None:
    article_id = first_article(seeded)
    suggest.compute(seeded, article_id)
    item = find(seeded, article_id, "Nguyễn Văn Hãnh", "FIGURE")
    seeded.tag(article_id, item.start, item.start + len("Nguyễn Văn"), "FIGURE", ANNOTATOR)
    assert ("Nguyễn Văn Hãnh", "FIGURE") not in shown(seeded, article_id)
    assert suggest.accept(seeded, item.id, ANNOTATOR) is None
    # another annotator's layer is separate
    assert ("Nguyễn Văn Hãnh", "FIGURE") in [
        (s.text, s.label) for s in suggest.pending(seeded, article_id, "someone else")
    ]


def test_accept_all_is_one_flat_undoable_action(seeded: Store) -> None:
    article_id = seeded.article_ids()[1]  # seed 001: overlapping rule and NER proposals
    suggest.compute(seeded, article_id)
    everything = suggest.pending(seeded, article_id, flat=False)
    flat = suggest.pending(seeded, article_id)
    assert len(everything) > len(flat)  # there were overlaps to resolve
    action = suggest.accept_all(seeded, article_id, ANNOTATOR)
    assert action is not None and len(action.added) == len(flat)
    spans = seeded.spans(article_id)
    assert all(a.end <= b.start for a, b in zip(spans, spans[1:], strict=False))
    texts = {s.text for s in spans}
    assert "Ban Thường vụ Huyện ủy Lục Yên" in texts and "Anh Dũng" in texts
    assert suggest.pending(seeded, article_id) == []
    assert suggest.accept_all(seeded, article_id, ANNOTATOR) is None

    seeded.undo(article_id, ANNOTATOR)
    assert seeded.spans(article_id) == []
    assert len(suggest.pending(seeded, article_id)) == len(flat)


def test_stale_pending_proposals_go_when_a_source_changes(
    seeded: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    article_id = first_article(seeded)
    suggest.compute(seeded, article_id, ["rules"])
    kept = find(seeded, article_id, "Chỉ thị số 05", "RESOLUTION")
    suggest.accept(seeded, kept.id, ANNOTATOR)
    off = tmp_path / "off.toml"
    off.write_text('[[rule]]\nname = "resolution"\nenabled = false\n', encoding="utf-8")
    monkeypatch.setenv(PATTERNS_ENV, str(off))
    suggest.compute(seeded, article_id, ["rules"])
    labels = {s.label for s in suggest.suggestions(seeded, article_id, status="pending")}
    assert "RESOLUTION" not in labels
    assert suggest.suggestion(seeded, kept.id).status == "accepted"  # decisions stay


def test_compute_from_a_thread_with_its_own_store(seeded: Store, db_path: Path) -> None:
    article_id = first_article(seeded)
    results: list[int] = []

    def work() -> None:
        with Store(db_path) as own:
            results.append(len(suggest.compute(own, article_id)))

    worker = threading.Thread(target=work)
    worker.start()
    worker.join()
    assert results and results[0] == len(suggest.pending(seeded, article_id)) > 0


def test_unknown_source_names_are_user_errors(seeded: Store) -> None:
    with pytest.raises(engine.UserError, match="unknown suggestion source 'spacy'"):
        suggest.compute(seeded, first_article(seeded), ["spacy"])


def test_cursor_helpers_for_the_app(seeded: Store) -> None:
    article_id = first_article(seeded)
    items = suggest.compute(seeded, article_id)
    first, second = items[0], items[1]
    assert suggest.suggestion_at(items, first.start) == first
    assert suggest.suggestion_at(items, first.end) in (None, second)
    assert suggest.next_suggestion(items, first.start) == second
    assert suggest.next_suggestion(items, second.start + 1, forward=False) == first
    assert suggest.next_suggestion(items, items[-1].start) is None
    assert suggest.next_suggestion(items, first.start, forward=False) is None


def test_labels_outside_the_project_are_not_shown(
    seeded: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    article_id = first_article(seeded)
    suggest.compute(seeded, article_id, ["rules"])
    labels = tmp_path / "labels.toml"
    labels.write_text(
        '[[label]]\nname = "ORGANIZATION"\nkeys = ["1"]\n'
        '[[label]]\nname = "FIGURE"\nkeys = ["2"]\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("PARTYBUILD_LABELS", str(labels))
    assert {s.label for s in suggest.pending(seeded, article_id)} == {"ORGANIZATION", "FIGURE"}


def test_the_flat_view_keeps_the_same_suggestions_as_a_scan_of_every_kept_one() -> None:
    import random

    from partybuild_tui.core.store import Suggestion
    from partybuild_tui.core.suggest.base import FlatSet

    rng = random.Random(5)
    for _ in range(200):
        items = []
        for i in range(30):
            start = rng.randrange(100)
            end = start + rng.randrange(1, 12)
            items.append(Suggestion(i, 1, "rules", "t", start, end, "ORG", "x", 0.5, "pending"))
        flat: FlatSet[Suggestion] = FlatSet()
        naive: list[Suggestion] = []
        for item in items:
            flat.add_if_free(item)
            if not any(k.overlaps(item.start, item.end) for k in naive):
                naive.append(item)
        assert sorted(flat.items, key=lambda s: s.id) == sorted(naive, key=lambda s: s.id)


def test_reading_only_where_an_action_happened_gives_what_a_full_read_gives(
    seeded: Store,
) -> None:
    """The screen patches suggestions around each action (``pending_near``); after any mix of
    tags, deletes, accepts, corrections, rejects, undos and redos, among overlapping
    proposals of several sources, the patched view equals a full ``pending()``."""
    import random

    from partybuild_tui.core import tagging
    from partybuild_tui.core.store import NewSpan

    article_id = first_article(seeded)
    suggest.compute(seeded, article_id, ["rules", "byline"])
    article = seeded.article(article_id)
    rng = random.Random(14)
    words = [(m.start(), m.end()) for m in re.finditer(r"\w+", article.body)]
    offset = article.body_start
    version = seeded.suggestion_runs(article_id)["rules"][0]
    extra = []
    for k in range(120):  # overlapping proposals: chains of places to widen over
        first = rng.randrange(len(words) - 4)
        a, b = words[first][0] + offset, words[first + rng.randrange(1, 4)][1] + offset
        extra.append((article_id, version, a, b, LABELS[k % 3], article.text[a:b], rng.random()))
    with seeded.write():
        seeded.conn.executemany(
            "INSERT OR IGNORE INTO suggestions (article_id, source, source_version, start, "
            '"end", label, text, score, created_at) '
            "VALUES (?, 'rules', ?, ?, ?, ?, ?, ?, '2026-01-01')",
            extra,
        )

    def full() -> list[tagging.Mark]:
        return tagging.pending_marks(seeded, article_id, ANNOTATOR)

    drawn = full()
    kinds = ["tag", "delete", "accept", "correct", "reject", "undo", "redo"]
    for step in range(150):
        kind = rng.choice(kinds)
        spans = seeded.spans(article_id, ANNOTATOR)
        action = None
        if kind == "tag":
            first = rng.randrange(len(words) - 2)
            a, b = words[first][0] + offset, words[first + rng.randrange(1, 3)][1] + offset
            if not any(s.overlaps(a, b) for s in spans):
                action = seeded.apply(
                    article_id, ANNOTATOR, "tag", add=[NewSpan(a, b, rng.choice(LABELS))]
                )
        elif kind == "delete" and spans:
            action = seeded.apply(article_id, ANNOTATOR, "delete", remove=[rng.choice(spans)])
        elif kind in ("accept", "correct", "reject") and drawn:
            mark = rng.choice(drawn)
            if kind == "reject":
                action = suggest.reject(seeded, mark.id, ANNOTATOR)
            else:
                label = rng.choice(LABELS) if kind == "correct" else None
                action = suggest.accept_as(seeded, mark.id, ANNOTATOR, label)
        elif kind == "undo":
            action = seeded.undo(article_id, ANNOTATOR)
        elif kind == "redo":
            action = seeded.redo(article_id, ANNOTATOR)
        if action is None:
            continue
        places, found = tagging.pending_marks_near(
            seeded, article_id, ANNOTATOR, tagging.touched(seeded, action)
        )
        drawn = tagging.replace_near(drawn, places, found)
        assert drawn == full(), f"step {step}: {action.kind}"


def test_an_update_says_where_it_changed_what_is_stored(seeded: Store) -> None:
    """After a tag, memory's re-run reports the places of its new proposals and the layer's
    state around its transaction; re-reading only there gives what a full read gives."""
    from partybuild_tui.core import tagging
    from partybuild_tui.core.store import NewSpan

    article_id = first_article(seeded)
    suggest.compute(seeded, article_id, ["memory", "rules", "byline"])
    drawn = tagging.pending_marks(seeded, article_id, ANNOTATOR)
    article = seeded.article(article_id)
    form = "Đồng Văn"
    first = article.text.index(form, article.body_start)
    tagged = (first, first + len(form))
    seeded.apply(article_id, ANNOTATOR, "tag", add=[NewSpan(*tagged, "ORGANIZATION")])
    drawn = tagging.replace_near(
        drawn, *tagging.pending_marks_near(seeded, article_id, ANNOTATOR, [tagged])
    )

    def memory_places() -> set[tuple[int, int]]:
        return {(s.start, s.end) for s in seeded.suggestions(article_id, source="memory")}

    known = memory_places()
    before = seeded.suggestion_state(article_id, ANNOTATOR)
    ran = suggest.update(seeded, article_id, ["memory"], annotator=ANNOTATOR)
    assert ran is not None and ran.before == before
    assert ran.after == seeded.suggestion_state(article_id, ANNOTATOR) != before
    new = memory_places() - known
    assert new and new <= set(ran.changed)
    places, found = tagging.pending_marks_near(seeded, article_id, ANNOTATOR, ran.changed)
    assert tagging.replace_near(drawn, places, found) == tagging.pending_marks(
        seeded, article_id, ANNOTATOR
    )
    assert suggest.update(seeded, article_id, ["memory"], annotator=ANNOTATOR) is None


LABELS = ("ORGANIZATION", "FIGURE", "RESOLUTION")
