"""Check files in worker processes, so that no file can stop, exhaust or hang the run.

The parser is native code (libxml2 through lxml): a file it cannot handle might abort the
whole process, which no ``try`` can catch. So on the server files are read in worker processes
with a memory cap (:data:`~roadmap_office.reading.limits.WORKER_MEMORY_BYTES`) and a time limit.
A worker that dies or hangs costs only its file: the files it held are checked again one at a
time, the suspects each in a worker of its own, and the culprit is refused with a Russian
reason. Files are handed out a few at a time, so the run sends fewer messages and the texts the
results share (the roadmap's events and names) travel once per handful. Inside LibreOffice,
where the standard library parses and no subprocess can be started, files are checked in the
same process.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
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
HANDFUL = 8  # files a worker is handed at once when there are many


def _start_worker(roadmap: Roadmap | None, fingerprint: str | None, memory: int, started) -> None:
    """Pool initializer: the roadmap is shipped once per worker, not once per file; the worker
    says who it is, so that a hung one can be stopped."""
    global _roadmap, _fingerprint
    _roadmap, _fingerprint = roadmap, fingerprint
    started.put(os.getpid())
    import faulthandler

    faulthandler.disable()  # a reader that aborts is reported as the file's refusal, not as a stack dump
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    except (ImportError, ValueError, OSError):  # not on this system: the limits of the scan still hold
        pass


def _work(paths: list[Path]) -> list[CheckedSubmission]:
    return [check_file(path, _roadmap, _fingerprint) for path in paths]


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
    size = max(1, min(HANDFUL, len(todo) // (4 * jobs)))  # every worker gets several handfuls
    while todo:
        broken = False
        pool = _Pool(max(1, min(jobs, len(todo))), roadmap, fingerprint, memory)
        handfuls = [todo[i:i + size] for i in range(0, len(todo), size)]
        try:
            futures = [pool.submit([paths[n] for n in handful]) for handful in handfuls]
            for handful, future in zip(handfuls, futures):
                try:  # a handful of ordinary files takes well under one file's limit
                    results.update(zip(handful, future.result(timeout=seconds)))
                except (BrokenProcessPool, FutureTimeout):
                    broken = True
                    break
                while emitted in results:
                    yield results.pop(emitted)
                    emitted += 1
        finally:
            pool.stop(kill=broken)
        if not broken:
            break
        failed = []
        for handful, future in zip(handfuls, futures):
            if handful[0] < emitted or handful[0] in results:
                continue
            if _finished(future):
                results.update(zip(handful, future.result()))  # finished before the worker died
            else:
                failed.extend(handful)
        if size > 1:  # again file by file, to find the one at fault
            todo, size = failed, 1
            continue
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


def _finished(future: Future) -> bool:
    return future.done() and not future.cancelled() and future.exception() is None


def _can_start_processes() -> bool:
    """False inside LibreOffice: its Python runs in soffice, whose ``sys.executable`` is no Python."""
    executable = os.path.basename(sys.executable or "").lower()
    return "python" in executable and "pythonscript" not in sys.modules


def _alone(path: Path, roadmap, fingerprint, seconds: float, memory: int) -> CheckedSubmission:
    pool = _Pool(1, roadmap, fingerprint, memory)
    failed = True
    try:
        result = pool.submit([path]).result(timeout=seconds)[0]
        failed = False
        return result
    except BrokenProcessPool:
        return refused(path, M.READER_CRASHED, "worker process died")
    except FutureTimeout:
        return refused(path, M.TOO_SLOW.format(seconds=int(seconds)), "timeout")
    finally:
        pool.stop(kill=failed)


class _Pool:
    """A process pool whose workers can be stopped when one hangs (each tells its process id)."""

    def __init__(self, jobs: int, roadmap, fingerprint, memory: int) -> None:
        self.started = multiprocessing.SimpleQueue()
        self.executor = ProcessPoolExecutor(max_workers=jobs, initializer=_start_worker,
                                            initargs=(roadmap, fingerprint, memory, self.started))

    def submit(self, paths: list[Path]) -> Future:
        return self.executor.submit(_work, paths)

    def stop(self, kill: bool) -> None:
        if kill:  # a hung worker would keep shutdown() waiting forever
            pids = set()
            while not self.started.empty():
                pids.add(self.started.get())
            for process in multiprocessing.active_children():
                if process.pid in pids:
                    process.kill()
        self.executor.shutdown(wait=True, cancel_futures=True)
        self.started.close()
