"""One piece of work in a forked child process while the parent does another (two cores, two
writers). The child sees the parent's memory as it was at the fork, so nothing is pickled on
the way in; only the result (a path) or the error comes back.
"""

from __future__ import annotations

import multiprocessing
import sys
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


def can_fork() -> bool:
    """False where no child process can be started (inside LibreOffice) or fork is missing."""
    from .checking.isolated import _can_start_processes

    return "fork" in multiprocessing.get_all_start_methods() and _can_start_processes()


class Forked(Generic[T]):
    def __init__(self, work: Callable[[], T], crashed: Callable[[], Exception]) -> None:
        context = multiprocessing.get_context("fork")
        self._crashed = crashed
        self._receive, send = context.Pipe(duplex=False)
        for stream in (sys.stdout, sys.stderr):  # the child must not print the parent's buffered text again
            try:
                stream.flush()
            except (AttributeError, ValueError, OSError):
                pass
        self._process = context.Process(target=_run, args=(work, send), daemon=True)
        self._process.start()
        send.close()

    def result(self) -> T:
        """The child's result; its exception raised here; a child that died raises ``crashed()``."""
        try:
            ok, value = self._receive.recv()
        except (EOFError, OSError):
            ok, value = False, self._crashed()
        finally:
            self._receive.close()
            self._process.join()
        if ok:
            return value
        raise value

    def cancel(self) -> None:
        """Stop a child whose result is no longer wanted (another output failed); a child whose
        result was taken is left alone."""
        if not self._receive.closed:
            self._process.kill()
            self._process.join()
            self._receive.close()


def _run(work: Callable, send) -> None:
    try:
        outcome = (True, work())
    except BaseException as exc:  # noqa: BLE001 - everything goes back to the parent
        outcome = (False, exc)
    try:
        send.send(outcome)
    except Exception:  # an exception that cannot be pickled: its text still goes back
        send.send((False, RuntimeError(str(outcome[1]))))
    send.close()
