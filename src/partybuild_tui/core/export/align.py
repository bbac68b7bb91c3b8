"""Placing a token corpus on articles: find the article whose body the tokens spell, or make
the article's text from the tokens.

Tokens and bodies are compared without whitespace and ``_`` (how a word's syllables are
joined does not matter). A document that began with ``-DOCSTART-`` must spell a whole body;
sentences of a file without markers are gathered onto an article while they go on spelling
its body from the start (so this tool's own CoNLL or PhoNER export finds its articles again)
and otherwise each becomes an article of its own. A new article's text is its sentences one
a line, tokens separated by a space and syllables by a space, as the corpus writes them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from partybuild_tui.core import corpus
from partybuild_tui.core.export.bio import decode
from partybuild_tui.core.export.records import Problem, RawSpan, Record
from partybuild_tui.core.export.tokens_reader import Sentence, TokenDocument
from partybuild_tui.core.store import Store

PREFIX = 8  # characters of a key indexed to find where a run of sentences may start


def key(text: str) -> str:
    return "".join(ch for ch in corpus.normalize(text) if not ch.isspace() and ch != "_")


@dataclass
class _Run:
    """Sentences spelling the start of the bodies of ``candidates`` (id, body key), so far:
    articles may begin alike (a shared title), so every one that fits is followed."""

    candidates: list[tuple[int, str]]
    cursor: int
    docs: list[TokenDocument]

    def extend(self, sentence_key: str) -> bool:
        """Keep the candidates the sentence goes on spelling; False if none does."""
        kept = [c for c in self.candidates if c[1].startswith(sentence_key, self.cursor)]
        if not kept:
            return False
        self.candidates = kept
        self.cursor += len(sentence_key)
        return True

    def complete(self) -> int | None:
        """The article whose whole body the sentences spell, once they do."""
        return next((i for i, body in self.candidates if len(body) == self.cursor), None)


class Aligner:
    def __init__(self, store: Store) -> None:
        self.store = store
        self._exact: dict[str, int] | None = None
        self._starts: dict[str, list[tuple[int, str]]] = {}

    def _index(self) -> dict[str, int]:
        """Body keys of every article (built once, on the first token document)."""
        if self._exact is None:
            self._exact = {}
            for article_id in self.store.article_ids():
                article = self.store.article(article_id)
                body_key = key(article.text[article.body_start : article.body_end])
                if body_key:
                    self._exact.setdefault(body_key, article_id)
                    self._starts.setdefault(body_key[:PREFIX], []).append((article_id, body_key))
        return self._exact

    def records(
        self, items: Iterable[Record | TokenDocument | Problem]
    ) -> Iterator[Record | Problem]:
        """Token documents as records on their articles; records and problems pass through."""
        run: _Run | None = None
        for item in items:
            if not isinstance(item, TokenDocument):
                yield item
                continue
            if item.marked:
                yield from self._flush(run)
                run = None
                yield self._document(item)
                continue
            run, done = self._extend(run, item)
            yield from done
        yield from self._flush(run)

    def _document(self, doc: TokenDocument) -> Record:
        found = self._index().get(key("".join(t for s in doc.sentences for t, _ in s)))
        return self._on_article(found, [doc]) if found is not None else _new(doc)

    def _extend(self, run: _Run | None, doc: TokenDocument) -> tuple[_Run | None, list[Record]]:
        sentence_key = key("".join(t for s in doc.sentences for t, _ in s))
        done: list[Record] = []
        if run is not None and run.extend(sentence_key):
            run.docs.append(doc)
        else:
            done.extend(self._flush(run))
            run = self._start(doc, sentence_key)
            if run is None:
                return None, [*done, _new(doc)]
        finished = run.complete()
        if finished is not None:
            return None, [*done, self._on_article(finished, run.docs)]
        return run, done

    def _start(self, doc: TokenDocument, sentence_key: str) -> _Run | None:
        self._index()
        if len(sentence_key) < PREFIX:
            return None
        fits = [
            (article_id, body_key)
            for article_id, body_key in self._starts.get(sentence_key[:PREFIX], ())
            if body_key.startswith(sentence_key)
        ]
        return _Run(fits, len(sentence_key), [doc]) if fits else None

    def _flush(self, run: _Run | None) -> Iterator[Record]:
        """A run that stopped before the body's end: its sentences stand alone."""
        if run is not None:
            for doc in run.docs:
                yield _new(doc)

    def _on_article(self, article_id: int, docs: list[TokenDocument]) -> Record:
        article = self.store.article(article_id)
        text = article.text
        sentences = [s for doc in docs for s in doc.sentences]
        offsets = _place(text, article.body_start, sentences)
        return Record(docs[0].where, docs[0].format, text, tuple(_spans(sentences, offsets)))


def _place(text: str, start: int, sentences: list[Sentence]) -> list[list[tuple[int, int]]]:
    """Each token's [start, end) in ``text``, reading its characters from ``start`` on."""
    pos = start
    out = []
    for sentence in sentences:
        placed = []
        for token, _tag in sentence:
            first = last = -1
            for ch in corpus.normalize(token):
                if ch.isspace() or ch == "_":
                    continue
                while text[pos] != ch:  # the keys are equal: only spaces and _ lie between
                    pos += 1
                first = pos if first < 0 else first
                last = pos
                pos += 1
            placed.append((first, last + 1))
        out.append(placed)
    return out


def _spans(sentences: list[Sentence], offsets: list[list[tuple[int, int]]]) -> Iterator[RawSpan]:
    for sentence, placed in zip(sentences, offsets, strict=True):
        for first, last, label in decode([tag for _token, tag in sentence]):
            yield RawSpan(placed[first][0], placed[last][1], label)


def _new(doc: TokenDocument) -> Record:
    """An article made of the tokens: a sentence a line, syllables separated by spaces."""
    lines = []
    offsets = []
    pos = 0
    for sentence in doc.sentences:
        placed = []
        words = []
        for token, _tag in sentence:
            word = " ".join(token.replace("_", " ").split())
            placed.append((pos, pos + len(word)))
            words.append(word)
            pos += len(word) + 1
        lines.append(" ".join(words))
        offsets.append(placed)
    text = "\n".join(lines) + "\n"
    return Record(doc.where, doc.format, text, tuple(_spans(doc.sentences, offsets)))
