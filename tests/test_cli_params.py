"""The CLI's own value conversion (``cli.params``) takes what typer's pydantic one takes, and
gives the same values: every parameter of every command, a few dozen values each."""

from __future__ import annotations

from typing import Any

import pytest
import typer
from typer._coercion import build_runtime_param
from typer.main import get_command

from partybuild_tui.cli import app
from partybuild_tui.cli.params import LightConversion

VALUES: list[Any] = [
    *("3", " 3", "0", "-1", "1", "2", "13", "3.0", "2.5", "abc", "", "1e3", "٣"),
    *("true", "no", "yes", "off", "corpus", "uncertain", "CORPUS", "jsonl", "labelstudio-min"),
    *("auto", "a/b.db", "~/x", "-", "  ", "-0", "+4", "0x10", "1_000", "3.5e0", "4.00"),
    *(["a", "b"], ("1", "2"), []),  # what a repeatable option collects
]  # the command line gives strings; the defaults (any type) are tried too


def conversions() -> list[tuple[str, Any, Any]]:
    group = get_command(app)
    assert isinstance(group, typer.core.TyperGroup)
    commands = [("partybuild", group), *group.commands.items()]
    found = []
    for name, command in commands:
        ctx = typer.Context(command)
        for param in command.get_params(ctx):
            found.append((f"{name} {param.name}", param, ctx))
    return found


def outcome(convert: Any, value: Any, param: Any, ctx: Any) -> tuple[str, Any]:
    try:
        return "value", convert.coerce(value, param=param, ctx=ctx)
    except Exception as exc:  # noqa: BLE001  (the same kind of failure is what counts)
        return type(exc).__name__, None


@pytest.mark.parametrize(("name", "param", "ctx"), conversions(), ids=lambda x: x)
def test_light_conversion_agrees_with_typers(name: str, param: Any, ctx: Any) -> None:
    light = param._runtime_param
    if param.type_descriptor.annotation is bool and param.is_flag:
        return  # typer converts no flag's bool (nor does this module)
    assert isinstance(light, LightConversion) or name == "evaluate gold", name
    if not isinstance(light, LightConversion):
        return  # a FILE argument: typer's own conversion checks it
    heavy = build_runtime_param(param.type_descriptor)
    for value in [*VALUES, param.default]:
        assert outcome(light, value, param, ctx) == outcome(heavy, value, param, ctx), (
            name,
            value,
        )
