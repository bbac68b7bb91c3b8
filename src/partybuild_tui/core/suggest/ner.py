"""The NER source: underthesea's CRF tagger, sentence by sentence, mapped back onto the text.

underthesea re-tokenizes and may normalize characters, so its words are aligned to the stored
text character by character (ignoring whitespace), never by counting lengths. It runs per
cached sentence: tagging a whole article at once is an order of magnitude slower. On this
genre its PER boundaries often include titles, and party bodies come out as LOC; FIGUREs are
trimmed to the name and LOCs headed by a party or state body become ORGANIZATIONs.
"""

from __future__ import annotations

import difflib
import re
from functools import cached_property

import regex

from partybuild_tui.core.store import Article
from partybuild_tui.core.suggest.base import Context, Proposal
from partybuild_tui.core.suggest.patterns import OutOfTime, Patterns, WordList, finditer_within
from partybuild_tui.core.tokenize import Range, Tokenization, underthesea_version

NER_VERSION = "3"
LABELS = {"PER": "FIGURE", "ORG": "ORGANIZATION"}
ORG_HEADS = ("party_body", "committee", "council", "named_body", "board")
SCORE = {"FIGURE": 0.6, "ORGANIZATION": 0.5}
_SYLLABLE = re.compile(r"\S+")
_TRAILING = ",.;:!?)"


def align_tokens(text: str, start: int, end: int, tokens: list[str]) -> list[Range | None]:
    """Each token's [start, end) in text[start:end], matching non-space characters."""
    chars = [i for i in range(start, end) if not text[i].isspace()]
    stream: list[int] = []  # token index of each non-space token character
    flat: list[str] = []
    for index, token in enumerate(tokens):
        for ch in token:
            if not ch.isspace():
                stream.append(index)
                flat.append(ch)
    position: list[int | None] = [None] * len(flat)
    if len(flat) == len(chars):
        position = list(chars)
    else:
        matcher = difflib.SequenceMatcher(None, flat, [text[i] for i in chars], autojunk=False)
        for a, b, size in matcher.get_matching_blocks():
            for k in range(size):
                position[a + k] = chars[b + k]
    out: list[Range | None] = [None] * len(tokens)
    for k, index in enumerate(stream):
        pos = position[k]
        if pos is None:
            continue
        current = out[index]
        out[index] = (pos, pos + 1) if current is None else (current[0], pos + 1)
    return out


def entities(
    tagged: list[tuple[str, ...]], ranges: list[Range | None]
) -> list[tuple[str, int, int]]:
    """(type, start, end) of each B-/I- chunk; an I- without a B- starts a chunk too."""
    found: list[tuple[str, int, int]] = []
    for row, where in zip(tagged, ranges, strict=True):
        tag = row[-1]
        if len(tag) < 3 or tag[1] != "-" or where is None:
            continue
        kind = tag[2:]
        last = found[-1] if found else None
        if tag.startswith("I-") and last and last[0] == kind and _adjacent(last, where, ranges):
            found[-1] = (kind, last[1], where[1])
        else:
            found.append((kind, where[0], where[1]))
    return found


def _adjacent(last: tuple[str, int, int], where: Range, ranges: list[Range | None]) -> bool:
    """True when no token lies between the chunk so far and this token."""
    return not any(r is not None and last[2] <= r[0] and r[1] <= where[0] for r in ranges)


def _matches_at(words: list[str], at: int, items: WordList) -> int:
    """How many syllables of ``words`` from ``at`` an item of the list covers (0: none)."""
    best = 0
    for item in items.items:
        parts = item.split()
        got = words[at : at + len(parts)]
        if len(got) == len(parts) and (
            [g.casefold() for g in got] == [p.casefold() for p in parts]
            if items.ignore_case
            else got == parts
        ):
            best = max(best, len(parts))
    return best


def trim_person(text: str, start: int, end: int, patterns: Patterns) -> Range | None:
    """The name inside a PER chunk: honorifics and titles dropped, stopped at punctuation."""
    syllables = [(m.start(), m.end()) for m in _SYLLABLE.finditer(text, start, end)]
    words = [text[s:e] for s, e in syllables]
    at = 0
    while at < len(words):
        skip = max(
            _matches_at(words, at, patterns.words("honorific")),
            _matches_at(words, at, patterns.words("title")),
        )
        ambiguous = _matches_at(words, at, patterns.words("ambiguous_honorific"))
        if not skip and ambiguous:
            rest = _capitalized_run(words, at + ambiguous)
            if words[at][:1].islower() or rest >= 2:
                skip = ambiguous
        if not skip:
            break
        at += skip
    run = _capitalized_run(words, at)
    if run < 2:
        return None
    last = at + run - 1
    return syllables[at][0], syllables[last][0] + len(words[last].rstrip(_TRAILING))


def _capitalized_run(words: list[str], at: int) -> int:
    run = 0
    while at + run < len(words):
        word = words[at + run]
        core = word.rstrip(_TRAILING)
        if not core or not core[0].isupper() or not all(ch.isalpha() for ch in core):
            break
        run += 1
        if core != word:  # punctuation ends the name
            break
    return run


def organization_in(text: str, start: int, end: int, patterns: Patterns) -> Range | None:
    """For a LOC chunk: the part from the first party or state body word on, if any."""
    syllables = [(m.start(), m.end()) for m in _SYLLABLE.finditer(text, start, end)]
    words = [text[s:e] for s, e in syllables]
    for at in range(len(words)):
        if any(_matches_at(words, at, patterns.words(name)) for name in ORG_HEADS):
            return syllables[at][0], syllables[-1][1]
    return None


def trim_organization(text: str, start: int, end: int, patterns: Patterns) -> Range | None:
    """An ORGANIZATION chunk cut before punctuation and before a term ("khóa X")."""
    syllables = [(m.start(), m.end()) for m in _SYLLABLE.finditer(text, start, end)]
    words = [text[s:e] for s, e in syllables]
    keep = 0
    for at, word in enumerate(words):
        if _matches_at(words, at, patterns.words("org_stop")) or not word[:1].isalnum():
            break
        core = word.rstrip(",.;:!?")
        keep = at + 1
        if core != word:
            return (syllables[0][0], syllables[at][0] + len(core)) if core else None
    if keep == 0:
        return None
    return syllables[0][0], syllables[keep - 1][1]


class NerSource:
    """underthesea NER: PER proposes FIGURE, ORG (and body-headed LOC) ORGANIZATION."""

    name = "ner"

    def __init__(self, patterns: Patterns) -> None:
        self.patterns = patterns
        self.version = f"{NER_VERSION}+ut{underthesea_version()}+{patterns.digest}"

    def suggest(
        self, article: Article, tokenization: Tokenization, context: Context
    ) -> list[Proposal]:
        text = article.text
        out: list[Proposal] = []
        for s_start, s_end in tokenization.sentences:
            if s_end <= article.body_start or s_start >= article.body_end:
                continue
            out.extend(self.sentence(text, s_start, s_end))
        places = self.places(text)
        return [p for p in out if p.label != "FIGURE" or text[p.start : p.end] not in places]

    def places(self, text: str) -> set[str]:
        """Names the article writes after a unit or committee ("huyện Đồng Văn"): places.

        The CRF often tags such names PER when they stand alone ("đưa Đồng Văn trở thành").
        """
        try:
            return {m["name"] for m in finditer_within(self._place, text, 0, len(text))}
        except OutOfTime:  # a user's {proper} that backtracks: no place is known
            return set()

    @cached_property
    def _place(self) -> regex.Pattern[str]:
        return self.patterns.compile("(?:{admin_unit}|{committee}|{party_body}) (?P<name>{proper})")

    def sentence(self, text: str, start: int, end: int) -> list[Proposal]:
        """Proposals for text[start:end], one sentence."""
        import underthesea  # loads with the first sentence tagged, not with the module

        tagged = underthesea.ner(text[start:end])
        ranges = align_tokens(text, start, end, [row[0] for row in tagged])
        out: list[Proposal] = []
        for kind, e_start, e_end in entities(tagged, ranges):
            found: Range | None = None
            label = LABELS.get(kind)
            if label == "FIGURE":
                found = trim_person(text, e_start, e_end, self.patterns)
            elif label == "ORGANIZATION":
                found = trim_organization(text, e_start, e_end, self.patterns)
            elif kind == "LOC":
                head = organization_in(text, e_start, e_end, self.patterns)
                found = head and trim_organization(text, *head, self.patterns)
                label = "ORGANIZATION"
            if found and label and not self.patterns.not_entity(text[found[0] : found[1]]):
                out.append(Proposal(found[0], found[1], label, SCORE[label]))
        return out
