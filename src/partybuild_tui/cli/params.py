"""How the command line's parameters parse and show: typer's, without pydantic, with click's
metavars.

Typer 0.29 converts every value through a pydantic ``TypeAdapter``: importing pydantic and
building the adapters is a third of ``partybuild list``. The types this CLI uses (text,
integers with bounds, paths, choices, flags, lists of them, a ``parser``) are converted here
instead, as typer would; any other type keeps typer's own conversion. Typer's help shows
``<str>``, ``<int range>``, ``{paths}``: options get click's TEXT, INTEGER, PATH,
``[a|b]`` and arguments their name in capitals (``PATHS...``, ``[GOLD]``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from enum import Enum
from pathlib import Path
from typing import Any, get_args, get_origin

import typer
from typer.core import TyperCommand, TyperGroup

Convert = Callable[[Any], Any]


class LightConversion:
    """What typer's ``RuntimeParam`` does for one parameter (its ``coerce``), without pydantic."""

    def __init__(self, convert: Convert, multiple: bool) -> None:
        self.convert = convert
        self.multiple = multiple

    def coerce(self, value: Any, param: Any, ctx: Any) -> Any:
        is_multi_value = param.multiple or param.nargs == -1
        if value is None:
            return () if is_multi_value else None
        if is_multi_value and isinstance(value, str):
            raise typer.BadParameter("Value must be an iterable.", ctx=ctx, param=param)
        try:
            if self.multiple:
                items = value if isinstance(value, list | tuple) else [value]
                return [self.convert(item) for item in items]
            return self.convert(value)
        except (ValueError, TypeError) as exc:  # TypeError: Path([...])
            raise typer.BadParameter(str(exc), ctx=ctx, param=param) from exc


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def _integer(low: float | None, high: float | None) -> Convert:
    def convert(value: Any) -> int:
        number = _int(value)
        if (low is not None and number < low) or (high is not None and number > high):
            raise ValueError(f"{number} is not in the range {_range(low, high)}.")
        return number

    return convert


def _int(value: Any) -> int:
    """An integer as pydantic reads one: ASCII digits, blanks around, ``3.0`` is 3."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = _text(value).strip()
    whole, dot, zeros = text.partition(".")
    if text.isascii() and (not dot or (zeros.strip("0") == "" and whole[-1:].isdigit())):
        with contextlib.suppress(ValueError):
            return int(whole)
    raise ValueError(f"{_text(value)!r} is not a valid integer.")


def _range(low: float | None, high: float | None) -> str:
    if low is not None and high is not None:
        return f"{low}<=x<={high}"
    return f"x>={low}" if low is not None else f"x<={high}"


def _choice(choices: Sequence[Enum], case_sensitive: bool) -> Convert:
    def fold(text: str) -> str:
        return text if case_sensitive else text.casefold()

    def convert(value: Any) -> Enum:
        if isinstance(value, Enum) and value in choices:
            return value
        for choice in choices:
            if fold(str(choice.value)) == fold(_text(value)):
                return choice
        allowed = ", ".join(repr(str(c.value)) for c in choices)
        raise ValueError(f"{_text(value)!r} is not one of {allowed}.")

    return convert


def _flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = _text(value).strip().lower()
    if text in ("1", "true", "t", "yes", "y", "on"):
        return True
    if text in ("", "0", "false", "f", "no", "n", "off"):
        return False
    raise ValueError(f"{value!r} is not a valid boolean.")


def _leaf(annotation: Any, info: Any) -> Convert | None:
    """The conversion of one value of ``annotation``; None: typer's own is needed."""
    if info.parser is not None:
        return info.parser  # type: ignore[no-any-return]
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return _choice(list(annotation), info.case_sensitive)
    if annotation is bool:
        return _flag
    if annotation is int and not info.clamp:
        return _integer(info.min, info.max)
    if annotation is str:
        return _text
    plain_path = (
        info.file_okay
        and info.dir_okay
        and not (info.exists or info.writable or info.resolve_path or info.allow_dash)
        and info.path_type is None
    )
    if annotation is Path and plain_path:
        return Path
    return None


def light_conversion(param: Any) -> LightConversion | None:
    """A pydantic-free conversion for ``param`` if its type is one this module knows."""
    descriptor = getattr(param, "type_descriptor", None)
    if descriptor is None:
        return None
    annotation, info = descriptor.annotation, descriptor.parameter_info
    multiple = get_origin(annotation) is list
    if multiple:
        (annotation,) = get_args(annotation)
    convert = _leaf(annotation, info)
    return None if convert is None else LightConversion(convert, multiple)


def option_metavar(param: Any) -> str | None:
    """Click's name for what an option takes: TEXT, INTEGER, PATH, FILE, [a|b]."""
    descriptor = getattr(param, "type_descriptor", None)
    if descriptor is None or param.is_flag or param.count:
        return None
    annotation = descriptor.annotation
    if get_origin(annotation) is list:
        (annotation,) = get_args(annotation)
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return "[" + "|".join(str(c.value) for c in annotation) + "]"
    if descriptor.is_path:
        return {"file": "FILE", "dir": "DIRECTORY"}.get(descriptor.path_type, "PATH")
    names = {str: "TEXT", int: "INTEGER", float: "FLOAT", bool: "BOOLEAN"}
    return names.get(annotation, "TEXT")


def argument_name(param: Any) -> str:
    """``PATHS...``, ``GOLD``: an argument's name in capitals, as click writes it."""
    name = param.metavar or param.name.upper()
    return f"{name}..." if param.nargs != 1 else name


def argument_usage(param: Any) -> str:
    """``PATHS...`` (required), ``[GOLD]`` (optional) in the usage line."""
    name = param.metavar or param.name.upper()
    shown = name if param.required else f"[{name}]"
    return f"{shown}..." if param.nargs != 1 else shown


def prepare(params: Sequence[Any]) -> None:
    """Give each parameter its metavar and (when typer would use pydantic) a light converter."""
    for param in params:
        if param.metavar is None:
            named = param.param_type_name == "argument"
            param.metavar = param.name.upper() if named else option_metavar(param)
        if hasattr(param, "_runtime_param") and param._runtime_param is None:
            param._runtime_param = light_conversion(param)


def format_params(command: Any, ctx: Any, formatter: Any) -> None:
    """Typer's plain help sections, with arguments shown by their usage name only."""
    arguments, options = [], []
    for param in command.get_params(ctx):
        record = param.get_help_record(ctx)
        if record is None:
            continue
        if param.param_type_name == "argument":
            arguments.append((argument_name(param), record[1]))
        elif param.param_type_name == "option":
            options.append(record)
    for title, rows in (("Arguments", arguments), ("Options", options)):
        if rows:
            with formatter.section(title):
                formatter.write_dl(rows)


def usage_pieces(command: Any, ctx: Any) -> list[str]:
    pieces = [command.options_metavar] if command.options_metavar else []
    for param in command.get_params(ctx):
        if param.param_type_name == "argument":
            pieces.append(argument_usage(param))
        else:
            pieces.extend(param.get_usage_pieces(ctx))
    return pieces


class Command(TyperCommand):
    """A typer command with light conversion and click's metavars (see the module)."""

    def get_params(self, ctx: Any) -> list[Any]:
        """Every parameter, --help and the completion options (added late) included."""
        params = super().get_params(ctx)
        prepare(params)
        return params

    def format_options(self, ctx: Any, formatter: Any) -> None:
        format_params(self, ctx, formatter)

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        return usage_pieces(self, ctx)


class Group(TyperGroup):
    """The ``partybuild`` group, its own options prepared like a command's."""

    def get_params(self, ctx: Any) -> list[Any]:
        params = super().get_params(ctx)
        prepare(params)
        return params

    def format_options(self, ctx: Any, formatter: Any) -> None:
        format_params(self, ctx, formatter)
        self.format_commands(ctx, formatter)
