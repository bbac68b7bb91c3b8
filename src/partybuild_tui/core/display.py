"""Showing stored text on a terminal: never as markup, never as terminal control sequences.

Titles, sources, authors, annotators, labels, forms and article text come from scraped files
and other people's exports. Through rich or Textual a string is parsed as markup
("[/bold]" raises, "[link=…]" makes a hyperlink) and its control characters reach the
terminal ("\\x1b]0;…\\x07" retitles the window, "\\x1b[2J" clears it). Every stored string is
shown through ``printable`` (or as ``shown``'s ``Text``, which is never parsed as markup):
each control character becomes one visible stand-in, so the displayed string has the stored
string's length and offsets into it are offsets into the stored text.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.text import Text

REPLACEMENT = "\ufffd"  # C1 controls have no control picture of their own


def _pictures() -> dict[int, str]:
    table = {code: chr(0x2400 + code) for code in range(0x20)}  # ␀ … ␟, ␛ for ESC
    table[0x7F] = "\u2421"  # ␡
    table.update(dict.fromkeys(range(0x80, 0xA0), REPLACEMENT))
    return table


_PICTURES = _pictures()
_BODY = {**_PICTURES, ord("\t"): " "}  # in running text a tab reads as the space it is


def printable(text: str, *, body: bool = False) -> str:
    """``text`` with each control character replaced by one visible character (same length).

    ``body``: running article text, where a tab is shown as a space rather than as ␉.
    """
    return text.translate(_BODY if body else _PICTURES)


def shown(text: str | None, style: str = "") -> Text:
    """A stored string as a rich ``Text``: no markup parsed, control characters visible."""
    from rich.text import Text  # here: printable() serves `partybuild --help`, which has no rich

    return Text(printable(text or ""), style=style)
