"""CoNLL / BIO columns: one token a line, a blank line after each sentence.

Two columns ``token TAG`` (PhoNER), or with ``vlsp`` the VLSP 2016 layout ``word POS chunk
NER`` where POS and chunk come from underthesea's taggers run on the same words. Columns are
separated by a space when syllables are joined with ``_`` and by a tab when they are joined
with a space (the token then contains spaces). Each document starts with a ``-DOCSTART-``
line (CoNLL-2003 convention, as many readers expect) followed by a blank line, unless
``docstart`` is off, when documents simply follow each other.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TextIO

from partybuild_tui.core.export.select import Document
from partybuild_tui.core.export.tokens import TaggedSentence
from partybuild_tui.core.export.vlsp import pos_chunk


class ConllWriter:
    def __init__(self, out: TextIO, joiner: str, *, vlsp: bool, docstart: bool) -> None:
        self.out = out
        self.joiner = joiner
        self.vlsp = vlsp
        self.docstart = docstart
        self.sep = " " if joiner != " " else "\t"

    def write(self, doc: Document, sentences: Sequence[TaggedSentence]) -> None:
        if self.docstart:
            filler = ["-X-", "-X-"] if self.vlsp else []
            self.out.write(self.sep.join(["-DOCSTART-", *filler, "O"]) + "\n\n")
        for sentence in sentences:
            tokens = sentence.tokens(self.joiner)
            if self.vlsp:
                extra = pos_chunk(sentence.words)
                rows = [
                    [tok, pos, chunk, tag]
                    for tok, (pos, chunk), tag in zip(tokens, extra, sentence.tags, strict=True)
                ]
            else:
                rows = [[tok, tag] for tok, tag in zip(tokens, sentence.tags, strict=True)]
            self.out.write("".join(self.sep.join(row) + "\n" for row in rows) + "\n")

    def close(self) -> None:
        self.out.flush()  # the sink syncs, closes and publishes it
