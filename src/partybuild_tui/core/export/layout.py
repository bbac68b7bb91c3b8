"""The tokens and sentences an export writes, refined from underthesea's words.

underthesea keeps punctuation on a syllable ("X." in "khóa X. Ban") and sometimes joins a
sentence end into one word ("X. Ban"). Exported tokens must let every span whose edges are
syllable edges fit exactly and must never hold a sentence end, so:

- at syllable level a syllable is split into its leading punctuation, its core (first to last
  letter or digit: "2.000", "29/03/2017" and "COVID-19" stay whole) and its trailing
  punctuation; a run of one punctuation mark ("...") stays one token;
- inside a word, a syllable ending in ``.``/``!``/``?``/``…`` followed by a capitalised one
  starts a new sentence (and the word is cut there), unless it is an initial in a name
  ("Nguyễn V. Nam") or a common abbreviation ("TP. Hồ Chí Minh").
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator

from partybuild_tui.core.tokenize import Range, Tokenization

_WORDLIKE = re.compile(r"\S+")
_ENDS = ".!?…"
_END_INSIDE = re.compile(r"[.!?…]\s")  # a sentence may end inside a word only there
ABBREVIATIONS = frozenset(
    "TP Tp TT Q P TS ThS PGS GS BS KS CN NXB Th Mr Mrs Dr St Co Ltd No Nr".split()
)


def layout(
    words: Tokenization, level: str, start: int, end: int
) -> tuple[list[Range], list[Range]]:
    """(tokens, sentences) of ``text[start:end]``: words or syllables, no sentence in a token."""
    text = words.text
    breaks: list[int] = []
    units: list[Range] = []
    syllables = level == "syllable"
    first = bisect.bisect_left(words.words, (start, start))
    for word in words.words[first:]:
        if word[0] >= end:
            break
        if word[1] > end:
            continue
        parts = _cut_at_breaks(text, word, breaks) if _END_INSIDE.search(text, *word) else (word,)
        for part in parts:
            if not syllables:
                units.append(part)
            elif (
                text[part[0]].isalnum()
                and text[part[1] - 1].isalnum()
                and " " not in text[part[0] : part[1]]
            ):
                units.append(part)  # one syllable, no punctuation on it: most of them
            else:
                units.extend(_syllable_pieces(text, part))
    return units, _split_sentences(words.sentences, breaks)


def _syllables(text: str, start: int, end: int) -> list[Range]:
    return [m.span() for m in _WORDLIKE.finditer(text, start, end)]


def _cut_at_breaks(text: str, word: Range, breaks: list[int]) -> Iterator[Range]:
    """The word, cut where a sentence ends inside it (the cut offsets go into ``breaks``)."""
    syllables = _syllables(text, *word)
    first = word[0]
    for (a, b), (c, _d) in zip(syllables, syllables[1:], strict=False):
        if _ends_sentence(text, a, b) and text[c].isupper():
            breaks.append(c)
            yield first, b
            first = c
    yield first, word[1]


def _ends_sentence(text: str, start: int, end: int) -> bool:
    if end - start < 2 or text[end - 1] not in _ENDS or not text[end - 2].isalnum():
        return False
    core = text[start : end - 1]
    if core in ABBREVIATIONS:
        return False
    if len(core) == 1 and core.isupper():  # an initial, when a capitalised name precedes it
        before = _syllables(text, max(0, start - 40), start)
        return not (before and text[before[-1][0]].isupper())
    return True


def _syllable_pieces(text: str, word: Range) -> Iterator[Range]:
    for a, b in _syllables(text, *word):
        yield from pieces(text, a, b)


def pieces(text: str, start: int, end: int) -> Iterator[Range]:
    """A whitespace-free syllable as leading punctuation runs, its core, trailing runs."""
    if text[start].isalnum() and text[end - 1].isalnum():
        yield start, end  # no punctuation at its edges: most syllables
        return
    core = [i for i in range(start, end) if text[i].isalnum()]
    lo, hi = (core[0], core[-1] + 1) if core else (end, end)
    yield from _runs(text, start, lo)
    if lo < hi:
        yield lo, hi
    yield from _runs(text, hi, end)


def _runs(text: str, start: int, end: int) -> Iterator[Range]:
    """Runs of one repeated character: "..." is one token, ")." two."""
    pos = start
    while pos < end:
        stop = pos + 1
        while stop < end and text[stop] == text[pos]:
            stop += 1
        yield pos, stop
        pos = stop


def _split_sentences(sentences: tuple[Range, ...], breaks: list[int]) -> list[Range]:
    if not breaks:
        return list(sentences)
    out: list[Range] = []
    for s_start, s_end in sentences:
        lo = bisect.bisect_right(breaks, s_start)
        hi = bisect.bisect_left(breaks, s_end)
        pos = s_start
        for cut in breaks[lo:hi]:
            out.append((pos, cut))
            pos = cut
        out.append((pos, s_end))
    return out
