"""One run at a time: an OS lock on a lock file, released by the OS when a run dies."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

from ..errors import Exit, RoadmapError

LOCK_NAME = ".roadmap-office.lock"


class LockHeld(RoadmapError):
    exit_code = Exit.LOCKED


class RunLock:
    """An exclusive OS lock on a file; the OS releases it when the process dies (even SIGKILL)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.handle = None

    def __enter__(self) -> RunLock:
        self.handle = open(self.path, "a+", encoding="utf-8")
        try:
            _lock(self.handle)
        except OSError:
            self.handle.seek(0)
            holder = self.handle.read().strip()
            self.handle.close()
            raise LockHeld(f"уже выполняется другой запуск свода ({holder or 'процесс неизвестен'}); "
                           "этот запуск завершён без изменений") from None
        try:
            self.handle.seek(0)
            self.handle.truncate()
            self.handle.write(f"PID {os.getpid()}, начат {datetime.now():%d.%m.%Y %H:%M:%S}")
            self.handle.flush()
        except OSError:  # a full disk: the run ends here with its exit code, the lock with it
            self.handle.close()
            raise
        return self

    def __exit__(self, *exc) -> None:
        if self.handle:
            self.handle.seek(0)
            self.handle.truncate()
            self.handle.close()


def _lock(handle) -> None:
    try:
        import fcntl

        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except ImportError:  # pragma: no cover - Windows
        import msvcrt

        msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
