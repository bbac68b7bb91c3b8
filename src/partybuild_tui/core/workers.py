"""Worker processes that never outlive the command that started them.

A pool worker waits on its task queue; when the command is killed (SIGKILL leaves no chance
to shut the pool down) nothing wakes it, so it used to live on for minutes, holding the
database and the command's standard output. Each worker therefore asks Linux to kill it when
its parent dies (``PR_SET_PDEATHSIG``) and, everywhere, runs a thread that exits the process
once the parent is gone. Workers also leave Ctrl-C to the parent, which cancels what is
queued.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from typing import Any

WATCH_SECONDS = 0.2
_PR_SET_PDEATHSIG = 1


def alive(pid: int) -> bool:
    """Whether a process of this id exists (a reused id only delays what waits for it)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # somebody else's process
    except (OverflowError, ValueError):
        return False
    return True


def pool(
    processes: int, initializer: Any = None, initargs: tuple[Any, ...] = ()
) -> ProcessPoolExecutor:
    """A process pool whose workers die with this process (and ignore Ctrl-C)."""
    # the death signal follows the thread that forks the worker: only the main thread lives
    # as long as the process does
    from_main = threading.current_thread() is threading.main_thread()
    setup = (os.getpid(), from_main, initializer, initargs)
    return ProcessPoolExecutor(processes, initializer=_start_worker, initargs=setup)


def stop(pool: ProcessPoolExecutor) -> None:
    """Stop a pool at once (Ctrl-C, an error): queued work is dropped and running work is
    not waited for (one large article can take minutes): its workers are terminated."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        with contextlib.suppress(OSError, AttributeError, ValueError):
            process.terminate()
    for process in processes:
        with contextlib.suppress(OSError, AttributeError, ValueError, AssertionError):
            process.join(timeout=2)


def _start_worker(
    parent: int, from_main: bool, initializer: Any, initargs: tuple[Any, ...]
) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if from_main and os.getppid() == parent:
        _death_signal()
    if not alive(parent):  # died before the watch could start
        os._exit(1)
    first = os.getppid()
    watch = threading.Thread(target=_watch, args=(parent, first), name="parent-watch")
    watch.daemon = True
    watch.start()
    if initializer is not None:
        initializer(*initargs)


def _death_signal() -> None:
    """Linux: SIGKILL this process when the thread that forked it ends."""
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def _watch(parent: int, first_parent: int) -> None:
    """Exit at once when the parent is gone (re-parented, or its process id free)."""
    while os.getppid() == first_parent and alive(parent):
        time.sleep(WATCH_SECONDS)
    os._exit(1)
