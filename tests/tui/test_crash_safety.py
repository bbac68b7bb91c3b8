"""Killing the annotator with SIGKILL loses nothing it had shown as saved."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from partybuild_tui.core.store import Store
from tests.tui.helpers import ROOT

pytestmark = pytest.mark.safety


def test_sigkill_after_acknowledged_actions_keeps_them(app_db: Path) -> None:
    env = {**os.environ, "PYTHONPATH": f"{ROOT / 'src'}{os.pathsep}{ROOT}"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.tui.crash_driver", str(app_db)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    acks: list[str] = []
    deadline = time.monotonic() + 60
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.startswith("ACK"):
                acks.append(line.strip())
            if line.startswith("READY") or time.monotonic() > deadline:
                break
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL
    assert len(acks) == 6 and all("✓ saved" in ack for ack in acks), acks

    with sqlite3.connect(app_db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    with Store(app_db) as store:
        assert sorted((s.label, s.text) for s in store.spans(1)) == [
            ("FIGURE", "My Ly"),
            ("ORGANIZATION", "Đảng bộ huyện Đồng Văn"),
            ("RESOLUTION", "Chỉ thị số 05"),
        ]
        assert store.article(1).status == "done"
        assert [h["kind"] for h in store.history(1)] == [
            "tag",
            "tag",
            "tag",
            "tag",
            "delete",
            "status",
        ]
