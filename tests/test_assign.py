"""Splitting articles among annotators: every article assigned, the overlap share, balance."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from partybuild_tui.core.assign import split
from partybuild_tui.errors import UserError

NAMES = ["lan", "minh", "hoa", "an", "binh"]


@settings(max_examples=200, deadline=None)
@given(
    ids=st.lists(st.integers(1, 10_000), unique=True, max_size=300),
    count=st.integers(2, 5),
    overlap=st.floats(0, 1),
    seed=st.integers(0, 2**32),
)
def test_split_properties(ids: list[int], count: int, overlap: float, seed: int) -> None:
    names = NAMES[:count]
    plan = split(ids, names, overlap, seed)
    assert set(plan) == set(ids)  # every article, once
    assert all(len(set(who)) == len(who) and set(who) <= set(names) for who in plan.values())
    shared = sum(len(who) == 2 for who in plan.values())
    assert shared == round(overlap * len(ids))  # the share, within rounding
    assert all(len(who) in (1, 2) for who in plan.values())
    loads = Counter(name for who in plan.values() for name in who)
    counts = [loads.get(name, 0) for name in names]
    assert max(counts) - min(counts) <= 1  # balanced
    assert split(list(reversed(ids)), names, overlap, seed) == plan  # deterministic per seed


def test_loads_carry_over_a_second_run() -> None:
    first = split(range(1, 8), ["lan", "minh"], 0.0, 1)
    loads = Counter(n for who in first.values() for n in who)
    second = split(range(8, 11), ["lan", "minh"], 0.0, 1, loads)
    total = loads + Counter(n for who in second.values() for n in who)
    assert abs(total["lan"] - total["minh"]) <= 1


@pytest.mark.parametrize(
    ("names", "overlap", "message"),
    [
        (["lan"], 0.2, "two or more annotators"),
        (["lan", "minh"], 1.5, "between 0 and 1"),
        (["lan", "lan"], 0.0, "given twice"),
        (["la n"], 0.0, "invalid annotator name"),
    ],
)
def test_bad_plans(names: list[str], overlap: float, message: str) -> None:
    with pytest.raises(UserError, match=message):
        split([1, 2], names, overlap)
