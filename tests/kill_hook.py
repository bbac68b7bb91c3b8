"""Run a ``partybuild`` command that dies (``os._exit``, like SIGKILL) at a chosen file call.

    python tests/kill_hook.py K CALLS -- export brat --out X --db DB

``CALLS`` is a comma-separated list of names in ``os`` (replace, rename, unlink, ...) and
``partybuild_tui.core.export.swap`` (exchange), if that module exists. The K-th call to any of
them, counted together, exits at once with status 137 before it runs, leaving the disk as a
kill at that moment would. K = 0 counts instead: the run completes and the number of calls is
printed on stderr as ``calls N``. The name ``noexchange`` makes folder exchange unavailable
(as on systems without renameat2), so folders are swapped by two renames.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

KILLED = 137


def _hooked(fn: Callable[..., Any], state: dict[str, int]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        state["calls"] += 1
        if state["calls"] == state["kill_at"]:
            os._exit(KILLED)
        return fn(*args, **kwargs)

    return wrapper


def main() -> None:
    kill_at, names, dash, *args = sys.argv[1:]
    assert dash == "--"
    state = {"calls": 0, "kill_at": int(kill_at)}
    targets: list[Any] = [os]
    try:
        targets.append(importlib.import_module("partybuild_tui.core.export.swap"))
    except ImportError:
        pass
    if "noexchange" in names.split(","):
        targets[-1].exchange = lambda first, second: False
    for name in names.split(","):
        for module in targets:
            if hasattr(module, name):
                setattr(module, name, _hooked(getattr(module, name), state))
    from partybuild_tui.cli import app

    try:
        app(args)
    finally:
        if state["kill_at"] == 0:
            print(f"calls {state['calls']}", file=sys.stderr)


if __name__ == "__main__":
    main()
