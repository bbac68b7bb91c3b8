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
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from partybuild_tui.errors import UserError

PATTERNS_ENV = "PARTYBUILD_PATTERNS"
DEFAULT_PATTERNS = Path(__file__).with_name("patterns.toml")
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
_SPACE = "[^\\S\\n]+"


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
    pattern: re.Pattern[str]
    score: float


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

    def compile(self, pattern: str) -> re.Pattern[str]:
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


def load_patterns(db_path: Path | None = None) -> Patterns:
    """The shipped patterns extended by the user's files (cached per set of files)."""
    files = [DEFAULT_PATTERNS, *pattern_files(db_path)]
    stamps = tuple((str(p), p.stat().st_mtime_ns) for p in files)
    return _load(stamps)


@lru_cache(maxsize=8)
def _load(stamps: tuple[tuple[str, int], ...]) -> Patterns:
    merged: dict[str, Any] = {"lists": {}, "define": {}, "rule": {}}
    for name, _ in stamps:
        _merge(merged, _read(Path(name)), name)
    digest = hashlib.sha256(
        json.dumps(merged, sort_keys=True, ensure_ascii=False).encode()
    ).hexdigest()[:12]
    lists = {name: _word_list(value, name) for name, value in merged["lists"].items()}
    rules = tuple(
        _compile_rule(rule, lists, merged["define"])
        for rule in merged["rule"].values()
        if rule.get("enabled", True)
    )
    files = tuple(name for name, _ in stamps)
    return Patterns(lists, dict(merged["define"]), rules, digest, files)


def _read(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise UserError(f"cannot read pattern file {path}: {exc}") from exc


def _merge(merged: dict[str, Any], data: dict[str, Any], source: str) -> None:
    for name, value in data.get("lists", {}).items():
        if not isinstance(value, list | dict):
            raise UserError(f"pattern file {source}: list {name!r} must be an array or table")
        items = value if isinstance(value, list) else value.get("items", [])
        old = merged["lists"].get(name, {"items": [], "ignore_case": False})
        ignore = (
            value.get("ignore_case", old["ignore_case"])
            if isinstance(value, dict)
            else old["ignore_case"]
        )
        merged["lists"][name] = {"items": [*old["items"], *map(str, items)], "ignore_case": ignore}
    for name, value in data.get("define", {}).items():
        merged["define"][name] = str(value)
    for i, rule in enumerate(data.get("rule", [])):
        if not isinstance(rule, dict) or "label" not in rule or "pattern" not in rule:
            if isinstance(rule, dict) and rule.get("enabled") is False and "name" in rule:
                merged["rule"].pop(rule["name"], None)
                continue
            raise UserError(f"pattern file {source}: rule {i + 1} needs a label and a pattern")
        name = str(rule.get("name") or f"{source}#{i + 1}")
        merged["rule"][name] = {**rule, "name": name, "_file": source}


def _word_list(value: dict[str, Any], name: str) -> WordList:
    items = tuple(dict.fromkeys(str(item) for item in value["items"] if str(item).strip()))
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
) -> re.Pattern[str]:
    """Expand placeholders, let each space match runs of spaces, compile."""
    return re.compile(expand(pattern, lists, defines).replace(" ", _SPACE))


def _compile_rule(
    rule: dict[str, Any], lists: dict[str, WordList], defines: dict[str, str]
) -> Rule:
    source = rule["pattern"]
    try:
        regex = compile_pattern(str(source), lists, defines)
    except (re.error, UserError) as exc:
        raise UserError(
            f"pattern file {rule['_file']}: rule {rule['name']!r} is not a valid pattern: {exc}"
        ) from exc
    return Rule(rule["name"], str(rule["label"]).upper(), regex, float(rule.get("score", 0.8)))
