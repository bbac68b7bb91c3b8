"""Shared by the export tests: the seeds annotated with real entities, and small readers."""

from __future__ import annotations

import shutil
from pathlib import Path

from partybuild_tui.core import ingest, tokenize
from partybuild_tui.core.store import NewSpan, Store

SEEDS = Path(__file__).resolve().parents[1] / "seeds"

# real entities of the five seeds (every occurrence on syllable edges is tagged)
ENTITIES: dict[str, tuple[str, ...]] = {
    "ORGANIZATION": (
        "Đảng bộ huyện Đồng Văn",
        "Đảng bộ xã Tả Phìn",
        "Ban Thường vụ Huyện ủy Lục Yên",
        "Chi bộ thôn Úc",
        "Đảng bộ xã Hồng Ca",
        "Ban Thường vụ Tỉnh ủy",
        "Đảng bộ tỉnh Vĩnh Phúc",
        "Đảng bộ huyện Si Ma Cai",
        "Đảng bộ xã Na Tông",
        "HĐND tỉnh",
    ),
    "FIGURE": (
        "Nguyễn Văn Hãnh",
        "Vũ Quỳnh Khánh",
        "Trần Xuân Thu",
        "Lò Văn Phong",
        "My Ly",
    ),
    "RESOLUTION": (
        "Nghị quyết TW 4 (khóa XII)",
        "Chỉ thị số 05",
        "Nghị quyết số 37",
        "Chương trình hành động số 18",
        "Nghị quyết số 22",
    ),
}


def on_edges(text: str, start: int, end: int) -> bool:
    before = start == 0 or not text[start - 1].isalnum()
    after = end == len(text) or not text[end].isalnum()
    return before and after


def gold_spans(text: str) -> list[NewSpan]:
    """Every occurrence of the entities above, flat (an earlier/longer one wins)."""
    found: list[NewSpan] = []
    for label, names in ENTITIES.items():
        for name in names:
            pos = text.find(name)
            while pos != -1:
                if on_edges(text, pos, pos + len(name)):
                    found.append(NewSpan(pos, pos + len(name), label))
                pos = text.find(name, pos + 1)
    flat: list[NewSpan] = []
    for span in sorted(found, key=lambda s: (s.start, -(s.end - s.start))):
        if not flat or span.start >= flat[-1].end:
            flat.append(span)
    return flat


def build_seeded(path: Path, *, annotate: bool, segment: bool = True) -> Path:
    """A database of the five seeds, segmented, optionally annotated and marked done."""
    with Store(path) as store:
        report = ingest.import_paths(store, [SEEDS])
        if segment:
            tokenize.segment_articles(store, report.imported)
        for article_id in report.imported:
            if annotate:
                text = store.article(article_id).text
                store.apply(article_id, "tester", "tag", add=gold_spans(text))
            store.set_status(article_id, "done", "tester")
    return path


def copy_db(template: Path, target: Path) -> Path:
    shutil.copy(template, target)
    return target


def read_conll(path: Path) -> tuple[list[list[list[str]]], int]:
    """Sentences as rows of columns (whitespace or tab separated), and -DOCSTART- count."""
    sentences: list[list[list[str]]] = []
    current: list[list[str]] = []
    docs = 0
    sep = "\t" if "\t" in path.read_text(encoding="utf-8") else " "
    for line in path.read_text(encoding="utf-8").split("\n"):
        if line.startswith("-DOCSTART-"):
            docs += 1
            continue
        if not line:
            if current:
                sentences.append(current)
            current = []
            continue
        current.append(line.split(sep))
    if current:
        sentences.append(current)
    return sentences, docs
