"""CRF training and tagging (underthesea_core's CRFsuite), training in a child process.

The trainer writes a progress log on the process's stderr and holds the CPU for seconds to
minutes, so training runs in a child Python (``python -m partybuild_tui.core.crf``) that
reads pickled sequences on stdin and writes the model's bytes on stdout, with stderr closed:
the app's screen and a command's progress bar stay clean, the app's event loop never waits,
and an abandoned training is killed, not waited for.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

Sequences = list[list[list[str]]]
Labels = list[list[str]]


@dataclass(frozen=True)
class TrainOptions:
    iterations: int = 150
    l1: float = 0.05
    l2: float = 0.01


DEFAULT_OPTIONS = TrainOptions()


def fit(x: Sequences, y: Labels, options: TrainOptions | None = None) -> bytes:
    """Train in this process (its native log goes to stderr); the CRFsuite file's bytes."""
    from underthesea_core import CRFTrainer

    options = options or DEFAULT_OPTIONS
    trainer = CRFTrainer()
    trainer.set_l1_penalty(options.l1)
    trainer.set_l2_penalty(options.l2)
    trainer.set_max_iterations(options.iterations)
    model = trainer.train(x, y)
    with tempfile.TemporaryDirectory(prefix="partybuild-crf-") as folder:
        path = Path(folder) / "model.crfsuite"
        model.save(str(path))
        return path.read_bytes()


class Fitting:
    """A training running in a child process; ``result`` waits for its model's bytes."""

    def __init__(self, x: Sequences, y: Labels, options: TrainOptions | None = None) -> None:
        self._process = subprocess.Popen(
            [sys.executable, "-m", "partybuild_tui.core.crf"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
        )
        self._payload = pickle.dumps((x, y, options or DEFAULT_OPTIONS))

    def result(self) -> bytes:
        out, _ = self._process.communicate(self._payload)
        if self._process.returncode != 0 or not out:
            raise RuntimeError(f"CRF training failed (exit {self._process.returncode})")
        return out

    def cancel(self) -> None:
        if self._process.poll() is None:
            self._process.kill()
            self._process.wait()


def fit_in_child(x: Sequences, y: Labels, options: TrainOptions | None = None) -> bytes:
    return Fitting(x, y, options).result()


class Tagger:
    """A loaded model; ``tag`` gives a sentence's tags and the probability of each."""

    def __init__(self, data: bytes) -> None:
        from underthesea_core import CRFModel, CRFTagger

        with tempfile.TemporaryDirectory(prefix="partybuild-crf-") as folder:
            path = Path(folder) / "model.crfsuite"
            path.write_bytes(data)
            model = CRFModel.load(str(path))
        self._tagger = CRFTagger.from_model(model)
        self.labels: list[str] = list(self._tagger.labels())
        self._index = {label: i for i, label in enumerate(self.labels)}

    def tag(self, rows: list[list[str]]) -> tuple[list[str], list[float]]:
        if not rows:
            return [], []
        tags = list(self._tagger.tag(rows))
        marginals = self._tagger.marginals(rows)
        probs = [
            marginals[i][self._index[t]] if t in self._index else 0.0 for i, t in enumerate(tags)
        ]
        return tags, probs


def _exit_with_parent() -> None:
    """An orphaned training (the app or command was killed) stops instead of running on."""
    import threading
    import time

    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


def _child() -> None:
    _exit_with_parent()
    x, y, options = pickle.loads(sys.stdin.buffer.read())
    data = fit(x, y, options)
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()


if __name__ == "__main__":
    _child()
