"""A realistic synthetic corpus built from the seeds, so measurements never need private data.

Each article is made of the seeds' own sentences, reshuffled into new paragraphs, framed like
the scraped pages they come from (a title, one of the seeds' dateline styles, an agency code
opening the lead, a byline, page boilerplate after the body), with some files in CRLF, some in
NFD (decomposed Vietnamese) and some with a byte-order mark. Sentences that mention known
organizations, persons and resolutions are inserted and recorded as gold spans, with offsets
into the stored text (NFC, LF), so exports and suggestions can be measured against them.
Everything is deterministic for a given ``--seed``.

    python benchmarks/generate_corpus.py OUT --n 10000 [--gold gold.jsonl] [--seed 7]
    python benchmarks/generate_corpus.py OUT.db --n 100000 --db      # a DB, bulk-inserted

``build_db()`` writes a database directly (one transaction, no file I/O per article) for
benchmarks that need 100k articles and a million spans quickly.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
import unicodedata
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from partybuild_tui.core import corpus, ingest  # noqa: E402
from partybuild_tui.core.store import Store, now  # noqa: E402

SEEDS = ROOT / "seeds"
FILES_PER_FOLDER = 1000
CRLF_SHARE = 0.05
NFD_SHARE = 0.05
BOM_SHARE = 0.02

SURNAMES = "Nguyễn Trần Lê Phạm Hoàng Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Giàng Lò Triệu Hà".split()
MIDDLES = "Văn Thị Hữu Đức Minh Quỳnh Thanh Ngọc Xuân Công Quang A Thu Hồng".split()
GIVENS = (
    "An Bình Cường Dũng Giang Hà Hải Hùng Khánh Lan Long Mai Nam Phong Quân Sơn Tâm Thắng "
    "Thủy Trung Tuấn Vinh Yến Giả Ly Hòa Thúy"
).split()
PLACES = (
    "Đồng Văn|Lục Yên|Si Ma Cai|Na Tông|Tân Lập|Đình Chu|Lập Thạch|Yên Bình|Mèo Vạc|Điện Biên|"
    "Bảo Yên|Văn Chấn|Tam Đảo|Mù Cang Chải|Quản Bạ|Tủa Chùa|Bắc Hà|Hoàng Su Phì|Trạm Tấu"
).split("|")
PROVINCES = "Hà Giang|Yên Bái|Lào Cai|Vĩnh Phúc|Điện Biên|Lai Châu|Sơn La|Tuyên Quang".split("|")
ROMAN = "IX X XI XII XIII XIV XIX".split()
ROLES = (
    "Bí thư|Phó Bí thư|Chủ tịch|Phó Chủ tịch|Trưởng Ban Tổ chức|Trưởng Ban Tuyên giáo|"
    "Ủy viên Ban Thường vụ"
).split("|")
AGENCIES = ["BHG", "YênBái", "ĐBP", "LCO", "VP", "TQ"]
TITLE_OPENERS = [
    "Xây dựng Đảng vững mạnh từ cơ sở",
    "Nâng cao sức chiến đấu của tổ chức đảng ở cơ sở",
    "Củng cố tổ chức cơ sở đảng",
    "Đổi mới phương thức lãnh đạo của chi bộ",
    "Nâng cao chất lượng sinh hoạt chi bộ",
    "Phát triển đảng viên ở vùng cao",
]
BOILERPLATE = [
    "Bình luận\nBack To Top",
    "Phản hồi\n\nCác tin khác\n\nMới nhất\n\nXem nhiều nhất",
    "Tags {place} sức chiến đấu {res}\n\nXem các tin đã đưa ngày:\nTin trong: Chuyên mục này",
    "1\xa02\xa03\xa04\xa05\xa0\xa0...\xa0\nTin tức\nĐăng nhập\nThống kê truy cập\n"
    "  •\xa0Đang online: 1\n  •\xa0Hôm nay: 1",
    "",
]
# (sentence template, slots) — each {slot} becomes an entity recorded as a gold span
TEMPLATES = [
    "Đồng chí {FIGURE} - {role} {ORGANIZATION} đã chủ trì hội nghị quán triệt {RESOLUTION}.",
    "{ORGANIZATION} đã ban hành kế hoạch thực hiện {RESOLUTION} với nhiều giải pháp cụ thể.",
    "Theo ông {FIGURE}, {role} {ORGANIZATION}, việc thực hiện {RESOLUTION} đã mang lại "
    "nhiều kết quả tích cực.",
    "Bà {FIGURE} cho biết, {ORGANIZATION} tiếp tục chỉ đạo các chi bộ thực hiện nghiêm "
    "{RESOLUTION}.",
    "Thực hiện {RESOLUTION}, {ORGANIZATION} đã tổ chức sơ kết và biểu dương các tập thể tiêu biểu.",
    "Đoàn công tác do đồng chí {FIGURE}, {role} {ORGANIZATION} dẫn đầu đã làm việc tại cơ sở.",
]
_SLOT = re.compile(r"\{(\w+)\}")
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+(?=[A-ZĐÀ-Ỹ\"“(])")


@dataclass
class Article:
    """One generated article: its stored text (NFC, LF), gold spans and the file's bytes."""

    index: int
    text: str
    spans: list[tuple[int, int, str, str]] = field(default_factory=list)
    variant: str = "plain"  # plain, crlf, nfd, bom

    @property
    def relpath(self) -> str:
        return f"{self.index // FILES_PER_FOLDER:03d}/{self.index:06d}.txt"

    def file_bytes(self) -> bytes:
        raw = self.text
        if self.variant == "crlf":
            raw = raw.replace("\n", "\r\n")
        elif self.variant == "nfd":
            raw = unicodedata.normalize("NFD", raw)
        data = raw.encode("utf-8")
        return b"\xef\xbb\xbf" + data if self.variant == "bom" else data


@cache
def seed_sentences() -> tuple[str, ...]:
    """The body sentences of the seed articles (no titles, datelines, captions or bylines)."""
    out: list[str] = []
    for path in sorted(SEEDS.glob("*.txt")):
        text = corpus.normalize(path.read_text(encoding="utf-8"))
        meta = corpus.extract_metadata(text)
        for line in text[meta.body_start : meta.body_end].split("\n")[1:]:
            line = line.strip()
            if len(line) < 80 or corpus.parse_date(line[:60]):
                continue
            out.extend(s for s in _SENTENCE_END.split(line) if len(s) >= 30)
    return tuple(dict.fromkeys(out))


def _person(rng: random.Random) -> str:
    return f"{rng.choice(SURNAMES)} {rng.choice(MIDDLES)} {rng.choice(GIVENS)}"


def _organization(rng: random.Random) -> str:
    place, province = rng.choice(PLACES), rng.choice(PROVINCES)
    return rng.choice(
        [
            f"Đảng bộ huyện {place}",
            f"Chi bộ thôn {place}",
            f"Ban Thường vụ Huyện ủy {place}",
            f"Ban Thường vụ Tỉnh ủy {province}",
            f"HĐND tỉnh {province}",
            f"Ủy ban MTTQ xã {place}",
            f"Đảng ủy xã {place}",
        ]
    )


def _resolution(rng: random.Random) -> str:
    number = rng.randint(1, 60)
    return rng.choice(
        [
            f"Nghị quyết số {number}",
            f"Chỉ thị số {number:02d}",
            f"Nghị quyết TW {rng.randint(1, 12)} (khóa {rng.choice(ROMAN)})",
            f"Chương trình hành động số {number}",
            f"Đề án số {number}",
            f"Kết luận số {number}-KL/TW",
        ]
    )


ENTITY_MAKERS = {"FIGURE": _person, "ORGANIZATION": _organization, "RESOLUTION": _resolution}


def _dateline(rng: random.Random) -> str:
    day, month, year = rng.randint(1, 28), rng.randint(1, 12), rng.randint(2015, 2024)
    hour, minute = rng.randint(0, 23), rng.randint(0, 59)
    weekday = rng.choice(["Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Chủ Nhật"])
    return rng.choice(
        [
            f"{weekday}, {day}/{month}/{year}, {hour:02d}:{minute:02d} (GMT+7)",
            f"  • Cập nhật: {weekday.lower()}, {day}/{month}/{year} | {hour % 12 or 12}:"
            f"{minute:02d}:{rng.randint(0, 59):02d} {'PM' if hour >= 12 else 'AM'}",
            f"{hour:02d}:{minute:02d} - {weekday}, {day:02d}/{month:02d}/{year} Lượt xem: "
            f"{rng.randint(10, 9999)} In bài viết",
        ]
    )


class _Builder:
    """Appends text pieces and records the offsets of entity pieces."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0
        self.spans: list[tuple[int, int, str, str]] = []

    def add(self, piece: str, label: str | None = None) -> None:
        if label:
            self.spans.append((self.length, self.length + len(piece), label, piece))
        self.parts.append(piece)
        self.length += len(piece)

    def add_template(self, rng: random.Random, template: str) -> None:
        pos = 0
        for found in _SLOT.finditer(template):
            self.add(template[pos : found.start()])
            slot = found.group(1)
            if slot == "role":
                self.add(rng.choice(ROLES))
            else:
                self.add(ENTITY_MAKERS[slot](rng), slot)
            pos = found.end()
        self.add(template[pos:])


def make_article(index: int, seed: int = 7) -> Article:
    """Article ``index`` of the corpus for ``seed`` (independent of every other index)."""
    rng = random.Random(seed * 1_000_003 + index)
    sentences = seed_sentences()
    place = rng.choice(PLACES)
    b = _Builder()
    b.add(
        f"{place}: {rng.choice(TITLE_OPENERS)}"
        if rng.random() < 0.6
        else f"{rng.choice(TITLE_OPENERS)} ở {rng.choice(['huyện', 'xã'])} {place}"
    )
    b.add("\n\n")
    if rng.random() < 0.8:
        b.add(_dateline(rng) + "\n\n")
    if rng.random() < 0.7:
        b.add(f"{rng.choice(AGENCIES)} - ")
    for number in range(rng.randint(4, 12)):
        if number:
            b.add("\n\n")
        count = rng.randint(2, 5)
        chosen = [rng.choice(sentences) for _ in range(count)]
        slots = rng.sample(range(count), k=min(count, rng.choice([0, 0, 1, 1, 2])))
        for i, sentence in enumerate(chosen):
            if i:
                b.add(" ")
            if i in slots:
                b.add_template(rng, rng.choice(TEMPLATES))
            else:
                b.add(sentence)
    b.add("\n\n")
    b.add(rng.choice(["Bài, ảnh: ", "Tin, ảnh: ", ""]))
    b.add(_person(rng), "FIGURE")
    b.add("\n\n")
    tail = rng.choice(BOILERPLATE).format(place=place, res=_resolution(rng))
    b.add(tail)
    roll = rng.random()
    variant = (
        "crlf"
        if roll < CRLF_SHARE
        else "nfd"
        if roll < CRLF_SHARE + NFD_SHARE
        else "bom"
        if roll < CRLF_SHARE + NFD_SHARE + BOM_SHARE
        else "plain"
    )
    return Article(index, "".join(b.parts), b.spans, variant)


def articles(n: int, seed: int = 7) -> Iterator[Article]:
    for index in range(n):
        yield make_article(index, seed)


def gold_record(article: Article, *, with_text: bool = False) -> dict[str, object]:
    """One line of the gold JSONL: the file, its stored text's hash and the inserted spans."""
    record: dict[str, object] = {
        "path": article.relpath,
        "content_hash": corpus.content_hash(article.text),
        "spans": [
            {"start": s, "end": e, "label": label, "text": t} for s, e, label, t in article.spans
        ],
    }
    if with_text:
        record["text"] = article.text
    return record


def write_corpus(
    out: Path, n: int, seed: int = 7, gold: Path | None = None, gold_text: bool = False
) -> int:
    """Write ``n`` article files under ``out`` (1,000 per folder); return the bytes written."""
    total = 0
    gold_file = gold.open("w", encoding="utf-8") if gold else None
    try:
        for article in articles(n, seed):
            path = out / article.relpath
            if article.index % FILES_PER_FOLDER == 0:
                path.parent.mkdir(parents=True, exist_ok=True)
            data = article.file_bytes()
            path.write_bytes(data)
            total += len(data)
            if gold_file:
                record = gold_record(article, with_text=gold_text)
                gold_file.write(json.dumps(record, ensure_ascii=False) + "\n")
    finally:
        if gold_file:
            gold_file.close()
    return total


STATUS_WEIGHTS = {"new": 0.45, "in_progress": 0.1, "done": 0.4, "skipped": 0.05}


def build_db(
    path: Path,
    n: int,
    seed: int = 7,
    *,
    spans: bool = True,
    annotator: str = "bench",
    batch: int = 2000,
) -> None:
    """Create a database of ``n`` generated articles (with their gold spans) by bulk insert.

    Rows are the ones the importer would write (same metadata extraction, FTS triggers), in
    large transactions; spans are attributed to ``annotator`` with a random status mix.
    """
    rng = random.Random(seed)
    statuses, weights = list(STATUS_WEIGHTS), list(STATUS_WEIGHTS.values())
    with Store(path) as store:
        conn = store.conn
        conn.execute("PRAGMA synchronous = OFF")
        pending: list[Article] = []

        def flush() -> None:
            stamp = now()
            with store.write():
                for article in pending:
                    doc = ingest.Document(
                        key=f"bench/{article.relpath}", path=article.relpath, raw_text=article.text
                    )
                    fields = ingest.article_fields(doc)
                    status = rng.choices(statuses, weights)[0]
                    article_id = store.insert_article(fields)
                    if status != "new":  # the status is the annotator's (their layer)
                        conn.execute(
                            "INSERT INTO article_status (article_id, annotator, status, "
                            "updated_at) VALUES (?, ?, ?, ?)",
                            (article_id, annotator, status, stamp),
                        )
                    if spans and article.spans:
                        conn.executemany(
                            'INSERT INTO spans (uid, article_id, start, "end", label, text, '
                            "origin, annotator, created_at, updated_at) "
                            "VALUES (?, ?, ?, ?, ?, ?, 'manual', ?, ?, ?)",
                            [
                                (
                                    uuid.UUID(int=rng.getrandbits(128)).hex,
                                    article_id,
                                    s,
                                    e,
                                    label,
                                    text,
                                    annotator,
                                    stamp,
                                    stamp,
                                )
                                for s, e, label, text in article.spans
                            ],
                        )
            pending.clear()

        for article in articles(n, seed):
            pending.append(article)
            if len(pending) >= batch:
                flush()
        flush()
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="output folder (or database file with --db)")
    parser.add_argument("--n", type=int, default=10_000, help="number of articles")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--gold", type=Path, help="also write gold spans as JSONL here")
    parser.add_argument("--gold-text", action="store_true", help="include each text in --gold")
    parser.add_argument("--db", action="store_true", help="write a database, not files")
    parser.add_argument("--no-spans", action="store_true", help="with --db: articles only")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    if args.db:
        if args.out.exists():
            parser.error(f"{args.out} exists; remove it first")
        build_db(args.out, args.n, args.seed, spans=not args.no_spans)
        what = f"database {args.out} ({args.out.stat().st_size / 1e6:,.1f} MB)"
    else:
        size = write_corpus(args.out, args.n, args.seed, args.gold, args.gold_text)
        what = f"{args.out} ({size / 1e6:,.1f} MB)"
    elapsed = time.perf_counter() - started
    print(f"{args.n:,} articles -> {what} in {elapsed:.1f}s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
