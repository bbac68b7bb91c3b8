"""Spans that do not fit the tokens are expanded or dropped, always counted; --strict fails."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from seqeval.scheme import IOB2, Entities

from partybuild_tui.config import DEFAULT_LABELS
from partybuild_tui.core import tokenize
from partybuild_tui.core.export import ExportOptions, StrictError, TokenOptions, export
from partybuild_tui.core.export import summary as s
from partybuild_tui.core.export.summary import ExportSummary
from partybuild_tui.core.store import Store
from tests.export_support import build_seeded, copy_db, read_conll


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_seeded(tmp_path_factory.mktemp("tpl") / "plain.db", annotate=False)


@pytest.fixture
def plain(template: Path, tmp_path: Path) -> Iterator[Store]:
    with Store(copy_db(template, tmp_path / "plain.db")) as store:
        yield store


def words(store: Store, article_id: int) -> tokenize.Tokenization:
    result = tokenize.cached_tokenization(store, store.article(article_id))
    assert result is not None
    return result


def multi_syllable_word(store: Store, article_id: int) -> tuple[int, int, int]:
    """(word start, end of its first syllable, word end) of a body word of 2+ syllables."""
    tok = words(store, article_id)
    article = store.article(article_id)
    for start, end in tok.words:
        inner = article.text[start:end]
        if start >= article.body_start and " " in inner and inner[0].isupper():
            return start, start + inner.index(" "), end
    raise AssertionError("no multi-syllable word")


def conll(store: Store, out: Path, **tokens: object) -> ExportSummary:
    options = ExportOptions("conll", tokens=TokenOptions(**tokens))  # type: ignore[arg-type]
    return export(store, options, out, DEFAULT_LABELS)


def test_span_cutting_a_word_is_expanded_and_counted(plain: Store, tmp_path: Path) -> None:
    start, first_end, end = multi_syllable_word(plain, 1)
    plain.tag(1, start, first_end, "FIGURE", "tester")
    summary = conll(plain, tmp_path / "x.conll", cut="expand")
    assert summary.adjusted == {s.EXPANDED: 1}
    assert summary.spans == {"FIGURE": 1}
    sentences, _ = read_conll(tmp_path / "x.conll")
    tagged = [row for sentence in sentences for row in sentence if row[1] != "O"]
    word = plain.article(1).text[start:end].replace(" ", "_")
    assert tagged == [[word, "B-FIGURE"]]


def test_cut_drop_counts_the_dropped_span(plain: Store, tmp_path: Path) -> None:
    start, first_end, _end = multi_syllable_word(plain, 1)
    plain.tag(1, start, first_end, "FIGURE", "tester")
    summary = conll(plain, tmp_path / "x.conll", cut="drop")
    assert summary.adjusted == {s.DROPPED_CUT: 1} and not summary.spans
    assert "B-" not in (tmp_path / "x.conll").read_text(encoding="utf-8")


def test_syllable_level_needs_no_adjustment(plain: Store, tmp_path: Path) -> None:
    start, first_end, _end = multi_syllable_word(plain, 1)
    plain.tag(1, start, first_end, "FIGURE", "tester")
    summary = conll(plain, tmp_path / "x.conll", level="syllable")
    assert not summary.adjusted and summary.spans == {"FIGURE": 1}


def test_strict_fails_naming_article_and_span_and_writes_nothing(
    plain: Store, tmp_path: Path
) -> None:
    start, first_end, _end = multi_syllable_word(plain, 1)
    plain.tag(1, start, first_end, "FIGURE", "tester")
    target = tmp_path / "x.conll"
    with pytest.raises(StrictError) as caught:
        conll(plain, target, strict=True)
    message = str(caught.value)
    assert "article 1" in message and f"[{start}, {first_end})" in message
    assert repr(plain.article(1).text[start:first_end]) in message
    assert not target.exists()
    assert not any(p.name.endswith(".part") for p in tmp_path.iterdir())


def test_overlapping_spans_of_two_annotators_keep_the_first(plain: Store, tmp_path: Path) -> None:
    start, _first_end, end = multi_syllable_word(plain, 1)
    plain.tag(1, start, end, "FIGURE", "tester")
    plain.tag(1, start, end, "ORGANIZATION", "lan")
    summary = conll(plain, tmp_path / "x.conll")
    assert summary.adjusted == {s.DROPPED_OVERLAP: 1}
    assert sum(summary.spans.values()) == 1


def test_span_across_a_sentence_boundary_stays_valid_bio(plain: Store, tmp_path: Path) -> None:
    tok = words(plain, 1)
    text = plain.article(1).text
    pairs = zip(tok.sentences, tok.sentences[1:], strict=False)
    first, second = next((a, b) for a, b in pairs if "\n" not in text[a[1] : b[0]])
    last_word = max(w for w in tok.words if w[1] <= first[1])
    next_word = min(w for w in tok.words if w[0] >= second[0])
    plain.tag(1, last_word[0], next_word[1], "ORGANIZATION", "tester")
    summary = conll(plain, tmp_path / "x.conll", level="syllable")
    assert summary.adjusted == {s.SPLIT_SENTENCE: 1}
    sentences, _ = read_conll(tmp_path / "x.conll")
    tags = [[row[-1] for row in sentence] for sentence in sentences]
    assert sum(len(x) for x in Entities(tags, IOB2).entities) == 2


def test_span_in_page_boilerplate_is_counted_as_outside(plain: Store, tmp_path: Path) -> None:
    article = plain.article(2)
    assert article.body_end < len(article.text)
    tail = article.text.index("Hồng Ca", article.body_end)
    plain.tag(2, tail, tail + len("Hồng Ca"), "ORGANIZATION", "tester")
    summary = conll(plain, tmp_path / "x.conll")
    assert summary.adjusted == {s.DROPPED_OUTSIDE: 1} and not summary.spans


def tag_text(store: Store, article_id: int, wanted: str, label: str) -> tuple[int, int]:
    text = store.article(article_id).text
    start = text.index(wanted)
    store.tag(article_id, start, start + len(wanted), label, "tester")
    return start, start + len(wanted)


def tagged_rows(path: Path) -> list[list[str]]:
    sentences, _ = read_conll(path)
    return [row for sentence in sentences for row in sentence if row[-1] != "O"]


def test_syllable_level_splits_punctuation_off_a_syllable(plain: Store, tmp_path: Path) -> None:
    # underthesea reads "khóa X. Ban" as one word and "X." as one syllable
    tag_text(plain, 4, "Ban Chấp hành Trung ương khóa X", "ORGANIZATION")
    out = tmp_path / "x.conll"
    summary = conll(plain, out, level="syllable")
    assert not summary.adjusted and summary.spans == {"ORGANIZATION": 1}
    rows = tagged_rows(out)
    assert [r[0] for r in rows] == ["Ban", "Chấp", "hành", "Trung", "ương", "khóa", "X"]
    sentences, _ = read_conll(out)
    ending = next(s for s in sentences if [r[0] for r in s[-3:]] == ["khóa", "X", "."])
    assert ending[-1] == [".", "O"]  # the sentence ends after the full stop


def test_no_token_holds_a_sentence_end(plain: Store, tmp_path: Path) -> None:
    out = tmp_path / "x.conll"
    conll(plain, out)
    sentences, _ = read_conll(out)
    tokens = [row[0] for sentence in sentences for row in sentence]
    assert "X._Ban" not in tokens
    assert not [t for t in tokens if any(f"{p}_" in t for p in ".!?")]
    after = [b for a, b in zip(sentences, sentences[1:], strict=False) if a[-1][0] == "X."]
    assert [s[0][0] for s in after] == ["Ban"]  # "Ban tổ chức ..." starts its own sentence


def test_default_cut_splits_the_token_at_the_span_edge(plain: Store, tmp_path: Path) -> None:
    # underthesea joins "Đồng Văn hiện" into one word; the span ends after "Văn"
    text = plain.article(1).text
    start = text.index("Đảng bộ huyện Đồng Văn hiện")
    plain.tag(1, start, start + len("Đảng bộ huyện Đồng Văn"), "ORGANIZATION", "tester")
    out = tmp_path / "x.conll"
    summary = conll(plain, out)
    assert summary.adjusted == {s.SPLIT: 1}
    assert [r[0] for r in tagged_rows(out)] == ["Đảng_bộ", "huyện", "Đồng_Văn"]
    text = out.read_text(encoding="utf-8")
    assert "Đồng_Văn B-" not in text and "\nhiện O\n" in text
    (detail,) = summary.details
    assert "'Đảng bộ huyện Đồng Văn'" in detail and "'Đồng Văn hiện'" in detail
    expanded = conll(plain, tmp_path / "e.conll", cut="expand")
    assert expanded.adjusted == {s.EXPANDED: 1}
    assert [r[0] for r in tagged_rows(tmp_path / "e.conll")][-1] == "Đồng_Văn_hiện"
