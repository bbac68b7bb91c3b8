"""The stats screen: the ``partybuild stats`` summary inside the app, with jumps to problems.

Self-contained so the app only has to push it and handle ``StatsScreen.JumpTo``:

    self.push_screen(StatsScreen(db_path, StatsFilter(status=("done",))))

    def on_stats_screen_jump_to(self, message: StatsScreen.JumpTo) -> None:
        self.pop_screen()
        self.open_article(message.article_id, cursor=message.offset)

Figures are computed in a thread worker on its own ``Store`` connection (WAL lets it read
while the app writes), so a large database never freezes the interface.
"""

from __future__ import annotations

from pathlib import Path

from rich.console import Group
from rich.rule import Rule
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from partybuild_tui import config
from partybuild_tui.config import LabelSet
from partybuild_tui.core import stats as st
from partybuild_tui.core.display import shown
from partybuild_tui.core.store import Store
from partybuild_tui.errors import UserError
from partybuild_tui.render.stats import (
    filter_line,
    render_articles,
    section_renderables,
    where,
)
from partybuild_tui.tui.frames import FramePaced


def jump_targets(stats: st.Stats) -> list[tuple[str, st.Location]]:
    """(description, location) for every consistency finding the user can jump to."""
    if stats.consistency is None:
        return []
    out = []
    for conflict in stats.consistency.conflicts:
        for loc in conflict.locations:
            out.append((f"{conflict.form}  tagged {loc.label}  {where(loc)}", loc))
    for untagged in stats.consistency.untagged:
        for loc in untagged.locations:
            out.append((f"{untagged.form}  untagged ({untagged.label})  {where(loc)}", loc))
    for suspect in stats.consistency.suspect:
        for loc in suspect.locations:
            out.append((f"{suspect.form}  tagged {suspect.label}, likely wrong  {where(loc)}", loc))
    return out


class StatsScreen(FramePaced, Screen[None]):
    """Progress, labels, per-article density, consistency and suggestions for a filter."""

    CSS_PATH = "stats.tcss"
    BINDINGS = [
        Binding("escape", "close", "Close"),
        Binding("r", "refresh", "Recompute"),
        Binding("j", "focus_jumps", "Jump list"),
        Binding("o", "sort", "Sort articles"),
        Binding("O", "reverse", "Reverse sort"),
    ]

    class JumpTo(Message):
        """The user chose a consistency finding: open this article at this offset."""

        def __init__(self, article_id: int, offset: int) -> None:
            super().__init__()
            self.article_id = article_id
            self.offset = offset

    def __init__(
        self,
        db: Path | str | Store,
        filters: st.StatsFilter | None = None,
        *,
        labels: LabelSet | None = None,
        top: int = 10,
        name: str | None = None,
        id: str | None = None,  # noqa: A002  (Textual's parameter name)
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.db_path = db.path if isinstance(db, Store) else Path(db)
        self.filters = filters or st.StatsFilter()
        self.labels = labels or config.load_labels(self.db_path)
        self.top = top
        self.sort = "density"
        self.descending = False
        self.stats: st.Stats | None = None
        self._targets: list[st.Location] = []

    def compose(self) -> ComposeResult:
        line = filter_line(st.Stats(self.filters, []))
        title = "Statistics" + (f" — {line.plain}" if line else "")
        yield Static(shown(title), id="stats-title")
        with VerticalScroll(id="stats-body"):
            yield Static("Computing…", id="stats-status")
        yield Footer()

    def on_mount(self) -> None:
        self.compute()

    @work(thread=True, exclusive=True, group="stats")
    def compute(self, sections: tuple[str, ...] = st.SECTIONS) -> None:
        """Read the figures on a connection of this thread's own."""
        try:
            with Store(self.db_path, create=False) as store:
                stats = st.compute(
                    store,
                    self.filters,
                    labels=self.labels.names,
                    sections=sections,
                    top=self.top,
                    sort=self.sort,
                    descending=self.descending,
                )
        except UserError as exc:
            self.app.call_from_thread(self._show_error, str(exc))
            return
        if get_current_worker().is_cancelled:
            return  # a newer computation (another sort, a refresh) replaced this one
        if sections == ("articles",):
            self.app.call_from_thread(self._show_articles, stats)
        else:
            # mypy cannot infer T of call_from_thread's ``T | Awaitable[T]`` from a coroutine
            self.app.call_from_thread(self._show, stats)  # type: ignore[arg-type]

    def _show_error(self, message: str) -> None:
        line = Text.assemble(("error:", "red"), " ", shown(message))
        self.query_one("#stats-status", Static).update(line)

    async def _show(self, stats: st.Stats) -> None:
        self.stats = stats
        body = self.query_one("#stats-body", VerticalScroll)
        await body.query(".stats-section, #stats-jumps").remove()
        self.query_one("#stats-status", Static).update("")
        widgets: list[Static | OptionList] = []
        for title, renderable in section_renderables(stats, self.labels):
            key = title.lower().replace(" ", "-")
            widgets.append(
                Static(
                    Group(Rule(title, align="left", style="grey50"), renderable),
                    id=f"stats-{key}",
                    classes="stats-section",
                )
            )
            if title == "Consistency":
                widgets.extend(self._jump_list(stats))
        await body.mount_all(widgets)

    def _show_articles(self, stats: st.Stats) -> None:
        """Only the per-article table changed (a new sort): redraw that section alone."""
        if self.stats is None or stats.articles is None:
            return
        self.stats.articles = stats.articles
        table = render_articles(stats.articles, self.labels)
        self.query_one("#stats-per-article", Static).update(
            Group(Rule("Per article", align="left", style="grey50"), table)
        )

    def _jump_list(self, stats: st.Stats) -> list[OptionList]:
        targets = jump_targets(stats)
        self._targets = [loc for _, loc in targets]
        if not targets:
            return []
        options = [Option(shown(text), id=str(i)) for i, (text, _) in enumerate(targets)]
        return [OptionList(*options, id="stats-jumps")]

    @on(OptionList.OptionSelected, "#stats-jumps")
    def _jump(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        loc = self._targets[int(event.option_id or 0)]
        self.post_message(self.JumpTo(loc.article_id, loc.start))

    def action_close(self) -> None:
        self.dismiss()

    def action_refresh(self) -> None:
        self.query_one("#stats-status", Static).update("Computing…")
        self.compute()

    def sort_columns(self) -> list[str]:
        labels = self.stats.labels if self.stats else self.labels.names
        return [*st.SORT_COLUMNS, *labels]

    def action_sort(self) -> None:
        """Sort the per-article table by the next column (density, then id, title, …)."""
        columns = self.sort_columns()
        index = columns.index(self.sort) if self.sort in columns else -1
        self.sort = columns[(index + 1) % len(columns)]
        self.compute(("articles",))

    def action_reverse(self) -> None:
        self.descending = not self.descending
        self.compute(("articles",))

    def action_focus_jumps(self) -> None:
        jumps = self.query("#stats-jumps")
        if jumps:
            jumps.first().focus()
        elif self.stats is None:
            self.notify("Still computing…", timeout=2)
        else:
            self.notify("No consistency findings to jump to", timeout=3)
