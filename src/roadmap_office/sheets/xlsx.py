"""Write a :class:`Workbook` spec as XLSX (SpreadsheetML), every part written here.

Every sheet keeps its look and behaviour: fonts, fills, borders and number formats per cell
style, locked and unlocked cells, protection, hidden sheets and columns, merges, frozen panes,
autofilters, data validations with Russian prompts, print setup and native bar charts.

The rows are streamed into the archive as text, their texts into one shared string table (the
consolidated records repeat the same events, statuses and names for every school), so time
and memory grow only with the cells written. A library's cell-by-cell interface costs several
times as much for a region's workbook (``bench/writers.py``).
"""

from __future__ import annotations

import os
from datetime import date, datetime, timezone
from functools import lru_cache
from pathlib import Path
from zipfile import ZIP_DEFLATED, ZipFile

from .spec import (PAGE_FOOTER, STYLES, Cell, Chart, Sheet, Validation, Workbook, column_letter,
                   estimated_row_heights, page_breaks, parse_range, print_scale, same_rule_ranges)
from .xmltext import Buffered, attr, text

_FONT = "Liberation Sans"
_BORDER_COLOR = "FF808080"
# style: font size, bold, italic, font colour, fill, wrap, number format
_STYLE = {
    "text": (10, False, False, None, None, True, None),
    "bold": (10, True, False, None, None, True, None),
    "header": (10, True, False, None, "FFD9E2F3", True, None),
    "section": (10, True, False, None, "FFEDEDED", True, None),
    "title": (13, True, False, None, None, True, None),
    "note": (9, False, True, "FF404040", None, True, None),
    "input": (10, False, False, None, "FFFFF2CC", True, None),
    "input_date": (10, False, False, None, "FFFFF2CC", True, "DD.MM.YYYY"),
    "date": (10, False, False, None, None, True, "DD.MM.YYYY"),
    "number": (10, False, False, None, None, False, "0.##"),
    "percent": (10, False, False, None, None, False, "0.0"),
}
_BORDERED = {"text", "bold", "header", "section", "input", "input_date", "date", "number", "percent"}
_MAX_TEXT = 32767  # characters an XLSX cell holds
_LEVEL = 3  # deflate level: the sheets are repetitive XML, the default level only costs time
_EPOCH = date(1899, 12, 30)
_EMU_PER_CM = 360000
_EMU_PER_PX = 9525

_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_TYPE = "application/vnd.openxmlformats-officedocument."
_DRAWING_NS = ('xmlns:xdr="http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing" '
               'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"')
_CHART_NS = ('xmlns:c="http://schemas.openxmlformats.org/drawingml/2006/chart" '
             'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
             f'xmlns:r="{_R}"')


def write_xlsx(book: Workbook, path: str | os.PathLike) -> Path:
    """Write ``book`` to ``path``; text that looks like a formula stays text."""
    path = Path(path)
    styles = _Styles()
    strings: dict[str, int] = {}
    drawings = {index: number for number, index in
                enumerate((i for i, sheet in enumerate(book.sheets) if sheet.charts), start=1)}
    n_charts = sum(len(sheet.charts) for sheet in book.sheets)
    selected = next((i for i, sheet in enumerate(book.sheets) if not sheet.hidden), 0)
    with ZipFile(path, "w", ZIP_DEFLATED, compresslevel=_LEVEL) as archive:
        archive.writestr("[Content_Types].xml", _content_types(len(book.sheets), len(drawings), n_charts))
        archive.writestr("_rels/.rels", _rels([
            ("officeDocument", "xl/workbook.xml"),
            (f"{_PKG_RELS}/metadata/core-properties", "docProps/core.xml"),
            ("extended-properties", "docProps/app.xml")]))
        archive.writestr("docProps/core.xml", _core(book))
        archive.writestr("docProps/app.xml", _APP)
        archive.writestr("xl/workbook.xml", _workbook(book, selected))
        archive.writestr("xl/_rels/workbook.xml.rels", _rels(
            [("worksheet", f"worksheets/sheet{n}.xml") for n in range(1, len(book.sheets) + 1)]
            + [("styles", "styles.xml"), ("sharedStrings", "sharedStrings.xml")]))
        archive.writestr("xl/styles.xml", styles.xml())
        chart = 0
        for index, sheet in enumerate(book.sheets):
            drawing = drawings.get(index)
            # opened by name, so that the archive's level applies (a ZipInfo would bring level 6)
            with archive.open(f"xl/worksheets/sheet{index + 1}.xml", "w", force_zip64=True) as stream:
                _write_sheet(Buffered(stream), sheet, book, styles, strings, bool(drawing), index == selected)
            if drawing:
                numbers = range(chart + 1, chart + 1 + len(sheet.charts))
                archive.writestr(f"xl/worksheets/_rels/sheet{index + 1}.xml.rels",
                                 _rels([("drawing", f"../drawings/drawing{drawing}.xml")]))
                archive.writestr(f"xl/drawings/drawing{drawing}.xml", _drawing(sheet))
                archive.writestr(f"xl/drawings/_rels/drawing{drawing}.xml.rels",
                                 _rels([("chart", f"../charts/chart{n}.xml") for n in numbers]))
                for n, spec in zip(numbers, sheet.charts):
                    archive.writestr(f"xl/charts/chart{n}.xml", _chart(sheet.name, spec, n))
                chart += len(sheet.charts)
        with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as stream:
            _write_strings(Buffered(stream), strings)
    return path


# ---- the package around the sheets ---------------------------------------------------------------
def _rels(targets: list[tuple[str, str]]) -> str:
    """A relationships part; a short type is one of the office document's own."""
    items = "".join(f'<Relationship Id="rId{n}" Type="{kind if "/" in kind else _R + "/" + kind}" '
                    f'Target="{target}"/>' for n, (kind, target) in enumerate(targets, start=1))
    return f'{_HEAD}<Relationships xmlns="{_PKG_RELS}">{items}</Relationships>'


def _content_types(sheets: int, drawings: int, charts: int) -> str:
    parts = [("/docProps/app.xml", _TYPE + "extended-properties+xml"),
             ("/docProps/core.xml", "application/vnd.openxmlformats-package.core-properties+xml"),
             ("/xl/workbook.xml", _TYPE + "spreadsheetml.sheet.main+xml"),
             ("/xl/styles.xml", _TYPE + "spreadsheetml.styles+xml"),
             ("/xl/sharedStrings.xml", _TYPE + "spreadsheetml.sharedStrings+xml")]
    parts += [(f"/xl/worksheets/sheet{n}.xml", _TYPE + "spreadsheetml.worksheet+xml") for n in range(1, sheets + 1)]
    parts += [(f"/xl/drawings/drawing{n}.xml", _TYPE + "drawing+xml") for n in range(1, drawings + 1)]
    parts += [(f"/xl/charts/chart{n}.xml", _TYPE + "drawingml.chart+xml") for n in range(1, charts + 1)]
    overrides = "".join(f'<Override PartName="{name}" ContentType="{kind}"/>' for name, kind in parts)
    return (f'{_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            f'<Default Extension="xml" ContentType="application/xml"/>{overrides}</Types>')


def _core(book: Workbook) -> str:
    """Title and dates; ``saved_at`` is both created and modified (a school's «last saved»)."""
    when = book.saved_at or datetime.now(timezone.utc).replace(tzinfo=None)
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    title = f"<dc:title>{text(book.title)}</dc:title>" if book.title else ""
    return (f'{_HEAD}<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            f'{title}<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
            f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified></cp:coreProperties>')


# the application name the spreadsheet libraries write, so that office applications treat the file as before
_APP = (f'{_HEAD}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
        "<Application>Microsoft Excel</Application><DocSecurity>0</DocSecurity></Properties>")


def _workbook(book: Workbook, selected: int) -> str:
    sheets, names = [], []
    for n, sheet in enumerate(book.sheets):
        state = ' state="hidden"' if sheet.hidden else ""
        sheets.append(f'<sheet name={attr(sheet.name)} sheetId="{n + 1}"{state} r:id="rId{n + 1}"/>')
        quoted = _quoted(sheet.name)
        if sheet.autofilter:
            names.append(f'<definedName name="_xlnm._FilterDatabase" localSheetId="{n}" hidden="1">'
                         f"{text(quoted)}!{_absolute(sheet.autofilter)}</definedName>")
        if sheet.repeat_rows:
            first, last = sheet.repeat_rows
            names.append(f'<definedName name="_xlnm.Print_Titles" localSheetId="{n}">'
                         f"{text(quoted)}!${first}:${last}</definedName>")
    defined = f"<definedNames>{''.join(names)}</definedNames>" if names else ""
    return (f'{_HEAD}<workbook xmlns="{_MAIN}" xmlns:r="{_R}"><workbookPr/><bookViews>'
            f'<workbookView xWindow="240" yWindow="15" windowWidth="16095" windowHeight="9660" activeTab="{selected}"/>'
            f"</bookViews><sheets>{''.join(sheets)}</sheets>{defined}"
            '<calcPr calcId="124519" fullCalcOnLoad="1"/></workbook>')


def _quoted(sheet_name: str) -> str:
    """A sheet name as a formula writes it: always quoted, which every application reads."""
    return "'" + sheet_name.replace("'", "''") + "'"


def _absolute(ref: str) -> str:
    """"A2:E6" -> "$A$2:$E$6"."""
    c1, r1, c2, r2 = parse_range(ref)
    return f"${column_letter(c1)}${r1 + 1}:${column_letter(c2)}${r2 + 1}"


class _Styles:
    """One cell format per (style, locked), all made up front; ``index`` gives its number."""

    def __init__(self) -> None:
        # font 0 is the workbook's default: column widths are counted in its digits (Calibri 11)
        self.fonts = ['<font><sz val="11"/><name val="Calibri"/><family val="2"/></font>']
        self.fills = ['<fill><patternFill patternType="none"/></fill>',
                      '<fill><patternFill patternType="gray125"/></fill>']
        self.borders = ["<border><left/><right/><top/><bottom/><diagonal/></border>",
                        "".join(["<border>"] + [f'<{side} style="thin"><color rgb="{_BORDER_COLOR}"/></{side}>'
                                                for side in ("left", "right", "top", "bottom")]
                                + ["<diagonal/></border>"])]
        self.formats: dict[str, int] = {}
        self.xfs = ['<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>']
        self.index: dict[tuple[str, bool], int] = {}
        for name in STYLES:
            for locked in (True, False):
                self.index[(name, locked)] = len(self.xfs)
                self.xfs.append(self._xf(name, locked))

    def _xf(self, name: str, locked: bool) -> str:
        size, bold, italic, color, fill, wrap, number = _STYLE[name]
        font = (("<b/>" if bold else "") + ("<i/>" if italic else "") + f'<sz val="{size}"/>'
                + (f'<color rgb="{color}"/>' if color else "") + f'<name val="{_FONT}"/><family val="2"/>')
        font_id = _number_of(self.fonts, f"<font>{font}</font>")
        fill_id = _number_of(self.fills, f'<fill><patternFill patternType="solid"><fgColor rgb="{fill}"/>'
                                         '<bgColor indexed="64"/></patternFill></fill>') if fill else 0
        border_id = 1 if name in _BORDERED else 0
        format_id = 0
        if number:
            format_id = self.formats.setdefault(number, 164 + len(self.formats))
        applied = ' applyNumberFormat="1"' if number else ""
        applied += ' applyFont="1"' + (' applyFill="1"' if fill else "") + (' applyBorder="1"' if border_id else "")
        wrap_text = ' wrapText="1"' if wrap else ""
        protection = "" if locked else '<protection locked="0"/>'
        return (f'<xf numFmtId="{format_id}" fontId="{font_id}" fillId="{fill_id}" borderId="{border_id}" xfId="0"'
                f'{applied} applyAlignment="1" applyProtection="1"><alignment vertical="top"{wrap_text}/>'
                f"{protection}</xf>")

    def xml(self) -> str:
        formats = "".join(f'<numFmt numFmtId="{n}" formatCode={attr(code)}/>' for code, n in self.formats.items())
        return (f'{_HEAD}<styleSheet xmlns="{_MAIN}"><numFmts count="{len(self.formats)}">{formats}</numFmts>'
                + _listed("fonts", self.fonts) + _listed("fills", self.fills) + _listed("borders", self.borders)
                + '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
                + _listed("cellXfs", self.xfs)
                + '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
                '<dxfs count="0"/><tableStyles count="0"/></styleSheet>')


def _number_of(items: list[str], item: str) -> int:
    if item not in items:
        items.append(item)
    return items.index(item)


def _listed(tag: str, items: list[str]) -> str:
    return f'<{tag} count="{len(items)}">{"".join(items)}</{tag}>'


# ---- a sheet ---------------------------------------------------------------------------------------
def _write_sheet(out: Buffered, sheet: Sheet, book: Workbook, styles: _Styles, strings: dict[str, int],
                 drawing: bool, selected: bool) -> None:
    merges = [parse_range(ref) for ref in sheet.merges]
    width = max([len(sheet.columns)] + [len(row) for row in sheet.rows] + [c2 + 1 for _, _, c2, _ in merges])
    breaks = page_breaks(sheet)
    out.write(f'{_HEAD}<worksheet xmlns="{_MAIN}" xmlns:r="{_R}">')
    if not breaks:
        out.write('<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>')
    out.write(f'<dimension ref="A1:{column_letter(max(width - 1, 0))}{max(len(sheet.rows), 1)}"/>')
    out.write(_sheet_view(sheet, selected))
    out.write('<sheetFormatPr defaultRowHeight="15"/>')
    out.write(_columns(sheet))
    out.write("<sheetData>")
    _rows(out, sheet, width, merges, styles.index, strings)
    out.write("</sheetData>")
    if sheet.protected:
        key = f' password="{_password_hash(book.password)}"' if book.password else ""
        # schools may widen columns, heighten rows and filter; never sort: a sort of some columns
        # would move a school's answers to other items
        out.write(f'<sheetProtection{key} sheet="1" objects="1" scenarios="1" formatColumns="0" formatRows="0"'
                  ' autoFilter="0"/>')
    if sheet.autofilter:
        out.write(f'<autoFilter ref="{sheet.autofilter}"/>')
    if sheet.merges:
        out.write(f'<mergeCells count="{len(sheet.merges)}">'
                  + "".join(f'<mergeCell ref="{ref}"/>' for ref in sheet.merges) + "</mergeCells>")
    groups = same_rule_ranges(sheet.validations)
    if groups:
        # one rule over several ranges: the rule's texts are stored once
        out.write(f'<dataValidations count="{len(groups)}">'
                  + "".join(_validation(" ".join(ranges), rule) for ranges, rule in groups) + "</dataValidations>")
    out.write('<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>')
    orientation = "landscape" if sheet.landscape else "portrait"
    # Excel ignores manual breaks under «fit to page width»: the scale that fits it instead
    fit = f'scale="{print_scale(sheet)}"' if breaks else 'fitToHeight="0"'
    out.write(f'<pageSetup paperSize="9" {fit} orientation="{orientation}"/>')  # A4
    if book.page_header:  # Excel's codes: &C centre, &9 the size, &P page, &N pages; a literal & is doubled
        header = text("&C&9" + book.page_header.replace("&", "&&")[:200])
        footer = text("&C&9" + PAGE_FOOTER.format(page="&P", pages="&N"))
        out.write(f"<headerFooter><oddHeader>{header}</oddHeader><oddFooter>{footer}</oddFooter></headerFooter>")
    if breaks:
        out.write(f'<rowBreaks count="{len(breaks)}" manualBreakCount="{len(breaks)}">'
                  + "".join(f'<brk id="{row}" max="16383" man="1"/>' for row in breaks) + "</rowBreaks>")
    if drawing:
        out.write('<drawing r:id="rId1"/>')
    out.write("</worksheet>")
    out.flush()


def _sheet_view(sheet: Sheet, selected: bool) -> str:
    tab = ' tabSelected="1"' if selected else ""
    rows, cols = sheet.freeze_rows, sheet.freeze_cols
    if not rows and not cols:
        return f'<sheetViews><sheetView{tab} workbookViewId="0"/></sheetViews>'
    corner = f"{column_letter(cols)}{rows + 1}"
    pane = "bottomRight" if rows and cols else ("bottomLeft" if rows else "topRight")
    split = (f' xSplit="{cols}"' if cols else "") + (f' ySplit="{rows}"' if rows else "")
    return (f'<sheetViews><sheetView{tab} workbookViewId="0"><pane{split} topLeftCell="{corner}" activePane="{pane}"'
            f' state="frozen"/><selection pane="{pane}" activeCell="{corner}" sqref="{corner}"/></sheetView></sheetViews>')


def _columns(sheet: Sheet) -> str:
    """Column widths in the default font's characters, equal neighbours as one range."""
    runs: list[List] = []
    for n, column in enumerate(sheet.columns, start=1):
        look = (_width(_column_chars(column.width_cm)), column.hidden)
        if runs and runs[-1][2] == look and runs[-1][1] == n - 1:
            runs[-1][1] = n
        else:
            runs.append([n, n, look])
    if not runs:
        return ""
    return "<cols>" + "".join(f'<col min="{first}" max="{last}" width="{width:g}"{_HIDDEN if hidden else ""}'
                              ' customWidth="1"/>' for first, last, (width, hidden) in runs) + "</cols>"


_HIDDEN = ' hidden="1"'


def _column_chars(width_cm: float) -> float:
    return round(width_cm * 4.05, 1)  # Excel width units (measured in LibreOffice)


def _column_px(chars: float) -> int:
    """The pixels a column of ``chars`` characters takes: 7 a digit of the default font, 5 of padding."""
    return int(chars * 7 + 0.5) + 5 if chars >= 1 else int(chars * 12 + 0.5)


def _width(chars: float) -> float:
    """The stored width: whole pixels in 1/256 of a character, as office applications store it."""
    return int(_column_px(chars) / 7 * 256) / 256


def _rows(out: Buffered, sheet: Sheet, width: int, merges, xf: dict[tuple[str, bool], int],
          strings: dict[str, int]) -> None:
    heights = estimated_row_heights(sheet)
    letters = [column_letter(c) for c in range(width)]
    written: dict[int, str] = {}  # id of a cell (shared by many rows) -> its XML after the reference
    covered: dict[tuple[int, int], Cell | None] = {}  # (row, column) inside a merge -> its first cell
    for c1, r1, c2, r2 in merges:
        first = sheet.rows[r1][c1] if r1 < len(sheet.rows) and c1 < len(sheet.rows[r1]) else None
        for r in range(r1, r2 + 1):
            for c in range(c1, c2 + 1):
                if (r, c) != (r1, c1):
                    covered[(r, c)] = first
    merged_rows = {r for r, _ in covered}

    def cell_xml(cell: Cell) -> str:
        value = cell.value
        where = f's="{xf[(cell.style, cell.locked)]}"'
        if isinstance(value, str):
            value = _clean(value)
            if not value:
                xml = f" {where}/>"
            else:
                number = strings.get(value)
                if number is None:
                    number = strings[value] = len(strings)
                xml = f' {where} t="s"><v>{number}</v></c>'
        elif value is None:
            xml = f" {where}/>"
        elif isinstance(value, bool):
            xml = f' {where} t="b"><v>{int(value)}</v></c>'
        elif isinstance(value, int):
            xml = f" {where}><v>{value}</v></c>"
        elif isinstance(value, float):
            if value != value or value in (float("inf"), float("-inf")):
                raise ValueError(f"a number a spreadsheet cannot hold: {value!r} on sheet {sheet.name!r}")
            xml = f" {where}><v>{value!r}</v></c>"
        elif isinstance(value, date):
            xml = f" {where}><v>{(value - _EPOCH).days}</v></c>"
        else:
            return cell_xml(Cell(str(value), cell.style, cell.locked))
        written[id(cell)] = xml
        return xml

    def blank(first: Cell | None) -> str:
        return f' s="{xf[(first.style, first.locked)]}"/>' if first is not None else "/>"

    for r, row in enumerate(sheet.rows):
        height = heights.get(r)
        # points on the whole-pixel grid
        parts = [f'<row r="{r + 1}" ht="{int(height * 28.35 * 4 / 3 + 0.5) * 0.75:g}" customHeight="1">' if height
                 else f'<row r="{r + 1}">']
        number = r + 1
        if r in merged_rows:
            for c in range(width):
                if (r, c) in covered:
                    parts.append(f'<c r="{letters[c]}{number}"{blank(covered[(r, c)])}')
                elif c < len(row):
                    parts.append(f'<c r="{letters[c]}{number}"{written.get(id(row[c])) or cell_xml(row[c])}')
        else:
            parts += [f'<c r="{letters[c]}{number}"{written.get(id(cell)) or cell_xml(cell)}'
                      for c, cell in enumerate(row)]
        parts.append("</row>")
        out.write("".join(parts))


@lru_cache(maxsize=1 << 16)
def _clean(value: str) -> str:
    return value[:_MAX_TEXT]


def _write_strings(out: Buffered, strings: dict[str, int]) -> None:
    # no count attributes (optional): a reader that sizes its table by them trusts a number
    out.write(f'{_HEAD}<sst xmlns="{_MAIN}">')
    for value in strings:  # in the order of their numbers
        escaped = text(value)
        if value[:1].isspace() or value[-1:].isspace():
            out.write(f'<si><t xml:space="preserve">{escaped}</t></si>')
        else:
            out.write(f"<si><t>{escaped}</t></si>")
    out.write("</sst>")
    out.flush()


def _password_hash(password: str) -> str:
    """The sheet protection's legacy password hash (ECMA-376 Part 4, 3.3.1.81), as hexadecimal."""
    value = 0
    for n, char in enumerate(password, start=1):
        shifted = ord(char) << n
        value ^= (shifted & 0x7FFF) | ((shifted >> 15) & 0x7FFF)
    return f"{value ^ len(password) ^ 0xCE4B:X}"


def _validation(sqref: str, spec: Validation) -> str:
    if spec.kind == "list":
        kind, formulas = "list", [_list_source(spec.source)]
    elif spec.kind == "date":
        # a date as a formula, readable in the file (a serial number is not)
        kind, formulas = "date", [f"DATE({d.year},{d.month},{d.day})" for d in (spec.minimum, spec.maximum)]
    elif spec.kind in ("decimal", "whole"):
        if spec.minimum is None or spec.maximum is None:
            raise ValueError("a number validation needs both bounds")
        kind, formulas = spec.kind, [_number_text(spec.minimum), _number_text(spec.maximum)]
    else:
        raise ValueError(f"unknown validation kind {spec.kind!r}")
    texts = ""
    for key, value, limit in (("errorTitle", spec.error_title, 32), ("error", spec.error, 255),
                              ("promptTitle", spec.prompt_title, 32), ("prompt", spec.prompt, 255)):
        if value:
            texts += f" {key}={attr(value[:limit])}"
    prompt = ' showInputMessage="1"' if spec.prompt else ""
    cells = "".join(f"<formula{n}>{text(formula)}</formula{n}>" for n, formula in enumerate(formulas, start=1))
    return (f'<dataValidation type="{kind}" allowBlank="1"{prompt} showErrorMessage="1"{texts} sqref="{sqref}">'
            f"{cells}</dataValidation>")


def _list_source(source: str) -> str:
    """"Списки!$A$2:$A$6" -> "'Списки'!$A$2:$A$6"."""
    sheet, _, cells = source.rpartition("!")
    return f"{_quoted(sheet)}!{cells}"


def _number_text(value) -> str:
    value = float(value)
    return str(int(value)) if value.is_integer() else repr(value)


# ---- charts ----------------------------------------------------------------------------------------
def _drawing(sheet: Sheet) -> str:
    """Each chart pinned at its anchor cell with its own size (so an application that draws the
    columns wider does not stretch it), and kept within the sheet's columns, so that it stays
    within the printed range."""
    anchors = []
    for n, spec in enumerate(sheet.charts, start=1):
        column, row = parse_range(spec.anchor)[:2]
        room = sum(_column_px(_column_chars(c.width_cm)) for c in sheet.columns[column:] if not c.hidden)
        cx = round(spec.width_cm * _EMU_PER_CM)
        if room:
            cx = min(cx, int(room * 0.95) * _EMU_PER_PX)
        anchors.append(
            f"<xdr:oneCellAnchor><xdr:from><xdr:col>{column}</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>{row}</xdr:row>"
            f'<xdr:rowOff>0</xdr:rowOff></xdr:from><xdr:ext cx="{cx}" cy="{round(spec.height_cm * _EMU_PER_CM)}"/>'
            f'<xdr:graphicFrame macro=""><xdr:nvGraphicFramePr><xdr:cNvPr id="{n + 1}" name="Chart {n}"/>'
            '<xdr:cNvGraphicFramePr/></xdr:nvGraphicFramePr><xdr:xfrm><a:off x="0" y="0"/><a:ext cx="0" cy="0"/>'
            '</xdr:xfrm><a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/chart">'
            f'<c:chart xmlns:c="http://schemas.openxmlformats.org/drawingml/2006/chart" xmlns:r="{_R}" r:id="rId{n}"/>'
            "</a:graphicData></a:graphic></xdr:graphicFrame><xdr:clientData/></xdr:oneCellAnchor>")
    return f"{_HEAD}<xdr:wsDr {_DRAWING_NS}>{''.join(anchors)}</xdr:wsDr>"


def _rich(title: str) -> str:
    return ('<c:title><c:tx><c:rich><a:bodyPr/><a:lstStyle/><a:p><a:pPr><a:defRPr/></a:pPr><a:r><a:rPr lang="ru-RU"/>'
            f"<a:t>{text(title)}</a:t></a:r></a:p></c:rich></c:tx><c:layout/><c:overlay val=\"0\"/></c:title>")


def _chart(sheet_name: str, spec: Chart, number: int) -> str:
    """A bar chart of one series drawn from ranges of its own sheet: vertical bars («column»), or
    horizontal ones («bar», the first category at the bottom, small labels so that none is skipped)."""
    quoted = text(_quoted(sheet_name))
    category_axis, value_axis = 50000000 + number * 10 + 1, 50000000 + number * 10 + 2
    horizontal = spec.kind == "bar"
    name = f"<c:tx><c:v>{text(spec.series_title)}</c:v></c:tx>" if spec.series_title else ""
    maximum = f'<c:max val="{_number_text(spec.y_max)}"/>' if spec.y_max is not None else ""
    y_title = _rich(spec.y_title) if spec.y_title else ""
    small = ('<c:txPr><a:bodyPr/><a:lstStyle/><a:p><a:pPr><a:defRPr sz="800"/></a:pPr><a:endParaRPr lang="ru-RU"/>'
             "</a:p></c:txPr>") if horizontal else ""
    return (f'{_HEAD}<c:chartSpace {_CHART_NS}><c:lang val="ru-RU"/><c:style val="10"/><c:chart>{_rich(spec.title)}'
            '<c:autoTitleDeleted val="0"/><c:plotArea><c:layout/><c:barChart>'
            f'<c:barDir val="{"bar" if horizontal else "col"}"/>'
            '<c:grouping val="clustered"/><c:varyColors val="0"/><c:ser><c:idx val="0"/><c:order val="0"/>'
            f'{name}<c:spPr><a:solidFill><a:srgbClr val="4472C4"/></a:solidFill></c:spPr>'
            f"<c:cat><c:strRef><c:f>{quoted}!{_absolute(spec.categories)}</c:f></c:strRef></c:cat>"
            f"<c:val><c:numRef><c:f>{quoted}!{_absolute(spec.values)}</c:f></c:numRef></c:val></c:ser>"
            f'<c:axId val="{category_axis}"/><c:axId val="{value_axis}"/></c:barChart>'
            f'<c:catAx><c:axId val="{category_axis}"/><c:scaling><c:orientation val="minMax"/></c:scaling>'
            f'<c:delete val="0"/><c:axPos val="{"l" if horizontal else "b"}"/>'
            '<c:numFmt formatCode="General" sourceLinked="1"/>'
            f'<c:tickLblPos val="nextTo"/>{small}<c:crossAx val="{value_axis}"/><c:crosses val="autoZero"/>'
            '<c:auto val="1"/><c:lblAlgn val="ctr"/><c:lblOffset val="100"/></c:catAx>'
            f'<c:valAx><c:axId val="{value_axis}"/><c:scaling><c:orientation val="minMax"/>{maximum}'
            f'<c:min val="0"/></c:scaling><c:delete val="0"/><c:axPos val="{"b" if horizontal else "l"}"/>'
            f'<c:majorGridlines/>{y_title}<c:numFmt formatCode="General" sourceLinked="1"/><c:tickLblPos val="nextTo"/>'
            f'<c:crossAx val="{category_axis}"/><c:crosses val="autoZero"/><c:crossBetween val="between"/>'
            '</c:valAx></c:plotArea><c:plotVisOnly val="1"/></c:chart></c:chartSpace>')
