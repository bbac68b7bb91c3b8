"""Small read-only panels around the text: article header, label legend and status line.

What they show from the store (titles, sources, authors, span text quoted in messages, the
annotator's name) goes through ``printable`` into ``Text``: never markup, never a control code.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from rich.text import Text
from textual.widget import Widget
from textual.widgets import Static

from partybuild_tui.config import LabelSet
from partybuild_tui.core.display import printable, shown
from partybuild_tui.core.store import Article


class ArticleHeader(Static):
    """Title, then date · source · author of the open article, its id and whose layer is
    open with the status there ("layer lan: in progress")."""

    _shown: object = None

    def show(self, article: Article | None, layer: str = "", status: str = "new") -> None:
        if (article, layer, status) == self._shown:
            return  # re-read after another process's commit: nothing new to paint
        self._shown = (article, layer, status)
        if article is None:
            self.update(Text("No article open: choose one on the left and press enter", "dim"))
            return
        text = shown(article.title or "(untitled)", "bold")
        facts = [
            fact
            for fact in (article.date, article.source, article.author and f"by {article.author}")
            if fact
        ]
        facts.append(f"#{article.id} · layer {layer}: {status.replace('_', ' ')}")
        text.append("\n" + printable(" · ".join(facts)), style="dim")
        self.update(text)


class Legend(Static):
    """The label keys and colours, with how many spans of each this article has."""

    def __init__(self, labels: LabelSet, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.labels = labels

    def show(self, span_labels: Sequence[str], pending: int = 0) -> None:
        counts = Counter(span_labels)
        text = Text()
        for label in self.labels.labels:
            if text:
                text.append("  ")
            keys = printable("/".join(label.keys))
            text.append(f" {keys} ", style=f"bold black on {label.color}")
            text.append(f" {printable(label.name)} ", style=f"bold {label.color}")
            text.append(str(counts.get(label.name, 0)))
        unknown = sum(n for name, n in counts.items() if self.labels.get(name) is None)
        if unknown:
            text.append(f"  other {unknown}", style="dim")
        if pending:
            text.append(f"   {pending} suggestion{'s' * (pending != 1)}", style="underline italic")
        self.update(text, layout=False)  # one line, fixed height: no relayout of the screen


class StatusLine(Widget):
    """Where the annotator is and what was last saved (repainted on every cursor move).

    Its parts, most important first: the message ("✓ saved", the suggestion under the
    cursor), the position, the mode, the annotator, the corpus counts. Where the terminal is
    too narrow, whole parts are left out from the end (never half a hint); only the message,
    which always shows, is cut, with an ellipsis.
    """

    _parts: tuple[Text, ...] = ()

    def render(self) -> Text:
        return fit(self._parts, self.size.width)

    def show(
        self,
        *,
        position: tuple[int | None, int],
        counts: dict[str, int],
        annotator: str,
        mode: str,
        message: str = "",
    ) -> None:
        index, total = position
        where = f"article {index + 1:,} of {total:,}" if index is not None else f"{total:,} listed"
        corpus = sum(counts.values())
        finished = counts.get("done", 0) + counts.get("skipped", 0)
        percent = 100 * finished / corpus if corpus else 0
        parts = [
            Text(f" {where} ", style="bold"),
            Text(f" {mode} ", style="bold"),
            Text(f" layer {printable(annotator)} ", style="italic"),
            Text(
                f" done {counts.get('done', 0):,} · skipped {counts.get('skipped', 0):,} · "
                f"in progress {counts.get('in_progress', 0):,} · new {counts.get('new', 0):,} "
                f"({percent:.0f}% of {corpus:,}) "
            ),
        ]
        if message:
            style = "bold green" if message.startswith("✓") else ""
            parts.insert(0, Text(f" {printable(message)} ", style=style))
        if tuple(parts) != self._parts:  # called on every cursor move: repaint on a change
            self._parts = tuple(parts)
            self.refresh()


def fit(parts: Sequence[Text], width: int) -> Text:
    """The parts joined by "│" as far as they fit in ``width`` cells, whole parts only; the
    first one is always shown (cut with "…" if it alone is too wide)."""
    line = Text(no_wrap=True, overflow="ellipsis")
    for i, part in enumerate(parts):
        joint = "│" if i else ""
        if i and line.cell_len + len(joint) + part.cell_len > width:
            break
        line.append(joint)
        line.append_text(part)
    if line.cell_len > width > 0:
        line.truncate(width, overflow="ellipsis")
    return line
