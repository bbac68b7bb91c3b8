"""Which articles an export holds, in which order and split, streamed one article at a time.

Selection is by status (done only unless asked), full-text search and annotator. Articles are
written in id order. The train/dev/test split is by article: each article's place is decided
by a hash of the seed and its content hash, so the same seed gives the same split on any copy
of the database, and adding articles only moves the few next to a cut point. The stream
reads inside one read transaction, so a concurrent writer never shows an export half its
change.
"""

from __future__ import annotations

import hashlib
import math
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

from partybuild_tui.core import tokenize
from partybuild_tui.core.layers import is_review
from partybuild_tui.core.store import Article, Span, Store
from partybuild_tui.errors import UserError

SPLIT_NAMES = {2: ("train", "test"), 3: ("train", "dev", "test")}


@dataclass(frozen=True)
class Selection:
    """Which articles and whose spans to export."""

    statuses: tuple[str, ...] = ("done",)
    query: str | None = None
    annotator: str | None = None
    include_superseded: bool = False
    article_ids: tuple[int, ...] = ()  # these articles, whatever their status (the app's "export
    # this article")


@dataclass(frozen=True)
class Document:
    """One exported article and its accepted spans (of the selected annotator), by start."""

    article: Article
    spans: tuple[Span, ...]


def resolve_layer(store: Store, layer: str | None) -> str | None:
    """Whose spans an export holds: ``layer`` as given (``review``: the one review layer),
    else the only layer there is; with several and none chosen, a ``UserError`` says which
    exist, so an export never mixes two annotators' spans in one article."""
    present = store.layers()
    if layer == "review":
        reviews = [name for name in present if is_review(name)]
        if not reviews:
            raise UserError(
                f"no review layer in {store.path}: `partybuild review` makes one, or choose a "
                f"layer with --layer ({', '.join(present) or 'none yet'})"
            )
        if len(reviews) > 1:
            raise UserError(
                f"{len(reviews)} review layers in {store.path} ({', '.join(reviews)}): "
                f"choose one, e.g. --layer {reviews[0]}"
            )
        return reviews[0]
    if layer is not None:
        if layer not in present:
            raise UserError(
                f"no annotator or layer {layer!r} in {store.path}: its layers are "
                f"{', '.join(present) or 'none yet'}"
            )
        return layer
    if len(present) > 1:
        raise UserError(
            f"{store.path} holds {len(present)} layers ({', '.join(present)}): choose whose "
            "spans to export with --layer NAME (--layer review: the reviewed layer)"
        )
    return None


def selected(store: Store, selection: Selection) -> Iterator[tuple[int, str]]:
    """(id, content hash) of the selected articles, in id order, straight from the cursor."""
    if selection.article_ids:
        return ((i, store.article(i).content_hash) for i in sorted(set(selection.article_ids)))
    # the store's own filter, so export selects exactly what `partybuild list` shows
    return store.select_articles(
        status=selection.statuses or None,
        query=selection.query,
        annotator=selection.annotator,
        include_superseded=selection.include_superseded,
    )


def selected_ids(store: Store, selection: Selection) -> array[int]:
    """The selected ids, 8 bytes each: the only per-article state an export keeps."""
    return array("q", (article_id for article_id, _hash in selected(store, selection)))


def parse_ratios(text: str) -> tuple[float, ...]:
    """'0.8,0.1,0.1' or '8,1,1' (train, dev, test) or two values (train, test)."""
    try:
        values = tuple(float(part) for part in text.split(","))
    except ValueError:
        raise UserError(f"--split {text!r}: give ratios like 0.8,0.1,0.1") from None
    bad = any(not math.isfinite(v) or v < 0 for v in values)
    if len(values) not in SPLIT_NAMES or bad or not math.isfinite(sum(values)) or sum(values) <= 0:
        raise UserError(f"--split {text!r}: give 2 or 3 non-negative ratios like 0.8,0.1,0.1")
    total = sum(values)
    return tuple(v / total for v in values)


def split_ids(
    articles: Iterable[tuple[int, str]], ratios: Sequence[float], seed: int
) -> dict[str, array[int]]:
    """Assign whole articles to splits: order by hash(seed, content hash), cut by ratio."""
    names = SPLIT_NAMES[len(ratios)]
    ranked = array("q", (i for _key, i in sorted(_rank(seed, h, i) for i, h in articles)))
    out: dict[str, array[int]] = {}
    start = 0
    cumulative = 0.0
    for index, (name, ratio) in enumerate(zip(names, ratios, strict=True)):
        cumulative += ratio
        last = index == len(names) - 1
        stop = len(ranked) if last else int(cumulative * len(ranked) + 0.5)
        out[name] = array("q", sorted(ranked[start:stop]))
        start = stop
    return out


def _rank(seed: int, content_hash: str, article_id: int) -> tuple[int, int]:
    digest = hashlib.sha256(f"{seed}\0{content_hash}".encode()).digest()
    return int.from_bytes(digest[:8]), article_id


def documents(store: Store, ids: Sequence[int], annotator: str | None) -> Iterator[Document]:
    """Load one article and its spans at a time (call inside ``store.snapshot()``)."""
    for article_id in ids:
        article = store.article(article_id)
        yield Document(article, tuple(store.spans(article_id, annotator)))


def ensure_tokenized(
    store: Store,
    ids: Sequence[int],
    *,
    processes: int = 1,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Segment and cache the articles that have no cached words yet; return how many.

    Done before the read snapshot, so the export itself never writes.
    """
    untokenized = store.untokenized_ids(tokenize.tokenizer_id(), current_only=False)
    missing = sorted(set(untokenized).intersection(ids))
    if not missing:
        return 0
    return tokenize.segment_articles(store, missing, processes=processes, progress=progress)


def words_of(store: Store, article: Article) -> tokenize.Tokenization:
    """The cached tokenization, or a fresh one (not cached: the export only reads)."""
    cached = tokenize.cached_tokenization(store, article)
    return cached if cached is not None else tokenize.segment(article.text)
