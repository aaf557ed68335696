"""The parts of an XLSX file: the workbook and its relationships, shared strings, styles,
worksheets read row by row, the document properties.

Both namespaces of SpreadsheetML are read: the usual (transitional) one and Excel's «Strict
Open XML» (``http://purl.oclc.org/ooxml/...``), which differs in namespace names and may store
dates as ISO text. Events come for rows (and the sheet data, for cells outside any row, and
merged areas); a row's cells are read when the row ends and the row is dropped.
"""

from __future__ import annotations

import posixpath
import re
from datetime import datetime, timedelta
from typing import Any, Dict, List, Optional, Set, Tuple

from . import limits as L
from .book import Book, Reading, Sheet, iso_date, moment, number
from .zipsafe import Archive, ContainerError

_MAIN = ("http://schemas.openxmlformats.org/spreadsheetml/2006/main", "http://purl.oclc.org/ooxml/spreadsheetml/main")
_REL = ("http://schemas.openxmlformats.org/officeDocument/2006/relationships",
        "http://purl.oclc.org/ooxml/officeDocument/relationships")
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_DCTERMS = "http://purl.org/dc/terms/"
_RELATIONSHIP = f"{{{_PKG_REL}}}Relationship"

KINDS = frozenset(("n", "s", "b", "d", "e", "str", "inlineStr"))
_KINDS_OR_NONE = KINDS | {None}
_ROW_NUMBERS = 10**7  # a row's number is below this (a reference's row has at most 7 digits)
_DATE_FORMATS = set(range(14, 23)) | set(range(27, 37)) | set(range(45, 48)) | set(range(50, 59))
_PERCENT_FORMATS = {9, 10}
_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
_LITERALS = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.')  # quoted text, [colours and conditions], escaped characters


def read_xlsx(archive: Archive, pure: bool, skip: frozenset = frozenset()) -> Book:
    reading = Reading(archive, "xlsx", pure)
    reading.book.has_macros = any(n.lower().endswith("vbaproject.bin") for n in archive.names)
    if "_rels/.rels" in archive:
        roots = _relationships(reading, "_rels/.rels", "")
        main = [target for kind, target in roots.values() if kind.endswith("/officeDocument")]
        if main and main != ["xl/workbook.xml"]:
            raise ContainerError("нестандартное строение документа XLSX; откройте файл в Excel или LibreOffice "
                                 "и сохраните его заново")
    targets = _relationships(reading, "xl/_rels/workbook.xml.rels", "xl/") \
        if "xl/_rels/workbook.xml.rels" in archive else {}
    main, sheets, epoch = _workbook(reading, targets)
    strings: List[str] = []
    for kind, target in targets.values():
        if kind.endswith("/sharedStrings") and target in archive and target not in reading.done:
            strings = _shared_strings(reading, target, main)
    dates, percents = _styles(reading, main) if "xl/styles.xml" in archive else (set(), set())
    for member, name in sheets:
        if member in archive and member not in reading.done and name not in skip:
            _Worksheet(reading, Sheet(reading, name), main, strings, dates, percents, epoch).read(member)
    reading.saved_at("docProps/core.xml", f"{{{_DCTERMS}}}modified")
    reading.rest()
    return reading.book


def _relationships(reading: Reading, member: str, base: str) -> Dict[str, Tuple[str, str]]:
    """Relationship id -> (type, part name) of a .rels part, targets resolved as readers do."""
    found: Dict[str, Tuple[str, str]] = {}
    for _, el in reading.events(member, leaves=(_RELATIONSHIP,)):
        if el.get("TargetMode") != "External":
            target = el.get("Target", "").replace("\\", "/")
            target = target.lstrip("/") if target.startswith("/") else base + target
            found[el.get("Id", "")] = (el.get("Type", ""), posixpath.normpath(target))
    return found


def _workbook(reading: Reading, targets) -> Tuple[str, List[Tuple[str, str]], datetime]:
    """The workbook's namespace, its sheets (part, name) in order, and its date epoch."""
    roots = tuple(f"{{{ns}}}workbook" for ns in _MAIN)
    leaves = tuple(f"{{{ns}}}{local}" for ns in _MAIN for local in ("sheet", "workbookPr"))
    main = _MAIN[0]
    sheets: List[Tuple[str, str]] = []
    epoch = datetime(1899, 12, 30)
    for event, el in reading.events("xl/workbook.xml", roots, leaves):
        namespace, _, local = el.tag[1:].partition("}")
        if local == "workbook":
            main = namespace
        elif event != "end" or namespace != main:
            continue
        elif local == "workbookPr" and el.get("date1904") in ("1", "true"):
            epoch = datetime(1904, 1, 1)
        elif local == "sheet":
            rid = next((el.get(f"{{{ns}}}id") for ns in _REL if el.get(f"{{{ns}}}id") is not None), "")
            kind, target = targets.get(rid, ("", ""))
            if kind.endswith("/worksheet"):
                if target not in reading.archive:
                    raise ContainerError(f"лист «{el.get('name', '')[:60]}» ссылается на отсутствующую часть "
                                         "файла (файл повреждён)")
                sheets.append((target, el.get("name", "")))
    return main, sheets, epoch


def _unescape(text: str) -> str:
    return _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text) if "_x" in text else text


def _shared_strings(reading: Reading, member: str, main: str) -> List[str]:
    si, t, r = f"{{{main}}}si", f"{{{main}}}t", f"{{{main}}}r"
    strings = []
    for _, el in reading.events(member, leaves=(si,)):
        strings.append(_unescape(_string_text(el, t, r)))
    return strings


def _string_text(item, t: str, r: str) -> str:
    """The text of a string item (a shared ``<si>`` or an inline ``<is>``): its plain text or its
    runs' texts, never the phonetic readings (``<rPh>``) a Japanese Excel adds beside them."""
    if len(item) == 1 and item[0].tag == t:
        return item[0].text or ""  # nearly every string: one plain text
    parts = []
    for child in item:
        tag = child.tag
        if tag == t:
            parts.append(child.text or "")
        elif tag == r:
            parts.extend(x.text or "" for x in child if x.tag == t)
    return "".join(parts)


def _styles(reading: Reading, main: str) -> Tuple[Set[int], Set[int]]:
    """Indexes of the cell formats that show dates, and of those that show percentages."""
    xfs, xf, fmt = f"{{{main}}}cellXfs", f"{{{main}}}xf", f"{{{main}}}numFmt"
    custom: Dict[int, str] = {}
    formats: List[int] = []
    in_xfs = False
    for event, el in reading.events("xl/styles.xml", (xfs,), (xf, fmt)):
        if el.tag == xfs:
            in_xfs = event == "start"
        elif el.tag == fmt:
            custom[_int(el.get("numFmtId"))] = el.get("formatCode", "")
        elif in_xfs:
            formats.append(_int(el.get("numFmtId")))
    codes = {n: _LITERALS.sub("", code) for n, code in custom.items()}
    dates = {n for n, f in enumerate(formats) if f in _DATE_FORMATS or _is_date(codes.get(f, ""))}
    percents = {n for n, f in enumerate(formats) if f in _PERCENT_FORMATS or "%" in codes.get(f, "")}
    return dates, percents


def _is_date(code: str) -> bool:
    code = code.lower()
    return bool(code) and code != "general" and "%" not in code and bool(re.search(r"[dmyhs]", code))


def _int(text: Optional[str]) -> int:
    try:
        return int(text or "0")
    except ValueError:
        return -1


_LETTERS = re.compile(r"[A-Z]{1,3}")
_COLUMNS: Dict[str, int] = {}  # "AB" -> 28, filled as references are seen


def cell_ref(ref: str) -> Optional[Tuple[int, int]]:
    """"B7" -> (1-based column, row), None when it is not a cell reference."""
    letters = ref.rstrip("0123456789")
    digits = ref[len(letters):]
    if not digits or digits[0] == "0" or len(digits) > 7:
        return None
    col = _COLUMNS.get(letters)
    if col is None:
        if not _LETTERS.fullmatch(letters):
            return None
        col = 0
        for ch in letters:
            col = col * 26 + ord(ch) - 64
        _COLUMNS[letters] = col
    return col, int(digits)


class _Worksheet:
    """One worksheet part: cell positions (explicit or implied), values, formulas, merges."""

    def __init__(self, reading: Reading, sheet: Sheet, main: str, strings: List[str], dates: Set[int],
                 percents: Set[int], epoch: datetime) -> None:
        self.reading, self.sheet, self.strings = reading, sheet, strings
        self.dates, self.percents, self.epoch = dates, percents, epoch
        self.row_tag, self.c_tag = f"{{{main}}}row", f"{{{main}}}c"
        self.v_tag, self.f_tag = f"{{{main}}}v", f"{{{main}}}f"
        self.is_tag, self.t_tag, self.r_tag = f"{{{main}}}is", f"{{{main}}}t", f"{{{main}}}r"
        self.data_tag, self.merge_tag = f"{{{main}}}sheetData", f"{{{main}}}mergeCell"
        self.protection_tag = f"{{{main}}}sheetProtection"
        self.row = 0
        self.col = 0

    def read(self, member: str) -> None:
        leaves = (self.row_tag, self.merge_tag, self.protection_tag)
        for event, el in self.reading.events(member, (self.data_tag,), leaves):
            if event != "end":
                continue
            tag = el.tag
            if tag == self.row_tag:
                number_text = el.get("r")
                if number_text is not None and not (number_text.isdigit() and 0 < int(number_text) < _ROW_NUMBERS):
                    self.fail(f"строка {number_text}", "недопустимый номер строки")
                self.row = int(number_text) if number_text is not None else self.row + 1
                self.col = 0
                self.cells(el)
            elif tag == self.data_tag:
                self.cells(el)  # cells outside any row: readers place them too
            elif tag == self.protection_tag:
                if el.get("sheet") in ("1", "true"):
                    self.sheet.protect()
            else:
                self.merge(el.get("ref", ""))
        self.sheet.done()

    def fail(self, cell: str, why: str) -> None:
        raise ContainerError(f"лист «{self.sheet.name}», ячейка {cell[:12]}: {why} "
                             "(файл повреждён или создан с ошибкой)")

    def cells(self, parent) -> None:
        row, col = self.row, self.col
        top = right = 0
        c_tag = self.c_tag
        suffix = str(row)  # a reference in this row ends with its number: only the letters are looked up
        for el in self.reading.children(parent, (c_tag,)):
            get = el.get
            ref = get("r")
            if ref:
                known = _COLUMNS.get(ref[:-len(suffix)]) if ref.endswith(suffix) else None
                if known is not None:
                    col = known
                else:
                    position = cell_ref(ref)
                    if position is None:
                        self.row, self.col = row, col
                        self.fail(ref, "недопустимая ссылка на ячейку")
                    col, row = position
                    suffix = str(row)
            else:
                row = max(row, 1)
                col += 1
            if col > right:
                right = col
                if right > L.MAX_COLUMNS:
                    self.sheet.used(row, right)
            if row > top:
                top = row
                if top > L.MAX_ROWS:
                    self.sheet.used(top, right)
            kind = get("t")
            if len(el):  # a value or a formula inside
                self.row, self.col = row, col
                self.cell(el, "n" if kind is None else kind, get("s"))
            elif kind not in _KINDS_OR_NONE:
                self.row, self.col = row, col
                self.fail(self.name(), f"неизвестный тип ячейки «{kind[:20]}»")
        self.row, self.col = row, col
        if right:
            self.sheet.used(top, right)

    def cell(self, el, kind: str, style: Optional[str]) -> None:
        if kind not in KINDS:
            self.fail(self.name(), f"неизвестный тип ячейки «{kind[:20]}»")
        row, col = self.row - 1, self.col - 1
        value = None
        formula = None
        for child in el:
            tag = child.tag
            if tag == self.v_tag:
                value = self.value(kind, style, child.text)
            elif tag == self.f_tag:
                formula = child.text or "(общая формула)"
            elif tag == self.is_tag and kind == "inlineStr":
                value = _unescape(_string_text(child, self.t_tag, self.r_tag)) or None
        if formula is not None:
            value = self.sheet.formula(row, col, formula)
        elif kind == "n" and value is not None and self.percents and _int(style) in self.percents:
            self.sheet.percent(row, col)
        if value is not None:
            self.sheet.put(row, col, value)

    def value(self, kind: str, style: Optional[str], raw: Optional[str]) -> Any:
        text = (raw or "").strip()
        if not text:  # an empty <v/> (a formula never calculated) is no value
            return None
        if kind == "n":
            try:
                value = float(text)
            except ValueError:
                self.fail(self.name(), f"значение «{text[:40]}» не является числом")
            if self.dates and _int(style) in self.dates:
                try:
                    return moment(self.epoch + timedelta(days=value))
                except (OverflowError, ValueError):
                    return number(value)
            return number(value)
        if kind == "s":
            if not (text.isdigit() and int(text) < len(self.strings)):
                self.fail(self.name(), "ссылка на несуществующую строку текста")
            return self.strings[int(text)] or None
        if kind == "b":
            if text not in ("0", "1"):
                self.fail(self.name(), f"значение «{text[:40]}» не является логическим")
            return text == "1"
        if kind == "d":
            try:
                return iso_date(text)
            except ValueError:
                self.fail(self.name(), f"значение «{text[:40]}» не является датой")
        if kind in ("str", "e"):
            return _unescape(raw or "") or None
        return None  # inlineStr: its text is in <is>

    def merge(self, ref: str) -> None:
        first, _, last = ref.partition(":")
        start, end = cell_ref(first), cell_ref(last or first)
        if start is None or end is None:
            self.fail(ref, "недопустимая ссылка на ячейку")
        (col1, row1), (col2, row2) = start, end
        if (row1, col1) != (row2, col2):
            self.sheet.merge(min(row1, row2) - 1, min(col1, col2) - 1, max(row1, row2) - 1, max(col1, col2) - 1)

    def name(self) -> str:
        from ..sheets.spec import column_letter

        return f"{column_letter(self.col - 1)}{self.row}"
