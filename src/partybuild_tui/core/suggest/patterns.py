"""The pattern file: word lists, definitions and rules that the rule and NER sources read.

Rules are data so annotators can add a document type or a body without touching code. The
shipped ``patterns.toml`` is read first; user files ($PARTYBUILD_PATTERNS, or
``patterns.toml`` beside the database) extend it. The digest of everything read becomes part
of the rule source's version, so editing a pattern file re-runs the rules on next compute.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
import tomllib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import regex

from partybuild_tui import config
from partybuild_tui.errors import UserError

PATTERNS_ENV = "PARTYBUILD_PATTERNS"
DEFAULT_PATTERNS = Path(__file__).with_name("patterns.toml")
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
_SPACE = "[^\\S\\n]+"
DEFAULT_SCORE = 0.8
# A pattern gets this long per article (the regex module stops a search when told, and lets
# other threads run meanwhile): one that backtracks catastrophically is stopped and skipped.
TIME_BUDGET = 1.0  # seconds


def _char_class(test: str) -> str:
    chars = [chr(c) for c in range(0x41, 0x2000) if getattr(chr(c), test)() and chr(c).isalpha()]
    return "[" + "".join(re.escape(c) for c in chars) + "]"


BUILTINS = {
    "upper": _char_class("isupper"),
    "lower": _char_class("islower"),
    "letter": "[^\\W\\d_]",
}


@dataclass(frozen=True)
class WordList:
    items: tuple[str, ...]
    ignore_case: bool = False


@dataclass(frozen=True)
class Rule:
    name: str
    label: str
    pattern: regex.Pattern[str]
    score: float
    file: str = ""


class OutOfTime(Exception):
    """A pattern's search ran past its time budget on one text."""


def finditer_within(
    pattern: regex.Pattern[str], text: str, start: int, end: int, budget: float | None = None
) -> Iterator[regex.Match[str]]:
    """``pattern.finditer(text, start, end)`` that raises :class:`OutOfTime` once the whole
    search has taken ``budget`` seconds (default ``TIME_BUDGET``)."""
    deadline = time.monotonic() + (TIME_BUDGET if budget is None else budget)
    pos = start
    while pos <= end:
        left = deadline - time.monotonic()
        if left <= 0:
            raise OutOfTime
        try:
            found = pattern.search(text, pos, end, timeout=left)
        except TimeoutError:
            raise OutOfTime from None
        if found is None:
            return
        yield found
        pos = found.end() if found.end() > found.start() else found.start() + 1


@dataclass(frozen=True)
class Patterns:
    """Everything the pattern files define, compiled."""

    lists: dict[str, WordList]
    defines: dict[str, str]
    rules: tuple[Rule, ...]
    digest: str
    files: tuple[str, ...]

    def words(self, name: str) -> WordList:
        return self.lists.get(name, WordList(()))

    def compile(self, pattern: str) -> regex.Pattern[str]:
        """A pattern written like a rule's, compiled against these lists and definitions."""
        return compile_pattern(pattern, self.lists, self.defines)

    def not_entity(self, text: str) -> bool:
        """A mention the ``not_entity`` list says no source should propose."""
        return " ".join(text.split()) in self.words("not_entity").items


def pattern_files(db_path: Path | None = None) -> list[Path]:
    """The user's pattern files, in the order they extend the shipped one."""
    found: list[Path] = []
    env = os.environ.get(PATTERNS_ENV)
    if env:
        for raw in env.split(os.pathsep):
            if not raw:
                continue
            path = Path(raw)
            if not path.is_file():
                state = "is a folder, not a .toml file" if path.is_dir() else "does not exist"
                raise UserError(f"pattern file {path} (from ${PATTERNS_ENV}) {state}")
            found.append(path)
    if db_path is not None:
        beside = Path(db_path).parent / "patterns.toml"
        if beside.is_file():
            found.append(beside)
    return found


def load_patterns(db_path: Path | None = None, labels: Sequence[str] | None = None) -> Patterns:
    """The shipped patterns extended by the user's files (cached per set of files).

    A user's rule must propose one of the project's ``labels`` (default: the label file's);
    shipped rules of labels the project does not have are left out.
    """
    files = [DEFAULT_PATTERNS, *pattern_files(db_path)]
    stamps = tuple((str(p), p.stat().st_mtime_ns) for p in files)
    names = tuple(labels) if labels is not None else tuple(config.load_labels(db_path).names)
    return _load(stamps, names)


@lru_cache(maxsize=8)
def _load(stamps: tuple[tuple[str, int], ...], labels: tuple[str, ...]) -> Patterns:
    merged: dict[str, Any] = {"lists": {}, "define": {}, "rule": {}}
    for name, _ in stamps:
        _merge(merged, _read(Path(name)), name)
    digest = hashlib.sha256(
        json.dumps([merged, labels], sort_keys=True, ensure_ascii=False).encode()
    ).hexdigest()[:12]
    lists = {name: _word_list(value, name) for name, value in merged["lists"].items()}
    rules = []
    for rule in merged["rule"].values():
        if not rule.get("enabled", True):
            continue
        if rule["label"] not in labels:
            if rule["_file"] != str(DEFAULT_PATTERNS):
                raise UserError(
                    f"{rule['_where']}: label {rule['label']!r} is not a label of this project "
                    f"(use one of {', '.join(labels)}, or add it to labels.toml)"
                )
            continue
        rules.append(_compile_rule(rule, lists, merged["define"]))
    files = tuple(name for name, _ in stamps)
    return Patterns(lists, dict(merged["define"]), tuple(rules), digest, files)


def _read(path: Path) -> dict[str, Any]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise UserError(f"cannot read pattern file {path}: {exc}") from exc
    unknown = [key for key in data if key not in ("lists", "define", "rule")]
    if unknown:
        raise UserError(
            f"pattern file {path}: unknown table [{unknown[0]}]; use [lists], [define] and [[rule]]"
        )
    return data


def _merge(merged: dict[str, Any], data: dict[str, Any], source: str) -> None:
    """Add one file's lists, definitions and rules, checking every field's type."""
    where = f"pattern file {source}"
    lists = _table(data, "lists", where, "[lists] must be a table of word lists")
    for name, value in lists.items():
        items, ignore = _list_value(value, f"{where}: list {name!r}")
        old = merged["lists"].get(name, {"items": [], "ignore_case": False})
        if ignore is None:
            ignore = old["ignore_case"]
        merged["lists"][name] = {"items": [*old["items"], *items], "ignore_case": ignore}
    defines = _table(data, "define", where, "[define] must be a table of patterns")
    for name, value in defines.items():
        if not isinstance(value, str):
            raise UserError(f'{where}: definition {name!r} must be a string, like {name} = "…"')
        merged["define"][name] = value
    rules = data.get("rule", [])
    if not isinstance(rules, list):
        raise UserError(f"{where}: rules are [[rule]] tables (rule = … is not one)")
    for number, rule in enumerate(rules, start=1):
        _merge_rule(merged, rule, source, f"{where}, rule {number}")


def _table(data: dict[str, Any], key: str, where: str, message: str) -> dict[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise UserError(f"{where}: {message}")
    return value


def _list_value(value: object, where: str) -> tuple[list[str], bool | None]:
    """A list's items and its ignore_case (None: as before), from an array or a table."""
    ignore: object = None
    if isinstance(value, dict):
        unknown = [key for key in value if key not in ("items", "ignore_case")]
        if unknown:
            raise UserError(f"{where}: unknown field {unknown[0]!r} (use items, ignore_case)")
        ignore = value.get("ignore_case")
        if ignore is not None and not isinstance(ignore, bool):
            raise UserError(f"{where}: ignore_case must be true or false")
        value = value.get("items", [])
    if not isinstance(value, list):
        raise UserError(f'{where}: items must be an array of strings, like ["Đảng bộ"]')
    for number, item in enumerate(value, start=1):
        if not isinstance(item, str):
            raise UserError(f"{where}: item {number} must be a string, not {item!r}")
    return list(value), ignore  # type: ignore[return-value]


RULE_FIELDS = ("name", "label", "pattern", "score", "enabled")


def _merge_rule(merged: dict[str, Any], rule: object, source: str, where: str) -> None:
    if not isinstance(rule, dict):
        raise UserError(f"{where}: not a [[rule]] table")
    name = rule.get("name")
    if name is not None and not isinstance(name, str):
        raise UserError(f'{where}: name must be a string, like name = "union"')
    if name:
        where = f"{where} ({name})"
    unknown = [key for key in rule if key not in RULE_FIELDS]
    if unknown:
        raise UserError(f"{where}: unknown field {unknown[0]!r} (use {', '.join(RULE_FIELDS)})")
    enabled = rule.get("enabled", True)
    if not isinstance(enabled, bool):
        raise UserError(f"{where}: enabled must be true or false")
    if not enabled and name and "pattern" not in rule:
        merged["rule"].pop(name, None)  # switches a shipped (or earlier) rule off
        return
    for key in ("label", "pattern"):
        if not isinstance(rule.get(key), str) or not rule[key].strip():
            raise UserError(f'{where}: {key} must be a string, like {key} = "…"')
    score = rule.get("score", DEFAULT_SCORE)
    if isinstance(score, bool) or not isinstance(score, int | float) or not 0 <= score <= 1:
        raise UserError(f"{where}: score must be a number from 0 to 1, like score = 0.8")
    key = name or f"{source}#{where.rsplit(' ', 1)[-1]}"
    merged["rule"][key] = {
        **rule,
        "name": key,
        "label": rule["label"].strip().upper(),
        "score": float(score),
        "_file": source,
        "_where": where,
    }


def _word_list(value: dict[str, Any], name: str) -> WordList:
    items = tuple(dict.fromkeys(item for item in value["items"] if item.strip()))
    return WordList(items, bool(value["ignore_case"]))


def _list_regex(words: WordList) -> str:
    alternatives = sorted(words.items, key=len, reverse=True)
    body = "|".join(re.escape(item).replace("\\ ", " ") for item in alternatives) or "(?!)"
    return f"(?i:{body})" if words.ignore_case else f"(?:{body})"


def expand(
    pattern: str, lists: dict[str, WordList], defines: dict[str, str], depth: int = 0
) -> str:
    """Replace {name} placeholders by lists, definitions and built-ins (recursively)."""
    if depth > 10:
        raise UserError(f"pattern definitions refer to each other in a loop: {pattern[:60]}")

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in BUILTINS:
            return BUILTINS[name]
        if name in lists:
            return _list_regex(lists[name])
        if name in defines:
            return "(?:" + expand(defines[name], lists, defines, depth + 1) + ")"
        raise UserError(f"pattern refers to unknown list or definition {{{name}}}")

    return _PLACEHOLDER.sub(replace, pattern)


def compile_pattern(
    pattern: str, lists: dict[str, WordList], defines: dict[str, str]
) -> regex.Pattern[str]:
    """Expand placeholders, let each space match runs of spaces, compile (with the regex
    module, whose searches can be given a time limit)."""
    return regex.compile(expand(pattern, lists, defines).replace(" ", _SPACE))


def _compile_rule(
    rule: dict[str, Any], lists: dict[str, WordList], defines: dict[str, str]
) -> Rule:
    source = rule["pattern"]
    try:
        compiled = compile_pattern(str(source), lists, defines)
    except (regex.error, UserError) as exc:
        raise UserError(f"{rule['_where']}: not a valid pattern: {exc}") from exc
    return Rule(rule["name"], rule["label"], compiled, rule["score"], rule["_file"])
