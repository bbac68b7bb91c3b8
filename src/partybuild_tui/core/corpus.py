"""Reading scraped news files: decoding, normalization and the metadata inside the text.

A stored article's ``text`` is the whole file decoded as UTF-8 (or UTF-16/32 when it starts
with a byte-order mark), without the byte-order mark, with CRLF and lone CR turned into LF,
in NFC. Nothing is cut away: the page boilerplate that
scrapers leave at the end ("Các tin khác", "Bình luận", counters, pagination) is only marked as
outside the ``[body_start, body_end)`` range, so offsets other tools compute over the same file
line up with ours and hiding boilerplate never shifts a span.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime

MAX_FILE_BYTES = 50 * 1024 * 1024  # the most any import reads at once: a whole file, or a line


def size_problem(what: str, size: int) -> str | None:
    """Why a ``what`` ("file", "line") of ``size`` bytes is refused, None if it is not.

    The one size policy of ``import`` and ``import-annotations``: nothing larger than
    ``MAX_FILE_BYTES`` is held in memory as one piece.
    """
    if size > MAX_FILE_BYTES:
        return f"{what} too large ({size:,} bytes; limit {MAX_FILE_BYTES:,} bytes)"
    return None


class UnreadableText(Exception):
    """A file or record that cannot become an article; the message says why."""


# longest first: a UTF-32-LE mark begins with the UTF-16-LE one
BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32-le", "UTF-32"),
    (b"\x00\x00\xfe\xff", "utf-32-be", "UTF-32"),
    (b"\xff\xfe", "utf-16-le", "UTF-16"),
    (b"\xfe\xff", "utf-16-be", "UTF-16"),
)


def decode(data: bytes) -> str:
    """Decode strict UTF-8 (or UTF-16/32 that starts with a byte-order mark), refusing binary
    data with a reason a user understands."""
    if not data.strip():
        raise UnreadableText("empty file")
    wide = _decode_wide(data)
    if wide is not None:
        return wide
    if b"\x00" in data:
        raise UnreadableText("binary file (contains NUL bytes)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnreadableText(
            f"not UTF-8 (invalid byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            "convert it with iconv -f <encoding> -t UTF-8"
        ) from exc
    return text


def _decode_wide(data: bytes) -> str | None:
    """A UTF-16/32 text after its byte-order mark; None when ``data`` has no such mark.

    Odd bytes after a UTF-16 mark are taken for binary data that happens to start like one.
    """
    for bom, codec, name in BOMS:
        if not data.startswith(bom):
            continue
        unit = 4 if name == "UTF-32" else 2
        if (len(data) - len(bom)) % unit:
            return None
        try:
            text = data[len(bom) :].decode(codec)
        except UnicodeDecodeError as exc:
            raise UnreadableText(
                f"not valid {name} (bad {codec} sequence at offset {exc.start + len(bom)}); "
                f"convert it with iconv -f {name} -t UTF-8"
            ) from exc
        if "\x00" in text:
            raise UnreadableText(f"binary file ({name} text with NUL characters)")
        if not text.strip():
            raise UnreadableText("empty file")
        return text
    return None


def normalize(raw: str) -> str:
    """The stored form of a text: LF newlines and NFC (Vietnamese arrives composed and not)."""
    text = raw.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", text)


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Metadata:
    title: str
    date: str | None
    source: str | None
    author: str | None
    body_start: int
    body_end: int


@dataclass(frozen=True)
class _Line:
    start: int
    end: int
    text: str

    @property
    def stripped(self) -> str:
        return self.text.strip()


def _lines(text: str) -> list[_Line]:
    lines, pos = [], 0
    for part in text.split("\n"):
        lines.append(_Line(pos, pos + len(part), part))
        pos += len(part) + 1
    return lines


# ---- date --------------------------------------------------------------------------------------

_DATE = re.compile(r"(?<!\d)(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?!\d)")
_TIME = re.compile(r"(?<![\d/])(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\s*([AaPp][Mm]))?(?![\d/])")
HEADER_LINES = 6
HEADER_LINE_MAX = 160


def parse_date(line: str) -> str | None:
    """ISO date (and time, if given) from a dateline such as 'Thứ Tư, 20/11/2019, 18:24'."""
    found = _DATE.search(line)
    if not found:
        return None
    day, month, year = (int(g) for g in found.groups())
    try:
        day_value = date(year, month, day)
    except ValueError:
        return None
    clock = _TIME.search(line)
    if not clock:
        return day_value.isoformat()
    hour, minute = int(clock.group(1)), int(clock.group(2))
    second = int(clock.group(3)) if clock.group(3) else None
    meridiem = (clock.group(4) or "").lower()
    if meridiem == "pm" and hour < 12:
        hour += 12
    elif meridiem == "am" and hour == 12:
        hour = 0
    try:
        stamp = datetime(year, month, day, hour, minute, second or 0)
    except ValueError:
        return day_value.isoformat()
    return stamp.isoformat(timespec="seconds" if second is not None else "minutes")


# ---- dateline agency ---------------------------------------------------------------------------

_AGENCY = re.compile(r"^\s*\(?([A-ZĐ][^\W\d_]{1,11})\)?\s*[-–—]\s+\S")


def parse_agency(line: str) -> str | None:
    """The agency code that opens a lead paragraph: 'BHG - ', 'YênBái - ', 'ĐBP - '."""
    found = _AGENCY.match(line)
    if not found:
        return None
    code = found.group(1)
    if sum(ch.isupper() for ch in code) < 2:
        return None
    return code


# ---- boilerplate -------------------------------------------------------------------------------

_CUT_LINES = {
    "các tin khác",
    "tin khác",
    "tin liên quan",
    "bài liên quan",
    "tin cùng chuyên mục",
    "bình luận",
    "phản hồi",
    "ý kiến bạn đọc",
    "gửi bình luận",
    "gửi phản hồi",
    "xem các tin đã đưa ngày",
    "tin tức",
    "mới nhất",
    "xem nhiều nhất",
    "đọc nhiều nhất",
    "tin đọc nhiều",
    "tin mới",
    "back to top",
    "về đầu trang",
    "đăng nhập",
    "thống kê truy cập",
    "chia sẻ",
    "in bài viết",
    "bản in",
    "lên đầu trang",
}
_CUT_PATTERNS = (
    re.compile(r"^(tags?|từ khóa|từ khoá|tin trong|lượt xem|chuyên mục)\s*:?\s", re.IGNORECASE),
    re.compile(r"^(\d+\s+){2,}(\d+)?\s*(\.\.\.|…)?\s*$"),
    re.compile(r"^•?\s*(đang online|hôm nay|trong tuần|tất cả|lượt truy cập)\s*:", re.I),
)


def is_boilerplate_marker(line: str) -> bool:
    """A line that starts the page chrome after an article (related news, comments, counters)."""
    stripped = line.strip().rstrip(":").strip()
    if stripped.lower() in _CUT_LINES:
        return True
    return any(p.match(stripped) for p in _CUT_PATTERNS)


def _has_word(line: str) -> bool:
    return any(ch.isalnum() for ch in line)


# ---- byline ------------------------------------------------------------------------------------

_BYLINE = re.compile(
    r"^(?:bài(?:\s*(?:,|và)\s*ảnh)?|tin(?:\s*(?:,|và)\s*ảnh)?|ảnh|theo|nguồn|tác giả)\s*:\s*(.+)$",
    re.IGNORECASE,
)


def _is_name(words: list[str]) -> bool:
    return 2 <= len(words) <= 5 and all(w[:1].isupper() and w[1:] == w[1:].lower() for w in words)


def parse_byline(line: str) -> str | None:
    """The author in a closing line: 'Bài, ảnh: My Ly', 'Anh Dũng', 'Giàng A Giả, Trưởng ban…'."""
    stripped = line.strip().rstrip(".").strip()
    if not stripped or len(stripped) > 120:
        return None
    found = _BYLINE.match(stripped)
    if found:
        return found.group(1).strip().rstrip(".") or None
    head = stripped.split(",")[0].strip()
    if head != stripped and len(stripped) > 100:
        return None
    words = head.split()
    return head if _is_name(words) else None


# ---- the whole article -------------------------------------------------------------------------


def extract_metadata(text: str) -> Metadata:
    """Title, date, agency, author and body range of a scraped article (stored text)."""
    lines = _lines(text)
    content = [i for i, line in enumerate(lines) if _has_word(line.text)]
    if not content:
        return Metadata("", None, None, None, 0, len(text))
    first = content[0]
    title_line = lines[first]
    title = title_line.stripped[:300]

    found_date: str | None = None
    agency: str | None = None
    for i in content[1 : 1 + HEADER_LINES]:
        line = lines[i]
        if found_date is None and len(line.stripped) <= HEADER_LINE_MAX:
            found_date = parse_date(line.text)
        if agency is None:
            agency = parse_agency(line.text)

    cut = len(lines)
    lead = next((i for i in content[1:] if len(lines[i].stripped) >= 150), first)
    for i in content:
        if i > lead and is_boilerplate_marker(lines[i].text):
            cut = i
            break
    body_lines = [i for i in content if i < cut]
    last = body_lines[-1]
    # a line of lone punctuation after the byline ('.') is page residue, not body
    while len(body_lines) > 1 and not any(ch.isalpha() for ch in lines[last].text):
        body_lines.pop()
        last = body_lines[-1]
    body_end = lines[last].start + len(lines[last].text.rstrip())

    author = parse_byline(lines[last].text) if last != first else None
    return Metadata(
        title=title,
        date=found_date,
        source=agency,
        author=author,
        body_start=title_line.start + (len(title_line.text) - len(title_line.text.lstrip())),
        body_end=body_end,
    )
