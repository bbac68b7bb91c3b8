"""Atomic output: every file is written to a hidden temporary file in its target folder,
flushed and fsynced, and renamed over the target only when the whole export succeeded.

An export that fails or is interrupted removes its temporary files, so no half file is ever
left where a training script would read it. Standard output is written as it goes.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from pathlib import Path
from types import TracebackType
from typing import TextIO

from partybuild_tui.errors import UserError


def _file_mode() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


_FILE_MODE = _file_mode()


class _Stdout:
    """sys.stdout that a writer may 'close' without closing the process's stdout."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def write(self, text: str) -> int:
        return self.stream.write(text)

    def close(self) -> None:
        self.stream.flush()


class Sink:
    """Opens output files as temporaries and publishes them all at the end."""

    def __init__(self) -> None:
        self._pending: list[tuple[Path, Path, TextIO]] = []

    def open(self, path: Path | None) -> TextIO:
        """A text stream for ``path`` (``None``: standard output), LF newlines, UTF-8."""
        if path is None:
            return _Stdout(sys.stdout)  # type: ignore[return-value]
        folder = path.parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=folder)
        except OSError as exc:
            raise UserError(f"cannot write {path}: {exc.strerror or exc}") from exc
        os.chmod(tmp, _FILE_MODE)  # mkstemp makes 0600; exports are ordinary files
        stream = os.fdopen(fd, "w", encoding="utf-8", newline="\n")
        self._pending.append((Path(tmp), path, stream))
        return stream

    def commit(self) -> list[Path]:
        """fsync every file, then rename each over its target; return the targets."""
        try:
            for tmp, _path, stream in self._pending:
                _sync_and_close(tmp, stream)
            for tmp, path, _stream in self._pending:
                os.replace(tmp, path)
        except OSError as exc:
            self.abort()
            raise UserError(f"cannot write {exc.filename or 'output'}: {exc.strerror}") from exc
        targets = [path for _tmp, path, _stream in self._pending]
        for folder in {path.parent for path in targets}:
            _fsync_folder(folder)
        self._pending = []
        return targets

    def abort(self) -> None:
        """Drop every temporary file: the targets keep what they held before."""
        for tmp, _path, stream in self._pending:
            with contextlib.suppress(OSError):
                stream.close()
            with contextlib.suppress(OSError):
                tmp.unlink()
        self._pending = []

    def __enter__(self) -> Sink:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if kind is not None:
            self.abort()


def _sync_and_close(tmp: Path, stream: TextIO) -> None:
    if stream.closed:  # a writer closed it early (one file per article): sync by path
        fd = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        return
    stream.flush()
    os.fsync(stream.fileno())
    stream.close()


def _fsync_folder(folder: Path) -> None:
    """Make the renames durable (POSIX); harmless where folders cannot be opened."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
