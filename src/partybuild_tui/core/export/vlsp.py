"""POS and chunk tags for the VLSP 2016 columns, on exactly the exported words.

``underthesea.pos_tag`` and ``chunk`` segment raw text again, which could disagree with the
cached words, so their CRF models are run on our words directly. underthesea builds features
in Python in quadratic time per sentence; :func:`features` computes the same strings (same
templates, same functions: a test checks they agree) in linear time, ~6x faster overall.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

_SYNTAX = re.compile(r"T\[(?P<i>-?\d+)(,(?P<j>-?\d+))?\](\[(?P<column>.*)\])?(\.(?P<function>.*))?")


def _istitle(word: str) -> str:
    if not word:
        return "False"
    try:
        return str(all(part[0].istitle() for part in word.split(" ")))
    except IndexError:
        return "False"


def _isallcap(word: str) -> str:
    return str(all(letter.istitle() for letter in word))


_FUNCTIONS: dict[str, Callable[[str], str]] = {
    "lower": str.lower,
    "istitle": _istitle,
    "isallcap": _isallcap,
    "isdigit": lambda word: str(word.isdigit()),
}


@dataclass(frozen=True)
class _Template:
    text: str
    first: int
    last: int | None
    column: int
    function: Callable[[str], str] | None


def _parse(template: Sequence[str]) -> tuple[_Template, ...]:
    out = []
    for syntax in template:
        found = _SYNTAX.match(syntax)
        if found is None or (found["function"] and found["function"] not in _FUNCTIONS):
            raise ValueError(f"unsupported feature template {syntax!r}")
        out.append(
            _Template(
                syntax,
                int(found["i"]),
                int(found["j"]) if found["j"] else None,
                int(found["column"]) if found["column"] else 0,
                _FUNCTIONS[found["function"]] if found["function"] else None,
            )
        )
    return tuple(out)


def features(rows: Sequence[Sequence[str]], templates: Sequence[_Template]) -> list[list[str]]:
    """underthesea's tagged_feature.word2features for every row, in linear time."""
    n = len(rows)
    out = []
    for i in range(n):
        row_features = []
        for t in templates:
            if i + t.first < 0:
                value = "BOS"
            elif i + t.first >= n or (t.last is not None and i + t.last >= n):
                value = "EOS"
            else:
                if t.last is None:
                    word = rows[i + t.first][t.column]
                else:
                    word = " ".join(r[t.column] for r in rows[i + t.first : i + t.last + 1])
                value = t.function(word) if t.function else word
            row_features.append(f"{t.text}={value}")
        out.append(row_features)
    return out


@cache
def _models() -> tuple[object, tuple[_Template, ...], object, tuple[_Template, ...]]:
    pos, chunk = _predictors()
    return (
        pos.model,
        _parse(pos.transformer.template),
        chunk.model,
        _parse(chunk.transformer.template),
    )


def _predictors() -> tuple[Any, Any]:
    """underthesea's POS and chunking predictors, imported only when VLSP columns are asked."""
    from underthesea.pipeline.chunking.model_crf import CRFChunkingPredictor
    from underthesea.pipeline.pos_tag.model_crf import CRFPOSTagPredictor

    return CRFPOSTagPredictor.Instance(), CRFChunkingPredictor.Instance()


def pos_chunk(words: Sequence[str]) -> list[tuple[str, str]]:
    """(POS, chunk) for each word (syllables separated by spaces, as underthesea prints them)."""
    if not words:
        return []
    pos_model, pos_templates, chunk_model, chunk_templates = _models()
    pos = pos_model.tag(features([[word, "X"] for word in words], pos_templates))  # type: ignore[attr-defined]
    rows = [[word, tag, "X"] for word, tag in zip(words, pos, strict=True)]
    chunks = chunk_model.tag(features(rows, chunk_templates))  # type: ignore[attr-defined]
    return list(zip(pos, chunks, strict=True))


def reference_pos_chunk(words: Sequence[str]) -> list[tuple[str, str]]:
    """The same through underthesea's own predictors (slow), to check the fast path."""
    pos, chunk = _predictors()
    chunked = chunk.predict(pos.predict(list(words)))
    return [(pos, chunk) for _word, pos, chunk in chunked]
