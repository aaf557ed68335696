"""Which file of a school counts: the one rule used by `consolidate`, the batch and the macro.

Files are grouped by school and reporting period, so a file of the next period never replaces
the previous period's data; within a group the file that arrived last wins, whatever the
school's clock wrote as its save date.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from .checking import CheckedSubmission
from .model import Roadmap


def _key(period) -> str:
    """A period value as text that is equal for equal periods (their days, not the spelling)."""
    if not period:
        return ""
    if isinstance(period, str):
        return period
    start, end = period.key
    return f"{start.isoformat()}/{end.isoformat()}"


def period_key(submission: CheckedSubmission) -> str:
    """The reporting period a submission belongs to (as its template metadata names it)."""
    return _key(submission.period)


def current_period(roadmap: Roadmap) -> str:
    """The key of the period the master reports on, comparable with ``period_key``."""
    return _key(roadmap.period)


@dataclass
class Selection:
    """Each school's current file per period, and the older files it superseded."""

    current: dict[tuple[str, str], CheckedSubmission] = field(default_factory=dict)
    superseded: dict[tuple[str, str], list[CheckedSubmission]] = field(default_factory=dict)

    def for_period(self, period: str | None) -> list[CheckedSubmission]:
        """The current files of one period (``None``: of every period)."""
        return [s for (_, p), s in sorted(self.current.items()) if period is None or p == period]


def other_period(submission: CheckedSubmission, roadmap: Roadmap) -> bool:
    """A school's file refused only because it reports on another period than the master's."""
    return bool(submission.rejected and submission.school and submission.period is not None
                and period_key(submission) != current_period(roadmap))


def pick_current(submissions: Iterable[CheckedSubmission], by_period: bool = True) -> Selection:
    """The file of each school (and period) that arrived last wins (``CheckedSubmission.freshness``).
    Callers pass the files that may compete (accepted ones)."""
    groups: dict[tuple[str, str], list[CheckedSubmission]] = {}
    for s in submissions:
        groups.setdefault((s.school, period_key(s) if by_period else ""), []).append(s)
    selection = Selection()
    for key, files in groups.items():
        files.sort(key=lambda s: s.freshness, reverse=True)
        selection.current[key] = files[0]
        if len(files) > 1:
            selection.superseded[key] = files[1:]
    return selection


def files_to_consolidate(roadmap: Roadmap, submissions: Iterable[CheckedSubmission]) -> Selection:
    """The selection for the master's period: when the master names a period only files of that
    period count; otherwise every accepted file competes for its school."""
    period = current_period(roadmap)
    selection = pick_current(submissions, by_period=bool(period))
    if period:
        keep = {key for key in selection.current if key[1] == period}
        selection.current = {k: v for k, v in selection.current.items() if k in keep}
        selection.superseded = {k: v for k, v in selection.superseded.items() if k in keep}
    return selection
