"""BIO tags both ways: IOB2 to BIOES/BILOU for export, any scheme to spans for import.

Reading is lenient about the scheme, so IOB1, IOB2, BIOES and BILOU files all decode the
same way: an entity starts at ``B-``/``S-``/``U-``, or at ``I-``/``E-``/``L-`` that does
not continue an entity of the same type (IOB1); it ends at ``E-``/``L-``/``S-``/``U-`` or
where the next tag does not continue it.
"""

from __future__ import annotations

import re

SCHEMES = ("iob2", "bioes", "bilou")
TAG = re.compile(r"^(O|[BIESLU]-\S.*)$")
_LAST = {"bioes": ("E", "S"), "bilou": ("L", "U")}


def prefixes(scheme: str) -> tuple[str, ...]:
    """The tag prefixes of a scheme, in the order label names list them."""
    return ("B", "I") if scheme == "iob2" else ("B", "I", *_LAST[scheme])


def convert(tags: list[str], scheme: str) -> list[str]:
    """IOB2 tags (as the export makes them) in ``scheme``."""
    if scheme == "iob2":
        return tags
    last, single = _LAST[scheme]
    out = list(tags)
    for i, tag in enumerate(tags):
        if tag == "O":
            continue
        ends = i + 1 == len(tags) or tags[i + 1] != f"I-{tag[2:]}"
        if tag.startswith("B-"):
            out[i] = f"{single}-{tag[2:]}" if ends else tag
        elif ends:
            out[i] = f"{last}-{tag[2:]}"
    return out


def decode(tags: list[str]) -> list[tuple[int, int, str]]:
    """(first token, last token, label) of every entity, whatever the scheme."""
    out: list[tuple[int, int, str]] = []
    start: int | None = None
    label = ""
    for i, tag in enumerate([*tags, "O"]):
        prefix, _, kind = tag.partition("-")
        inside = prefix in ("I", "E", "L")
        if start is not None and not (inside and kind == label):
            out.append((start, i - 1, label))
            start = None
        if start is None and (prefix in ("B", "S", "U") or inside):
            start, label = i, kind
        if start is not None and prefix in ("E", "L", "S", "U"):
            out.append((start, i, label))
            start = None
    return out
