"""Review (adjudication) without a screen: what disagrees, what is agreed, what is decided."""

from __future__ import annotations

from partybuild_tui.core import review
from partybuild_tui.core.review import compare
from partybuild_tui.core.store import Span, Store

ORG = "Đảng bộ huyện Đồng Văn"


def span(start: int, end: int, label: str, who: str) -> Span:
    return Span(0, f"{who}{start}", 1, start, end, label, "x" * (end - start), "manual", who)


def test_places_are_agreed_or_one_of_three_kinds_of_disagreement() -> None:
    layers = {
        "lan": [span(0, 5, "ORG", "lan"), span(10, 15, "ORG", "lan"), span(20, 30, "ORG", "lan")],
        "minh": [
            span(0, 5, "ORG", "minh"),
            span(10, 15, "FIG", "minh"),
            span(22, 30, "ORG", "minh"),
        ],
        "hoa": [span(0, 5, "ORG", "hoa"), span(10, 15, "ORG", "hoa"), span(40, 45, "RES", "hoa")],
    }
    agreed, places = compare(layers)
    assert agreed == [(0, 5, "ORG")]
    assert [(p.kind, p.extent) for p in places] == [
        ("label", (10, 15)),
        ("missing", (20, 30)),  # hoa has nothing there: missing wins over edges
        ("missing", (40, 45)),
    ]
    label = places[0]
    assert [o.annotators for o in label.options] == [("hoa", "lan"), ("minh",)]  # most first
    assert [o.annotators for o in places[1].options] == [("lan",), ("minh",), ("hoa",)]
    assert places[1].options[-1].spans == ()  # the empty version comes last
    assert [o.annotators for o in places[2].options] == [("hoa",), ("lan", "minh")]


def test_overlapping_spans_with_other_edges_and_chained_overlaps_are_one_place() -> None:
    layers = {
        "lan": [span(0, 10, "ORG", "lan"), span(12, 20, "ORG", "lan")],
        "minh": [span(5, 15, "ORG", "minh")],  # overlaps both of lan's: one place
    }
    agreed, places = compare(layers)
    assert agreed == []
    [place] = places
    assert (place.kind, place.extent) == ("edges", (0, 20))
    assert [len(o.spans) for o in place.options] == [2, 1]


def test_two_identical_layers_have_nothing_to_decide() -> None:
    same = {who: [span(0, 5, "ORG", who), span(8, 9, "FIG", who)] for who in ("a", "b")}
    assert compare(same) == ([(0, 5, "ORG"), (8, 9, "FIG")], [])


def where(store: Store, article_id: int, phrase: str) -> tuple[int, int]:
    start = store.article(article_id).text.index(phrase)
    return start, start + len(phrase)


def two_annotators(store: Store) -> int:
    a = store.article_ids()[0]
    store.tag(a, *where(store, a, ORG), "ORGANIZATION", "lan")
    store.tag(a, *where(store, a, ORG), "ORGANIZATION", "minh")
    store.tag(a, *where(store, a, "Huyện ủy"), "ORGANIZATION", "lan")
    store.tag(a, *where(store, a, "Huyện ủy"), "FIGURE", "minh")
    store.tag(a, *where(store, a, "My Ly"), "FIGURE", "lan")
    store.set_status(a, "done", "lan")
    store.set_status(a, "done", "minh")
    return a


def test_a_review_starts_from_the_agreed_spans_and_each_decision_is_undoable(
    seeded: Store,
) -> None:
    a = two_annotators(seeded)
    layer = "review:hoa"
    found = review.article_review(seeded, a, layer)
    assert found.annotators == ("lan", "minh") and not found.started
    assert [d.kind for d in found.disagreements] == ["label", "missing"]
    assert review.start(seeded, a, layer, found) is not None
    assert [(s.label, s.text) for s in seeded.spans(a, layer)] == [("ORGANIZATION", ORG)]
    found = review.article_review(seeded, a, layer)
    assert found.started and found.open == [0, 1]
    assert review.start(seeded, a, layer, found) is None  # never seeded twice
    label, missing = found.disagreements
    lan_version = next(o for o in label.options if o.annotators == ("lan",))
    review.take(seeded, a, layer, label, lan_version)
    review.take(seeded, a, layer, missing, None)  # no span where only lan tagged
    found = review.article_review(seeded, a, layer)
    assert found.open == [] and found.decided == {0, 1}
    assert label.chosen(seeded.spans(a, layer)) == label.options.index(lan_version)
    texts = [(s.label, s.text) for s in seeded.spans(a, layer)]
    assert texts == [("ORGANIZATION", ORG), ("ORGANIZATION", "Huyện ủy")]
    seeded.undo(a, layer)  # the "none" decision: that place is open again
    assert review.article_review(seeded, a, layer).open == [1]
    seeded.undo(a, layer)
    assert review.article_review(seeded, a, layer).open == [0, 1]
    assert seeded.spans(a, layer)[0].text == ORG  # the agreed spans stay
    # the annotators' layers are never touched by a review
    assert [s.label for s in seeded.spans(a, "minh")] == ["ORGANIZATION", "FIGURE"]
    assert seeded.status(a, "lan") == "done" == seeded.status(a, "minh")


def test_tagging_by_hand_in_a_place_decides_it(seeded: Store) -> None:
    a = two_annotators(seeded)
    layer = "review:hoa"
    review.start(seeded, a, layer, review.article_review(seeded, a, layer))
    seeded.tag(a, *where(seeded, a, "My Ly"), "ORGANIZATION", layer)  # the reviewer's own
    assert review.article_review(seeded, a, layer).open == [0]


def test_only_finished_annotator_layers_are_compared(seeded: Store) -> None:
    a = two_annotators(seeded)
    seeded.set_status(a, "in_progress", "minh")
    found = review.article_review(seeded, a, "review:hoa")
    assert found.annotators == ("lan",) and not found.reviewable
    assert review.start(seeded, a, "review:hoa", found) is None
    assert seeded.spans(a, "review:hoa") == []
    seeded.set_status(a, "done", "minh")
    seeded.set_status(a, "done", "review:tam")  # another review is no annotator
    assert review.article_review(seeded, a, "review:hoa").annotators == ("lan", "minh")


def test_the_reviewers_share_is_the_articles_two_annotators_finished(seeded: Store) -> None:
    first, second, third = seeded.article_ids()[:3]
    assert not seeded.has_assignments("review:hoa")
    for who in ("lan", "minh"):
        seeded.set_status(first, "done", who)
    seeded.set_status(second, "done", "lan")
    seeded.set_status(third, "done", "lan")
    seeded.set_status(third, "done", "review:tam")
    assert seeded.has_assignments("review:hoa")
    assert seeded.article_ids(assigned="review:hoa") == [first]
    assert seeded.count_articles(assigned="review:hoa") == 1
    counts = seeded.status_counts("review:hoa", "review:hoa")
    assert counts["new"] == 1 and sum(counts.values()) == 1


def test_list_shows_a_reviewers_articles_with_the_review_status(seeded: Store) -> None:
    from typer.testing import CliRunner

    from partybuild_tui.cli import app

    a = two_annotators(seeded)
    result = CliRunner().invoke(app, ["list", "-a", "review:hoa", "--db", str(seeded.path)])
    assert result.exit_code == 0, result.output
    assert "1 of 1 articles to review in review:hoa" in result.output
    assert f" {a} " in result.output and "new" in result.output


def test_a_layers_span_fingerprint_moves_with_every_change_and_back_with_undo(
    seeded: Store,
) -> None:
    a = seeded.article_ids()[0]
    empty = seeded.span_fingerprint(a, "lan")
    seeded.tag(a, *where(seeded, a, ORG), "ORGANIZATION", "lan")
    tagged = seeded.span_fingerprint(a, "lan")
    [span] = seeded.spans(a, "lan")
    seeded.relabel(span.id, "FIGURE", "lan")
    relabelled = seeded.span_fingerprint(a, "lan")
    seeded.tag(a, *where(seeded, a, ORG), "ORGANIZATION", "minh")  # another layer: no change
    assert len({empty, tagged, relabelled}) == 3
    assert seeded.span_fingerprint(a, "lan") == relabelled
    seeded.undo(a, "lan")
    assert seeded.span_fingerprint(a, "lan") == tagged  # the same rows are back
