"""What changed from period to period: the figures the «Динамика» sheet and report section show.

Built from history snapshots (the current period last); nothing here reads files or renders.
Rows are matched across periods by section number, item key, school code and indicator code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .history import Row, Snapshot


@dataclass
class Series:
    """One line of a trend table: a section, school or indicator with a value per period."""

    key: str
    name: str
    values: list  # one per period, None where there is no figure
    note: str = ""  # the unit, for indicators
    target: str = ""  # the target as the master words it, for indicators
    exact: list | None = None  # the unrounded values, where the history keeps their counts

    @property
    def gap(self) -> float | None:
        """Current value minus the target's number: negative means the target is not reached yet."""
        goal = target_number(self.target)
        if goal is None or not self.values or self.values[-1] is None:
            return None
        return round(self.values[-1] - goal, 1)

    @property
    def change(self) -> float | None:
        """Current minus previous value (None when either is missing)."""
        if len(self.values) < 2 or self.values[-1] is None or self.values[-2] is None:
            return None
        values = self.exact if self.exact and None not in self.exact[-2:] else self.values
        return round(values[-1] - values[-2], 1)  # 42.9 → 71.4 (3/7 → 5/7) is +28.6, not +28.5


def _exact_share(row: Row) -> float | None:
    """The completion share from its counts (a history row keeps them), unrounded."""
    whole = row.extra.get("applicable")
    return 100 * row.extra["done"] / whole if whole else None


@dataclass
class Fell:
    code: str
    name: str
    before: float
    now: float


class Trend:
    def __init__(self, periods: list[Snapshot]) -> None:
        self.periods = periods

    @property
    def current(self) -> Snapshot:
        return self.periods[-1]

    @property
    def previous(self) -> Snapshot | None:
        return self.periods[-2] if len(self.periods) > 1 else None

    @property
    def labels(self) -> list[str]:
        return [p.period.label for p in self.periods]

    def recent(self, count: int) -> Trend:
        """The last ``count`` periods (a printed table has room for a few columns only)."""
        return Trend(self.periods[-count:])

    def _series(self, rows_of, value, exact=None) -> list[Series]:
        tables = [{row.key: row for row in rows_of(p)} for p in self.periods]
        result = []
        for row in rows_of(self.current):
            series = Series(row.key, row.name, [value(t[row.key]) if row.key in t else None for t in tables])
            if exact is not None:
                series.exact = [exact(t[row.key]) if row.key in t and value(t[row.key]) is not None else None
                                for t in tables]
            result.append(series)
        return result

    def section_completion(self) -> list[Series]:
        return self._series(lambda p: p.sections, lambda r: r.completion_pct, _exact_share)

    def section_overdue(self) -> list[Series]:
        return self._series(lambda p: p.sections, lambda r: r.overdue)

    def school_completion(self) -> list[Series]:
        return self._series(lambda p: p.schools, lambda r: r.completion_pct if r.submitted else None, _exact_share)

    def school_overdue(self) -> list[Series]:
        return self._series(lambda p: p.schools, lambda r: r.overdue if r.submitted else None)

    def indicators(self) -> list[Series]:
        series = self._series(lambda p: p.indicators, lambda r: r.completion_pct)
        extras = {r.key: r.extra for r in self.current.indicators}
        for s in series:
            extra = extras[s.key]
            if extra["kind"] == "count":  # kept as REAL in the store; a count is whole
                s.values = [int(v) if v is not None and float(v).is_integer() else v for v in s.values]
            yes_share = extra["aggregation"] == "share_yes" or extra["kind"] == "yesno"
            s.note = "% ОО, ответивших «да»" if yes_share else extra["unit"]
            s.target = extra["target"]
        return series

    def newly_overdue(self) -> list[Row]:
        """Items overdue now that were not overdue (or not in the roadmap) in the previous period."""
        if self.previous is None:
            return []
        before = {r.key: r.overdue for r in self.previous.items}
        return [r for r in self.current.items if r.overdue and not before.get(r.key)]

    def fell(self) -> list[Fell]:
        """Schools whose completion is lower than in the previous period."""
        if self.previous is None:
            return []
        before = {r.key: r for r in self.previous.schools}
        result = []
        for row in self.current.schools:
            old = before.get(row.key)
            if (row.submitted and old and old.submitted and row.completion_pct is not None
                    and old.completion_pct is not None and row.completion_pct < old.completion_pct):
                result.append(Fell(row.key, row.name, old.completion_pct, row.completion_pct))
        return result

    def stopped(self) -> list[Row]:
        """Schools that reported in the previous period and not in this one."""
        if self.previous is None:
            return []
        before = {r.key for r in self.previous.schools if r.submitted}
        return [r for r in self.current.schools if r.key in before and not r.submitted]


def target_number(text: str) -> float | None:
    """The number in a target such as «не менее 50 %» or «100 % ОО»; None when there is none."""
    match = re.search(r"\d+(?:[.,]\d+)?", text or "")
    return float(match.group().replace(",", ".")) if match else None


def trend_of(c) -> Trend:
    """The trend up to a consolidation: its saved history, or the consolidation alone."""
    from .history import record_history

    return Trend(c.history or record_history(c))
