"""Layers: whose spans and statuses a row belongs to.

Every span, status and action carries a layer name in its ``annotator`` column. An annotator's
layer is their name ("lan"); a reviewer's adjudicated layer is ``review:<name>``
("review:hoa"), so a reviewer who also annotates keeps the two apart, exports can pick the
reviewed layer, and agreement never counts a review as one more annotator.
"""

from __future__ import annotations

import re

from partybuild_tui.errors import UserError

REVIEW_PREFIX = "review:"
_NAME = re.compile(r"^[^\s:,][^\s:,]{0,63}$")


def check_annotator(name: str) -> str:
    """An annotator name as typed (``--annotator``, assignments): no spaces, ':' or ','."""
    if not _NAME.match(name):
        raise UserError(
            f"invalid annotator name {name!r}: use 1-64 characters without spaces, ':' or ','"
        )
    return name


def check_layer(name: str) -> str:
    """A layer as typed: an annotator's name, or ``review:NAME``."""
    check_annotator(person(name))
    return name


def review_layer(reviewer: str) -> str:
    """The layer a reviewer's decisions go to."""
    return REVIEW_PREFIX + check_annotator(reviewer)


def is_review(layer: str) -> bool:
    return layer.startswith(REVIEW_PREFIX)


def person(layer: str) -> str:
    """Who made a layer: the annotator, or the reviewer of a review layer."""
    return layer[len(REVIEW_PREFIX) :] if is_review(layer) else layer
