"""Atomic output: every file is written to a hidden temporary file in its target folder,
flushed and fsynced, and renamed over the target only when the whole export succeeded; a
folder export (brat) is written beside its folder and swapped in whole (see ``swap``).

An export that fails or is interrupted removes its temporary files, so no half file is ever
left where a training script would read it; what a killed export left is removed by the next
run into the same folder. Standard output, a FIFO and a character device (/dev/null) are
written as the export goes: they are never replaced; other special files are refused.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import sys
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import TextIO

from partybuild_tui.core.export import swap
from partybuild_tui.errors import UserError

STDOUT = "-"
STREAMED = ("FIFO", "character device")
# names the exports write in a folder (old-style temporary files of them are cleaned)
EXPORT_NAME = re.compile(
    r"^(?:(?:data|train|dev|test)(?:\.labels)?\.(?:jsonl|conll|json)|labels\.json)$"
)


class _Stdout:
    """sys.stdout as an output stream, looked up when written (tests swap it)."""

    def write(self, text: str) -> int:
        return sys.stdout.write(text)

    def flush(self) -> None:
        sys.stdout.flush()


def is_stdout(out: Path | str | None) -> bool:
    """``-``, or a name for the file standard output already is (/dev/stdout, /dev/fd/1)."""
    if out is None:
        return False
    if str(out) == STDOUT:
        return True
    try:
        here = os.stat(out)
        mine = os.fstat(sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        return False
    return not stat.S_ISDIR(here.st_mode) and (here.st_dev, here.st_ino) == (
        mine.st_dev,
        mine.st_ino,
    )


def special_kind(path: Path) -> str | None:
    """What a non-regular file at ``path`` is (links followed); None for a file or nothing."""
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        return None
    kinds = {
        stat.S_ISFIFO: "FIFO",
        stat.S_ISCHR: "character device",
        stat.S_ISBLK: "block device",
        stat.S_ISSOCK: "socket",
    }
    for test, kind in kinds.items():
        if test(mode):
            return kind
    return None if stat.S_ISREG(mode) or stat.S_ISDIR(mode) else "special file"


class Sink:
    """Opens output files as temporaries and publishes them all at the end.

    Streams stay open until :meth:`commit`. Whole files (:meth:`write_file`) are synced and
    closed at once under a name marked with this export's token, and found again by listing
    their folder, so nothing per file is kept in memory. Folder exports (:meth:`folder`) are
    swapped in after the files.
    """

    def __init__(self) -> None:
        self._streams: list[tuple[str, str, TextIO]] = []
        self._direct: list[TextIO] = []  # FIFOs and devices, written in place
        self._file_folders: set[str] = set()
        self._folders: list[swap.FolderSwap] = []
        self._made: set[str] = set()
        self._cleaned_in: set[str] = set()
        self._created: list[Path] = []  # folders this export made, removed again on abort
        self.token = swap.new_token()
        self.cleaned = swap.Cleaned()  # what interrupted exports had left, removed now
        self.current = ""  # the file being written: what a write error is about

    def open(self, path: Path | None) -> TextIO:
        """A text stream for ``path`` (``None``: standard output), LF newlines, UTF-8."""
        if path is None:
            return _Stdout()  # type: ignore[return-value]
        self.current = str(path)
        kind = special_kind(path)
        if kind in STREAMED:
            return self._open_direct(path)
        if kind is not None:
            raise UserError(f"cannot write {path}: it is a {kind}, not a file")
        real = _resolved(path)
        self._folder(real)
        tmp = self.pending(real)
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except OSError as exc:
            raise UserError(f"cannot write {path}: {exc.strerror or exc}") from exc
        stream = os.fdopen(fd, "w", encoding="utf-8", newline="\n")
        self._streams.append((str(tmp), str(real), stream))
        return stream

    def _open_direct(self, path: Path) -> TextIO:
        """Write into a FIFO or a device as the export goes (a FIFO waits for its reader)."""
        try:
            fd = os.open(path, os.O_WRONLY)
        except OSError as exc:
            raise UserError(f"cannot write {path}: {exc.strerror or exc}") from exc
        stream = os.fdopen(fd, "w", encoding="utf-8", newline="\n")
        self._direct.append(stream)
        return stream

    def write_file(self, path: Path, text: str) -> None:
        """Write a whole file now (synced); it appears at ``path`` on commit."""
        if special_kind(path) is not None:
            self.open(path).write(text)  # a FIFO or a device: streamed; others refused
            return
        real = _resolved(path)
        self._folder(real)
        self.current = str(path)
        try:
            fd = os.open(self.pending(real), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except OSError as exc:
            raise UserError(f"cannot write {path}: {exc.strerror or exc}") from exc
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        self._file_folders.add(str(real.parent))

    def folder(
        self, target: Path, owned: swap.Owned, names: Callable[[str], bool]
    ) -> swap.FolderSwap:
        """A folder export written aside and swapped in on commit. ``owned`` recognises the
        files an earlier export wrote where it left no manifest; ``names`` are the names of
        files it writes (old-style temporary files of those are cleaned)."""
        self._folder(target)  # its parent, made if missing
        if target.is_dir():
            self._clean(target, names)
        folder = swap.FolderSwap(target, owned, self._writing)
        self._folders.append(folder)
        return folder

    def _writing(self, name: str) -> None:
        self.current = name

    def pending(self, path: Path) -> Path:
        """Where ``path`` waits until commit (exists once written by :meth:`write_file`)."""
        return path.parent / swap.temp_name(path.name, self.token)

    def _folder(self, path: Path) -> None:
        """Make the folder ``path`` goes in, and clean what killed exports left there."""
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
        self._clean(path.parent, lambda name: bool(EXPORT_NAME.match(name)) or name == path.name)

    def _clean(self, folder: Path, legacy_names: Callable[[str], bool]) -> None:
        if str(folder) in self._cleaned_in:
            return
        self._cleaned_in.add(str(folder))
        self.cleaned.add(swap.clean_folder(folder, legacy_names, _brat_owned))

    def _waiting(self, folder: str) -> list[tuple[str, str]]:
        """(temporary, target) of every whole file waiting in ``folder``."""
        mine: list[tuple[str, str]] = []
        with os.scandir(folder) as entries:
            for entry in entries:
                found = swap.TEMP.match(entry.name)
                if found and found["token"] == self.token and entry.is_file():
                    mine.append((entry.path, os.path.join(folder, found["name"])))
        return mine

    def commit(self) -> None:
        """fsync every stream, rename every file over its target, swap every folder in."""
        try:
            for stream in self._direct:
                stream.flush()
                stream.close()
            self._direct = []
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
            for swapped in self._folders:
                swapped.publish()
        except OSError as exc:
            self.abort()
            raise self.error(exc) from exc
        except UserError:
            self.abort()
            raise
        for folder in self._made:
            swap.fsync_folder(Path(folder))

    def error(self, exc: OSError) -> UserError:
        """One line naming the export's file (never a hidden temporary one) and the reason."""
        named = exc.filename2 or exc.filename  # os.replace(tmp, target) names both
        where = self.target_of(os.fsdecode(named)) if named else self.current or "output"
        return UserError(f"cannot write {where}: {exc.strerror or exc}")

    def target_of(self, name: str) -> str:
        """The export file a temporary file stands for."""
        folder, base = os.path.split(name)
        found = swap.TEMP.match(base)
        if found and found["token"] in (self.token, *(f.token for f in self._folders)):
            return os.path.join(folder, found["name"])
        return name

    def abort(self) -> None:
        """Drop every temporary file: the targets keep what they held before."""
        for stream in self._direct:
            with contextlib.suppress(OSError):
                stream.close()
        for tmp, _path, stream in self._streams:
            with contextlib.suppress(OSError):
                stream.close()
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        for name in self._file_folders:
            with contextlib.suppress(OSError):
                for tmp, _path in self._waiting(name):
                    os.unlink(tmp)
        for swapped in self._folders:
            swapped.abort()
        self._direct, self._streams, self._folders = [], [], []
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


def _resolved(path: Path) -> Path:
    """The file a link points at: an export replaces that file, never the link."""
    return Path(os.path.realpath(path)) if path.is_symlink() else path


def _brat_owned(folder: Path, rel: str) -> bool:
    from partybuild_tui.core.export import brat  # brat imports this module

    return brat.written_by_export(folder, rel)
