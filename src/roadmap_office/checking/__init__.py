"""Check submissions: rules turn raw cells into records and Russian findings."""

from __future__ import annotations

import logging
import os
from datetime import datetime
from pathlib import Path

from ..errors import RoadmapError
from ..model import Roadmap
from ..reading import read_submission
from . import messages as M
from .results import CheckedSubmission, Finding, IndicatorValue, Record
from .rules import check_submission

__all__ = ["CheckedSubmission", "Finding", "IndicatorValue", "Record", "check_file", "check_submission"]

log = logging.getLogger(__name__)


def check_file(path: str | os.PathLike, roadmap: Roadmap | None = None, fingerprint: str | None = None) -> CheckedSubmission:
    """Read and check one file; never raises: any failure becomes the file's refusal.

    Without ``roadmap`` the file is checked against the lists inside the template itself.
    The result holds only plain data, so it crosses a process pool safely.
    """
    path = Path(path)
    stage = M.READ_FAILED
    try:
        raw = read_submission(path, lists=roadmap is None)
        stage = M.CHECK_FAILED
        if roadmap is None:
            from .selfcheck import roadmap_from_submission

            roadmap = roadmap_from_submission(raw)
        return check_submission(raw, roadmap, fingerprint)
    except RoadmapError as exc:
        return refused(path, str(exc))
    except MemoryError:
        return refused(path, M.TOO_MUCH_MEMORY, "MemoryError")
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # a library bug or a Rust panic (not an Exception) is still one file's problem
        log.debug("%s: %s", path.name, exc, exc_info=True)
        return refused(path, stage, f"{type(exc).__name__}: {exc}"[:500])


def refused(path: Path, reason: str, detail: str = "") -> CheckedSubmission:
    """A refused file with its Russian reason (and the file time, for picking the newest)."""
    result = CheckedSubmission(path, rejected=reason, detail=detail)
    try:
        result.modified = datetime.fromtimestamp(path.stat().st_mtime)
    except (OSError, ValueError, OverflowError):
        pass
    return result
