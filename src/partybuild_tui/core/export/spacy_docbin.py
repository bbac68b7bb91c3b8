"""spaCy's binary training format: a ``DocBin`` of one ``Doc`` per article (its body).

Docs are built from our tokens on a bare ``Vocab`` (no language, model or tokenizer: spaCy's
Vietnamese tokenizer needs pyvi), with the spaces the text has after each token, sentence
starts, and the entities as IOB tags. A token keeps the spaces inside a word ("Đảng bộ"),
so ``doc.text`` reads as the article. ``user_data`` holds the article id and content hash.
The DocBin is held in memory until the end (spaCy serialises it whole): a few bytes per
token. Load it with ``DocBin().from_disk(path).get_docs(nlp.vocab)`` or train on it with
``spacy train``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TextIO

from partybuild_tui.core.export.select import Document
from partybuild_tui.core.export.tokens import TaggedSentence


class SpacyWriter:
    def __init__(self, out: TextIO) -> None:
        from spacy.tokens import DocBin
        from spacy.vocab import Vocab

        self.out = out
        self.vocab = Vocab()
        self.docs = DocBin(store_user_data=True)

    def write(
        self, doc: Document, sentences: Sequence[TaggedSentence], words: object = None
    ) -> None:
        from spacy.tokens import Doc

        text = doc.article.text
        tokens: list[str] = []
        spaces: list[bool] = []
        ents: list[str] = []
        starts: list[bool | int | None] = []  # the type spaCy declares
        for sentence in sentences:
            for index, (word, tag, (_a, b)) in enumerate(
                zip(sentence.words, sentence.tags, sentence.offsets, strict=True)
            ):
                tokens.append(word)
                spaces.append(text[b : b + 1].isspace())
                ents.append(tag)
                starts.append(index == 0)
        made = Doc(self.vocab, words=tokens, spaces=spaces, ents=ents, sent_starts=starts)
        made.user_data["id"] = doc.article.id
        made.user_data["content_hash"] = doc.article.content_hash
        self.docs.add(made)

    def close(self) -> None:
        self.out.flush()
        self.out.buffer.write(self.docs.to_bytes())  # type: ignore[attr-defined]
        self.out.flush()  # the sink syncs, closes and publishes it
