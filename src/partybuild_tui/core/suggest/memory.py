"""The memory source: what the user already tagged, proposed wherever it occurs again.

Forms are compared by ``tone_key`` with whitespace removed, so NFC/NFD and tone-placement
variants ("hoà"/"hòa") match while case still matters, and a match must start and end on
syllable edges. The lexicon's digest is the source's version: tagging a new form re-runs
memory on the next compute, tagging nothing new does not.
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import itertools
import threading
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property

from partybuild_tui.core import tokenize
from partybuild_tui.core.store import Action, Article, NewSpan, Store
from partybuild_tui.core.suggest.base import Context, Proposal, tone_key
from partybuild_tui.core.suggest.patterns import Patterns
from partybuild_tui.core.tokenize import Range, Tokenization
from partybuild_tui.errors import UserError

MEMORY_VERSION = "7"  # 7: the digest is a sum of item hashes
SCORE = 0.95
MIN_FORM_CHARS = 2
FIND_ONE_BY_ONE = 64  # new forms found by a scan each; more at once (see ``places``)
_CLOSE = set(",.;:!?)]}\"'”’…»")
_OPEN = set("([{\"'“‘«")


@functools.lru_cache(maxsize=1 << 17)
def form_key(text: str) -> str:
    """A form's key: tone-folded, whitespace gone. Cached: the lexicon keys every tagged
    form of the corpus again after each new tag (thousands of Unicode normalizations)."""
    return "".join(tone_key(text).split())


@dataclass(frozen=True)
class Lexicon:
    """Tagged forms (by key) and the label most often given to each."""

    labels: dict[str, str]
    known_digest: str | None = field(default=None, compare=False, repr=False)  # = digest

    @cached_property
    def digest(self) -> str:
        """Its fingerprint, the memory source's version: the sum of its items' hashes, so
        it does not depend on their order and can be kept up to date item by item."""
        if self.known_digest is not None:
            return self.known_digest
        return digest_of(sum(item_hash(key, label) for key, label in self.labels.items()))


def item_hash(key: str, label: str) -> int:
    """One lexicon item's part of the digest (stable across processes, unlike ``hash``)."""
    return int.from_bytes(hashlib.blake2b(f"{key}\t{label}".encode(), digest_size=8).digest())


def digest_of(total: int) -> str:
    return f"{total % (1 << 64):016x}"[:12]


# Lists of the pattern file whose items, standing alone, the label guide says are not
# entities ("Đảng bộ", "Chi bộ", "tỉnh"): memory never propagates them, even once tagged.
BARE_LISTS = ("not_entity", "party_body", "admin_unit", "honorific", "title")


def load_lexicon(store: Store, patterns: Patterns | None = None) -> Lexicon:
    """Every form tagged in the corpus with its majority label, less the forms the user
    took back since (rejected or deleted after they were last tagged) and bare type nouns."""
    tagged, hashes, total = _tagged.setdefault(str(store.path), TaggedForms()).read(store)
    withdrawn = {
        key
        for text, at in store.withdrawn_forms()
        if (key := form_key(text)) in tagged and at > tagged[key][1]
    }
    never = withdrawn | (bare_forms(patterns) if patterns is not None else set())
    labels = {
        key: label
        for key, (label, _at) in tagged.items()
        if len(key) >= MIN_FORM_CHARS and key not in never
    }
    left_out = sum(hashes[key] for key in never if key in hashes)
    return Lexicon(labels, known_digest=digest_of(total - left_out))


class TaggedForms:
    """One database's tagged forms by key, kept in step through its change clock (m017):
    after a tag only the forms changed since are read, where reading every form and
    counting its votes again took ~18 ms per run of memory at 8,000 forms."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.whole_reads = 0  # times it read every form (a new database, or a mismatch)
        self._reset("", -1)

    def _reset(self, uid: str, ticks: int) -> None:
        self.uid, self.ticks = uid, ticks
        self.rows: dict[tuple[str, str], tuple[int, str]] = {}  # (form, label) -> (n, last)
        self.members: dict[str, set[tuple[str, str]]] = {}  # key -> its (form, label) rows
        self.by_key: dict[str, tuple[str, str]] = {}  # key -> (majority label, last tagged)
        self.hashes: dict[str, int] = {}  # key -> item_hash(key, label), long enough keys
        self.total = 0  # their sum: the digest of a lexicon of every key
        self.spans = 0  # the rows' counts summed (checked against the store's totals)

    def read(self, store: Store) -> tuple[dict[str, tuple[str, str]], dict[str, int], int]:
        """Key -> (majority label, last tagged at), up to date with ``store``; key ->
        its item hash (keys a lexicon may hold); the sum of those."""
        with self.lock:
            uid, ticks, changed = store.tagged_forms_since(self.uid, self.ticks)
            if uid != self.uid or ticks < self.ticks:  # another database: every form came
                self._reset(uid, ticks)
                self.whole_reads += 1
            self.uid, self.ticks = uid, ticks
            self._apply(changed)
            if store.tagged_totals() != self._totals():  # a copy over the file? read all
                self._reset(uid, ticks)
                self.whole_reads += 1
                self._apply(store.tagged_forms())
            return dict(self.by_key), dict(self.hashes), self.total

    def _apply(self, changed: Iterable[tuple[str, str, int, str]]) -> None:
        keys: set[str] = set()
        for text, label, count, at in changed:
            key = form_key(text)
            keys.add(key)
            self.spans -= self.rows.get((text, label), (0, ""))[0]
            if count > 0:
                self.spans += count
                self.rows[(text, label)] = (count, at)
                self.members.setdefault(key, set()).add((text, label))
            else:
                self.rows.pop((text, label), None)
                self.members.get(key, set()).discard((text, label))
        for key in keys:
            self.total -= self.hashes.pop(key, 0)
            members = self.members.get(key)
            if not members:
                self.members.pop(key, None)
                self.by_key.pop(key, None)
                continue
            counts: dict[str, int] = {}
            last = ""
            for text, label in members:
                count, at = self.rows[(text, label)]
                counts[label] = counts.get(label, 0) + count
                last = max(last, at)
            majority = _majority(counts)
            self.by_key[key] = (majority, last)
            if len(key) >= MIN_FORM_CHARS:
                self.hashes[key] = item_hash(key, majority)
                self.total += self.hashes[key]

    def _totals(self) -> tuple[int, int]:
        return len(self.rows), self.spans


_tagged: dict[str, TaggedForms] = {}  # database path -> its forms as last read


def tagged_forms(store: Store) -> dict[str, tuple[str, str]]:
    """Key -> (majority label, last tagged at) of every form tagged in ``store``'s corpus."""
    return _tagged.setdefault(str(store.path), TaggedForms()).read(store)[0]


def bare_forms(patterns: Patterns) -> set[str]:
    return {form_key(item) for name in BARE_LISTS for item in patterns.words(name).items}


def lexicon_from(tagged: Iterable[tuple[str, str, int]], *, never: Collection[str] = ()) -> Lexicon:
    """A lexicon from (surface form, label, times tagged) triples; ``never`` holds form keys
    left out."""
    votes: dict[str, dict[str, int]] = {}  # plain dicts: a Counter each cost ~30 ms in all
    for text, label, count in tagged:
        key = form_key(text)
        if len(key) < MIN_FORM_CHARS or key in never:
            continue
        counts = votes.get(key)
        if counts is None:
            votes[key] = {label: count}
        else:
            counts[label] = counts.get(label, 0) + count
    return Lexicon({key: _majority(counts) for key, counts in votes.items()})


def _majority(counts: dict[str, int]) -> str:
    """The label given most often (ties: the first in alphabetical order)."""
    if len(counts) == 1:
        return next(iter(counts))
    return min(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0]


class SyllableIndex:
    """An article's syllables as one key string, to find forms on syllable edges."""

    def __init__(self, tokenization: Tokenization) -> None:
        self.syllables = tokenization.syllables
        self.text = text = tokenization.text
        self.by_start = {s: i for i, (s, _) in enumerate(self.syllables)}
        self.by_end = {e: i for i, (_, e) in enumerate(self.syllables)}
        self.sentence_starts = {s for s, _ in tokenization.sentences}
        parts: list[str] = []
        self.starts: dict[int, int] = {}
        self.ends: dict[int, int] = {}
        pos = 0
        known: dict[str, str] = {}  # syllables repeat: each distinct one is keyed once
        for index, (start, end) in enumerate(self.syllables):
            syllable = text[start:end]
            key = known.get(syllable)
            if key is None:
                key = known[syllable] = form_key(syllable)
            self.starts[pos] = index
            parts.append(key)
            pos += len(key)
            self.ends[pos] = index
        self.keys = "".join(parts)
        self._places: dict[str, list[Range]] = {}  # key -> places (see ``places``)

    def inside_name(self, start: int, end: int) -> bool:
        """True when the match runs on into a longer name or token at either edge.

        A capitalized word right before or after ("Đảng bộ huyện" in "Đảng bộ huyện Si Ma
        Cai") or a character glued on ("số 05" in "số 05-CT/TW") means it is only a part.
        """
        if end < len(self.text) and not self.text[end].isspace() and self.text[end] not in _CLOSE:
            return True
        if start > 0 and not self.text[start - 1].isspace() and self.text[start - 1] not in _OPEN:
            return True
        after = self.by_start.get(_skip_blanks(self.text, end, 1))
        before = self.by_end.get(_skip_blanks(self.text, start, -1))
        if before is not None and self.syllables[before][0] in self.sentence_starts:
            before = None  # a sentence's first word is capitalized anyway ("Anh", "Ông")
        return any(
            i is not None and _capitalized(self.text, *self.syllables[i]) for i in (after, before)
        )

    def matches(
        self, keys: dict[str, int], prefixes: Collection[str] | None = None
    ) -> list[tuple[int, Range]]:
        """(value, range) of every ``keys`` entry covering whole syllables: from each
        syllable, runs of syllables are looked up while they begin some key (``prefixes``,
        every prefix of every key), so most syllables cost one lookup, where ``find`` per
        key scans the text once per key: thousands of forms."""
        if prefixes is None:
            prefixes = key_prefixes(keys)
        ends = sorted(self.ends)
        text, syllables, last_of, get = self.keys, self.syllables, self.ends, keys.get
        out: list[tuple[int, Range]] = []
        for at, first in self.starts.items():
            i = bisect.bisect_right(ends, at)
            while i < len(ends):
                piece = text[at : ends[i]]
                if piece not in prefixes:
                    break  # no key begins so: none longer from here either
                value = get(piece)
                if value is not None and first <= (last := last_of[ends[i]]):
                    out.append((value, (syllables[first][0], syllables[last][1])))
                i += 1
        return out

    def places(
        self, keys: Sequence[str], prefixes: Callable[[], Collection[str]]
    ) -> dict[str, list[Range]]:
        """Key -> the ranges in text order where it covers whole syllables and is not part
        of a longer name, for every key in ``keys`` (and more). Kept per key: after a tag
        the lexicon differs by a form or two, and finding every form again took a tenth of
        a second in a long article. Many new keys are matched at once (``prefixes()``: a
        superset of their prefixes), a few one by one."""
        known = self._places
        missing = [key for key in keys if key not in known]
        if len(missing) > FIND_ONE_BY_ONE:
            found = self.matches({key: n for n, key in enumerate(missing)}, prefixes())
        else:
            found = [(n, place) for n, key in enumerate(missing) for place in self.find(key)]
        by_key: dict[str, list[Range]] = {key: [] for key in missing}
        for n, (start, end) in sorted(found):
            if not self.inside_name(start, end):
                by_key[missing[n]].append((start, end))
        known.update(by_key)
        return known

    def find(self, key: str) -> list[Range]:
        """Character ranges where ``key`` covers whole syllables."""
        out: list[Range] = []
        at = self.keys.find(key)
        while at != -1 and key:
            first, last = self.starts.get(at), self.ends.get(at + len(key))
            if first is not None and last is not None and first <= last:
                out.append((self.syllables[first][0], self.syllables[last][1]))
            at = self.keys.find(key, at + 1)
        return out


_last_index: list[tuple[Tokenization, SyllableIndex]] = []  # the article memory ran on last


def syllable_index(tokenization: Tokenization) -> SyllableIndex:
    """The index of these words, kept for the last tokenization asked for: after each tag the
    app re-runs memory on the same article (a tenth of a second to build in a long one)."""
    for seen, index in list(_last_index):
        if seen == tokenization:
            return index
    index = SyllableIndex(tokenization)
    _last_index[:] = [(tokenization, index)]
    return index


def key_prefixes(keys: Iterable[str]) -> frozenset[str]:
    """Every non-empty prefix of every key."""
    return frozenset(key[:n] for key in keys for n in range(1, len(key) + 1))


_prefixes: dict[str, frozenset[str]] = {}  # lexicon digest -> its key prefixes (the last one)


def _skip_blanks(text: str, pos: int, step: int) -> int:
    """The offset past the spaces and tabs from ``pos`` in direction ``step``."""
    if step > 0:
        while pos < len(text) and text[pos] in " \t":
            pos += 1
    else:
        while pos > 0 and text[pos - 1] in " \t":
            pos -= 1
    return pos


def _capitalized(text: str, start: int, end: int) -> bool:
    word = text[start:end]
    return word.isalpha() and word[0].isupper()


class MemorySource:
    """Proposes the corpus's tagged forms where they occur untagged in this article."""

    name = "memory"

    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        self.version = f"{MEMORY_VERSION}+{lexicon.digest}"

    def suggest(
        self, article: Article, tokenization: Tokenization, context: Context
    ) -> list[Proposal]:
        labels = self.lexicon.labels
        if not labels:
            return []
        places = syllable_index(tokenization).places(list(labels), self._prefixes)
        spans = sorted(context.spans, key=lambda s: s.start)
        starts = [s.start for s in spans]
        reach = list(itertools.accumulate((s.end for s in spans), max))
        out: list[Proposal] = []
        for key, label in labels.items():  # in lexicon order
            for start, end in places[key]:
                if start < article.body_start or end > article.body_end:
                    continue
                i = bisect.bisect_left(starts, end)  # of the spans starting before its end,
                if i and reach[i - 1] > start:  # does any reach into it?
                    continue
                out.append(Proposal(start, end, label, SCORE))
        return out

    def prepare(self, tokenization: Tokenization) -> None:
        """Find every form's places in these words now (a tenth of a second in a long
        article), so the runs after the next tags there only look up the new forms."""
        if self.lexicon.labels:
            syllable_index(tokenization).places(list(self.lexicon.labels), self._prefixes)

    def _prefixes(self) -> frozenset[str]:
        """The lexicon's key prefixes: the same lexicon runs on article after article (a
        batch), so the last one's are kept."""
        digest = self.lexicon.digest
        prefixes = _prefixes.get(digest)
        if prefixes is None:
            prefixes = key_prefixes(self.lexicon.labels)
            _prefixes.clear()
            _prefixes[digest] = prefixes
        return prefixes


def tag_all_occurrences(
    store: Store, article_id: int, span_id: int, annotator: str
) -> Action | None:
    """Tag every untagged occurrence of the span's text in its article body, as one action.

    Like the memory source, the page boilerplate after the body is left alone. Pending
    memory suggestions at those places are marked accepted (in the annotator's layer) in the
    same action, so one undo takes it all back. None when there is nothing more to tag. The
    spans are read in the same write transaction as the apply, so a concurrent tag cannot
    slip in between and be overlapped; segmentation (slow, CPU-bound) runs before, outside
    the write lock.
    """
    span = store.span(span_id)
    if span.article_id != article_id:
        raise UserError(f"span {span_id} is not in article {article_id}")
    article = store.article(article_id)
    index = syllable_index(tokenize.tokenization(store, article))
    with store.write():
        span = store.span(span_id)
        taken = store.spans(article_id, annotator)
        added: list[NewSpan] = []
        for start, end in index.find(form_key(span.text)):
            if start < article.body_start or end > article.body_end:
                continue
            if any(s.start < end and start < s.end for s in taken):
                continue
            if any(a.start < end and start < a.end for a in added):
                continue
            added.append(NewSpan(start, end, span.label, "propagated"))
        if not added:
            return None
        places = [(a.start, a.end, a.label) for a in added]
        decided = store.pending_at(article_id, places, annotator)
        return store.apply(
            article_id,
            annotator,
            "tag all",
            add=added,
            suggestions=[(sid, "pending", "accepted") for sid in decided],
        )
