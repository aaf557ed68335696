"""Read an ODS or XLSX workbook in one pass: the cells, and the facts the check needs.

Each part of the zip is parsed once (:mod:`.xmlevents`); the readers of :mod:`.ods` and
:mod:`.xlsx` check the limits and the values' syntax while they take the cells, so a file over
the limits of :mod:`.limits` is refused with a Russian reason before anything larger than it
is built. Nothing is evaluated: a formula cell holds its formula text. The same code runs on
the server (lxml tokenizes) and inside LibreOffice (the standard library tokenizes).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Dict, List, Optional, Set, Tuple

from ..sheets.spec import column_letter
from . import limits as L
from .zipsafe import Archive, ContainerError

Rows = List[List[Any]]


@dataclass
class FormulaCell:
    sheet: str
    cell: str  # A1
    formula: str


@dataclass
class Book:
    """A workbook as read: {sheet: rows of values} and what was found around the values."""

    kind: str  # "ods" | "xlsx"
    sheets: Dict[str, Rows] = field(default_factory=dict)
    formulas: List[FormulaCell] = field(default_factory=list)
    # sheet -> 0-based (row, column) of numeric cells shown as a percentage (0.45 shown as 45 %)
    percent_cells: Dict[str, Set[Tuple[int, int]]] = field(default_factory=dict)
    # sheet -> merged areas, 0-based inclusive (first_row, first_col, last_row, last_col)
    merges: Dict[str, List[Tuple[int, int, int, int]]] = field(default_factory=dict)
    # sheets whose protection is on (a sheet unprotected by the school can be sorted or pasted
    # over in part, which the check cannot see)
    protected: Set[str] = field(default_factory=set)
    saved_at: Optional[datetime] = None  # when the office application last saved it
    has_macros: bool = False


def read_book(data: bytes, pure: bool = False, skip: frozenset = frozenset()) -> Book:
    """Read a workbook's bytes; raises :class:`ContainerError` with a Russian reason.

    ``pure`` tokenizes with the standard library, as inside LibreOffice. The sheets named in
    ``skip`` are not read (nothing is taken from them, so nothing of theirs is built)."""
    archive = Archive(data)
    try:
        if "content.xml" in archive or "mimetype" in archive:
            from .ods import read_ods

            return read_ods(archive, pure, skip)
        if "xl/workbook.xml" in archive:
            from .xlsx import read_xlsx

            return read_xlsx(archive, pure, skip)
        raise ContainerError("архив не является документом ODS или XLSX")
    finally:
        archive.close()


class Sheet:
    """One sheet being read: its used area kept within the limits, its rows built lazily."""

    def __init__(self, book: "Reading", name: str) -> None:
        self.reading, self.name = book, name
        self.rows = 0  # the last row and column that hold something (1-based)
        self.columns = 0
        self.cells: Dict[int, List[Any]] = {}  # 0-based row -> values

    def used(self, last_row: int, last_col: int) -> None:
        """A cell holding something reaches ``last_row``/``last_col`` (1-based)."""
        if last_row > L.MAX_ROWS:
            raise ContainerError(f"на листе «{self.name}» заполнены ячейки в строке {last_row} "
                                 f"(допустимо не более {L.MAX_ROWS} строк); удалите лишние данные")
        if last_col > L.MAX_COLUMNS:
            raise ContainerError(f"на листе «{self.name}» заполнены ячейки в столбце {last_col} "
                                 f"(допустимо не более {L.MAX_COLUMNS} столбцов); удалите лишние данные")
        if last_row <= self.rows and last_col <= self.columns:
            return
        rows, cols = max(self.rows, last_row), max(self.columns, last_col)
        self.reading.cells += rows * cols - self.rows * self.columns
        self.rows, self.columns = rows, cols
        if self.reading.cells > L.MAX_CELLS:
            raise ContainerError(f"заполненная область листов больше {L.MAX_CELLS:,} ячеек".replace(",", " ")
                                 + "; файл не является обычным отчётом")

    def put(self, row: int, col: int, value: Any) -> None:
        """A value at 0-based (row, col), within the used area already admitted."""
        cells = self.cells.get(row)
        if cells is None:
            cells = self.cells[row] = []
        if col >= len(cells):
            cells.extend([None] * (col - len(cells)))
            cells.append(value)
        else:
            cells[col] = value

    def put_row(self, row: int, cells: List[Any]) -> None:
        """A whole row of values (no trailing empty cells) at 0-based ``row``."""
        if cells:
            self.cells[row] = cells

    def protect(self) -> None:
        """The sheet's protection is on."""
        self.reading.book.protected.add(self.name)

    def percent(self, row: int, col: int) -> None:
        self.reading.book.percent_cells.setdefault(self.name, set()).add((row, col))

    def merge(self, first_row: int, first_col: int, last_row: int, last_col: int) -> None:
        merges = self.reading.book.merges.setdefault(self.name, [])
        if len(merges) < L.MAX_ROWS:  # facts for the check; a crafted file gets no more
            merges.append((first_row, first_col, last_row, last_col))

    def formula(self, row: int, col: int, text: str) -> str:
        """A formula cell, noted; what the cell holds instead of any computed value: the formula's
        text, as the school would see it typed."""
        text = display_formula(text)
        if row < L.MAX_ROWS and col < L.MAX_COLUMNS:
            self.reading.book.formulas.append(FormulaCell(self.name, f"{column_letter(col)}{row + 1}", text))
        return text

    def done(self) -> None:
        sheets = self.reading.book.sheets
        if len(sheets) >= L.MAX_SHEETS:
            raise ContainerError(f"в файле больше {L.MAX_SHEETS} листов; файл не является обычным отчётом")
        top = max(self.cells) + 1 if self.cells else 0
        rows = [self.cells.get(n) or [] for n in range(top)]
        for cells in rows:
            while cells and cells[-1] is None:
                cells.pop()
        while rows and not rows[-1]:
            rows.pop()
        name = self.name
        if name in sheets:  # two sheets of one name (a crafted file): both kept, apart
            name = f"{name} ({len(sheets) + 1})"
        sheets[name] = rows
        self.cells = {}


class Reading:
    """What one reading of a workbook shares: the archive, the tokenizer, the counts."""

    def __init__(self, archive: Archive, kind: str, pure: bool) -> None:
        from .xmlevents import attributes, children

        self.archive, self.pure = archive, pure
        self.attributes, self.children = attributes(pure), children(pure)
        self.book = Book(kind)
        self.cells = 0  # used-area cells of all sheets
        self.done: Set[str] = set()

    def events(self, name: str, containers: tuple = (), leaves: tuple = ()):
        """The events of a part (see :func:`.xmlevents.part_events`); the part counts as read."""
        from .xmlevents import part_events

        self.done.add(name)
        return part_events(self.archive, name, containers, leaves, self.pure)

    def saved_at(self, part: str, tag: str) -> None:
        """The save time from the document's properties (its first ``tag`` in ``part``), if any."""
        if part in self.archive:
            found = [el.text or "" for _, el in self.events(part, leaves=(tag,))]
            self.book.saved_at = meta_date(found[0]) if found else None

    def rest(self) -> None:
        """Every other part: inflated (counted, checksums checked), an XML part's prolog held to
        the XML policy."""
        from .xmlevents import check_policy

        for name in self.archive.names:
            if name in self.done or name.endswith("/"):
                continue
            if name.endswith((".xml", ".rels")):
                check_policy(self.archive, name)
            else:
                self.archive.read(name, 0)


_ODF_REFERENCE = re.compile(r"\[\$?([^\]]*)\]")


def display_formula(text: str) -> str:
    """A formula as the school saw it typed: ODF's «of:=SUM([.A1:.B2])» reads «=SUM(A1:B2)»."""
    if text.startswith("of:"):
        text = _ODF_REFERENCE.sub(lambda m: m.group(1).replace(":.", ":").lstrip("."), text[3:])
    return text if text.startswith("=") else "=" + text


def number(value: float) -> Any:
    """A whole float as int (as the check and the outputs expect), others as they are."""
    if value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def moment(value: datetime) -> Any:
    """A date-time at midnight is a date."""
    if value.hour == value.minute == value.second == 0:
        return value.date()
    return value


_ISO = re.compile(r"(\d{4})-(\d\d)-(\d\d)(?:T(\d\d):(\d\d)(?::(\d\d)(?:[.,](\d+))?)?)?(?:Z|[+-]\d\d:?\d\d)?")


def iso_datetime(text: str) -> Any:
    """``2022-05-01`` -> date, ``2022-05-01T10:00:00[.123456789][Z|+03:00]`` -> date-time (the
    clock time as written); ValueError otherwise. The same on every Python the reader runs on
    (``fromisoformat`` of 3.8 knows neither «Z» nor nine decimals, which LibreOffice writes)."""
    found = _ISO.fullmatch(text)
    if not found:
        raise ValueError(text)
    year, month, day, hour, minute, second, fraction = found.groups()
    if hour is None:
        return date(int(year), int(month), int(day))
    return datetime(int(year), int(month), int(day), int(hour), int(minute), int(second or 0),
                    int((fraction or "0")[:6].ljust(6, "0")))


def iso_date(text: str) -> Any:
    """A date or date-time cell's value (see :func:`iso_datetime`); midnight is a date."""
    value = iso_datetime(text)
    return moment(value) if isinstance(value, datetime) else value


def positive(value: Optional[str], what: str, sheet: str) -> int:
    """A count attribute: absent is 1; anything but a positive whole number refuses the file."""
    if value is None:
        return 1
    try:
        result = int(value)
    except ValueError:
        result = 0
    if result < 1:
        raise ContainerError(f"на листе «{sheet}» недопустимое значение атрибута {what} «{value[:40]}» "
                             "(файл повреждён или создан с ошибкой)")
    return result


def meta_date(text: str) -> Optional[datetime]:
    """When the document says it was saved; None when it does not say it readably."""
    try:
        value = iso_datetime(text.strip())
    except ValueError:
        return None
    return value if isinstance(value, datetime) else datetime(value.year, value.month, value.day)
