"""A format-neutral description of a workbook: one layout, two writers (ODS and XLSX).

The master workbook, the school templates and the consolidated workbook are all described
with these classes, so both formats always carry the same content and behaviour.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import Any

# Cell styles understood by both writers.
STYLES = ("text", "header", "section", "title", "note", "input", "input_date", "date", "number",
          "percent", "bold")  # fmt: skip

_STYLE_SET = frozenset(STYLES)


@dataclass
class Column:
    title: str
    width_cm: float = 3.0
    hidden: bool = False


@dataclass
class Cell:
    value: Any = None
    style: str = "text"
    locked: bool = True

    def __post_init__(self) -> None:
        if self.style not in _STYLE_SET:
            raise ValueError(f"unknown cell style {self.style!r}")
        if isinstance(self.value, datetime):
            self.value = self.value.date()


@dataclass
class Validation:
    """A data validation on a rectangular range ("E5:E40").

    kind: "list" (source is an absolute range on another sheet, e.g. "Списки!$A$2:$A$6"),
    "date" (between minimum and maximum dates), "decimal" or "whole" (between numbers).
    Entries outside the rule are refused (stop style) in both formats.
    """

    cells: str
    kind: str
    source: str = ""
    minimum: Any = None
    maximum: Any = None
    prompt_title: str = ""
    prompt: str = ""
    error_title: str = ""
    error: str = ""


def same_rule_ranges(validations: list[Validation]) -> list[tuple[list[str], Validation]]:
    """Validations that differ only in their cells, as (ranges, the first of them), in order.

    A template validates each run of item rows separately; with one rule for all of them the
    prompt and error texts are stored once, and every school's file is smaller to send and read.
    The rules are absolute (lists on another sheet, constant bounds), so the ranges can share one."""
    groups: dict[tuple, tuple[list[str], Validation]] = {}
    for validation in validations:
        key = tuple(value for name, value in validation.__dict__.items() if name != "cells")
        if key in groups:
            groups[key][0].append(validation.cells)
        else:
            groups[key] = ([validation.cells], validation)
    return list(groups.values())


@dataclass
class Chart:
    """A native bar chart of one series, drawn from ranges on the same sheet."""

    title: str
    categories: str  # "A3:A16"
    values: str  # "F3:F16"
    anchor: str  # top-left cell, "I3"
    series_title: str = ""
    y_title: str = ""
    width_cm: float = 16.0
    height_cm: float = 9.0
    y_max: float | None = None
    own_page: bool = False  # printed from the top of a page: a manual page break before its anchor row
    kind: str = "column"  # "column" (vertical bars) or "bar" (horizontal bars, the first category at the bottom)


@dataclass
class Sheet:
    name: str
    columns: list[Column] = field(default_factory=list)
    rows: list[list[Cell]] = field(default_factory=list)
    freeze_rows: int = 0
    freeze_cols: int = 0
    hidden: bool = False
    protected: bool = False
    validations: list[Validation] = field(default_factory=list)
    merges: list[str] = field(default_factory=list)  # "A1:F1"
    landscape: bool = True
    repeat_rows: tuple[int, int] | None = None  # 1-based rows repeated on every printed page
    autofilter: str = ""  # "A1:H200"
    row_heights_cm: dict[int, float] = field(default_factory=dict)  # 0-based row -> height
    charts: list[Chart] = field(default_factory=list)
    _heights: tuple[int, dict[int, float]] | None = field(default=None, init=False, repr=False, compare=False)
    _shared: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def add_row(self, *cells: Cell | Any, style: str = "text") -> int:
        """Append a row; plain values become cells of ``style``. Returns its 1-based number.

        Equal values of one style share one cell, as cells are never changed once made: the
        consolidated records repeat the same names and texts for every school, and the writers
        and the height estimate then do their work once per distinct cell."""
        shared = self._shared.get(style)
        if shared is None:
            shared = self._shared[style] = {}
        row = []
        for value in cells:
            if value.__class__ is not Cell:
                # a text is its own key; other values are told apart by type too (1 == 1.0 == True)
                key = value if value.__class__ is str else (value.__class__, value)
                try:
                    cell = shared.get(key)
                except TypeError:  # a value that cannot be a key gets a cell of its own
                    cell = key = None
                if cell is None:
                    cell = Cell(value, style)
                    if key is not None:
                        shared[key] = cell
                value = cell
            row.append(value)
        self.rows.append(row)
        return len(self.rows)


@dataclass
class Workbook:
    sheets: list[Sheet] = field(default_factory=list)
    password: str | None = None
    title: str = ""
    saved_at: datetime | None = None  # document metadata "last saved" (dc:date, dcterms:modified)
    page_header: str = ""  # printed at the top of every page, with «Страница N из M» at the foot ("" = neither)

    def sheet(self, name: str) -> Sheet:
        for sheet in self.sheets:
            if sheet.name == name:
                return sheet
        raise KeyError(name)


# A4 and the widest margins either writer uses (cm): what a printed row may fill
PAGE_CM = {True: (29.7, 21.0), False: (21.0, 29.7)}  # landscape -> (width, height)
MARGINS_CM = 3.6


PAGE_FOOTER = "Страница {page} из {pages}"  # with a page header: the page number and the count


def page_breaks(sheet: Sheet) -> list[int]:
    """0-based rows a page must start at: the anchor rows of the charts printed on a page of their own."""
    return sorted({parse_range(chart.anchor)[1] for chart in sheet.charts if chart.own_page})


def print_scale(sheet: Sheet) -> int:
    """The percent at which the sheet's columns and charts fit the page width.

    «Fit to page width» would be simpler, but Excel ignores manual page breaks under it, and a
    chart below a long table then starts at the foot of one page and ends on the next."""
    width = sum(column.width_cm for column in sheet.columns if not column.hidden)
    for chart in sheet.charts:
        column = parse_range(chart.anchor)[0]
        width = max(width, sum(c.width_cm for c in sheet.columns[:column] if not c.hidden) + chart.width_cm)
    printable = PAGE_CM[sheet.landscape][0] - MARGINS_CM
    # a tenth to spare: an office application draws a column a little wider than the
    # centimetres it was given (XLSX widths are in characters of the default font)
    return max(10, min(100, int(printable / max(width, 1.0) * 90)))


def column_letter(index: int) -> str:
    """0-based column index -> "A", "B", ..., "AA"."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def parse_range(ref: str) -> tuple[int, int, int, int]:
    """"B2:D9" -> 0-based (col1, row1, col2, row2)."""
    import re

    parts = ref.replace("$", "").split(":")
    coords = []
    for part in parts:
        match = re.fullmatch(r"([A-Z]+)(\d+)", part)
        if not match:
            raise ValueError(f"bad cell reference {ref!r}")
        col = 0
        for ch in match.group(1):
            col = col * 26 + ord(ch) - 64
        coords.append((col - 1, int(match.group(2)) - 1))
    if len(coords) == 1:
        coords.append(coords[0])
    (c1, r1), (c2, r2) = coords
    return c1, r1, c2, r2


def is_date(value: Any) -> bool:
    return isinstance(value, date)


_CHAR_CM = {10: 0.205, 9: 0.185, 13: 0.27}  # average glyph width of Liberation Sans, Cyrillic text
_LINE_CM = {10: 0.43, 9: 0.39, 13: 0.56}
_STYLE_SIZE = {"title": 13, "note": 9}


@lru_cache(maxsize=65536)
def wrapped_lines(text: str, width_cm: float, size: int = 10) -> int:
    """How many lines ``text`` takes in a wrapped cell ``width_cm`` wide (a safe estimate).
    Cached: the consolidated records repeat the same texts for every school."""
    per_line = max(1, int((width_cm - 0.25) / _CHAR_CM[size]))
    lines = 0
    for paragraph in str(text).split("\n"):
        current = 0
        count = 1
        for word in paragraph.split():
            length = len(word)
            if length > per_line:  # a word longer than the cell is broken, less evenly than here
                count += (1 if current else 0) + length // per_line + 1
                current = length % per_line
                continue
            if current and current + 1 + length > per_line:
                count += 1
                current = length
            else:
                current += length + (1 if current else 0)
        lines += count
    return max(lines, 1)


def estimated_row_heights(sheet: Sheet) -> dict[int, float]:
    """Row heights (cm) that show all wrapped text: both LibreOffice's print layout and Excel
    (which never re-measures rows written by a program) would otherwise clip long cells.

    Kept on the sheet once its rows are final, so that both writers use one estimate."""
    if sheet._heights is not None and sheet._heights[0] == len(sheet.rows):
        return sheet._heights[1]
    heights = _estimate(sheet)
    sheet._heights = (len(sheet.rows), heights)
    return heights


def _estimate(sheet: Sheet) -> dict[int, float]:
    spans: dict[tuple[int, int], float] = {}
    covered: set[tuple[int, int]] = set()
    for ref in sheet.merges:
        c1, r1, c2, r2 = parse_range(ref)
        if r1 == r2:
            spans[(c1, r1)] = sum(sheet.columns[c].width_cm for c in range(c1, c2 + 1) if c < len(sheet.columns))
            covered |= {(c, r1) for c in range(c1 + 1, c2 + 1)}
    heights: dict[int, float] = {}
    widths = [None if column.hidden else column.width_cm for column in sheet.columns]
    # text this short fits one line of its column in any style, so it is not measured
    short = [0 if w is None else max(0, int((w - 0.25) / max(_CHAR_CM.values()))) for w in widths]
    known: list[dict[int, float]] = [{} for _ in widths]  # by column: id of a (shared) cell -> its height
    for r, row in enumerate(sheet.rows):
        if r in sheet.row_heights_cm:
            heights[r] = sheet.row_heights_cm[r]
            continue
        best = 0.0
        for c, cell in enumerate(row[:len(widths)]):
            if spans or covered:
                height = _cell_height(cell, widths[c], short[c], spans.get((c, r)), (c, r) in covered)
            else:
                height = known[c].get(id(cell))
                if height is None:
                    height = known[c][id(cell)] = _cell_height(cell, widths[c], short[c], None, False)
            if height > best:
                best = height
        if best:
            heights[r] = round(max(best, 0.5), 2)
    return heights


def _cell_height(cell: Cell, width: float | None, short: int, span: float | None, covered: bool) -> float:
    """The height (cm) one cell needs in a column ``width`` wide (or spanning ``span``); 0 if none."""
    value = cell.value
    if value is None or width is None or covered:
        return 0.0
    size = _STYLE_SIZE.get(cell.style, 10)
    if isinstance(value, (int, float)):
        lines = 1
    else:
        text = value if isinstance(value, str) else str(value)
        if len(text) <= short and "\n" not in text and span is None:
            lines = 1
        else:
            lines = wrapped_lines(text, width if span is None else span, size)
    return lines * _LINE_CM[size] + 0.12
