"""Look inside an ODS/XLSX container before any spreadsheet library touches it.

Submissions arrive by e-mail from anyone. Before a reader allocates anything, every part of
the zip is inflated as a stream (bytes counted as they come, not taken from the declared
sizes) and every XML part is parsed by a parser that refuses DTDs and entities. The sheets'
real extent (the last row and column holding a value, repeat counts included), the values'
syntax, formulas, macros, passwords and the save time are found here; a file over the limits
of :mod:`.limits` is refused with a Russian reason. Nothing is evaluated or expanded.
"""

from __future__ import annotations

import io
import os
import posixpath
import re
import zipfile
import zlib
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime

from ..isodates import parse_datetime
from ..sheets.reading import WorkbookReadError
from ..sheets.spec import column_letter
from . import limits as L
from .xmlsafe import BrokenXml, UnsafeXml, can_walk, check_part, iterparse, parse_whole, walk_parsed

try:  # the cell walk compiled against lxml's tree; absent inside LibreOffice and where it was not built
    from . import _cells
except Exception:  # not built, or built against another lxml: the walk in Python serves
    _cells = None

_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_MANIFEST = "urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"
_DC = "http://purl.org/dc/elements/1.1/"
_SSML = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_DCTERMS = "http://purl.org/dc/terms/"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_ROWS_REPEATED = f"{{{_TABLE}}}number-rows-repeated"
_COLUMNS_REPEATED = f"{{{_TABLE}}}number-columns-repeated"
_VALUE_TYPE = f"{{{_OFFICE}}}value-type"
_FORMULA = f"{{{_TABLE}}}formula"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ODS_MIME = "application/vnd.oasis.opendocument.spreadsheet"

PASSWORD = ("файл защищён паролем и не может быть прочитан; снимите пароль на открытие "
            "(Файл → Свойства или «Сохранить как» без пароля) и отправьте файл снова")


class ContainerError(WorkbookReadError):
    """The file cannot be read safely; the message is Russian and says why."""


@dataclass
class FormulaCell:
    sheet: str
    cell: str  # A1
    formula: str


@dataclass
class SheetExtent:
    """The used area of a sheet: the last row and column that hold something (1-based)."""

    name: str
    rows: int = 0
    columns: int = 0


@dataclass
class ContainerReport:
    """What was found inside the container."""

    kind: str  # "ods" or "xlsx"
    saved_at: datetime | None = None  # when the office application last saved it
    has_macros: bool = False
    formulas: list[FormulaCell] = field(default_factory=list)
    sheets: list[SheetExtent] = field(default_factory=list)
    inflated_bytes: int = 0


def load_bytes(path: str | os.PathLike) -> bytes:
    """The file's bytes, its size checked before it is read into memory."""
    with open(path, "rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        if size > L.MAX_FILE_BYTES:
            raise ContainerError(f"файл слишком большой ({size / 2**20:.0f} МБ при допустимых "
                                 f"{L.MAX_FILE_BYTES // 2**20} МБ); отчёт школы занимает меньше 1 МБ")
        data = handle.read(L.MAX_FILE_BYTES + 1)
    if len(data) > L.MAX_FILE_BYTES:  # it grew while being read
        raise ContainerError("файл изменяется во время чтения; повторите позже")
    return data


def inspect_container(source: bytes | str | os.PathLike, pure: bool = False) -> ContainerReport:
    """Check size, structure and limits; find macros, formulas and the save time.

    ``pure`` uses only the standard library's XML parser (as inside LibreOffice).
    """
    data = source if isinstance(source, bytes) else load_bytes(source)
    if data.startswith(_OLE_MAGIC):
        if "EncryptionInfo".encode("utf-16-le") in data:
            raise ContainerError(PASSWORD)
        raise ContainerError("файл сохранён в старом двоичном формате (Excel 97–2003, XLS); "
                             "сохраните его в формате XLSX или ODS")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError):
        raise ContainerError("файл не является документом ODS или XLSX (повреждён или другого формата)") from None
    with archive:
        return _Scan(archive, infos, pure).run()


class _Counted(io.RawIOBase):
    """A zip part's stream that counts inflated bytes and stops at the limits."""

    def __init__(self, scan: _Scan, info: zipfile.ZipInfo) -> None:
        self.scan, self.info = scan, info
        self.raw = scan.archive.open(info)
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        chunk = self.raw.read(min(len(buffer), 1 << 16))
        n = len(chunk)
        buffer[:n] = chunk
        self.count += n
        self.scan.inflated += n
        if self.scan.inflated > L.MAX_INFLATED_BYTES:
            raise ContainerError(f"после распаковки файл занимает больше {L.MAX_INFLATED_BYTES // 2**20} МБ "
                                 "(zip-бомба); файл не обработан")
        if self.count > L.RATIO_FROM_BYTES and self.count > L.MAX_RATIO * max(self.info.compress_size, 1):
            raise ContainerError(f"подозрительно сильное сжатие части «{self.info.filename}» (zip-бомба); "
                                 "файл не обработан")
        return n

    def drain(self) -> None:
        while self.read(1 << 16):
            pass

    def read_up_to(self, size: int) -> bytes:
        """At most ``size`` bytes, fewer only at the end of the part."""
        chunks, count = [], 0
        while count < size:
            chunk = self.read(min(1 << 16, size - count))
            if not chunk:
                break
            chunks.append(chunk)
            count += len(chunk)
        return b"".join(chunks)

    def close(self) -> None:
        self.raw.close()
        super().close()


class _Scan:
    def __init__(self, archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo], pure: bool) -> None:
        self.archive, self.infos, self.pure = archive, infos, pure
        self.names = [i.filename for i in infos]
        self.inflated = 0
        self.cells = 0  # used-area cells of all sheets

    # ---- the whole container ------------------------------------------------------------
    def run(self) -> ContainerReport:
        if len(self.infos) > L.MAX_MEMBERS:
            raise ContainerError(f"в архиве {len(self.infos)} частей (допустимо не более {L.MAX_MEMBERS}); "
                                 "файл не является обычным отчётом")
        if len(set(self.names)) != len(self.names):
            raise ContainerError("в архиве повторяются части с одинаковыми именами (файл повреждён или подделан)")
        for info in self.infos:
            if info.flag_bits & 0x1:
                raise ContainerError(PASSWORD)
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise ContainerError("части файла сжаты неподдерживаемым способом; откройте файл в LibreOffice "
                                     "или Excel и сохраните его заново")
        names = set(self.names)
        if "content.xml" in names or "mimetype" in names:
            report = self.ods()
        elif "xl/workbook.xml" in names:
            report = self.xlsx()
        else:
            raise ContainerError("архив не является документом ODS или XLSX")
        report.inflated_bytes = self.inflated
        return report

    def open(self, name: str) -> _Counted:
        return _Counted(self, self.archive.getinfo(name))

    def parse(self, name: str, handle=None, events=("end",), tags=None) -> None:
        """Parse one XML part, giving (event, element) to ``handle`` (only elements of ``tags``
        where the parser can filter); without ``handle`` only syntax and DTDs are checked.
        Errors become Russian."""
        try:
            with self.unpacking(name):
                self._parse(name, handle, events, tags)
        except UnsafeXml:
            raise ContainerError(f"часть «{name}» содержит объявления DOCTYPE/ENTITY (возможная атака); "
                                 "файл не обработан") from None
        except BrokenXml as exc:
            where = f" (строка {exc.line})" if exc.line else ""
            raise ContainerError(f"часть «{name}» повреждена: нарушена разметка XML{where}") from None

    def _parse(self, name: str, handle, events, tags) -> None:
        if can_walk(self.pure):
            with self.open(name) as stream:
                data = stream.read_up_to(L.WALK_BYTES + 1)
            if len(data) <= L.WALK_BYTES:  # small (every real report): parsed whole in C, then walked
                root = parse_whole(data)
                compiled = getattr(handle, "compiled", None) if _cells is not None else None
                if handle is None or (compiled is not None and compiled(root)):
                    return
                for event, element in walk_parsed(root, events, tags):
                    handle(event, element)
                return
            self.inflated -= len(data)  # too large to hold: parsed again below, as a stream
        with self.open(name) as stream:
            if handle is None:
                check_part(io.BufferedReader(stream, 1 << 16), self.pure)
                return
            for event, element in iterparse(io.BufferedReader(stream, 1 << 16), events, self.pure, tags):
                handle(event, element)

    def read(self, name: str, size: int) -> bytes:
        """The first ``size`` bytes of a part, the whole part inflated (counted, checksum checked)."""
        with self.unpacking(name), self.open(name) as stream:
            data = stream.read_up_to(size)
            stream.drain()
        return data

    def drain(self, name: str) -> None:
        with self.unpacking(name), self.open(name) as stream:
            stream.drain()

    @contextmanager
    def unpacking(self, name: str):
        """A part that does not inflate (a file broken in transit) becomes a Russian reason."""
        try:
            yield
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError):
            raise ContainerError(f"часть «{name}» повреждена и не распаковывается (архив испорчен, "
                                 "например при пересылке)") from None

    def rest(self, done: set[str]) -> None:
        """Every other part: XML parsed (for DTDs), the rest inflated and counted."""
        for name in self.names:
            if name in done or name.endswith("/"):
                continue
            if name.endswith((".xml", ".rels")):
                self.parse(name)
            else:
                self.drain(name)

    def sheet_done(self, extent: SheetExtent, report: ContainerReport) -> None:
        report.sheets.append(extent)
        if len(report.sheets) > L.MAX_SHEETS:
            raise ContainerError(f"в файле больше {L.MAX_SHEETS} листов; файл не является обычным отчётом")

    def within_limits(self, report: ContainerReport, extents: list[tuple[int, int]], sheets: int) -> bool:
        """Whether ``sheets`` more sheets, the used areas of ``extents`` (rows, columns), stay within
        every limit; when they do not, the walk in Python finds the first row over and names it."""
        return (len(report.sheets) + sheets <= L.MAX_SHEETS
                and all(rows <= L.MAX_ROWS and columns <= L.MAX_COLUMNS for rows, columns in extents)
                and self.cells + sum(rows * columns for rows, columns in extents) <= L.MAX_CELLS)

    def used(self, extent: SheetExtent, last_row: int, last_col: int) -> None:
        """A cell holding something reaches ``last_row``/``last_col`` (1-based)."""
        if last_row > L.MAX_ROWS:
            raise ContainerError(f"на листе «{extent.name}» заполнены ячейки в строке {last_row} "
                                 f"(допустимо не более {L.MAX_ROWS} строк); удалите лишние данные")
        if last_col > L.MAX_COLUMNS:
            raise ContainerError(f"на листе «{extent.name}» заполнены ячейки в столбце {last_col} "
                                 f"(допустимо не более {L.MAX_COLUMNS} столбцов); удалите лишние данные")
        rows, cols = max(extent.rows, last_row), max(extent.columns, last_col)
        self.cells += rows * cols - extent.rows * extent.columns
        extent.rows, extent.columns = rows, cols
        if self.cells > L.MAX_CELLS:
            raise ContainerError(f"заполненная область листов больше {L.MAX_CELLS:,} ячеек".replace(",", " ")
                                 + "; файл не является обычным отчётом")

    # ---- ODS ----------------------------------------------------------------------------
    def ods(self) -> ContainerReport:
        report = ContainerReport("ods")
        names = set(self.names)
        done: set[str] = set()
        if "mimetype" in names:
            done.add("mimetype")
            mimetype = self.read("mimetype", 200).decode("ascii", "replace").strip()
            if mimetype != _ODS_MIME:
                raise ContainerError(f"это не электронная таблица ODS (тип документа: {mimetype[:60]})")
        if "META-INF/manifest.xml" in names:
            done.add("META-INF/manifest.xml")
            encrypted = []
            self.parse("META-INF/manifest.xml",
                       lambda ev, el: encrypted.append(1) if el.tag == f"{{{_MANIFEST}}}encryption-data" else None)
            if encrypted:
                raise ContainerError(PASSWORD)
        if "content.xml" not in names:
            raise ContainerError("в документе ODS нет содержимого (части «content.xml»); файл повреждён")
        report.has_macros = any(n.startswith(("Basic/", "Scripts/")) for n in self.names)
        done.add("content.xml")
        content = _OdsContent(self, report)
        self.parse("content.xml", content, ("start", "end"), content.tags)
        if "meta.xml" in names:
            done.add("meta.xml")
            report.saved_at = self.meta_date("meta.xml", f"{{{_DC}}}date")
        self.rest(done)
        return report

    # ---- XLSX ---------------------------------------------------------------------------
    def xlsx(self) -> ContainerReport:
        report = ContainerReport("xlsx")
        names = set(self.names)
        report.has_macros = any(n.lower().endswith("vbaproject.bin") for n in self.names)
        done = {"xl/workbook.xml", "xl/_rels/workbook.xml.rels", "_rels/.rels"}
        if "_rels/.rels" in names:
            roots = self.relationships("_rels/.rels", "")
            main = [target for kind, target in roots.values() if kind.endswith("/officeDocument")]
            if main and main != ["xl/workbook.xml"]:
                raise ContainerError("нестандартное строение документа XLSX; откройте файл в Excel или LibreOffice "
                                     "и сохраните его заново")
        targets = self.relationships("xl/_rels/workbook.xml.rels", "xl/") if "xl/_rels/workbook.xml.rels" in names \
            else {}
        sheets: dict[str, str] = {}
        strict = []

        def sheet(_, el):
            if el.tag.startswith("{http://purl.oclc.org/ooxml/"):
                strict.append(1)
            if el.tag == f"{{{_SSML}}}sheet":
                kind, target = targets.get(el.get(f"{{{_REL}}}id", ""), ("", ""))
                if kind.endswith("/worksheet"):
                    if target not in names:
                        raise ContainerError(f"лист «{el.get('name', '')[:60]}» ссылается на отсутствующую часть "
                                             "файла (файл повреждён)")
                    sheets[target] = el.get("name", "")
        self.parse("xl/workbook.xml", sheet)
        if strict:
            raise ContainerError("книга сохранена в формате «Strict Open XML»; сохраните её как обычную книгу "
                                 "Excel (XLSX)")
        strings = _SharedStrings()
        for kind, target in targets.values():
            if kind.endswith("/sharedStrings") and target in names and target not in done:
                done.add(target)
                self.parse(target, strings, ("end",), (strings.tag,))
        for member, name in sheets.items():
            if member in names and member not in done:
                done.add(member)
                extent = SheetExtent(name)
                sheet_part = _XlsxSheet(self, report, extent, strings.count)
                self.parse(member, sheet_part, ("end",), sheet_part.tags)
                self.sheet_done(extent, report)
        if "docProps/core.xml" in names:
            done.add("docProps/core.xml")
            report.saved_at = self.meta_date("docProps/core.xml", f"{{{_DCTERMS}}}modified")
        self.rest(done)
        return report

    def relationships(self, member: str, base: str) -> dict[str, tuple[str, str]]:
        """Relationship id -> (type, part name) of a .rels part, targets resolved as readers do."""
        found: dict[str, tuple[str, str]] = {}

        def rel(_, el):
            if el.tag == f"{{{_PKG_REL}}}Relationship" and el.get("TargetMode") != "External":
                target = el.get("Target", "").replace("\\", "/")
                target = target.lstrip("/") if target.startswith("/") else base + target
                found[el.get("Id", "")] = (el.get("Type", ""), posixpath.normpath(target))
        self.parse(member, rel)
        return found

    def meta_date(self, member: str, tag: str) -> datetime | None:
        found: list[str] = []
        self.parse(member, lambda ev, el: found.append(el.text or "") if el.tag == tag and not found else None)
        if not found:
            return None
        try:
            return parse_datetime(found[0].strip()).replace(tzinfo=None)
        except ValueError:
            return None


def _positive(value: str | None, what: str, sheet: str) -> int:
    if value is None:
        return 1
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise ContainerError(f"на листе «{sheet}» недопустимое значение атрибута {what} «{value[:40]}» "
                             "(файл повреждён или создан с ошибкой)")
    return number


_CELL_CHECKS = {
    "float": ("value", float, "число"),
    "percentage": ("value", float, "число"),
    "currency": ("value", float, "число"),
    "date": ("date-value", lambda t: parse_datetime(t) if "T" in t else date.fromisoformat(t), "дата"),
    "boolean": ("boolean-value", lambda t: {"true": True, "false": False}[t], "логическое значение"),
}


_ODS_CHECKED = {kind: attribute.encode() for kind, (attribute, _, _) in _CELL_CHECKS.items()}


class _OdsContent:
    """content.xml: each table's used area with repeats, the values' syntax, formulas.

    Events come for tables and rows only; a row's cells are walked when the row ends, and
    each row done is dropped, so memory stays flat and little Python runs per cell.
    """

    def __init__(self, scan: _Scan, report: ContainerReport) -> None:
        self.scan, self.report = scan, report
        self.table_tag, self.row_tag = f"{{{_TABLE}}}table", f"{{{_TABLE}}}table-row"
        self.tags = (self.table_tag, self.row_tag)
        self.cell_tags = (f"{{{_TABLE}}}table-cell", f"{{{_TABLE}}}covered-table-cell")
        self.extent: SheetExtent | None = None
        self.depth = 0
        self.row = 0  # 0-based index of the current row

    def __call__(self, event: str, el) -> None:
        tag = el.tag
        if tag == self.table_tag:
            if event == "start":
                self.depth += 1
                if self.depth == 1:
                    self.extent = SheetExtent(el.get(f"{{{_TABLE}}}name", ""))
                    self.row = 0
                return
            self.depth -= 1
            if self.depth == 0 and self.extent is not None:
                self.scan.sheet_done(self.extent, self.report)
                self.extent = None
            el.clear()
        elif tag == self.row_tag and event == "end" and self.extent is not None and self.depth == 1:
            self.end_row(el)

    def end_row(self, el) -> None:
        name = self.extent.name
        repeat = _positive(el.get(_ROWS_REPEATED), "number-rows-repeated", name)
        col = last = 0
        cells = el.iterchildren(*self.cell_tags) if hasattr(el, "iterchildren") else \
            (cell for cell in el if cell.tag in self.cell_tags)
        for cell in cells:
            get = cell.get
            n = get(_COLUMNS_REPEATED)
            n = 1 if n is None else _positive(n, "number-columns-repeated", name)
            kind = get(_VALUE_TYPE)
            formula = get(_FORMULA)
            if kind or formula or len(cell):
                if kind in _CELL_CHECKS:
                    self.check_value(cell, kind, col)
                if formula and self.row < L.MAX_ROWS and col < L.MAX_COLUMNS:
                    self.report.formulas.append(FormulaCell(name, f"{column_letter(col)}{self.row + 1}", formula))
                last = col + n
            col += n
        if last:
            self.scan.used(self.extent, self.row + repeat, last)
        self.row += repeat
        _release(el)

    def check_value(self, cell, kind: str, col: int) -> None:
        attribute, _, what = _CELL_CHECKS[kind]
        text = cell.get(f"{{{_OFFICE}}}{attribute}")
        if not _ods_value_ok(kind, text):
            where = f"{column_letter(min(col, L.MAX_COLUMNS))}{min(self.row + 1, L.MAX_ROWS + 1)}"
            raise ContainerError(f"лист «{self.extent.name}», ячейка {where}: значение «{(text or '')[:40]}» "
                                 f"не читается как {what} (файл повреждён или создан с ошибкой)")

    def compiled(self, root) -> bool:
        """The walk compiled against lxml's tree (``_cells.pyx``), when it answers: the same
        extents, and the values it hands back checked as :meth:`end_row` checks them. False:
        the walk in Python decides, and names what is wrong."""
        tables = _cells.ods_tables(root, _ODS_CHECKED)
        if tables is None or not all(_ods_value_ok(kind, text) for *_, checks in tables for kind, text, _, _ in checks):
            return False
        if not self.scan.within_limits(self.report, [(rows, columns) for _, rows, columns, _ in tables], len(tables)):
            return False
        for name, rows, columns, _ in tables:
            extent = SheetExtent(name)
            if rows:
                self.scan.used(extent, rows, columns)
            self.scan.sheet_done(extent, self.report)
        return True


def _ods_value_ok(kind: str, text: str | None) -> bool:
    try:
        _CELL_CHECKS[kind][1]((text or "").strip())
    except (ValueError, KeyError, OverflowError):
        return False
    return True


def _release(el) -> None:
    """Free a finished row and the finished rows just before it (lxml keeps them in the tree
    otherwise). Only rows: a cell beside the rows is still to be read, as the standard
    library's path (which frees nothing but the row) reads it."""
    el.clear()
    if hasattr(el, "getprevious"):  # lxml; the standard library's elements know no siblings
        parent = el.getparent()
        previous = el.getprevious()
        while previous is not None and previous.tag == el.tag:
            parent.remove(previous)
            previous = el.getprevious()


class _SharedStrings:
    def __init__(self) -> None:
        self.count = 0
        self.tag = f"{{{_SSML}}}si"

    def __call__(self, event: str, el) -> None:
        if el.tag == self.tag:
            self.count += 1
            el.clear()


_LETTERS = re.compile(r"[A-Z]{1,3}")
_COLUMNS: dict[str, int] = {}  # "AB" -> 28, filled as references are seen


def _ref(ref: str) -> tuple[int, int] | None:
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


_XLSX_KINDS = frozenset(("n", "s", "b", "d", "e", "str", "inlineStr"))
_XLSX_KINDS_OR_NONE = _XLSX_KINDS | {None}
_XLSX_CHECKED = frozenset(("n", "s", "b", "d"))  # the types whose values _xlsx_value_fault checks
_ROW_NUMBERS = 10**7  # a row's number is below this (a reference's row has at most 7 digits)
_XLSX_KINDS_BYTES = frozenset(kind.encode() for kind in _XLSX_KINDS)  # as the compiled walk compares them
_XLSX_CHECKED_BYTES = frozenset(kind.encode() for kind in _XLSX_CHECKED)


def _xlsx_value_fault(kind: str, text: str, strings: int) -> str | None:
    """What is wrong with a cell's value of type ``kind`` (``strings``: the shared strings); None: nothing."""
    if kind == "s":
        if not (text.isdigit() and int(text) < strings):
            return "ссылка на несуществующую строку текста"
    elif kind == "n":
        try:
            float(text)
        except ValueError:
            return f"значение «{text[:40]}» не является числом"
    elif kind == "b" and text not in ("0", "1"):
        return f"значение «{text[:40]}» не является логическим"
    elif kind == "d":
        try:
            parse_datetime(text)
        except ValueError:
            return f"значение «{text[:40]}» не является датой"
    return None


class _XlsxSheet:
    """One worksheet part: cell positions (explicit or implied), value syntax, formulas.

    Events come for rows (and the sheet data, for cells outside any row); a row's cells are
    walked when the row ends, and each row done is dropped.
    """

    def __init__(self, scan: _Scan, report: ContainerReport, extent: SheetExtent, strings: int) -> None:
        self.scan, self.report, self.extent, self.strings = scan, report, extent, strings
        self.row_tag, self.c_tag = f"{{{_SSML}}}row", f"{{{_SSML}}}c"
        self.v_tag, self.f_tag = f"{{{_SSML}}}v", f"{{{_SSML}}}f"
        self.data_tag = f"{{{_SSML}}}sheetData"
        self.tags = (self.row_tag, self.data_tag)
        self.row = 0
        self.col = 0

    def fail(self, cell: str, why: str) -> None:
        raise ContainerError(f"лист «{self.extent.name}», ячейка {cell[:12]}: {why} (файл повреждён или создан с ошибкой)")

    def __call__(self, event: str, el) -> None:
        tag = el.tag
        if tag == self.row_tag:
            number = el.get("r")
            if number is not None and not (number.isdigit() and 0 < int(number) < _ROW_NUMBERS):
                self.fail(f"строка {number}", "недопустимый номер строки")
            self.row = int(number) if number is not None else self.row + 1
            self.col = 0
            self.cells(el)
            _release(el)
        elif tag == self.data_tag:
            self.cells(el)  # cells outside any row: readers place them too

    def cells(self, parent) -> None:
        row, col = self.row, self.col
        top = right = 0
        c_tag = self.c_tag
        cells = parent.iterchildren(c_tag) if hasattr(parent, "iterchildren") else \
            (el for el in parent if el.tag == c_tag)
        suffix = str(row)  # a reference in this row ends with its number: only the letters are looked up
        for el in cells:
            ref = el.get("r")
            if ref:
                known = _COLUMNS.get(ref[:-len(suffix)]) if ref.endswith(suffix) else None
                if known is not None:
                    col = known
                else:
                    position = _ref(ref)
                    if position is None:
                        self.fail(ref, "недопустимая ссылка на ячейку")
                    col, row = position
                    suffix = str(row)
            else:
                row = max(row, 1)
                col += 1
            if col > right:
                right = col
            if row > top:
                top = row
            if len(el):  # a value or a formula inside
                self.row, self.col = row, col
                self.cell(el)
            elif el.get("t") not in _XLSX_KINDS_OR_NONE:
                self.row, self.col = row, col
                self.fail(self.name(), f"неизвестный тип ячейки «{el.get('t')[:20]}»")
        self.row, self.col = row, col
        if right:
            self.scan.used(self.extent, top, right)

    def cell(self, el) -> None:
        kind = el.get("t", "n")
        if kind not in _XLSX_KINDS:
            self.fail(self.name(), f"неизвестный тип ячейки «{kind[:20]}»")
        for child in el:
            if child.tag == self.v_tag:
                text = (child.text or "").strip()
                if text:  # an empty <v/> (a formula never calculated) is no value
                    self.value(kind, text)
            elif child.tag == self.f_tag:
                self.report.formulas.append(FormulaCell(self.extent.name, self.name(), child.text or "(общая формула)"))

    def value(self, kind: str, text: str) -> None:
        fault = _xlsx_value_fault(kind, text, self.strings)
        if fault:
            self.fail(self.name(), fault)

    def compiled(self, root) -> bool:
        """The walk compiled against lxml's tree (``_cells.pyx``), when it answers: the same used
        area, and the values it hands back checked as :meth:`value` checks them. False: the walk
        in Python decides, and names what is wrong."""
        found = _cells.xlsx_sheet(root, self.strings, _XLSX_KINDS_BYTES, _XLSX_CHECKED_BYTES, _ROW_NUMBERS)
        if found is None:
            return False
        rows, columns, checks = found
        if any(_xlsx_value_fault(kind, text.strip(), self.strings) for kind, text in checks if text.strip()):
            return False
        if not self.scan.within_limits(self.report, [(rows, columns)], 0):
            return False
        if columns:
            self.scan.used(self.extent, rows, columns)
        return True

    def name(self) -> str:
        return f"{column_letter(self.col - 1)}{self.row}"
