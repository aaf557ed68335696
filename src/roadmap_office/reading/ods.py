"""The parts of an ODS file: content.xml's tables read row by row, the manifest, the metadata.

Events come for tables and rows only; a row's cells are read when the row ends and the row is
dropped, so memory stays flat and little Python runs per cell. Repeated empty rows and cells
are counted, never built.
"""

from __future__ import annotations

from typing import Any, List

from . import limits as L
from .book import Book, Reading, Sheet, iso_date, number, positive
from .zipsafe import PASSWORD, Archive, ContainerError

_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_MANIFEST = "urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"
_DC = "http://purl.org/dc/elements/1.1/"
_ODS_MIME = "application/vnd.oasis.opendocument.spreadsheet"

TABLE = f"{{{_TABLE}}}table"
ROW = f"{{{_TABLE}}}table-row"
CELLS = (f"{{{_TABLE}}}table-cell", f"{{{_TABLE}}}covered-table-cell")
NAME = f"{{{_TABLE}}}name"
ROWS_REPEATED = f"{{{_TABLE}}}number-rows-repeated"
PROTECTED = f"{{{_TABLE}}}protected"
COLUMNS_REPEATED = f"{{{_TABLE}}}number-columns-repeated"
ROWS_SPANNED = f"{{{_TABLE}}}number-rows-spanned"
COLUMNS_SPANNED = f"{{{_TABLE}}}number-columns-spanned"
FORMULA = f"{{{_TABLE}}}formula"
VALUE_TYPE = f"{{{_OFFICE}}}value-type"
VALUE = f"{{{_OFFICE}}}value"
DATE_VALUE = f"{{{_OFFICE}}}date-value"
BOOLEAN_VALUE = f"{{{_OFFICE}}}boolean-value"
PARAGRAPH = f"{{{_TEXT}}}p"
SPACES = f"{{{_TEXT}}}c"
NUMBERS = ("float", "percentage", "currency")


def read_ods(archive: Archive, pure: bool, skip: frozenset = frozenset()) -> Book:
    reading = Reading(archive, "ods", pure)
    if "mimetype" in archive:
        reading.done.add("mimetype")
        mimetype = archive.read("mimetype", 200).decode("ascii", "replace").strip()
        if mimetype != _ODS_MIME:
            raise ContainerError(f"это не электронная таблица ODS (тип документа: {mimetype[:60]})")
    if "META-INF/manifest.xml" in archive:
        encrypted = f"{{{_MANIFEST}}}encryption-data"
        for _ in reading.events("META-INF/manifest.xml", leaves=(encrypted,)):
            raise ContainerError(PASSWORD)
    if "content.xml" not in archive:
        raise ContainerError("в документе ODS нет содержимого (части «content.xml»); файл повреждён")
    reading.book.has_macros = any(n.startswith(("Basic/", "Scripts/")) for n in archive.names)
    _Content(reading, skip).read(reading.events("content.xml", containers=(TABLE,), leaves=(ROW,)))
    reading.saved_at("meta.xml", f"{{{_DC}}}date")
    reading.rest()
    return reading.book


class _Content:
    """content.xml: each top-level table's cells, used area, formulas, percents and merges."""

    def __init__(self, reading: Reading, skip: frozenset) -> None:
        self.reading, self.skip = reading, skip
        self.sheet: Sheet = None  # type: ignore[assignment]
        self.depth = 0  # tables inside cells are part of their cell, not sheets
        self.row = 0  # 0-based index of the next row

    def read(self, events) -> None:
        for event, el in events:
            if el.tag == TABLE:
                if event == "start":
                    self.depth += 1
                    if self.depth == 1:
                        name = el.get(NAME) or f"Лист{len(self.reading.book.sheets) + 1}"
                        self.sheet = None if name in self.skip else Sheet(self.reading, name)
                        if self.sheet is not None and el.get(PROTECTED) == "true":
                            self.sheet.protect()
                        self.row = 0
                    continue
                self.depth -= 1
                if self.depth == 0 and self.sheet is not None:
                    self.sheet.done()
                    self.sheet = None
            elif self.depth == 1 and self.sheet is not None:
                self.end_row(el)

    def end_row(self, el) -> None:
        sheet, row = self.sheet, self.row
        attributes = self.reading.attributes
        repeat = positive(el.get(ROWS_REPEATED), "number-rows-repeated", sheet.name)
        cells: List[Any] = []
        percent: List[int] = []
        col = last = empty = 0
        for cell in self.reading.children(el, CELLS):
            get = attributes(cell).get
            n = get(COLUMNS_REPEATED)
            n = 1 if n is None else positive(n, "number-columns-repeated", sheet.name)
            kind = get(VALUE_TYPE)
            formula = get(FORMULA)
            if kind or formula or len(cell):
                last = col + n
                if last > L.MAX_COLUMNS:  # refused before anything that wide is built
                    sheet.used(row + repeat, last)
                value = self.value(cell, get, kind, col) if kind or len(cell) else None
                if formula:
                    value = sheet.formula(row, col, formula)
                if value is None:
                    empty += n
                else:
                    if empty:
                        cells.extend([None] * empty)
                        empty = 0
                    cells.extend([value] * n) if n > 1 else cells.append(value)
                    if kind == "percentage":
                        percent.extend(range(col, col + n))
            else:
                empty += n
            spanned_rows, spanned_cols = get(ROWS_SPANNED), get(COLUMNS_SPANNED)
            if spanned_rows is not None or spanned_cols is not None:
                self.merge(spanned_rows, spanned_cols, row, col, repeat)
            col += n
        if last:
            sheet.used(row + repeat, last)
            if cells:
                for r in range(row, row + repeat):
                    sheet.put_row(r, list(cells) if r > row else cells)
                    for c in percent:
                        sheet.percent(r, c)
        self.row = row + repeat

    def merge(self, spanned_rows, spanned_cols, row: int, col: int, repeat: int) -> None:
        name = self.sheet.name
        rows = positive(spanned_rows, "number-rows-spanned", name)
        cols = positive(spanned_cols, "number-columns-spanned", name)
        if (rows > 1 or cols > 1) and col < L.MAX_COLUMNS:
            for r in range(row, min(row + repeat, L.MAX_ROWS)):
                self.sheet.merge(r, col, r + rows - 1, col + cols - 1)

    def value(self, cell, get, kind, col: int) -> Any:
        if kind in NUMBERS:
            text = get(VALUE)
            try:
                return number(float((text or "").strip()))
            except ValueError:
                self.fault(text, col, "число")
        if kind == "date":
            text = get(DATE_VALUE)
            try:
                return iso_date((text or "").strip())
            except ValueError:
                self.fault(text, col, "дата")
        if kind == "boolean":
            text = get(BOOLEAN_VALUE)
            stripped = (text or "").strip()
            if stripped not in ("true", "false"):
                self.fault(text, col, "логическое значение")
            return stripped == "true"
        texts = [(p.text or "") if not len(p) else _text(p) for p in cell if p.tag == PARAGRAPH]
        if not texts:
            return None
        return ("\n".join(texts) if len(texts) > 1 else texts[0]) or None

    def fault(self, text, col: int, what: str) -> None:
        from ..sheets.spec import column_letter

        where = f"{column_letter(min(col, L.MAX_COLUMNS))}{min(self.row + 1, L.MAX_ROWS + 1)}"
        raise ContainerError(f"лист «{self.sheet.name}», ячейка {where}: значение «{(text or '')[:40]}» "
                             f"не читается как {what} (файл повреждён или создан с ошибкой)")


def _text(node) -> str:
    """A paragraph's text as a person reads it: spaces, tabs and line breaks, no annotations."""
    parts = [node.text or ""]
    for child in node:
        local = child.tag.rsplit("}", 1)[-1] if isinstance(child.tag, str) else ""
        if local == "s":
            try:
                count = int(child.get(SPACES, "1"))
            except ValueError:
                count = 1
            parts.append(" " * max(0, min(count, L.MAX_TEXT)))
        elif local == "tab":
            parts.append("\t")
        elif local == "line-break":
            parts.append("\n")
        elif local != "annotation":
            parts.append(_text(child))
        parts.append(child.tail or "")
    return "".join(parts)
