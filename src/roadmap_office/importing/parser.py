"""Blocks of a roadmap document -> roadmaps: header by meaning, sections, items, continuations.

One document may hold several roadmaps (an order with appendices): each table header starts
one, and the paragraphs before it (appendix line, title, passport) describe it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from ..deadlines import parse_deadline, section_deadlines
from ..executors import Catalogue
from ..model import Aggregation, Indicator, IndicatorKind, Item, Roadmap, Section
from .. import presentation
from .blocks import ITEM_NUMBER, Block, Para, Row

# column roles recognised in header cells, by meaning, in any order and wording
HEADER_PATTERNS = [
    ("number", r"^№|номер|^п/п|^n\s*(?:п/п|$)"),
    ("deadline", r"срок|период\s+(?:реализации|исполнения|проведения)|дата\s+(?:проведения|исполнения)"),
    ("executors", r"исполнител|ответственн"),
    ("result", r"результат|планируем\w*\s|показател"),
    ("event", r"мероприяти|наименование|содержание"),
]
_ITEM_NUMBER = ITEM_NUMBER
_ROMAN = re.compile(r"^[IVXХ]{1,5}\.?$")
_SECTION_IN_CELL = re.compile(r"^(?P<number>(?:\d{1,2}|[IVXХ]{1,5})\.)\s*(?P<title>[А-ЯЁA-Z«\"].*)$", re.DOTALL)
_PERIOD = re.compile(r"на\s+(\d{4})\s*[-–—/]\s*(\d{4})\s*(?P<school>учебн\w*\s+год\w*|уч\.\s*г\w*\.?)?", re.IGNORECASE)
_ONE_YEAR = re.compile(r"на\s+(\d{4})\s*(?:год|г\.)", re.IGNORECASE)
_ROADMAP_NUMBER = re.compile(r"дорожн\w*\s+карт\w*\W{0,3}\s*(\d+(?:\.\d+)*)", re.IGNORECASE)
_APPENDIX = re.compile(r"^\**\s*ПРИЛОЖЕНИЕ\s*№?\s*(\d+)", re.IGNORECASE)
_PERCENT = re.compile(r"(\d+(?:[.,]\d+)?)\s*%")
# a count target of a passport: "не менее 600 человек"
_COUNT = re.compile(r"(?P<bound>не менее|не более|не ниже|более|свыше)\s+(?P<value>\d+(?:\s\d{3})*)\s*"
                    r"(?P<unit>человек|чел\.|обучающихся|педагогов|участников|мероприятий|объединений|единиц|ед\.)",
                    re.IGNORECASE)
_MONTHS = r"\b(?:январ|феврал|март|апрел|ма[йя]|июн|июл|август|сентябр|октябр|ноябр|декабр)"


def _passport_like(text: str) -> bool:
    return _target_like(text) or bool(re.match(r"^(цел|задач|паспорт|показател)", text, re.I))


def _target_like(text: str) -> bool:
    return bool(_PERCENT.search(text) or _COUNT.search(text))


@dataclass
class Draft:
    """One roadmap table found in a document, before interpretation."""

    preamble: list[Para]
    header: Row
    roles: dict[str, int]
    body: list[Block] = field(default_factory=list)
    passport_rows: list[Row] = field(default_factory=list)  # a passport table before the roadmap table

    @property
    def title(self) -> str:
        paras = [p.text for p in self.preamble]
        # "План мероприятий ...", or "ДОРОЖНАЯ КАРТА" with the subject on the lines below
        start = max((i for i, t in enumerate(paras) if re.match(r"^\W*(?:План\b|дорожн\w*\s+карт)", t, re.I)),
                    default=None)
        if start is None:
            lines = [t for t in paras if not _APPENDIX.match(t) and not re.match(r"^(к приказу|от\s|админист|муниц)", t, re.I)
                     and not _passport_like(t)]
            lines = lines[-2:]
        else:
            lines = []
            for text in paras[start:]:
                if lines and _passport_like(text):
                    break
                lines.append(text)
        return re.sub(r"\s+", " ", " ".join(lines).replace("*", "")).strip()

    @property
    def number(self) -> str:
        match = _ROADMAP_NUMBER.search(self.title)
        return match.group(1).rstrip(".") if match else ""

    @property
    def appendix(self) -> str:
        found = [m.group(1) for m in (_APPENDIX.match(p.text) for p in self.preamble) if m]
        return found[-1] if found else ""

    @property
    def issuer(self) -> str:
        """The body whose order approves the roadmap: "к приказу департамента образования ..."."""
        paras = [p.text for p in self.preamble]
        start = next((i for i, t in enumerate(paras) if re.match(r"^к\s+(приказу|постановлению|распоряжению)", t, re.I)),
                     None)
        if start is None:
            return ""
        words = []
        for text in paras[start:]:
            if re.match(r"^от\s", text) or re.match(r"^\W*План\b", text):
                break
            words.append(text)
        body = re.sub(r"^к\s+\w+\s+", "", " ".join(words), flags=re.I)
        nominative = {"департамента": "Департамент", "министерства": "Министерство", "управления": "Управление",
                      "отдела": "Отдел", "комитета": "Комитет", "администрации": "Администрация"}
        first, _, rest = body.partition(" ")
        return (nominative.get(first.lower(), first[:1].upper() + first[1:]) + " " + rest).strip()

    @property
    def passport(self) -> list[Para]:
        """Paragraphs and passport-table cells with target values ("70 % учащихся ..."), title excluded."""
        title = {p.text for p in self.preamble if re.match(r"^\W*План\b", p.text)}
        cells = [Para(cell, row.line) for row in self.passport_rows for cell in row.cells if cell.strip()]
        return [p for p in self.preamble + cells if _target_like(p.text) and p.text not in title]


@dataclass
class ImportReport:
    """What an import found, for the Russian summary printed after it.

    ``unplaced`` lists, by line, text of the table the importer could not place in the model, and
    ``notes`` the paragraphs after it (signatures, footnotes): nothing is dropped silently.
    ``reconciliation`` counts what the source table holds (rows,
    rows with an item number, cells that read as a deadline, paragraphs) against what was
    placed; ``complete`` is True only when every source row was placed and nothing was named.
    """

    warnings: list[str] = field(default_factory=list)
    unplaced: list[str] = field(default_factory=list)  # text of the table not placed, with the reason
    notes: list[str] = field(default_factory=list)  # paragraphs after the table: signatures, footnotes
    reconciliation: dict = field(default_factory=dict)

    def warn(self, line: int, message: str) -> None:
        self.warnings.append(f"строка {line}: {message}")

    def unplace(self, line: int, text: str, reason: str = "") -> None:
        text = " ".join(text.split())
        self.unplaced.append(f"строка {line}: «{text}»" + (f" — {reason}" if reason else ""))

    def note(self, line: int, text: str) -> None:
        self.notes.append(f"строка {line}: «{' '.join(text.split())}»")

    @property
    def complete(self) -> bool:
        """True by construction: every source row counted was placed, and nothing was named."""
        counts = self.reconciliation
        return bool(counts) and not self.unplaced and counts["placed"] == counts["source_rows"] \
            and counts["numbered_placed"] == counts["numbered_rows"] \
            and counts["deadline_cells_placed"] == counts["deadline_cells"]


def find_header(cells: list[str]) -> dict[str, int] | None:
    """Column index per role if ``cells`` is a table header row, else None."""
    roles: dict[str, int] = {}
    for index, cell in enumerate(cells):
        text = re.sub(r"\s+", " ", cell.lower().replace("*", ""))
        if not text or len(text) > 60:
            continue
        for role, pattern in HEADER_PATTERNS:
            if role not in roles and re.search(pattern, text):
                roles[role] = index
                break
    if {"event", "deadline"} <= roles.keys() and len(roles) >= 4:
        return roles
    return None


def split_roadmaps(blocks: list[Block]) -> list[Draft]:
    drafts: list[Draft] = []
    pending: list[Para] = []
    pending_rows: list[Row] = []
    for block in blocks:
        roles = find_header(block.cells) if isinstance(block, Row) else None
        if roles and drafts and _repeats_header(drafts[-1], block):
            drafts[-1].body.append(block)  # the header repeated on a new page: the same table goes on
        elif roles:
            if drafts:
                # paragraphs after the previous table's last row introduce this one
                body = drafts[-1].body
                while body and isinstance(body[-1], Para):
                    pending.insert(0, body.pop())
            drafts.append(Draft(pending, block, roles, passport_rows=pending_rows))
            pending, pending_rows = [], []
        elif drafts:
            drafts[-1].body.append(block)
        elif isinstance(block, Para):
            pending.append(block)
        else:
            pending_rows.append(block)
    return drafts


def _repeats_header(draft: Draft, row: Row) -> bool:
    """The table's own header again, right after its rows: a page's repeated header, not the
    start of another roadmap (that one has its title or appendix line before it)."""
    def words(cells: list[str]) -> list[str]:
        return [" ".join(c.lower().split()) for c in cells if c.strip()]

    return words(row.cells) == words(draft.header.cells) and not (draft.body and isinstance(draft.body[-1], Para))


def _value(row: Row, roles: dict[str, int], role: str) -> str:
    index = roles.get(role)
    return row.cells[index].strip() if index is not None and index < len(row.cells) else ""


def _join(previous: str, continuation: str) -> str:
    if not previous or not continuation:
        return previous or continuation
    # a list item continues on a new line; a sentence cut by a page break goes on with a space
    return previous + ("\n" if continuation.startswith(("-", "•", "–")) else " ") + continuation


def _section_value(number: str) -> int | None:
    number = number.rstrip(".").replace("Х", "X")
    if number.isdigit():
        return int(number)
    if re.fullmatch(r"[IVX]+", number):
        values = {"I": 1, "V": 5, "X": 10}
        total = 0
        for i, ch in enumerate(number):
            value = values[ch]
            total += -value if i + 1 < len(number) and values[number[i + 1]] > value else value
        return total
    return None


def _levels(number: str) -> int:
    return len([p for p in number.rstrip(".").split(".") if p])


def build_roadmap(draft: Draft, catalogue: Catalogue, report: ImportReport) -> Roadmap:
    title = draft.title
    period_start = period_end = None
    match = _PERIOD.search(title)
    roadmap = Roadmap(title=title, issuer=draft.issuer)
    if match and match.group("school"):  # "на 2023-2024 учебный год": from its first day to the day before the next
        month, day = roadmap.school_year_start
        period_start = date(int(match.group(1)), month, day)
        period_end = date(int(match.group(2)), month, day) - timedelta(days=1)
    elif match:
        period_start, period_end = date(int(match.group(1)), 1, 1), date(int(match.group(2)), 12, 31)
    elif _ONE_YEAR.search(title):
        year = int(_ONE_YEAR.search(title).group(1))
        period_start, period_end = date(year, 1, 1), date(year, 12, 31)
    roadmap.period_start, roadmap.period_end = period_start, period_end
    structure = _Structure(draft, report)
    entries = structure.read()
    catalogue = catalogue.for_document([values.get("executors", "") for _, items in entries for _, values in items])

    running: list[int] | None = None  # numbering that runs on through the sections ("1." ... "7.")
    for sec, items in entries:
        running = _check_numbers(sec, items, report, running)
        deadlines = section_deadlines([values.get("deadline", "") for _, values in items], period_start, period_end,
                                      roadmap.school_year_start)
        for (line, values), (deadline, from_context) in zip(items, deadlines):
            executors, agreed = catalogue.resolve_cell(values.get("executors", ""), add_unknown=True)
            if deadline.flagged:
                report.warn(line, f"срок «{deadline.text}» не распознан (мероприятие {values.get('number', '')})")
            elif from_context:
                report.warn(line, f"в сроке «{deadline.text}» нет года: он взят из сроков соседних мероприятий "
                                  f"раздела — {presentation.day(deadline.start)}–{presentation.day(deadline.end)} "
                                  f"(мероприятие {values.get('number', '')}); проверьте")
            sec.items.append(Item(values.get("number", ""), values.get("event", ""), deadline, executors,
                                  values.get("result", ""), note=values.get("note", ""), by_agreement=agreed))
        roadmap.sections.append(sec)
    _unique_keys(roadmap)
    roadmap.executors = catalogue.executors
    roadmap.deadline_vocabulary = sorted({i.deadline.text for i in roadmap.items if i.deadline.text}, key=str.lower)
    trailing = structure.trailing
    roadmap.indicators = passport_indicators(draft.passport + [p for p in trailing if _target_like(p.text)])
    for para in trailing:
        if not _target_like(para.text):
            report.note(para.line, para.text)
    _reconcile(draft, structure, entries, roadmap, report)
    return roadmap


def _reconcile(draft: Draft, structure: _Structure, entries, roadmap: Roadmap, report: ImportReport) -> None:
    """Count what the source table holds and check it against what was placed.

    Counted independently of how rows were interpreted: cells holding an item number alone, and
    cells that read as a deadline. A number that did not become the number of an item (or of a
    section) on its row, or a deadline that is in no item's deadline, is named with its text:
    rows glued or shifted by a layout the reader misunderstood never pass as "all placed".
    """
    roles = draft.roles
    placed_numbers = {(int(values["_line"]), values.get("number", "").strip())
                      for _, items in entries for _, values in items}
    deadline_texts = [" ".join(i.deadline.text.split()).lower() for i in roadmap.items]
    numbered = numbered_placed = deadline_cells = deadline_placed = 0
    for row, fate in structure.fates:
        if fate == "service":
            continue
        number = _value(row, roles, "number")
        well_formed = fate == "item" and _ITEM_NUMBER.match(number)
        reasons = [row.problem] if row.problem else []
        if fate == "continuation" and _own_item(row, roles, roadmap):
            reasons.append("строка присоединена к предыдущему мероприятию, но похожа на отдельное "
                           "мероприятие (свой номер или своё мероприятие со сроком): возможно, номер пропущен "
                           "или две строки слились")
        for index, cell in enumerate(row.cells):
            text = " ".join(cell.split())
            # in a well-formed item row a number may be a result ("100"), never an event or executor
            if not text or well_formed and index not in (roles.get("number"), roles.get("deadline"),
                                                          roles.get("event"), roles.get("executors")):
                continue
            if _ITEM_NUMBER.match(text) and (well_formed or index != roles.get("deadline")):
                numbered += 1
                if fate == "section" and index == roles.get("number") or (row.line, text) in placed_numbers:
                    numbered_placed += 1
                else:
                    reasons.append(f"номер «{text}» не стал номером мероприятия")
            elif _deadline_like(text, roadmap) and (not well_formed or index == roles.get("deadline")):
                deadline_cells += 1
                if any(text.lower() in placed for placed in deadline_texts):
                    deadline_placed += 1
                else:
                    reasons.append(f"срок «{text}» не стал сроком мероприятия")
        if reasons:
            report.unplace(row.line, " | ".join(c for c in row.cells if c.strip()),
                           "; ".join(reasons) + "; проверьте эту строку в документе")
    fates = [fate for _, fate in structure.fates]
    report.reconciliation = {
        "source_rows": len(fates),
        "numbered_rows": numbered,
        "deadline_cells": deadline_cells,
        "paragraphs": sum(1 for block in draft.body if isinstance(block, Para)),
        "placed": sum(1 for fate in fates if fate in ("item", "section", "continuation", "service")),
        "items": len(roadmap.items),
        "sections": len(roadmap.sections),
        "continuations": fates.count("continuation"),
        "numbered_placed": numbered_placed,
        "deadline_cells_placed": deadline_placed,
        "named": list(report.unplaced),
        "notes": list(report.notes),
    }


def _own_item(row: Row, roles: dict[str, int], roadmap: Roadmap) -> bool:
    """A row read as a continuation that looks like an item (or items) of its own: numbers in its
    «№» cell that are no item number («2.2.1. 2.2.2.», two rows run together), or an event that
    starts as a sentence does (a text cut by a page break goes on in lower case) with a deadline
    that reads alone."""
    event, deadline = _value(row, roles, "event"), _value(row, roles, "deadline")
    if re.search(r"\d", _value(row, roles, "number")):
        return True
    return event[:1].isupper() and bool(deadline) and \
        not parse_deadline(deadline, roadmap.period_start, roadmap.period_end).flagged


def _deadline_like(text: str, roadmap: Roadmap) -> bool:
    """A whole cell that reads as a dated deadline ("Январь 2021 г.", "1 полугодие 2021 г.")."""
    if len(text) > 60 or not re.search(r"\d{4}|" + _MONTHS, text, re.IGNORECASE):
        return False
    return not parse_deadline(text, roadmap.period_start, roadmap.period_end).flagged


# a heading: "2. Меры", "2.Меры"; without the dot only before a capital ("3 Меры", "II Мероприятия")
_HEADING = re.compile(r"^(?:Раздел\s+)?(?P<number>(?:\d{1,2}(?:\.\d{1,2})*|[IVXХ]{1,5}))(?:\.\s*(?P<title>\S.*)|\s+(?!(?:Январ|Феврал|Март|Апрел|Ма[йяе]|Июн|Июл|Август|Сентябр|Октябр|Ноябр|Декабр))(?P<bare>[А-ЯЁA-Z«\"].*))$",
                      re.DOTALL)


def _heading(text: str) -> tuple[str, str] | None:
    """(number with its dot, title) of a section heading, or None."""
    match = _HEADING.match(text)
    if not match:
        return None
    return match.group("number") + ".", match.group("title") or match.group("bare")


class _Structure:
    """The body of one roadmap -> sections with their item rows; every text placed or reported.

    An unnumbered heading under a numbered section is a sub-heading: it continues the numbered
    section ("1. Организационная работа. С педагогами"), never leaving it empty. A heading with no
    items of its own followed by deeper numbered headings is a part that holds them
    ("II. Дошкольное образование" / "3. Кадровое обеспечение" -> "II.3.").
    """

    def __init__(self, draft: Draft, report: ImportReport) -> None:
        self.draft, self.report = draft, report
        self.entries: list[tuple[Section, list[tuple[int, dict[str, str]]]]] = []
        self.parent: Section | None = None  # the numbered section sub-headings continue
        self.parent_title = ""
        self.part: Section | None = None  # a part holding numbered sections
        self.last_item: dict[str, str] | None = None
        self.previous_values: dict[str, str] = {}
        width = max([len(r.cells) for r in self._rows()] + [len(draft.header.cells)])
        self.extra = [i for i in range(width) if i not in draft.roles.values()]  # columns of no known role
        self.from_paras: set[int] = set()  # sections opened by a paragraph (may be a trailing note)
        self.para_lines: dict[int, list[tuple[int, str]]] = {}
        self.trailing: list[Para] = []  # paragraphs after the last item: an explanatory note, signatures
        self.fates: list[tuple[Row, str]] = []  # every body row and what it became

    def _rows(self) -> list[Row]:
        return [b for b in self.draft.body if isinstance(b, Row)]

    def read(self) -> list[tuple[Section, list[tuple[int, dict[str, str]]]]]:
        rows = self._rows()
        numbered = [_value(r, self.draft.roles, "number") for r in rows]
        row_index = -1
        for block in self.draft.body:
            if isinstance(block, Para):
                heading = _heading(block.text)
                if heading:
                    self.section(*heading)
                else:
                    count = len(self.entries)
                    self.section("", block.text)
                    if len(self.entries) > count:
                        self.from_paras.add(id(self.entries[-1][0]))
                self.para_lines.setdefault(id(self.entries[-1][0]), []).append((block.line, block.text))
                continue
            row_index += 1
            self.row(block, numbered[row_index + 1:])
        self._drop_trailing_notes()
        return self.entries

    def row(self, row: Row, following: list[str]) -> None:
        fate = self._row(row, following)
        self.fates.append((row, fate))

    def _row(self, row: Row, following: list[str]) -> str:
        """Place one row; returns its fate: item, section, continuation or service (blank, header)."""
        roles = self.draft.roles
        if not any(c.strip() for c in row.cells) or all(set(c.strip()) <= set("-–—") for c in row.cells):
            return "service"
        if find_header(row.cells) or all(c.strip().isdigit() for c in row.cells if c.strip()):
            return "service"  # a header repeated on a new page, or the row of column numbers
        values = {role: _value(row, roles, role) for role in roles}
        extra = "; ".join(row.cells[i].strip() for i in self.extra if i < len(row.cells) and row.cells[i].strip())
        number = values.get("number", "")
        content = any(values.get(r) for r in ("deadline", "executors", "result"))
        filled = [c.strip() for c in row.cells if c.strip()]
        if len(filled) == 1 and not content and (row.spanning or _HEADING.match(filled[0]) and not number):
            heading = _heading(filled[0])
            if heading:
                self.section(*heading)
            else:
                self.section("", filled[0])
            return "section"
        if number and not values.get("event") and not content and _SECTION_IN_CELL.match(number):
            m = _SECTION_IN_CELL.match(number)
            self.section(m.group("number"), m.group("title"))
            self._unplaced(row.line, extra)
            return "section"
        if _ITEM_NUMBER.match(number):
            next_number = next((n for n in following if _ITEM_NUMBER.match(n)), "")
            has_children = _levels(next_number) > _levels(number)
            if values.get("event") and not content and (_levels(number) == 1 or has_children):
                self.section(number, values["event"])
                self._unplaced(row.line, extra)
                return "section"
            # a cell merged with the one above belongs to this item too
            for role, index in roles.items():
                if index in row.merged and not values.get(role) and role != "number":
                    values[role] = self.previous_values.get(role, "")
            values["note"] = extra
            self.add_item(row.line, values)
            return "item"
        if number and not content and not values.get("event"):
            self.section(*(_heading(number) or ("", number)))  # a section title written across the table
            self._unplaced(row.line, extra)
            return "section"
        if self.last_item is not None:
            for role, value in values.items():
                if role == "number" and value:
                    self.last_item["event"] = _join(self.last_item.get("event", ""), value)
                elif role == "executors" and value:
                    self.last_item[role] = "\n".join(v for v in (self.last_item.get(role, ""), value) if v)
                elif role != "number" and not (row.merged and roles.get(role) in row.merged):
                    self.last_item[role] = _join(self.last_item.get(role, ""), value)
            self.last_item["note"] = _join(self.last_item.get("note", ""), extra)
            return "continuation"
        self.report.warn(row.line, "строка без номера до первого мероприятия добавлена как мероприятие без номера")
        values["note"] = extra
        self.add_item(row.line, values)
        return "item"

    def add_item(self, line: int, values: dict[str, str]) -> None:
        values["_line"] = str(line)
        if not self.entries:
            self.entries.append((Section("", ""), []))
        self.entries[-1][1].append((line, values))
        self.last_item = values
        self.previous_values = dict(values)

    def section(self, number: str, title: str) -> None:
        title = re.sub(r"\s+", " ", title).strip()
        current, items = self.entries[-1] if self.entries else (None, [])
        if not number:
            if current is not None and not items and id(current) in self.from_paras | {id(self.parent)}:
                # consecutive headings: one title ("1. Работа с кадрами. С педагогами")
                replaced = Section(current.number, f"{current.title}. {title}" if current.title else title)
                self._replace(replaced, keep_parent=current is self.parent)
                return
            if self.parent is not None:
                self.entries.append((Section(self.parent.number, f"{self.parent_title}. {title}"), []))
            else:
                self.entries.append((Section("", title), []))
            self.last_item = None
            return
        if current is not None and not items and current.number and _deeper(current.number, number):
            self.part = current
        elif self.part is not None and not _deeper(self.part.number, number):
            self.part = None
        if self.part is not None:
            new = Section(_nest(self.part.number, number), f"{self.part.title}. {title}")
            if current is self.part:
                self.entries[-1] = (new, [])
            else:
                self.entries.append((new, []))
        else:
            new = Section(number, title)
            self.entries.append((new, []))
        self.parent, self.parent_title = new, new.title
        self.last_item = None

    def _replace(self, section: Section, keep_parent: bool) -> None:
        old = self.entries[-1][0]
        self.entries[-1] = (section, [])
        if id(old) in self.from_paras:
            self.from_paras.add(id(section))
            self.para_lines[id(section)] = self.para_lines.pop(id(old), [])
        if keep_parent:
            self.parent = section
        self.last_item = None

    def _unplaced(self, line: int, text: str) -> None:
        if text:
            self.report.unplace(line, text)

    def _drop_trailing_notes(self) -> None:
        """Paragraphs after the last item (signatures, notes) are not sections: kept aside, not invented."""
        while self.entries and not self.entries[-1][1] and id(self.entries[-1][0]) in self.from_paras:
            section, _ = self.entries.pop()
            self.trailing[:0] = [Para(text, line) for line, text in self.para_lines.get(id(section), [])]


def _deeper(outer: str, inner: str) -> bool:
    """True when ``inner`` is numbered below ``outer``: a Roman part and an Arabic section, "1." and "1.2."."""
    outer_roman, inner_roman = bool(_ROMAN.match(outer)), bool(_ROMAN.match(inner))
    if outer_roman and not inner_roman:
        return True
    if not outer_roman and not inner_roman:
        return _levels(inner) > _levels(outer) and inner.startswith(outer.rstrip(".") + ".")
    return False


def _nest(outer: str, inner: str) -> str:
    return inner if inner.startswith(outer.rstrip(".") + ".") else outer.rstrip(".") + "." + inner


def _check_numbers(section: Section, items: list[tuple[int, dict[str, str]]], report: ImportReport,
                   running: list[int] | None = None) -> list[int] | None:
    """Numbering stays as printed; probable typos and gaps become warnings. ``running`` is the last
    one-level number of the sections before: a numbering that runs on across sections is checked too;
    returns this section's last one-level number (or ``running`` when it has none)."""
    expected = _section_value(section.number)
    first = next((values.get("number", "") for _, values in items if values.get("number", "")), "")
    runs_on = running is not None and re.fullmatch(r"\d+\.?", first) and int(first.rstrip(".")) != 1
    previous: list[int] | None = running if runs_on else None
    for line, values in items:
        number = values.get("number", "")
        parts = [int(p) for p in number.rstrip(".").split(".") if p.isdigit()]
        if not parts:
            continue
        if expected and len(parts) == 1 and parts[0] > 9 and str(parts[0]).startswith(str(expected)):
            rest = str(parts[0])[len(str(expected)):]
            report.warn(line, f"номер «{number}» в разделе {section.number} похож на опечатку: "
                              f"вероятно, «{expected}.{rest}.»")
            parts = [expected, int(rest)]
        elif expected and len(parts) > 1 and parts[0] != expected:
            report.warn(line, f"номер «{number}» не соответствует разделу {section.number}")
        if previous and len(parts) == len(previous) and parts[:-1] == previous[:-1] and parts[-1] > previous[-1] + 1:
            report.warn(line, f"после мероприятия {'.'.join(map(str, previous))} идёт {number}: пропущен номер?")
        previous = parts
    return previous if previous and len(previous) == 1 else running


def _unique_keys(roadmap: Roadmap) -> None:
    """Item keys must be unique: numbering restarting in a section takes the section's number
    ("II.1" + "1" -> "II.1.1"); a number printed twice (or a typo) gets a suffix."""
    seen: dict[str, int] = {}
    for section in roadmap.sections:
        for item in section.items:
            key = item.key or "б/н"
            prefix = section.number.rstrip(".")
            if key in seen and prefix and not key.startswith(prefix + "."):
                key = f"{prefix}.{key}"
            if key in seen:
                seen[key] += 1
                item.key = f"{key}-{seen[key]}"
            else:
                seen[key] = 1
                item.key = key


def passport_indicators(paras: list[Para]) -> list[Indicator]:
    """Target values in a passport or an explanatory note, one indicator per value (a percentage,
    or a count with its unit: "не менее 600 человек").

    "не менее 65 % обучающихся вовлечены в волонтёрскую деятельность" -> percent, target
    "не менее 65 %"; "в 100 % ОО действуют школьные спортивные клубы" -> yes/no per school,
    target "100 % ОО". Values come as paragraphs, one per line, or a list inside one cell.
    """
    indicators: list[Indicator] = []
    seen: set[str] = set()
    for para in paras:
        for sentence in re.split(r";\s*|\n|(?<=[.»)])\s+(?=\d{1,2}[.)]\s)|\s+(?=[•·▪]\s)", para.text):
            sentence = re.sub(r"^\s*(?:[-–—•·▪*]|\d{1,2}[.)](?!\d))\s*", "", sentence)
            sentence = re.sub(r"^[^:%]{0,40}:\s*", "", sentence)  # "Целевые показатели: ..."
            sentence = re.sub(r"^\s*(?:[-–—•·▪*]|\d{1,2}[.)](?!\d))\s*", "", sentence)
            match = _PERCENT.search(sentence)
            count = None if match else _COUNT.search(sentence)
            if not match and not count:
                continue
            indicator = _indicator(sentence, match, len(indicators) + 1) if match else \
                _count_indicator(sentence, count, len(indicators) + 1)
            if indicator.name.lower() not in seen:
                seen.add(indicator.name.lower())
                indicators.append(indicator)
    return indicators


def _indicator(sentence: str, match: re.Match, number: int) -> Indicator:
    value = match.group(1).replace(".", ",")
    before = sentence[: match.start()].strip(" -–—:,")
    bound = re.search(r"(не менее|не более|не ниже|не выше|до|более|менее|свыше)$", before, re.IGNORECASE)
    bound_text = bound.group(1).lower() + " " if bound else ""
    name = before[: bound.start()].strip(" -–—:,") if bound else before
    name = re.sub(r"^(?:в|во)$", "", name, flags=re.IGNORECASE).strip()
    rest = sentence[match.end():].strip(" .;:,")
    schools = re.match(r"^(ОУ|ОО|ОбОО|школ\w*|общеобразовательных организаци\w*|образовательных организаци\w*)"
                       r"\s+(.*)$", rest, re.IGNORECASE)
    in_schools = not name or re.search(r"(?:^|\s)(?:в|во)$", name, re.IGNORECASE)  # "в 100 % ОО действуют ..."
    if schools and in_schools:
        return Indicator(f"П{number}", _capital(schools.group(2)), "да/нет", IndicatorKind.YESNO,
                         aggregation=Aggregation.SHARE_YES, target=f"{bound_text}{value} % ОО")
    text = f"{name} {rest}".strip() if name else rest
    return Indicator(f"П{number}", _capital(text), "%", IndicatorKind.PERCENT, 0, 100, Aggregation.WEIGHTED_MEAN,
                     target=f"{bound_text}{value} %")


def _count_indicator(sentence: str, match: re.Match, number: int) -> Indicator:
    """"участие в конкурсах — не менее 600 человек ежегодно" -> a count with its unit, summed over schools."""
    name = sentence[: match.start()].strip(" -–—:,")
    rest = sentence[match.end():].strip(" .;:,")
    unit = {"чел.": "человек", "ед.": "единиц"}.get(match.group("unit").lower(), match.group("unit").lower())
    value = re.sub(r"\s", "", match.group("value"))
    text = f"{name} {rest}".strip() if name else rest
    return Indicator(f"П{number}", _capital(text), unit, IndicatorKind.COUNT, 0, None, Aggregation.SUM,
                     target=f"{match.group('bound').lower()} {value} {unit}")


def _capital(text: str) -> str:
    text = re.sub(r"\s+", " ", text).strip(" .;")
    return text[:1].upper() + text[1:]
