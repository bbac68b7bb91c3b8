"""Import: files, folders, globs and JSONL; dedup, new versions, and bad files skipped."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

from partybuild_tui.core import ingest
from partybuild_tui.core.store import Store


def test_import_seeds_then_reimport_is_a_noop(store: Store, seeds_copy: Path) -> None:
    first = ingest.import_paths(store, [seeds_copy])
    assert len(first.imported) == 5 and not first.skipped
    second = ingest.import_paths(store, [seeds_copy])
    assert second.imported == [] and len(second.duplicates) == 5
    assert store.count_articles() == 5


def test_import_keeps_raw_and_stores_nfc_lf(store: Store, tmp_path: Path) -> None:
    raw = unicodedata.normalize("NFD", "Tiêu đề\r\n\r\nĐồng chí Vũ Quỳnh Khánh phát biểu.\r\n")
    path = tmp_path / "nfd.txt"
    path.write_bytes(raw.encode("utf-8"))
    report = ingest.import_paths(store, [path])
    article = store.article(report.imported[0])
    assert article.text == "Tiêu đề\n\nĐồng chí Vũ Quỳnh Khánh phát biểu.\n"
    raw_stored = store.conn.execute("SELECT raw_text FROM articles").fetchone()[0]
    assert raw_stored == raw
    # the same article composed is a duplicate, not a second copy
    (tmp_path / "nfc.txt").write_text(unicodedata.normalize("NFC", raw), encoding="utf-8")
    again = ingest.import_paths(store, [tmp_path / "nfc.txt"])
    assert len(again.duplicates) == 1


def test_bad_files_are_listed_and_import_continues(store: Store, tmp_path: Path) -> None:
    tmp_path = tmp_path / "corpus"
    tmp_path.mkdir()
    (tmp_path / "good.txt").write_text("Tiêu đề\n\nNội dung bài.", encoding="utf-8")
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "latin1.txt").write_bytes(b"Ch\xe0o")
    (tmp_path / "binary.txt").write_bytes(b"\x89PNG\x00\x00")
    (tmp_path / "image.png").write_bytes(b"\x89PNG")
    report = ingest.import_paths(store, [tmp_path, tmp_path / "missing.txt"])
    reasons = {Path(s.path).name: s.reason for s in report.skipped}
    assert len(report.imported) == 1
    assert reasons["empty.txt"] == "empty file"
    assert reasons["latin1.txt"].startswith("not UTF-8")
    assert reasons["binary.txt"].startswith("binary file")
    assert reasons["missing.txt"] == "no such file or folder"
    assert report.ignored_files == 1


def test_jsonl_records_and_malformed_lines(store: Store, tmp_path: Path) -> None:
    lines = [
        json.dumps(
            {
                "text": "Bài một\n\nChi bộ thôn Úc họp.",
                "title": "Một",
                "date": "2020-01-02",
                "source": "BHG",
                "url": "https://example.vn/1",
            },
            ensure_ascii=False,
        ),
        "{not json",
        json.dumps({"title": "no text"}),
        json.dumps(["a list"]),
        json.dumps({"text": "Bài hai\n\nNội dung."}, ensure_ascii=False),
    ]
    path = tmp_path / "articles.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = ingest.import_paths(store, [path])
    assert len(report.imported) == 2
    assert [s.path.rsplit(":", 1)[1] for s in report.skipped] == ["2", "3", "4"]
    assert "malformed JSON" in report.skipped[0].reason
    first = store.article(report.imported[0])
    assert (first.title, first.date, first.source, first.url) == (
        "Một",
        "2020-01-02",
        "BHG",
        "https://example.vn/1",
    )
    assert store.article(report.imported[1]).title == "Bài hai"


def test_glob_import(store: Store, seeds_copy: Path) -> None:
    report = ingest.import_paths(store, [str(seeds_copy / "00[0-1]_*.txt")])
    assert len(report.imported) == 2
    none = ingest.import_paths(store, [str(seeds_copy / "*.nothing")])
    assert none.skipped[0].reason == "no file matches this pattern"


def test_changed_file_is_a_new_version_and_keeps_spans(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("Tiêu đề\n\nĐảng bộ huyện Đồng Văn họp. Chỉ thị số 05 ban hành.", "utf-8")
    old_id = ingest.import_paths(store, [path]).imported[0]
    text = store.article(old_id).text
    org = text.index("Đảng bộ huyện Đồng Văn")
    res = text.index("Chỉ thị số 05")
    store.tag(old_id, org, org + len("Đảng bộ huyện Đồng Văn"), "ORGANIZATION", "tester")
    store.tag(old_id, res, res + len("Chỉ thị số 05"), "RESOLUTION", "tester")
    store.set_status(old_id, "done", "tester")

    path.write_text("Tiêu đề mới\n\nHôm nay, Đảng bộ huyện Đồng Văn họp.", "utf-8")
    report = ingest.import_paths(store, [path])
    [new_id] = report.imported
    assert report.new_versions == [(old_id, new_id)]
    assert report.spans_carried == 1 and report.spans_left_on_old_version == 1
    new = store.article(new_id)
    assert new.version == 2 and new.status == "in_progress"
    [carried] = store.spans(new_id)
    assert new.text[carried.start : carried.end] == "Đảng bộ huyện Đồng Văn"
    assert len(store.spans(old_id)) == 2  # nothing dropped
    assert store.article(old_id).superseded_by == new_id
    assert store.count_articles() == 1
    assert store.count_articles(include_superseded=True) == 2


def test_spans_of_the_same_text_each_find_their_own_place(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "b.txt"
    path.write_text("Tiêu đề\n\nChi bộ thôn Úc họp. Chi bộ thôn Úc bầu.", "utf-8")
    old_id = ingest.import_paths(store, [path]).imported[0]
    text = store.article(old_id).text
    first = text.index("Chi bộ thôn Úc")
    second = text.index("Chi bộ thôn Úc", first + 1)
    for start in (first, second):
        store.tag(old_id, start, start + len("Chi bộ thôn Úc"), "ORGANIZATION", "tester")

    path.write_text("Tiêu đề\n\nHôm nay Chi bộ thôn Úc họp. Rồi Chi bộ thôn Úc bầu.", "utf-8")
    report = ingest.import_paths(store, [path])
    assert report.spans_carried == 2 and report.spans_left_on_old_version == 0
    new = store.article(report.imported[0])
    places = sorted(s.start for s in store.spans(new.id))
    assert len(set(places)) == 2
    assert all(new.text[p : p + 14] == "Chi bộ thôn Úc" for p in places)
