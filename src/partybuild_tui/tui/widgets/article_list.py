"""The article list: a Line API view whose rows are read from the store a page at a time.

It holds no widget per article and no rows it does not show: only the matching ids (one
integer each, from an index) so any row, and the position of any article, is found at once
even among 100,000 articles; titles and counts are read in pages of ``PAGE`` as they scroll
into view.
"""

from __future__ import annotations

import bisect

from rich.cells import cell_len
from rich.segment import Segment
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from partybuild_tui.core.display import printable
from partybuild_tui.core.layers import is_review
from partybuild_tui.core.store import ArticleRow, Store

PAGE = 100
STATUS_MARKS = {"new": "·", "in_progress": "◐", "done": "●", "skipped": "⊘"}
TODO = ("new", "in_progress")
# The status filters ``F`` cycles through: (name shown in the title, statuses; None: all).
FILTERS: list[tuple[str, tuple[str, ...] | None]] = [
    ("all", None),
    ("to do", TODO),
    ("new", ("new",)),
    ("in progress", ("in_progress",)),
    ("done", ("done",)),
    ("skipped", ("skipped",)),
]


def _fit(text: str, width: int) -> str:
    """``text`` cut (with an ellipsis) or padded to exactly ``width`` cells."""
    if width <= 0:
        return ""
    if cell_len(text) <= width:
        return text + " " * (width - cell_len(text))
    out = ""
    for char in text:
        if cell_len(out + char) > width - 1:
            break
        out += char
    return out + "…" + " " * (width - 1 - cell_len(out))


class ArticleList(ScrollView, can_focus=True):
    """Articles matching a status filter and a search query, in id order.

    Statuses and span counts are those of ``annotator_layer`` (the annotator's own); with
    ``assigned`` set, only the articles assigned to that annotator are listed.
    """

    BINDINGS = [
        Binding("up", "cursor(-1)", "Up", show=False, tooltip="List: move"),
        Binding("down", "cursor(1)", "Down", show=False, tooltip="List: move"),
        Binding("pageup", "page(-1)", "Page up", show=False, tooltip="List: move"),
        Binding("pagedown", "page(1)", "Page down", show=False, tooltip="List: move"),
        Binding("home", "jump(False)", "First", show=False, tooltip="List: move"),
        Binding("end", "jump(True)", "Last", show=False, tooltip="List: move"),
        Binding("enter", "open", "Open", tooltip="List: open the article (or click it)"),
    ]
    COMPONENT_CLASSES = {
        "article-list--cursor",
        "article-list--cursor-blurred",
        "article-list--open",
        "article-list--dim",
    }

    cursor: reactive[int] = reactive(0, init=False)

    class Opened(Message):
        """The user chose an article (enter or click)."""

        def __init__(self, article_id: int) -> None:
            super().__init__()
            self.article_id = article_id

    def __init__(self, store: Store, layer: str | None = None, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.store = store
        self.annotator_layer = layer
        self.assigned: str | None = None
        self.filter_index = 0
        self.status: tuple[str, ...] | None = None
        self.search: str | None = None
        self.open_id: int | None = None
        self.ids: list[int] = []
        self._pages: dict[int, list[ArticleRow]] = {}
        self._clock: int | None = None  # the store's list clock when the ids were read

    # ---- data -------------------------------------------------------------------------------

    def set_filter(self, query: str | None, index: int | None = None) -> None:
        """Show only articles matching this full-text query, with the statuses of
        ``FILTERS[index]`` (by default the filter shown now)."""
        if index is not None:
            self.filter_index = index % len(FILTERS)
        self.status, self.search = FILTERS[self.filter_index][1], (query or None)
        self.reload()
        self.cursor = self.position(self.open_id) or 0
        self._scroll_to_cursor()

    def cycle_filter(self) -> None:
        """The next status filter (all, to do, new, …, back to all), keeping the search."""
        self.set_filter(self.search, self.filter_index + 1)

    @property
    def filter_name(self) -> str:
        return FILTERS[self.filter_index][0]

    @property
    def title(self) -> str:
        """What the list shows: 'to do · 1,234 · “query”' ('mine · …': assigned ones only)."""
        share = ""
        if self.assigned:
            share = "to review · " if is_review(self.assigned) else "mine · "
        text = f"{share}{self.filter_name} · {self.total:,}"
        return text + f" · “{self.search}”" if self.search else text

    @property
    def total(self) -> int:
        return len(self.ids)

    def reload(self) -> None:
        """Re-read which articles match (after a status change) and forget cached rows."""
        self._clock = self.store.list_clock()  # first: a change landing after is seen next
        self._show_ids(self._matching())

    def _matching(self) -> list[int]:
        return self.store.article_ids(
            status=self.status,
            query=self.search,
            layer=self.annotator_layer,
            assigned=self.assigned,
        )

    def _show_ids(self, ids: list[int]) -> None:
        self.ids = ids
        self.virtual_size = Size(self.scrollable_content_region.width, self.total)
        if self.total and self.cursor >= self.total:
            self.cursor = self.total - 1
        self.refresh_rows()

    def reload_if_changed(self) -> None:
        """After a commit elsewhere: re-read the ids only if the store's list clock moved
        (every id is 50 ms at 100,000 articles; most commits are tags, which move no row in
        or out), and the cached rows (their span counts); repaint only what changed."""
        clock = self.store.list_clock()
        if clock != self._clock:
            self._clock = clock
            ids = self._matching()
            if ids != self.ids:
                self._show_ids(ids)
                return
        self._refresh_visible_rows()

    def _refresh_visible_rows(self) -> None:
        """Re-read the rows on screen (one query) and repaint those that changed; cached
        pages off screen are dropped, read again when they scroll into view."""
        top = int(self.scroll_offset.y)
        bottom = min(self.total, top + self.size.height)
        for page in [p for p in self._pages if not (p * PAGE < bottom and top < (p + 1) * PAGE)]:
            del self._pages[page]
        if top >= bottom:
            return
        fresh = self.store.article_rows(self.ids[top:bottom], self.annotator_layer)
        if len(fresh) != bottom - top:  # an article went: read the pages again
            self.refresh_rows()
            return
        for index, row in enumerate(fresh, start=top):
            page, within = divmod(index, PAGE)
            rows = self._pages.get(page)
            if rows is not None and within < len(rows) and rows[within] != row:
                rows[within] = row
                self.refresh_line(index)

    def refresh_after(self, *, status_changed: bool) -> None:
        """After a change in the open article: re-read the ids only if a status change can
        move rows in or out, else only the open article's row (its span count)."""
        if status_changed and self.status:
            self.reload()
        elif status_changed:
            self.refresh_rows()
        else:
            self.refresh_open_row()

    def refresh_open_row(self) -> None:
        """Re-read and repaint the open article's row alone (a page of rows costs a query
        with a span count per article, on every key that tags)."""
        index = self.position(self.open_id)
        if index is None:
            return
        page, within = divmod(index, PAGE)
        rows = self._pages.get(page)
        if rows is None or within >= len(rows):
            return  # not read yet: it is read when it scrolls into view
        fresh = self.store.article_rows([rows[within].id], self.annotator_layer)
        if fresh:
            rows[within] = fresh[0]
            self.refresh_line(index)

    def refresh_rows(self) -> None:
        """Forget cached rows (span counts, statuses) and repaint what is visible."""
        self._pages.clear()
        self.refresh()

    def row(self, index: int) -> ArticleRow | None:
        if not 0 <= index < self.total:
            return None
        page = index // PAGE
        rows = self._pages.get(page)
        if rows is None:
            rows = self.store.article_rows(
                self.ids[page * PAGE : (page + 1) * PAGE], self.annotator_layer
            )
            self._pages[page] = rows
        within = index - page * PAGE
        return rows[within] if within < len(rows) else None

    @property
    def cursor_id(self) -> int:
        """The article on the cursor's row (0 when the list is empty)."""
        row = self.row(self.cursor)
        return row.id if row else 0

    def position(self, article_id: int | None) -> int | None:
        """Row of an article in the list, None if the filter hides it."""
        if article_id is None:
            return None
        index = bisect.bisect_left(self.ids, article_id)
        return index if index < self.total and self.ids[index] == article_id else None

    def show_open(self, article_id: int) -> None:
        """Mark ``article_id`` as the open one and move the cursor onto it if it is listed."""
        self.open_id = article_id
        index = self.position(article_id)
        if index is not None:
            self.cursor = index
            self._scroll_to_cursor()
        self.refresh()

    # ---- keys and mouse ---------------------------------------------------------------------

    def watch_cursor(self, old: int, new: int) -> None:
        self.refresh_line(old)
        self.refresh_line(new)

    def _scroll_to_cursor(self) -> None:
        height = max(self.scrollable_content_region.height, 1)
        top = int(self.scroll_y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False, immediate=True)

    def action_cursor(self, delta: int) -> None:
        if self.total:
            self.cursor = max(0, min(self.cursor + delta, self.total - 1))
            self._scroll_to_cursor()

    def action_page(self, delta: int) -> None:
        self.action_cursor(delta * max(self.scrollable_content_region.height - 1, 1))

    def action_jump(self, end: bool) -> None:
        self.action_cursor(self.total if end else -self.total)

    def action_open(self) -> None:
        row = self.row(self.cursor)
        if row is not None:
            self.post_message(self.Opened(row.id))

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        index = offset.y + int(self.scroll_y)
        if index < self.total:
            self.cursor = index
            self.action_open()

    def on_focus(self) -> None:
        self.refresh_line(self.cursor)

    def on_blur(self) -> None:
        self.refresh_line(self.cursor)

    def on_resize(self, event: events.Resize) -> None:
        self.virtual_size = Size(self.scrollable_content_region.width, self.total)
        self.refresh()

    # ---- rendering --------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        index = y + int(self.scroll_y)
        width = self.scrollable_content_region.width
        row = self.row(index)
        if row is None:
            return Strip.blank(width, self.rich_style)
        style = self.rich_style
        if row.status in ("done", "skipped"):
            style += self.get_component_rich_style("article-list--dim")
        if row.id == self.open_id:
            style += self.get_component_rich_style("article-list--open")
        if index == self.cursor:
            name = "article-list--cursor" if self.has_focus else "article-list--cursor-blurred"
            style += self.get_component_rich_style(name)
        return Strip([Segment(self._format(row, width), style)], width)

    @staticmethod
    def _format(row: ArticleRow, width: int) -> str:
        mark = STATUS_MARKS.get(row.status, "?")
        date = printable(row.date or "")[:10]
        source = printable(row.source or "")
        tail = f" {date:10} {_fit(source, 8)} {row.span_count:>3}"
        if width < 40:
            tail = f" {row.span_count:>3}"
        title_width = width - 2 - cell_len(tail)
        return _fit(f"{mark} {_fit(printable(row.title), title_width)}{tail}", width)
