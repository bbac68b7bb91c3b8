"""Comparing Vietnamese surface forms: NFC/NFD and old/new tone placement count as the same.

The same name is typed "hoà" in one article and "hòa" in another ("thuỷ"/"thủy", "khoẻ"/
"khỏe"): the syllable is identical, only the vowel that carries the tone mark differs. The
consistency checks must see one form, so every syllable's tone mark is moved to one canonical
vowel (the classic "old style" rule, which only differs from the new one for open oa/oe/uy).
The result keeps the text's length in NFC, so offsets found in folded text are offsets in the
original.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache

TONES = frozenset("\u0300\u0301\u0303\u0309\u0323")  # huyền, sắc, ngã, hỏi, nặng
VOWELS = frozenset("aăâeêioôơuưy")
MARKED_VOWELS = "ăâêôơư"  # vowels with a quality mark take the tone first
_SYLLABLE = re.compile(r"[^\W\d_]+")
_NEW_STYLE_PAIRS = ("oa", "oe", "uy")


@lru_cache(maxsize=4096)
def _split_tone(char: str) -> tuple[str, str]:
    """A letter without its tone mark, and the tone mark ('' if none)."""
    decomposed = unicodedata.normalize("NFD", char)
    tone = "".join(c for c in decomposed if c in TONES)
    if not tone:
        return char, ""
    base = "".join(c for c in decomposed if c not in TONES)
    return unicodedata.normalize("NFC", base), tone


def tone_position(syllable: str, *, new_style: bool = False) -> int | None:
    """Index of the vowel that carries the tone in a toneless lower-case syllable."""
    start = 0
    if syllable.startswith("qu"):
        start = 2
    elif syllable.startswith("gi") and len(syllable) > 2 and syllable[2] in VOWELS:
        start = 2
    first = next((i for i in range(start, len(syllable)) if syllable[i] in VOWELS), None)
    if first is None:
        return None
    last = first
    while last + 1 < len(syllable) and syllable[last + 1] in VOWELS:
        last += 1
    cluster = range(first, last + 1)
    marked = [i for i in cluster if syllable[i] in MARKED_VOWELS]
    if marked:
        return marked[-1]
    if last + 1 < len(syllable) or len(cluster) == 1:  # closed syllable: the last vowel
        return last
    if len(cluster) >= 3:
        return first + 1
    if new_style and syllable[first : last + 1] in _NEW_STYLE_PAIRS:
        return last
    return first


@lru_cache(maxsize=65536)
def _fold_syllable(syllable: str, new_style: bool) -> str:
    parts = [_split_tone(c) for c in syllable]
    tones = [tone for _, tone in parts if tone]
    if len(tones) != 1 or len(tones[0]) != 1:
        return syllable
    bases = [base for base, _ in parts]
    position = tone_position("".join(bases).lower(), new_style=new_style)
    if position is None:
        return syllable
    toned = unicodedata.normalize("NFC", unicodedata.normalize("NFD", bases[position]) + tones[0])
    if len(toned) != 1 or any(len(b) != 1 for b in bases):
        return syllable  # no precomposed letter: leave it as typed, keep the length
    bases[position] = toned
    return "".join(bases)


def fold_tones(text: str, *, new_style: bool = False) -> str:
    """``text`` in NFC with each syllable's tone mark on the canonical vowel.

    ``new_style`` places it the new way ("hoà", "thuỷ") instead of the old ("hòa", "thủy");
    both styles of input give the same output either way. Length is that of NFC(text).
    """
    nfc = unicodedata.normalize("NFC", text)
    return _SYLLABLE.sub(lambda m: _fold_syllable(m.group(), new_style), nfc)


def _lower_same_length(text: str) -> str:
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


def search_fold(text: str) -> str:
    """Tones folded and lower-cased, same length as NFC(text): for finding forms in a text."""
    return _lower_same_length(fold_tones(text))


def _plain(char: str) -> str:
    if char in "đĐ":
        return "d"
    base = unicodedata.normalize("NFD", char)[:1]
    return base.lower() if len(base.lower()) == 1 else base


class _PlainTable(dict[int, str]):
    """``str.translate``'s table for ``plain_fold``, filled as characters are met: one C-level
    pass instead of a Python call per character (indexing a 5 k-character article, a merge of
    thousands)."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        folded = _plain(char) if code > 127 else char.lower()
        self[code] = folded
        return folded


_PLAIN_TABLE = _PlainTable()


def plain_fold(text: str) -> str:
    """Every tone and vowel mark dropped, đ → d, lower case, one character for each of
    NFC(text)'s: how users type Vietnamese without an IME ("nghi quyet", "dang bo"); offsets
    found in it are offsets in the NFC text."""
    return unicodedata.normalize("NFC", text).translate(_PLAIN_TABLE)


def find_plain(text: str, query: str, after: int = -1) -> tuple[int, int] | None:
    """The first occurrence of ``query`` starting after ``after`` (wrapping to the top),
    marks, đ, case and tone placement ignored; offsets into NFC ``text``."""
    needle = " ".join(plain_fold(query).split())
    if not needle:
        return None
    haystack = plain_fold(text)
    found = haystack.find(needle, after + 1)
    if found == -1:
        found = haystack.find(needle)
    return None if found == -1 else (found, found + len(needle))


def surface_key(text: str) -> str:
    """The identity of a surface form: tone placement, Unicode form, case and spacing ignored."""
    return " ".join(search_fold(text).split())


def syllables(text: str) -> list[str]:
    """The word-like pieces of a form, as a full-text index tokenizes it."""
    return re.findall(r"\w+", unicodedata.normalize("NFC", text))


def tone_variants(syllable: str) -> set[str]:
    """The spellings of one syllable a corpus may hold (old and new tone placement)."""
    return {fold_tones(syllable), fold_tones(syllable, new_style=True)}


def form_pattern(form: str) -> re.Pattern[str]:
    """A regex for ``form`` in stored (NFC) text in any case, spacing and tone style.

    It has no leading word-boundary test (that made scanning five times slower); use
    ``find_form``, which checks the character before each hit instead.
    """
    pieces = []
    for piece in surface_key(form).split():
        variants = sorted({piece, fold_tones(piece, new_style=True)})
        pieces.append("(?:" + "|".join(re.escape(v) for v in variants) + ")")
    return re.compile(r"\s+".join(pieces) + r"(?!\w)", re.IGNORECASE)


def _word_char(char: str) -> bool:
    return char.isalnum() or char == "_"


def find_form(
    pattern: re.Pattern[str], text: str, start: int = 0, end: int | None = None
) -> Iterator[tuple[int, int]]:
    """[start, end) of each whole-syllable occurrence of a ``form_pattern`` in text[start:end]."""
    stop = len(text) if end is None else end
    pos = start
    while (hit := pattern.search(text, pos, stop)) is not None:
        if hit.start() > 0 and _word_char(text[hit.start() - 1]):
            pos = hit.start() + 1  # inside a longer word: look again just after
            continue
        yield hit.span()
        pos = hit.end()
