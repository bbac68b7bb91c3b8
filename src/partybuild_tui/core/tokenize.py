"""Vietnamese words, syllables and sentences as character offsets into the stored text.

underthesea segments; this module maps its output back onto the exact text (it may drop or
normalize characters, so alignment searches forward instead of trusting lengths) and caches
the result per article and content hash, so opening an article never segments it again.
Sentences never cross a newline: each paragraph is split on its own.

underthesea gets at most ``MAX_PIECE`` characters at a time: a longer paragraph is cut at the
last sentence end (else space) before that, so time and memory per call stay bounded however
large the article, and a caller's ``cancelled()`` is asked between sentences, so
segmentation can be abandoned (another article opened, the app quitting) within a fraction
of a second. underthesea (over a
second to import) loads on the first segmentation, so reading cached words never pays for it.
"""

from __future__ import annotations

import bisect
import importlib
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache, cached_property

from partybuild_tui.core import workers
from partybuild_tui.core.store import Article, Store

Range = tuple[int, int]
Check = Callable[[], bool]
MAX_PIECE = 4000  # characters underthesea segments at once (paragraphs are rarely longer)
_WORDLIKE = re.compile(r"\S+")
_SENTENCE_END = re.compile(r"[.!?…;:][\"'”’)\]]*\s")


class Cancelled(Exception):
    """Segmentation was abandoned: its ``cancelled()`` said so between two sentences."""


@dataclass(frozen=True)
class Tokenization:
    """Words (underthesea segmentation) and sentences of a text, as [start, end) offsets."""

    words: tuple[Range, ...]
    sentences: tuple[Range, ...]
    text: str

    @cached_property
    def syllables(self) -> tuple[Range, ...]:
        """Each word split at whitespace: the smallest unit a span may start or end on."""
        out: list[Range] = []
        for start, end in self.words:
            for found in _WORDLIKE.finditer(self.text, start, end):
                out.append((found.start(), found.end()))
        return tuple(out)

    @cached_property
    def _word_starts(self) -> list[int]:
        return [start for start, _ in self.words]

    @cached_property
    def _syllable_starts(self) -> list[int]:
        return [start for start, _ in self.syllables]

    def word_at(self, offset: int) -> int | None:
        """Index of the word containing ``offset`` (or the nearest one before it)."""
        return _index_at(self._word_starts, offset)

    def syllable_at(self, offset: int) -> int | None:
        return _index_at(self._syllable_starts, offset)

    def boundaries(self) -> tuple[set[int], set[int]]:
        """Offsets where a span may start and end (syllable edges)."""
        return {s for s, _ in self.syllables}, {e for _, e in self.syllables}

    def words_in(self, start: int, end: int) -> list[Range]:
        lo = bisect.bisect_left(self._word_starts, start)
        out = []
        for s, e in self.words[max(lo - 1, 0) :]:
            if s >= end:
                break
            if e > start:
                out.append((s, e))
        return out

    def flat(self) -> tuple[list[int], list[int]]:
        return [x for r in self.words for x in r], [x for r in self.sentences for x in r]


@cache
def underthesea_version() -> str:
    """The installed underthesea's version, read from its metadata without importing it."""
    from importlib import metadata  # ~20 ms: only when a cache key is first needed

    return metadata.version("underthesea")


@cache
def tokenizer_id() -> str:
    """The key of cached tokenizations: a new underthesea segments again."""
    return f"underthesea-{underthesea_version()}/1"


def _index_at(starts: list[int], offset: int) -> int | None:
    if not starts:
        return None
    return max(bisect.bisect_right(starts, offset) - 1, 0)


def _pairs(flat: Sequence[int]) -> tuple[Range, ...]:
    return tuple((flat[i], flat[i + 1]) for i in range(0, len(flat), 2))


def _fold(text: str) -> str:
    return unicodedata.normalize("NFC", text).casefold()


def _align(text: str, start: int, end: int, pieces: Iterable[str]) -> list[Range]:
    """Place each piece (a syllable) in text[start:end], in order, tolerating gaps."""
    out: list[Range] = []
    pos = start
    for piece in pieces:
        if not piece:
            continue
        while pos < end and text[pos].isspace():
            pos += 1
        if text.startswith(piece, pos):
            out.append((pos, pos + len(piece)))
            pos += len(piece)
            continue
        found = text.find(piece, pos, end)
        if found != -1:
            out.append((found, found + len(piece)))
            pos = found + len(piece)
            continue
        # underthesea normalized the piece (tone placement): take the same number of chars
        guess_end = min(pos + len(piece), end)
        if guess_end > pos and _fold(text[pos:guess_end])[:1] == _fold(piece)[:1]:
            out.append((pos, guess_end))
            pos = guess_end
    return out


def _paragraphs(text: str) -> Iterable[Range]:
    """Non-blank lines, the long ones cut into pieces of at most ``MAX_PIECE`` characters."""
    pos = 0
    for line in text.split("\n"):
        if line.strip():
            yield from _pieces(text, pos, pos + len(line))
        pos += len(line) + 1


def _pieces(text: str, start: int, end: int) -> Iterable[Range]:
    while end - start > MAX_PIECE:
        limit = start + MAX_PIECE
        cut = _cut(text, start, limit)
        yield start, cut
        start = cut
    yield start, end


def _cut(text: str, start: int, limit: int) -> int:
    """Where to end a piece in text[start:limit]: after its last sentence end, else its last
    space, else (one 4,000-character token) at the limit."""
    ends = [m.end() for m in _SENTENCE_END.finditer(text, start + MAX_PIECE // 2, limit)]
    if ends:
        return ends[-1]
    space = max(text.rfind(" ", start, limit), text.rfind("\t", start, limit))
    return space + 1 if space > start else limit


def segment(text: str, cancelled: Check | None = None) -> Tokenization:
    """Segment ``text`` into words and sentences with underthesea, as offsets into ``text``.

    Raises :class:`Cancelled` as soon as ``cancelled()`` is true (checked between sentences).
    """
    import underthesea

    words: list[Range] = []
    sentences: list[Range] = []
    for p_start, p_end in _paragraphs(text):
        paragraph = text[p_start:p_end]
        cursor = p_start
        for sentence in underthesea.sent_tokenize(paragraph) or [paragraph]:
            if cancelled is not None and cancelled():
                raise Cancelled
            s_start = text.find(sentence, cursor, p_end)
            if s_start == -1:
                continue
            s_end = s_start + len(sentence)
            cursor = s_end
            sentence_words = _segment_sentence(text, s_start, s_end)
            if sentence_words:
                words.extend(sentence_words)
                sentences.append((sentence_words[0][0], sentence_words[-1][1]))
    return Tokenization(tuple(words), tuple(sentences), text)


def _segment_sentence(text: str, start: int, end: int) -> list[Range]:
    import underthesea

    out: list[Range] = []
    for word in underthesea.word_tokenize(text[start:end], use_token_normalize=False):
        syllables = _align(text, out[-1][1] if out else start, end, word.split(" "))
        if syllables:
            out.append((syllables[0][0], syllables[-1][1]))
    return out


def tokenization(store: Store, article: Article, cancelled: Check | None = None) -> Tokenization:
    """The article's tokenization from the cache, segmenting (and caching) on a miss.

    Raises :class:`Cancelled` (and caches nothing) once ``cancelled()`` is true.
    """
    cached = cached_tokenization(store, article)
    if cached is not None:
        return cached
    result = segment(article.text, cancelled)
    store.save_tokenization(article.id, article.content_hash, tokenizer_id(), *result.flat())
    return result


# The last cached tokenization parsed: (article id, content hash, tokenizer) -> (the row's
# stamp, the result). After each tag the app re-runs memory on the open article, whose words
# (and syllables, derived on first use) took ~50 ms to parse again in a long article.
_last_parsed: dict[tuple[int, str, str], tuple[tuple[int, str], Tokenization]] = {}


def cached_tokenization(store: Store, article: Article) -> Tokenization | None:
    """The article's cached words, if any: the object parsed last time while its row is the
    same (a deleted or re-saved row is read again)."""
    key = (article.id, article.content_hash, tokenizer_id())
    stamp = store.tokenization_stamp(*key)
    if stamp is None:
        return None
    last = _last_parsed.get(key)
    if last is not None and last[0] == stamp and last[1].text == article.text:
        return last[1]
    cached = store.load_tokenization(*key)
    if cached is None:
        return None  # deleted in between
    result = Tokenization(_pairs(cached[0]), _pairs(cached[1]), article.text)
    _last_parsed.clear()
    _last_parsed[key] = (stamp, result)
    return result


def unsegmented(store: Store, article_ids: Sequence[int]) -> list[int]:
    """Those of ``article_ids`` (current versions) with no cached words yet, in id order."""
    wanted = set(article_ids)
    if not wanted:
        return []
    return [i for i in store.untokenized_ids(tokenizer_id()) if i in wanted]


SegmentJob = tuple[int, str, str]  # article id, content hash, text
SegmentResult = tuple[int, str, list[int], list[int]]
WINDOW_PER_PROCESS = 32
WINDOW_CHARS = 8_000_000  # text sent to the workers at once (one larger article goes alone)


def _segment_flat(job: SegmentJob) -> SegmentResult:
    article_id, digest, text = job
    words, sentences = segment(text).flat()
    return article_id, digest, words, sentences


def segment_articles(
    store: Store,
    article_ids: Sequence[int],
    *,
    processes: int = 1,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Segment and cache the given articles, in ``processes`` worker processes; return count.

    Articles go to the workers a window at a time (at most ``WINDOW_PER_PROCESS`` articles a
    process and ``WINDOW_CHARS`` characters), so memory stays flat however large the import
    or its articles, and each window is saved in one short transaction (never held while
    segmenting, so the app can write in between).
    """
    ids = list(article_ids)
    use_pool = processes > 1 and len(ids) >= 4
    if use_pool:  # loaded once here, so forked workers inherit it instead of each importing it
        importlib.import_module("underthesea")
    pool = workers.pool(processes) if use_pool else None
    done = 0
    try:
        for window in _windows(store, ids, WINDOW_PER_PROCESS * max(processes, 1)):
            jobs = _jobs(store, window)
            results: Iterable[SegmentResult] = (
                pool.map(_segment_flat, jobs, chunksize=4) if pool else map(_segment_flat, jobs)
            )
            finished: list[SegmentResult] = []
            for result in results:
                finished.append(result)
                if progress:
                    progress(done + len(finished), len(ids))
            with store.write():
                for article_id, digest, words, sentences in finished:
                    store.save_tokenization(article_id, digest, tokenizer_id(), words, sentences)
            done += len(finished)
    except BaseException:
        if pool:
            workers.stop(pool)  # Ctrl-C waits neither for the window nor a large article
        raise
    if pool:
        pool.shutdown()
    return done


def _windows(store: Store, ids: Sequence[int], count: int) -> Iterable[list[int]]:
    """``ids`` in order, cut into windows of at most ``count`` articles and about
    ``WINDOW_CHARS`` characters (lengths read 500 at a time, never the texts)."""
    window: list[int] = []
    chars = 0
    for first in range(0, len(ids), 500):
        chunk = ids[first : first + 500]
        lengths = store.text_lengths(chunk)
        for article_id in chunk:
            size = lengths.get(article_id) or 0
            if window and (len(window) >= count or chars + size > WINDOW_CHARS):
                yield window
                window, chars = [], 0
            window.append(article_id)
            chars += size
    if window:
        yield window


def _jobs(store: Store, ids: Sequence[int]) -> list[SegmentJob]:
    return store.article_texts(ids)
