"""What every suggestion source shares: the proposal it makes and the interface it implements.

A source looks at one article (its text and cached tokenization) and proposes labelled
character ranges. It knows nothing of the database: the engine decides what is stored, what
is shown and what was already rejected, so a source can run in a worker process.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Generic, Protocol, TypeVar, runtime_checkable

from partybuild_tui.core.store import Article
from partybuild_tui.core.tokenize import Tokenization


@dataclass(frozen=True)
class Proposal:
    """A labelled range a source proposes, before it is snapped and stored."""

    start: int
    end: int
    label: str
    score: float = 0.5


@dataclass(frozen=True)
class Context:
    """What a source may know besides the article: the spans already tagged in it, and
    what other sources proposed (source name, proposal), stored or from this run."""

    spans: tuple[Placed, ...] = field(default_factory=tuple)  # where (any layer's) lie
    proposals: tuple[tuple[str, Proposal], ...] = field(default_factory=tuple)

    def with_proposals(self, more: list[tuple[str, Proposal]]) -> Context:
        return Context(self.spans, self.proposals + tuple(more))


@runtime_checkable
class Source(Protocol):
    """A suggestion source. ``version`` changes whenever its output for a text may change."""

    name: str
    version: str

    def suggest(
        self, article: Article, tokenization: Tokenization, context: Context
    ) -> list[Proposal]: ...


# ---- syllables ----------------------------------------------------------------------------

_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
_LETTERS = re.compile(r"[^\W\d_]+")


def _tone_key_run(run: str) -> str:
    decomposed = unicodedata.normalize("NFD", run)
    tones = [ch for ch in decomposed if ch in _TONES]
    bare = unicodedata.normalize("NFC", "".join(ch for ch in decomposed if ch not in _TONES))
    return bare + "".join(tones)


def tone_key(text: str) -> str:
    """A form where tone-placement variants agree ('hoà' and 'hòa', 'thuỷ' and 'thủy').

    Each run of letters loses its tone mark, which is appended after the run instead.
    Case is kept: 'Dũng' (a name) and 'dũng' (a word) stay different.
    """
    text = unicodedata.normalize("NFC", text)
    return _LETTERS.sub(lambda m: _tone_key_run(m.group(0)), text)


def snap(tokenization: Tokenization, start: int, end: int) -> tuple[int, int] | None:
    """Widen [start, end) to whole syllables; None if it covers no syllable."""
    syllables = tokenization.syllables
    first = tokenization.syllable_at(start)
    last = tokenization.syllable_at(max(end - 1, start))
    if first is None or last is None:
        return None
    if syllables[first][1] <= start:  # start fell in whitespace after a syllable
        first += 1
    if first >= len(syllables) or first > last:
        return None
    return syllables[first][0], syllables[last][1]


def flatten(proposals: list[Proposal]) -> list[Proposal]:
    """Keep a non-overlapping subset: longer proposals first, then higher scores."""
    kept: FlatSet[Proposal] = FlatSet()
    for proposal in sorted(proposals, key=lambda p: (-(p.end - p.start), -p.score, p.start)):
        kept.add_if_free(proposal)
    return sorted(kept.items, key=lambda p: (p.start, p.end))


class Placed(Protocol):
    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...


P = TypeVar("P", bound=Placed)


class FlatSet(Generic[P]):
    """Disjoint ranges kept in text order, so whether a new one overlaps any is one
    bisection (their ends are sorted too), not a scan: thousands of proposals in a long
    article took seconds the quadratic way."""

    def __init__(self) -> None:
        self.items: list[P] = []
        self._starts: list[int] = []

    def add_if_free(self, item: P) -> bool:
        """Keep ``item`` unless it overlaps one kept; whether it was kept."""
        at = bisect.bisect_left(self._starts, item.end)  # those before start before its end
        if at and self.items[at - 1].end > item.start:
            return False  # the last of them reaches into it
        self.items.insert(at, item)
        self._starts.insert(at, item.start)
        return True
