"""What the check stage produces: findings and normalised records of one submission."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from ..reading.text import display_name

from ..period import Period


@dataclass
class Finding:
    """One problem in a file: where it is, what was there, and a Russian sentence."""

    file: str
    sheet: str
    cell: str
    value: str
    message: str
    severity: str = "error"  # "error" | "warning"

    def to_json(self) -> dict:
        return {"file": self.file, "sheet": self.sheet, "cell": self.cell, "value": self.value,
                "message": self.message, "severity": self.severity}

    def __str__(self) -> str:
        where = ", ".join(p for p in (f"лист «{self.sheet}»" if self.sheet else "",
                                       f"ячейка {self.cell}" if self.cell else "") if p)
        value = f" [значение: «{self.value}»]" if self.value else ""
        return f"{where}: {self.message}{value}" if where else f"{self.message}{value}"


@dataclass
class Record:
    """One row a school reported: a district item or one of its own events."""

    school: str
    item_key: str
    section: str  # section number as printed
    number: str
    event: str
    deadline: str
    expected_result: str
    own: bool = False
    status: str | None = None
    date_done: date | None = None
    executor: str | None = None
    result: str = ""
    link: str = ""
    comment: str = ""
    file: str = ""
    row: int = 0
    problems: int = 0  # findings on this row; the row still counts, marked
    date_cell: str = ""  # where the date done is in the school's file ("H12")

    @property
    def filled(self) -> bool:
        return any((self.status, self.date_done, self.executor, self.result, self.link, self.comment))


@dataclass
class IndicatorValue:
    school: str
    code: str
    value: float | bool | None
    comment: str = ""
    problems: int = 0
    # the value's cell (A1) when it is a bare number between 0 and 1 of a percent indicator: a
    # fraction of one, or a percent below one? (see checking.percents)
    fraction_cell: str = ""


@dataclass
class CheckedSubmission:
    """A submission after checking. ``rejected`` set means it is not usable at all."""

    path: Path
    school: str = ""
    template_id: str = ""
    saved_at: datetime | None = None
    modified: datetime | None = None
    sha256: str = ""
    records: list[Record] = field(default_factory=list)
    indicators: list[IndicatorValue] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    rejected: str = ""  # the reason, when the file is not our template or unreadable
    period: Period | None = None  # the reporting period the template was made for (from its metadata)
    detail: str = ""  # technical detail of a failure, for the logs only (may be English)

    @property
    def name(self) -> str:
        return display_name(self.path)

    @property
    def ok(self) -> bool:
        return not self.rejected and not self.findings

    @property
    def freshness(self) -> tuple:
        """Sort key: the file that arrived last wins among a school's files. Arrival is the file
        time (a folder run; the nightly batch stamps it with the time the file reached its inbox);
        the save date in the document comes from the school's clock and only breaks ties."""
        return (self.modified or datetime.min, self.saved_at or datetime.min, self.name)

    @property
    def content(self) -> tuple:
        """What the school reported (rows and indicator values), to tell a re-sent copy of a file
        from a file with other answers."""
        rows = tuple(sorted((r.item_key, r.event, r.status or "", str(r.date_done or ""), r.executor or "", r.result,
                             r.link, r.comment) for r in self.records))
        values = tuple(sorted((v.code, str(v.value), v.comment) for v in self.indicators))
        return rows, values
