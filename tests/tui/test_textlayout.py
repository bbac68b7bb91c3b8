"""Wrapping and offset arithmetic of the article view."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from partybuild_tui.tui import textlayout


def test_wrap_breaks_at_spaces_and_keeps_paragraphs() -> None:
    text = "Đảng bộ huyện Đồng Văn\n\nChỉ thị số 05 gắn với"
    layout = textlayout.wrap(text, 0, len(text), 10)
    assert [text[s:e] for s, e in layout.lines] == [
        "Đảng bộ",
        "huyện Đồng",
        "Văn",
        "",
        "Chỉ thị số",
        "05 gắn với",
    ]
    assert layout.line_of(text.index("Văn")) == 2
    assert list(layout.lines_between(0, text.index("Văn") + 1)) == [0, 1, 2]


def test_word_longer_than_the_width_is_split() -> None:
    text = "a " + "x" * 25 + " b"
    layout = textlayout.wrap(text, 0, len(text), 10)
    assert [text[s:e] for s, e in layout.lines] == ["a", "x" * 10, "x" * 10, "xxxxx b"]


def test_body_range_only() -> None:
    text = "TITLE\nbody text here\nfooter"
    layout = textlayout.wrap(text, 6, 20, 80)
    assert [text[s:e] for s, e in layout.lines] == ["body text here"]


def test_columns_and_offsets_round_trip() -> None:
    text = "Nghị quyết TW 4"
    line = (0, len(text))
    assert textlayout.column_to_offset(text, line, 5) == 5
    assert textlayout.column_to_offset(text, line, 99) == len(text) - 1
    assert textlayout.offset_to_column(text, line, 11) == 11


def test_fallback_tokens_split_punctuation() -> None:
    text = "Nghị quyết TW 4 (khóa XII), 20/11/2019."
    tokens = [text[s:e] for s, e in textlayout.fallback_tokens(text, 0, len(text))]
    assert tokens == ["Nghị", "quyết", "TW", "4", "(", "khóa", "XII", ")", ",", "20/11/2019", "."]


@given(st.text(alphabet="ab đ\n", max_size=200), st.integers(min_value=8, max_value=30))
def test_wrap_covers_every_non_space_character_once(text: str, width: int) -> None:
    layout = textlayout.wrap(text, 0, len(text), width)
    covered = [i for s, e in layout.lines for i in range(s, e)]
    assert covered == sorted(set(covered))
    assert {i for i, c in enumerate(text) if not c.isspace()} <= set(covered)
    assert all(e - s <= width for s, e in layout.lines)


def test_the_status_line_drops_whole_parts_never_half_a_hint() -> None:
    from rich.text import Text

    from partybuild_tui.tui.widgets.panels import fit

    parts = [Text(" ✓ saved: tag FIGURE ‘My Ly’ "), Text(" article 1 of 5 "), Text(" words ")]
    assert fit(parts, 200).plain == " ✓ saved: tag FIGURE ‘My Ly’ │ article 1 of 5 │ words "
    assert fit(parts, 50).plain == " ✓ saved: tag FIGURE ‘My Ly’ │ article 1 of 5 "
    assert fit(parts, 31).plain == " ✓ saved: tag FIGURE ‘My Ly’ "
    narrow = fit(parts, 12)
    assert narrow.cell_len == 12 and narrow.plain.endswith("…")
