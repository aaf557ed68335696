"""The reporting period as a value: kind, first and last day, and its Russian label.

People type periods many ways («1 полугодие 2022», «I полугодие 2022 г.», «3 кв. 2022»,
«2021-2022 уч. год», «01.09.2022 – 31.12.2022»); :func:`parse_period` understands them and
:attr:`Period.label` gives the one official spelling. Two periods are the same when they span
the same days, whatever their spelling, so templates and the master are compared as values.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import date, timedelta

from .presentation import day


class PeriodKind(str, enum.Enum):
    QUARTER = "quarter"
    HALF_YEAR = "half_year"
    SCHOOL_YEAR = "school_year"
    YEAR = "year"
    CUSTOM = "custom"


ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}
_ORDINALS = {
    "i": 1, "1": 1, "первый": 1, "первое": 1, "1-й": 1, "1-е": 1, "1-ое": 1,
    "ii": 2, "2": 2, "второй": 2, "второе": 2, "2-й": 2, "2-е": 2, "2-ое": 2,
    "iii": 3, "3": 3, "третий": 3, "3-й": 3,
    "iv": 4, "4": 4, "четвёртый": 4, "четвертый": 4, "4-й": 4,
}
PERIOD_NOT_UNDERSTOOD = ("отчётный период «{text}» не распознан; укажите его, например, так: «I полугодие 2022 г.», "
                         "«3 квартал 2022 г.», «2021/2022 учебный год», «2022 год» или «с 01.09.2022 по 31.12.2022»")
_MONTHS_CUMULATIVE = {"3": 3, "6": 6, "9": 9, "12": 12, "три": 3, "шесть": 6, "девять": 9, "двенадцать": 12}


@dataclass(frozen=True, order=False)
class Period:
    """A reporting period; ``label`` is the official Russian spelling."""

    kind: PeriodKind
    start: date
    end: date
    label: str

    @property
    def key(self) -> tuple[date, date]:
        """What identifies a period: its days (so «1 полугодие» and «I полугодие» are one)."""
        return (self.start, self.end)

    @property
    def sort_key(self) -> tuple[date, date]:
        return (self.end, self.start)

    def same_as(self, other: Period | None) -> bool:
        return other is not None and self.key == other.key

    @property
    def span(self) -> str:
        return f"{day(self.start)} – {day(self.end)}"

    def to_json(self) -> dict:
        return {"period": self.label, "kind": self.kind.value, "start": self.start.isoformat(),
                "end": self.end.isoformat()}


def _month_end(year: int, month: int) -> date:
    return (date(year + (month == 12), month % 12 + 1, 1)) - timedelta(days=1)


def quarter(year: int, n: int) -> Period:
    return Period(PeriodKind.QUARTER, date(year, 3 * n - 2, 1), _month_end(year, 3 * n), f"{n} квартал {year} г.")


def half_year(year: int, n: int) -> Period:
    return Period(PeriodKind.HALF_YEAR, date(year, 6 * n - 5, 1), _month_end(year, 6 * n),
                  f"{ROMAN[n]} полугодие {year} г.")


def school_year(first: int) -> Period:
    return Period(PeriodKind.SCHOOL_YEAR, date(first, 9, 1), date(first + 1, 8, 31),
                  f"{first}/{first + 1} учебный год")


def year(value: int) -> Period:
    return Period(PeriodKind.YEAR, date(value, 1, 1), date(value, 12, 31), f"{value} год")


def custom(start: date, end: date, label: str = "") -> Period:
    return Period(PeriodKind.CUSTOM, start, end, label or f"период с {day(start)} по {day(end)}")


def _clean(text: str) -> str:
    s = text.lower().replace("ё", "е").replace("\xa0", " ").replace("–", "-").replace("—", "-")
    s = re.sub(r"(?<![а-яa-z])г(?:ода?)?\b\.?", " ", s)
    s = re.sub(r"\s+", " ", s).strip(" .,")
    return s


_YEAR = r"((?:19|20)\d\d)"
_ORD = r"(i{1,3}|iv|[1-4](?:-?(?:й|е|ое))?|перв\w+|втор\w+|трет\w+|четверт\w+)"
_DATE = r"(\d{1,2})\.(\d{1,2})\.(\d{4})"


def _ordinal(word: str) -> int | None:
    word = word.strip()
    if word in _ORDINALS:
        return _ORDINALS[word]
    for stem, n in (("перв", 1), ("втор", 2), ("трет", 3), ("четверт", 4)):
        if word.startswith(stem):
            return n
    return _ORDINALS.get(re.sub(r"-?(й|е|ое)$", "", word))


def parse_period(text: str) -> Period | None:
    """The period meant by ``text``, or None when it is not understood (never a guess)."""
    s = _clean(str(text or ""))
    if not s:
        return None
    m = re.fullmatch(_ORD + r" (?:полугодие|полугод\.?|пол\.)\s*" + _YEAR, s)
    if m and _ordinal(m.group(1)) in (1, 2):
        return half_year(int(m.group(2)), _ordinal(m.group(1)))
    m = re.fullmatch(_ORD + r" (?:квартал|кв\.?)\s*" + _YEAR, s)
    if m and _ordinal(m.group(1)):
        return quarter(int(m.group(2)), _ordinal(m.group(1)))
    m = re.fullmatch(_YEAR + r" ?[/-] ?(\d{2}|\d{4}) (?:учебный|уч\.?) ?(?:год)?", s)
    if m:
        first, second = int(m.group(1)), int(m.group(2))
        if second < 100:
            second += first // 100 * 100
        if second == first + 1:
            return school_year(first)
        return None
    m = re.fullmatch(r"(?:за )?" + _YEAR + r"(?: год)?", s)
    if m:
        return year(int(m.group(1)))
    m = re.fullmatch(r"(\d+|три|шесть|девять|двенадцать) месяц\w* " + _YEAR, s)
    if m and m.group(1) in _MONTHS_CUMULATIVE:
        months, value = _MONTHS_CUMULATIVE[m.group(1)], int(m.group(2))
        return custom(date(value, 1, 1), _month_end(value, months), f"{months} месяцев {value} г.")
    m = re.fullmatch(r"(?:период )?(?:с )?" + _DATE + r" ?(?:-|по|до) ?" + _DATE, s)
    if m:
        try:
            start = date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
            end = date(int(m.group(6)), int(m.group(5)), int(m.group(4)))
        except ValueError:
            return None
        return custom(start, end) if start <= end else None
    return None


def from_meta(label: str, kind: str = "", start: str = "", end: str = "") -> Period | None:
    """The period a template carries: its stored days when present (new templates), else the label."""
    if start and end:
        try:
            first, last = date.fromisoformat(start), date.fromisoformat(end)
        except ValueError:
            return parse_period(label)
        parsed = parse_period(label)
        if parsed and parsed.key == (first, last):
            return parsed
        try:
            period_kind = PeriodKind(kind)
        except ValueError:
            period_kind = PeriodKind.CUSTOM
        return Period(period_kind, first, last, label or custom(first, last).label)
    return parse_period(label)


def describe(period: Period | None, text: str = "") -> str:
    """«I полугодие 2022 г. (01.01.2022 – 30.06.2022)» for messages; the raw text when unknown."""
    if period is None:
        return f"«{text}»" if text else "«не указан»"
    return f"«{period.label}» ({period.span})"
