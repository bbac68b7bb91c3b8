"""Pure text geometry for the article view: display lines, tokens and offset lookups.

Kept apart from the widget so wrapping and cursor arithmetic are plain functions over
offsets, cheap to test and to reuse; the widget only turns them into Strips.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from rich.cells import cell_len as _cell_len

from partybuild_tui.core.display import printable

Range = tuple[int, int]


@functools.lru_cache(maxsize=1 << 16)
def cell_len(text: str) -> int:
    """Cells ``text`` takes as the view draws it (a control character as its one-cell picture).
    Cached: wrapping a long article asks for the same syllables tens of thousands of times."""
    return _cell_len(printable(text, body=True))


_NON_SPACE = re.compile(r"\S+")
# Until underthesea's segmentation arrives: letters/digits runs and single punctuation marks.
_FALLBACK_TOKEN = re.compile(r"\w+(?:[-./]\w+)*|[^\w\s]", re.UNICODE)


def fallback_tokens(text: str, start: int, end: int) -> list[Range]:
    """Syllable-like tokens from a regex: usable at once, replaced by the real segmentation."""
    return [(m.start(), m.end()) for m in _FALLBACK_TOKEN.finditer(text, start, end)]


def fallback_sentences(text: str, start: int, end: int) -> list[Range]:
    """Paragraphs stand in for sentences until the segmentation arrives."""
    out: list[Range] = []
    pos = start
    for line in text[start:end].split("\n"):
        if line.strip():
            out.append((pos, pos + len(line)))
        pos += len(line) + 1
    return out


def clip(ranges: Sequence[Range], start: int, end: int) -> list[Range]:
    """The ranges lying wholly inside [start, end)."""
    return [(s, e) for s, e in ranges if s >= start and e <= end]


@dataclass
class Layout:
    """Display lines ([start, end) offsets into the text) for one wrap width."""

    lines: list[Range]
    width: int
    starts: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.starts = [s for s, _ in self.lines]

    def line_of(self, offset: int) -> int:
        """Index of the display line holding ``offset`` (the last one starting at or before)."""
        if not self.lines:
            return 0
        return max(bisect.bisect_right(self.starts, offset) - 1, 0)

    def lines_between(self, start: int, end: int) -> range:
        """Indexes of display lines that [start, end) touches."""
        if not self.lines:
            return range(0)
        return range(self.line_of(start), self.line_of(max(start, end - 1)) + 1)


def wrap(text: str, start: int, end: int, width: int) -> Layout:
    """Wrap text[start:end] at whitespace to ``width`` cells; each newline starts a line."""
    width = max(width, 8)
    lines: list[Range] = []
    pos = start
    for paragraph in text[start:end].split("\n"):
        p_start, p_end = pos, pos + len(paragraph)
        pos = p_end + 1
        _wrap_paragraph(text, p_start, p_end, width, lines)
    return Layout(lines, width)


def _wrap_paragraph(text: str, start: int, end: int, width: int, out: list[Range]) -> None:
    line_start: int | None = None
    line_end = start
    used = 0
    for match in _NON_SPACE.finditer(text, start, end):
        w_start, w_end = match.span()
        w_cells = cell_len(match.group())
        if line_start is not None:
            gap = w_start - line_end
            if used + gap + w_cells <= width:
                line_end, used = w_end, used + gap + w_cells
                continue
            out.append((line_start, line_end))
        while w_cells > width:  # a "word" wider than the pane: hard split
            cut = w_start + width
            out.append((w_start, cut))
            w_start = cut
            w_cells = cell_len(text[w_start:w_end])
        line_start, line_end, used = w_start, w_end, w_cells
    out.append((line_start, line_end) if line_start is not None else (start, start))


def index_at(starts: Sequence[int], offset: int) -> int:
    """Index of the range whose start is the last at or before ``offset`` (0 if none)."""
    return max(bisect.bisect_right(starts, offset) - 1, 0)


def column_to_offset(text: str, line: Range, column: int) -> int:
    """The text offset under cell ``column`` of a display line (clamped to the line)."""
    start, end = line
    cells = 0
    for offset in range(start, end):
        cells += cell_len(text[offset])
        if cells > column:
            return offset
    return max(end - 1, start)


def offset_to_column(text: str, line: Range, offset: int) -> int:
    return cell_len(text[line[0] : max(line[0], min(offset, line[1]))])
