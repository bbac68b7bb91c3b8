"""Stored text that attacks the screen: rich markup and terminal control characters.

Titles, sources, authors, article text, annotators and labels hold strings such as
"[/bold] x", "[link=http://evil]click[/link]", "\\x1b]0;pwned\\x07" or "\\x1b[2J". `list`,
`stats` and the import and export reports must print them literally (never parsed as markup)
with every control character shown as a visible stand-in (never sent to the terminal), and
`stats --json` must give the stored strings unchanged. The app's side is in
tests/tui/test_hostile_display.py.
"""

from __future__ import annotations

import json
import sqlite3
import tempfile
import unicodedata
from contextlib import closing
from pathlib import Path

from hypothesis import example, given
from hypothesis import strategies as st
from typer.testing import CliRunner, Result

from partybuild_tui.cli import app
from partybuild_tui.core import corpus, ingest
from partybuild_tui.core.display import printable, shown
from partybuild_tui.core.store import Store
from tests.safety_support import ANY_CHAR, hostile_settings

SETTINGS = hostile_settings(25)
ATTACKS = [
    "[/bold] x",
    "[/]evil",
    "[/x]",
    "[link=http://evil]click[/link]",
    "[bold red]loud",
    "\x1b]0;pwned\x07",
    "\x1b[2J",
    "a\x1b[31mred",
    "\x9b31m",
    "bell\x07\x08\x7f",
    ":smile: [b]x",
    "tab\tnew\nline\rret",
]


def _storable(text: str) -> bool:
    """What a store holds and an import keeps: not blank, no NUL, no lone surrogate."""
    surrogate = any(0xD800 <= ord(c) < 0xE000 for c in text)
    return bool(text.strip()) and "\x00" not in text and not surrogate


PIECES = st.one_of(
    st.sampled_from(
        ["[", "]", "/", "=", ":", "\\", "@", "#", "bold", "link", "[/", "[/]", "[link="]
    ),
    st.characters(categories=("Cc",)),
    st.sampled_from(["a", "Đảng", " "]),
)
hostile = st.one_of(
    st.sampled_from(ATTACKS),
    st.lists(PIECES, min_size=1, max_size=12).map("".join),
    st.text(ANY_CHAR, min_size=1, max_size=12),
).filter(_storable)


def _article(store: Store, text: str, title: str, source: str, author: str) -> int:
    doc = ingest.Document(
        key=f"k:{text}:{title}", path="x", raw_text=text, title=title, source=source, author=author
    )
    return store.insert_article(ingest.article_fields(doc))


def _hostile_db(db: Path, word: str, title: str, annotator: str, label: str) -> None:
    """Two done articles holding the attack in every stored field, tagged by and as it."""
    with Store(db) as store:
        for n, kind in enumerate(("ORGANIZATION", label)):
            text = corpus.normalize(f"{n} Đảng bộ {word} họp. {word} nữa.")
            article = _article(store, text, title, word, word)
            start = text.find(corpus.normalize(word).strip())
            end = start + len(corpus.normalize(word).strip())
            if start > 0:
                store.tag(article, start, end, kind, annotator)
            store.set_status(article, "done", annotator)


def state(db: Path) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    """Every article and span as stored: what no display of them may change."""
    with closing(sqlite3.connect(db)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        articles = conn.execute("SELECT id, title, source, author, text FROM articles").fetchall()
        spans = conn.execute('SELECT id, start, "end", label, annotator FROM spans').fetchall()
    return articles, spans


def _run(*args: str) -> Result:
    result = CliRunner().invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def _visible(output: str) -> None:
    """Nothing that a terminal would act on: no control character but the line breaks."""
    bad = {c for c in output if unicodedata.category(c) == "Cc" and c != "\n"}
    assert not bad, f"control characters reached the terminal: {sorted(map(hex, map(ord, bad)))}"


@SETTINGS
@given(word=hostile, title=hostile, annotator=hostile, label=hostile)
@example(word="[/x]", title="[/bold] x", annotator="[/]evil", label="[link=http://evil]x[/link]")
@example(word="\x1b[2J", title="\x1b]0;pwned\x07", annotator="\x1b[2J", label="\x07")
def test_list_and_stats_show_hostile_fields_literally(
    word: str, title: str, annotator: str, label: str
) -> None:
    word, title = word.strip(), " ".join(title.split()) or "t"  # as extract/import store them
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "h.db"
        _hostile_db(db, word, title, annotator, label)
        before = state(db)
        listed = _run("list", "--db", str(db))
        assert listed.exit_code == 0, listed.output
        _visible(listed.output)
        stats = _run("stats", "--db", str(db), "--limit", "0")
        assert stats.exit_code == 0, stats.output
        _visible(stats.output)
        assert "Traceback" not in listed.output + stats.output
        figures = json.loads(_run("stats", "--db", str(db), "--json").output)
        assert state(db) == before
    annotators = [a["annotator"] for a in figures["progress"]["annotators"]]
    assert annotators == [annotator]  # --json keeps the stored string, control codes and all
    assert label in figures["progress"]["spans_per_label"]


def test_markup_in_titles_prints_literally(db_path: Path) -> None:
    _hostile_db(db_path, "[/x]", "[link=http://evil]click[/link]", "[/]evil", "[/x]")
    listed = _run("list", "--db", str(db_path))
    assert listed.exit_code == 0 and "[link=http://evil]click[/link]" in listed.output
    stats = _run("stats", "--db", str(db_path))
    assert stats.exit_code == 0 and "[/]evil" in stats.output, stats.output


def test_escape_sequences_are_shown_visibly(db_path: Path) -> None:
    _hostile_db(db_path, "ab", "\x1b]0;pwned\x07 x", "\x1b[2J", "LBL")
    listed = _run("list", "--db", str(db_path))
    assert "␛]0;pwned␇ x" in listed.output
    stats = _run("stats", "--db", str(db_path), "--section", "progress")
    assert "␛[2J" in stats.output


def test_printable_keeps_offsets() -> None:
    for attack in ATTACKS:
        assert len(printable(attack)) == len(attack)
        assert len(printable(attack, body=True)) == len(attack)
    assert printable("\x1b]0;x\x07\t") == "␛]0;x␇␉"
    assert printable("a\tb", body=True) == "a b"
    assert shown("[/bold]").plain == "[/bold]"


def test_import_annotations_report_with_markup_label(db_path: Path, tmp_path: Path) -> None:
    """A label "[/x]" in a file: the article is stored and the skip printed as written."""
    data = tmp_path / "in.jsonl"
    record = {"text": "Đảng bộ tỉnh họp.", "spans": [{"start": 0, "end": 7, "label": "[/x]"}]}
    data.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    result = _run("import-annotations", str(data), "--db", str(db_path))
    assert "unknown label: '[/x]'" in result.output, result.output
    bell = {"text": "Bài hai.", "spans": [{"start": 0, "end": 3, "label": "\x1b]0;pwned\x07"}]}
    data.write_text(json.dumps(bell) + "\n", encoding="utf-8")
    result = _run("import-annotations", str(data), "--db", str(db_path))
    assert "␛]0;pwned␇" in result.output, result.output
    _visible(result.output)


def test_export_summary_with_hostile_label_and_text(db_path: Path, tmp_path: Path) -> None:
    _hostile_db(db_path, "\x1b[2J[/x]", "t", "tester", "[/b]\x07")
    out = tmp_path / "out[/x]\x1b.conll"
    result = _run("export", "conll", "--db", str(db_path), "--out", str(out), "--verbose")
    assert result.exit_code == 0, result.output
    assert "[/b]␇" in result.output and "out[/x]␛.conll" in result.output
    _visible(result.output)


def test_import_report_with_hostile_file_name(db_path: Path, tmp_path: Path) -> None:
    bad = tmp_path / "[red]\x1b[2J.txt"
    bad.write_bytes(b"\x00\x01")
    result = _run("import", str(bad), "--db", str(db_path), "--no-segment")
    assert "[red]␛[2J.txt" in result.output, result.output
    _visible(result.output)
