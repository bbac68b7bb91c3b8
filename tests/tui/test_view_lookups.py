"""The view's bisect lookups find exactly what a scan over every mark finds."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from partybuild_tui.config import DEFAULT_LABELS
from partybuild_tui.core.tagging import Mark
from partybuild_tui.tui.widgets.article_view import ArticleView

ranges = st.tuples(st.integers(0, 300), st.integers(1, 40)).map(lambda p: (p[0], p[0] + p[1]))


def flat(raw: list[tuple[int, int]]) -> list[Mark]:
    """Non-overlapping spans from arbitrary ranges (keep each that clears the previous)."""
    out: list[Mark] = []
    for start, end in sorted(raw):
        if not out or start >= out[-1].end:
            out.append(Mark(len(out), start, end, "ORGANIZATION"))
    return out


def view_with(spans: list[Mark], hints: list[Mark]) -> ArticleView:
    view = ArticleView(DEFAULT_LABELS)
    view._set_marks(spans, hints)
    return view


@given(st.lists(ranges, max_size=30), st.lists(ranges, max_size=30), ranges)
def test_marks_on_a_line_match_a_full_scan(
    raw_spans: list[tuple[int, int]], raw_hints: list[tuple[int, int]], line: tuple[int, int]
) -> None:
    spans = flat(raw_spans)
    hints = [Mark(100 + i, s, e, "FIGURE") for i, (s, e) in enumerate(raw_hints)]
    view = view_with(spans, hints)
    lo, hi = line
    assert view._marks_in(lo, hi) == [m for m in view.spans if m.start < hi and lo < m.end]
    assert sorted(view._hints_in(lo, hi), key=lambda m: m.id) == sorted(
        (m for m in hints if m.start < hi and lo < m.end), key=lambda m: m.id
    )
