"""Only the store package runs SQL: no other module executes on a connection or reaches ``.conn``.

The rest of the program calls the ``Store`` facade, or for the read-only stats the query
modules of ``core/store/queries`` with a snapshot's connection; keeping SQL in one place keeps
the schema changeable and every transaction's scope visible.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "partybuild_tui"
STORE = PACKAGE / "core" / "store"
EXECUTE = {"execute", "executemany", "executescript"}


def offenders(source: str, name: str) -> list[str]:
    """``name:line`` and what it does, for every SQL call or ``.conn`` use in ``source``."""
    found = []
    for node in ast.walk(ast.parse(source, name)):
        if isinstance(node, ast.Attribute) and node.attr == "conn":
            found.append((node.lineno, node.col_offset, ".conn"))
        elif isinstance(node, ast.Attribute) and node.attr in EXECUTE:
            found.append((node.lineno, node.col_offset, f".{node.attr}("))
    return [f"{name}:{line}: {what}" for line, _, what in sorted(found)]


def test_the_check_finds_sql_and_conn_uses() -> None:
    source = (
        "def f(store, conn):\n"
        "    store.conn.execute('DELETE FROM spans')\n"
        "    conn.executemany('INSERT INTO x VALUES (?)', [])\n"
        "    run = conn.executescript\n"
        "    return store.snapshot()\n"
    )
    assert offenders(source, "m.py") == [
        "m.py:2: .conn",
        "m.py:2: .execute(",
        "m.py:3: .executemany(",
        "m.py:4: .executescript(",
    ]


def test_no_module_outside_the_store_runs_sql() -> None:
    modules = [p for p in sorted(PACKAGE.rglob("*.py")) if STORE not in p.parents]
    assert len(modules) > 20  # the walk did find the program
    found = [
        hit
        for path in modules
        for hit in offenders(path.read_text(encoding="utf-8"), str(path.relative_to(PACKAGE)))
    ]
    assert not found, "SQL outside core/store/:\n" + "\n".join(found)
