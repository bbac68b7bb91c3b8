"""Running an export: resolve where files go, then stream articles through one format writer.

Output is a file, a folder (one file per split: ``train``/``dev``/``test``, or ``data`` without
a split) or standard output. The whole export reads one snapshot of the database and writes
through a :class:`Sink`, so the files appear complete or not at all.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple, Protocol

from partybuild_tui.config import LabelSet
from partybuild_tui.core.export import (
    brat,
    conll,
    doccano,
    extras,
    hf,
    hf_parquet,
    jsonl,
    labelstudio,
    phoner,
    prodigy,
    spacy_docbin,
)
from partybuild_tui.core.export.select import (
    Document,
    Selection,
    documents,
    ensure_tokenized,
    selected,
    selected_ids,
    split_ids,
    words_of,
)
from partybuild_tui.core.export.sink import Sink, is_stdout
from partybuild_tui.core.export.summary import ExportSummary
from partybuild_tui.core.export.swap import FolderSwap
from partybuild_tui.core.export.tokens import TaggedSentence, TokenOptions, tag_document
from partybuild_tui.core.store import Store
from partybuild_tui.core.tokenize import Tokenization
from partybuild_tui.errors import UserError

STDOUT = "-"


class Format(NamedTuple):
    extension: str
    token_level: bool  # BIO tags over tokens, per sentence (the summary counts them)
    tokenized: bool  # needs each article's words (token formats, Prodigy's tokens)


FORMATS: dict[str, Format] = {
    "jsonl": Format(".jsonl", False, False),
    "conll": Format(".conll", True, True),
    "phoner": Format(".jsonl", True, True),
    "hf": Format(".jsonl", True, True),
    "brat": Format("", False, False),
    "doccano": Format(".jsonl", False, False),
    "prodigy": Format(".jsonl", False, True),
    "labelstudio": Format(".json", False, False),
    "labelstudio-min": Format(".json", False, False),
    "spacy": Format(".spacy", True, True),
    "hf-parquet": Format(".parquet", True, True),
}
SEVERAL_FILES = ("brat", "hf", "hf-parquet")  # labels.json beside the data, or a folder
BINARY = ("spacy", "hf-parquet")


class Writer(Protocol):
    def write(
        self, doc: Document, sentences: Sequence[TaggedSentence], words: Tokenization | None
    ) -> None: ...
    def close(self) -> None: ...


@dataclass(frozen=True)
class ExportOptions:
    format: str
    selection: Selection = field(default_factory=Selection)
    split: tuple[float, ...] | None = None
    seed: int = 13
    tokens: TokenOptions = field(default_factory=TokenOptions)
    joiner: str | None = None  # None: "_", or " " in the VLSP layout (as its files have)
    vlsp: bool = False
    docstart: bool | None = None  # None: on, except in the VLSP layout
    allow_empty: bool = False  # write a split part even when no article falls in it
    predictions: bool = False  # labelstudio: regions as predictions, not annotations

    @property
    def word_joiner(self) -> str:
        if self.joiner is not None:
            return self.joiner
        return " " if self.vlsp else "_"

    @property
    def doc_markers(self) -> bool:
        return not self.vlsp if self.docstart is None else self.docstart


def export_article(db_path: Path, article_id: int, annotator: str, labels: LabelSet) -> Path:
    """One article with one layer's spans as this tool's JSONL, in ``exports/articles/``
    beside the database (the app's "export this article"; its own connection, so it can run
    in a worker thread)."""
    from partybuild_tui.core.store import Store

    target = db_path.parent / "exports" / "articles" / f"{article_id}-{annotator}.jsonl"
    selection = Selection(statuses=(), annotator=annotator, article_ids=(article_id,))
    with Store(db_path, create=False) as store:
        export(store, ExportOptions("jsonl", selection=selection), target, labels)
    return target


def default_folder(db_path: Path, fmt: str) -> Path:
    """Where an export goes without ``--out``: ``exports/<format>/`` beside the database."""
    return db_path.parent / "exports" / fmt


Progress = Callable[[str, int, int], None]


def export(
    store: Store,
    options: ExportOptions,
    out: Path | str | None,
    labels: LabelSet,
    *,
    processes: int = 1,
    progress: Progress | None = None,
) -> ExportSummary:
    """Export the selected articles; return what was written and every span adjusted.

    ``progress(stage, done, total)`` reports 'segmenting' (articles never segmented before)
    and 'exporting'.
    """
    if options.format not in FORMATS:
        raise UserError(f"unknown format {options.format!r}; use one of {', '.join(FORMATS)}")
    _check_options(options, out)
    token_level = FORMATS[options.format].token_level
    stats = ExportSummary(options.format, token_level=token_level)
    chosen = selected_ids(store, options.selection)
    if not chosen:
        hint = " (--status any exports every status)" if options.selection.statuses else ""
        raise UserError(f"no article matches {_describe(options.selection)}: nothing written{hint}")
    if FORMATS[options.format].tokenized:
        stats.tokenized_now = ensure_tokenized(
            store,
            chosen,
            processes=processes,
            progress=(lambda d, t: progress("segmenting", d, t)) if progress else None,
        )
    sink = Sink()
    try:
        with store.snapshot(), sink:
            _write_splits(store, sink, options, out, labels, stats, progress)
            sink.commit()
    except OSError as exc:  # disk full, quota, I/O error while writing: one line, no file
        raise sink.error(exc) from exc
    stats.cleaned = sink.cleaned
    return stats


def _write_splits(
    store: Store,
    sink: Sink,
    options: ExportOptions,
    out: Path | str | None,
    labels: LabelSet,
    stats: ExportSummary,
    progress: Progress | None,
) -> None:
    """Write every split through the sink (inside the caller's snapshot)."""
    if options.split:
        splits = split_ids(selected(store, options.selection), options.split, options.seed)
        if options.format in ("hf", "hf-parquet"):  # Hugging Face calls dev "validation"
            splits = {HF_SPLITS.get(name, name): ids for name, ids in splits.items()}
    else:
        splits = {"all": selected_ids(store, options.selection)}
    total = sum(len(ids) for ids in splits.values())
    names = _label_names(store, labels)
    extension = FORMATS[options.format][0]
    targets = {split: _target(out, store.path, options, split, extension) for split in splits}
    _check_parts(splits, options)
    folder = _brat_folder(sink, out, store.path) if options.format == "brat" else None
    for split, ids in splits.items():
        target = targets[split]
        if target is None:
            stats.to_stdout = True
        else:
            stats.files.append(target)
        if folder is not None:
            writer: Writer = brat.BratWriter(folder, "" if split == "all" else split, names)
        else:
            writer = _writer(sink, target, options, names)
        _stream(store, ids, writer, options, stats, split, progress, total)
    if options.format in ("hf", "hf-parquet"):
        labels_file = _labels_target(out, store.path, options)
        sink.write_file(labels_file, hf.labels_document(names, options.tokens.scheme))
        stats.files.append(labels_file)


def _brat_folder(sink: Sink, out: Path | str | None, db_path: Path) -> FolderSwap:
    """The one folder a brat export (every split) is written into and swapped in as."""
    root = default_folder(db_path, "brat") if out is None else Path(out)
    return sink.folder(root, brat.written_by_export, brat.is_export_name)


def _stream(
    store: Store,
    ids: Sequence[int],
    writer: Writer,
    options: ExportOptions,
    stats: ExportSummary,
    split: str,
    progress: Progress | None,
    total: int,
) -> None:
    stats.articles[split] += 0
    tokenized = FORMATS[options.format].tokenized
    for doc in documents(store, ids, options.selection.annotator):
        sentences: list[TaggedSentence] = []
        words = words_of(store, doc.article) if tokenized else None
        if words is not None and stats.token_level:
            sentences = list(tag_document(doc, words, options.tokens, stats, split))
        else:
            for span in doc.spans:
                stats.spans[span.label] += 1
        writer.write(doc, sentences, words)
        stats.articles[split] += 1
        if progress:
            progress("exporting", stats.total_articles, total)
    writer.close()


HF_SPLITS = {"dev": "validation"}


def _check_parts(splits: Mapping[str, Sequence[int]], options: ExportOptions) -> None:
    """An empty part is an empty file that datasets and seqeval fail on: refuse it."""
    empty = [name for name, ids in splits.items() if not ids]
    if not empty or options.allow_empty:
        return
    total = sum(len(ids) for ids in splits.values())
    ratios = ",".join(f"{r:g}" for r in options.split or ())
    raise UserError(
        f"--split {ratios} leaves {' and '.join(repr(n) for n in empty)} empty "
        f"({total} article{'s' * (total != 1)} selected): nothing written; change the "
        "ratios, select more articles, or add --allow-empty to write empty files"
    )


def _check_options(options: ExportOptions, out: Path | str | None) -> None:
    to_stdout = is_stdout(out)
    if options.predictions and options.format != "labelstudio":
        raise UserError("--predictions is Label Studio's: use it with the labelstudio format")
    if options.vlsp and options.format != "conll":
        raise UserError("--vlsp is a CoNLL layout: use it with the conll format")
    if options.vlsp and options.tokens.level != "word":
        raise UserError("--vlsp needs word level (POS and chunk tags are per word)")
    if to_stdout and options.split:
        raise UserError(f"--split writes one file per split: give --out a folder, not '{out}'")
    if to_stdout and options.format in SEVERAL_FILES:
        raise UserError(f"{options.format} writes several files: give --out a folder, not '{out}'")
    if to_stdout and options.format in BINARY:
        raise UserError(f"{options.format} is a binary file: give --out a file or folder, not '-'")
    if options.format == "spacy" and options.tokens.scheme != "iob2":
        raise UserError("--scheme is for tag files: spacy stores entities, not tags")
    extras.require(options.format)
    if options.word_joiner not in ("_", " "):
        raise UserError("--word-joiner must be '_' or 'space'")
    if options.format == "conll" and not options.vlsp and options.word_joiner == " ":
        raise UserError(
            "--word-joiner space puts spaces inside CoNLL tokens, and spaCy and most CoNLL "
            "readers split a line on any whitespace: use '_' (the default), --vlsp "
            "(tab-separated, as the VLSP 2016 files), or the phoner or hf format"
        )


def _is_folder(out: Path | str | None, options: ExportOptions) -> bool:
    """Whether ``out`` names a folder: the disk decides first, the name only when it is new.

    An existing file without an extension (``data``) is a file target, not a folder.
    """
    if out is None or options.format == "brat" or options.split:
        return True
    text = str(out)
    if text.endswith(("/", "\\")):
        return True
    path = Path(text)
    if path.exists():
        return path.is_dir()
    return not path.suffix


def _target(
    out: Path | str | None, db_path: Path, options: ExportOptions, split: str, extension: str
) -> Path | None:
    """The file (or, for brat, folder) one split goes to; ``None`` is standard output."""
    if is_stdout(out):
        return None
    folder = default_folder(db_path, options.format) if out is None else Path(out)
    if not _is_folder(out, options):
        return folder
    if folder.exists() and not folder.is_dir():
        raise UserError(f"{folder} is a file: a folder is needed for this export")
    name = "data" if split == "all" else split
    if options.format == "brat":
        return folder if split == "all" else folder / name
    return folder / f"{name}{extension}"


def _labels_target(out: Path | str | None, db_path: Path, options: ExportOptions) -> Path:
    if _is_folder(out, options):
        folder = default_folder(db_path, options.format) if out is None else Path(out)
        return folder / "labels.json"
    target = Path(str(out))
    return target.with_name(f"{target.stem}.labels.json")


def _writer(sink: Sink, target: Path | None, options: ExportOptions, names: list[str]) -> Writer:
    stream = sink.open(target)
    if options.format == "jsonl":
        return jsonl.JsonlWriter(stream)
    if options.format == "doccano":
        return doccano.DoccanoWriter(stream)
    if options.format == "prodigy":
        return prodigy.ProdigyWriter(stream)
    if options.format == "spacy":
        return spacy_docbin.SpacyWriter(stream)
    if options.format == "hf-parquet":
        return hf_parquet.HfParquetWriter(stream, options.word_joiner, names, options.tokens.scheme)
    if options.format in ("labelstudio", "labelstudio-min"):
        flat = options.format == "labelstudio-min"
        return labelstudio.LabelStudioWriter(stream, predictions=options.predictions, flat=flat)
    if options.format == "phoner":
        return phoner.PhonerWriter(stream, options.word_joiner)
    if options.format == "hf":
        return hf.HfWriter(stream, options.word_joiner, names, options.tokens.scheme)
    return conll.ConllWriter(
        stream, options.word_joiner, vlsp=options.vlsp, docstart=options.doc_markers
    )


def _label_names(store: Store, labels: LabelSet) -> list[str]:
    """The project's labels in order, then any other label found in spans (sorted)."""
    names = labels.names
    found = store.labels_in_use()
    return names + [name for name in found if name not in names]


def _describe(selection: Selection) -> str:
    parts = [f"status {' or '.join(selection.statuses) or 'any'}"]
    if selection.query:
        parts.append(f"search {selection.query!r}")
    if selection.annotator:
        parts.append(f"annotator {selection.annotator!r}")
    return ", ".join(parts)
