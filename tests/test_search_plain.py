"""Search as Vietnamese users type: without marks, đ as d, any tone placement; typing the
marks still ranks exact matches first."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from partybuild_tui.cli import app
from partybuild_tui.core import ingest
from partybuild_tui.core.store import Store, migrations
from tests.suggest_helpers import import_texts

TEXTS = {
    "a": "Tin một\n\nHội nghị quán triệt Nghị quyết số 21 của Đảng ủy xã Tân Lập.\n",
    "b": "Tin hai\n\nĐảng bộ xã Na Tông xây dựng nông thôn mới, hoà bình và ổn định.\n",
    "c": "Tin ba\n\nChi bộ thôn Úc họp bàn, giữ gìn hòa bình, thực hiện Chỉ thị số 05.\n",
}


@pytest.fixture
def ids(store: Store, tmp_path: Path) -> dict[str, int]:
    return import_texts(store, tmp_path / "docs", TEXTS)


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("nghi quyet", ["a"]),
        ("dang bo xa", ["b"]),
        ("Dang uy", ["a"]),
        ("chi bo thon uc", ["c"]),
        ("hoa binh", ["b", "c"]),
        ("chi thi so 05", ["c"]),
        ("NGHI QUYET SO 2", ["a"]),  # the last word is a prefix
    ],
)
def test_typing_without_marks_finds_the_text(
    store: Store, ids: dict[str, int], typed: str, found: list[str]
) -> None:
    assert store.article_ids(query=typed) == [ids[k] for k in found]


def test_a_query_with_marks_ranks_exact_matches_first(store: Store, ids: dict[str, int]) -> None:
    assert store.article_ids(query="hòa bình") == [ids["c"], ids["b"]]
    assert store.article_ids(query="hoà bình") == [ids["b"], ids["c"]]
    assert [r.id for r in store.list_articles(query="hòa bình")] == [ids["c"], ids["b"]]
    assert store.count_articles(query="hoa binh") == 2


def test_list_search_folds_too(store: Store, ids: dict[str, int]) -> None:
    result = CliRunner().invoke(app, ["list", "--search", "dang uy xa tan lap"])
    assert result.exit_code == 0, result.output
    assert "1 of 1 articles" in result.output


def test_an_older_database_gets_the_folded_index(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    conn = sqlite3.connect(db, isolation_level=None)
    migrations.migrate(conn, upto=9)
    conn.close()
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text(TEXTS["a"], encoding="utf-8")
    with sqlite3.connect(db) as raw:
        raw.execute(
            "INSERT INTO articles (key, title, text, raw_text, content_hash, body_start, "
            "body_end, created_at, updated_at) VALUES ('k', 't', ?, ?, 'h', 0, 10, 'x', 'x')",
            (TEXTS["a"], TEXTS["a"]),
        )
    with Store(db) as store:
        assert store.schema_version() == migrations.latest_version()
        assert store.article_ids(query="nghi quyet") == [1]
        ingest.import_paths(store, [docs])  # same text: a duplicate, nothing new
