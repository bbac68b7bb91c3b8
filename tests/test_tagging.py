"""What a key means while tagging (no screen): the decisions, then carrying them out."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from partybuild_tui.core import tagging
from partybuild_tui.core.store import Action, Span, Store
from partybuild_tui.core.tagging import (
    Accept,
    Correct,
    Delete,
    Here,
    Mark,
    MarkStatus,
    Nothing,
    Redo,
    Reject,
    Relabel,
    Tag,
    TagAll,
    Undo,
)

ORG = "Đảng bộ huyện Đồng Văn"
RESOLUTION = "Nghị quyết TW 4 (khóa XII)"

# A made-up text "Ban Tuyên giáo Tỉnh ủy họp": tokens of one or two syllables.
BAN = (0, 3)
TUYEN_GIAO = (4, 14)
TINH_UY = (15, 22)
HOP = (23, 26)
SPAN = Mark(1, *TUYEN_GIAO, "ORGANIZATION", "Tuyên giáo")
SUGGESTED = Mark(7, *TINH_UY, "ORGANIZATION", "Tỉnh ủy")


def here(
    token: tuple[int, int] | None = BAN,
    selection: tuple[int, int] | None = None,
    spans: tuple[Mark, ...] = (SPAN,),
    suggestions: tuple[Mark, ...] = (SUGGESTED,),
) -> Here:
    return Here(token, selection, spans, suggestions)


def test_lookups_by_bisection_find_touching_and_same_start_marks() -> None:
    spans = [Mark(1, 0, 3, "A"), Mark(2, 3, 8, "A"), Mark(3, 10, 12, "A")]
    assert list(tagging.spans_overlapping(spans, 3, 4)) == [spans[1]]
    assert list(tagging.spans_overlapping(spans, 8, 10)) == []  # touching is not overlapping
    assert list(tagging.spans_overlapping(spans, 2, 11)) == spans
    assert list(tagging.spans_overlapping([], 0, 5)) == []
    same_start = [Mark(4, 5, 7, "A"), Mark(5, 5, 9, "B"), Mark(6, 9, 12, "A")]
    assert tagging.exactly(same_start, 5, 9) == same_start[1]
    assert tagging.exactly(same_start, 5, 8) is None
    assert tagging.exactly(same_start, 9, 12) == same_start[2]


def flat_marks(ranges: list[tuple[int, int]]) -> list[Mark]:
    """Flat marks in text order from (start, length) pairs laid end to end with gaps."""
    marks, at = [], 0
    for i, (gap, length) in enumerate(ranges):
        at += gap
        marks.append(Mark(i, at, at + length, "A"))
        at += length
    return marks


@given(
    st.lists(st.tuples(st.integers(0, 3), st.integers(1, 4)), max_size=30),
    st.integers(0, 60),
    st.integers(1, 12),
)
def test_clear_of_drops_exactly_the_overlapping_marks(
    layout: list[tuple[int, int]], start: int, length: int
) -> None:
    marks = flat_marks(layout)
    end = start + length
    assert tagging.clear_of(marks, start, end) == [
        m for m in marks if not tagging.overlaps(m, start, end)
    ]


@given(
    st.lists(st.tuples(st.integers(0, 3), st.integers(1, 4)), max_size=30),
    st.lists(st.integers(-1, 35), max_size=6),
    st.integers(0, 3),
    st.lists(st.tuples(st.integers(-5, 130), st.integers(1, 4)), max_size=3),
)
def test_patched_drops_the_ids_and_inserts_in_text_order(
    layout: list[tuple[int, int]],
    gone: list[int],
    drawn: int,
    new: list[tuple[int, int]],
) -> None:
    marks = flat_marks(layout)
    # some marks drawn early (id -1) among them, as after a tag waiting for its commit
    marks = [m._replace(id=-1) if m.id % 4 == drawn else m for m in marks]
    came = [Mark(100 + i, start, start + length, "B") for i, (start, length) in enumerate(new)]
    out = tagging.patched(marks, gone, came)  # ids may repeat in ``gone``
    kept = [m for m in marks if m.id not in gone]
    assert sorted(out, key=lambda m: (m.start, m.end)) == out
    assert sorted(out) == sorted([*kept, *came])


# ---- label keys ---------------------------------------------------------------------------


def test_label_on_a_word_tags_it() -> None:
    assert tagging.decide_label(here(), "FIGURE") == Tag(*BAN, "FIGURE", replace=True)


def test_label_on_a_selection_tags_it() -> None:
    intent = tagging.decide_label(here(token=HOP, selection=(0, 26)), "ORGANIZATION")
    assert intent == Tag(0, 26, "ORGANIZATION")


def test_protect_mode_asks_the_store_to_refuse_overlaps() -> None:
    selection = (0, 14)  # overlaps SPAN
    assert tagging.decide_label(here(selection=selection), "FIGURE", protect=True) == Tag(
        0, 14, "FIGURE", replace=False
    )
    assert tagging.decide_label(here(selection=selection), "FIGURE", protect=False) == Tag(
        0, 14, "FIGURE", replace=True
    )


def test_label_on_a_span_relabels_it_or_says_it_already_is() -> None:
    on_span = here(token=TUYEN_GIAO)
    assert tagging.decide_label(on_span, "FIGURE") == Relabel(SPAN, "FIGURE")
    assert tagging.decide_label(on_span, "ORGANIZATION") == Nothing(
        "already ORGANIZATION: ‘Tuyên giáo’"
    )


def test_a_selection_over_a_span_tags_the_selection_not_the_span() -> None:
    intent = tagging.decide_label(here(token=TUYEN_GIAO, selection=TUYEN_GIAO), "ORGANIZATION")
    assert intent == Tag(*TUYEN_GIAO, "ORGANIZATION")


def test_exactly_a_suggestion_with_another_label_corrects_it() -> None:
    assert tagging.decide_label(here(selection=TINH_UY), "FIGURE") == Correct(SUGGESTED, "FIGURE")
    # without a selection the word under the cursor is the target: the same rule
    assert tagging.decide_label(here(token=TINH_UY), "FIGURE") == Correct(SUGGESTED, "FIGURE")


def test_exactly_a_suggestion_with_its_own_label_accepts_it() -> None:
    intent = tagging.decide_label(here(selection=TINH_UY), "ORGANIZATION")
    assert intent == Accept(SUGGESTED)


def test_a_label_key_in_a_suggestion_applies_to_the_whole_suggestion() -> None:
    inside = (TINH_UY[0] + 3, TINH_UY[1])  # the cursor on the suggestion's second word
    assert tagging.decide_label(here(token=inside), "ORGANIZATION") == Accept(SUGGESTED)
    assert tagging.decide_label(here(token=inside), "FIGURE") == Correct(SUGGESTED, "FIGURE")
    # a selection of part of it tags just that part
    part = (TINH_UY[0], TINH_UY[0] + 3)
    assert tagging.decide_label(here(selection=part), "FIGURE") == Tag(*part, "FIGURE")


def test_a_target_only_overlapping_a_suggestion_is_a_plain_tag() -> None:
    assert tagging.decide_label(here(selection=(15, 26)), "FIGURE") == Tag(15, 26, "FIGURE")


def test_a_label_key_in_an_empty_text_does_nothing_silently() -> None:
    assert tagging.decide_label(here(token=None), "FIGURE") == Nothing("")


# ---- delete, accept, reject, tag all --------------------------------------------------------


def test_delete_takes_the_span_under_the_cursor_or_every_span_in_the_selection() -> None:
    other = Mark(2, *HOP, "FIGURE", "họp")
    spans = (SPAN, other)
    assert tagging.decide_delete(here(token=TUYEN_GIAO, spans=spans)) == Delete((SPAN,))
    assert tagging.decide_delete(here(selection=(0, 26), spans=spans)) == Delete((SPAN, other))
    assert tagging.decide_delete(here(selection=(10, 24), spans=spans)) == Delete((SPAN, other))


def test_delete_with_no_span_there_says_so() -> None:
    assert tagging.decide_delete(here()) == Nothing("no span under the cursor")
    assert tagging.decide_delete(here(selection=BAN)) == Nothing("no span under the cursor")


def test_accept_and_reject_take_the_suggestion_under_the_cursor_or_selection() -> None:
    assert tagging.decide_accept(here(token=TINH_UY)) == Accept(SUGGESTED)
    assert tagging.decide_reject(here(selection=(0, 16))) == Reject(SUGGESTED)


def test_accept_off_a_suggestion_says_how_to_find_one() -> None:
    assert tagging.decide_accept(here()) == Nothing(
        "no suggestion under the cursor (. and , jump to one)"
    )
    assert tagging.decide_reject(here(suggestions=())) == Nothing(tagging.NO_SUGGESTIONS)


def test_tag_all_needs_a_span_under_the_cursor_and_the_words() -> None:
    on_span = here(token=TUYEN_GIAO)
    assert tagging.decide_tag_all(on_span, segmented=True) == TagAll(SPAN)
    assert tagging.decide_tag_all(on_span, segmented=False) == Nothing(
        "still segmenting the words; try again in a moment"
    )
    off = Nothing("put the cursor on a span to tag all its occurrences")
    assert tagging.decide_tag_all(here(), segmented=True) == off
    assert tagging.decide_tag_all(here(token=TUYEN_GIAO, selection=BAN), segmented=True) == off


def test_done_and_skipped_toggle_back_to_in_progress() -> None:
    assert tagging.toggled_status("in_progress", "done") == "done"
    assert tagging.toggled_status("done", "done") == "in_progress"
    assert tagging.toggled_status("done", "skipped") == "skipped"
    assert tagging.toggled_status("skipped", "skipped") == "in_progress"


# ---- moving between suggestions -------------------------------------------------------------

FIRST = Mark(10, 4, 14, "ORGANIZATION", "Tuyên giáo")
SECOND = Mark(11, 23, 26, "FIGURE", "họp")
BOTH = (FIRST, SECOND)


def test_jumps_go_to_the_next_and_previous_suggestion_and_wrap_around() -> None:
    assert tagging.jump_to_suggestion(here(token=BAN, suggestions=BOTH), 1) == FIRST
    assert tagging.jump_to_suggestion(here(token=TUYEN_GIAO, suggestions=BOTH), 1) == SECOND
    assert tagging.jump_to_suggestion(here(token=HOP, suggestions=BOTH), 1) == FIRST
    assert tagging.jump_to_suggestion(here(token=HOP, suggestions=BOTH), -1) == FIRST
    assert tagging.jump_to_suggestion(here(token=TINH_UY, suggestions=BOTH), -1) == FIRST
    assert tagging.jump_to_suggestion(here(token=BAN, suggestions=BOTH), -1) == SECOND


def test_no_jump_without_suggestions_or_text() -> None:
    assert tagging.jump_to_suggestion(here(suggestions=()), 1) is None
    assert tagging.jump_to_suggestion(here(token=None, suggestions=BOTH), 1) is None


def test_after_a_decision_the_next_suggestion_follows_without_wrapping() -> None:
    assert tagging.following(BOTH, FIRST.end - 1) == SECOND
    assert tagging.following(BOTH, SECOND.end - 1) is None


def test_the_jump_message_names_the_suggestion() -> None:
    assert tagging.suggestion_position(BOTH, SECOND) == (
        "suggestion 2/2: FIGURE ‘họp’ (a accept, x reject)"
    )


# ---- after a change -------------------------------------------------------------------------


def span(start: int, end: int, label: str = "ORGANIZATION", text: str = "x") -> Span:
    return Span(1, "uid", 1, start, end, label, text, "manual", "tester")


def action(kind: str, added: tuple[Span, ...] = (), removed: tuple[Span, ...] = ()) -> Action:
    return Action(1, 1, kind, added, removed)


def test_the_cursor_goes_to_the_last_word_of_a_new_tag() -> None:
    assert tagging.cursor_after(action("tag", (span(4, 22),)), (), ()) == 21
    assert tagging.cursor_after(action("correct", (span(4, 22),)), (), ()) == 21


def test_the_cursor_shows_what_undo_or_redo_brought_back() -> None:
    assert tagging.cursor_after(action("undo delete", (span(4, 22),)), (), ()) == 4
    # an undone accept: no span came back, the suggestion did
    assert tagging.cursor_after(action("undo accept", (), (span(4, 14),)), (SECOND,), BOTH) == 4


def test_the_cursor_stays_after_a_relabel_or_delete() -> None:
    assert tagging.cursor_after(action("relabel", (span(4, 22),), (span(4, 22),)), (), ()) is None
    assert tagging.cursor_after(action("delete", (), (span(4, 22),)), BOTH, BOTH) is None


def test_changes_of_the_tagged_forms_re_run_the_memory_source() -> None:
    assert tagging.teaches(action("tag", (span(0, 3),)))
    assert tagging.teaches(action("redo tag", (span(0, 3),)))
    assert tagging.teaches(action("undo tag", (), (span(0, 3),)))  # withdraws its proposals
    assert tagging.teaches(action("delete", (), (span(0, 3),)))
    assert not tagging.teaches(action("reject"))
    assert not tagging.teaches(Action(1, 1, "status", (), (), ("in_progress", "done")))


@pytest.mark.parametrize(
    ("change", "text"),
    [
        (action("tag", (span(0, 3, text="Ban"),)), "tag ORGANIZATION ‘Ban’"),
        (
            action("tag", (span(0, 9),), (span(0, 3), span(4, 9))),
            "tag ORGANIZATION ‘x’ (replacing 2)",
        ),
        (action("undo tag", (), (span(0, 3, "FIGURE", "Ban"),)), "tag FIGURE ‘Ban’"),
        (action("delete", (), (span(0, 3), span(4, 9))), "delete ORGANIZATION ‘x’ +1"),
        (action("reject"), "reject suggestion"),
        (action("accept all", (span(0, 3),)), "accept all: 1 suggestion"),
        (action("accept all", (span(0, 3), span(4, 9))), "accept all: 2 suggestions"),
        (Action(1, 1, "status", (), (), ("in_progress", "done")), "marked done"),
        (
            Action(1, 1, "undo status", (), (), ("skipped", "in_progress")),
            "marked skipped (now in progress)",
        ),
    ],
)
def test_describe_says_what_an_action_did(change: Action, text: str) -> None:
    assert tagging.describe(change) == text


def test_quote_keeps_a_status_line_short() -> None:
    assert tagging.quote("Đảng  bộ\nhuyện") == "‘Đảng bộ huyện’"
    assert tagging.quote("a" * 50, 10) == "‘aaaaaaaaa…’"


# ---- carrying it out on the store -----------------------------------------------------------


@pytest.fixture
def article(seeded: Store) -> int:
    return seeded.article_ids()[0]


def find(store: Store, article_id: int, phrase: str) -> tuple[int, int]:
    start = store.article(article_id).text.index(phrase)
    return start, start + len(phrase)


def add_suggestion(store: Store, article_id: int, phrase: str, label: str) -> Mark:
    start, end = find(store, article_id, phrase)
    with store.write():
        store.conn.execute(
            'INSERT INTO suggestions (article_id, source, source_version, start, "end", label, '
            "text, score, created_at) VALUES (?, 'test', '1', ?, ?, ?, ?, 0.9, 'now')",
            (article_id, start, end, label, phrase),
        )
    [mark] = [m for m in tagging.pending_marks(store, article_id, "tester") if m.start == start]
    return mark


def shown(store: Store, article_id: int) -> Here:
    """What the screen would hold: the token is irrelevant here, the selection decides."""
    spans = tagging.span_marks(store, article_id, "tester")
    return Here(None, None, spans, tagging.pending_marks(store, article_id, "tester"))


def labels(store: Store, article_id: int) -> list[tuple[str, str, str]]:
    return [(s.label, s.text, s.origin) for s in store.spans(article_id)]


def test_a_key_decided_then_executed_tags_relabels_and_refuses(seeded: Store, article: int) -> None:
    org = find(seeded, article, ORG)
    first = tagging.decide_label(Here(None, org), "FIGURE")
    assert isinstance(first, Tag)
    outcome = tagging.carry_out(seeded, article, "tester", first)
    assert outcome.action is not None and tagging.describe(outcome.action) == f"tag FIGURE ‘{ORG}’"
    on_span = Here(org, None, shown(seeded, article).spans)
    relabel = tagging.decide_label(on_span, "ORGANIZATION")
    assert isinstance(relabel, Relabel)
    tagging.carry_out(seeded, article, "tester", relabel)
    assert labels(seeded, article) == [("ORGANIZATION", ORG, "manual")]
    inside = (org[0], org[0] + len("Đảng bộ"))
    protected = tagging.decide_label(Here(None, inside), "FIGURE", protect=True)
    assert isinstance(protected, Tag)
    refused = tagging.carry_out(seeded, article, "tester", protected)
    assert refused.refused and refused.action is None and "protect is on" in refused.nothing
    assert labels(seeded, article) == [("ORGANIZATION", ORG, "manual")]


def test_the_same_tag_twice_changes_nothing(seeded: Store, article: int) -> None:
    tag = Tag(*find(seeded, article, ORG), "ORGANIZATION")
    assert tagging.carry_out(seeded, article, "tester", tag).action is not None
    again = tagging.carry_out(seeded, article, "tester", tag)
    assert again.action is None and again.nothing == "nothing changed"


def test_correcting_a_suggestion_keeps_its_range_and_rejects_it(
    seeded: Store, article: int
) -> None:
    mark = add_suggestion(seeded, article, RESOLUTION, "RESOLUTION")
    intent = tagging.decide_label(Here(None, (mark.start, mark.end), (), [mark]), "ORGANIZATION")
    assert isinstance(intent, Correct) and intent == Correct(mark, "ORGANIZATION")
    outcome = tagging.carry_out(seeded, article, "tester", intent)
    assert outcome.what == f"corrected RESOLUTION → ORGANIZATION ‘{RESOLUTION}’"
    assert labels(seeded, article) == [("ORGANIZATION", RESOLUTION, "corrected:test")]
    assert tagging.pending_marks(seeded, article, "tester") == []
    late = tagging.carry_out(seeded, article, "tester", intent)
    assert late.action is None and late.nothing == tagging.NOT_PENDING


def test_accept_and_reject_decide_suggestions(seeded: Store, article: int) -> None:
    org = add_suggestion(seeded, article, ORG, "ORGANIZATION")
    res = add_suggestion(seeded, article, RESOLUTION, "RESOLUTION")
    accepted = tagging.carry_out(seeded, article, "tester", Accept(org))
    assert accepted.action is not None and accepted.action.kind == "accept"
    rejected = tagging.carry_out(seeded, article, "tester", Reject(res))
    assert rejected.what == f"rejected RESOLUTION ‘{RESOLUTION}’"
    assert labels(seeded, article) == [("ORGANIZATION", ORG, "suggestion:test")]
    nothing_left = tagging.carry_out(seeded, article, "tester", tagging.AcceptAll())
    assert nothing_left.action is None and nothing_left.nothing == tagging.NO_SUGGESTIONS


def test_delete_undo_and_redo(seeded: Store, article: int) -> None:
    for phrase in (ORG, RESOLUTION):
        tagging.carry_out(seeded, article, "tester", Tag(*find(seeded, article, phrase), "FIGURE"))
    everything = (0, len(seeded.article(article).text))
    delete = tagging.decide_delete(Here(None, everything, shown(seeded, article).spans))
    assert isinstance(delete, Delete) and len(delete.spans) == 2
    tagging.carry_out(seeded, article, "tester", delete)
    assert labels(seeded, article) == []
    undone = tagging.carry_out(seeded, article, "tester", Undo())
    assert undone.verb == "undone" and len(labels(seeded, article)) == 2
    redone = tagging.carry_out(seeded, article, "tester", Redo())
    assert redone.verb == "redone" and labels(seeded, article) == []
    assert tagging.carry_out(seeded, article, "tester", Redo()).nothing == (
        "nothing to redo in this article"
    )


def test_mark_status_toggles_in_the_store(seeded: Store, article: int) -> None:
    seeded.set_status(article, "in_progress", "tester", record=False)
    done = tagging.carry_out(seeded, article, "tester", MarkStatus("done"))
    assert done.action is not None and tagging.describe(done.action) == "marked done"
    assert seeded.article(article).status == "done"
    tagging.carry_out(seeded, article, "tester", MarkStatus("done"))
    assert seeded.article(article).status == "in_progress"


def test_the_difference_of_two_drawings_is_what_sets_of_them_give() -> None:
    """``difference`` bisects the equal head and tail and walks the rest: against sets, over
    random edits of a flat drawing (marks kept as the same objects, or equal copies)."""
    import random

    rng = random.Random(3)
    for _ in range(300):
        old = [Mark(i, i * 10, i * 10 + rng.randrange(1, 9), "FIGURE") for i in range(60)]
        new = [m if rng.random() < 0.5 else Mark(m.id, m.start, m.end, m.label) for m in old]
        for _ in range(rng.randrange(4)):
            at = rng.randrange(len(new))
            if rng.random() < 0.5:
                del new[at]
            else:  # another mark at the same place, or a relabel
                m = new[at]
                new[at] = Mark(m.id + 1000, m.start, m.end - rng.randrange(0, 1), "ORGANIZATION")
        gone, came = tagging.difference(old, new)
        assert set(gone) == set(old) - set(new) and set(came) == set(new) - set(old)
        assert gone == sorted(gone, key=lambda m: m.start)
