"""Hostile input for `partybuild import-annotations`, generated with hypothesis.

JSON lines (this tool's and doccano's) and brat folders made of random bytes, malformed and
deeply nested JSON, wrong types, spans with bad offsets, texts and labels, every Unicode
plane, unpaired surrogates, NUL, CRLF, decomposed Vietnamese and huge lines, .ann garbage and
.ann files without their .txt: the command never shows a traceback, names the file (and
line) of everything it skips, and changes nothing already stored; what it adds are whole,
flat spans whose text is the article's text at their offsets.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import unicodedata
from contextlib import closing
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from partybuild_tui.cli import app
from partybuild_tui.core import corpus
from tests.safety_support import ANY_CHAR, hostile_settings, tagged_seeds

pytestmark = pytest.mark.safety

SEEDS = Path(__file__).parents[1] / "seeds"
SEED_TEXT = corpus.normalize((SEEDS / "000_e5b5bf95444e5f29.txt").read_text(encoding="utf-8"))
NAME = "Đảng bộ huyện Đồng Văn"
AT = SEED_TEXT.index(NAME)
SETTINGS = hostile_settings(40)

# ---- strategies ------------------------------------------------------------------------------

any_char = ANY_CHAR
offset = st.one_of(
    st.integers(-5, len(SEED_TEXT) + 5),
    st.sampled_from([AT, AT + len(NAME), 10**30, -(10**30), 0]),
    st.sampled_from(["5", 1.5, True, None, [], {}]),
)
label = st.one_of(
    st.sampled_from(["ORGANIZATION", "figure", " RESOLUTION ", "PERSON", "", "O"]),
    st.text(any_char, max_size=10),
    st.sampled_from([5, None, ["ORGANIZATION"], {"x": 1}]),
)
span_text = st.one_of(st.none(), st.just(NAME), st.text(any_char, max_size=20), st.just(5))


def _text_variant(form: str, newline: str) -> str:
    return unicodedata.normalize(form, SEED_TEXT).replace("\n", newline)


article_text = st.one_of(
    st.builds(_text_variant, st.sampled_from(["NFC", "NFD"]), st.sampled_from(["\n", "\r\n"])),
    st.text(any_char, max_size=200),
    st.just("Bài mới\x00có NUL"),
    st.just("Tiêu đề\n" + "Đảng bộ " * 60_000),
    st.sampled_from(["", "   ", 5, None, ["a"]]),
)


@st.composite
def own_span(draw: st.DrawFn) -> object:
    if draw(st.integers(0, 9)) == 0:
        return draw(st.sampled_from([5, "x", None, [AT, AT + 3, "FIGURE"]]))
    fields = {
        "start": draw(offset),
        "end": draw(offset),
        "label": draw(label),
        "text": draw(span_text),
        "annotator": draw(st.sampled_from([None, "tester", "khác", 7])),
    }
    for key in draw(st.lists(st.sampled_from(list(fields)), max_size=2)):
        fields.pop(key, None)
    return fields


@st.composite
def record_line(draw: st.DrawFn) -> str:
    text = draw(article_text)
    if draw(st.booleans()):
        spans = draw(st.one_of(st.lists(own_span(), max_size=4), st.sampled_from([5, "x"])))
        data: object = {"text": text, "spans": spans, "title": draw(st.text(any_char, max_size=8))}
    else:
        labels = st.lists(st.tuples(offset, offset, label).map(list), max_size=4)
        data = {"text": text, "label": draw(st.one_of(labels, st.sampled_from([5, [[1, 2]]])))}
    return json.dumps(data, ensure_ascii=draw(st.booleans()))


bad_line = st.one_of(
    st.sampled_from(
        [
            '{"text": "a \\ud800 b", "label": []}',
            '{"text": "Bài", "spans": [{"start": 0, "end": 3, "label": "\\udfff"}]}',
            '{"text": "unterminated',
            "[" * 100_000 + "]" * 100_000,
            "null",
            "[1, 2]",
            '"just a string"',
            "NaN",
            "",
        ]
    ),
    st.text(any_char.filter(lambda c: c not in "\r\n"), max_size=60),
)
jsonl_bytes = st.tuples(
    st.lists(st.one_of(record_line(), bad_line), min_size=1, max_size=6),
    st.sampled_from(["\n", "\r\n"]),
    st.booleans(),
).map(lambda t: (t[1].join(t[0])).encode("utf-8", "surrogatepass") + (b"\xff" if t[2] else b""))
jsonl_file = st.one_of(jsonl_bytes, st.binary(max_size=500))

ann_line = st.one_of(
    st.builds(
        lambda lab, a, b, shown: f"T1\t{lab} {a} {b}\t{shown}",
        label.filter(lambda x: isinstance(x, str)),
        offset.filter(lambda x: isinstance(x, int)),
        offset.filter(lambda x: isinstance(x, int)),
        span_text.filter(lambda x: isinstance(x, str)),
    ),
    st.just(f"T2\tORGANIZATION {AT} {AT + len(NAME)}\t{NAME}"),
    st.sampled_from(["T3\tFIGURE 1 2;x y\tab", "T4 broken", "R1\tRel Arg1:T1", "#1\tnote", "T"]),
    st.text(any_char.filter(lambda c: c not in "\r\n"), max_size=40),
)
ann_file = st.one_of(
    st.lists(ann_line, max_size=6).map(
        lambda lines: "\n".join(lines).encode("utf-8", "surrogatepass")
    ),
    st.binary(max_size=300),
)
txt_file = st.one_of(
    st.none(),  # a missing .txt
    st.just(SEED_TEXT.encode()),
    st.just(_text_variant("NFD", "\r\n").encode()),
    st.binary(max_size=300),
    st.just(b"abc\x00def"),
)
brat_folder = st.lists(st.tuples(ann_file, txt_file), min_size=1, max_size=3)

# ---- the database before each example ----------------------------------------------------------


@pytest.fixture(scope="module")
def base_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Seeds imported and annotated: what must survive every hostile import."""
    return tagged_seeds(tmp_path_factory.mktemp("base") / "base.db", [(0, 5, "ORGANIZATION")])


def _state(db: Path) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    with closing(sqlite3.connect(db)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        articles = conn.execute(
            "SELECT id, key, content_hash, status, text FROM articles ORDER BY id"
        ).fetchall()
        spans = conn.execute(
            'SELECT id, article_id, start, "end", label, text, annotator, origin FROM spans '
            "ORDER BY id"
        ).fetchall()
    return articles, spans


def _import(base_db: Path, workspace: Path, source: Path, *options: str) -> tuple[str, int]:
    db = workspace / "work.db"
    shutil.copy(base_db, db)
    before_articles, before_spans = _state(db)
    result = CliRunner().invoke(
        app, ["import-annotations", str(source), *options, "--verbose", "--db", str(db)]
    )
    output = result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        output,
        result.exception,
    )
    assert "Traceback" not in output
    assert result.exit_code in (0, 1), output
    articles, spans = _state(db)
    assert articles[: len(before_articles)] == before_articles, "a stored article changed"
    assert spans[: len(before_spans)] == before_spans, "a stored span changed or was lost"
    _assert_added_spans_sound(articles, spans[len(before_spans) :], spans)
    for _id, _key, digest, _status, text in articles[len(before_articles) :]:
        assert "\x00" not in text and "\r" not in text
        assert unicodedata.is_normalized("NFC", text) and corpus.content_hash(text) == digest
    return output, result.exit_code


def _assert_added_spans_sound(
    articles: list[tuple[object, ...]], added: list[tuple[object, ...]], every: list[tuple]
) -> None:
    texts = {row[0]: str(row[4]) for row in articles}
    for _id, article_id, start, end, lab, shown, who, origin in added:
        assert str(origin).startswith("import:") or who == "tester", origin
        assert lab in ("ORGANIZATION", "FIGURE", "RESOLUTION"), lab
        text = texts[article_id]
        assert 0 <= start < end <= len(text) and text[start:end] == shown
        for other in every:
            if other[0] != _id and other[1] == article_id and other[6] == who:
                assert other[3] <= start or end <= other[2], "an import made spans overlap"


# ---- the tests -----------------------------------------------------------------------------------


@SETTINGS
@given(data=jsonl_file, fmt=st.sampled_from(["auto", "jsonl", "doccano"]))
def test_hostile_json_lines(base_db: Path, workspace: Path, data: bytes, fmt: str) -> None:
    source = workspace / "hostile.jsonl"
    source.write_bytes(data)
    output, _code = _import(base_db, workspace, source, "--format", fmt)
    for line in output.splitlines():
        if line.strip().startswith("skipped"):
            assert "hostile.jsonl:" in line.replace("\n", ""), line


@SETTINGS
@given(pairs=brat_folder)
def test_hostile_brat_folder(
    base_db: Path, workspace: Path, pairs: list[tuple[bytes, bytes | None]]
) -> None:
    folder = workspace / "brat"
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir()
    for number, (ann, txt) in enumerate(pairs):
        (folder / f"doc{number}.ann").write_bytes(ann)
        if txt is not None:
            (folder / f"doc{number}.txt").write_bytes(txt)
    output, code = _import(base_db, workspace, folder)
    for line in output.splitlines():
        if line.strip().startswith("skipped"):
            assert "doc" in line and (".ann" in line or ".txt" in line), line
    for number, (_ann, txt) in enumerate(pairs):
        if txt is None:
            assert f"doc{number}.txt" in output and "no .txt beside" in output, output


def test_negative_offsets_are_never_moved_into_the_text(base_db: Path, workspace: Path) -> None:
    """A CRLF/NFD file's offsets are mapped onto the stored text: negative ones must not be."""
    text = _text_variant("NFD", "\r\n")
    name = unicodedata.normalize("NFD", NAME)
    start = text.index(name) - len(text)  # Python would take these as counted from the end
    source = workspace / "neg.jsonl"
    source.write_text(json.dumps({"text": text, "label": [[start, start + len(name), "FIGURE"]]}))
    output, _code = _import(base_db, workspace, source)
    assert "outside the text" in output and "spans imported              │ 0" in output, output


def test_deeply_nested_json_is_a_skipped_line(base_db: Path, workspace: Path) -> None:
    source = workspace / "deep.jsonl"
    source.write_text("[" * 100_000 + "]" * 100_000 + "\n")
    output, code = _import(base_db, workspace, source)
    assert code == 1 and f"{source}:1" in "".join(output.split()), output


def test_good_lines_among_garbage_are_imported_and_the_rest_named(
    base_db: Path, workspace: Path
) -> None:
    """A CRLF, NFD copy of a stored article between bad lines: its span lands on the NFC text."""
    text = _text_variant("NFD", "\r\n")
    name = unicodedata.normalize("NFD", NAME)
    start = text.index(name)
    good = {"text": text, "label": [[start, start + len(name), "ORGANIZATION"]]}
    lines = [b"\xff\xfe", b'{"text": "a \\ud800"}', json.dumps(good).encode(), b"[" * 50_000]
    source = workspace / "mixed.jsonl"
    source.write_bytes(b"\r\n".join(lines))
    output, code = _import(base_db, workspace, source)
    flat = "".join(output.split())
    for number, reason in ((1, "notUTF-8"), (2, "invalidUnicode"), (4, "malformedJSON")):
        assert f"{source}:{number}:{reason}" in flat, output
    assert code == 0
    with closing(sqlite3.connect(workspace / "work.db")) as conn:
        added = conn.execute(
            'SELECT article_id, start, "end", text, origin FROM spans '
            "WHERE origin LIKE 'import:%'"
        ).fetchall()
    assert added == [(1, AT, AT + len(NAME), NAME, "import:doccano")]
