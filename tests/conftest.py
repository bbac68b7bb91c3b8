"""Shared fixtures: every test gets its own database and never touches annotations/."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

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
