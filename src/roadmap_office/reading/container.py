"""Look inside an ODS/XLSX container before any spreadsheet library touches it.

Submissions arrive by e-mail from anyone: a zip bomb, XML with entity declarations, macros or
formulas (``=HYPERLINK``, DDE ``=cmd|...``) must be found and reported, never executed or
expanded. This module only reads zip entries and streams XML tags; it evaluates nothing.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

try:  # lxml when available (fast); the standard library inside LibreOffice's Python
    from lxml import etree as _etree

    def _iterparse(stream, events=("end",)):
        return _etree.iterparse(stream, events=events, resolve_entities=False, no_network=True, load_dtd=False)
except ImportError:  # pragma: no cover - exercised inside LibreOffice
    import xml.etree.ElementTree as _etree

    def _iterparse(stream, events=("end",)):
        return _etree.iterparse(stream, events=events)


MAX_FILE_BYTES = 50 * 2**20  # a school report is well under 1 MB
MAX_UNPACKED_BYTES = 200 * 2**20
MAX_RATIO = 200  # uncompressed / compressed of one entry; real spreadsheets stay well below

_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_DC = "http://purl.org/dc/elements/1.1/"
_SSML = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_DCTERMS = "http://purl.org/dc/terms/"


class ContainerError(Exception):
    """The file cannot be read safely; the message is Russian and says why."""


@dataclass
class FormulaCell:
    sheet: str
    cell: str  # A1
    formula: str


@dataclass
class ContainerReport:
    """What was found inside the container."""

    kind: str  # "ods" or "xlsx"
    saved_at: datetime | None = None  # when the office application last saved it
    has_macros: bool = False
    formulas: list[FormulaCell] = field(default_factory=list)


def inspect_container(path: Path) -> ContainerReport:
    """Check size, zip structure, entity declarations; find macros, formulas and the save time."""
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise ContainerError(f"файл слишком большой ({size // 2**20} МБ); отчёт школы не превышает нескольких МБ")
    if not zipfile.is_zipfile(path):
        raise ContainerError("файл не является документом ODS или XLSX (повреждён или другого формата)")
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise ContainerError(f"файл повреждён: {exc}") from None
    with archive:
        names = archive.namelist()
        total = 0
        for info in archive.infolist():
            total += info.file_size
            if info.compress_size and info.file_size / info.compress_size > MAX_RATIO and info.file_size > 2**20:
                raise ContainerError(
                    f"подозрительно сильное сжатие части «{info.filename}» (zip-бомба); файл не обработан"
                )
        if total > MAX_UNPACKED_BYTES:
            raise ContainerError("после распаковки файл занимает слишком много места (zip-бомба); файл не обработан")
        if "content.xml" in names:
            report = ContainerReport("ods")
            mimetype = archive.read("mimetype").decode("ascii", "replace").strip() if "mimetype" in names else ""
            if mimetype and mimetype != "application/vnd.oasis.opendocument.spreadsheet":
                raise ContainerError(f"это не электронная таблица ODS (тип документа: {mimetype})")
            report.has_macros = any(n.startswith(("Basic/", "Scripts/")) for n in names)
            xml_names = [n for n in names if n.endswith(".xml")]
        elif "xl/workbook.xml" in names:
            report = ContainerReport("xlsx")
            report.has_macros = any(n.lower().endswith("vbaproject.bin") for n in names)
            xml_names = [n for n in names if n.endswith((".xml", ".rels"))]
        else:
            raise ContainerError("архив не является документом ODS или XLSX")
        for name in xml_names:
            _refuse_entities(archive, name)
        if report.kind == "ods":
            _scan_ods(archive, report)
        else:
            _scan_xlsx(archive, report)
        return report


def _refuse_entities(archive: zipfile.ZipFile, name: str) -> None:
    with archive.open(name) as stream:
        head = stream.read(4096)
    if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
        raise ContainerError(f"часть «{name}» содержит объявления DOCTYPE/ENTITY (возможная атака); файл не обработан")


def _scan_ods(archive: zipfile.ZipFile, report: ContainerReport) -> None:
    from ..sheets.spec import column_letter

    table, row, cell = f"{{{_TABLE}}}table", f"{{{_TABLE}}}table-row", f"{{{_TABLE}}}table-cell"
    covered = f"{{{_TABLE}}}covered-table-cell"
    with archive.open("content.xml") as stream:
        sheet, row_number, col = "", 0, 0
        for event, el in _iterparse(stream, ("start", "end")):
            if event == "start":
                if el.tag == table:
                    sheet, row_number = el.get(f"{{{_TABLE}}}name", ""), 0
                elif el.tag == row:
                    row_number += 1
                    col = 0
                elif el.tag in (cell, covered):
                    formula = el.get(f"{{{_TABLE}}}formula")
                    if formula:
                        report.formulas.append(FormulaCell(sheet, f"{column_letter(col)}{row_number}", formula))
                    col += min(int(el.get(f"{{{_TABLE}}}number-columns-repeated", "1")), 16384)
            elif el.tag == row:
                row_number += min(int(el.get(f"{{{_TABLE}}}number-rows-repeated", "1")), 1_048_576) - 1
                el.clear()  # memory stays flat on large sheets
    if "meta.xml" in archive.namelist():
        report.saved_at = _meta_date(archive, "meta.xml", f"{{{_DC}}}date")


def _scan_xlsx(archive: zipfile.ZipFile, report: ContainerReport) -> None:
    names = set(archive.namelist())
    c_tag, f_tag = f"{{{_SSML}}}c", f"{{{_SSML}}}f"
    for member, sheet in _xlsx_sheet_files(archive).items():
        if member not in names:
            continue
        with archive.open(member) as stream:
            for _, el in _iterparse(stream):
                if el.tag == c_tag:
                    formula = el.find(f_tag)
                    if formula is not None:
                        report.formulas.append(FormulaCell(sheet, el.get("r", ""), formula.text or "(общая формула)"))
                    el.clear()
    if "docProps/core.xml" in names:
        report.saved_at = _meta_date(archive, "docProps/core.xml", f"{{{_DCTERMS}}}modified")


def _xlsx_sheet_files(archive: zipfile.ZipFile) -> dict[str, str]:
    """Worksheet part name -> sheet name, from workbook.xml and its relationships."""
    rel_ns = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    pkg_ns = "http://schemas.openxmlformats.org/package/2006/relationships"
    targets = {}
    with archive.open("xl/_rels/workbook.xml.rels") as stream:
        for _, el in _iterparse(stream):
            if el.tag != f"{{{pkg_ns}}}Relationship":
                continue
            target = el.get("Target", "")
            target = target.lstrip("/") if target.startswith("/") else "xl/" + target
            targets[el.get("Id")] = target
    result = {}
    with archive.open("xl/workbook.xml") as stream:
        for _, el in _iterparse(stream):
            if el.tag != f"{{{_SSML}}}sheet":
                continue
            target = targets.get(el.get(f"{{{rel_ns}}}id"))
            if target:
                result[target] = el.get("name", "")
    return result


def _meta_date(archive: zipfile.ZipFile, member: str, tag: str) -> datetime | None:
    with archive.open(member) as stream:
        data = stream.read(65536).decode("utf-8", "replace")
    local = tag.rsplit("}", 1)[1]
    match = re.search(rf"<[\w]+:{local}[^>]*>([^<]+)<", data)
    if not match:
        return None
    text = match.group(1).strip().rstrip("Z")
    try:
        return datetime.fromisoformat(text.split(".")[0])
    except ValueError:
        return None

