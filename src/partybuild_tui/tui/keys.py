"""The annotate screen's keys: binding tables, their help texts and the help sheet's groups.

Every binding has a ``tooltip``: the help screen shows it and ``reserved_keys()`` refuses
label files that reuse its key.
"""

from __future__ import annotations

import re
from collections import Counter

from textual.binding import Binding, BindingsMap, BindingType

from partybuild_tui.config import LabelSet
from partybuild_tui.tui.screens.help import binding_rows, key_label
from partybuild_tui.tui.widgets.article_list import ArticleList
from partybuild_tui.tui.widgets.article_view import ArticleView

_DELETE = "Delete the span under the cursor (with a selection: all spans in it)"
_DONE = "Mark the article done and open the next to do (again: back in progress)"
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
_EXPORT_ONE = "The open article with your spans, to exports/articles/ beside the database"
_SWITCH_LAYER = "Open another annotator's spans and statuses (tagging then goes to that layer)"
_TOGGLE_LIST = "Hide / show the article list (it hides itself below 100 columns)"
_MINE = "List and next to do: only the articles assigned to you, or all (partybuild assign)"

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
    Binding("M", "toggle_mine", "Mine", show=False, tooltip=_MINE),
    Binding("l", "focus_list", "List", show=False, tooltip="Focus the article list"),
    Binding("L", "toggle_list", "Hide list", show=False, tooltip=_TOGGLE_LIST),
    Binding("s", "stats", "Stats", show=False, tooltip=_STATS),
    Binding("question_mark", "help", "Help", tooltip="This help"),
]

# Actions that make no sense without an open article, or with the focus off the text.
NEEDS_ARTICLE = {
    "export_article",
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
# The footer is cut at the right on narrow terminals: help and the label keys go first (after
# the text's own m: at 80 columns that is all that fits), then the suggestion keys, then the
# rest in their declared order.
FOOTER_HELP = ["question_mark"]
FOOTER_FIRST = ["a", "x", "full_stop"]


def bind_labels(bindings: BindingsMap, labels: LabelSet) -> None:
    """Bind each label's keys to ``label('<NAME>')`` and put them first in the footer."""
    for label in labels.labels:
        bindings.bind(
            ",".join(label.keys),
            f"label({label.name!r})",
            label.name.title(),
            key_display="/".join(label.keys),
        )
    first = FOOTER_HELP + [key for label in labels.labels for key in label.keys] + FOOTER_FIRST
    keyed = bindings.key_to_bindings
    bindings.key_to_bindings = {k: keyed[k] for k in first if k in keyed} | keyed


# Text-view actions the palette offers (cursor moves are left to the keys).
PALETTE_VIEW = ("next_span", "mode")
_PAIR = re.compile(r"(\w+) / (\w+)")


def one_of_pair(tooltip: str, nth: int) -> str:
    """The part of a shared "Next / previous X" tooltip that the ``nth`` binding does."""
    found = _PAIR.search(tooltip)
    if found is None:
        return tooltip
    word = found.group(1 + min(nth, 1))
    title = tooltip[: found.start()] + word + tooltip[found.end() :]
    return title[0].upper() + title[1:]


def palette_entries(labels: LabelSet) -> list[tuple[str, str, str, bool]]:
    """(title with its key, help, action, on the text view?) for every action of the annotate
    screen, for the command palette: users find an action by name and learn its key."""
    out = [
        (
            f"Tag as {label.name}  ({'/'.join(label.keys)})",
            label.description,
            f"label({label.name!r})",
            False,
        )
        for label in labels.labels
    ]
    out.append(("Export this article as JSONL", _EXPORT_ONE, "export_article", False))
    out.append(("Switch annotator layer…", _SWITCH_LAYER, "switch_layer", False))
    bound = TAG_BINDINGS + SUGGEST_BINDINGS + ARTICLE_BINDINGS
    screen = [b for b in bound if isinstance(b, Binding)]
    view = [
        b
        for b in ArticleView.BINDINGS
        if isinstance(b, Binding) and b.action.startswith(PALETTE_VIEW)
    ]
    shared = Counter(b.tooltip for b in screen + view if b.tooltip)
    seen: set[str] = set()
    tooltips: dict[str, int] = {}
    for bindings, on_view in ((screen, False), (view, True)):
        for binding in bindings:
            action = "toggle_mode" if binding.action.startswith("mode(") else binding.action
            if action in seen:
                continue
            seen.add(action)
            keys = " / ".join(key_label(k.strip()) for k in binding.key.split(","))
            tip = binding.tooltip or binding.description
            nth = tooltips[tip] = tooltips.get(tip, -1) + 1
            paired = shared[tip] > 1 and action != "toggle_mode"
            title = one_of_pair(tip, nth) if paired else tip
            out.append((f"{title}  ({keys})", binding.description, action, on_view))
    return out


def help_groups(
    labels: LabelSet, app_bindings: list[BindingType]
) -> list[tuple[str, list[tuple[str, str]]]]:
    """The help sheet's (title, rows) groups, rows as (keys, what they do)."""
    label_rows = [
        (
            " / ".join(label.keys),
            f"tag as {label.name} (on a span: relabel it; on a suggestion: accept it as "
            f"{label.name}, correcting its label)",
        )
        for label in labels.labels
    ]
    return [
        ("Tagging", label_rows + binding_rows(TAG_BINDINGS)),
        ("Suggestions", binding_rows(SUGGEST_BINDINGS)),
        ("Moving in the text", binding_rows(ArticleView.BINDINGS)),
        ("Articles", binding_rows(ARTICLE_BINDINGS) + binding_rows(ArticleList.BINDINGS)),
        (
            "App",
            [("tab / shift+tab", "switch between list and text")]
            + binding_rows(app_bindings)
            + [("ctrl+p", "every action by name (command palette)")],
        ),
    ]
