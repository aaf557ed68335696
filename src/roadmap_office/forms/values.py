"""The values a school may enter, defined once for the template's validations and the check.

The template offers these rules as dropdowns and data validations (advice: pasted values skip
them); the check enforces the same rules on every value. The check is only more lenient in
spelling (case, ё/е, spaces, known aliases of a status or an executor, a number typed as
text), which it normalises to the listed value.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .. import labels
from ..model import ExecutorKind, Indicator, IndicatorKind, Roadmap

COUNT_MAX = 1_000_000  # the upper bound of a count indicator when the master gives none


@dataclass(frozen=True)
class NumberRule:
    """An indicator's value: a whole number (counts) or any number (percents) within bounds."""

    whole: bool
    low: float
    high: float


def indicator_rule(indicator: Indicator) -> NumberRule | None:
    """The one default policy for bounds the master leaves empty: from 0, up to 100 for a
    percent and :data:`COUNT_MAX` for a count. None for a yes/no indicator (a list)."""
    if indicator.kind == IndicatorKind.YESNO:
        return None
    low = indicator.minimum if indicator.minimum is not None else 0
    high = indicator.maximum if indicator.maximum is not None else (
        100 if indicator.kind == IndicatorKind.PERCENT else COUNT_MAX)
    return NumberRule(indicator.kind != IndicatorKind.PERCENT, low, high)


def date_range(roadmap: Roadmap) -> tuple[date, date] | None:
    """Dates done must lie within the roadmap's period (when the master gives one)."""
    if roadmap.period_start and roadmap.period_end:
        return roadmap.period_start, roadmap.period_end
    return None


def status_choices(roadmap: Roadmap) -> list[str]:
    return [s.name for s in roadmap.statuses]


def executor_choices(roadmap: Roadmap) -> list[str]:
    """Who can be named at a school: its own roles and the district's executors (not schools)."""
    return list(dict.fromkeys(
        roadmap.school_roles + [e.name for e in roadmap.executors if e.kind != ExecutorKind.SCHOOL]))


def deadline_choices(roadmap: Roadmap) -> list[str]:
    return list(roadmap.deadline_vocabulary)


YES_NO = [labels.YES, labels.NO]
