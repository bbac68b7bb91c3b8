"""Where things live and which labels exist: the one place the app and CLI read settings from.

The label set (names, keys, colours, definitions) is configuration, not code: the defaults
below can be replaced by a TOML file (``PARTYBUILD_LABELS`` or ``labels.toml`` beside the
database) so a project can tag other entity types without touching the program.
"""

from __future__ import annotations

import getpass
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from partybuild_tui.errors import UserError

DB_ENV = "PARTYBUILD_DB"
LABELS_ENV = "PARTYBUILD_LABELS"
ANNOTATOR_ENV = "PARTYBUILD_ANNOTATOR"
SEEDS_ENV = "PARTYBUILD_SEEDS"
RETRAIN_ENV = "PARTYBUILD_RETRAIN_EVERY"
ORDER_ENV = "PARTYBUILD_NEXT_ORDER"
DONE_NEXT_ENV = "PARTYBUILD_DONE_OPENS_NEXT"
DEFAULT_RETRAIN_EVERY = 5
NEXT_ORDERS = ("corpus", "uncertain")
DEFAULT_DB = Path("annotations") / "partybuild.db"
DEFAULT_SEEDS = Path("seeds")
MAX_LABELS = 64  # each needs its own key; more makes tables unreadable and the app slow
_KEY_NAME = re.compile(r"[a-z0-9_]+(?:\+[a-z0-9_]+)*")  # "f5", "ctrl+l", "exclamation_mark"


def database_path(explicit: Path | None = None) -> Path:
    """The database: ``--db``, then ``$PARTYBUILD_DB``, then ``annotations/partybuild.db``."""
    if explicit is not None:
        return explicit
    env = os.environ.get(DB_ENV)
    return Path(env) if env else DEFAULT_DB


def check_database_path(path: Path) -> None:
    """Refuse a database path that is a folder or a device before SQLite does so obscurely
    ("unable to open", "disk I/O error")."""
    if path.is_dir():
        raise UserError(
            f"database {path} is a folder: give a file in it, like {path / 'partybuild.db'}"
        )
    if path.exists() and not path.is_file():
        raise UserError(
            f"database {path} is not a regular file (a device, FIFO or socket): "
            "give a database file"
        )


def seeds_path() -> Path:
    """The corpus an empty database imports on first start."""
    env = os.environ.get(SEEDS_ENV)
    return Path(env) if env else DEFAULT_SEEDS


def annotator_name(explicit: str | None = None) -> str:
    """Who is tagging: ``--annotator``, ``$PARTYBUILD_ANNOTATOR``, else the login name."""
    if explicit:
        return explicit
    env = os.environ.get(ANNOTATOR_ENV)
    if env:
        return env
    try:
        return getpass.getuser() or "annotator"
    except (KeyError, OSError):
        return "annotator"


def retrain_every() -> int:
    """After how many more done articles the app retrains the model (0: never)."""
    raw = os.environ.get(RETRAIN_ENV, "").strip()
    if not raw:
        return DEFAULT_RETRAIN_EVERY
    if not raw.isdigit():
        raise UserError(f"${RETRAIN_ENV} is {raw!r}: give a whole number of articles (0: never)")
    return int(raw)


def next_order() -> str:
    """The order "next to do" follows at start: corpus order, or the model's least sure."""
    raw = os.environ.get(ORDER_ENV, "").strip() or "corpus"
    if raw not in NEXT_ORDERS:
        raise UserError(f"${ORDER_ENV} is {raw!r}: use one of {', '.join(NEXT_ORDERS)}")
    return raw


def done_opens_next() -> bool:
    """Whether marking an article done opens the next one to do (default yes; 0 turns it off)."""
    raw = os.environ.get(DONE_NEXT_ENV, "").strip().lower()
    if raw in ("", "1", "yes", "true", "on"):
        return True
    if raw in ("0", "no", "false", "off"):
        return False
    raise UserError(f"${DONE_NEXT_ENV} is {raw!r}: use 1 (open the next article) or 0 (stay)")


def check_app_settings() -> None:
    """Read the app's environment settings once before it starts, so a bad value is one
    error line in the terminal rather than a traceback from inside the app."""
    retrain_every()
    next_order()
    done_opens_next()


@dataclass(frozen=True)
class Label:
    """An entity type: its name in exports, the keys that apply it and how it looks."""

    name: str
    keys: tuple[str, ...]
    color: str
    description: str = ""


@dataclass(frozen=True)
class LabelSet:
    """The ordered labels of a project; order gives the Hugging Face ids and the legend."""

    labels: tuple[Label, ...] = field(default_factory=tuple)

    @property
    def names(self) -> list[str]:
        return [label.name for label in self.labels]

    def get(self, name: str) -> Label | None:
        return next((label for label in self.labels if label.name == name), None)

    def by_key(self, key: str) -> Label | None:
        return next((label for label in self.labels if key in label.keys), None)

    def color(self, name: str) -> str:
        label = self.get(name)
        return label.color if label else "grey50"


DEFAULT_LABELS = LabelSet(
    (
        Label(
            "ORGANIZATION",
            ("1", "o"),
            "#4aa3df",
            "A specific body, named well enough to identify it: 'Đảng bộ huyện Đồng Văn', "
            "'Chi bộ thôn Úc', 'Ban Thường vụ Huyện ủy Lục Yên', 'HĐND tỉnh', 'Mặt trận Tổ "
            "quốc'. Not generic mentions ('các chi bộ', 'cấp ủy', 'TCCSĐ'), not a bare place "
            "('xã Tân Lập').",
        ),
        Label(
            "FIGURE",
            ("2", "f"),
            "#e5a00d",
            "A named person, the name without honorific or title: in 'Đồng chí Vũ Quỳnh Khánh "
            "- Phó Chủ tịch HĐND tỉnh' the FIGURE is 'Vũ Quỳnh Khánh'. Bylines are persons too.",
        ),
        Label(
            "RESOLUTION",
            ("3", "r"),
            "#c678dd",
            "An identified party or state document, type + identifier (+ term): 'Nghị quyết số "
            "37', 'Chỉ thị số 05', 'Nghị quyết TW 4 (khóa XII)', 'Chương trình hành động số "
            "18', 'Đề án số 11'. Not 'các nghị quyết'. Dates and issuers after it are not part "
            "of the span.",
        ),
    )
)


def load_labels(db_path: Path | None = None) -> LabelSet:
    """The labels: ``$PARTYBUILD_LABELS``, else ``labels.toml`` beside the database, else defaults.

    The file holds ``[[label]]`` tables with ``name``, ``keys`` (list), ``color`` and
    ``description``.
    """
    env = os.environ.get(LABELS_ENV)
    candidates = [Path(env)] if env else []
    if db_path is not None:
        candidates.append(db_path.parent / "labels.toml")
    for path in candidates:
        if path.is_file():
            return _read_labels(path)
    if env:
        raise UserError(f"label file {env} (from ${LABELS_ENV}) {not_a_file(Path(env))}")
    return DEFAULT_LABELS


def not_a_file(path: Path) -> str:
    """Why ``path`` cannot be read as a settings file, in the words a user expects."""
    if path.is_dir():
        return "is a folder, not a .toml file"
    if path.exists():
        return "is not a regular file (a device, FIFO or socket), not a .toml file"
    return "does not exist"


def _read_labels(path: Path) -> LabelSet:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise UserError(f"cannot read label file {path}: {exc}") from exc
    items = data.get("label")
    if not isinstance(items, list) or not items:
        raise UserError(f"label file {path} defines no [[label]] tables")
    if len(items) > MAX_LABELS:
        raise UserError(
            f"label file {path} defines {len(items):,} labels; at most {MAX_LABELS} are "
            "allowed (each needs a key of its own)"
        )
    labels: list[Label] = []
    for number, item in enumerate(items, 1):
        label = _label(item, f"label file {path}, label {number}")
        if any(other.name == label.name for other in labels):
            raise UserError(f"label file {path} defines {label.name} twice")
        labels.append(label)
    for number, label in enumerate(labels, 1):
        if not label.keys:
            where = f"label file {path}, label {number} ({label.name})"
            raise UserError(f'{where}: give it a key, like keys = ["4"]')
    return LabelSet(tuple(labels))


def _label(item: object, where: str) -> Label:
    """One ``[[label]]`` table, checked: its name becomes a BIO tag and its colour a style."""
    if not isinstance(item, dict):
        raise UserError(f"{where}: not a [[label]] table")
    name = str(item.get("name", "")).strip().upper()
    if not name or any(ch.isspace() for ch in name):
        raise UserError(f'{where}: give a name without spaces, like name = "LOCATION"')
    if not name.isprintable():
        raise UserError(f"{where} ({name!r}): the name holds control characters")
    keys = item.get("keys", [])
    if not isinstance(keys, list) or not all(isinstance(k, str) and k for k in keys):
        raise UserError(f'{where} ({name}): keys must be a list of keys, like keys = ["4", "l"]')
    for key in keys:
        if not _bindable(key):
            raise UserError(
                f"{where} ({name}): key {key!r} cannot be bound: use one character (not a "
                'space or a comma) or a key name like "f5" or "ctrl+l"'
            )
    color = str(item.get("color", "grey70"))
    from rich.color import Color, ColorParseError  # only when a label file is read

    try:
        Color.parse(color)
    except ColorParseError as exc:
        raise UserError(f"{where} ({name}): {exc}") from exc
    return Label(name, tuple(keys), color, str(item.get("description", "")))


def _bindable(key: str) -> bool:
    """A key the app can bind: one visible character other than the list separator ','
    (the app checks names against the keys it knows when it starts)."""
    if len(key) == 1:
        return key.isprintable() and not key.isspace() and key != ","
    return _KEY_NAME.fullmatch(key) is not None
