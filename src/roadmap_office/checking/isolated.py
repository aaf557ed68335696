"""Check files in worker processes, so that no file can stop, exhaust or hang the run.

python-calamine is native code: a file it cannot handle may abort the whole process, which
no ``try`` can catch. So whenever it is the reader, files are read in worker processes with
a memory cap (:data:`~roadmap_office.reading.limits.WORKER_MEMORY_BYTES`) and a time limit per
file. A worker that dies or hangs costs only its file: the file is found by running the
suspects one at a time and is refused with a Russian reason; the others are checked again.
Inside LibreOffice, where only the bounded pure-Python readers exist and no subprocess can
be started, files are checked in the same process.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from ..model import Roadmap
from ..reading import limits as L
from ..sheets.reading import fast_reader
from . import check_file, messages as M, refused
from .results import CheckedSubmission

_roadmap: Roadmap | None = None
_fingerprint: str | None = None


def _start_worker(roadmap: Roadmap | None, fingerprint: str | None, memory: int) -> None:
    """Pool initializer: the roadmap is shipped once per worker, not once per file."""
    global _roadmap, _fingerprint
    _roadmap, _fingerprint = roadmap, fingerprint
    import faulthandler

    faulthandler.disable()  # a reader that aborts is reported as the file's refusal, not as a stack dump
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    except (ImportError, ValueError, OSError):  # not on this system: the limits of the scan still hold
        pass


def _work(path: Path) -> CheckedSubmission:
    return check_file(path, _roadmap, _fingerprint)


def check_isolated(paths: list[Path], roadmap: Roadmap | None, fingerprint: str | None, jobs: int = 1,
                   seconds: float = L.FILE_SECONDS, memory: int = L.WORKER_MEMORY_BYTES,
                   in_process: bool | None = None) -> Iterator[CheckedSubmission]:
    """Results in the order of ``paths``; a file that kills or hangs a worker is refused."""
    if in_process is None:
        in_process = not fast_reader() or not _can_start_processes()
    if in_process:
        for path in paths:
            yield check_file(path, roadmap, fingerprint)
        return
    results: dict[int, CheckedSubmission] = {}
    emitted = 0
    todo = list(range(len(paths)))
    while todo:
        broken = False
        pool = _pool(max(1, min(jobs, len(todo))), roadmap, fingerprint, memory)
        try:
            futures = {n: pool.submit(_work, paths[n]) for n in todo}
            for n in todo:
                try:
                    results[n] = futures[n].result(timeout=seconds)
                except (BrokenProcessPool, FutureTimeout):
                    broken = True
                    break
                while emitted in results:
                    yield results.pop(emitted)
                    emitted += 1
        finally:
            _stop(pool, kill=broken)
        if not broken:
            break
        failed = []
        for n in todo:
            future = futures[n]
            if n in results or emitted > n:
                continue
            if future.done() and not future.cancelled() and future.exception() is None:
                results[n] = future.result()  # finished before the worker died
            else:
                failed.append(n)
        # files are handed out in order: the culprit is among the first that did not finish
        suspects, todo = failed[: jobs + 2], failed[jobs + 2:]
        for n in suspects:
            results[n] = _alone(paths[n], roadmap, fingerprint, seconds, memory)
        while emitted in results:
            yield results.pop(emitted)
            emitted += 1
    while emitted in results:
        yield results.pop(emitted)
        emitted += 1


def _can_start_processes() -> bool:
    """False inside LibreOffice: its Python runs in soffice, whose ``sys.executable`` is no Python."""
    executable = os.path.basename(sys.executable or "").lower()
    return "python" in executable and "pythonscript" not in sys.modules


def _alone(path: Path, roadmap, fingerprint, seconds: float, memory: int) -> CheckedSubmission:
    pool = _pool(1, roadmap, fingerprint, memory)
    failed = True
    try:
        result = pool.submit(_work, path).result(timeout=seconds)
        failed = False
        return result
    except BrokenProcessPool:
        return refused(path, M.READER_CRASHED, "worker process died")
    except FutureTimeout:
        return refused(path, M.TOO_SLOW.format(seconds=int(seconds)), "timeout")
    finally:
        _stop(pool, kill=failed)


def _pool(jobs: int, roadmap, fingerprint, memory: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(max_workers=jobs, initializer=_start_worker, initargs=(roadmap, fingerprint, memory))


def _stop(pool: ProcessPoolExecutor, kill: bool) -> None:
    if kill:  # a hung worker would keep shutdown() waiting forever
        for process in list((getattr(pool, "_processes", None) or {}).values()):
            try:
                process.kill()
            except (OSError, AttributeError):
                pass
    pool.shutdown(wait=True, cancel_futures=True)
