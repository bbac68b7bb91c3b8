"""Round trips: export, import into a fresh database, export again: the same bytes."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from partybuild_tui.config import DEFAULT_LABELS
from partybuild_tui.core import tokenize
from partybuild_tui.core.export import ExportOptions, Selection, export, import_annotations
from partybuild_tui.core.store import NewSpan, Store
from tests.export_support import build_seeded, copy_db, on_edges

OFFSET_FORMATS = ("jsonl", "doccano", "brat", "prodigy", "labelstudio", "labelstudio-min")
LABELS = DEFAULT_LABELS.names
ANY_STATUS = Selection(statuses=())


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_seeded(tmp_path_factory.mktemp("tpl") / "plain.db", annotate=False)


@pytest.fixture(scope="module")
def syllables(template: Path) -> dict[int, list[tuple[int, int]]]:
    with Store(template) as store:
        out = {}
        for article_id in store.article_ids(status="done"):
            article = store.article(article_id)
            tok = tokenize.cached_tokenization(store, article)
            assert tok is not None
            out[article_id] = list(tok.syllables)
        return out


def random_spans(data: st.DataObject, syllables: list[tuple[int, int]], text: str) -> list[NewSpan]:
    """Flat spans of 1-5 syllables with random labels, starting at random syllables."""
    starts = data.draw(
        st.lists(st.integers(0, len(syllables) - 1), max_size=12, unique=True), label="starts"
    )
    spans: list[NewSpan] = []
    for first in sorted(starts):
        length = data.draw(st.integers(1, 5), label="length")
        last = min(first + length - 1, len(syllables) - 1)
        start, end = syllables[first][0], syllables[last][1]
        if spans and start < spans[-1].end or not on_edges(text, start, end):
            continue
        label = data.draw(st.sampled_from(LABELS), label="label")
        origin = data.draw(st.sampled_from(["manual", "suggestion:ner"]), label="origin")
        spans.append(NewSpan(start, end, label, origin))
    return spans


def files(path: Path) -> dict[str, bytes]:
    if path.is_file():
        return {"": path.read_bytes()}
    return {str(p.relative_to(path)): p.read_bytes() for p in sorted(path.rglob("*"))}


def round_trip(source: Store, fmt: str, work: Path) -> tuple[dict[str, bytes], dict[str, bytes]]:
    first = work / f"first-{fmt}" if fmt == "brat" else work / f"first.{fmt}.data"
    second = work / f"second-{fmt}" if fmt == "brat" else work / f"second.{fmt}.data"
    export(source, ExportOptions(fmt, selection=ANY_STATUS), first, DEFAULT_LABELS)
    with Store(work / f"fresh-{fmt}.db") as fresh:
        report = import_annotations(fresh, first, labels=DEFAULT_LABELS, default_annotator="tester")
        assert report.skipped == []
        export(fresh, ExportOptions(fmt, selection=ANY_STATUS), second, DEFAULT_LABELS)
    return files(first), files(second)


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_offset_formats_round_trip_byte_for_byte(
    template: Path, syllables: dict[int, list[tuple[int, int]]], data: st.DataObject
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        with Store(copy_db(template, work / "source.db")) as source:
            expected = 0
            for article_id, units in syllables.items():
                text = source.article(article_id).text
                spans = random_spans(data, units, text)
                if spans:
                    source.apply(article_id, "tester", "tag", add=spans)
                expected += len(spans)
            for fmt in OFFSET_FORMATS:
                before, after = round_trip(source, fmt, work)
                assert before == after, fmt
            with Store(work / "fresh-jsonl.db") as fresh:
                stored = sum(len(fresh.spans(i)) for i in fresh.article_ids(status="done"))
            assert stored == expected
