"""Small read-only panels around the text: article header, label legend and status line.

What they show from the store (titles, sources, authors, span text quoted in messages, the
annotator's name) goes through ``printable`` into ``Text``: never markup, never a control code.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from rich.text import Text
from textual.widget import Widget
from textual.widgets import Static

from partybuild_tui.config import LabelSet
from partybuild_tui.core.display import printable, shown
from partybuild_tui.core.review import ArticleReview
from partybuild_tui.core.store import Article, Span
from partybuild_tui.core.tagging import quote


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
        self._shown = Text()
        self._counts: tuple[Counter[str], int] = (Counter(), 0)

    def show(self, span_labels: Iterable[str], pending: int = 0) -> None:
        self._counts = (Counter(span_labels), pending)
        self._fit()

    def on_resize(self) -> None:
        self._fit()

    def _fit(self) -> None:
        """The legend in full, or with short names where that does not fit (80 columns with
        the list shown): every label and the suggestion count stay on the line."""
        counts, pending = self._counts
        text = self._legend(counts, pending, short=False)
        if 0 < self.size.width < text.cell_len:
            text = self._legend(counts, pending, short=True)
        if text != self._shown:  # shown after every action: repaint only a change
            self._shown = text
            self.update(text, layout=False)  # one line, fixed height: no relayout of the screen

    def _legend(self, counts: Counter[str], pending: int, *, short: bool) -> Text:
        text = Text()
        gap = " " if short else "  "
        for label in self.labels.labels:
            if text:
                text.append(gap)
            keys = printable("/".join(label.keys))
            name = printable(label.name[:3] if short else label.name)
            text.append(f" {keys} ", style=f"bold black on {label.color}")
            text.append(f" {name} ", style=f"bold {label.color}")
            text.append(str(counts.get(label.name, 0)))
        unknown = sum(n for name, n in counts.items() if self.labels.get(name) is None)
        if unknown:
            text.append(f"{gap}other {unknown}", style="dim")
        if pending:
            what = "sugg." if short else f"suggestion{'s' * (pending != 1)}"
            text.append(f"{gap} {pending} {what}", style="underline italic")
        return text


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


class ReviewPanel(Static):
    """Review: the disagreement being decided, each version with its annotators and its key,
    or why there is nothing to decide."""

    def show_place(
        self,
        labels: LabelSet,
        review: ArticleReview,
        index: int | None,
        keys: str,
        held: Sequence[Span] = (),
    ) -> None:
        """``index`` into ``review.disagreements`` (None: none chosen); ``keys`` name the
        options in order; ``held`` are the review layer's spans (to mark the one it holds)."""
        if not review.reviewable:
            who = ", ".join(review.annotators) or "no annotator"
            self.update(
                Text(
                    f"Nothing to review here: {who} finished this article; a review compares "
                    "two or more annotators' done layers (j: the next article to review)",
                    "dim",
                )
            )
            return
        total = len(review.disagreements)
        remaining = len(review.open)
        if index is None:
            self.update(self._all_decided(review, total, remaining))
            return
        place = review.disagreements[index]
        chosen = place.chosen(held) if index in review.decided else None
        text = Text()
        text.append(f"disagreement {index + 1} of {total}", "bold")
        text.append(f" · {place.describe()}", "dim")
        if index in review.decided:
            text.append(" · decided", "bold green")
        if not remaining:
            text.append(" · all decided: D marks the review done", "bold green")
        else:
            text.append(f" · {remaining} open", "dim")
        width = max(len(", ".join(o.annotators)) for o in place.options)
        for i, option in enumerate(o for o in place.options if o.spans):
            mark = " ✓" if chosen is not None and place.options[chosen] is option else ""
            text.append(f"\n {keys[i]} ", "bold reverse")
            text.append(f" {printable(', '.join(option.annotators)):<{width}}  ")
            for n, span in enumerate(option.spans):
                text.append(" + " if n else "")
                text.append(f" {span.label} ", f"bold black on {labels.color(span.label)}")
                text.append(f" {printable(quote(span.text))}")
            text.append(mark, "bold green")
        lacking = [o for o in place.options if not o.spans]
        nobody = ", ".join(lacking[0].annotators) if lacking else ""
        text.append("\n x ", "bold reverse")
        text.append(f" no span here{f' ({nobody})' if nobody else ''}")
        text.append("   e ", "bold reverse")
        text.append(" edit by hand")
        text.append("   . , ", "bold reverse")
        text.append(" next / previous place", "dim")
        self.update(text)

    @staticmethod
    def _all_decided(review: ArticleReview, total: int, remaining: int) -> Text:
        agreed = f"{len(review.agreed)} agreed span{'s' * (len(review.agreed) != 1)}"
        who = ", ".join(review.annotators)
        if not total:
            return Text(f"{who} agree on all {agreed}: nothing to decide (D: review done)")
        if remaining:
            return Text(f"{remaining} of {total} disagreements open (. jumps to one)")
        return Text(
            f"all {total} disagreements decided ({who}; {agreed}) · D marks the review done · "
            "u undoes a decision",
            "bold green",
        )
