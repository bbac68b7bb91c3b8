"""The annotate screen's keys: binding tables, their help texts and the help sheet's groups.

Every binding has a ``tooltip``: the help screen shows it and ``reserved_keys()`` refuses
label files that reuse its key.
"""

from __future__ import annotations

from textual.binding import Binding, BindingsMap, BindingType

from partybuild_tui.config import LabelSet
from partybuild_tui.tui.screens.help import binding_rows
from partybuild_tui.tui.widgets.article_list import ArticleList
from partybuild_tui.tui.widgets.article_view import ArticleView

_DELETE = "Delete the span under the cursor (with a selection: all spans in it)"
_DONE = "Mark the article done (again: back in progress)"
_PROTECT = "Protect spans: a tag that overlaps existing spans is refused instead of replacing them"
_SKIP = "Mark the article skipped (again: back in progress)"
_NEXT = "Open the next / previous article to do (new or in progress)"
_FILTER = "Cycle the list filter: all, to do, new, in progress, done, skipped"
_STATS = "Statistics of the listed articles (there: j findings, enter jump to one, esc back)"
_ACCEPT = "Accept the suggestion under the cursor (then go to the next one)"
_REJECT = "Reject the suggestion under the cursor: never proposed here again"
_JUMP = "Next / previous pending suggestion"
_ACCEPT_ALL = "Accept every pending suggestion in the article (one undo)"
_TAG_ALL = "Tag every untagged occurrence of the span under the cursor in this article"
_CYCLE = "Show the next other proposal at this place (where sources disagree)"
_ORDER = "Next to do: in corpus order, or where the trained model is least sure first"

TAG_BINDINGS: list[BindingType] = [
    Binding("d,delete", "delete_span", "Delete", tooltip=_DELETE),
    Binding("u,ctrl+z", "undo", "Undo", tooltip="Undo (kept across restarts)"),
    Binding("U,ctrl+y", "redo", "Redo", show=False),
    Binding("D,ctrl+d", "mark('done')", "Done", tooltip=_DONE),
    Binding("S", "mark('skipped')", "Skip", show=False, tooltip=_SKIP),
    Binding("P", "toggle_protect", "Protect", show=False, tooltip=_PROTECT),
]
SUGGEST_BINDINGS: list[BindingType] = [
    Binding("a", "accept_suggestion", "Accept", tooltip=_ACCEPT),
    Binding("x", "reject_suggestion", "Reject", tooltip=_REJECT),
    Binding("full_stop", "next_suggestion(1)", "Next sugg", key_display=".", tooltip=_JUMP),
    Binding("comma", "next_suggestion(-1)", "Prev sugg.", show=False, tooltip=_JUMP),
    Binding("A", "accept_all", "Accept all", show=False, tooltip=_ACCEPT_ALL),
    Binding("t", "tag_all", "Tag all", show=False, tooltip=_TAG_ALL),
    Binding("c", "cycle_suggestion", "Other", show=False, tooltip=_CYCLE),
]
ARTICLE_BINDINGS: list[BindingType] = [
    Binding("j", "next_article(1)", "Next to do", tooltip=_NEXT),
    Binding("k", "next_article(-1)", "Prev to do", show=False, tooltip=_NEXT),
    Binding("slash", "search", "Search", tooltip="Full-text search of the list (marks optional)"),
    Binding("ctrl+f", "find", "Find", show=False, tooltip="Find a word or phrase in this article"),
    Binding("ctrl+g", "find_next", "Find next", show=False, tooltip="The next match of the find"),
    Binding("F", "cycle_filter", "Filter", show=False, tooltip=_FILTER),
    Binding("O", "toggle_order", "Order", show=False, tooltip=_ORDER),
    Binding("l", "focus_list", "List", show=False, tooltip="Focus the article list"),
    Binding("s", "stats", "Stats", show=False, tooltip=_STATS),
    Binding("question_mark", "help", "Help", tooltip="This help"),
]

# Actions that make no sense without an open article, or with the focus off the text.
NEEDS_ARTICLE = {
    "find",
    "find_next",
    "label",
    "delete_span",
    "undo",
    "redo",
    "mark",
    "accept_suggestion",
    "reject_suggestion",
    "next_suggestion",
    "accept_all",
    "tag_all",
    "cycle_suggestion",
}
NEEDS_TEXT_FOCUS = {
    "label",
    "delete_span",
    "accept_suggestion",
    "reject_suggestion",
    "next_suggestion",
    "tag_all",
    "cycle_suggestion",
}
# The footer is cut at the right on narrow terminals: label, suggestion and help keys go
# first (after the text's own n/m), the rest follow in their declared order.
FOOTER_FIRST = ["a", "x", "full_stop", "question_mark"]


def bind_labels(bindings: BindingsMap, labels: LabelSet) -> None:
    """Bind each label's keys to ``label('<NAME>')`` and put them first in the footer."""
    for label in labels.labels:
        bindings.bind(
            ",".join(label.keys),
            f"label({label.name!r})",
            label.name.title(),
            key_display="/".join(label.keys),
        )
    first = [key for label in labels.labels for key in label.keys] + FOOTER_FIRST
    keyed = bindings.key_to_bindings
    bindings.key_to_bindings = {k: keyed[k] for k in first if k in keyed} | keyed


def help_groups(
    labels: LabelSet, app_bindings: list[BindingType]
) -> list[tuple[str, list[tuple[str, str]]]]:
    """The help sheet's (title, rows) groups, rows as (keys, what they do)."""
    label_rows = [
        (" / ".join(label.keys), f"tag as {label.name} (on a span: relabel it)")
        for label in labels.labels
    ]
    return [
        ("Tagging", label_rows + binding_rows(TAG_BINDINGS)),
        ("Suggestions", binding_rows(SUGGEST_BINDINGS)),
        ("Moving in the text", binding_rows(ArticleView.BINDINGS)),
        ("Articles", binding_rows(ARTICLE_BINDINGS) + binding_rows(ArticleList.BINDINGS)),
        ("App", [("tab / shift+tab", "switch between list and text")] + binding_rows(app_bindings)),
    ]
