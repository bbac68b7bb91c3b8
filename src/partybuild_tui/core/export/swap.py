"""Replacing a whole export folder at once, and cleaning what killed exports left behind.

A folder export (brat: thousands of files) is written into a hidden sibling folder
``.<name>.<pid>-<token>.part`` and exchanged with the old folder in one rename
(``renameat2(RENAME_EXCHANGE)`` on Linux; elsewhere two renames, which the next run undoes if
a kill falls between them), so a reader or a kill sees the old export or the new one, never a
mix. ``.partybuild-export.json`` in the folder lists what the export wrote. Everything else
in the folder (notes, a file that only looks like an export file) is carried into the new
folder, and a file in the way of one the export must write is refused, never overwritten.

Temporary names carry the writing process's id, so the next run removes those of a dead
process and leaves a running export's alone.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import functools
import json
import os
import re
import secrets
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from partybuild_tui.core.workers import alive
from partybuild_tui.errors import UserError

MANIFEST = ".partybuild-export.json"
STAGING = ".partybuild-export.staging"  # only in a new folder that is not complete yet
TEMP = re.compile(r"^\.(?P<name>.+)\.(?P<pid>\d+)-(?P<token>[0-9a-f]{12})\.(?P<kind>part|old)$")
# names of temporary files from versions without the process id (mkstemp's 8 characters or a
# 12-digit token): removed only when they stand for a name the export writes, and are old
LEGACY_TEMP = re.compile(r"^\.(?P<name>.+)\.(?:[a-z0-9_]{8}|[0-9a-f]{12})\.part$")
LEGACY_AGE = 120.0  # seconds
Owned = Callable[[Path, str], bool]  # (folder, relative path): written by an export?


def new_token() -> str:
    return secrets.token_hex(6)


def temp_name(name: str, token: str, kind: str = "part") -> str:
    """The hidden name under which ``name`` waits; the process id says whose it is."""
    return f".{name}.{os.getpid()}-{token}.{kind}"


# ---- what a cleaning removed ------------------------------------------------------------------


@dataclass
class Cleaned:
    """Temporary files and folders of interrupted exports removed by this run."""

    files: int = 0
    folders: int = 0
    size: int = 0
    restored: list[str] = field(default_factory=list)  # folders put back where a kill left them
    where: set[str] = field(default_factory=set)

    def __bool__(self) -> bool:
        return bool(self.files or self.folders or self.restored)

    def add(self, other: Cleaned) -> None:
        self.files += other.files
        self.folders += other.folders
        self.size += other.size
        self.restored += other.restored
        self.where |= other.where


def _size(path: Path) -> int:
    total = 0
    for _rel, entry in walk(path):
        with contextlib.suppress(OSError):
            if not entry.is_dir(follow_symlinks=False):
                total += entry.stat(follow_symlinks=False).st_size
    return total


def clean_folder(folder: Path, legacy_names: Callable[[str], bool], owned: Owned) -> Cleaned:
    """Remove the temporary files and folders of dead exports in ``folder``.

    ``legacy_names(name)`` says whether an old-style temporary name stands for a file an
    export writes; ``owned`` recognises an export folder's files when one is recovered.
    """
    cleaned = Cleaned()
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return cleaned
    for entry in entries:
        with contextlib.suppress(OSError):
            _clean_entry(folder, entry, legacy_names, owned, cleaned)
    return cleaned


def _clean_entry(
    folder: Path,
    entry: os.DirEntry[str],
    legacy_names: Callable[[str], bool],
    owned: Owned,
    cleaned: Cleaned,
) -> None:
    found = TEMP.match(entry.name)
    if found and not alive(int(found["pid"])):
        if entry.is_dir(follow_symlinks=False):
            recover(folder / found["name"], Path(entry.path), owned, cleaned)
        else:
            size = entry.stat(follow_symlinks=False).st_size
            os.unlink(entry.path)
            cleaned.files += 1
            cleaned.size += size
            cleaned.where.add(str(folder))
        return
    legacy = LEGACY_TEMP.match(entry.name)
    if legacy and legacy_names(legacy["name"]) and entry.is_file(follow_symlinks=False):
        info = entry.stat(follow_symlinks=False)
        if time.time() - info.st_mtime > LEGACY_AGE:
            os.unlink(entry.path)
            cleaned.files += 1
            cleaned.size += info.st_size
            cleaned.where.add(str(folder))


def recover(target: Path, left: Path, owned: Owned, cleaned: Cleaned) -> None:
    """A dead export's folder next to ``target``: an unfinished new one is removed; a whole
    one (the old export a kill left aside, or a new one not yet swapped in) is put back if
    ``target`` is gone, else the files in it that no export wrote are moved into ``target``
    before it is removed."""
    if (left / STAGING).exists() or _empty(str(left)):
        _remove(left, cleaned)  # killed while the new export was written
        return
    if not os.path.lexists(target):
        os.rename(left, target)
        cleaned.restored.append(str(target))
        return
    salvage(left, target, owned)
    _remove(left, cleaned)


def _remove(folder: Path, cleaned: Cleaned) -> None:
    cleaned.size += _size(folder)
    shutil.rmtree(folder)
    cleaned.folders += 1
    cleaned.where.add(str(folder.parent))


# ---- the manifest -----------------------------------------------------------------------------


def read_manifest(folder: Path) -> dict[str, Any] | None:
    """The export's record of what it wrote in ``folder``; None if missing or unreadable."""
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("files"), list):
        return None
    return data


def ownership(folder: Path, owned: Owned) -> Callable[[str], bool]:
    """Which relative paths in ``folder`` an export wrote: its manifest, else ``owned``."""
    manifest = read_manifest(folder)
    if manifest is None:
        return lambda rel: rel == MANIFEST or owned(folder, rel)
    files = {str(name) for name in manifest["files"]} | {MANIFEST}
    return files.__contains__


def walk(root: Path, prefix: str = "") -> Iterator[tuple[str, os.DirEntry[str]]]:
    """(relative path, entry) of everything under ``root``, folders before their contents;
    links are entries, never followed."""
    with os.scandir(root) as entries:
        listed = sorted(entries, key=lambda e: e.name)
    for entry in listed:
        rel = f"{prefix}{entry.name}"
        yield rel, entry
        if entry.is_dir(follow_symlinks=False):
            yield from walk(Path(entry.path), f"{rel}/")


def salvage(old: Path, target: Path, owned: Owned) -> None:
    """Move what an export did not write from ``old`` into ``target`` where it is missing."""
    mine = ownership(old, owned)
    for rel, entry in list(walk(old)):
        if entry.is_dir(follow_symlinks=False) or mine(rel):
            continue
        destination = target / rel
        if os.path.lexists(destination):
            continue
        destination.parent.mkdir(parents=True, exist_ok=True)
        os.rename(entry.path, destination)


# ---- exchanging two folders -------------------------------------------------------------------

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


@functools.cache
def _renameat2() -> Any:
    if not sys.platform.startswith("linux"):
        return None
    try:
        function = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p]
    function.argtypes.append(ctypes.c_uint)
    function.restype = ctypes.c_int
    return function


def exchange(first: Path, second: Path) -> bool:
    """Swap two existing paths in one step; False where the system or file system cannot."""
    function = _renameat2()
    if function is None:
        return False
    a, b = os.fsencode(first), os.fsencode(second)
    if function(_AT_FDCWD, a, _AT_FDCWD, b, _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(second))


def fsync_folder(folder: Path) -> None:
    """Make renames in ``folder`` durable (POSIX); harmless where folders cannot be opened."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


# ---- one folder export ------------------------------------------------------------------------


class FolderSwap:
    """Collects a folder export in a hidden sibling folder and swaps it in on :meth:`publish`."""

    def __init__(self, target: Path, owned: Owned, on_write: Callable[[str], None]) -> None:
        self.target = target
        self.owned = owned
        self.on_write = on_write  # told the file being written, for error messages
        self.token = new_token()
        self.staging = target.parent / temp_name(target.name, self.token)
        self.written: list[str] = []
        self._dirs: set[str] = set()  # folders made in the new folder
        self._published = False
        self._check_target()
        try:
            self.staging.mkdir()
            (self.staging / STAGING).write_text("new export being written\n", encoding="utf-8")
        except OSError as exc:
            raise UserError(f"cannot write {target}: {exc.strerror or exc}") from exc

    def _check_target(self) -> None:
        if not os.path.lexists(self.target):
            return
        if self.target.is_symlink() or not self.target.is_dir():
            raise UserError(f"{self.target} is not a folder: a folder is needed for this export")
        if not os.access(self.target, os.W_OK | os.X_OK):
            raise UserError(f"cannot write {self.target}: Permission denied")

    def write(self, rel: str, text: str) -> None:
        """Write one whole file of the export (synced)."""
        self.on_write(str(self.target / rel))
        path = self.staging / rel
        parent = rel.rpartition("/")[0]
        if parent and parent not in self._dirs:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._dirs.update(_parents(rel))
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        self.written.append(rel)

    def _write_manifest(self) -> None:
        """What this export wrote, so the next one knows which files are its own (sorted:
        the same database gives the same bytes)."""
        record = {"written_by": "partybuild export", "files": sorted(self.written)}
        with open(self.staging / MANIFEST, "w", encoding="utf-8") as stream:
            json.dump(record, stream, ensure_ascii=False, indent=0)
            stream.write("\n")
            stream.flush()
            os.fsync(stream.fileno())

    def publish(self) -> None:
        """Carry the folder's other files over, then swap the new folder in."""
        self.on_write(str(self.target))
        exists = os.path.lexists(self.target)
        if exists:
            self._carry(ownership(self.target, self.owned))
        self._write_manifest()
        for rel in sorted(self._dirs):
            fsync_folder(self.staging / rel)
        os.unlink(self.staging / STAGING)  # whole now: a kill from here on keeps it
        fsync_folder(self.staging)
        if not exists:
            os.rename(self.staging, self.target)
            self._published = True
        elif exchange(self.staging, self.target):
            self._drop_old(self.staging)
        else:
            old = self.target.parent / temp_name(self.target.name, self.token, "old")
            os.rename(self.target, old)
            os.rename(self.staging, self.target)
            self._drop_old(old)
        fsync_folder(self.target.parent)

    def _carry(self, mine: Callable[[str], bool]) -> None:
        """Link every entry of the old folder that no export wrote into the new one."""
        written = set(self.written)
        for rel, entry in walk(self.target):
            if mine(rel):
                continue
            if rel in written or (rel in self._dirs and not entry.is_dir(follow_symlinks=False)):
                raise UserError(
                    f"cannot write {self.target / rel}: that file was not written by partybuild "
                    "export; move it out of the folder and export again"
                )
            is_dir = entry.is_dir(follow_symlinks=False)
            if is_dir and not _empty(entry.path):
                continue  # made when something in it is kept
            for parent in _parents(f"{rel}/" if is_dir else rel):
                if parent not in self._dirs:
                    (self.staging / parent).mkdir(exist_ok=True)
                    self._dirs.add(parent)
            if not is_dir:
                _keep(Path(entry.path), self.staging / rel)

    def _drop_old(self, old: Path) -> None:
        """The previous folder, now aside: anything added to it meanwhile moves over."""
        self._published = True
        with contextlib.suppress(OSError):
            salvage(old, self.target, self.owned)
            shutil.rmtree(old)  # if this fails, the next run removes it

    def abort(self) -> None:
        """Drop the new folder (before the swap only; the old one is untouched)."""
        if not self._published:
            shutil.rmtree(self.staging, ignore_errors=True)
            self._published = True


def _empty(folder: str) -> bool:
    with os.scandir(folder) as entries:
        return next(entries, None) is None


def _parents(rel: str) -> Iterator[str]:
    parts = rel.split("/")[:-1]
    for i in range(1, len(parts) + 1):
        yield "/".join(parts[:i])


def _keep(source: Path, copy: Path) -> None:
    """A second name for a user's file inside the new folder (a copy where links fail)."""
    try:
        if source.is_symlink():
            os.symlink(os.readlink(source), copy)
        else:
            os.link(source, copy, follow_symlinks=False)
    except OSError as exc:
        if not source.is_file() or source.is_symlink():
            raise UserError(
                f"cannot keep {source} in the new export: {exc.strerror or exc}; "
                "move it out of the folder and export again"
            ) from exc
        shutil.copy2(source, copy)
