"""Shared fixtures: every test gets its own database and never touches annotations/."""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from partybuild_tui.core import ingest
from partybuild_tui.core.store import Store
from tests.export_support import build_seeded, copy_db

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"


@pytest.fixture(autouse=True)
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point PARTYBUILD_DB at a temporary file and fix the annotator name."""
    db = tmp_path / "partybuild.db"
    monkeypatch.setenv("PARTYBUILD_DB", str(db))
    monkeypatch.setenv("PARTYBUILD_ANNOTATOR", "tester")
    monkeypatch.setenv("PARTYBUILD_SEEDS", str(SEEDS))
    monkeypatch.delenv("PARTYBUILD_LABELS", raising=False)
    monkeypatch.delenv("PARTYBUILD_PATTERNS", raising=False)
    monkeypatch.setenv("PARTYBUILD_RETRAIN_EVERY", "0")  # tests that retrain say so
    monkeypatch.setenv("PARTYBUILD_DONE_OPENS_NEXT", "0")  # tests that move on say so
    monkeypatch.delenv("PARTYBUILD_NEXT_ORDER", raising=False)
    return db


WRITER_WAIT_S = 0.5  # a commit takes milliseconds; a test holding the lock gets on after this


@pytest.fixture(autouse=True)
def presses_wait_for_the_writer(monkeypatch: pytest.MonkeyPatch) -> None:
    """A key's change is drawn at once and committed by the app's writer thread a few
    milliseconds later, when the status line says "✓ saved". Pilot's press returns once the
    process looks idle, which a loaded machine can fake before the commit; so a press waits
    for the writer as a user waits for that line (at most ``WRITER_WAIT_S``: a test that
    holds the write lock checks the waiting state)."""
    from textual.pilot import Pilot

    press = Pilot.press

    async def press_and_wait(self: Pilot[Any], *keys: str) -> None:
        await press(self, *keys)
        writer = getattr(self.app, "writer", None)
        deadline = time.monotonic() + WRITER_WAIT_S
        if writer is None or not writer.busy:
            return
        while writer.busy and time.monotonic() < deadline:
            await self.pause(0.005)
        await self.pause()

    monkeypatch.setattr(Pilot, "press", press_and_wait)


@pytest.fixture
def db_path(isolated_env: Path) -> Path:
    return isolated_env


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    with Store(db_path) as opened:
        yield opened


@pytest.fixture
def seeded(store: Store) -> Store:
    """A store holding the five seed articles (not segmented)."""
    ingest.import_paths(store, [SEEDS])
    return store


@pytest.fixture
def seeds_copy(tmp_path: Path) -> Path:
    target = tmp_path / "seeds"
    shutil.copytree(SEEDS, target)
    return target


@pytest.fixture(scope="session")
def gold_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeds segmented and annotated with their real entities (all done), built once."""
    return build_seeded(tmp_path_factory.mktemp("gold") / "gold.db", annotate=True)


@pytest.fixture
def gold(gold_template: Path, tmp_path: Path) -> Iterator[Store]:
    """A private copy of the annotated seeds, open: tests may change it."""
    with Store(copy_db(gold_template, tmp_path / "gold.db")) as store:
        yield store


@pytest.fixture
def workspace() -> Iterator[Path]:
    """A fresh temporary folder, shared by the hypothesis examples of one test."""
    with tempfile.TemporaryDirectory() as folder:
        yield Path(folder)
