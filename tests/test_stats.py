"""Every stats figure on a corpus whose numbers are known (see stats_fixture), and a snapshot."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from rich.console import Console

from partybuild_tui.config import DEFAULT_LABELS
from partybuild_tui.core import stats as st
from partybuild_tui.core.stats.articles import article_table
from partybuild_tui.core.stats.consistency import untagged_elsewhere
from partybuild_tui.core.stats.labels import label_stats
from partybuild_tui.core.stats.matching import match
from partybuild_tui.core.stats.progress import progress
from partybuild_tui.core.stats.quality import source_quality
from partybuild_tui.core.store import Store
from partybuild_tui.core.store.queries.stats import form_rows
from partybuild_tui.errors import UserError
from partybuild_tui.render.stats import render_stats
from tests.stats_fixture import TEXTS, Fixture, build

LABELS = DEFAULT_LABELS.names
SNAPSHOTS = Path(__file__).parent / "snapshots"


@pytest.fixture
def fx(store: Store) -> Fixture:
    return build(store)


def compute(store: Store, **filters: object) -> st.Stats:
    return st.compute(store, st.StatsFilter(**filters), labels=LABELS)  # type: ignore[arg-type]


def test_progress(store: Store, fx: Fixture) -> None:
    p = compute(store).progress
    assert p is not None
    assert p.statuses == {"new": 1, "in_progress": 1, "done": 2, "skipped": 1}
    assert p.articles == 5
    assert p.spans == 7
    assert p.spans_per_label == {"FIGURE": 1, "ORGANIZATION": 4, "RESOLUTION": 2}
    assert [(a.annotator, a.spans, a.articles, a.actions) for a in p.annotators] == [
        ("an", 4, 2, 4),
        ("binh", 3, 1, 3),
    ]
    assert p.annotators[0].last_active == "2024-05-03T14:30:00.000+00:00"
    assert [(d.day, d.articles, d.actions) for d in p.daily] == [
        ("2024-05-03", 2, 4),
        ("2024-05-01", 1, 3),
    ]
    assert [(d.day, d.annotator, d.articles, d.actions) for d in p.activity] == [
        ("2024-05-03", "an", 1, 1),
        ("2024-05-03", "binh", 1, 3),
        ("2024-05-01", "an", 1, 3),
    ]


def test_activity_window_ends_at_latest_action(store: Store, fx: Fixture) -> None:
    stats = st.compute(store, labels=LABELS, sections=["progress"], days=2)
    assert stats.progress is not None
    assert [d.day for d in stats.progress.daily] == ["2024-05-03"]


def test_labels(store: Store, fx: Fixture) -> None:
    stats = compute(store)
    by_label = {ls.label: ls for ls in stats.label_stats or []}
    org = by_label["ORGANIZATION"]
    assert (org.spans, org.distinct_forms) == (4, 3)  # uỷ/ủy are one form
    assert [(f.form, f.count) for f in org.top_forms] == [
        ("Tỉnh uỷ Hà Giang", 2),
        ("Chi bộ thôn Úc", 1),
        ("Nguyễn Văn Hoà", 1),
    ]
    assert org.syllables == {"1": 0, "2": 0, "3": 1, "4": 3, "5": 0, "6": 0, "7": 0, "8+": 0}
    assert org.chars == {"1-5": 0, "6-10": 0, "11-20": 4, "21-30": 0, "31-50": 0, "51+": 0}
    fig = by_label["FIGURE"]
    assert (fig.spans, fig.distinct_forms, fig.syllables["3"]) == (1, 1, 1)
    res = by_label["RESOLUTION"]
    assert [(f.form, f.count) for f in res.top_forms] == [("Nghị quyết số 37", 2)]
    assert res.syllables["4"] == 2
    assert stats.labels == LABELS


def test_top_limits_forms(store: Store, fx: Fixture) -> None:
    stats = st.compute(store, labels=LABELS, sections=["labels"], top=1)
    org = next(ls for ls in stats.label_stats or [] if ls.label == "ORGANIZATION")
    assert [f.count for f in org.top_forms] == [2]
    assert org.distinct_forms == 3


def test_unknown_label_in_data_is_listed(store: Store, fx: Fixture) -> None:
    store.tag(fx.ids[5], 0, 5, "PLACE", "an")
    stats = compute(store)
    assert stats.labels == [*LABELS, "PLACE"]
    assert stats.progress and stats.progress.spans_per_label["PLACE"] == 1


def test_article_table(store: Store, fx: Fixture) -> None:
    table = compute(store).articles
    assert table is not None
    assert table.total == 3  # worked articles only, without a status filter
    rows = {r.id: r for r in table.rows}
    a1 = rows[fx.ids[1]]
    assert a1.per_label == {"ORGANIZATION": 1, "FIGURE": 1, "RESOLUTION": 1}
    assert a1.chars == len(TEXTS[1])
    assert a1.density == round(3 * 1000 / len(TEXTS[1]), 3)
    assert rows[fx.ids[3]].spans == 1
    densities = [r.density for r in table.rows]
    assert densities == sorted(densities)  # thinnest first
    assert table.rows[0].id == fx.ids[3]


@pytest.mark.parametrize(
    ("sort", "descending", "expected"),
    [
        ("id", False, [1, 2, 3]),
        ("id", True, [3, 2, 1]),
        ("chars", False, [3, 1, 2]),
        ("ORGANIZATION", True, [2, 1, 3]),
        ("figure", True, [1, 2, 3]),
        ("title", False, [3, 1, 2]),
        ("status", False, [1, 2, 3]),
        ("spans", True, [1, 2, 3]),
    ],
)
def test_article_table_sorts(
    store: Store, fx: Fixture, sort: str, descending: bool, expected: list[int]
) -> None:
    table = article_table(store.conn, st.StatsFilter(), LABELS, sort=sort, descending=descending)
    assert [r.id for r in table.rows] == [fx.ids[n] for n in expected]


def test_article_table_title_sort_with_limit(store: Store, fx: Fixture) -> None:
    table = article_table(
        store.conn, st.StatsFilter(), LABELS, sort="title", descending=True, limit=2
    )
    assert [r.title for r in table.rows] == [
        "Tỉnh uỷ Hà Giang triển khai",
        "Hội nghị Tỉnh ủy Hà Giang",
    ]
    assert table.total == 3


def test_article_table_limit_and_status(store: Store, fx: Fixture) -> None:
    table = article_table(store.conn, st.StatsFilter(status=("new",)), LABELS, limit=1)
    assert table.total == 1
    assert [(r.id, r.spans, r.density) for r in table.rows] == [(fx.ids[4], 0, 0.0)]
    with pytest.raises(UserError, match="cannot sort by 'size'"):
        article_table(store.conn, st.StatsFilter(), LABELS, sort="size")


def test_label_conflicts(store: Store, fx: Fixture) -> None:
    c = compute(store).consistency
    assert c is not None
    assert len(c.conflicts) == 1
    conflict = c.conflicts[0]
    assert conflict.labels == {"FIGURE": 1, "ORGANIZATION": 1}
    start1 = fx.offset(1, "Nguyễn Văn Hòa")
    start2 = fx.offset(2, "Nguyễn Văn Hoà")
    assert conflict.locations == [
        st.Location(fx.ids[1], start1, start1 + 14, "FIGURE"),
        st.Location(fx.ids[2], start2, start2 + 14, "ORGANIZATION"),
    ]


def test_untagged_elsewhere(store: Store, fx: Fixture) -> None:
    c = compute(store).consistency
    assert c is not None
    assert c.forms_checked == 4
    found = {u.form: u for u in c.untagged}
    assert set(found) == {"Nghị quyết số 37", "Tỉnh uỷ Hà Giang"}
    res = found["Nghị quyết số 37"]
    assert (res.label, res.tagged, res.untagged, res.truncated) == ("RESOLUTION", 2, 1, False)
    start = fx.offset(3, "Nghị quyết số 37")
    assert res.locations == [st.Location(fx.ids[3], start, start + 16)]  # not "…số 370"
    org = found["Tỉnh uỷ Hà Giang"]
    assert (org.label, org.tagged, org.untagged) == ("ORGANIZATION", 2, 2)
    assert [(loc.article_id, loc.start) for loc in org.locations] == [
        (fx.ids[1], fx.offset(1, "Tỉnh ủy Hà Giang")),  # the title, other tone style
        (fx.ids[2], fx.offset(2, "Tỉnh uỷ Hà Giang", nth=1)),
    ]
    assert org.articles_checked == 2  # article 4 is new, not worked: never counted


def test_untagged_candidate_limit_is_reported(store: Store, fx: Fixture) -> None:
    rows = form_rows(store.conn, st.StatsFilter())
    found, checked = untagged_elsewhere(store.conn, st.StatsFilter(), rows, candidate_limit=1)
    org = next(u for u in found if u.form == "Tỉnh uỷ Hà Giang")
    assert (org.articles_checked, org.truncated, org.untagged) == (1, True, 1)
    shown, checked = untagged_elsewhere(store.conn, st.StatsFilter(), rows, top=1)
    assert checked == 4, "more forms are checked than shown, to rank the findings"
    assert [u.form for u in shown] == ["Tỉnh uỷ Hà Giang"]  # 2 untagged beats 1


def test_findings_most_worth_a_look_come_first(tmp_path: Path) -> None:
    """A form tagged once but left untagged a dozen times shows by default, ahead of forms
    tagged more often; a bare "Đảng bộ" is a likely wrong tag, not an untagged entity."""
    names = [f"Chi bộ thôn Nà {i}" for i in range(30)]
    lines = [f"{name} họp." for name in names for _ in range(3)]
    lines += ["Ban Tuyên giáo Huyện ủy Lục Yên chỉ đạo."] * 13 + ["Đảng bộ luôn đoàn kết."] * 6
    text = "\n".join(lines)
    with Store(tmp_path / "c.db") as store:
        with store.write():
            article = store.insert_article(
                {
                    "key": "k",
                    "title": "t",
                    "text": text,
                    "raw_text": text,
                    "content_hash": "h",
                    "body_start": 0,
                    "body_end": len(text),
                }
            )
        pos = 0
        for line in lines[: len(names) * 3]:
            store.tag(article, pos, pos + len(line) - len(" họp."), "ORGANIZATION", "an")
            pos += len(line) + 1
        board = text.index("Ban Tuyên giáo")
        store.tag(
            article, board, board + len("Ban Tuyên giáo Huyện ủy Lục Yên"), "ORGANIZATION", "an"
        )
        bare = [i for i in range(len(text)) if text.startswith("Đảng bộ luôn", i)]
        for at in bare[:2]:
            store.tag(article, at, at + len("Đảng bộ"), "ORGANIZATION", "an")
        c = st.compute(store, top=10, sections=["consistency"]).consistency
    assert c is not None
    assert c.untagged[0].form == "Ban Tuyên giáo Huyện ủy Lục Yên"
    assert (c.untagged[0].tagged, c.untagged[0].untagged) == (1, 12)
    assert all(u.form != "Đảng bộ" for u in c.untagged)
    assert [(t.form, t.label, t.tagged) for t in c.suspect] == [("Đảng bộ", "ORGANIZATION", 2)]
    assert "type noun" in c.suspect[0].why and len(c.suspect[0].locations) == 2


def _quality(rows: list[st.SourceQuality]) -> dict[tuple[str, str], tuple[object, ...]]:
    """(source, label) -> decisions, then (matched, predicted, gold) exact and overlap."""
    return {
        (q.source, q.label): (
            q.accepted,
            q.rejected,
            q.pending,
            (q.exact.tp_pred, q.exact.predicted, q.exact.gold),
            (q.overlap.tp_pred, q.overlap.predicted, q.overlap.gold),
        )
        for q in rows
    }


def test_suggestions(store: Store, fx: Fixture) -> None:
    """Decisions over all five articles; scores over the done ones (1, 2) a source ran on.

    Gold: article 1 holds ORG, FIGURE, RESOLUTION; article 2 ORG "Tỉnh uỷ Hà Giang", ORG
    "Nguyễn Văn Hoà", RESOLUTION. gazetteer ran on 1 and 2: gold ORG 3, FIGURE 1, RES 2;
    its 3 ORG proposals there are 2 exact spans and "Đồng chí Nguyễn Văn Hoà" (overlap only):
    exact P 2/3, R 2/3; overlap P 3/3, R 3/3. All labels: exact P 2/3, R 2/6, F1 4/9;
    overlap P 1, R 3/6, F1 2/3. ner ran on 1 only: gold 1 of each label; its one FIGURE
    "Đồng chí Nguyễn Văn Hòa" overlaps: exact 0/1; overlap P 1, R 1 (FIGURE), 1/3 (all).
    """
    stats = compute(store)
    rows = stats.suggestions
    assert rows is not None
    assert (stats.scored_articles, stats.scored_basis) == (2, "done")
    assert _quality(rows) == {
        ("gazetteer", "*"): (2, 1, 1, (2, 3, 6), (3, 3, 6)),
        ("gazetteer", "FIGURE"): (0, 0, 0, (0, 0, 1), (0, 0, 1)),
        ("gazetteer", "ORGANIZATION"): (2, 1, 1, (2, 3, 3), (3, 3, 3)),
        ("gazetteer", "RESOLUTION"): (0, 0, 0, (0, 0, 2), (0, 0, 2)),
        ("ner", "*"): (0, 0, 1, (0, 1, 3), (1, 1, 3)),
        ("ner", "FIGURE"): (0, 0, 1, (0, 1, 1), (1, 1, 1)),
        ("ner", "ORGANIZATION"): (0, 0, 0, (0, 0, 1), (0, 0, 1)),
        ("ner", "RESOLUTION"): (0, 0, 0, (0, 0, 1), (0, 0, 1)),
    }
    assert [(q.source, q.label) for q in rows][:2] == [("gazetteer", "*"), ("gazetteer", "FIGURE")]
    q = {(r.source, r.label): r for r in rows}
    org = q[("gazetteer", "ORGANIZATION")]
    assert org.rate == pytest.approx(2 / 3)
    assert (org.exact.precision, org.exact.recall) == (pytest.approx(2 / 3), pytest.approx(2 / 3))
    assert (org.overlap.precision, org.overlap.recall, org.overlap.f1) == (1.0, 1.0, 1.0)
    total = q[("gazetteer", "*")]
    assert total.exact.f1 == pytest.approx(4 / 9)
    assert total.overlap.f1 == pytest.approx(2 / 3)
    assert q[("ner", "*")].overlap.f1 == pytest.approx(0.5)
    assert q[("ner", "FIGURE")].rate is None


def test_suggestions_filtered(store: Store, fx: Fixture) -> None:
    """The filters pick the scored articles; the annotator also picks the gold spans.

    an: decisions are an's (gazetteer accepted 1, pending 3: binh's decisions are binh's);
    scored: done articles holding an's spans, article 1 only, gold = an's 3 spans there.
    gazetteer proposes only the exact ORG there. binh: article 2, where gazetteer's 2
    proposals give exact 1/2 and overlap 2/2 against binh's 2 ORG spans. --status
    in_progress: nothing done, so the articles with a span: article 3, where gazetteer's
    pending "Chi bộ thôn Úc" is exactly the one span.
    """
    an = _quality(compute(store, annotator="an").suggestions or [])
    # binh's two decisions leave those suggestions pending in an's layer
    assert an[("gazetteer", "ORGANIZATION")] == (1, 0, 3, (1, 1, 1), (1, 1, 1))
    assert an[("gazetteer", "*")] == (1, 0, 3, (1, 1, 3), (1, 1, 3))
    assert an[("ner", "FIGURE")] == (0, 0, 1, (0, 1, 1), (1, 1, 1))
    binh = _quality(compute(store, annotator="binh").suggestions or [])
    assert binh[("gazetteer", "ORGANIZATION")] == (1, 1, 2, (1, 2, 2), (2, 2, 2))
    assert ("ner", "*") in binh and binh[("ner", "*")][3:] == ((0, 0, 0), (0, 0, 0))
    worked = compute(store, status=("in_progress",))
    assert (worked.scored_articles, worked.scored_basis) == (1, "tagged")
    assert _quality(worked.suggestions or []) == {
        ("gazetteer", "*"): (0, 0, 1, (1, 1, 1), (1, 1, 1)),
        ("gazetteer", "ORGANIZATION"): (0, 0, 1, (1, 1, 1), (1, 1, 1)),
    }
    nothing = compute(store, search="Quảng cáo")
    assert nothing.scored_articles == 0 and nothing.suggestions == []


def test_suggestion_scores_are_bounded(store: Store, fx: Fixture) -> None:
    """With a limit, the newest eligible articles are scored: article 2 of the done 1 and 2.

    There gazetteer's 2 proposals meet binh's 2 ORG spans: exact 1, overlap 2 (of 2 pred,
    2 gold; with FIGURE 0 and RESOLUTION 1 gold: 3 in all). ner never ran on article 2: no
    gold for it. Decisions still count everywhere.
    """
    stats = st.compute(store, labels=LABELS, sections=["suggestions"], quality_limit=1)
    assert (stats.scored_articles, stats.scored_eligible) == (1, 2)
    rows = _quality(stats.suggestions or [])
    assert rows[("gazetteer", "ORGANIZATION")] == (2, 1, 1, (1, 2, 2), (2, 2, 2))
    assert rows[("gazetteer", "*")] == (2, 1, 1, (1, 2, 3), (2, 2, 3))
    assert rows[("ner", "*")] == (0, 0, 1, (0, 0, 0), (0, 0, 0))
    assert "Against accepted spans: the newest 1 of 2 articles done" in _render(stats)


def test_two_annotators_same_span_is_one_gold_span(store: Store, fx: Fixture) -> None:
    """an tags article 2's first "Tỉnh uỷ Hà Giang" too: still one gold span, one match."""
    store.tag(fx.ids[2], 0, 16, "ORGANIZATION", "an")
    store.set_status(fx.ids[2], "done", "an")  # done in an's layer too: scored for an
    rows = _quality(compute(store).suggestions or [])
    assert rows[("gazetteer", "ORGANIZATION")] == (2, 1, 1, (2, 3, 3), (3, 3, 3))
    an = _quality(compute(store, annotator="an").suggestions or [])
    # an's gold: article 1's three spans and this one; gazetteer's proposals there: 3 ORG
    assert an[("gazetteer", "ORGANIZATION")] == (
        1,
        0,
        3,
        (2, 3, 2),
        (2, 3, 2),
    )  # binh's two decisions leave them pending in an's layer


def test_overlap_matching_is_one_to_one(store: Store, fx: Fixture) -> None:
    """Where proposals and spans tangle, each span is matched once, as ``matching.match`` does.

    Article 3's ORG "Chi bộ thôn Úc" [0, 14) gets two proposals from "rules", [0, 6) and
    [4, 14): only one of them can have the span (1 of 2 match, not 2), as matching.match finds
    on the same items.
    """
    a3 = fx.ids[3]
    with store.write() as conn:
        for start, end in ((0, 6), (4, 14)):
            conn.execute(
                'INSERT INTO suggestions (article_id, source, source_version, start, "end", '
                "label, text, created_at) VALUES (?, 'rules', '1', ?, ?, "
                "'ORGANIZATION', 'x', '2024-05-01')",
                (a3, start, end),
            )
    rows = _quality(compute(store, status=("in_progress",)).suggestions or [])
    assert rows[("rules", "ORGANIZATION")][3:] == ((0, 2, 1), (1, 2, 1))
    items = [(a3, 0, 6, "ORGANIZATION"), (a3, 4, 14, "ORGANIZATION")]
    expected = match(items, [(a3, 0, 14, "ORGANIZATION")], "overlap")
    assert (expected.tp_pred, expected.predicted, expected.gold) == (1, 2, 1)


def test_no_suggestions_no_section(store: Store, fx: Fixture) -> None:
    store.conn.execute("DELETE FROM suggestions")
    stats = compute(store)
    assert stats.suggestions == []
    assert "Suggestions" not in _render(stats)


def test_filter_status(store: Store, fx: Fixture) -> None:
    stats = compute(store, status=("done",))
    assert stats.progress is not None
    assert stats.progress.statuses == {"new": 0, "in_progress": 0, "done": 2, "skipped": 0}
    assert stats.progress.spans == 6
    assert stats.articles is not None and stats.articles.total == 2
    assert [(d.day, d.articles) for d in stats.progress.daily] == [
        ("2024-05-03", 1),
        ("2024-05-01", 1),
    ]


def test_filter_annotator(store: Store, fx: Fixture) -> None:
    stats = compute(store, annotator="an")
    assert stats.progress is not None
    assert stats.progress.spans_per_label == {"FIGURE": 1, "ORGANIZATION": 2, "RESOLUTION": 1}
    assert [a.annotator for a in stats.progress.annotators] == ["an"]
    # articles are not filtered by annotator; the statuses are an's own (article 2 is binh's)
    assert stats.progress.statuses["done"] == 1
    assert sum(stats.progress.statuses.values()) == 5
    assert stats.consistency is not None and stats.consistency.conflicts == []
    # binh's spans do not count for an, nor article 2 (worked in binh's layer only)
    untagged = {u.form: u.untagged for u in stats.consistency.untagged}
    assert untagged["Tỉnh ủy Hà Giang"] == 1
    assert stats.suggestions is not None
    decided = {(r.source, r.label): (r.accepted, r.rejected, r.pending) for r in stats.suggestions}
    assert decided[("gazetteer", "ORGANIZATION")] == (
        1,
        0,
        3,
    )  # binh's two decisions leave them pending in an's layer
    assert decided[("ner", "FIGURE")] == (0, 0, 1)


def test_filter_dates(store: Store, fx: Fixture) -> None:
    stats = compute(store, since="2024-03-10", until="2024-04-05")
    assert stats.progress is not None
    assert stats.progress.statuses == {"new": 0, "in_progress": 1, "done": 1, "skipped": 0}
    assert stats.progress.spans == 4
    only_since = compute(store, since="2024-03-05")  # a datetime counts by its day
    assert only_since.progress and only_since.progress.articles == 4


def test_filter_search(store: Store, fx: Fixture) -> None:
    stats = compute(store, search="Chi bộ")
    assert stats.progress is not None
    assert stats.progress.articles == 1
    assert stats.progress.spans_per_label == {"ORGANIZATION": 1}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"status": ("finished",)}, "unknown status 'finished'"),
        ({"since": "5/3/2024"}, "--since '5/3/2024' is not a date"),
        ({"until": "2024-02-30"}, "--until '2024-02-30' is not a date"),
    ],
)
def test_bad_filters(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(UserError, match=message):
        st.StatsFilter(**kwargs)  # type: ignore[arg-type]


def test_superseded_versions_are_left_out(store: Store, fx: Fixture) -> None:
    with store.write() as conn:
        conn.execute("UPDATE articles SET superseded_by = ? WHERE id = ?", (fx.ids[4], fx.ids[3]))
    stats = compute(store)
    assert stats.progress is not None
    assert stats.progress.articles == 4
    assert stats.progress.spans == 6


def test_sections(store: Store, fx: Fixture) -> None:
    stats = st.compute(store, labels=LABELS, sections=["suggestions"])
    assert stats.progress is None and stats.label_stats is None and stats.suggestions
    with pytest.raises(UserError, match="unknown section 'graphs'"):
        st.compute(store, sections=["graphs"])


def test_json_has_every_section(store: Store, fx: Fixture) -> None:
    data = st.to_json(compute(store))
    assert set(data) == {
        "filter",
        "label_names",
        "progress",
        "labels",
        "articles",
        "consistency",
        "suggestions",
        "suggestions_scored",
        "agreement",
    }
    assert data["progress"]["statuses"]["done"] == 2
    org = next(r for r in data["suggestions"] if r["label"] == "ORGANIZATION")
    assert org["rate"] == pytest.approx(2 / 3)
    assert org["exact"] == {
        "matched": 2,
        "predicted": 3,
        "gold": 3,
        "precision": pytest.approx(2 / 3),
        "recall": pytest.approx(2 / 3),
        "f1": pytest.approx(2 / 3),
    }
    figure = next(r for r in data["suggestions"] if r["label"] == "FIGURE")
    assert figure["exact"]["precision"] is None  # gazetteer proposes no FIGURE: undefined
    assert data["suggestions_scored"] == {"articles": 2, "eligible": 2, "basis": "done"}


def test_empty_database(store: Store) -> None:
    stats = st.compute(store, labels=LABELS)
    assert stats.progress is not None and stats.progress.articles == 0
    assert stats.progress.daily == []
    text = _render(stats)
    assert "No annotations yet." in text
    assert "No recorded activity." in text


def _render(stats: st.Stats) -> str:
    console = Console(record=True, width=100, file=open(os.devnull, "w"))  # noqa: SIM115
    console.print(render_stats(stats, DEFAULT_LABELS))
    return console.export_text()


def test_summary_snapshot(store: Store, fx: Fixture) -> None:
    """The rendered summary at width 100; UPDATE_SNAPSHOTS=1 rewrites the stored text."""
    text = _render(compute(store))
    path = SNAPSHOTS / "stats_summary.txt"
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")


def test_filtered_sections_agree_outside_compute(store: Store, fx: Fixture) -> None:
    """Inside compute a temp table holds the filtered ids; called alone, a subquery does."""
    f = st.StatsFilter(status=("done", "in_progress"), annotator="an")
    inside = st.compute(store, f, labels=LABELS)
    assert inside.progress == progress(store.conn, f)
    assert inside.label_stats == label_stats(form_rows(store.conn, f), LABELS)
    assert inside.suggestions == source_quality(store.conn, f).rows
    temp = store.conn.execute("SELECT count(*) FROM sqlite_temp_master").fetchone()[0]
    assert temp == 0  # the temporary table is gone


@pytest.mark.parametrize(
    ("sql", "index"),
    [
        (  # either covers it (the second is the memory lexicon's)
            "SELECT s.label, s.text, count(*) FROM spans s GROUP BY 1, 2",
            "idx_spans_label_text|idx_spans_forms",
        ),
        (
            "SELECT s.annotator, count(*), count(DISTINCT s.article_id) FROM spans s GROUP BY 1",
            "idx_spans_annotator",
        ),
        ("SELECT max(created_at) FROM actions", "idx_actions_created"),
        (
            "SELECT annotator, count(*), max(created_at) FROM actions GROUP BY 1",
            "idx_actions_annotator",
        ),
        (
            "SELECT source, label, count(*) FROM suggestions GROUP BY 1, 2",
            "idx_suggestions_outcome",
        ),
        (
            "SELECT status, count(*) FROM articles WHERE superseded_by IS NULL GROUP BY 1",
            "idx_articles_filter",
        ),
        (
            "SELECT id, body_end - body_start FROM articles WHERE superseded_by IS NULL "
            "AND status IN ('done') AND substr(date, 1, 10) >= '2024-01-01'",
            "idx_articles_filter",
        ),
    ],
)
def test_figures_read_covering_indexes(store: Store, sql: str, index: str) -> None:
    """The stats migration's indexes answer the big aggregates without touching table rows."""
    plan = " ".join(row[3] for row in store.conn.execute(f"EXPLAIN QUERY PLAN {sql}"))
    assert any(f"COVERING INDEX {name}" in plan for name in index.split("|")), plan
