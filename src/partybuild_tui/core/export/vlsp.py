"""POS and chunk tags for the VLSP 2016 columns, on exactly the exported words.

``underthesea.pos_tag`` and ``chunk`` segment raw text again, which could disagree with the
cached words; their CRF predictors accept a list of words, so they are called directly and the
columns always line up with the tokens.
"""

from __future__ import annotations

from collections.abc import Sequence

from underthesea.pipeline.chunking.model_crf import CRFChunkingPredictor
from underthesea.pipeline.pos_tag.model_crf import CRFPOSTagPredictor


def pos_chunk(words: Sequence[str]) -> list[tuple[str, str]]:
    """(POS, chunk) for each word (syllables separated by spaces, as underthesea prints them)."""
    tagged = CRFPOSTagPredictor.Instance().predict(list(words))
    chunked = CRFChunkingPredictor.Instance().predict(tagged)
    return [(pos, chunk) for _word, pos, chunk in chunked]
