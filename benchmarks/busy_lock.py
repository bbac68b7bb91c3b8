"""How long a tag key holds the UI thread: database free, and while another process holds
the write lock for 2 s (as an import batch or a merge can). Not a ``*_bench.py`` case: run it
alone, once per checkout to compare, on the seeds (imported into a scratch database):

    python benchmarks/busy_lock.py [CHECKOUT]     # default: this one
"""

import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parents[1])
sys.path.insert(0, str(ROOT / "src"))
from partybuild_tui.core import ingest  # noqa: E402
from partybuild_tui.core.store import Store  # noqa: E402
from partybuild_tui.tui.app import PartybuildApp  # noqa: E402
from partybuild_tui.tui.screens.annotate import AnnotateScreen  # noqa: E402

db = Path(tempfile.mkdtemp()) / "busy.db"
with Store(db) as seeded:
    ingest.import_paths(seeded, [Path(__file__).resolve().parents[1] / "seeds"])

HOLD = (
    "import sqlite3, sys, time; c = sqlite3.connect(sys.argv[1], isolation_level=None); "
    "c.execute('BEGIN IMMEDIATE'); print('held', flush=True); time.sleep(2); c.execute('COMMIT')"
)


async def run(locked: bool) -> list[float]:
    app = PartybuildApp(db, "bench", suggest_steps=())
    out: list[float] = []
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause(1.0)
        scr = app.screen
        assert isinstance(scr, AnnotateScreen)
        view = scr.view
        for _ in range(10):
            view.move_to_offset(view.text.index("Đảng bộ huyện Đồng Văn"))
            holder = None
            if locked:
                holder = subprocess.Popen(
                    [sys.executable, "-c", HOLD, str(db)], stdout=subprocess.PIPE, text=True
                )
                assert holder.stdout is not None
                holder.stdout.readline()
            t = time.perf_counter()
            scr.action_label("ORGANIZATION")
            out.append((time.perf_counter() - t) * 1000)
            if holder:
                holder.wait()
            for _ in range(100):
                await pilot.pause(0.02)
                if scr.message.startswith("✓"):
                    break
            scr.action_undo()
            await pilot.pause(0.05)
    return out


for locked in (False, True):
    r = asyncio.run(run(locked))
    what = "2 s lock" if locked else "free    "
    print(
        f"{what} UI thread per tag key: median {statistics.median(r):.1f} ms, "
        f"max {max(r):.0f} ms (n={len(r)}), load {os.getloadavg()[0]:.2f}"
    )
