"""Merge checked submissions into one consolidation: per item, section, school, indicator.

Plain records in, a :class:`Consolidation` out; nothing here reads files or renders.
Completion and overdue figures are computed over the schools that submitted a usable file;
schools without one are listed as missing rather than counted as zero.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from ._bulk import bulk_objects
from .checking import CheckedSubmission, Finding, IndicatorValue, Record
from .checking.messages import DONE_AFTER_AS_OF
from .checking.percents import refuse_fractions
from .forms.layout import ITEMS_SHEET, items_for_school
from .model import Aggregation, Indicator, IndicatorKind, Item, Roadmap, School, Section
from .presentation import day
from .selection import files_to_consolidate

NO_STATUS = "не указан"


def share(part: int, whole: int) -> float | None:
    """Percentage with one decimal; None when there is nothing to divide by."""
    return round(100 * part / whole, 1) if whole else None


class _DoneShare:
    done: int
    applicable: int

    @property
    def done_pct(self) -> float | None:
        return share(self.done, self.applicable)


@dataclass
class ItemSummary(_DoneShare):
    section: Section
    item: Item
    applicable: int  # schools (of those that submitted) that take part in the item
    by_status: Counter
    done: int
    overdue: int


@dataclass
class SectionSummary(_DoneShare):
    section: Section
    applicable: int  # school x item pairs
    done: int
    overdue: int


@dataclass
class SchoolSummary:
    school: School
    file: str = ""
    applicable: int = 0
    done: int = 0
    overdue_items: list[str] = field(default_factory=list)
    overdue_keys: list[str] = field(default_factory=list)  # the same items by key (numbers may repeat)
    problems: int = 0
    superseded: list[str] = field(default_factory=list)

    @property
    def submitted(self) -> bool:
        return bool(self.file)

    @property
    def completion_pct(self) -> float | None:
        return share(self.done, self.applicable) if self.submitted else None


@dataclass
class IndicatorSummary:
    indicator: Indicator
    values: dict[str, float | bool | None]  # school code -> value
    district: float | None

    @property
    def reported(self) -> int:
        return sum(1 for v in self.values.values() if v is not None)


@dataclass
class Duplicate:
    school: str
    used: str
    ignored: list[str]
    differ: bool = False  # the files hold different answers: a warning at the top of every summary
    clock: list[str] = field(default_factory=list)  # ignored files the school's clock calls newer


def _duplicate(code: str, current: CheckedSubmission, older: list[CheckedSubmission]) -> Duplicate:
    saved = current.saved_at
    return Duplicate(code, current.name, [f.name for f in older],
                     differ=any(f.content != current.content for f in older),
                     clock=[f.name for f in older if f.saved_at and saved and f.saved_at > saved])


@dataclass
class Consolidation:
    roadmap: Roadmap
    as_of: date
    used: list[CheckedSubmission]
    superseded: list[CheckedSubmission]  # older files of a school that sent several
    rejected: list[CheckedSubmission]
    duplicates: list[Duplicate]
    items: list[ItemSummary]
    sections: list[SectionSummary]
    schools: list[SchoolSummary]
    records: list[Record]
    indicators: list[IndicatorSummary]
    findings: list[Finding]
    # the periods up to this one, from the history store (see history.record_history)
    history: list = field(default_factory=list)
    ignored: list = field(default_factory=list)  # inputs.InputEntry: system files of the input folders

    @property
    def missing(self) -> list[School]:
        return [s.school for s in self.schools if not s.submitted]

    @property
    def by_status(self) -> Counter:
        return Counter(r.status or NO_STATUS for r in self.records)

    @property
    def done(self) -> int:
        return sum(s.done for s in self.schools)

    @property
    def applicable(self) -> int:
        return sum(s.applicable for s in self.schools if s.submitted)

    @property
    def completion_pct(self) -> float | None:
        return share(self.done, self.applicable)

    @property
    def overdue(self) -> int:
        return sum(len(s.overdue_items) for s in self.schools)

    def summary_json(self, outputs: list[str] | None = None) -> dict:
        """The summary for scripts (``consolidate --json``); the keys are a contract."""
        from .rendering.texts import warnings as warning_lines

        status_order = [s.name for s in self.roadmap.statuses] + [NO_STATUS]
        by_status = self.by_status
        return {
            "as_of": self.as_of.isoformat(),
            "schools_expected": len(self.schools),
            "schools_submitted": sum(1 for s in self.schools if s.submitted),
            "schools_missing": [s.code for s in self.missing],
            "duplicates": [{"school": d.school, "used": d.used, "ignored": d.ignored, "differ": d.differ,
                            "newer_by_save_date": d.clock} for d in self.duplicates],
            "files_rejected": [{"file": r.name, "reason": r.rejected} for r in self.rejected],
            "files_ignored": [{"file": e.name, "reason": e.reason} for e in self.ignored],
            "warnings": warning_lines(self),
            "problems": len(self.findings),
            "items": len(self.roadmap.items),
            "records": len(self.records),
            "by_status": {name: by_status[name] for name in status_order if by_status.get(name)},
            "completion_pct": self.completion_pct,
            "overdue": self.overdue,
            "outputs": list(outputs or []),
        }


@bulk_objects()
def consolidate(roadmap: Roadmap, submissions: list[CheckedSubmission], as_of: date) -> Consolidation:
    rejected = [s for s in submissions if s.rejected]
    usable = [s for s in submissions if not s.rejected]
    selection = files_to_consolidate(roadmap, usable)
    used = list(selection.current.values())
    refuse_fractions(roadmap, used)
    superseded = [f for files in selection.superseded.values() for f in files]
    duplicates = [_duplicate(code, selection.current[(code, period)], files)
                  for (code, period), files in selection.superseded.items()]
    order = {sc.code: n for n, sc in enumerate(roadmap.schools)}
    used.sort(key=lambda s: order.get(s.school, len(order)))
    files_by_school = {s.school: s for s in used}

    done_statuses = {s.name for s in roadmap.statuses if s.done}
    for submission in used:
        _done_after(submission, done_statuses, as_of)
    records = [r for s in used for r in s.records if not r.own or r.event or r.filled]
    record_index = {(r.school, r.item_key): r for r in records if not r.own}

    school_summaries = []
    applicable_by_school: dict[str, set[str]] = {}
    for school in roadmap.schools:
        summary = SchoolSummary(school)
        submission = files_by_school.get(school.code)
        if submission:
            keys = items_for_school(roadmap, school)
            applicable_by_school[school.code] = keys
            summary.file = submission.name
            summary.applicable = len(keys)
            summary.problems = len(submission.findings)
            summary.superseded = next((d.ignored for d in duplicates if d.school == school.code), [])
            for item in roadmap.items:
                if item.key not in keys:
                    continue
                record = record_index.get((school.code, item.key))
                status = record.status if record else None
                if status in done_statuses:
                    summary.done += 1
                elif _overdue(item, as_of):
                    summary.overdue_items.append(item.number)
                    summary.overdue_keys.append(item.key)
        school_summaries.append(summary)

    item_summaries, section_summaries = [], []
    for section in roadmap.sections:
        sec_applicable = sec_done = sec_overdue = 0
        for item in section.items:
            schools = [c for c, keys in applicable_by_school.items() if item.key in keys]
            statuses = Counter()
            for code in schools:
                record = record_index.get((code, item.key))
                statuses[(record.status if record and record.status else NO_STATUS)] += 1
            done = sum(n for status, n in statuses.items() if status in done_statuses)
            overdue = (len(schools) - done) if _overdue(item, as_of) else 0
            item_summaries.append(ItemSummary(section, item, len(schools), statuses, done, overdue))
            sec_applicable += len(schools)
            sec_done += done
            sec_overdue += overdue
        section_summaries.append(SectionSummary(section, sec_applicable, sec_done, sec_overdue))

    values: dict[tuple[str, str], IndicatorValue] = {(v.school, v.code): v for s in used for v in s.indicators}
    indicator_summaries = []
    for indicator in roadmap.indicators:
        by_code = {school.code: (values[(school.code, indicator.code)].value
                                 if (school.code, indicator.code) in values else None)
                   for school in roadmap.schools}
        indicator_summaries.append(IndicatorSummary(indicator, by_code, district_value(indicator, by_code, roadmap)))

    findings = [f for s in submissions for f in s.findings]
    return Consolidation(roadmap, as_of, used, superseded, rejected, duplicates, item_summaries, section_summaries,
                         school_summaries, records, indicator_summaries, findings)


def _done_after(submission: CheckedSubmission, done: set[str], as_of: date) -> None:
    """A row marked done on a day after the date the report is made for is named: the date is
    a typo, or the work was done after the reporting date (the row still counts as done)."""
    for record in submission.records:
        if record.status in done and record.date_done and record.date_done > as_of:
            finding = Finding(submission.name, ITEMS_SHEET, record.date_cell, day(record.date_done),
                              DONE_AFTER_AS_OF.format(status=record.status, done=day(record.date_done),
                                                      as_of=day(as_of)))
            # once per cell: the same files may be consolidated again, a date outside the roadmap is named already
            if not any(f.sheet == ITEMS_SHEET and f.cell == record.date_cell for f in submission.findings):
                record.problems += 1
                submission.findings.append(finding)


def _overdue(item: Item, as_of: date) -> bool:
    return item.deadline.end is not None and item.deadline.end < as_of


def district_value(indicator: Indicator, values: dict[str, float | bool | None], roadmap: Roadmap) -> float | None:
    """The district figure by the master's rule: sum, weighted mean, or share of "да"."""
    given = {code: v for code, v in values.items() if v is not None}
    if not given:
        return None
    if indicator.aggregation == Aggregation.SHARE_YES or indicator.kind == IndicatorKind.YESNO:
        return share(sum(1 for v in given.values() if v is True), len(given))
    if indicator.aggregation == Aggregation.SUM:
        total = sum(float(v) for v in given.values())
        return int(total) if total.is_integer() else round(total, 2)
    students = {s.code: s.students for s in roadmap.schools}
    weights = {code: students.get(code) or 0 for code in given}
    if sum(weights.values()) == 0:
        weights = {code: 1 for code in given}  # no student numbers in the master: plain mean
    total_weight = sum(weights.values())
    return round(sum(float(v) * weights[c] for c, v in given.items()) / total_weight, 1)
