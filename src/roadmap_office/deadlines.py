"""The Russian deadline parser: "Октябрь 2021 г. - июль 2022 г." -> dates and recurrence.

The parser understands a closed grammar: month / day / quarter / half-year / year atoms joined
by ranges ("-", "–", "—") and lists ("," and "и"), plus recurrence phrases ("ежегодно",
"далее ежеквартально", "в течение всего периода", "каникулярный период", ...). Anything outside
that grammar makes the deadline *flagged*: the text is kept, and no date is guessed.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from .model import Deadline, Recurrence

MONTHS = {
    "январ": 1, "феврал": 2, "март": 3, "апрел": 4, "ма": 5, "июн": 6,
    "июл": 7, "август": 8, "сентябр": 9, "октябр": 10, "ноябр": 11, "декабр": 12,
}  # fmt: skip
_MONTH_RE = (
    r"(?:январ[ьяе]|феврал[ьяе]|марта?|марте|апрел[ьяе]|ма[йяе]|июн[ьяе]|июл[ьяе]"
    r"|августа?|августе|сентябр[ьяе]|октябр[ьяе]|ноябр[ьяе]|декабр[ьяе])"
)
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}

# Phrases that set a recurrence; order matters (longest first). Each is removed from the text.
_RECURRENCE_PHRASES: list[tuple[str, Recurrence]] = [
    (r"круглогодично(?:\s*,?\s*включая каникулярный период)?", Recurrence.PERIOD),
    (r"(?:в )?течение всего периода(?: [а-я ]+)?", Recurrence.PERIOD),
    (r"весь период", Recurrence.PERIOD),
    (r"в течение года", Recurrence.PERIOD),
    (r"(?:в )?каникулярн(?:ый|ые) период(?:ы)?", Recurrence.HOLIDAYS),
    (r"(?:в )?период каникул", Recurrence.HOLIDAYS),
    (r"не реже 1 раза? в полугодие", Recurrence.SEMIANNUAL),
    (r"ежемесячно", Recurrence.MONTHLY),
    (r"ежеквартально", Recurrence.QUARTERLY),
    (r"ежегодно", Recurrence.YEARLY),
]
# "далее ..." tails: the first dated window repeats afterwards.
_FURTHER = re.compile(r"(?:,\s*|\s)(?:и\s+)?далее\s*-?\s*(?P<tail>.*)$")
_TAIL_RECURRENCE = [
    ("ежемесяч", Recurrence.MONTHLY),
    ("ежекварталь", Recurrence.QUARTERLY),
    ("ежегод", Recurrence.YEARLY),
]
# Phrases that name no dates on purpose; recognised, so not flagged.
_UNDATED = [
    (re.compile(r"^по мере необходимости\b.*$"), Recurrence.AS_NEEDED),
    (re.compile(r"^(?:по отдельному (?:плану|графику)|в соответствии с\b.*)$"), Recurrence.BY_SCHEDULE),
]
_SCHEDULE_TAIL = re.compile(
    r"\s*,?\s*(?:по отдельному (?:плану|графику)|в соответствии с\b.*)$"
)


class _NotUnderstood(ValueError):
    pass


@dataclass
class _Atom:
    """One point or span of time as written; year may still be missing."""

    first_month: int
    last_month: int
    year: int | None = None
    day: int | None = None
    whole_years: int = 0  # for "2020" atoms: 1
    year_given: bool = True  # False when the year was taken from a neighbour or the period

    def __post_init__(self) -> None:
        if self.year is None:
            self.year_given = False

    def start(self) -> date:
        assert self.year is not None
        return date(self.year, self.first_month, self.day or 1)

    def end(self) -> date:
        assert self.year is not None
        if self.day:
            return date(self.year, self.last_month, self.day)
        return date(self.year, self.last_month, calendar.monthrange(self.year, self.last_month)[1])


def normalize(text: str) -> str:
    """Lower case, ё->е, one kind of dash, no HTML, no "г."/"года" after years."""
    s = re.sub(r"<[^>]+>", " ", text)
    s = s.replace("\xa0", " ").lower().replace("ё", "е")
    s = re.sub(r"[‐‑‒–—−]", "-", s)
    s = re.sub(r"(\d{4})\s*(?:гг?\.?|годы|года|год)(?![а-я])", r"\1", s)
    s = re.sub(r"\(\s*", "(", s)
    s = re.sub(r"\s*\)", ")", s)
    s = re.sub(r"\s+", " ", s).strip(" ,.;")
    return s


def parse_deadline(
    text: str, period_start: date | None = None, period_end: date | None = None
) -> Deadline:
    """Parse a deadline text; years left out are taken from the roadmap period."""
    original = text
    s = normalize(text)
    if not s:
        return Deadline(original, flagged=True)
    try:
        return _parse(original, s, period_start, period_end)
    except _NotUnderstood:
        return Deadline(original, flagged=True)


def _parse(original: str, s: str, pstart: date | None, pend: date | None) -> Deadline:
    for pattern, recurrence in _UNDATED:
        if pattern.match(s):
            return Deadline(original, recurrence=recurrence)

    recurrence: Recurrence | None = None
    further = _FURTHER.search(s)
    if further:
        tail = further.group("tail")
        recurrence = next((r for stem, r in _TAIL_RECURRENCE if stem in tail), None)
        if recurrence is None:
            raise _NotUnderstood(tail)
        s = s[: further.start()].strip(" ,")

    # Parenthesised notes: "(сентябрь)" holds a date, "(по согласованию ...)" is only a note.
    def _paren(match: re.Match) -> str:
        inner = match.group(1)
        if re.search(_MONTH_RE + r"|\d{4}|\bквартал", inner) and not re.search(r"числа", inner):
            return " " + inner + " "
        return " "

    s = re.sub(r"\(([^)]*)\)", _paren, s)
    s = _SCHEDULE_TAIL.sub("", s)

    found = [recurrence] if recurrence else []
    for phrase, phrase_recurrence in _RECURRENCE_PHRASES:
        new = re.sub(r"(?:^|(?<=[\s,]))" + phrase + r"(?=$|[\s,])", " ", s)
        if new != s:
            found.append(phrase_recurrence)
            s = new
    # "ежегодно, в течение года": the periodic word is the more precise one
    recurrence = next((r for r in found if r != Recurrence.PERIOD), found[0] if found else None)
    s = re.sub(r"\s+", " ", s).strip(" ,.;")

    until = re.match(r"^до (\S+)(?: (\d{4}))?$", s)
    if until:
        atom = _month_atom(until.group(1), until.group(2))
        _fill_years([atom], pstart)
        if atom.first_month == 1:
            end = date(atom.year - 1, 12, 31)
        else:
            prev = atom.first_month - 1
            end = date(atom.year, prev, calendar.monthrange(atom.year, prev)[1])
        if pstart is None:
            raise _NotUnderstood(s)
        return Deadline(original, pstart, end, Recurrence.ONCE)

    windows = _windows(s, pstart) if s else []
    if not windows:
        if recurrence is None or pstart is None or pend is None:
            raise _NotUnderstood(s)
        return Deadline(original, pstart, pend, recurrence)

    start = min(w[0] for w in windows)
    end = max(w[1] for w in windows)
    if recurrence is None:
        recurrence = Recurrence.ONCE
    elif recurrence not in (Recurrence.ONCE,) and pend is not None and pend > end:
        end = pend
    return Deadline(original, start, end, recurrence)


_TOKEN = re.compile(
    r"\s*(?:(?P<dash>-)|(?P<sep>,|\bи\b|;)|(?P<year>\d{4})|(?P<num>\d{1,2})(?![\d])"
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
        if kind == "dot":
            continue
        tokens.append((kind, match.group(kind)))
    return tokens


def _month_number(word: str) -> int | None:
    if not re.fullmatch(_MONTH_RE, word):
        return None
    for stem, number in MONTHS.items():
        if word.startswith(stem) and (stem != "ма" or word in ("май", "мая", "мае")):
            return number
    return None


def _month_atom(word: str, year: str | None) -> _Atom:
    month = _month_number(word)
    if month is None:
        raise _NotUnderstood(word)
    return _Atom(month, month, int(year) if year else None)


def _windows(s: str, pstart: date | None) -> list[tuple[date, date]]:
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
        atom, i = _read_atom(tokens, i)
        groups[-1].append(atom)
        expect_atom = False
    if expect_atom and any(groups):
        raise _NotUnderstood("висящее тире или запятая")
    groups = [g for g in groups if g]
    if any(len(g) > 2 for g in groups):
        raise _NotUnderstood("слишком длинный диапазон")

    atoms = [atom for group in groups for atom in group]
    _fill_years(atoms, pstart, groups)
    windows = []
    for group in groups:
        first, last = group[0], group[-1]
        if len(group) == 2 and last.end() < first.start():
            raise _NotUnderstood("конец раньше начала")
        windows.append((first.start(), last.end()))
    return windows


def _read_atom(tokens: list[tuple[str, str]], i: int) -> tuple[_Atom, int]:
    kind, value = tokens[i]

    def peek(offset: int) -> tuple[str, str] | None:
        return tokens[i + offset] if i + offset < len(tokens) else None

    if kind == "year":
        year = int(value)
        return _Atom(1, 12, year, whole_years=1), i + 1
    if kind in ("num", "roman"):
        number = int(value) if kind == "num" else _ROMAN[value]
        nxt = peek(1)
        if nxt and nxt[0] == "word":
            word = nxt[1]
            year_tok = peek(2)
            year = int(year_tok[1]) if year_tok and year_tok[0] == "year" else None
            used = 3 if year is not None else 2
            if word.startswith("квартал") and 1 <= number <= 4:
                return _Atom(3 * number - 2, 3 * number, year), i + used
            if word.startswith("полугод") and number in (1, 2):
                return _Atom(6 * number - 5, 6 * number, year), i + used
            month = _month_number(word) if kind == "num" else None
            if month and 1 <= number <= calendar.monthrange(2000, month)[1]:
                return _Atom(month, month, year, day=number), i + used
        raise _NotUnderstood(value)
    if kind == "word":
        month = _month_number(value)
        if month is None:
            raise _NotUnderstood(value)
        nxt = peek(1)
        if nxt and nxt[0] == "year":
            return _Atom(month, month, int(nxt[1])), i + 2
        return _Atom(month, month), i + 1
    raise _NotUnderstood(value)


def _fill_years(atoms: list[_Atom], pstart: date | None, groups: list[list[_Atom]] | None = None) -> None:
    """A month without a year takes the year of the next dated atom ("май - сентябрь 2021").

    Without any year in the text, the first occurrence within the roadmap period is taken.
    A range whose end month comes before its start month crosses a year boundary.
    """
    next_year: int | None = None
    for atom in reversed(atoms):
        if atom.year is not None:
            next_year = atom.year
        elif next_year is not None:
            atom.year = next_year
    if all(atom.year is None for atom in atoms):
        if pstart is None:
            raise _NotUnderstood("год не указан")
        year = pstart.year if atoms[0].first_month >= pstart.month else pstart.year + 1
        previous = None
        for atom in atoms:
            atom.year = year
            if previous is not None and atom.first_month < previous.first_month:
                year += 1
                atom.year = year
            previous = atom
        return
    # back-filled range starts that would lie after their end belong to the previous year
    for group in groups or []:
        first, last = group[0], group[-1]
        if len(group) == 2 and not first.year_given and first.first_month > last.first_month:
            if first.year == last.year:
                first.year -= 1
    if any(atom.year is None for atom in atoms):
        # trailing months without year after a dated atom: "Ноябрь 2021, декабрь"
        last_year = None
        for atom in atoms:
            if atom.year is None:
                if last_year is None:
                    raise _NotUnderstood("год не указан")
                atom.year = last_year
            last_year = atom.year
