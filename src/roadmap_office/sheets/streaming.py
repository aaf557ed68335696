"""Pure-Python streaming readers of ODS and XLSX, for LibreOffice's own Python.

Inside LibreOffice neither python-calamine nor lxml is available. These readers walk the zip
members with the standard library's ``iterparse`` (through defusedxml, so DTDs and entities
are refused by the parser), clearing each row once read, instead of building odfpy's or
openpyxl's object trees. Repeated empty rows and cells are never materialised; the container
scan has already bounded the sheets' used area. Values come back as python-calamine gives
them: str, float, bool, date/datetime or None.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from datetime import date, datetime, timedelta
from typing import Any, List

from ..isodates import parse_datetime

_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_SSML = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")

Rows = List[List[Any]]  # typing.List: evaluated at import, and list[...] needs Python 3.9


def _events(archive: zipfile.ZipFile, member: str, events=("end",)):
    from ..reading.xmlsafe import iterparse

    with archive.open(member) as stream:
        yield from iterparse(io.BufferedReader(stream, 1 << 16), events, pure=True)


class _Grid:
    """Rows built lazily: empty rows and cells are counted, not stored, until a value follows."""

    def __init__(self) -> None:
        self.rows: Rows = []
        self.empty_rows = 0

    def add_row(self, cells: list[Any], repeat: int) -> None:
        if not cells:
            self.empty_rows += repeat
            return
        self.rows.extend([] for _ in range(self.empty_rows))
        self.empty_rows = 0
        self.rows.extend(list(cells) for _ in range(repeat))


# ---- ODS --------------------------------------------------------------------------------------

def read_ods(data: bytes) -> dict[str, Rows]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return _OdsReader().read(_events(archive, "content.xml", ("start", "end")))


class _OdsReader:
    def __init__(self) -> None:
        t = f"{{{_TABLE}}}"
        self.table, self.row, self.cells = t + "table", t + "table-row", (t + "table-cell", t + "covered-table-cell")
        self.p, self.annotation = f"{{{_TEXT}}}p", f"{{{_OFFICE}}}annotation"

    def read(self, events) -> dict[str, Rows]:
        sheets: dict[str, Rows] = {}
        grid: _Grid | None = None
        depth = 0
        cells: list[Any] = []
        empty = 0
        for event, el in events:
            tag = el.tag
            if event == "start":
                if tag == self.table:
                    depth += 1
                    if depth == 1:
                        grid = _Grid()
                        sheets[el.get(f"{{{_TABLE}}}name", f"Лист{len(sheets) + 1}")] = grid.rows
                elif tag == self.row and depth == 1:
                    cells, empty = [], 0
                continue
            if tag == self.table:
                depth -= 1
                el.clear()
            elif depth != 1 or grid is None:
                continue
            elif tag in self.cells:
                repeat = int(el.get(f"{{{_TABLE}}}number-columns-repeated", "1"))
                value = self.value(el)
                if value is None:
                    empty += repeat
                else:
                    cells.extend([None] * empty)
                    empty = 0
                    cells.extend([value] * repeat)
                el.clear()
            elif tag == self.row:
                grid.add_row(cells, int(el.get(f"{{{_TABLE}}}number-rows-repeated", "1")))
                el.clear()
        return sheets

    def value(self, cell) -> Any:
        kind = cell.get(f"{{{_OFFICE}}}value-type")
        if kind in ("float", "percentage", "currency"):
            return float(cell.get(f"{{{_OFFICE}}}value"))
        if kind == "date":
            raw = cell.get(f"{{{_OFFICE}}}date-value")
            return parse_datetime(raw) if "T" in raw else date.fromisoformat(raw)
        if kind == "boolean":
            return cell.get(f"{{{_OFFICE}}}boolean-value") == "true"
        paragraphs = [child for child in cell if child.tag == self.p]
        if not paragraphs:
            return None
        text = "\n".join(_odf_text(p) for p in paragraphs)
        return text if text or kind else None


def _odf_text(node) -> str:
    parts = [node.text or ""]
    for child in node:
        local = child.tag.rsplit("}", 1)[-1]
        if local == "s":
            parts.append(" " * int(child.get(f"{{{_TEXT}}}c", "1")))
        elif local == "tab":
            parts.append("\t")
        elif local == "line-break":
            parts.append("\n")
        elif local != "annotation":
            parts.append(_odf_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


# ---- XLSX -------------------------------------------------------------------------------------

_DATE_FORMATS = set(range(14, 23)) | set(range(27, 37)) | set(range(45, 48)) | set(range(50, 59))


def read_xlsx(data: bytes) -> dict[str, Rows]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = set(archive.namelist())
        targets = _relationships(archive)
        shared = [t for kind, t in targets.values() if kind.endswith("/sharedStrings") and t in names]
        strings = _shared_strings(archive, shared[0]) if shared else []
        dates, epoch = _date_styles(archive, names)
        sheets: dict[str, Rows] = {}
        for name, member in _sheet_members(archive, names, targets):
            sheets[name] = _xlsx_sheet(archive, member, strings, dates, epoch)
        return sheets


def _unescape(text: str) -> str:
    return _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text) if "_x" in text else text


def _shared_strings(archive: zipfile.ZipFile, member: str) -> list[str]:
    si, t, rph = f"{{{_SSML}}}si", f"{{{_SSML}}}t", f"{{{_SSML}}}rPh"
    strings = []
    for _, el in _events(archive, member):
        if el.tag == si:
            phonetic = {id(x) for r in el.iter(rph) for x in r.iter(t)}
            strings.append(_unescape("".join(x.text or "" for x in el.iter(t) if id(x) not in phonetic)))
            el.clear()
    return strings


def _date_styles(archive: zipfile.ZipFile, names: set[str]) -> tuple[set[int], datetime]:
    """Indexes of cell styles that show dates, and the workbook's date epoch."""
    epoch = datetime(1899, 12, 30)
    for _, el in _events(archive, "xl/workbook.xml"):
        if el.tag == f"{{{_SSML}}}workbookPr" and el.get("date1904") in ("1", "true"):
            epoch = datetime(1904, 1, 1)
    if "xl/styles.xml" not in names:
        return set(), epoch
    custom: dict[int, str] = {}
    formats: list[int] = []
    in_xfs = False
    for event, el in _events(archive, "xl/styles.xml", ("start", "end")):
        local = el.tag.rsplit("}", 1)[-1]
        if local == "cellXfs":
            in_xfs = event == "start"
        elif event == "end" and local == "numFmt":
            custom[int(el.get("numFmtId", "0"))] = el.get("formatCode", "")
        elif event == "end" and local == "xf" and in_xfs:
            formats.append(int(el.get("numFmtId", "0")))
    return {n for n, fmt in enumerate(formats) if fmt in _DATE_FORMATS or _is_date_code(custom.get(fmt, ""))}, epoch


def _is_date_code(code: str) -> bool:
    code = re.sub(r'"[^"]*"|\[[^\]]*\]|\\.', "", code).lower()
    return bool(code) and code != "general" and bool(re.search(r"[dmyhs]", code))


def _relationships(archive: zipfile.ZipFile) -> dict[str, tuple[str, str]]:
    """The workbook's relationships: id -> (type, part name), resolved as the container scan does."""
    found = {}
    for _, el in _events(archive, "xl/_rels/workbook.xml.rels"):
        if el.tag == f"{{{_PKG_REL}}}Relationship" and el.get("TargetMode") != "External":
            target = el.get("Target", "").replace("\\", "/")
            target = target.lstrip("/") if target.startswith("/") else "xl/" + target
            found[el.get("Id", "")] = (el.get("Type", ""), posixpath.normpath(target))
    return found


def _sheet_members(archive: zipfile.ZipFile, names: set[str], targets) -> list[tuple[str, str]]:
    found = []
    for _, el in _events(archive, "xl/workbook.xml"):
        if el.tag == f"{{{_SSML}}}sheet":
            kind, member = targets.get(el.get(f"{{{_REL}}}id"), ("", ""))
            if kind.endswith("/worksheet") and member in names:
                found.append((el.get("name", ""), member))
    return found


def _column(ref: str) -> int:
    col = 0
    for ch in ref:
        if not ch.isalpha():
            break
        col = col * 26 + ord(ch) - 64
    return col - 1


def _xlsx_sheet(archive, member: str, strings: list[str], dates: set[int], epoch: datetime) -> Rows:
    row_tag, c_tag = f"{{{_SSML}}}row", f"{{{_SSML}}}c"
    v_tag, t_tag, is_tag = f"{{{_SSML}}}v", f"{{{_SSML}}}t", f"{{{_SSML}}}is"
    grid = _Grid()
    number = 0  # 1-based row number of the last row read
    for _, el in _events(archive, member):
        if el.tag != row_tag:
            continue
        r = int(el.get("r", number + 1))
        if r > number + 1:
            grid.add_row([], r - number - 1)
        cells: list[Any] = []
        for c in el.iter(c_tag):
            ref = c.get("r")
            col = _column(ref) if ref else len(cells)
            value = _xlsx_value(c, strings, dates, epoch, v_tag, t_tag, is_tag)
            if value is not None:
                cells.extend([None] * (col - len(cells)))
                cells.append(value) if col >= len(cells) else cells.__setitem__(col, value)
        grid.add_row(cells, 1)
        number = r
        el.clear()
    return grid.rows


def _xlsx_value(c, strings, dates, epoch, v_tag, t_tag, is_tag) -> Any:
    kind = c.get("t", "n")
    if kind == "inlineStr":
        node = c.find(is_tag)
        return _unescape("".join(t.text or "" for t in node.iter(t_tag))) if node is not None else None
    v = c.find(v_tag)
    text = v.text if v is not None else None
    if text is None or text == "":
        return None
    if kind == "s":
        return strings[int(text)]
    if kind in ("str", "e"):
        return _unescape(text)
    if kind == "b":
        return text.strip() == "1"
    if kind == "d":
        return parse_datetime(text.strip())
    number = float(text)
    if int(c.get("s", "0")) in dates:
        try:
            return epoch + timedelta(days=number)
        except OverflowError:
            return number
    return number
