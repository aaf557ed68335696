"""The Russian deadline parser: "Октябрь 2021 г. - июль 2022 г." -> dates and recurrence.

The parser understands a closed grammar (documented in the README): dates, days, months,
decades, quarters, half-years, seasons, school holidays, calendar and school years, joined by
ranges ("-", "с ... по ...") and lists ("," and "и"); "до / не позднее / к" + a date (the end);
recurrence and frequency phrases ("ежегодно", "1 раз в квартал", "по итогам четверти",
"постоянно"); undated phrases ("по мере необходимости", "по отдельному плану"). Anything
outside that grammar, and every phrase that names no time ("в течение месяца после
утверждения плана"), makes the deadline *flagged*: the text is kept and no date is guessed.

A month written without a year takes its year from the text ("май - сентябрь 2021"), from the
roadmap's timeline (the deadline before it, in school-year order) or from a period that holds
it only once; otherwise it is flagged.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, replace
from datetime import date, timedelta

from .model import Deadline, Recurrence

# The school year runs from 1 September to 31 August (month, day of its first day).
SCHOOL_YEAR_START = (9, 1)

MONTHS = {
    "январ": 1, "феврал": 2, "март": 3, "апрел": 4, "ма": 5, "июн": 6,
    "июл": 7, "август": 8, "сентябр": 9, "октябр": 10, "ноябр": 11, "декабр": 12,
}  # fmt: skip
_GENITIVE = ["января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября",
             "ноября", "декабря"]
_MONTH_RE = (
    r"(?:январ[ьяюе]|феврал[ьяюе]|марта?|марте|апрел[ьяюе]|ма[йяюе]|июн[ьяюе]|июл[ьяюе]"
    r"|августа?|августе|сентябр[ьяюе]|октябр[ьяюе]|ноябр[ьяюе]|декабр[ьяюе])"
)
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
_ORDINALS = {"перв": 1, "втор": 2, "трет": 3, "четверт": 4}
# (first month, first day, last month, last day, end in the next year, start in the previous year)
_SEASONS = {
    "весн": (3, 1, 5, 31, 0, 0),
    "лет": (6, 1, 8, 31, 0, 0),
    "осен": (9, 1, 11, 30, 0, 0),
    "зим": (12, 1, 2, 0, 0, 1),  # winter 2022: December 2021 - February 2022
}
# School holidays as Russian regions usually set them; winter holidays are named by their January.
_HOLIDAYS = {
    "осенн": (10, 25, 11, 10, 0, 0),
    "зимн": (12, 25, 1, 10, 0, 1),
    "новогодн": (12, 25, 1, 10, 0, 1),
    "весенн": (3, 20, 4, 10, 0, 0),
    "летн": (6, 1, 8, 31, 0, 0),
}

# Phrases that set a recurrence; order matters (longest first). Each is removed from the text.
_RECURRENCE_PHRASES: list[tuple[str, Recurrence]] = [
    (r"круглогодично(?:\s*,?\s*включая каникулярный период)?", Recurrence.PERIOD),
    (r"(?:в |на )?(?:течение|протяжении) (?:всего )?(?:срока|периода) (?:действия|реализации)(?: [а-я ]+)?",
     Recurrence.PERIOD),
    (r"(?:в |на )?(?:течение|протяжении) всего периода(?: [а-я ]+)?", Recurrence.PERIOD),
    (r"(?:весь|за весь) период(?: реализации(?: [а-я ]+)?)?", Recurrence.PERIOD),
    (r"(?:в |на )?(?:течение|протяжении) (?:всего )?(?:календарного )?года", Recurrence.PERIOD),
    (r"постоянно|систематически|регулярно|ежедневно|в постоянном режиме", Recurrence.PERIOD),
    (r"(?:в )?каникулярн(?:ый|ые) период(?:ы)?", Recurrence.HOLIDAYS),
    (r"(?:в )?период(?:ы)? каникул|(?:во )?время каникул|в каникулы|(?:в )?каникулярное время", Recurrence.HOLIDAYS),
    (r"(?:по итогам|по окончании|в конце|по завершении) (?:каждой )?(?:учебной )?(?:четверти|триместра)"
     r"|ежечетвертно|по четвертям|по триместрам|каждую четверть", Recurrence.TERMLY),
    (r"(?:по итогам|по окончании|в конце) (?:каждого )?полугодия", Recurrence.SEMIANNUAL),
    (r"(?:по итогам|по окончании|в конце) (?:каждого )?учебного года", Recurrence.YEARLY),
    (r"еженедельно(?:,? по (?:понедельникам|вторникам|средам|четвергам|пятницам|субботам))?", Recurrence.WEEKLY),
    (r"ежемесячно|каждый месяц|каждого месяца", Recurrence.MONTHLY),
    (r"ежеквартально|каждый квартал|по итогам (?:каждого )?квартала", Recurrence.QUARTERLY),
    (r"ежегодно|каждый год|ежегодный", Recurrence.YEARLY),
    (r"раз в полугодие", Recurrence.SEMIANNUAL),
    # a report due after each reporting period: "не позднее 5 числа месяца, следующего за отчетным полугодием"
    (r"(?:не позднее|до) \d{1,2} числа месяца,? следующего за отчетным полугодием", Recurrence.SEMIANNUAL),
    (r"(?:не позднее|до) \d{1,2} числа месяца,? следующего за отчетным кварталом", Recurrence.QUARTERLY),
    (r"(?:не позднее|до) \d{1,2} числа месяца,? следующего за отчетным(?: месяцем)?", Recurrence.MONTHLY),
]
_FREQUENCY = re.compile(
    r"(?:не реже|не менее|не чаще|не более|до)?\s*(?P<n>\d+|один|одного|два|двух|три|трех|четыре)?\s*"
    r"раз(?:а)?\s+(?:в|за)\s+(?P<k>\d+|два|две|три|шесть)?\s*(?P<unit>учебный год|год|года|лет|полугодие"
    r"|квартал|квартала|четверть|триместр|месяц|месяца|месяцев|неделю|недели)(?![а-я])"
)
_NUMBER_WORDS = {"один": 1, "одного": 1, "два": 2, "двух": 2, "две": 2, "три": 3, "трех": 3, "четыре": 4,
                 "шесть": 6}
# "далее ..." tails: the first dated window repeats afterwards.
_FURTHER = re.compile(r"(?:,\s*|\s)(?:и\s+)?далее\s*-?\s*(?P<tail>.*)$")
_TAIL_RECURRENCE = [
    ("ежемесяч", Recurrence.MONTHLY),
    ("ежекварталь", Recurrence.QUARTERLY),
    ("ежегод", Recurrence.YEARLY),
]
# Phrases that name no dates on purpose; recognised, so not flagged.
_UNDATED = [
    (re.compile(r"^(?:по мере (?:необходимости|поступления|потребности|готовности)|по (?:запросу|запросам|заявкам?)"
                r"|при необходимости|по необходимости|по требованию)\b.*$"), Recurrence.AS_NEEDED),
    (re.compile(r"^(?:по отдельному (?:плану|графику)|в соответствии с\b.+|согласно (?:графику|плану|приказу|срокам)\b.*"
                r"|по (?:графику|плану|утвержденному графику)\b.*|в (?:установленные|утвержденные) сроки\b.*"
                r"|в сроки,? (?:установленные|определенные|утвержденные)\b.+)$"), Recurrence.BY_SCHEDULE),
]
_SCHEDULE_TAIL = re.compile(
    r"\s*,?\s*(?:по отдельному (?:плану|графику)|в соответствии с\b.*|согласно (?:графику|плану)\b.*"
    r"|по (?:графику|плану)\b.*)$"
)
# a note after a periodic word: "ежемесячно до 5 числа", "ежегодно, до 25 декабря отчетного года"
_PERIODIC_NOTE = re.compile(r"\s*,?\s*(?:не позднее|до|к)\s+\d{1,2}(?:-?г?о)?\s+(?:числа|" + _MONTH_RE + r")\b.*$")
# phrases that count from an event the document does not date: never guessed
_RELATIVE = re.compile(r"\b(?:после|по (?:окончании|завершении)(?! (?:каждой |каждого )?(?:учебной )?(?:четверти|триместра"
                       r"|полугодия|учебного года|квартала))|за \d+|со дня|с момента|с даты|по факту|"
                       r"в течение \d{1,3}(?!\d)|в течение (?:месяца|недели|года|квартала) (?:после|с|со))\b")


class _NotUnderstood(ValueError):
    pass


@dataclass
class _Atom:
    """One span of time as written; the year may still be missing.

    ``first``/``last`` are (month, day) with day 0 meaning the month's last day (or, for
    ``first``, its first day); ``cross`` says the span ends in the following year, ``back`` that
    it starts in the previous one (winter is named by its January).
    """

    first: tuple[int | None, int]
    last: tuple[int | None, int]
    year: int | None = None
    cross: int = 0
    back: int = 0
    explicit: bool = False  # the year is written in the text
    exclusive_month: bool = False  # "до декабря": the month itself is not included

    def start(self) -> date:
        assert self.year is not None and self.first[0] is not None
        return date(self.year - self.back, self.first[0], self.first[1] or 1)

    def end(self) -> date:
        assert self.year is not None and self.last[0] is not None
        year = self.year + self.cross
        month, day = self.last
        return date(year, month, day or calendar.monthrange(year, month)[1])


def normalize(text: str) -> str:
    """Lower case, ё->е, one kind of dash, no HTML, no "г."/"года" after years."""
    s = re.sub(r"<[^>]+>", " ", text)
    s = s.replace("\xa0", " ").lower().replace("ё", "е")
    s = re.sub(r"[‐‑‒–—−]", "-", s)
    s = re.sub(r"(?<=[\dа-я.])\*+", "", s)  # a footnote mark: "15 мая 2023* г."
    # a range of school years: "2023-2026 учебные годы" runs from the first one's September on
    s = re.sub(r"(\d{4})\s*-\s*(\d{4})\s*(?:уч(?:ебн\w*|\.)\s*(?:г(?:од\w*)?\.?|гг\.?))",
               _school_years, s)
    # numeric dates: "15.09.2021", "01.09.21" -> "15 сентября 2021"
    s = re.sub(r"(?<![\d.])(\d{1,2})\.(\d{1,2})\.(\d{4}|\d{2})(?![\d])", _numeric_date, s)
    s = re.sub(r"(?<![\d.])(\d{1,2})\.(\d{2})(?![\d.])(?=\s*(?:-|по|и|,|$))", _numeric_day_month, s)
    # school years: "2021-2022 учебный год", "2021/22 уч. г.", "в 2022/2023 учебном году"
    s = re.sub(r"(\d{4})\s*[-/]\s*(\d{4}|\d{2})(?![\d])\s*(?:уч(?:ебн\w*|\.)?\s*(?:г(?:од\w*)?\.?|гг\.?)?)",
               _school_year, s)
    s = re.sub(r"(\d{4})\s*/\s*(\d{4}|\d{2})(?![\d])", _school_year, s)
    s = re.sub(r"(\d{4})\s*(?:гг?\.?|годы|годов|годах|года|году|год)(?![а-я])", r"\1", s)
    s = re.sub(r"(\d{4})г(?![а-я])", r"\1", s)
    s = re.sub(r"(\d)\s*-\s*(?:го|й|е|м|ого|ое|ая)(?![а-я])", r"\1", s)  # "1-й квартал", "10-го"
    s = re.sub(r"\bкв\.", "квартал ", s)
    # "I-II квартал", "1 - 2 полугодие": two atoms of the same kind
    s = re.sub(r"\b(iv|i{1,3}|[1-4])\s*-\s*(iv|i{1,3}|[1-4])\s+(квартал|полугоди)[а-я]*", r"\1 \3 - \2 \3", s)
    s = re.sub(r"\(\s*", "(", s)
    s = re.sub(r"\s*\)", ")", s)
    s = re.sub(r"\s+", " ", s).strip(" ,.;:")
    return s


def _numeric_date(match: re.Match) -> str:
    day, month, year = int(match.group(1)), int(match.group(2)), match.group(3)
    if not 1 <= month <= 12:
        return match.group(0)
    year = year if len(year) == 4 else "20" + year
    return f"{day} {_GENITIVE[month - 1]} {year}"


def _numeric_day_month(match: re.Match) -> str:
    day, month = int(match.group(1)), int(match.group(2))
    return f"{day} {_GENITIVE[month - 1]}" if 1 <= month <= 12 and 1 <= day <= 31 else match.group(0)


def _school_years(match: re.Match) -> str:
    first, last = int(match.group(1)), int(match.group(2))
    if last <= first + 1:
        return match.group(0)  # one school year: read below
    return f" уг{first} - уг{last - 1} "


def _school_year(match: re.Match) -> str:
    first, second = int(match.group(1)), match.group(2)
    second_year = int(second) if len(second) == 4 else first // 100 * 100 + int(second)
    if second_year != first + 1:
        return match.group(0)
    return f" уг{first} "


def parse_deadline(
    text: str, period_start: date | None = None, period_end: date | None = None, after: date | None = None,
    before: date | None = None, school_year: tuple[int, int] = SCHOOL_YEAR_START,
) -> Deadline:
    """Parse a deadline text.

    ``after`` / ``before`` are the starts of the dated neighbours (see :func:`parse_section`): a
    month without a year is its first occurrence from the month of ``after`` on, or its last
    one up to ``before``. Without them, it is taken only when the roadmap period holds it once.
    ``school_year`` is the (month, day) a school year starts on.
    """
    original = text
    s = normalize(text)
    if not s:
        return Deadline(original, flagged=True)
    try:
        return _parse(original, s, period_start, period_end, after, before, school_year)
    except _NotUnderstood:
        return Deadline(original, flagged=True)


def parse_section(texts: list[str], period_start: date | None = None, period_end: date | None = None,
                  school_year: tuple[int, int] = SCHOOL_YEAR_START) -> list[Deadline]:
    """Deadlines of one section in document order (see :func:`section_deadlines`)."""
    return [deadline for deadline, _ in section_deadlines(texts, period_start, period_end, school_year)]


def section_deadlines(texts: list[str], period_start: date | None = None, period_end: date | None = None,
                      school_year: tuple[int, int] = SCHOOL_YEAR_START) -> list[tuple[Deadline, bool]]:
    """Deadlines of one section in document order: a year left out comes from the neighbouring items.

    A month without a year is its first occurrence from the month of the dated item before it
    (school-year order), or, for the first items of a section, its last occurrence up to the dated
    item after it. Without a dated neighbour it is flagged unless the period holds it once.
    Each deadline comes with True when its dates were taken from the neighbours' context, so
    the import can say so.
    """
    result = [parse_deadline(text, period_start, period_end, school_year=school_year) for text in texts]
    from_context = [False] * len(texts)
    anchors = [_anchor(d) for d in result]
    for index, text in enumerate(texts):
        if not result[index].flagged:
            continue
        after = next((a for a in reversed(anchors[:index]) if a), None)
        before = None if after else next((a for a in anchors[index + 1:] if a), None)
        if after or before:
            result[index] = parse_deadline(text, period_start, period_end, after, before, school_year)
            anchors[index] = _anchor(result[index])
            from_context[index] = not result[index].flagged
    return list(zip(result, from_context))


def _anchor(deadline: Deadline) -> date | None:
    return deadline.start if not deadline.flagged and deadline.recurrence == Recurrence.ONCE else None


def _parse(original: str, s: str, pstart: date | None, pend: date | None, after: date | None,
           before: date | None, school_year: tuple[int, int]) -> Deadline:
    for pattern, recurrence in _UNDATED:
        if pattern.match(s):
            return Deadline(original, recurrence=recurrence)
    if _RELATIVE.search(s):
        raise _NotUnderstood(s)

    # Parenthesised notes: "(сентябрь)" holds a date, "(по согласованию ...)" is only a note.
    def _paren(match: re.Match) -> str:
        inner = match.group(1)
        if re.search(_MONTH_RE + r"|\d{4}|\bквартал|уг\d{4}|ежегод|ежекварт|ежемесяч|раз в", inner) \
                and not re.search(r"числа", inner):
            return " " + inner + " "
        return " "

    s = re.sub(r"\(([^)]*)\)", _paren, s)
    s = re.sub(r"\s+", " ", s).strip(" ,")
    recurrence: Recurrence | None = None
    further = _FURTHER.search(s)
    if further:
        tail = further.group("tail")
        recurrence = next((r for stem, r in _TAIL_RECURRENCE if stem in tail), None)
        if recurrence is None:
            raise _NotUnderstood(tail)
        s = s[: further.start()].strip(" ,")

    s = _SCHEDULE_TAIL.sub("", s)

    found = [recurrence] if recurrence else []
    frequency = _FREQUENCY.search(s)
    if frequency:
        found.append(_frequency(frequency))
        s = s[: frequency.start()] + " " + s[frequency.end():]
    for phrase, phrase_recurrence in _RECURRENCE_PHRASES:
        new = re.sub(r"(?:^|(?<=[\s,]))" + phrase + r"(?=$|[\s,.;:])", " ", s)
        if new != s:
            found.append(phrase_recurrence)
            s = new
    school_year_phrase = re.search(r"(?:в )?(?:течение |на протяжении )?(?:всего |весь )?(?:учебного года|учебный год)", s)
    if school_year_phrase:
        s = s[: school_year_phrase.start()] + " " + s[school_year_phrase.end():]
    # "ежегодно, в течение года": the periodic word is the more precise one
    recurrence = next((r for r in found if r != Recurrence.PERIOD), found[0] if found else None)
    if recurrence is not None and recurrence != Recurrence.ONCE:
        s = _PERIODIC_NOTE.sub("", s)
    s = re.sub(r"\s+", " ", s).strip(" ,.;:")
    s = re.sub(r"^(?:срок(?:и)?(?: исполнения)?:?\s*)", "", s)

    from_year = re.search(r"(?:^|\s|,)(?:начиная )?с (\d{4})$", s) if recurrence else None
    if from_year:
        after = max(after or date.min, date(int(from_year.group(1)), 1, 1))
        s = s[: from_year.start()].strip(" ,")
        if not s:
            start = date(int(from_year.group(1)), 1, 1)
            return _ranged(original, start, pend or date(start.year, 12, 31), recurrence)

    if not s and school_year_phrase:
        return _whole_school_year(original, pstart, pend, recurrence, school_year)

    until = re.match(r"^(?:в срок )?(?:до|не позднее|не позже|к)\s+(?P<end>конца\s+)?(?P<rest>.+)$", s)
    since = re.match(r"^(?:начиная )?с\s+(?P<rest>.+)$", s) if not re.search(r"\sпо\s", s) else None
    if until:
        # "до 1 августа 2024 г., до 1 августа 2025 г.": a list of dates, each with its "до"
        s = re.sub(r"(,|\sи)\s*(?:до|не позднее|к)\s+", r"\1 ", until.group("rest"))
    elif since:
        s = since.group("rest")
    s = re.sub(r"^с\s+(.+?)\s+по\s+(.+)$", r"\1 - \2", s)
    s = re.sub(r"^(?:в|во|на|в период|период|в течение|течение|на протяжении)\s+", "", s)

    if not s:
        if recurrence is None or pstart is None or pend is None:
            raise _NotUnderstood(s)
        return Deadline(original, pstart, pend, recurrence)

    exclusive = bool(until) and not until.group("end") and until.group(0).split()[0] in ("до", "к") \
        and not re.search(r"\d{1,2}\s+" + _MONTH_RE, s)
    windows = _windows(s, pstart, pend, (after, before), recurrence is not None and recurrence != Recurrence.ONCE,
                       exclusive, school_year)
    start = min(w[0] for w in windows)
    end = max(w[1] for w in windows)
    if until:
        end = max(w[1] for w in windows)
        start = pstart if pstart is not None and pstart <= end else end
        return Deadline(original, start, end, recurrence or Recurrence.ONCE)
    if since:
        if pend is None or pend < start:
            raise _NotUnderstood("нет окончания")
        return Deadline(original, start, pend, recurrence or Recurrence.PERIOD)
    if recurrence is None:
        recurrence = Recurrence.ONCE
    elif recurrence != Recurrence.ONCE and pend is not None and pend > end:
        end = pend
    return Deadline(original, start, end, recurrence)


def _ranged(original: str, start: date, end: date, recurrence: Recurrence) -> Deadline:
    if end < start:
        raise _NotUnderstood("конец раньше начала")
    return Deadline(original, start, end, recurrence)


def _whole_school_year(original: str, pstart: date | None, pend: date | None, recurrence: Recurrence | None,
                       school_year: tuple[int, int]) -> Deadline:
    """"В течение учебного года": the school year of a one-school-year roadmap, else each one."""
    if pstart is None or pend is None:
        raise _NotUnderstood("учебный год не указан")
    month, day = school_year
    first = pstart.year if (pstart.month, pstart.day) >= (month, day) else pstart.year - 1
    start, end = date(first, month, day), date(first + 1, month, day) - timedelta(days=1)
    if start <= pstart and pend <= end:
        return Deadline(original, start, end, recurrence or Recurrence.ONCE)
    return Deadline(original, pstart, pend, recurrence if recurrence not in (None, Recurrence.ONCE)
                    else Recurrence.PERIOD)


def _frequency(match: re.Match) -> Recurrence:
    """"2 раза в год" -> semiannual; "1 раз в 2 месяца" -> bimonthly; otherwise the unit's rhythm."""
    def number(value: str | None) -> int:
        if not value:
            return 1
        return int(value) if value.isdigit() else _NUMBER_WORDS[value]

    n, k, unit = number(match.group("n")), number(match.group("k")), match.group("unit")
    if unit.startswith(("четверт", "триместр")):
        return Recurrence.TERMLY
    if unit.startswith("недел"):
        return Recurrence.WEEKLY
    months = {"год": 12, "лет": 12, "учебный год": 12, "полугодие": 6, "квартал": 3, "месяц": 1}
    length = next(v for key, v in months.items() if unit.startswith(key)) * k
    exact = {12: Recurrence.YEARLY, 6: Recurrence.SEMIANNUAL, 3: Recurrence.QUARTERLY, 2: Recurrence.BIMONTHLY,
             1: Recurrence.MONTHLY}
    if length % n == 0 and length // n in exact:
        return exact[length // n]
    return exact.get(length, Recurrence.YEARLY if length > 12 else Recurrence.MONTHLY)


_TOKEN = re.compile(
    r"\s*(?:(?P<dash>-|\bпо\b)|(?P<sep>,|\bи\b|;|/)|(?P<sy>уг\d{4})|(?P<year>\d{4})|(?P<num>\d{1,2})(?![\d])"
    r"|(?P<roman>\b(?:iv|iii|ii|i)\b)|(?P<word>[а-я]+)|(?P<dot>\.))"
)

def _tokens(s: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    pos = 0
    while pos < len(s):
        match = _TOKEN.match(s, pos)
        if not match or match.end() == pos:
            if s[pos:].strip() == "":
                break
            raise _NotUnderstood(s[pos:])
        pos = match.end()
        kind = match.lastgroup
        value = match.group(kind)
        if kind == "dot" or (kind == "word" and value in ("в", "во", "течение", "период", "периоде", "включительно",
                                                           "месяц", "месяце", "года", "г", "гг", "года",
                                                           "протяжении", "начиная", "период", "на", "с")):
            continue
        tokens.append((kind, value))
    return tokens


def _month_number(word: str) -> int | None:
    if not re.fullmatch(_MONTH_RE, word):
        return None
    for stem, number in MONTHS.items():
        if word.startswith(stem) and (stem != "ма" or word in ("май", "мая", "мае", "маю")):
            return number
    return None


def _ordinal(word: str) -> int | None:
    return next((n for stem, n in _ORDINALS.items() if word.startswith(stem)), None)


def _windows(s: str, pstart: date | None, pend: date | None, neighbours: tuple[date | None, date | None],
             periodic: bool, exclusive: bool, school_year: tuple[int, int]) -> list[tuple[date, date]]:
    """Turn "октябрь, ноябрь 2021 и февраль - март 2022" into date windows."""
    tokens = _tokens(s)
    groups: list[list[_Atom]] = [[]]  # atoms joined by dashes form a range
    i = 0
    expect_atom = True
    while i < len(tokens):
        kind, value = tokens[i]
        if kind == "sep":
            if expect_atom and groups[-1]:
                raise _NotUnderstood(value)
            if groups[-1]:
                groups.append([])
            expect_atom = True
            i += 1
            continue
        if kind == "dash":
            if not groups[-1] or expect_atom:
                raise _NotUnderstood(value)
            expect_atom = True
            i += 1
            continue
        if not expect_atom:
            # "февраль, апрель октябрь 2022": a list with a comma left out
            groups.append([])
        atom, i = _read_atom(tokens, i, school_year)
        groups[-1].append(atom)
        expect_atom = False
    if expect_atom and any(groups):
        raise _NotUnderstood("висящее тире или запятая")
    groups = [g for g in groups if g]
    if not groups:
        raise _NotUnderstood("нет срока")
    if any(len(g) > 2 for g in groups):
        raise _NotUnderstood("слишком длинный диапазон")

    atoms = [atom for group in groups for atom in group]
    _fill_days(atoms)
    if exclusive:
        last = atoms[-1]
        if last.first[1] == 0 and last.first[0] == last.last[0] and not last.cross:
            last.exclusive_month = True
    _fill_years(atoms, pstart, pend, neighbours, periodic)
    windows = []
    for group in groups:
        first, last = group[0], group[-1]
        start, end = first.start(), last.end()
        if last.exclusive_month:
            end = last.start() - timedelta(days=1)
        if end < start and not last.exclusive_month:
            raise _NotUnderstood("конец раньше начала")
        windows.append((start, end))
    return windows


def _read_atom(tokens: list[tuple[str, str]], i: int, school_year: tuple[int, int]) -> tuple[_Atom, int]:
    kind, value = tokens[i]

    def peek(offset: int) -> tuple[str, str] | None:
        return tokens[i + offset] if i + offset < len(tokens) else None

    def with_year(atom: _Atom, used: int) -> tuple[_Atom, int]:
        year_tok = peek(used)
        if year_tok and year_tok[0] == "year":
            atom.year, atom.explicit = int(year_tok[1]), True
            used += 1
        return atom, i + used

    if kind == "sy":
        year = int(value[2:])
        month, day = school_year
        last = date(year + 1, month, day) - timedelta(days=1)
        return _Atom((month, day), (last.month, last.day), year, cross=1, explicit=True), i + 1
    if kind == "year":
        return _Atom((1, 1), (12, 31), int(value), explicit=True), i + 1
    number = None
    if kind in ("num", "roman"):
        number = int(value) if kind == "num" else _ROMAN[value]
    elif kind == "word" and _ordinal(value) and peek(1) and peek(1)[0] == "word" \
            and re.match(r"квартал|полугод|декад", peek(1)[1]):
        number = _ordinal(value)
    if number is not None:
        nxt = peek(1)
        if nxt and nxt[0] == "word":
            word = nxt[1]
            if re.match(r"квартал|полугод", word) and peek(2) and peek(2)[0] == "sy":
                raise _NotUnderstood("четверть учебного года")  # which months: the school decides
            if word.startswith("квартал") and 1 <= number <= 4:
                return with_year(_Atom((3 * number - 2, 1), (3 * number, 0)), 2)
            if word.startswith("полугод") and number in (1, 2):
                return with_year(_Atom((6 * number - 5, 1), (6 * number, 0)), 2)
            if word.startswith("декад") and number in (1, 2, 3) and peek(2) and peek(2)[0] == "word":
                month = _month_number(peek(2)[1])
                if month:
                    last_day = {1: 10, 2: 20, 3: 0}[number]
                    return with_year(_Atom((month, 10 * number - 9), (month, last_day)), 3)
            month = _month_number(word) if kind == "num" else None
            if month and 1 <= number <= calendar.monthrange(2000, month)[1]:
                return with_year(_Atom((month, number), (month, number)), 2)
        if kind == "num" and 1 <= number <= 31 and (nxt is None or nxt[0] in ("dash", "sep")):
            return _Atom((None, number), (None, number)), i + 1  # "10 - 15 сентября": month follows
        raise _NotUnderstood(value)
    if kind == "word":
        month = _month_number(value)
        if month is not None:
            return with_year(_Atom((month, 0), (month, 0)), 1)
        for stem, (m1, d1, m2, d2, cross, back) in _HOLIDAYS.items():
            if value.startswith(stem) and peek(1) and peek(1)[0] == "word" and peek(1)[1].startswith("каникул"):
                return with_year(_Atom((m1, d1), (m2, d2), cross=cross, back=back), 2)
        for stem, (m1, d1, m2, d2, cross, back) in _SEASONS.items():
            if value.startswith(stem) or value.startswith({"весн": "весенн", "лет": "летн", "осен": "осенн",
                                                           "зим": "зимн"}[stem]):
                return with_year(_Atom((m1, d1), (m2, d2), cross=cross, back=back), 1)
    raise _NotUnderstood(value)


def _fill_days(atoms: list[_Atom]) -> None:
    """"10 - 15 сентября", "10, 17 сентября": a bare day takes the month of the next atom."""
    following: _Atom | None = None
    for atom in reversed(atoms):
        if atom.first[0] is None:
            if following is None or following.first[0] is None:
                raise _NotUnderstood("день без месяца")
            month = following.first[0]
            if atom.first[1] > calendar.monthrange(2000, month)[1]:
                raise _NotUnderstood("нет такого дня")
            atom.first = atom.last = (month, atom.first[1])
            if following.explicit:
                atom.year = following.year
        following = atom


def _fill_years(atoms: list[_Atom], pstart: date | None, pend: date | None,
                neighbours: tuple[date | None, date | None], periodic: bool) -> None:
    """Years left out: from the text, then from the timeline, then from a period that holds them once.

    Within the text, a month without a year takes the year of the next dated atom, one year
    earlier when it comes later in the calendar ("ноябрь, март 2022": November 2021, school-year
    order); trailing months take the year of the previous atom.
    """
    if any(atom.year is not None for atom in atoms):
        following: _Atom | None = None
        for atom in reversed(atoms):
            if atom.year is None and following is not None and following.year is not None:
                atom.year = following.year - (1 if _later(atom, following) else 0)
            following = atom
        previous: _Atom | None = None
        for atom in atoms:
            if atom.year is None:
                if previous is None:
                    raise _NotUnderstood("год не указан")
                atom.year = previous.year + previous.cross + (1 if _later(previous, atom) else 0)
            previous = atom
        return

    # no year in the text: try each year for the first atom, the others follow in calendar order
    after, before = neighbours
    anchor = after or before
    if pstart is None and anchor is None:
        raise _NotUnderstood("год не указан")
    low = (pstart or anchor).year - 1
    high = (pend or anchor).year + 1
    candidates = []
    for year in range(low, high + 1):
        trial = [replace(atom) for atom in atoms]
        _chain(trial, year)
        first, last = trial[0].start(), max(a.end() for a in trial)
        if pstart is not None and first < pstart:
            continue
        if pend is not None and last > pend and not periodic:
            continue
        if pend is not None and first > pend:
            continue
        candidates.append((first, year))
    if after is not None:
        floor = date(after.year, after.month, 1)
        chosen = next((year for first, year in candidates if first >= floor), None)
    elif before is not None:
        chosen = next((year for first, year in reversed(candidates) if first <= before), None)
    elif len(candidates) == 1 or (periodic and candidates):
        chosen = candidates[0][1]
    else:
        chosen = None
    if chosen is None:
        raise _NotUnderstood("год не указан")
    _chain(atoms, chosen)


def _chain(atoms: list[_Atom], year: int) -> None:
    previous: _Atom | None = None
    for atom in atoms:
        if previous is None:
            atom.year = year
        else:
            atom.year = previous.year + previous.cross + (1 if _later(previous, atom) else 0)
        previous = atom


def _later(a: _Atom, b: _Atom) -> bool:
    """True when ``a`` comes after ``b`` within one calendar year."""
    return (a.first[0], a.first[1]) > (b.first[0], b.first[1])
