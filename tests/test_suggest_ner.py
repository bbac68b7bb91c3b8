"""The NER source: alignment onto the text, B-/I- chunks, trimming, and real seed sentences."""

from __future__ import annotations

import pytest

from partybuild_tui.core.suggest.base import Context
from partybuild_tui.core.suggest.ner import NerSource, align_tokens, entities, trim_person
from partybuild_tui.core.suggest.patterns import Patterns, load_patterns
from partybuild_tui.core.tokenize import segment
from tests.suggest_helpers import bare_article


@pytest.fixture(scope="module")
def patterns() -> Patterns:
    return load_patterns()


def test_alignment_survives_split_punctuation_and_tone_normalization() -> None:
    text = "Ông  Nguyễn Văn Hoà, (Bí thư) nói."
    tokens = ["Ông", "Nguyễn Văn Hòa", ",", "(", "Bí thư", ")", "nói", "."]
    ranges = align_tokens(text, 0, len(text), tokens)
    assert [text[s:e] for s, e in ranges] == [  # type: ignore[misc]
        "Ông",
        "Nguyễn Văn Hoà",
        ",",
        "(",
        "Bí thư",
        ")",
        "nói",
        ".",
    ]


def test_alignment_tolerates_dropped_and_changed_characters() -> None:
    text = "Ông A…B Nguyễn"
    tokens = ["Ông", "A", "...", "B", "Nguyễn"]
    ranges = align_tokens(text, 0, len(text), tokens)
    assert ranges[0] == (0, 3)
    assert ranges[-1] is not None and text[ranges[-1][0] : ranges[-1][1]] == "Nguyễn"


def test_entities_join_b_and_i_tags_only_when_adjacent() -> None:
    tagged = [("a", "B-PER"), ("b", "I-PER"), ("c", "O"), ("d", "I-ORG"), ("e", "B-LOC")]
    ranges = [(0, 1), (2, 3), (4, 5), (6, 7), (8, 9)]
    assert entities(tagged, ranges) == [("PER", 0, 3), ("ORG", 6, 7), ("LOC", 8, 9)]


@pytest.mark.parametrize(
    ("chunk", "name"),
    [
        ("Đồng chí Nguyễn Văn Hãnh", "Nguyễn Văn Hãnh"),
        ("ông Lò Văn Phong", "Lò Văn Phong"),
        ("Bí thư Nguyễn Văn Hãnh", "Nguyễn Văn Hãnh"),
        ("Phó Chủ tịch Vũ Quỳnh Khánh", "Vũ Quỳnh Khánh"),
        ("chị Nguyễn Thị Hoa", "Nguyễn Thị Hoa"),
        ("Anh Nguyễn Văn Nam", "Nguyễn Văn Nam"),
        ("Anh Dũng", "Anh Dũng"),  # a byline: "Anh" is the name here
        ("Trần Xuân Thu, Bí thư", "Trần Xuân Thu"),
        ("Trưởng Đoàn", None),
        ("Bí thư Đảng bộ xã", None),
    ],
)
def test_person_chunks_lose_honorifics_and_titles(
    patterns: Patterns, chunk: str, name: str | None
) -> None:
    found = trim_person(chunk, 0, len(chunk), patterns)
    assert (chunk[found[0] : found[1]] if found else None) == name


def run_ner(text: str, patterns: Patterns) -> list[tuple[str, str]]:
    article = bare_article(text)
    proposals = NerSource(patterns).suggest(article, segment(article.text), Context())
    return [(article.text[p.start : p.end], p.label) for p in proposals]


def test_seed_000_person_and_mislabelled_party_body(patterns: Patterns) -> None:
    text = (
        "Đồng chí Nguyễn Văn Hãnh, Bí thư Đảng bộ xã Tả Phìn cho biết: Để có được những kết "
        "quả trên là nhờ sự đoàn kết."
    )
    # underthesea tags "Bí thư Đảng bộ xã Tả Phìn" B-LOC: the body becomes ORGANIZATION
    assert run_ner(text, patterns) == [
        ("Nguyễn Văn Hãnh", "FIGURE"),
        ("Đảng bộ xã Tả Phìn", "ORGANIZATION"),
    ]


def test_places_the_article_names_are_not_figures(patterns: Patterns) -> None:
    text = (
        "KT - XH của huyện Đồng Văn đang tiếp tục phát triển mạnh mẽ, đưa Đồng Văn trở thành "
        "vùng du lịch trọng điểm của tỉnh."
    )
    assert ("Đồng Văn", "FIGURE") not in run_ner(text, patterns)


def test_the_party_alone_is_not_proposed(patterns: Patterns) -> None:
    text = "Với sự lãnh đạo của Đảng, KT - XH của huyện tiếp tục phát triển."
    assert run_ner(text, patterns) == []
