"""CoNLL / BIO columns: one token a line, a blank line after each sentence.

Two columns ``token TAG`` separated by a space (PhoNER's files; syllables of a word joined
by ``_``, since spaCy and most CoNLL readers split a line on any whitespace), or with
``vlsp`` the VLSP 2016 layout ``word POS chunk NER``, tab-separated, where POS and chunk come
from underthesea's taggers run on the same words. Each document starts with the
``-DOCSTART-`` line its readers expect, followed by a blank line: ``-DOCSTART- -X- O O`` in
two columns (the one line spaCy's ``convert`` splits documents on; readers that skip lines
starting with ``-DOCSTART-`` skip it too), ``-DOCSTART-<TAB>-X-<TAB>-X-<TAB>O`` in the VLSP
layout, where it is off by default since the VLSP 2016 files have none.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TextIO

from partybuild_tui.core.export.select import Document
from partybuild_tui.core.export.tokens import TaggedSentence
from partybuild_tui.core.export.vlsp import pos_chunk

DOCSTART = "-DOCSTART- -X- O O\n\n"
VLSP_DOCSTART = "-DOCSTART-\t-X-\t-X-\tO\n\n"


class ConllWriter:
    def __init__(self, out: TextIO, joiner: str, *, vlsp: bool, docstart: bool) -> None:
        self.out = out
        self.joiner = joiner
        self.vlsp = vlsp
        self.sep = "\t" if vlsp else " "
        self.marker = (VLSP_DOCSTART if vlsp else DOCSTART) if docstart else ""

    def write(
        self, doc: Document, sentences: Sequence[TaggedSentence], words: object = None
    ) -> None:
        self.out.write(self.marker)
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
