"""Roadmap documents -> a flat sequence of blocks: paragraphs and table rows, in reading order.

Each source format has one small reader here; the structure (which row is a header, a section,
an item or a continuation) is decided later, the same way for every format.
"""

from __future__ import annotations

import os
import re
import zipfile
from pathlib import Path

from ..errors import DocumentImportError
from .blocks import Block, Para, Row, clean_cell
from .text import mark_short, text_blocks

__all__ = ["Block", "Para", "Row", "clean_cell", "read_blocks", "text_blocks"]


# ---- office documents -------------------------------------------------------------------------


def odt_blocks(path: Path) -> list[Block]:
    from odf import opendocument, teletype
    from odf.namespaces import TABLENS, TEXTNS

    doc = opendocument.load(str(path))
    blocks: list[Block] = []
    position = 0
    numbering = _OdtNumbering(doc)

    def paragraphs(node) -> list[str]:
        """Paragraphs and list items of a cell, in order; list items carry their number or a dash."""
        parts: list[str] = []
        for child in node.childNodes:
            if child.qname in ((TEXTNS, "p"), (TEXTNS, "h")):
                parts.append(teletype.extractText(child))
            elif child.qname == (TEXTNS, "list"):
                parts += numbering.list_items(child, paragraphs)
        return parts

    def walk(node) -> None:
        nonlocal position
        for child in node.childNodes:
            if child.qname in ((TEXTNS, "p"), (TEXTNS, "h")):
                position += 1
                content = teletype.extractText(child).strip()
                if content:
                    blocks.append(Para(content, position))
            elif child.qname == (TEXTNS, "list"):
                for content in numbering.list_items(child, paragraphs):
                    position += 1
                    if content.strip():
                        blocks.append(Para(content.strip(), position))
            elif child.qname == (TABLENS, "table"):
                for tr in _odt_rows(child):
                    position += 1
                    row = Row([], position)
                    horizontal = 0
                    for cell in tr.childNodes:
                        if cell.qname == (TABLENS, "table-cell"):
                            row.cells.append(clean_cell("\n".join(paragraphs(cell))))
                            horizontal = int(cell.attributes.get((TABLENS, "number-columns-spanned"), 1)) - 1
                            row.cells += [""] * horizontal
                            row.spanning = row.spanning or horizontal >= 2
                        elif cell.qname == (TABLENS, "covered-table-cell"):
                            if horizontal:
                                horizontal -= 1
                                continue
                            row.merged.add(len(row.cells))  # covered by a cell spanning rows above
                            row.cells.append("")
                    blocks.append(row)
            elif child.qname[1] in ("section", "text"):
                walk(child)

    walk(doc.text)
    return blocks


def _odt_rows(table_node):
    from odf.namespaces import TABLENS

    for child in table_node.childNodes:
        if child.qname == (TABLENS, "table-row"):
            yield child
        elif child.qname[1] in ("table-header-rows", "table-rows", "table-row-group"):
            yield from _odt_rows(child)


class _OdtNumbering:
    """Numbers of ODT list items ("1.", "2.1."), kept per list style across cells that continue a list."""

    def __init__(self, doc) -> None:
        from odf.namespaces import STYLENS, TEXTNS

        self.formats: dict[str, dict[int, tuple[str, str, str, int]]] = {}
        for root in (doc.automaticstyles, doc.styles):
            for style in root.childNodes:
                if style.qname != (TEXTNS, "list-style"):
                    continue
                levels = {}
                for level in style.childNodes:
                    if level.qname == (TEXTNS, "list-level-style-number"):
                        attrs = level.attributes
                        levels[int(attrs.get((TEXTNS, "level"), 1))] = (
                            attrs.get((STYLENS, "num-format"), "1"), attrs.get((STYLENS, "num-prefix"), ""),
                            attrs.get((STYLENS, "num-suffix"), ""),
                            int(attrs.get((TEXTNS, "display-levels"), 1)))
                self.formats[style.getAttribute("name")] = levels
        self.counters: dict[str, list[int]] = {}

    def list_items(self, lst, paragraphs, style: str | None = None, level: int = 1) -> list[str]:
        from odf.namespaces import TEXTNS

        style = lst.attributes.get((TEXTNS, "style-name")) or style or ""
        continues = lst.attributes.get((TEXTNS, "continue-numbering")) == "true" or \
            (TEXTNS, "continue-list") in lst.attributes
        counters = self.counters.setdefault(style, [0] * 10)
        if level == 1 and not continues:
            counters[:] = [0] * 10
        levels = self.formats.get(style, {})
        parts: list[str] = []
        for item in lst.childNodes:
            if item.qname != (TEXTNS, "list-item"):
                continue
            wrapper = not any(c.qname in ((TEXTNS, "p"), (TEXTNS, "h")) for c in item.childNodes)
            if not wrapper:  # an item holding only a deeper list is not counted at this level
                counters[level - 1] += 1
                counters[level:] = [0] * (10 - level)
            label = "-"
            if level in levels and levels[level][0]:
                fmt, prefix, suffix, shown = levels[level]
                numbers = counters[max(0, level - shown):level]
                label = prefix + ".".join(_format_number(n, fmt) for n in numbers) + suffix
            first = True
            for child in item.childNodes:
                if child.qname == (TEXTNS, "list"):
                    parts += self.list_items(child, paragraphs, style, level + 1)
                    continue
                texts = paragraphs(_Wrapper([child]))
                for text in texts:
                    parts.append(f"{label} {text}".strip() if first else text)
                    first = False
        return parts


class _Wrapper:
    def __init__(self, children) -> None:
        self.childNodes = children


def _format_number(number: int, fmt: str) -> str:
    if fmt in ("I", "i"):
        roman = _roman(number)
        return roman if fmt == "I" else roman.lower()
    if fmt in ("A", "a", "А", "а"):
        letters = "АБВГДЕЖЗИКЛМНОПРСТУФХЦЧШЩЭЮЯ" if fmt in ("А", "а") else "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
        letter = letters[(number - 1) % len(letters)]
        return letter if fmt.isupper() else letter.lower()
    return str(number)


def _roman(number: int) -> str:
    result = ""
    for value, digits in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"),
                          (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while number >= value:
            result += digits
            number -= value
    return result


_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _w(tag: str) -> str:
    return f"{{{_W}}}{tag}"


def _safe_xml(archive: zipfile.ZipFile, name: str):
    """Parse a part with DTDs and entities refused by the parser itself (anywhere, any encoding)."""
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import fromstring

    try:
        return fromstring(archive.read(name), forbid_dtd=True)
    except DefusedXmlException:
        raise DocumentImportError("документ содержит объявления DOCTYPE/ENTITY (возможная атака); "
                                  "файл не обработан") from None


def docx_blocks(path: Path) -> list[Block]:
    try:
        with zipfile.ZipFile(path) as archive:
            root = _safe_xml(archive, "word/document.xml")
            numbering_xml = _safe_xml(archive, "word/numbering.xml") if "word/numbering.xml" in archive.namelist() \
                else None
    except (zipfile.BadZipFile, KeyError) as exc:
        raise DocumentImportError(f"файл DOCX повреждён: {exc}") from None
    numbering = _DocxNumbering(numbering_xml)
    body = root.find(_w("body"))
    blocks: list[Block] = []
    position = 0

    def para_text(p) -> str:
        parts = []
        for node in p.iter():
            if node.tag == _w("t"):
                parts.append(node.text or "")
            elif node.tag in (_w("br"), _w("cr")):
                parts.append("\n")
            elif node.tag == _w("tab"):
                parts.append(" ")
        text = "".join(parts)
        label = numbering.label(p)
        return f"{label} {text}".strip() if label else text

    def cell_paragraphs(tc) -> list[str]:
        parts = []
        for child in tc:
            if child.tag == _w("p"):
                parts.append(para_text(child))
            elif child.tag == _w("sdt"):
                parts += cell_paragraphs(child.find(_w("sdtContent")) or [])
            elif child.tag == _w("tbl"):
                for p in child.iter(_w("p")):
                    parts.append(para_text(p))
        return parts

    def rows(tbl):
        for child in tbl:
            if child.tag == _w("tr"):
                yield child
            elif child.tag == _w("sdt"):
                content = child.find(_w("sdtContent"))
                yield from rows(content if content is not None else [])

    for element in body if body is not None else []:
        if element.tag == _w("p"):
            position += 1
            text = para_text(element).strip()
            if text:
                blocks.append(Para(text, position))
        elif element.tag == _w("tbl"):
            for tr in rows(element):
                position += 1
                row = Row([], position)
                for tc in tr.findall(_w("tc")):
                    merge = tc.find(f"{_w('tcPr')}/{_w('vMerge')}")
                    if merge is not None and merge.get(_w("val"), "continue") == "continue":
                        row.merged.add(len(row.cells))
                    row.cells.append(clean_cell("\n".join(cell_paragraphs(tc))))
                    span = tc.find(f"{_w('tcPr')}/{_w('gridSpan')}")
                    if span is not None:
                        row.cells += [""] * (int(span.get(_w("val"), "1")) - 1)
                        row.spanning = row.spanning or int(span.get(_w("val"), "1")) >= 3
                blocks.append(row)
    return blocks


class _DocxNumbering:
    """Word's automatic numbering: the «№» lives in numbering.xml, not in the paragraph text."""

    def __init__(self, root) -> None:
        self.levels: dict[str, dict[int, tuple[str, str, int]]] = {}  # numId -> ilvl -> (format, text, start)
        self.counters: dict[str, list[int]] = {}
        if root is None:
            return
        abstract = {}
        for node in root.findall(_w("abstractNum")):
            levels = {}
            for lvl in node.findall(_w("lvl")):
                fmt = lvl.find(_w("numFmt"))
                text = lvl.find(_w("lvlText"))
                start = lvl.find(_w("start"))
                levels[int(lvl.get(_w("ilvl"), "0"))] = (
                    fmt.get(_w("val"), "decimal") if fmt is not None else "decimal",
                    text.get(_w("val"), "") if text is not None else "",
                    int(start.get(_w("val"), "1")) if start is not None else 1)
            abstract[node.get(_w("abstractNumId"))] = levels
        for num in root.findall(_w("num")):
            ref = num.find(_w("abstractNumId"))
            levels = dict(abstract.get(ref.get(_w("val")) if ref is not None else "", {}))
            for override in num.findall(_w("lvlOverride")):
                start = override.find(_w("startOverride"))
                ilvl = int(override.get(_w("ilvl"), "0"))
                if start is not None and ilvl in levels:
                    fmt, text, _ = levels[ilvl]
                    levels[ilvl] = (fmt, text, int(start.get(_w("val"), "1")))
            self.levels[num.get(_w("numId"))] = levels

    def label(self, p) -> str:
        props = p.find(f"{_w('pPr')}/{_w('numPr')}")
        if props is None:
            return ""
        num_id = props.find(_w("numId"))
        ilvl_node = props.find(_w("ilvl"))
        if num_id is None:
            return ""
        num = num_id.get(_w("val"))
        ilvl = int(ilvl_node.get(_w("val"), "0")) if ilvl_node is not None else 0
        levels = self.levels.get(num)
        if not levels or ilvl not in levels:
            return ""
        counters = self.counters.setdefault(num, [levels[i][2] - 1 if i in levels else 0 for i in range(9)])
        counters[ilvl] += 1
        for deeper in range(ilvl + 1, 9):
            counters[deeper] = levels[deeper][2] - 1 if deeper in levels else 0
        fmt, text, _ = levels[ilvl]
        if fmt == "bullet":
            return "-"
        if fmt == "none":
            return ""

        def value(match: re.Match) -> str:
            level = int(match.group(1)) - 1
            level_fmt = levels.get(level, ("decimal", "", 1))[0]
            return _format_number(max(counters[level], 1), {"upperRoman": "I", "lowerRoman": "i",
                                                             "upperLetter": "A", "lowerLetter": "a",
                                                             "russianUpper": "А", "russianLower": "а"
                                                             }.get(level_fmt, "1"))

        return re.sub(r"%(\d)", value, text)


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
            blocks = odt_blocks(path)
        except Exception as exc:  # odfpy raises many kinds for a broken file
            raise DocumentImportError(f"файл ODT не читается: {exc}") from None
        return mark_short(blocks)
    if suffix == ".docx":
        return mark_short(docx_blocks(path))
    if suffix in (".ods", ".xlsx"):
        return sheet_blocks(path)
    if suffix == ".pdf":
        from .pdf import pdf_blocks  # pdfminer: the command line only, never the office extension

        return pdf_blocks(path)
    raise DocumentImportError(f"формат «{path.suffix}» не поддерживается: ожидается ODT, DOCX, ODS, XLSX, PDF "
                              "или текст")
