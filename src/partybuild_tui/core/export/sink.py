"""Atomic output: every file is written to a hidden temporary file in its target folder,
flushed and fsynced, and renamed over the target only when the whole export succeeded.

An export that fails or is interrupted removes its temporary files, so no half file is ever
left where a training script would read it. Standard output is written as it goes.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import sys
import tempfile
from collections.abc import Iterator
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
    """sys.stdout as an output stream, looked up when written (tests swap it)."""

    def write(self, text: str) -> int:
        return sys.stdout.write(text)

    def flush(self) -> None:
        sys.stdout.flush()


class Sink:
    """Opens output files as temporaries and publishes them all at the end.

    Streams stay open until :meth:`commit`. Whole files (:meth:`write_file`, two per article
    in brat) are synced and closed at once under a name marked with this export's token, and
    found again by listing their folder, so nothing per file is kept in memory.
    """

    def __init__(self) -> None:
        self._streams: list[tuple[str, str, TextIO]] = []
        self._file_folders: set[str] = set()
        self._made: set[str] = set()
        self._created: list[Path] = []  # folders this export made, removed again on abort
        self._suffix = f".{secrets.token_hex(6)}.part"
        self.current = ""  # the file being written: what a write error is about

    def open(self, path: Path | None) -> TextIO:
        """A text stream for ``path`` (``None``: standard output), LF newlines, UTF-8."""
        if path is None:
            return _Stdout()  # type: ignore[return-value]
        self._folder(path)
        try:
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
        except OSError as exc:
            raise UserError(f"cannot write {path}: {exc.strerror or exc}") from exc
        stream = os.fdopen(fd, "w", encoding="utf-8", newline="\n")
        self._streams.append((tmp, str(path), stream))
        self.current = str(path)
        os.chmod(tmp, _FILE_MODE)  # mkstemp makes 0600; exports are ordinary files
        return stream

    def write_file(self, path: Path, text: str) -> None:
        """Write a whole file now (synced); it appears at ``path`` on commit."""
        self._folder(path)
        self.current = str(path)
        tmp = self.pending(path)
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except OSError as exc:
            raise UserError(f"cannot write {path}: {exc.strerror or exc}") from exc
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        self._file_folders.add(str(path.parent))

    def pending(self, path: Path) -> Path:
        """Where ``path`` waits until commit (exists once written by :meth:`write_file`)."""
        return path.parent / f".{path.name}{self._suffix}"

    def _folder(self, path: Path) -> None:
        folder = str(path.parent)
        if folder in self._made:
            return
        missing = [p for p in (path.parent, *path.parent.parents) if not p.exists()]
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._created.extend(reversed(missing))
        except (FileExistsError, NotADirectoryError):
            blocker = next(p for p in path.parents if p.exists())  # the nearest that exists
            raise UserError(f"cannot write {path}: {blocker} is a file, not a folder") from None
        except OSError as exc:
            raise UserError(f"cannot write {path}: {exc.strerror or exc}") from exc
        self._made.add(folder)

    def _waiting(self, folder: str) -> Iterator[tuple[str, str]]:
        """(temporary, target) of every whole file waiting in ``folder``."""
        with os.scandir(folder) as entries:
            names = [e.name for e in entries if e.name.endswith(self._suffix)]
        for name in names:
            yield os.path.join(folder, name), os.path.join(folder, name[1 : -len(self._suffix)])

    def commit(self) -> None:
        """fsync every stream, then rename every file over its target."""
        try:
            for _tmp, _path, stream in self._streams:
                stream.flush()
                os.fsync(stream.fileno())
                stream.close()
            for tmp, path, _stream in self._streams:
                os.replace(tmp, path)
            self._streams = []
            for folder in sorted(self._file_folders):
                for tmp, path in self._waiting(folder):
                    os.replace(tmp, path)
            self._file_folders = set()
        except OSError as exc:
            self.abort()
            raise self.error(exc) from exc
        for folder in self._made:
            _fsync_folder(Path(folder))

    def error(self, exc: OSError) -> UserError:
        """One line naming the export's file (never a hidden temporary one) and the reason."""
        named = exc.filename2 or exc.filename  # os.replace(tmp, target) names both
        where = self.target_of(os.fsdecode(named)) if named else self.current or "output"
        return UserError(f"cannot write {where}: {exc.strerror or exc}")

    def target_of(self, name: str) -> str:
        """The export file a temporary file stands for."""
        for tmp, path, _stream in self._streams:
            if tmp == name:
                return path
        folder, base = os.path.split(name)
        if base.startswith(".") and base.endswith(self._suffix):
            return os.path.join(folder, base[1 : -len(self._suffix)])
        return name

    def abort(self) -> None:
        """Drop every temporary file: the targets keep what they held before."""
        for tmp, _path, stream in self._streams:
            with contextlib.suppress(OSError):
                stream.close()
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        for folder in self._file_folders:
            with contextlib.suppress(OSError):
                for tmp, _path in self._waiting(folder):
                    os.unlink(tmp)
        self._streams = []
        self._file_folders = set()
        for created in reversed(self._created):  # deepest first; only if left empty
            with contextlib.suppress(OSError):
                created.rmdir()
        self._created = []

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


def _fsync_folder(folder: Path) -> None:
    """Make the renames durable (POSIX); harmless where folders cannot be opened."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
