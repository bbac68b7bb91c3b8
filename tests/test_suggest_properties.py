"""Properties of the offset arithmetic every source relies on."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from partybuild_tui.core.suggest.base import snap
from partybuild_tui.core.suggest.ner import align_tokens
from partybuild_tui.core.tokenize import Tokenization

TEXT = st.text(alphabet="aàáăĐđ hoòHÒ,.()\n", min_size=1, max_size=60)


def whitespace_tokens(text: str) -> Tokenization:
    words = tuple((m.start(), m.end()) for m in re.finditer(r"\S+", text))
    return Tokenization(words, (), text)


@given(TEXT, st.data())
def test_snap_lands_on_syllable_edges_and_covers_the_range(text: str, data: st.DataObject) -> None:
    tokens = whitespace_tokens(text)
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    snapped = snap(tokens, start, end)
    starts, ends = tokens.boundaries()
    covered = [i for i in range(start, end) if not text[i].isspace()]
    if snapped is None:
        assert not covered
        return
    assert snapped[0] in starts and snapped[1] in ends
    assert all(snapped[0] <= i < snapped[1] for i in covered)


@given(TEXT)
def test_alignment_of_the_texts_own_tokens_is_exact(text: str) -> None:
    pieces = re.findall(r"\w+|[^\w\s]", text)
    ranges = align_tokens(text, 0, len(text), pieces)
    assert [text[r[0] : r[1]] if r else None for r in ranges] == pieces
