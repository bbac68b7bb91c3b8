"""What the `model` source sees of each syllable: its form, shape, word, neighbours, the
pattern lists it belongs to and what the other sources propose over it.

Tokens are syllables (the unit spans start and end on), so every annotation stays exactly
learnable even where it cuts an underthesea word; the word is a feature instead. Features are
plain strings (CRFsuite attributes); ``FEATURE_VERSION`` changes whenever they do.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from partybuild_tui.core.suggest.base import Proposal
from partybuild_tui.core.suggest.patterns import Patterns
from partybuild_tui.core.tokenize import Range, Tokenization

FEATURE_VERSION = "1"
# Lists of the pattern file whose membership is a feature (B = first syllable, I = inside).
LIST_FEATURES = (
    "doc_type",
    "admin_unit",
    "party_body",
    "committee",
    "board",
    "council",
    "named_body",
    "honorific",
    "ambiguous_honorific",
    "title",
    "not_entity",
    "org_stop",
)
WINDOW = 2
_ROMAN = re.compile(r"^[IVXLC]+$")
_DIGIT = re.compile(r"\d")


@dataclass(frozen=True)
class Sentence:
    """The syllables of one sentence, as offsets into the article's text."""

    tokens: tuple[Range, ...]


def sentences(tokenization: Tokenization, start: int = 0, end: int | None = None) -> list[Sentence]:
    """The sentences overlapping [start, end), each with its syllables inside that range."""
    stop = len(tokenization.text) if end is None else end
    syllables = tokenization.syllables
    out: list[Sentence] = []
    index = 0
    for s_start, s_end in tokenization.sentences:
        lo, hi = max(s_start, start), min(s_end, stop)
        if lo >= hi:
            continue
        while index < len(syllables) and syllables[index][1] <= lo:
            index += 1
        tokens: list[Range] = []
        j = index
        while j < len(syllables) and syllables[j][0] < hi:
            if syllables[j][0] >= lo:
                tokens.append(syllables[j])
            j += 1
        if tokens:
            out.append(Sentence(tuple(tokens)))
    return out


def shape(token: str) -> str:
    """A coarse shape: capitalised, all caps, digits, roman numeral, slash/dash, punctuation."""
    if _ROMAN.match(token):
        return "roman"
    if token.isdigit():
        return "digits"
    if _DIGIT.search(token):
        return "has_digit"
    if "/" in token or "-" in token:
        return "slash_dash"
    if not any(ch.isalnum() for ch in token):
        return "punct"
    if token.isupper() and len(token) > 1:
        return "caps"
    if token[:1].isupper():
        return "title"
    return "lower"


class ListIndex:
    """Which pattern-list entries start at and cover each token of a sentence."""

    def __init__(self, patterns: Patterns) -> None:
        self.entries: dict[str, tuple[set[tuple[str, ...]], bool, int]] = {}
        for name in LIST_FEATURES:
            words = patterns.words(name)
            items = {
                tuple(self._fold(w, words.ignore_case) for w in i.split()) for i in words.items
            }
            items.discard(())
            if items:
                self.entries[name] = (items, words.ignore_case, max(len(i) for i in items))

    @staticmethod
    def _fold(word: str, ignore_case: bool) -> str:
        return word.casefold() if ignore_case else word

    def marks(self, forms: Sequence[str]) -> list[list[str]]:
        """Per token, the list features (``list:NAME:B`` / ``list:NAME:I``) that apply."""
        out: list[list[str]] = [[] for _ in forms]
        for name, (items, ignore_case, longest) in self.entries.items():
            folded = [self._fold(f.strip(".,;:()\"'"), ignore_case) for f in forms]
            for i in range(len(forms)):
                for size in range(min(longest, len(forms) - i), 0, -1):
                    if tuple(folded[i : i + size]) in items:
                        out[i].append(f"list:{name}:B")
                        for k in range(i + 1, i + size):
                            out[k].append(f"list:{name}:I")
                        break
        return out


def hint_marks(tokens: Sequence[Range], hints: Iterable[tuple[str, Proposal]]) -> list[list[str]]:
    """Per token, what other sources propose over it: ``hint:SOURCE:LABEL:B|I``."""
    out: list[list[str]] = [[] for _ in tokens]
    starts = [t[0] for t in tokens]
    for source, proposal in hints:
        for i, (start, end) in enumerate(tokens):
            if start >= proposal.end:
                break
            if end <= proposal.start:
                continue
            edge = (
                "B" if start <= proposal.start or i == 0 or starts[i - 1] < proposal.start else "I"
            )
            out[i].append(f"hint:{source}:{proposal.label}:{edge}")
    return out


def word_marks(tokenization: Tokenization, tokens: Sequence[Range]) -> list[list[str]]:
    """Per token, the underthesea word it belongs to and its place in that word."""
    out: list[list[str]] = []
    text = tokenization.text
    for start, end in tokens:
        index = tokenization.word_at(start)
        if index is None:
            out.append([])
            continue
        w_start, w_end = tokenization.words[index]
        if not (w_start <= start and end <= w_end):
            out.append(["wpos:S"])
            continue
        single = (w_start, w_end) == (start, end)
        place = "S" if single else ("B" if w_start == start else ("E" if w_end == end else "I"))
        word = "_".join(text[w_start:w_end].lower().split())
        out.append([f"wpos:{place}", f"word={word}"])
    return out


def featurize(
    tokenization: Tokenization,
    sentence: Sentence,
    list_index: ListIndex,
    hints: Sequence[tuple[str, Proposal]] = (),
) -> list[list[str]]:
    """The attributes of every token of one sentence."""
    text = tokenization.text
    forms = [text[s:e] for s, e in sentence.tokens]
    lowers = [f.lower() for f in forms]
    shapes = [shape(f) for f in forms]
    lists = list_index.marks(forms)
    words = word_marks(tokenization, sentence.tokens)
    hinted = hint_marks(sentence.tokens, hints)
    n = len(forms)
    rows: list[list[str]] = []
    for i in range(n):
        row = ["bias", f"w={lowers[i]}", f"shape={shapes[i]}", f"pos={_position(i, n)}"]
        if forms[i][:1].isupper():
            row.append("upper_initial")
        for d in range(-WINDOW, WINDOW + 1):
            if d == 0 or not 0 <= i + d < n:
                continue
            row.append(f"w[{d}]={lowers[i + d]}")
            row.append(f"shape[{d}]={shapes[i + d]}")
        if i > 0:
            row.append(f"w[-1,0]={lowers[i - 1]}|{lowers[i]}")
        if i + 1 < n:
            row.append(f"w[0,1]={lowers[i]}|{lowers[i + 1]}")
        row += words[i] + lists[i] + hinted[i]
        row += [f"prev:{m}" for m in (lists[i - 1] + hinted[i - 1] if i > 0 else ["BOS"])]
        row += [f"next:{m}" for m in (lists[i + 1] + hinted[i + 1] if i + 1 < n else ["EOS"])]
        rows.append(row)
    return rows


def _position(i: int, n: int) -> str:
    if i == 0:
        return "first"
    if i == n - 1:
        return "last"
    return str(i) if i < 4 else "mid"


def bio_tags(tokens: Sequence[Range], spans: Iterable[tuple[int, int, str]]) -> list[str]:
    """BIO tags of tokens for spans given as (start, end, label); a span covers every token
    it overlaps (spans end on syllable edges, so this is exact)."""
    tags = ["O"] * len(tokens)
    for start, end, label in sorted(spans):
        inside = [i for i, (s, e) in enumerate(tokens) if s < end and start < e]
        if not inside or any(tags[i] != "O" for i in inside):
            continue
        tags[inside[0]] = f"B-{label}"
        for i in inside[1:]:
            tags[i] = f"I-{label}"
    return tags


def entities(tokens: Sequence[Range], tags: Sequence[str]) -> list[tuple[int, int, str, int, int]]:
    """(start, end, label, first token, last token) of each entity in BIO tags (IOB2; a
    stray I- starts an entity, as seqeval reads it)."""
    found: list[tuple[int, int, str, int, int]] = []
    current: list[int] | None = None
    label = ""
    for i, tag in enumerate([*tags, "O"]):
        prefix, _, name = tag.partition("-")
        continues = prefix == "I" and current is not None and name == label
        if current is not None and not continues:
            first, last = current[0], current[-1]
            found.append((tokens[first][0], tokens[last][1], label, first, last))
            current = None
        if prefix == "B" or (prefix == "I" and not continues):
            current, label = [i], name
        elif continues and current is not None:
            current.append(i)
    return found
