"""Helpers the safety tests share: making files unwritable even for root."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from partybuild_tui.core import ingest
from partybuild_tui.core.store import Store

SEEDS = Path(__file__).resolve().parents[1] / "seeds"


@contextmanager
def read_only(path: Path) -> Iterator[None]:
    """Make ``path`` unwritable, also for root (immutable attribute)."""
    if os.geteuid() != 0:
        mode = path.stat().st_mode
        path.chmod(mode & ~0o222)
        try:
            yield
        finally:
            path.chmod(mode)
        return
    chattr = shutil.which("chattr")
    if chattr is None or subprocess.run([chattr, "+i", str(path)]).returncode != 0:
        pytest.skip("cannot make a file immutable here (chattr +i)")
    try:
        yield
    finally:
        subprocess.run([chattr, "-i", str(path)], check=True)


ANY_CHAR = st.characters(min_codepoint=0, max_codepoint=0x10FFFF, exclude_categories=())


def hostile_settings(max_examples: int) -> settings:
    """Hypothesis settings for tests whose examples each build a fresh database."""
    return settings(
        max_examples=max_examples,
        deadline=None,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.function_scoped_fixture,
        ],
    )


def tagged_seeds(path: Path, spans: Sequence[tuple[int, int, str]]) -> Path:
    """A database of the seeds, each article tagged with ``spans`` and the first one done:
    what a hostile import must leave exactly as it was."""
    with Store(path) as store:
        ingest.import_paths(store, [SEEDS])
        for article_id in store.article_ids():
            for start, end, label in spans:
                store.tag(article_id, start, end, label, "tester")
        store.set_status(1, "done", "tester")
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path
