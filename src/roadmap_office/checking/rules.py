"""The rules that turn a raw submission into records and findings.

Validation in the spreadsheet is advice, not a guarantee (pasted values skip it, a sheet
without a password can be unprotected), so every value is checked again here. Rows are matched
to items by the hidden stable key, never by position.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from ..deadlines import parse_deadline
from ..executors import Catalogue, fold
from ..forms.layout import (
    CHECK_COLUMN,
    COL,
    IND_COL,
    INDICATOR_COLUMNS,
    INDICATORS_SHEET,
    ITEM_COLUMNS,
    ITEMS_SHEET,
    META_SHEET,
    OWN_PREFIX,
    SCHOOL_COLUMNS,
    SUPPORTED_VERSIONS,
    TEMPLATE_VERSION,
    items_for_school,
    version_column,
    version_row,
)
from ..forms import values
from ..master import school_key
from ..model import IndicatorKind, Item, Roadmap, School, Section, per_roadmap
from ..period import describe, from_meta
from ..presentation import day, exact
from ..reading import RawSubmission
from ..reading.limits import MAX_TEXT
from ..sheets.reading import cell_date
from ..sheets.spec import column_letter
from . import messages as M
from . import percents
from .merges import merge_findings
from .results import CheckedSubmission, Finding, IndicatorValue, Record

# spellings schools use for the standard statuses
STATUS_ALIASES = {
    "выполнено": ("выполнен", "выполнена", "исполнено", "сделано", "реализовано", "проведено"),
    "выполняется": ("в работе", "в процессе", "выполняем", "исполняется", "реализуется"),
    "не начато": ("не начат", "не начинали", "не приступили"),
    "не выполнено": ("не выполнен", "не исполнено", "не проведено"),
    "перенесено": ("перенесен", "перенос", "отложено"),
}
_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*\.[^\s]*$", re.IGNORECASE)
_COLUMN_TITLES = {key: title for key, title, _ in ITEM_COLUMNS}


def _text(value: Any) -> str:
    if value.__class__ is str:  # nearly every value
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return day(value)
    return str(value).strip()


# Latin letters that look like Cyrillic ones (as typed on an English layout or pasted from a PDF)
_LOOKALIKE_LATIN = "aAbBcCeEHkKmMoOpPTxXyY"
_LOOKALIKE = str.maketrans(_LOOKALIKE_LATIN, "аАьВсСеЕНкКмМоОрРТхХуУ")


def latin_letters(value: str, allowed: dict[str, str]) -> str:
    """The Latin look-alike letters of a value: those inside a Russian word («выпoлнено»), or all
    of them when the value read in Cyrillic is a listed one («HeT»); "" otherwise ("IT-куб")."""
    if fold(value.translate(_LOOKALIKE)) in allowed:
        words = [value]
    else:
        words = [w for w in re.split(r"[^\w]+", value) if re.search(r"[а-яё]", w, re.IGNORECASE)]
    letters = [ch for word in words for ch in word if "a" <= ch.lower() <= "z" and ch in _LOOKALIKE_LATIN]
    return ", ".join(f"«{ch}»" for ch in dict.fromkeys(letters))


def _answered(row: list) -> bool:
    """Whether the school filled any of its own cells in this row (the «Контроль» copy is not one)."""
    return any(_text(row[COL[key]]) for key in SCHOOL_COLUMNS)


def _same(a: str, b: str) -> bool:
    if a == b:
        return True
    return re.sub(r"\s+", " ", a).strip() == re.sub(r"\s+", " ", b).strip()


@dataclass
class _Lists:
    """What a check looks values up in, folded once per roadmap (not once per file)."""

    catalogue: Catalogue
    statuses: dict[str, str]
    done: set[str]
    executors: dict[str, str]
    vocabulary: dict[str, str]
    not_started: str
    schools: dict[str, School]  # by code
    school_keys: dict[str, School]  # by the key from the master's «Школы» sheet
    school_names: dict[str, School]  # by folded name
    items: dict[str, tuple[Section, Item]]  # by key
    by_number: dict[str, str]  # item number without its final dot -> key
    sections: dict[str, Section]  # by number without its final dot


@per_roadmap
def _lists(roadmap: Roadmap) -> _Lists:
    statuses = {fold(name): name for name in values.status_choices(roadmap)}
    for canonical, aliases in STATUS_ALIASES.items():
        if fold(canonical) in statuses:
            for alias in aliases:
                statuses.setdefault(fold(alias), statuses[fold(canonical)])
    lists = _Lists(
        catalogue=Catalogue(roadmap.executors),
        statuses=statuses,
        done={s.name for s in roadmap.statuses if s.done},
        executors={fold(name): name for name in values.executor_choices(roadmap)},
        vocabulary={fold(v): v for v in roadmap.deadline_vocabulary},
        not_started=next((s.name for s in roadmap.statuses if fold(s.name) == fold("не начато")),
                         roadmap.statuses[-1].name if roadmap.statuses else ""),
        schools={s.code: s for s in roadmap.schools},
        school_keys={school_key(s): s for s in roadmap.schools},
        school_names={fold(s.name): s for s in roadmap.schools},
        items={item.key: (section, item) for section in roadmap.sections for item in section.items},
        by_number={item.number.rstrip("."): item.key for item in roadmap.items},
        sections={s.number.rstrip("."): s for s in roadmap.sections},
    )
    return lists


class _Checker:
    def __init__(self, raw: RawSubmission, roadmap: Roadmap, fingerprint: str | None) -> None:
        self.raw = raw
        self.roadmap = roadmap
        self.fingerprint = fingerprint
        self.out = CheckedSubmission(raw.path, saved_at=raw.saved_at, modified=raw.modified, sha256=raw.sha256)
        self.lists = _lists(roadmap)

    def address(self, sheet: str, row: int, col: int) -> str:
        """A cell as the school's file has it (older layouts of the items sheet lack columns)."""
        if sheet == ITEMS_SHEET:
            col = version_column(col, self.raw.meta.get("template_version", ""))
        return f"{column_letter(col)}{row}" if row else ""

    def find(self, sheet: str, row: int, col: int, value: Any, message: str, severity: str = "error") -> None:
        cell = self.address(sheet, row, col)
        self.out.findings.append(Finding(self.raw.name, sheet, cell, _text(value), message, severity))

    # ---- whole file ---------------------------------------------------------------------
    def run(self) -> CheckedSubmission:
        meta = self.raw.meta
        if META_SHEET not in self.raw.sheets:
            self.out.rejected = M.NOT_OUR_TEMPLATE.format(sheet=META_SHEET)
            return self.out
        if not meta.get("template_id"):
            self.out.rejected = M.NO_TEMPLATE_ID
            return self.out
        label = meta.get("reporting_period", "")
        self.out.period = from_meta(label, meta.get("reporting_kind", ""), meta.get("reporting_start", ""),
                                    meta.get("reporting_end", ""))
        if meta.get("template_version") not in SUPPORTED_VERSIONS:
            self.out.rejected = M.UNSUPPORTED_VERSION.format(version=meta.get("template_version", ""),
                                                             expected=TEMPLATE_VERSION)
            return self.out
        code = meta.get("school_code", "")
        schools = self.lists.schools
        if not code:
            self.out.rejected = M.NO_SCHOOL
            return self.out
        if self.other_school(meta, code):
            return self.out
        if code not in schools:
            self.out.rejected = M.UNKNOWN_SCHOOL.format(code=code)
            return self.out
        if ITEMS_SHEET not in self.raw.sheets:
            self.out.rejected = M.NO_ITEMS_SHEET.format(sheet=ITEMS_SHEET)
            return self.out
        self.out.school = code
        self.out.template_id = meta["template_id"]
        if self.fingerprint and meta.get("roadmap_fingerprint") != self.fingerprint:
            if self.other_roadmap(meta, schools[code]):
                return self.out
            self.find(META_SHEET, 0, 0, "", M.OUTDATED_MASTER, "warning")
        elif meta.get("school_name") and fold(meta["school_name"]) != fold(schools[code].name):
            self.find(META_SHEET, 0, 0, meta["school_name"], M.OTHER_SCHOOL_NAME.format(
                found=meta["school_name"], code=code, expected=schools[code].name), "warning")
        self.save_times()
        for template, found in self.raw.renamed.items():
            self.find(found, 0, 0, "", M.SHEET_RENAMED.format(sheet=template, found=found), "warning")
        for sheet, cell in self.raw.cut:
            if sheet in (ITEMS_SHEET, INDICATORS_SHEET):
                self.out.findings.append(Finding(self.raw.name, sheet, cell, "", M.TEXT_CUT.format(limit=MAX_TEXT),
                                                 "warning"))
        if self.other_period(meta):
            return self.out
        if self.raw.has_macros:
            self.find("", 0, 0, "", M.MACROS, "warning")
        for sheet in (ITEMS_SHEET, INDICATORS_SHEET):
            if sheet in self.raw.sheets and sheet not in self.raw.protected:
                self.find(sheet, 0, 0, "", M.PROTECTION_REMOVED, "warning")
        for formula in self.raw.formulas:
            if formula.sheet in (ITEMS_SHEET, INDICATORS_SHEET):
                self.out.findings.append(Finding(self.raw.name, formula.sheet, formula.cell, "",
                                                 M.FORMULA.format(formula=formula.formula[:80])))
        self.out.findings.extend(merge_findings(self.raw))
        self.items(schools[code])
        if not self.out.rejected:
            self.indicators()
        return self.out

    def other_roadmap(self, meta: dict[str, str], school) -> bool:
        """A template of another roadmap or district is refused, even when its school code is ours.

        Called when the fingerprints differ. An edited version of our roadmap keeps its title or
        most of its items (same keys, same texts); another district's school under the same
        code has another name.
        """
        title = meta.get("roadmap_title", "")
        if title and fold(title) != fold(self.roadmap.title) and self.share_of_our_items() < 0.5:
            self.out.rejected = M.OTHER_ROADMAP.format(found=_short(title, 80), expected=_short(self.roadmap.title, 80))
        elif meta.get("school_name") and fold(meta["school_name"]) != fold(school.name):
            self.out.rejected = M.OTHER_SCHOOL.format(found=meta["school_name"], code=school.code,
                                                      expected=school.name)
        return bool(self.out.rejected)

    def other_school(self, meta: dict[str, str], code: str) -> bool:
        """The school's key, code and name in the file must name one school of the master.

        A school that fills in a neighbour's template and changes its code (or code and name)
        would otherwise replace the neighbour's report or pass as itself with the neighbour's
        answers. The key names the school the template was made for; a name that is another
        school's of the master names that one."""
        key, name = meta.get("school_key", ""), meta.get("school_name", "")
        by_key = self.lists.school_keys.get(key) if key else None
        by_name = self.lists.school_names.get(fold(name)) if name else None
        named = {s.code for s in (by_key, by_name) if s is not None}
        if not named or named == {code}:
            return False  # agree (a name the master no longer has is a warning further on)
        claimed = self.lists.schools.get(code)
        parts = [M.SCHOOL_BY_KEY.format(name=by_key.name, code=by_key.code)] if by_key else []
        parts.append(M.SCHOOL_BY_CODE.format(code=code, name=f"«{claimed.name}»" if claimed else M.NOT_IN_MASTER))
        if name:
            parts.append(M.SCHOOL_BY_NAME.format(name=name))
        self.out.rejected = M.SCHOOL_MISMATCH.format(parts="; ".join(parts))
        return True

    def share_of_our_items(self) -> float:
        """The share of the file's item rows whose key and event text are those of our roadmap."""
        events = {item.key: item.event for item in self.roadmap.items}
        rows = [list(r) + [None] * len(ITEM_COLUMNS) for r in self.raw.sheets.get(ITEMS_SHEET, [])]
        keyed = [(_text(r[COL["key"]]), _text(r[COL["event"]])) for r in rows
                 if _text(r[COL["key"]]) and not _text(r[COL["key"]]).startswith(OWN_PREFIX)
                 and _text(r[COL["key"]]) != _COLUMN_TITLES["key"]]
        if not keyed:
            return 0.0
        return sum(1 for key, event in keyed if key in events and _same(event, events[key])) / len(keyed)

    def save_times(self) -> None:
        """A save time in the future must not make a file win over a corrected one."""
        now = datetime.now()
        if self.out.saved_at and self.out.saved_at > now + timedelta(days=1):
            self.find("", 0, 0, f"{day(self.out.saved_at)} {self.out.saved_at:%H:%M}",
                      M.FUTURE_SAVE_DATE.format(found=day(self.out.saved_at)), "warning")
            self.out.saved_at = None
        if self.out.modified and self.out.modified > now + timedelta(days=1):
            self.out.modified = None

    def other_period(self, meta: dict[str, str]) -> bool:
        """Periods are compared as days, not spellings; a file of another period is refused."""
        label, found = meta.get("reporting_period", ""), self.out.period
        expected_text = self.roadmap.reporting_period
        if not expected_text:
            return False
        expected = self.roadmap.period
        same = found.same_as(expected) if found and expected else fold(label) == fold(expected_text)
        if not same:
            self.out.rejected = M.WRONG_PERIOD.format(found=describe(found, label),
                                                      expected=describe(expected, expected_text))
        return not same

    # ---- items ----------------------------------------------------------------------------
    def items(self, school) -> None:
        rows = self.raw.sheets[ITEMS_SHEET]
        header = next((n for n, row in enumerate(rows) if row and _text(row[0]) == _COLUMN_TITLES["key"]), None)
        if header is None:
            self.out.rejected = M.NO_HEADER.format(sheet=ITEMS_SHEET)
            return
        version = self.raw.meta.get("template_version", "")
        titles = [title for key, title, _ in ITEM_COLUMNS if not (version == "1" and key == CHECK_COLUMN)]
        if self.columns_changed(ITEMS_SHEET, header, rows[header], titles):
            return
        items, by_number, sections = self.lists.items, self.lists.by_number, self.lists.sections
        expected = items_for_school(self.roadmap, school)
        seen: set[str] = set()
        for index in range(header + 1, len(rows)):
            row = version_row(list(rows[index]) + [None] * len(ITEM_COLUMNS), version)
            number = index + 1
            key = _text(row[COL["key"]])
            if not key and not _answered(row):
                continue  # a section heading or an empty row
            if not key:
                key = by_number.get(_text(row[COL["number"]]).rstrip("."), "")
            if self.moved(number, row, key):
                if key in items and key not in seen:  # the item is there, its answers are not
                    seen.add(key)
                    self.out.records.append(Record(self.out.school, key, items[key][0].number, items[key][1].number,
                                                   items[key][1].event, items[key][1].deadline.text,
                                                   items[key][1].result, file=self.raw.name, row=number, problems=1))
                continue
            if key in items:
                if key in seen:
                    self.find(ITEMS_SHEET, number, COL["number"], row[COL["number"]],
                              M.ROW_DUPLICATE.format(number=items[key][1].number))
                    continue
                seen.add(key)
                self.item_row(number, row, *items[key])
            elif key.startswith(OWN_PREFIX) and key[1:].rsplit(".", 1)[0] in sections:
                self.own_row(number, row, sections[key[1:].rsplit(".", 1)[0]].number, key)
            elif _answered(row) or _text(row[COL["event"]]):
                self.find(ITEMS_SHEET, number, COL["key"], key, M.ROW_UNKNOWN.format(key=key or "—"))
                self.own_row(number, row, "", key or f"{OWN_PREFIX}?{number}", counted=1)
        for key in sorted(expected - seen, key=lambda k: [int(p) if p.isdigit() else 0 for p in k.split(".")]):
            self.find(ITEMS_SHEET, 0, 0, "", M.ROW_MISSING.format(number=items[key][1].number))

    @staticmethod
    def latin(value: str, allowed: dict[str, str]) -> str:
        """The message for a list value refused because it holds Latin look-alike letters, or ""."""
        letters = latin_letters(value, allowed)
        if not letters:
            return ""
        meant = allowed.get(fold(value.translate(_LOOKALIKE)))
        return M.LATIN_LETTERS.format(value=value, letters=letters,
                                      meant=M.LATIN_MEANT.format(meant=meant) if meant else "")

    def moved(self, number: int, row: list, key: str) -> bool:
        """The school's cells of this row belong to another row: the «Контроль» cell, locked
        inside the yellow block, moved with them when a selection of the block was sorted.
        Such a row is named and not counted (which of its cells moved cannot be known)."""
        check = _text(row[COL["check"]])
        if not check or not key or check == key:
            return False
        if not _answered(row):
            return False  # nothing filled in: nothing was moved that could be counted
        found = self.lists.items.get(check)
        shown = found[1].number.rstrip(".") if found else check
        self.find(ITEMS_SHEET, number, COL["check"], check, M.ROW_MOVED.format(
            found=shown, expected=self.lists.items[key][1].number.rstrip(".") if key in self.lists.items else key))
        return True

    def item_row(self, number: int, row: list, section, item) -> None:
        before = len(self.out.findings)
        for column, expected in (("number", item.number), ("event", item.event), ("deadline", item.deadline.text),
                                 ("result_expected", item.result)):
            found = _text(row[COL[column]])
            if not _same(found, expected):
                self.find(ITEMS_SHEET, number, COL[column], found,
                          M.LOCKED_CHANGED.format(column=_COLUMN_TITLES[column], expected=_short(expected)))
        record = Record(self.out.school, item.key, section.number, item.number, item.event, item.deadline.text,
                        item.result, file=self.raw.name, row=number)
        self.school_columns(number, row, record)
        if not _text(row[COL["status"]]) and not record.filled:
            # an item nobody reported on: every item of the school needs a status
            self.find(ITEMS_SHEET, number, COL["status"], "",
                      M.STATUS_MISSING.format(number=item.number.rstrip("."), not_started=self.lists.not_started))
        record.problems = len(self.out.findings) - before
        self.out.records.append(record)

    def own_row(self, number: int, row: list, section: str, key: str, counted: int = 0) -> None:
        before = len(self.out.findings) - counted
        event = _text(row[COL["event"]])
        deadline = _text(row[COL["deadline"]])
        if not event and not _text(row[COL["deadline"]]) and not _text(row[COL["result_expected"]]) \
                and not _answered(row):
            return  # an unused row for own events
        if not event:
            self.find(ITEMS_SHEET, number, COL["event"], "", M.OWN_EVENT_EMPTY)
        if deadline and fold(deadline) not in self.lists.vocabulary:
            if parse_deadline(deadline, self.roadmap.period_start, self.roadmap.period_end).flagged:
                self.find(ITEMS_SHEET, number, COL["deadline"], deadline,
                          self.latin(deadline, self.lists.vocabulary) or M.OWN_DEADLINE_INVALID.format(value=deadline))
        else:
            deadline = self.lists.vocabulary.get(fold(deadline), deadline)
        record = Record(self.out.school, key, section, "доп.", event, deadline, _text(row[COL["result_expected"]]),
                        own=True, file=self.raw.name, row=number)
        self.school_columns(number, row, record)
        record.problems = len(self.out.findings) - before
        self.out.records.append(record)

    def school_columns(self, number: int, row: list, record: Record) -> None:
        raw_status = _text(row[COL["status"]])
        if raw_status:
            record.status = self.lists.statuses.get(fold(raw_status))
            if record.status is None:
                self.find(ITEMS_SHEET, number, COL["status"], raw_status,
                          self.latin(raw_status, self.lists.statuses) or
                          M.STATUS_INVALID.format(value=raw_status,
                                                  allowed=", ".join(s.name for s in self.roadmap.statuses)))
        record.date_done = self.date(number, row[COL["date_done"]])
        record.date_cell = self.address(ITEMS_SHEET, number, COL["date_done"])
        raw_executor = _text(row[COL["executor"]])
        if raw_executor:
            record.executor = self.lists.executors.get(fold(raw_executor))
            if record.executor is None:  # an alias of a listed executor ("ДО")
                found = self.lists.catalogue.find(raw_executor)
                record.executor = found.name if found and fold(found.name) in self.lists.executors else None
            if record.executor is None:
                self.find(ITEMS_SHEET, number, COL["executor"], raw_executor,
                          self.latin(raw_executor, self.lists.executors) or
                          M.EXECUTOR_INVALID.format(value=raw_executor))
        record.result = _text(row[COL["result"]])
        record.link = _text(row[COL["link"]])
        record.comment = _text(row[COL["comment"]])
        if record.link and not _URL.match(record.link):
            self.find(ITEMS_SHEET, number, COL["link"], record.link, M.LINK_INVALID.format(value=record.link))
        if record.status in self.lists.done and not record.date_done and not record.result:
            self.find(ITEMS_SHEET, number, COL["date_done"], "", M.DONE_NEEDS_EVIDENCE.format(status=record.status))
        if not raw_status and (record.filled or record.own):
            self.find(ITEMS_SHEET, number, COL["status"], "", M.STATUS_EMPTY)

    def date(self, number: int, value: Any) -> date | None:
        if value in (None, ""):
            return None
        try:
            value = cell_date(value)
        except ValueError:
            text = _text(value)
            self.find(ITEMS_SHEET, number, COL["date_done"], text, M.DATE_INVALID.format(value=text))
            return None
        dates = values.date_range(self.roadmap)
        if dates and not dates[0] <= value <= dates[1]:
            start, end = dates
            self.find(ITEMS_SHEET, number, COL["date_done"], value,
                      M.DATE_OUTSIDE.format(value=day(value), start=day(start), end=day(end))
                      + (M.DATE_AS_DAY_NUMBER if value.year < 1960 else ""))
        return value

    def columns_changed(self, sheet: str, index: int, row: list, titles: list[str]) -> bool:
        """A column inserted or deleted (on a sheet whose protection was removed) shifts every value
        into another column's place: the file is refused, naming the first title out of place."""
        for col, title in enumerate(titles):
            found = _text(row[col]) if col < len(row) else ""
            if found != title:
                self.out.rejected = M.COLUMNS_CHANGED.format(sheet=sheet, cell=f"{column_letter(col)}{index + 1}",
                                                             expected=title, found=found or "пусто")
                self.out.records.clear()  # nothing of a refused file is counted
                self.out.indicators.clear()
                return True
        return False

    # ---- indicators -----------------------------------------------------------------------
    def indicators(self) -> None:
        rows = self.raw.sheets.get(INDICATORS_SHEET)
        if rows is None:
            self.find("", 0, 0, "", M.NO_ITEMS_SHEET.format(sheet=INDICATORS_SHEET))
            return
        if self.columns_changed(INDICATORS_SHEET, 1, rows[1] if len(rows) > 1 else [],
                                [title for _, title, _ in INDICATOR_COLUMNS]):
            return
        by_code = {}
        for index, row in enumerate(rows):
            if row and _text(row[0]):
                by_code.setdefault(_text(row[0]), (index + 1, list(row) + [None] * len(IND_COL)))
        for indicator in self.roadmap.indicators:
            if indicator.code not in by_code:
                self.find(INDICATORS_SHEET, 0, 0, "", M.INDICATOR_MISSING.format(code=indicator.code))
                continue
            number, row = by_code[indicator.code]
            shown_as_percent = percents.shown_as_percent(self.raw, number - 1, IND_COL["value"])
            raw = percents.as_meant(indicator.kind, row[IND_COL["value"]], shown_as_percent)
            comment = _text(row[IND_COL["comment"]])
            before = len(self.out.findings)
            value = self.indicator_value(indicator, number, raw)
            if value is None and comment and _number(comment.split()[0]) is not None:
                self.find(INDICATORS_SHEET, number, IND_COL["value"], "",
                          M.INDICATOR_IN_COMMENT.format(code=indicator.code, comment=_short(comment)), "warning")
            fraction = percents.is_fraction(indicator.kind, value, shown_as_percent)
            if fraction:
                self.find(INDICATORS_SHEET, number, IND_COL["value"], value,
                          percents.small_percent(indicator.code, value), "warning")
            self.out.indicators.append(IndicatorValue(
                self.out.school, indicator.code, value, comment, len(self.out.findings) - before,
                fraction_cell=f"{column_letter(IND_COL['value'])}{number}" if fraction else ""))

    def indicator_value(self, indicator, number: int, raw: Any):
        col = IND_COL["value"]
        if raw in (None, ""):
            return None
        text = _text(raw)
        if indicator.kind == IndicatorKind.YESNO:
            key = fold(text)
            if key in ("да", "yes", "1", "истина", "true"):
                return True
            if key in ("нет", "no", "0", "ложь", "false"):
                return False
            self.find(INDICATORS_SHEET, number, col, text, self.latin(text, {"да": "да", "нет": "нет"}) or
                      M.INDICATOR_YESNO.format(value=text, code=indicator.code))
            return None
        if isinstance(raw, bool):
            raw = None
        number_value = raw if isinstance(raw, (int, float)) else _number(text)
        if number_value is None or not math.isfinite(number_value):
            self.find(INDICATORS_SHEET, number, col, text, M.INDICATOR_NOT_NUMBER.format(value=text, code=indicator.code))
            return None
        rule = values.indicator_rule(indicator)
        if rule.whole and not float(number_value).is_integer():
            self.find(INDICATORS_SHEET, number, col, text, M.INDICATOR_NOT_WHOLE.format(value=text, code=indicator.code))
            return None
        if not rule.low <= number_value <= rule.high:
            self.find(INDICATORS_SHEET, number, col, text,
                      M.INDICATOR_RANGE.format(value=text, code=indicator.code, low=_fmt(rule.low),
                                               high=_fmt(rule.high)))
            return None
        return number_value


def _number(text: str) -> float | None:
    cleaned = text.replace("\xa0", "").replace(" ", "").replace(",", ".").rstrip("%")
    try:
        return float(cleaned)
    except ValueError:
        return None


def _fmt(value) -> str:
    return "…" if value is None else exact(value)


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def check_submission(raw: RawSubmission, roadmap: Roadmap, fingerprint: str | None = None) -> CheckedSubmission:
    """Check one read submission against the master (``fingerprint``: master.roadmap_fingerprint);
    never raises for a wrong file."""
    return _Checker(raw, roadmap, fingerprint).run()

