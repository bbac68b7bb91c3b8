"""The rule source on real seed sentences, and pattern files users extend."""

from __future__ import annotations

from pathlib import Path

import pytest

from partybuild_tui.core.suggest.base import Context
from partybuild_tui.core.suggest.patterns import PATTERNS_ENV, load_patterns
from partybuild_tui.core.suggest.rules import RuleSource
from partybuild_tui.errors import UserError
from tests.suggest_helpers import bare_article


@pytest.fixture(autouse=True)
def no_user_patterns(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(PATTERNS_ENV, raising=False)


def found(text: str, db_path: Path | None = None) -> list[tuple[str, str]]:
    article = bare_article(text)
    source = RuleSource(load_patterns(db_path))
    proposals = source.suggest(article, None, Context())  # type: ignore[arg-type]
    return [(article.text[p.start : p.end], p.label) for p in proposals]


def test_resolutions_in_seed_000() -> None:
    text = (
        "Cụ thể, Huyện ủy tập trung chỉ đạo quyết liệt việc thực hiện Nghị quyết TW 4 (khóa "
        "XII) gắn với thực hiện Chỉ thị số 05. Duy trì chào cờ đầu tuần."
    )
    assert found(text) == [
        ("Huyện ủy", "ORGANIZATION"),
        ("Nghị quyết TW 4 (khóa XII)", "RESOLUTION"),
        ("Chỉ thị số 05", "RESOLUTION"),
    ]


def test_seed_001_lead_stops_before_date_and_issuer() -> None:
    text = (
        "YênBái - Thực hiện Nghị quyết số 37 ngày 24/4/2021 của Ban Chấp hành Đảng bộ tỉnh "
        "Khóa XIX về nâng cao năng lực lãnh đạo, Ban Thường vụ Huyện ủy Lục Yên đã xây dựng "
        "và ban hành Chương trình hành động số 18 về thực hiện Nghị quyết số 37."
    )
    assert found(text) == [
        ("Nghị quyết số 37", "RESOLUTION"),
        ("Ban Chấp hành Đảng bộ tỉnh", "ORGANIZATION"),
        ("Ban Thường vụ Huyện ủy Lục Yên", "ORGANIZATION"),
        ("Chương trình hành động số 18", "RESOLUTION"),
        ("Nghị quyết số 37", "RESOLUTION"),
    ]


def test_organizations_and_person_in_seed_001_caption() -> None:
    text = (
        "Đồng chí Vũ Quỳnh Khánh - Phó Chủ tịch HĐND tỉnh, Trưởng Đoàn công tác số 9 của Ban "
        "Thường vụ Tỉnh ủy (người thứ 4, phải sang) trao đổi với đảng viên Chi bộ thôn Úc, xã "
        "Tân Lập."
    )
    assert found(text) == [
        ("Vũ Quỳnh Khánh", "FIGURE"),
        ("HĐND tỉnh", "ORGANIZATION"),
        ("Ban Thường vụ Tỉnh ủy", "ORGANIZATION"),
        ("Chi bộ thôn Úc", "ORGANIZATION"),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("theo Nghị quyết số 22-NQ/TW của Bộ Chính trị", "Nghị quyết số 22-NQ/TW"),
        ("thực hiện Chỉ thị 05-CT/TW và", "Chỉ thị 05-CT/TW"),
        ("Nghị quyết Trung ương 4 (khóa XI, XII) và", "Nghị quyết Trung ương 4 (khóa XI, XII)"),
        (
            "Nghị quyết Hội nghị Trung ương 4 khóa XII về",
            "Nghị quyết Hội nghị Trung ương 4 khóa XII",
        ),
        ("có Đề án số 11, ngày 29/01/2016, của Huyện ủy", "Đề án số 11"),
        ("theo Quy định 213-QĐ/TW về", "Quy định 213-QĐ/TW"),
    ],
)
def test_resolution_identifiers(text: str, expected: str) -> None:
    assert (expected, "RESOLUTION") in found(text)


@pytest.mark.parametrize(
    "text",
    [
        "Đảng bộ đã xây dựng một số nghị quyết chuyên đề nâng cao chất lượng chi bộ.",
        "quán triệt các nghị quyết của Đảng và kế hoạch năm 2020.",
        "cả hai chi bộ thôn đều đạt trong sạch, vững mạnh",
        "xây dựng Đảng vững mạnh, Đảng bộ vững mạnh",
    ],
)
def test_generic_mentions_are_not_proposed(text: str) -> None:
    assert found(text) == []


def test_user_pattern_file_extends_lists_and_rules(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shipped = load_patterns()
    extra = tmp_path / "mine.toml"
    extra.write_text(
        '[lists]\ndoc_type = ["Thông tri"]\n\n'
        '[[rule]]\nname = "union"\nlabel = "organization"\npattern = "Công đoàn {proper}"\n',
        encoding="utf-8",
    )
    monkeypatch.setenv(PATTERNS_ENV, str(extra))
    text = "theo Thông tri số 3 của Công đoàn Việt Nam."
    assert found(text) == [
        ("Thông tri số 3", "RESOLUTION"),
        ("Công đoàn Việt Nam", "ORGANIZATION"),
    ]
    assert load_patterns().digest != shipped.digest


def test_patterns_beside_the_database_can_switch_a_rule_off(tmp_path: Path) -> None:
    (tmp_path / "patterns.toml").write_text(
        '[[rule]]\nname = "resolution"\nenabled = false\n', encoding="utf-8"
    )
    text = "thực hiện Chỉ thị số 05 của Huyện ủy"
    assert found(text, tmp_path / "x.db") == [("Huyện ủy", "ORGANIZATION")]


def test_bad_pattern_files_are_one_line_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[[rule]]\nname = "x"\nlabel = "FIGURE"\npattern = "(unclosed"\n', "utf-8")
    monkeypatch.setenv(PATTERNS_ENV, str(bad))
    with pytest.raises(UserError, match=r"bad\.toml, rule 1 \(x\): not a valid pattern"):
        load_patterns()
    bad.write_text("[[rule]\n", "utf-8")
    with pytest.raises(UserError, match=r"cannot read pattern file .*bad\.toml"):
        load_patterns()
    monkeypatch.setenv(PATTERNS_ENV, str(tmp_path / "missing.toml"))
    with pytest.raises(UserError, match="missing.toml .* does not exist"):
        load_patterns()


def test_photo_credits_and_bylines_are_figures() -> None:
    text = "rãnh thoát nước thải ở thôn dân cư. Ảnh: Trường Khanh.\n\nBài, ảnh: My Ly"
    assert found(text) == [("Trường Khanh", "FIGURE"), ("My Ly", "FIGURE")]


def test_byline_source_finds_each_author_where_written() -> None:
    from partybuild_tui.core.suggest.byline import BylineSource

    article = bare_article("Tin chính.\n\nThu Hà - Minh Anh\n", author="Thu Hà - Minh Anh (TTXVN)")
    proposals = BylineSource().suggest(article, None, Context())  # type: ignore[arg-type]
    assert [article.text[p.start : p.end] for p in proposals] == ["Thu Hà", "Minh Anh"]
    theirs = bare_article("Văn bản.\n\nTheo baohagiang.vn\n", author="baohagiang.vn")
    assert BylineSource().suggest(theirs, None, Context()) == []  # type: ignore[arg-type]
