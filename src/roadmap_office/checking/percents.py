"""Percent indicators: what a school meant by the number in the cell.

A school that types «45%» gets 0.45 stored with a percent format (Calc and Excel both do
this); the template asks for 45. A cell shown as a percentage therefore means its value times
100. A bare number between 0 and 1 is ambiguous (0.45 % or 45 % written as a fraction): when
the other schools' values of the indicator are mostly above 1, it is not counted and the
school is told which cell to correct and how.
"""

from __future__ import annotations

from typing import Any, Dict, List

from ..forms.layout import INDICATORS_SHEET
from ..model import IndicatorKind, Roadmap
from ..presentation import exact
from . import messages as M
from .results import CheckedSubmission, Finding


def shown_as_percent(raw, row: int, col: int) -> bool:
    """Whether the indicators' cell at 0-based (row, col) holds a number shown as a percentage."""
    return (row, col) in raw.percent_cells.get(INDICATORS_SHEET, ())


def as_meant(kind: IndicatorKind, value: Any, shown_as_percent: bool) -> Any:
    """A percent indicator's value as the school sees it: a number shown as a percentage is its
    value times 100 (0.45 shown as 45 % is 45); anything else is as read."""
    if kind == IndicatorKind.PERCENT and shown_as_percent and _is_number(value):
        percent = round(value * 100, 9)
        return int(percent) if float(percent).is_integer() else percent
    return value


def is_fraction(kind: IndicatorKind, value: Any, shown_as_percent: bool) -> bool:
    """A bare number of a percent indicator that may be a fraction of one (0 < value < 1)."""
    return kind == IndicatorKind.PERCENT and not shown_as_percent and _is_number(value) and 0 < value < 1


def small_percent(code: str, value: Any) -> str:
    """The question a school's own check asks of a bare fraction (see :func:`refuse_fractions`)."""
    return M.PERCENT_SMALL.format(value=exact(value), code=code, percent=exact(round(value * 100, 9)))


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def refuse_fractions(roadmap: Roadmap, used: List[CheckedSubmission]) -> None:
    """Take out of the district figures the bare fractions of percent indicators whose other
    values are mostly above 1, with an error finding on the school's file naming the cell."""
    for indicator in roadmap.indicators:
        if indicator.kind != IndicatorKind.PERCENT:
            continue
        values: Dict[str, Any] = {}
        for submission in used:
            for value in submission.indicators:
                if value.code == indicator.code and isinstance(value.value, (int, float)):
                    values[submission.school] = value
        for submission in used:
            value = values.get(submission.school)
            if value is None or not value.fraction_cell:
                continue
            others = [v.value for school, v in values.items() if school != submission.school]
            if not others or sum(1 for v in others if v > 1) * 2 <= len(others):
                continue
            shown = exact(value.value)
            percent = exact(round(value.value * 100, 9))
            question = small_percent(indicator.code, value.value)  # answered here: the error replaces it
            submission.findings[:] = [f for f in submission.findings
                                      if not (f.cell == value.fraction_cell and f.message == question)]
            submission.findings.append(Finding(
                submission.name, INDICATORS_SHEET, value.fraction_cell, shown,
                M.PERCENT_AS_FRACTION.format(value=shown, code=indicator.code, percent=percent)))
            value.value = None
            value.problems += 1

