"""Run the annotator on a database, tag through the UI, report each saved action, then hang.

Used by test_crash_safety: the parent kills this process with SIGKILL after reading the
acknowledgements, as if the terminal died, and checks the database holds what was shown.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from partybuild_tui.tui.app import PartybuildApp
from partybuild_tui.tui.screens.annotate import AnnotateScreen

STEPS = (
    ("Đảng bộ huyện Đồng Văn", ("shift+right", "shift+right", "o")),
    ("My Ly", ("f",)),
    ("Chỉ thị số 05", ("shift+right", "shift+right", "r")),
    ("Huyện ủy", ("1",)),
    ("Huyện ủy", ("d",)),
    ("", ("D",)),
)


async def main(db: Path) -> None:
    app = PartybuildApp(db, "tester", suggest_steps=())
    async with app.run_test(size=(120, 36)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, AnnotateScreen)
        for phrase, keys in STEPS:
            if phrase:
                screen.view.move_to_offset(screen.view.text.find(phrase))
            await pilot.press(*keys)
            print("ACK", screen.message, flush=True)
        print("READY", flush=True)
        await asyncio.sleep(3600)


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1])))
