"""Roadmap documents -> a flat sequence of blocks: paragraphs and table rows, in reading order.

Each source format has one small reader here; the structure (which row is a header, a section,
an item or a continuation) is decided later, the same way for every format.
"""

from __future__ import annotations

import html
import os
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import DocumentImportError


@dataclass
class Para:
    text: str
    line: int  # 1-based line (text) or paragraph/row position (documents)


@dataclass
class Row:
    cells: list[str] = field(default_factory=list)
    line: int = 0


Block = Para | Row


def clean_cell(raw: str) -> str:
    """Cell text without HTML: paragraphs and list items become lines, entities decoded."""
    s = re.sub(r"<a\b[^>]*>(.*?)</a>", r"\1", raw, flags=re.IGNORECASE | re.DOTALL)
    s = re.sub(r"<li\b[^>]*>", "\n", s, flags=re.IGNORECASE)
    s = re.sub(r"</p>\s*<p\b[^>]*>|<br\s*/?>|</?(?:ul|ol|p|div)\b[^>]*>", "\n", s, flags=re.IGNORECASE)
    s = re.sub(r"<[^>]+>", "", s)
    s = html.unescape(s).replace("\xa0", " ").replace("****", "\n").replace("**", "")
    lines = [re.sub(r"[ \t]+", " ", line).strip() for line in s.split("\n")]
    return "\n".join(line for line in lines if line)


# ---- text extracts ------------------------------------------------------------------------------


def text_blocks(text: str) -> list[Block]:
    """Tab-separated rows; or, when a document has none, one cell per line (lines led by a tab)."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if any(line.count("\t") >= 2 for line in lines):
        return _tabbed(lines)
    return _cell_per_line(lines)


def _tabbed(lines: list[str]) -> list[Block]:
    blocks: list[Block] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        if "\t" in line:
            blocks.append(Row([clean_cell(c) for c in line.split("\t")], number))
        else:
            blocks.append(Para(clean_cell(line).replace("\n", " "), number))
    return blocks


def _cell_per_line(lines: list[str]) -> list[Block]:
    """Rows written as consecutive lines that start with a tab (the first may be the number)."""
    blocks: list[Block] = []
    current: Row | None = None
    for number, line in enumerate(lines, start=1):
        if line.startswith("\t"):
            if current is None:
                current = Row([], number)
                blocks.append(current)
            current.cells.append(clean_cell(line.strip("\t")))
            continue
        current = None
        if not line.strip():
            continue
        stripped = line.strip()
        if re.fullmatch(r"(?:\d{1,3}(?:\.\d{1,3})*\.?|[IVXХ]{1,5}\.?)", stripped):
            current = Row([stripped], number)  # the number cell, its row follows on tab lines
            blocks.append(current)
        else:
            blocks.append(Para(clean_cell(stripped).replace("\n", " "), number))
    return blocks


# ---- office documents -------------------------------------------------------------------------


def odt_blocks(path: Path) -> list[Block]:
    from odf import opendocument, table, teletype, text
    from odf.namespaces import TABLENS, TEXTNS

    doc = opendocument.load(str(path))
    blocks: list[Block] = []
    position = 0

    def cell_text(cell) -> str:
        parts = [teletype.extractText(p) for p in cell.childNodes if p.qname in ((TEXTNS, "p"), (TEXTNS, "h"))]
        for lst in (c for c in cell.childNodes if c.qname == (TEXTNS, "list")):
            parts += [teletype.extractText(p) for p in lst.getElementsByType(text.P)]
        return clean_cell("\n".join(parts))

    def walk(node) -> None:
        nonlocal position
        for child in node.childNodes:
            if child.qname in ((TEXTNS, "p"), (TEXTNS, "h")):
                position += 1
                content = teletype.extractText(child).strip()
                if content:
                    blocks.append(Para(content, position))
            elif child.qname == (TABLENS, "table"):
                for tr in child.getElementsByType(table.TableRow):
                    position += 1
                    cells = []
                    for cell in tr.childNodes:
                        if cell.qname == (TABLENS, "table-cell"):
                            cells.append(cell_text(cell))
                            span = int(cell.attributes.get((TABLENS, "number-columns-spanned"), 1))
                            cells += [""] * (span - 1)
                        elif cell.qname == (TABLENS, "covered-table-cell"):
                            continue
                    blocks.append(Row(cells, position))
            elif child.qname[1] in ("section", "list", "list-item", "text"):
                walk(child)

    walk(doc.text)
    return blocks


_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def docx_blocks(path: Path) -> list[Block]:
    import xml.etree.ElementTree as ET

    from ..reading.container import ContainerError

    try:
        with zipfile.ZipFile(path) as archive:
            data = archive.read("word/document.xml")
    except (zipfile.BadZipFile, KeyError) as exc:
        raise DocumentImportError(f"файл DOCX повреждён: {exc}") from None
    if b"<!DOCTYPE" in data[:4096] or b"<!ENTITY" in data[:4096]:
        raise DocumentImportError(str(ContainerError("документ содержит объявления DOCTYPE/ENTITY")))
    root = ET.fromstring(data)
    body = root.find(f"{{{_W}}}body")
    blocks: list[Block] = []
    position = 0

    def para_text(p) -> str:
        parts = []
        for node in p.iter():
            if node.tag == f"{{{_W}}}t":
                parts.append(node.text or "")
            elif node.tag in (f"{{{_W}}}br", f"{{{_W}}}cr"):
                parts.append("\n")
            elif node.tag == f"{{{_W}}}tab":
                parts.append(" ")
        return "".join(parts)

    for element in body if body is not None else []:
        if element.tag == f"{{{_W}}}p":
            position += 1
            text = para_text(element).strip()
            if text:
                blocks.append(Para(text, position))
        elif element.tag == f"{{{_W}}}tbl":
            for tr in element.iter(f"{{{_W}}}tr"):
                position += 1
                cells = []
                for tc in tr.findall(f"{{{_W}}}tc"):
                    cells.append(clean_cell("\n".join(para_text(p) for p in tc.iter(f"{{{_W}}}p"))))
                    span = tc.find(f"{{{_W}}}tcPr/{{{_W}}}gridSpan")
                    if span is not None:
                        cells += [""] * (int(span.get(f"{{{_W}}}val", "1")) - 1)
                blocks.append(Row(cells, position))
    return blocks


def sheet_blocks(path: Path) -> list[Block]:
    from ..sheets.reading import WorkbookReadError, read_workbook

    try:
        sheets = read_workbook(path)
    except WorkbookReadError as exc:
        raise DocumentImportError(str(exc)) from None
    blocks: list[Block] = []
    for rows in sheets.values():
        if not any(len(row) >= 3 for row in rows):
            continue
        for number, row in enumerate(rows, start=1):
            cells = [clean_cell("" if v is None else str(v)) for v in row]
            if not any(cells):
                continue
            if sum(1 for c in cells if c) == 1 and cells[0] and len(row) < 2:
                blocks.append(Para(cells[0], number))
            else:
                blocks.append(Row(cells, number))
        break  # the first sheet with a table
    return blocks


def read_blocks(source: str | os.PathLike) -> list[Block]:
    path = Path(source)
    suffix = path.suffix.lower()
    if not path.exists():
        raise DocumentImportError(f"файл не найден: {path}")
    if suffix in (".txt", ".tsv", ".text", ""):
        data = path.read_bytes()
        for encoding in ("utf-8-sig", "cp1251"):
            try:
                return text_blocks(data.decode(encoding))
            except UnicodeDecodeError:
                continue
        raise DocumentImportError("не удалось определить кодировку текстового файла (ожидается UTF-8 или Windows-1251)")
    if suffix == ".odt":
        try:
            return odt_blocks(path)
        except Exception as exc:  # odfpy raises many kinds for a broken file
            raise DocumentImportError(f"файл ODT не читается: {exc}") from None
    if suffix == ".docx":
        return docx_blocks(path)
    if suffix in (".ods", ".xlsx"):
        return sheet_blocks(path)
    raise DocumentImportError(f"формат «{path.suffix}» не поддерживается: ожидается ODT, DOCX, ODS, XLSX или текст")
