"""The article body as a Line API widget: wrapped once per width, styled per visible line.

Only the lines a change touches are re-rendered: a cursor move repaints the old and the new
cursor lines, a new span repaints the lines it covers. Strips are cached per display line (an
LRU of a few screens, as toolong does), and the marks on a line are found by bisect over sorted
starts, so a 100,000-character article with thousands of spans costs the same per keypress as
a short one.
"""

from __future__ import annotations

import bisect
import operator
from collections.abc import Sequence
from typing import NamedTuple

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.cache import LRUCache
from textual.geometry import Size
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from partybuild_tui.config import LabelSet
from partybuild_tui.core.display import printable
from partybuild_tui.core.tagging import Here, Mark, difference
from partybuild_tui.tui import textlayout
from partybuild_tui.tui.textlayout import Layout, Range

_CURSOR, _SELECTED, _DISPUTED, _CURRENT = 1, 2, 4, 8
_EXTEND = "Extend the selection by a word (syllable)"
_EXTEND_LINE = "Extend the selection by a line"
_MODE = "Words / syllables (spans cutting a word)"
# Rendered display lines kept: a few screens' worth, so memory stays flat in a huge article.
STRIP_CACHE_LINES = 1024


class Place(NamedTuple):
    """The view's cursor (a token index), its selection's anchor and its mode."""

    cursor: int
    anchor: int | None
    syllables: bool


class ArticleView(ScrollView, can_focus=True):
    """The body of the open article with a token cursor, a selection, spans and suggestions."""

    BINDINGS = [
        Binding("left", "move(-1)", "Word", show=False, tooltip="Previous / next word"),
        Binding("right", "move(1)", "Word", show=False, tooltip="Previous / next word"),
        Binding("shift+left", "move(-1, True)", "Extend", show=False, tooltip=_EXTEND),
        Binding("shift+right", "move(1, True)", "Extend", show=False, tooltip=_EXTEND),
        Binding("up", "line(-1)", "Line", show=False, tooltip="Line up / down"),
        Binding("down", "line(1)", "Line", show=False, tooltip="Line up / down"),
        Binding("shift+up", "line(-1, True)", "Extend", show=False, tooltip=_EXTEND_LINE),
        Binding("shift+down", "line(1, True)", "Extend", show=False, tooltip=_EXTEND_LINE),
        Binding(
            "ctrl+up,left_square_bracket",
            "sentence(-1)",
            "Sentence",
            show=False,
            tooltip="Previous / next sentence",
        ),
        Binding(
            "ctrl+down,right_square_bracket",
            "sentence(1)",
            "Sentence",
            show=False,
            tooltip="Previous / next sentence",
        ),
        Binding("home", "line_edge(False)", "Line", show=False, tooltip="Start / end of the line"),
        Binding("end", "line_edge(True)", "Line", show=False, tooltip="Start / end of the line"),
        Binding("ctrl+home,g", "edge(False)", "Top", show=False, tooltip="Start / end of the text"),
        Binding("ctrl+end,G", "edge(True)", "End", show=False, tooltip="Start / end of the text"),
        Binding("pageup", "page(-1)", "Page", show=False, tooltip="A screen up / down"),
        Binding("pagedown", "page(1)", "Page", show=False, tooltip="A screen up / down"),
        Binding("n", "next_span(1)", "Next span", show=False, tooltip="Next / previous span"),
        Binding("N", "next_span(-1)", "Prev span", show=False, tooltip="Next / previous span"),
        # One key, two bindings: the footer shows the one that applies ("m Words" while in
        # syllable mode), check_action hides the other.
        Binding("m", "mode(True)", "Syllables", tooltip=_MODE),
        Binding("m", "mode(False)", "Words", tooltip=_MODE),
        Binding("escape", "clear_selection", "Unselect", show=False, tooltip="Clear the selection"),
    ]
    COMPONENT_CLASSES = {
        "article-view--text",
        "article-view--cursor",
        "article-view--cursor-blurred",
        "article-view--selection",
        "article-view--disputed",
        "article-view--disputed-current",
    }

    syllable_mode: reactive[bool] = reactive(False, init=False)

    # Where the reader is. Its watchers (the status line, the review panel) run as it is
    # set, so they land in the frame that shows the move: a message would reach them after
    # that frame, and Textual paints the next one 17 ms later at the soonest.
    place: reactive[Place] = reactive(
        Place(0, None, False), init=False, always_update=True, repaint=False
    )

    def __init__(self, labels: LabelSet, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.labels = labels
        self.text = ""
        self.body: Range = (0, 0)
        self.words: list[Range] = []
        self.syllables: list[Range] = []
        self.sentences: list[Range] = []
        self.segmented = False
        self.tokens: list[Range] = []
        self._token_starts: list[int] = []
        self.cursor = 0
        self.sel_anchor: int | None = None
        self.spans: list[Mark] = []
        self._span_starts: list[int] = []
        self._span_ends: list[int] = []
        self.suggestions: list[Mark] = []
        self._hint_starts: list[int] = []
        self._hint_reach = 0
        self._sentence_starts: list[int] = []
        self.regions: list[Range] = []  # places marked for the reader (review: disagreements)
        self._region_ends: list[int] = []
        self.current_region: Range | None = None
        self.text_layout: Layout | None = None
        self._strips: LRUCache[int, Strip] = LRUCache(STRIP_CACHE_LINES)
        self._styles: dict[tuple[str | None, str | None, int, bool], Style] = {}
        self._dragging = False
        self._goal_column: int | None = None

    # ---- data in ----------------------------------------------------------------------------

    def load(
        self, text: str, body: Range, spans: Sequence[Mark], suggestions: Sequence[Mark] = ()
    ) -> None:
        """Show a new article: regex tokens at once, real words once ``set_tokenization`` runs."""
        self.text, self.body = text, body
        self.segmented = False
        self.words = textlayout.fallback_tokens(text, *body)
        self.syllables = self.words
        self._set_sentences(textlayout.fallback_sentences(text, *body))
        self.sel_anchor, self._goal_column = None, None
        self._set_tokens(0)
        self.cursor = 0
        self._set_marks(spans, suggestions)
        self._relayout()
        self.scroll_to(y=0, animate=False, immediate=True)
        self._moved()

    def set_tokenization(self, words: Sequence[Range], sentences: Sequence[Range]) -> None:
        """Swap in underthesea's words and sentences; the cursor keeps its place in the text."""
        start, end = self.body
        self.words = textlayout.clip(words, start, end) or self.words
        self.syllables = [
            (m.start(), m.end())
            for s, e in self.words
            for m in textlayout._NON_SPACE.finditer(self.text, s, e)
        ]
        self._set_sentences(textlayout.clip(sentences, start, end) or self.sentences)
        self.segmented = True
        self._retokenize()

    def _set_sentences(self, sentences: list[Range]) -> None:
        self.sentences = sentences
        self._sentence_starts = [s for s, _ in sentences]

    def set_spans(self, spans: Sequence[Mark]) -> None:
        """Replace the spans, repainting only lines whose marks changed."""
        self._replace_marks(spans, self.suggestions)

    def set_suggestions(self, suggestions: Sequence[Mark]) -> None:
        """Replace the pending suggestions drawn under the text (refresh after deciding one)."""
        self._replace_marks(self.spans, suggestions)

    def set_regions(self, regions: Sequence[Range], current: Range | None = None) -> None:
        """Mark places of the text (disjoint ranges), one of them as the current one."""
        changed = set(self.regions).symmetric_difference(regions)
        if current != self.current_region:
            changed |= {r for r in (current, self.current_region) if r is not None}
        self.regions = sorted(regions)
        self._region_ends = [e for _s, e in self.regions]
        self.current_region = current
        for start, end in changed:
            self._invalidate(start, end)

    def _regions_in(self, start: int, end: int) -> list[Range]:
        out = []
        for i in range(bisect.bisect_right(self._region_ends, start), len(self.regions)):
            if self.regions[i][0] >= end:
                break
            out.append(self.regions[i])
        return out

    def set_marks(self, spans: Sequence[Mark], suggestions: Sequence[Mark]) -> None:
        """Replace spans and suggestions at once, repainting only lines that changed."""
        self._replace_marks(spans, suggestions)

    def _replace_marks(self, spans: Sequence[Mark], suggestions: Sequence[Mark]) -> None:
        old_spans, old_suggestions = self.spans, self.suggestions
        self._set_marks(spans, suggestions)
        for old, new in ((old_spans, self.spans), (old_suggestions, self.suggestions)):
            for changed in difference(old, new):
                for mark in changed:
                    self._invalidate(mark.start, mark.end)

    def _set_marks(self, spans: Sequence[Mark], suggestions: Sequence[Mark]) -> None:
        # Every key that changes data comes here twice (drawn, then committed) with 4,000
        # marks each in the long article: the lists are made by C code, not Python loops.
        self.spans, self._span_starts = _in_text_order(spans)
        self._span_ends = list(map(_END, self.spans))
        self.suggestions, self._hint_starts = _in_text_order(suggestions)
        ends = map(_END, self.suggestions)
        self._hint_reach = max(map(operator.sub, ends, self._hint_starts), default=0)

    def word_cut_at(self, offset: int) -> Range | None:
        """The segmented word that ``offset`` falls strictly inside, if any (a span edge
        there cuts it: exports split the word)."""
        if not self.segmented:
            return None
        i = bisect.bisect_right(self.words, offset, key=lambda w: w[0]) - 1
        if i >= 0 and self.words[i][0] < offset < self.words[i][1]:
            return self.words[i]
        return None

    @property
    def longest_span(self) -> int:
        """The length of the longest span drawn (0 if none)."""
        return max(map(operator.sub, self._span_ends, self._span_starts), default=0)

    # ---- queries ----------------------------------------------------------------------------

    @property
    def selection(self) -> Range | None:
        """The selected [start, end), None when nothing is selected."""
        if self.sel_anchor is None or not self.tokens:
            return None
        lo, hi = sorted((self.sel_anchor, self.cursor))
        return self.tokens[lo][0], self.tokens[hi][1]

    @property
    def cursor_range(self) -> Range | None:
        return self.tokens[self.cursor] if self.tokens else None

    @property
    def target(self) -> Range | None:
        """What a label key applies to: the selection, else the token under the cursor."""
        return self.selection or self.cursor_range

    def here(self) -> Here:
        """The cursor, selection and marks as plain data, for ``core.tagging`` to decide on."""
        return Here(self.cursor_range, self.selection, self.spans, self.suggestions)

    def span_at_cursor(self) -> Mark | None:
        token = self.cursor_range
        if token is None:
            return None
        return next((m for m in self._marks_in(token[0], token[1])), None)

    def suggestions_at_cursor(self) -> list[Mark]:
        """Pending suggestions touching the cursor's token (or the selection)."""
        target = self.target
        if target is None:
            return []
        return self._hints_in(*target)

    def spans_in(self, start: int, end: int) -> list[Mark]:
        return list(self._marks_in(start, end))

    def _marks_in(self, start: int, end: int) -> list[Mark]:
        """Spans overlapping [start, end): spans are flat, so their ends are sorted too."""
        out = []
        for i in range(bisect.bisect_right(self._span_ends, start), len(self.spans)):
            mark = self.spans[i]
            if mark.start >= end:
                break
            out.append(mark)
        return out

    def _hints_in(self, start: int, end: int) -> list[Mark]:
        """Suggestions overlapping [start, end). They may overlap each other, so the search
        starts the longest suggestion's length before ``start``."""
        lo = bisect.bisect_left(self._hint_starts, start - self._hint_reach)
        hi = bisect.bisect_left(self._hint_starts, end)
        return [m for m in self.suggestions[lo:hi] if m.end > start]

    # ---- cursor -----------------------------------------------------------------------------

    def move_to_offset(self, offset: int, *, extend: bool = False) -> None:
        """Put the cursor on the token at ``offset`` (extending the selection if asked)."""
        if self.tokens:
            self._move(textlayout.index_at(self._token_starts, offset), extend)

    def clear_selection(self) -> None:
        if self.sel_anchor is not None:
            self._move(self.cursor, extend=False)

    def _move(self, index: int, extend: bool, *, keep_goal: bool = False) -> None:
        if not self.tokens:
            return
        before = self.target
        if extend and self.sel_anchor is None:
            self.sel_anchor = self.cursor
        elif not extend:
            self.sel_anchor = None
        self.cursor = max(0, min(index, len(self.tokens) - 1))
        if not keep_goal:
            self._goal_column = None
        if before:
            self._invalidate(*before)
        self._invalidate(*self.target)  # type: ignore[misc]
        self._scroll_to_cursor()
        self._moved()

    def _moved(self) -> None:
        """The cursor, the selection or the mode moved (or a new article or new words)."""
        self.place = Place(self.cursor, self.sel_anchor, self.syllable_mode)

    def _scroll_to_cursor(self) -> None:
        if self.text_layout is None or not self.tokens:
            return
        line = self.text_layout.line_of(self.tokens[self.cursor][0])
        height = max(self.scrollable_content_region.height, 1)
        top = int(self.scroll_y)
        margin = min(2, height // 4)
        if line < top + margin:
            self.scroll_to(y=max(line - margin, 0), animate=False, immediate=True)
        elif line >= top + height - margin:
            self.scroll_to(y=line - height + margin + 1, animate=False, immediate=True)

    def action_move(self, delta: int, extend: bool = False) -> None:
        self._move(self.cursor + delta, extend)

    def action_line(self, delta: int, extend: bool = False) -> None:
        if self.text_layout is None or not self.tokens:
            return
        start = self.tokens[self.cursor][0]
        line_index = self.text_layout.line_of(start)
        line = self.text_layout.lines[line_index]
        if self._goal_column is None:
            self._goal_column = textlayout.offset_to_column(self.text, line, start)
        target = line_index + delta
        while 0 <= target < len(self.text_layout.lines) and self._is_blank(target):
            target += delta
        if not 0 <= target < len(self.text_layout.lines):
            self._move(0 if delta < 0 else len(self.tokens) - 1, extend)
            return
        line = self.text_layout.lines[target]
        offset = textlayout.column_to_offset(self.text, line, self._goal_column)
        self._move(self._token_on_line(offset, target, delta), extend, keep_goal=True)

    def _is_blank(self, line_index: int) -> bool:
        assert self.text_layout is not None
        start, end = self.text_layout.lines[line_index]
        return start == end

    def _token_on_line(self, offset: int, line_index: int, delta: int) -> int:
        """The token at ``offset``; going down, the next one if it starts on an earlier line."""
        assert self.text_layout is not None
        index = textlayout.index_at(self._token_starts, offset)
        line_start = self.text_layout.lines[line_index][0]
        starts_before = self.tokens[index][0] < line_start
        if (starts_before and delta > 0 or self.tokens[index][1] <= line_start) and (
            index + 1 < len(self.tokens)
        ):
            index += 1
        return index

    def action_sentence(self, delta: int) -> None:
        if not self.tokens or not self.sentences:
            return
        here = self.tokens[self.cursor][0]
        starts = self._sentence_starts
        current = textlayout.index_at(starts, here)
        if delta > 0:
            target = starts[min(current + 1, len(starts) - 1)] if starts[0] <= here else starts[0]
        else:
            target = starts[current] if starts[current] < here else starts[max(current - 1, 0)]
        self.move_to_offset(target)

    def action_line_edge(self, end: bool) -> None:
        if self.text_layout is None or not self.tokens:
            return
        line_index = self.text_layout.line_of(self.tokens[self.cursor][0])
        start, stop = self.text_layout.lines[line_index]
        self.move_to_offset(max(stop - 1, start) if end else start)

    def action_edge(self, end: bool) -> None:
        self._move(len(self.tokens) - 1 if end else 0, False)

    def action_page(self, delta: int) -> None:
        """A screen up or down in one move, keeping the column (not one line at a time)."""
        if self.text_layout is None or not self.tokens:
            return
        lines = self.text_layout.lines
        start = self.tokens[self.cursor][0]
        line_index = self.text_layout.line_of(start)
        if self._goal_column is None:
            self._goal_column = textlayout.offset_to_column(self.text, lines[line_index], start)
        height = max(self.scrollable_content_region.height - 2, 1)
        target = max(0, min(line_index + delta * height, len(lines) - 1))
        step = 1 if delta > 0 else -1
        while 0 <= target < len(lines) and self._is_blank(target):
            target += step
        if not 0 <= target < len(lines):
            self._move(0 if delta < 0 else len(self.tokens) - 1, False)
            return
        offset = textlayout.column_to_offset(self.text, lines[target], self._goal_column)
        self._move(self._token_on_line(offset, target, step), False, keep_goal=True)

    def action_next_span(self, delta: int) -> None:
        """Jump the cursor to the start of the next (or previous) span."""
        if not self.spans or not self.tokens:
            return
        here = self.tokens[self.cursor][0]
        if delta > 0:
            i = bisect.bisect_right(self._span_starts, here)
            mark = self.spans[i] if i < len(self.spans) else self.spans[0]
        else:
            i = bisect.bisect_right(self._span_ends, here)  # flat spans: ends sorted too
            mark = self.spans[i - 1] if i > 0 else self.spans[-1]
        self.move_to_offset(mark.start)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "clear_selection":
            return self.sel_anchor is not None
        if action == "mode":
            return parameters[0] != self.syllable_mode  # show only the switch that applies
        return True

    def action_toggle_mode(self) -> None:
        self.syllable_mode = not self.syllable_mode

    def action_mode(self, syllables: bool) -> None:
        self.syllable_mode = syllables

    def watch_syllable_mode(self) -> None:
        self._retokenize()
        self.refresh_bindings()

    def action_clear_selection(self) -> None:
        self.clear_selection()

    def _set_tokens(self, keep_offset: int) -> None:
        self.tokens = self.syllables if self.syllable_mode else self.words
        self._token_starts = [s for s, _ in self.tokens]
        self.cursor = textlayout.index_at(self._token_starts, keep_offset) if self.tokens else 0

    def _retokenize(self) -> None:
        """Switch token lists keeping the cursor (and selection) on the same text."""
        cursor_at = self.tokens[self.cursor][0] if self.tokens else self.body[0]
        anchor_at = (
            self.tokens[self.sel_anchor][0] if self.sel_anchor is not None and self.tokens else None
        )
        self._set_tokens(cursor_at)
        if anchor_at is not None:
            self.sel_anchor = textlayout.index_at(self._token_starts, anchor_at)
        self._clear_strips()
        self._moved()

    # ---- mouse ------------------------------------------------------------------------------

    def _offset_at(self, event: events.MouseEvent) -> int | None:
        offset = event.get_content_offset(self)
        if offset is None or self.text_layout is None or not self.text_layout.lines:
            return None
        line_index = min(offset.y + int(self.scroll_y), len(self.text_layout.lines) - 1)
        return textlayout.column_to_offset(self.text, self.text_layout.lines[line_index], offset.x)

    def on_mouse_down(self, event: events.MouseDown) -> None:
        if event.button != 1:
            return
        at = self._offset_at(event)
        if at is None:
            return
        self.focus()
        self._dragging = True
        self.capture_mouse()
        self.move_to_offset(at)
        self.sel_anchor = self.cursor  # reported once the drag moves (a click selects nothing)

    def on_mouse_move(self, event: events.MouseMove) -> None:
        if not self._dragging:
            return
        at = self._offset_at(event)
        if at is not None:
            self.move_to_offset(at, extend=True)

    def on_mouse_up(self, event: events.MouseUp) -> None:
        if not self._dragging:
            return
        self._dragging = False
        self.release_mouse()
        if self.sel_anchor == self.cursor:
            self.sel_anchor = None
            self._invalidate(*self.tokens[self.cursor])
        self._moved()

    # ---- rendering --------------------------------------------------------------------------

    def on_resize(self, event: events.Resize) -> None:
        self._relayout()

    def on_focus(self) -> None:
        self._repaint_cursor()

    def on_blur(self) -> None:
        self._repaint_cursor()

    def _repaint_cursor(self) -> None:
        if self.target:
            self._invalidate(*self.target)

    def _relayout(self) -> None:
        width = self.scrollable_content_region.width
        if width <= 0:
            return
        self.text_layout = textlayout.wrap(self.text, *self.body, width)
        self.virtual_size = Size(width, len(self.text_layout.lines))
        self._clear_strips()
        self._scroll_to_cursor()

    def _clear_strips(self) -> None:
        self._strips.clear()
        self._styles.clear()
        self.refresh()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles.clear()
        self._strips.clear()

    def _invalidate(self, start: int, end: int) -> None:
        if self.text_layout is None:
            return
        lines = self.text_layout.lines_between(start, end)
        for index in lines:
            self._strips.discard(index)
        if lines:
            self.refresh_lines(lines.start, len(lines))

    def render_line(self, y: int) -> Strip:
        index = y + int(self.scroll_y)
        width = self.scrollable_content_region.width
        if self.text_layout is None or index >= len(self.text_layout.lines):
            return Strip.blank(width, self.rich_style)
        strip = self._strips.get(index)
        if strip is None:
            strip = self._render_display_line(index, width)
            self._strips[index] = strip
        return strip

    def _render_display_line(self, index: int, width: int) -> Strip:
        assert self.text_layout is not None
        start, end = self.text_layout.lines[index]
        length = end - start
        labels: list[str | None] = [None] * length
        hints: list[str | None] = [None] * length
        flags = [0] * length
        for mark in self._marks_in(start, end):
            for i in range(max(mark.start, start) - start, min(mark.end, end) - start):
                labels[i] = mark.label
        for mark in self._hints_in(start, end):
            for i in range(max(mark.start, start) - start, min(mark.end, end) - start):
                hints[i] = mark.label
        for region in self._regions_in(start, end):
            self._flag(flags, start, end, region, _DISPUTED)
        self._flag(flags, start, end, self.current_region, _CURRENT)
        self._flag(flags, start, end, self.selection, _SELECTED)
        self._flag(flags, start, end, self.cursor_range, _CURSOR)
        segments: list[Segment] = []
        run_start = 0
        for i in range(1, length + 1):
            if i == length or (labels[i], hints[i], flags[i]) != (
                labels[run_start],
                hints[run_start],
                flags[run_start],
            ):
                style = self._style(labels[run_start], hints[run_start], flags[run_start])
                piece = self.text[start + run_start : start + i]
                segments.append(Segment(printable(piece, body=True), style))  # same length
                run_start = i
        strip = Strip(segments)
        return strip.extend_cell_length(width, self.rich_style).crop(0, width)

    @staticmethod
    def _flag(flags: list[int], start: int, end: int, rng: Range | None, bit: int) -> None:
        if rng is None or rng[0] >= end or start >= rng[1]:
            return
        for i in range(max(rng[0], start) - start, min(rng[1], end) - start):
            flags[i] |= bit

    def _style(self, label: str | None, hint: str | None, flags: int) -> Style:
        key = (label, hint, flags, self.has_focus)
        style = self._styles.get(key)
        if style is None:
            style = self._compose_style(label, hint, flags)
            self._styles[key] = style
        return style

    def _compose_style(self, label: str | None, hint: str | None, flags: int) -> Style:
        style = self.rich_style + self.get_component_rich_style("article-view--text")
        if hint is not None:
            style += Style(color=self.labels.color(hint), underline=True, italic=True)
        if label is not None:
            style += Style(bgcolor=self.labels.color(label), color="black", underline=False)
        if flags & _DISPUTED:
            style += self.get_component_rich_style("article-view--disputed")
        if flags & _CURRENT:
            style += self.get_component_rich_style("article-view--disputed-current")
        if flags & _SELECTED:
            style += self.get_component_rich_style("article-view--selection")
        if flags & _CURSOR:
            name = "article-view--cursor" if self.has_focus else "article-view--cursor-blurred"
            style += self.get_component_rich_style(name)
        return style


_START = operator.itemgetter(1)  # a Mark's start and end, read by C code
_END = operator.itemgetter(2)


def _place(mark: Mark) -> tuple[int, int]:
    return mark.start, mark.end


def _in_text_order(marks: Sequence[Mark]) -> tuple[list[Mark], list[int]]:
    """The marks sorted by place, and their starts; most come sorted already, which a check
    of their starts (a C-level sort of integers) finds faster than sorting by a Python key."""
    starts = list(map(_START, marks))
    if starts == sorted(starts) and len(set(starts)) == len(starts):
        return list(marks), starts  # in order, and flat lists never share a start
    ordered = sorted(marks, key=_place)
    return ordered, list(map(_START, ordered))
