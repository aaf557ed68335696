"""Check submissions: rules turn raw cells into records and Russian findings."""

from __future__ import annotations

import os
from pathlib import Path

from ..model import Roadmap
from ..reading import SubmissionReadError, read_submission
from .results import CheckedSubmission, Finding, IndicatorValue, Record
from .rules import check_submission

__all__ = ["CheckedSubmission", "Finding", "IndicatorValue", "Record", "check_file", "check_submission"]


def check_file(path: str | os.PathLike, roadmap: Roadmap, fingerprint: str | None = None) -> CheckedSubmission:
    """Read and check one file; an unreadable file comes back rejected with the reason."""
    path = Path(path)
    try:
        raw = read_submission(path)
    except SubmissionReadError as exc:
        result = CheckedSubmission(path, rejected=str(exc))
        try:
            from datetime import datetime

            result.modified = datetime.fromtimestamp(path.stat().st_mtime)
        except OSError:
            pass
        return result
    return check_submission(raw, roadmap, fingerprint)
