"""Determinism, atomic writes, split by article and the read snapshot of an export."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from partybuild_tui.config import DEFAULT_LABELS
from partybuild_tui.core import tokenize
from partybuild_tui.core.export import (
    FORMATS,
    ExportOptions,
    Selection,
    export,
    parse_ratios,
    split_ids,
)
from partybuild_tui.core.export import brat as brat_format
from partybuild_tui.core.export import jsonl as jsonl_format
from partybuild_tui.core.store import Store
from partybuild_tui.errors import UserError
from tests.export_support import build_seeded


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_same_database_same_bytes(gold: Store, tmp_path: Path, fmt: str) -> None:
    options = ExportOptions(fmt, split=(0.6, 0.2, 0.2))
    export(gold, options, tmp_path / "one", DEFAULT_LABELS)
    gold.conn.execute("PRAGMA wal_checkpoint")  # physical changes, same content
    export(gold, options, tmp_path / "two", DEFAULT_LABELS)
    first, second = tree(tmp_path / "one"), tree(tmp_path / "two")
    assert first == second and len(first) >= 3


def test_failure_mid_export_leaves_no_file(
    gold: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "out.jsonl"
    target.write_text("the previous export\n", encoding="utf-8")
    calls = []

    def failing(doc: object) -> dict[str, object]:
        calls.append(doc)
        if len(calls) == 3:
            raise OSError(28, "No space left on device")
        return original(doc)  # type: ignore[arg-type]

    original = jsonl_format.record
    monkeypatch.setattr(jsonl_format, "record", failing)
    with pytest.raises(UserError, match=f"cannot write {target}: No space left on device"):
        export(gold, ExportOptions("jsonl"), target, DEFAULT_LABELS)
    assert target.read_text(encoding="utf-8") == "the previous export\n"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_failure_in_a_split_leaves_no_split_file(
    gold: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = jsonl_format.record
    seen: list[object] = []

    def failing(doc: object) -> dict[str, object]:
        seen.append(doc)
        if len(seen) == 5:
            raise KeyboardInterrupt
        return original(doc)  # type: ignore[arg-type]

    monkeypatch.setattr(jsonl_format, "record", failing)
    out = tmp_path / "splits"
    with pytest.raises(KeyboardInterrupt):
        export(gold, ExportOptions("jsonl", split=(0.6, 0.2, 0.2)), out, DEFAULT_LABELS)
    assert not out.exists() or list(out.iterdir()) == []


def test_unwritable_target_is_a_user_error(gold: Store, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    with pytest.raises(UserError, match="cannot write .*file/out.jsonl"):
        export(gold, ExportOptions("jsonl"), blocker / "out.jsonl", DEFAULT_LABELS)


def test_split_is_by_article_reproducible_and_seeded(gold: Store, tmp_path: Path) -> None:
    export(
        gold, ExportOptions("jsonl", split=(0.6, 0.2, 0.2), seed=1), tmp_path / "a", DEFAULT_LABELS
    )
    ids = {
        name: [json.loads(line)["id"] for line in (tmp_path / "a" / f"{name}.jsonl").open()]
        for name in ("train", "dev", "test")
    }
    assert sorted(sum(ids.values(), [])) == [1, 2, 3, 4, 5]
    assert [len(ids[n]) for n in ("train", "dev", "test")] == [3, 1, 1]
    assert all(v == sorted(v) for v in ids.values())
    articles = [(i, f"{i:064x}") for i in range(1, 201)]
    once = split_ids(articles, parse_ratios("8,1,1"), 7)
    assert once == split_ids(list(reversed(articles)), parse_ratios("0.8,0.1,0.1"), 7)
    assert [len(once[n]) for n in ("train", "dev", "test")] == [160, 20, 20]
    assert once != split_ids(articles, parse_ratios("8,1,1"), 8)
    grown = split_ids([*articles, (201, "f" * 64)], parse_ratios("8,1,1"), 7)
    moved = sum(len(set(once[n]) - set(grown[n])) for n in once)
    assert moved <= 2  # adding an article moves at most the neighbours of a cut point


def test_bad_ratios_are_user_errors() -> None:
    for bad in ("0.8", "a,b", "1,1,1,1", "-1,2", "0,0"):
        with pytest.raises(UserError):
            parse_ratios(bad)


def test_export_reads_one_snapshot(
    gold: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A writer committing mid-export changes nothing in the file being written."""
    original = jsonl_format.record
    other = Store(gold.path)

    def meanwhile(doc: object) -> dict[str, object]:
        result = original(doc)  # type: ignore[arg-type]
        if result["id"] == 1:
            for article_id in (4, 5):
                for span in other.spans(article_id):
                    other.delete_span(span.id, "tester")
            other.set_status(3, "in_progress", "tester")
        return result

    monkeypatch.setattr(jsonl_format, "record", meanwhile)
    before = [len(gold.spans(i)) for i in (3, 4, 5)]
    out = tmp_path / "a.jsonl"
    export(gold, ExportOptions("jsonl"), out, DEFAULT_LABELS)
    other.close()
    records = {r["id"]: r for r in map(json.loads, out.open(encoding="utf-8"))}
    assert sorted(records) == [1, 2, 3, 4, 5]
    assert [len(records[i]["spans"]) for i in (3, 4, 5)] == before
    assert records[3]["status"] == "done"
    assert len(gold.spans(4)) == 0  # the change did commit


def test_nothing_selected_writes_nothing(gold: Store, tmp_path: Path) -> None:
    with pytest.raises(UserError, match="no article matches status new"):
        export(
            gold,
            ExportOptions("jsonl", selection=Selection(("new",))),
            tmp_path / "a.jsonl",
            DEFAULT_LABELS,
        )
    assert not (tmp_path / "a.jsonl").exists()


def test_stdout_refuses_multi_file_formats(gold: Store) -> None:
    with pytest.raises(UserError, match="folder"):
        export(gold, ExportOptions("brat"), "-", DEFAULT_LABELS)
    with pytest.raises(UserError, match="--split"):
        export(gold, ExportOptions("jsonl", split=(0.5, 0.5)), "-", DEFAULT_LABELS)


def test_unsegmented_articles_are_segmented_and_cached_first(tmp_path: Path) -> None:
    db = build_seeded(tmp_path / "raw.db", annotate=True, segment=False)
    seen: list[tuple[str, int, int]] = []
    with Store(db) as store:
        options = ExportOptions("conll")
        summary = export(
            store, options, tmp_path / "a.conll", DEFAULT_LABELS, progress=lambda *a: seen.append(a)
        )
        assert summary.tokenized_now == 5
        assert store.untokenized_ids(tokenize.tokenizer_id()) == []
        again = export(store, options, tmp_path / "b.conll", DEFAULT_LABELS)
    assert again.tokenized_now == 0
    assert (tmp_path / "a.conll").read_bytes() == (tmp_path / "b.conll").read_bytes()
    assert ("segmenting", 5, 5) in seen and seen[-1] == ("exporting", 5, 5)


def test_failed_brat_export_keeps_the_previous_folder(
    gold: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "brat"
    export(gold, ExportOptions("brat"), out, DEFAULT_LABELS)
    before = tree(out)
    gold.set_status(5, "in_progress", "tester")
    original = brat_format.annotation_line
    calls: list[int] = []

    def failing(*args: object) -> str:
        calls.append(1)
        if len(calls) == 20:
            raise OSError(28, "No space left on device")
        return original(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(brat_format, "annotation_line", failing)
    with pytest.raises(UserError, match="No space left on device"):
        export(gold, ExportOptions("brat"), out, DEFAULT_LABELS)
    assert tree(out) == before
    monkeypatch.setattr(brat_format, "annotation_line", original)
    export(gold, ExportOptions("brat"), out, DEFAULT_LABELS)
    assert len(tree(out)) == len(before) - 2  # article 5's pair, stale now, is removed
