"""Hostile input for `partybuild import` and the core importer, generated with hypothesis.

Random bytes, every Unicode plane, unpaired surrogates (as bytes and as JSON escapes), NUL
bytes, huge single lines, CRLF and mixed newlines, decomposed Vietnamese, undecodable file
names and malformed JSONL: the import never shows a traceback, names every file it skips,
stores only clean text (NFC, LF, no NUL) and loses nothing that was already stored.
(`import-annotations` gets the same in test_safety_hostile_annotations.py.)
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import shutil
import sqlite3
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from partybuild_tui.cli import app
from partybuild_tui.core import corpus, ingest
from partybuild_tui.core.store import Store
from tests.safety_support import ANY_CHAR, hostile_settings, tagged_seeds

pytestmark = pytest.mark.safety

SEEDS = Path(__file__).parents[1] / "seeds"
SEED_TEXT = (SEEDS / "000_e5b5bf95444e5f29.txt").read_text(encoding="utf-8")
SETTINGS = hostile_settings(30)

# ---- strategies ------------------------------------------------------------------------------

any_char = ANY_CHAR
vietnamese = st.sampled_from(SEED_TEXT.split()).map(str)


@st.composite
def vietnamese_text(draw: st.DrawFn) -> str:
    words = draw(st.lists(vietnamese, min_size=1, max_size=80))
    newline = draw(st.sampled_from(["\n", "\r\n", "\r", "\u2028", "\n\r"]))
    text = " ".join(words)
    if draw(st.booleans()):
        text = text.replace(" ", newline, draw(st.integers(0, 10)))
    form = draw(st.sampled_from(["NFC", "NFD", "NFKD"]))
    return unicodedata.normalize(form, text)


def _encode(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")  # unpaired surrogates become invalid UTF-8


@st.composite
def huge_line(draw: st.DrawFn) -> bytes:
    unit = draw(st.sampled_from(["Đảng bộ ", "x", "1 ", "\u0301", " "]))
    size = draw(st.integers(100_000, 600_000))
    return ("Tiêu đề\n" + unit * (size // len(unit))).encode("utf-8")


jsonl_line = st.one_of(
    st.builds(lambda t: json.dumps({"text": t}, ensure_ascii=False), vietnamese_text()),
    st.builds(lambda t: json.dumps({"text": t, "title": t[:20]}), st.text(any_char, max_size=40)),
    st.builds(
        lambda t: json.dumps({"text": "Bài " + t + "\u2028 tiếp"}, ensure_ascii=False),
        st.text(max_size=20),
    ),
    st.sampled_from(
        [
            '{"text": "a \\ud800 b"}',
            '{"text": "ok", "title": "\\udfff"}',
            '{"text": 5}',
            '{"text": ""}',
            '{"text": "x\\u0000y"}',
            "[1, 2]",
            "null",
            '{"text": "unterminated',
            "",
        ]
    ),
    st.text(any_char.filter(lambda c: c not in "\r\n"), max_size=60),
)
jsonl_file = st.lists(jsonl_line, max_size=8).flatmap(
    lambda lines: st.sampled_from(["\n", "\r\n"]).map(lambda nl: _encode(nl.join(lines)))
)
txt_content = st.one_of(
    st.binary(max_size=3000),
    st.text(any_char, max_size=400).map(_encode),
    vietnamese_text().map(_encode),
    st.tuples(vietnamese_text(), st.integers(0, 50)).map(
        lambda tn: _encode(tn[0][: tn[1]] + "\x00" + tn[0][tn[1] :])
    ),
    vietnamese_text().map(lambda t: b"\xef\xbb\xbf" + _encode(t)),
    huge_line(),
)
file_name = st.sampled_from(
    [
        b"a.txt",
        b"b.TXT",
        "tên bài viết.txt".encode(),
        b"\xff\xfe bad name.txt",
        unicodedata.normalize("NFD", "bài.txt").encode(),
        b"sub/c.txt",
        b".hidden.txt",
    ]
)
hostile_files = st.one_of(
    st.tuples(file_name, txt_content),
    st.tuples(st.sampled_from([b"d.jsonl", b"sub/e.jsonl"]), jsonl_file),
)
hostile_folder = st.lists(hostile_files, min_size=1, max_size=5, unique_by=lambda f: f[0])

# ---- the database before each example ----------------------------------------------------------


@pytest.fixture(scope="module")
def base_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Seeds imported and annotated: what must survive every hostile import."""
    path = tmp_path_factory.mktemp("base") / "base.db"
    return tagged_seeds(path, [(0, 5, "ORGANIZATION"), (10, 20, "FIGURE")])


def _state(db: Path) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    with contextlib.closing(sqlite3.connect(db)) as conn:
        articles = conn.execute(
            "SELECT id, key, content_hash, status, text FROM articles ORDER BY id"
        ).fetchall()
        spans = conn.execute("SELECT * FROM spans ORDER BY id").fetchall()
    return articles, spans


def _write(folder: Path, files: list[tuple[bytes, bytes]]) -> list[Path]:
    written = []
    for name, data in files:
        path = Path(os.fsdecode(os.fsencode(folder) + b"/" + name))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        written.append(path)
    return written


_examples = itertools.count()


def _fresh(base_db: Path, folder: Path) -> Path:
    """A copy of the base database under a name no example used before: copied over the
    last example's file, it could meet that file's left-over -wal (SQLite would replay the
    old log into the new file: 'database disk image is malformed')."""
    db = folder / f"work-{next(_examples)}.db"
    shutil.copy(base_db, db)
    files = folder / "in"
    if files.exists():
        shutil.rmtree(files)
    files.mkdir()
    return db


def _check_stored_text(db: Path) -> None:
    with contextlib.closing(sqlite3.connect(db)) as conn:
        for text, digest in conn.execute("SELECT text, content_hash FROM articles"):
            assert "\r" not in text and "\x00" not in text
            assert unicodedata.is_normalized("NFC", text)
            assert corpus.content_hash(text) == digest
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def _squash(text: str) -> str:
    return "".join(text.split())


# ---- the tests -----------------------------------------------------------------------------------


@SETTINGS
@given(files=hostile_folder)
def test_cli_import_of_hostile_files(
    base_db: Path, workspace: Path, files: list[tuple[bytes, bytes]]
) -> None:
    db = _fresh(base_db, workspace)
    before_articles, before_spans = _state(db)
    written = _write(workspace / "in", files)
    result = CliRunner().invoke(
        app, ["import", str(workspace / "in"), "--no-segment", "--verbose", "--db", str(db)]
    )
    output = result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), output
    assert "Traceback" not in output
    assert result.exit_code in (0, 1), output
    after_articles, after_spans = _state(db)
    assert after_articles[: len(before_articles)] == before_articles
    assert after_spans == before_spans
    _check_stored_text(db)
    report = ingest.ImportReport()
    for path in written:
        if path.name.startswith("."):
            continue
        list(ingest.read_documents(path, report))
    for skipped in report.skipped:
        assert _squash(skipped.path) in _squash(output), (skipped, output)
    if result.exit_code == 1:
        assert len(after_articles) == len(before_articles)


@SETTINGS
@given(files=hostile_folder)
def test_core_import_accounts_for_every_file(
    base_db: Path, workspace: Path, files: list[tuple[bytes, bytes]]
) -> None:
    db = _fresh(base_db, workspace)
    before_articles, before_spans = _state(db)
    written = [p for p in _write(workspace / "in", files) if not p.name.startswith(".")]
    with Store(db) as store:
        report = ingest.import_paths(store, [workspace / "in"])
        again = ingest.import_paths(store, [workspace / "in"])
    assert again.imported == [], "importing the same files twice must change nothing"
    after_articles, after_spans = _state(db)
    assert after_articles[: len(before_articles)] == before_articles
    assert after_spans == before_spans
    assert len(after_articles) == len(before_articles) + len(report.imported)
    stored_paths = [str(row[1]) for row in after_articles[len(before_articles) :]]
    with contextlib.closing(sqlite3.connect(db)) as conn:
        stored_paths = [row[0] for row in conn.execute("SELECT path FROM articles")]
    seen = [s.path for s in report.skipped] + report.duplicates + stored_paths
    for path in written:
        name = ingest.display_path(path)
        empty_jsonl = path.suffix == ".jsonl" and not path.read_bytes().strip()
        assert empty_jsonl or any(p == name or p.startswith(name + ":") for p in seen), (
            f"{name} was neither imported nor reported"
        )
    _check_stored_text(db)


def test_undecodable_file_name_is_imported_and_listed(tmp_path: Path, db_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (Path(os.fsdecode(os.fsencode(folder) + b"/\xff\xfe.txt"))).write_bytes(
        "Tiêu đề\n\nNội dung".encode()
    )
    result = CliRunner().invoke(app, ["import", str(folder), "--no-segment"])
    assert result.exit_code == 0, result.output
    listed = CliRunner().invoke(app, ["list"])
    assert "Tiêu đề" in listed.output
    with Store(db_path) as store:
        assert store.article(1).path.endswith("\\xff\\xfe.txt")


def test_jsonl_keeps_line_separators_inside_strings(tmp_path: Path, db_path: Path) -> None:
    """U+2028 is valid inside a JSON string; a JSONL line ends only at a newline."""
    source = tmp_path / "a.jsonl"
    source.write_text(
        json.dumps({"text": "Đảng bộ\u2028huyện Đồng Văn"}, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(app, ["import", str(source), "--no-segment"])
    assert result.exit_code == 0, result.output
    with Store(db_path) as store:
        assert store.article(1).text == "Đảng bộ\u2028huyện Đồng Văn"


def test_surrogate_escapes_in_jsonl_are_skipped_with_the_line(tmp_path: Path) -> None:
    source = tmp_path / "a.jsonl"
    source.write_text('{"text": "ok"}\n{"text": "a \\ud800 b"}\n', encoding="utf-8")
    result = CliRunner().invoke(app, ["import", str(source), "--no-segment"])
    assert result.exit_code == 0
    assert _squash(f"{source}:2: invalid Unicode") in _squash(result.output)


def test_segmenting_odd_but_valid_text(tmp_path: Path, db_path: Path) -> None:
    """Segmentation (the default import) copes with emoji, combining marks and odd spaces."""
    folder = tmp_path / "in"
    folder.mkdir()
    texts = [
        "🙂🙂 Đảng bộ 🙂\n\n" + "a\u0300\u0301 " * 50,
        "Tiêu đề\u2028\u2029\u00a0\u3000 Nghị quyết số 37\n\n(((((",
        "\U0010fffd \U000e0001 Chi bộ thôn Úc\n\n" + "…" * 200,
        unicodedata.normalize("NFD", SEED_TEXT[:2000]).replace("\n", "\r\n"),
    ]
    for i, text in enumerate(texts):
        (folder / f"{i}.txt").write_text(text, encoding="utf-8")
    result = CliRunner().invoke(app, ["import", str(folder), "--processes", "1"])
    assert result.exit_code == 0, result.output
    with Store(db_path) as store:
        assert store.untokenized_ids(_tokenizer()) == []
        assert store.count_articles() == len(texts)


def _tokenizer() -> str:
    from partybuild_tui.core.tokenize import tokenizer_id

    return tokenizer_id()
