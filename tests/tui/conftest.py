"""TUI fixtures: a seeded, pre-segmented database copied per test, and a way to settle."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from partybuild_tui.core import ingest, tokenize
from partybuild_tui.core.store import Store
from partybuild_tui.tui.app import PartybuildApp
from tests.tui.helpers import ROOT


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeds imported and segmented once per session (segmenting is the slow part)."""
    path = tmp_path_factory.mktemp("template") / "seeded.db"
    with Store(path) as store:
        ingest.import_paths(store, [ROOT / "seeds"])
        tokenize.segment_articles(store, store.article_ids())
    return path


@pytest.fixture
def app_db(db_path: Path, template_db: Path) -> Path:
    with sqlite3.connect(template_db) as source, sqlite3.connect(db_path) as target:
        source.backup(target)
    return db_path


FAST = (("memory", "rules", "byline"),)


@pytest.fixture
def make_app(app_db: Path):  # noqa: ANN201
    """The app on the seeded copy; suggestions from the fast sources only (NER takes ~1 s
    an article), unless a test passes its own ``suggest_steps``."""

    def make(suggest_steps: tuple[tuple[str, ...], ...] = FAST) -> PartybuildApp:
        return PartybuildApp(app_db, "tester", suggest_steps=suggest_steps)

    return make
