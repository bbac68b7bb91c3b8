"""Reading the seeds: title, date, agency, byline and the body range, each checked by hand."""

from __future__ import annotations

import unicodedata

import pytest

from partybuild_tui.core import corpus
from tests.conftest import SEEDS

# (file prefix, title, date, source, author, last words of the body, first boilerplate after)
EXPECTED = [
    (
        "000",
        "Đồng Văn xây dựng Đảng vững mạnh từ cơ sở",
        "2019-11-20T18:24",
        "BHG",
        "My Ly",
        "Bài, ảnh: My Ly",
        ".",
    ),
    (
        "001",
        "Lục Yên: Nâng cao sức chiến đấu của tổ chức đảng ở cơ sở",
        "2022-05-18T05:29:48",
        "YênBái",
        "Anh Dũng",
        "Anh Dũng",
        "Tags",
    ),
    (
        "002",
        "Vĩnh Phúc: Xây dựng Đảng vững mạnh từ cơ sở",
        None,
        None,
        None,
        "hạt nhân lãnh đạo toàn diện các mặt công tác...",
        "Phản hồi",
    ),
    (
        "003",
        "Xây dựng Đảng ở cơ sở vững về tổ chức, mạnh về đội ngũ, nâng cao năng lực lãnh "
        "đạo, sức chiến đấu của tổ chức cơ sở Đảng",
        None,
        None,
        "Giàng A Giả",
        "Trưởng Ban tổ chức Huyện ủy Si Ma Cai",
        "1\xa02",
    ),
    (
        "004",
        "Xây dựng, củng cố cơ sở đảng ở xã Na Tông",
        "2017-03-29T09:12",
        "ĐBP",
        "Triệu Mai",
        "Bài, ảnh: Triệu Mai",
        "Bình luận",
    ),
]


def seed_text(prefix: str) -> str:
    path = next(SEEDS.glob(f"{prefix}_*.txt"))
    return corpus.normalize(corpus.decode(path.read_bytes()))


@pytest.mark.parametrize(("prefix", "title", "date", "source", "author", "ends", "after"), EXPECTED)
def test_seed_metadata(
    prefix: str,
    title: str,
    date: str | None,
    source: str | None,
    author: str | None,
    ends: str,
    after: str,
) -> None:
    text = seed_text(prefix)
    meta = corpus.extract_metadata(text)
    assert meta.title == title
    assert meta.date == date
    assert meta.source == source
    assert meta.author == author
    assert meta.body_start == 0
    assert text[: meta.body_end].endswith(ends)
    assert text[meta.body_end :].lstrip().startswith(after)


def test_boilerplate_is_outside_body_but_kept() -> None:
    text = seed_text("001")
    meta = corpus.extract_metadata(text)
    assert "Các tin khác" in text
    assert "Các tin khác" not in text[meta.body_start : meta.body_end]
    assert "Xem các tin đã đưa ngày" not in text[meta.body_start : meta.body_end]


def test_normalize_makes_nfc_and_lf() -> None:
    raw = "\ufeff" + unicodedata.normalize("NFD", "Nghị quyết\r\nsố 37\rkhóa") + "\r\n"
    text = corpus.normalize(raw)
    assert text == "Nghị quyết\nsố 37\nkhóa\n"
    assert unicodedata.is_normalized("NFC", text)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b"  \n\t ", "empty"),
        (b"abc\x00def", "binary"),
        (b"Ch\xe0o c\xe1c b\xe1n", "not UTF-8"),
    ],
)
def test_decode_refuses_bad_bytes(data: bytes, reason: str) -> None:
    with pytest.raises(corpus.UnreadableText, match=reason):
        corpus.decode(data)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Thứ Tư, 20/11/2019, 18:24 (GMT+7)", "2019-11-20T18:24"),
        ("  • Cập nhật: Thứ tư, 18/5/2022 | 5:29:48 PM", "2022-05-18T17:29:48"),
        ("09:12 - Thứ Tư, 29/03/2017 Lượt xem: 6979", "2017-03-29T09:12"),
        ("Ngày 31/02/2020", None),
        ("không có ngày", None),
        ("Thứ hai, 3/1/2021", "2021-01-03"),
    ],
)
def test_parse_date(line: str, expected: str | None) -> None:
    assert corpus.parse_date(line) == expected


def test_short_text_without_boilerplate() -> None:
    meta = corpus.extract_metadata("Tiêu đề\n\nMột câu ngắn.\n")
    assert meta.title == "Tiêu đề"
    assert meta.body_end == len("Tiêu đề\n\nMột câu ngắn.")
