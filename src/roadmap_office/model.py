"""The roadmap model: plain typed data shared by every stage of the pipeline.

Nothing here reads or writes files; readers build these objects and renderers consume them.
"""

from __future__ import annotations

import enum
import functools
import weakref
from dataclasses import dataclass, field
from datetime import date


class Recurrence(str, enum.Enum):
    """How often an event happens within the roadmap period."""

    ONCE = "once"
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    BIMONTHLY = "bimonthly"  # every two months
    QUARTERLY = "quarterly"
    TERMLY = "termly"  # every school term ("по итогам четверти")
    SEMIANNUAL = "semiannual"
    YEARLY = "yearly"
    PERIOD = "period"  # continuously, during the whole roadmap period
    HOLIDAYS = "holidays"  # during school holidays
    AS_NEEDED = "as_needed"  # "по мере необходимости": no dates by design
    BY_SCHEDULE = "by_schedule"  # "по отдельному плану": dates live in another document


class ExecutorKind(str, enum.Enum):
    DISTRICT = "district"  # the education authority and its services
    SCHOOL = "school"  # a school, or all schools of the district
    PARTNER = "partner"  # other bodies and organisations


class IndicatorKind(str, enum.Enum):
    COUNT = "count"
    PERCENT = "percent"
    YESNO = "yesno"


class Aggregation(str, enum.Enum):
    """How the district value of an indicator is computed from the schools' values."""

    SUM = "sum"
    WEIGHTED_MEAN = "weighted_mean"  # weighted by the number of students
    SHARE_YES = "share_yes"  # share of schools answering "да", in percent


@dataclass(frozen=True)
class Deadline:
    """A deadline as printed in the roadmap, with what could be understood of it.

    ``text`` is always kept verbatim. ``start``/``end`` span the time in which the event
    happens (for recurring events: from the first occurrence to the end of the period).
    ``flagged`` means the text was not understood; dates are then None, never guessed.
    """

    text: str
    start: date | None = None
    end: date | None = None
    recurrence: Recurrence | None = None
    flagged: bool = False

    def to_json(self) -> dict:
        return {
            "text": self.text,
            "start": self.start.isoformat() if self.start else None,
            "end": self.end.isoformat() if self.end else None,
            "recurrence": self.recurrence.value if self.recurrence else None,
        }


@dataclass
class Item:
    """One event (мероприятие) of the roadmap, numbered as printed ("2.10")."""

    number: str
    event: str
    deadline: Deadline
    executors: list[str] = field(default_factory=list)  # canonical names
    result: str = ""
    key: str = ""  # stable id used by templates; defaults to the number
    note: str = ""  # text of the source row outside the known columns
    by_agreement: list[str] = field(default_factory=list)  # executors marked «(по согласованию)»

    def __post_init__(self) -> None:
        if not self.key:
            self.key = self.number.strip().rstrip(".")

    def to_json(self) -> dict:
        return {
            "number": self.number,
            "event": self.event,
            "deadline": self.deadline.to_json(),
            "executors": list(self.executors),
            "by_agreement": list(self.by_agreement),
            "result": self.result,
        }


@dataclass
class Section:
    number: str
    title: str
    items: list[Item] = field(default_factory=list)

    def to_json(self) -> dict:
        return {
            "number": self.number,
            "title": self.title,
            "items": [item.to_json() for item in self.items],
        }


@dataclass
class Executor:
    """A catalogue entry: canonical name, the short forms and aliases met in documents."""

    name: str
    aliases: list[str] = field(default_factory=list)
    kind: ExecutorKind = ExecutorKind.PARTNER

    def to_json(self) -> dict:
        return {"name": self.name, "aliases": list(self.aliases), "kind": self.kind.value}


@dataclass
class School:
    code: str
    name: str  # short name, as schools call themselves
    full_name: str = ""
    students: int | None = None  # weight for weighted means of percents
    key: str = ""  # stable identity from the master's «Школы» sheet (see master.school_key)
    emails: list[str] = field(default_factory=list)  # where the school's letters go (master: «Эл. почта»)

    def to_json(self) -> dict:
        return {"code": self.code, "name": self.name}


@dataclass
class Indicator:
    code: str
    name: str
    unit: str
    kind: IndicatorKind
    minimum: float | None = None
    maximum: float | None = None
    aggregation: Aggregation = Aggregation.SUM
    target: str = ""

    def to_json(self) -> dict:
        return {"code": self.code, "name": self.name, "unit": self.unit, "kind": self.kind.value}


@dataclass
class Status:
    name: str
    done: bool = False  # counts as completed in consolidation


DEFAULT_STATUSES = [
    Status("выполнено", done=True),
    Status("выполняется"),
    Status("не начато"),
    Status("не выполнено"),
    Status("перенесено"),
]


@dataclass
class Roadmap:
    """The district master: the roadmap and all the catalogues around it."""

    title: str
    issuer: str = ""
    period_start: date | None = None
    period_end: date | None = None
    reporting_period: str = ""
    sections: list[Section] = field(default_factory=list)
    executors: list[Executor] = field(default_factory=list)
    deadline_vocabulary: list[str] = field(default_factory=list)
    statuses: list[Status] = field(default_factory=lambda: list(DEFAULT_STATUSES))
    schools: list[School] = field(default_factory=list)
    indicators: list[Indicator] = field(default_factory=list)
    # positions inside a school offered as executors in school templates
    school_roles: list[str] = field(default_factory=list)
    school_year_start: tuple[int, int] = (9, 1)  # (month, day) a school year starts on
    # the history file of the periods, relative to the master's folder; "" is history.sqlite beside it
    history_file: str = ""
    report_template: str = ""  # the report's Writer template, a path relative to the master ("" = built in)
    report_signer: str = ""  # who signs the report, the «<Подписант>» field ("" = the default)

    @property
    def items(self) -> list[Item]:
        return [item for section in self.sections for item in section.items]

    @property
    def period(self):
        """The reporting period as a value (:class:`roadmap_office.period.Period`), None if not understood."""
        from .period import parse_period

        return parse_period(self.reporting_period)

    def to_json(self) -> dict:
        """The JSON contract of ``roadmap-office show --json``; other tools rely on its keys."""
        return {
            "title": self.title,
            "period": {
                "start": self.period_start.isoformat() if self.period_start else None,
                "end": self.period_end.isoformat() if self.period_end else None,
            },
            "sections": [section.to_json() for section in self.sections],
            "executors": [executor.to_json() for executor in self.executors],
            "schools": [school.to_json() for school in self.schools],
            "indicators": [indicator.to_json() for indicator in self.indicators],
        }


def per_roadmap(derive):
    """Cache what ``derive(roadmap)`` builds from a roadmap's lists, for the last roadmap given.

    A check derives lookup lists for every file of a run from the one roadmap it was read with;
    they are built once. The cache holds the roadmap weakly and is dropped when a list's length
    changes (a roadmap edited in place keeps its lengths only by a rare chance; the product reads
    the master afresh for every run)."""
    last: list = [None, None, None]  # weak reference, shape, result

    @functools.wraps(derive)
    def cached(roadmap: Roadmap):
        shape = (len(roadmap.sections), sum(len(s.items) for s in roadmap.sections), len(roadmap.executors),
                 len(roadmap.statuses), len(roadmap.deadline_vocabulary), len(roadmap.schools))
        if last[0] is not None and last[0]() is roadmap and last[1] == shape:
            return last[2]
        result = derive(roadmap)
        last[:] = [weakref.ref(roadmap), shape, result]
        return result

    return cached
