"""Splitting articles among annotators (``partybuild assign``): pure, deterministic per seed.

A share of the articles (``overlap``) goes to two annotators, so their agreement can be
measured; the rest to one each. Articles are shuffled by the seed, then each goes to the
least-loaded annotator(s), ties broken by the seed: every annotator's load (articles already
assigned plus new ones) stays within one of every other's when they started level.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence

from partybuild_tui.core.layers import check_annotator
from partybuild_tui.errors import UserError


def check_plan(annotators: Sequence[str], overlap: float) -> list[str]:
    """The annotator names, checked (valid, distinct, two or more for an overlap)."""
    names = [check_annotator(name.strip()) for name in annotators]
    if not names:
        raise UserError("--annotators: name at least one annotator, like lan,minh")
    if len(set(names)) != len(names):
        raise UserError(f"--annotators: a name is given twice in {','.join(names)}")
    if not 0.0 <= overlap <= 1.0:
        raise UserError(f"--overlap {overlap:g}: give a share between 0 and 1, like 0.2")
    if overlap > 0 and len(names) < 2:
        raise UserError("--overlap: sharing articles needs two or more annotators")
    return names


def split(
    article_ids: Sequence[int],
    annotators: Sequence[str],
    overlap: float,
    seed: int = 0,
    loads: Mapping[str, int] | None = None,
) -> dict[int, tuple[str, ...]]:
    """Article id -> the annotators it goes to: two for ``round(overlap * n)`` of them, one for
    the rest. ``loads``: articles each already has, so a second run keeps the balance."""
    names = check_plan(annotators, overlap)
    rng = random.Random(seed)
    order = sorted(article_ids)
    rng.shuffle(order)
    shared = round(overlap * len(order))
    load = {name: (loads or {}).get(name, 0) for name in names}
    tie = {name: rng.random() for name in names}
    plan: dict[int, tuple[str, ...]] = {}
    for index, article_id in enumerate(order):
        take = 2 if index < shared else 1
        chosen = sorted(names, key=lambda n: (load[n], tie[n]))[:take]
        for name in chosen:
            load[name] += 1
            tie[name] = rng.random()  # who wins the next tie moves around
        plan[article_id] = tuple(sorted(chosen))
    return plan
