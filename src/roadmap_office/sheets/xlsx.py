"""Write a :class:`Workbook` spec as XLSX with XlsxWriter, row by row (constant memory).

Every sheet keeps its look and behaviour: fonts, fills, borders and number formats per cell
style, locked and unlocked cells, protection, hidden sheets and columns, merges, frozen panes,
autofilters, data validations with Russian prompts, print setup and native bar charts.
"""

from __future__ import annotations

import os
import re
from datetime import date
from functools import lru_cache
from pathlib import Path
from zipfile import ZIP_DEFLATED, ZipFile

import xlsxwriter

from .spec import (Cell, Sheet, Workbook, column_letter, estimated_row_heights, page_breaks, parse_range,
                   print_scale, same_rule_ranges)

_FONT = "Liberation Sans"
_BORDER_COLOR = "#808080"
# style: font size, bold, italic, font colour, fill, wrap, number format
_STYLE = {
    "text": (10, False, False, None, None, True, None),
    "bold": (10, True, False, None, None, True, None),
    "header": (10, True, False, None, "#D9E2F3", True, None),
    "section": (10, True, False, None, "#EDEDED", True, None),
    "title": (13, True, False, None, None, True, None),
    "note": (9, False, True, "#404040", None, True, None),
    "input": (10, False, False, None, "#FFF2CC", True, None),
    "input_date": (10, False, False, None, "#FFF2CC", True, "DD.MM.YYYY"),
    "date": (10, False, False, None, None, True, "DD.MM.YYYY"),
    "number": (10, False, False, None, None, False, "0.##"),
    "percent": (10, False, False, None, None, False, "0.0"),
}
_BORDERED = {"text", "bold", "header", "section", "input", "input_date", "date", "number", "percent"}
_CM_TO_PX = 96 / 2.54
_MAX_TEXT = 32767  # characters an XLSX cell holds
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def write_xlsx(book: Workbook, path: str | os.PathLike) -> Path:
    """Write ``book`` to ``path``; text that looks like a formula stays text."""
    path = Path(path)
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_formulas": False,
                                         "strings_to_numbers": False, "strings_to_urls": False})
    properties = {"title": book.title} if book.title else {}
    if book.saved_at:
        properties["created"] = book.saved_at  # XlsxWriter writes it as both created and modified
    wb.set_properties(properties)
    formats = _Formats(wb)
    streamed: dict[str, tuple[Sheet, dict]] = {}
    try:
        for index, spec in enumerate(book.sheets):
            large = len(spec.rows) * max(len(spec.columns), 1) >= STREAM_CELLS and not spec.merges
            if large:  # its cells are streamed below; XlsxWriter writes everything around them
                streamed[f"xl/worksheets/sheet{index + 1}.xml"] = (spec, {
                    key: formats.get(*key)._get_xf_index() for key in {(c.style, c.locked) for row in spec.rows
                                                                       for c in row}})
            _write_sheet(wb, spec, book.password, formats, cells=not large)
        _save(wb)
    finally:
        _remove_row_files(wb)
    if streamed:
        _stream_cells(path, streamed)
    return path


STREAM_CELLS = 20000  # a sheet this large gets its cells streamed as XML, not cell by cell through XlsxWriter


_SST_PART = "xl/sharedStrings.xml"
_SST_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
_SST_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"


def _stream_cells(path: Path, streamed: dict[str, tuple[Sheet, dict]]) -> None:
    """Put the rows of the large sheets into the file XlsxWriter wrote with those sheets empty.

    Their texts go to a shared string table: the consolidated records repeat the same events,
    statuses and names for every school, so the file is smaller and opens faster."""
    from .ods import _Buffered

    tmp = path.with_name(path.name + ".rows")
    strings: dict[str, int] = {}
    try:
        with ZipFile(path) as source, ZipFile(tmp, "w", ZIP_DEFLATED, compresslevel=3) as target:
            if _SST_PART in source.namelist():
                raise ValueError("XlsxWriter wrote its own shared strings")  # never in constant memory mode
            for info in source.infolist():
                data = source.read(info.filename)
                if info.filename == "[Content_Types].xml":
                    data = data.replace(b"</Types>", f'<Override PartName="/{_SST_PART}" '
                                                     f'ContentType="{_SST_TYPE}"/></Types>'.encode())
                elif info.filename == "xl/_rels/workbook.xml.rels":
                    data = data.replace(b"</Relationships>", f'<Relationship Id="rIdStrings" Type="{_SST_REL}" '
                                                             f'Target="sharedStrings.xml"/></Relationships>'.encode())
                if info.filename not in streamed:
                    target.writestr(info, data)
                    continue
                spec, xf = streamed[info.filename]
                head, empty, tail = data.partition(b"<sheetData/>")
                if not empty:
                    raise ValueError(f"no empty sheetData in {info.filename}")
                width = max([len(spec.columns)] + [len(row) for row in spec.rows])
                last = f"{column_letter(max(width - 1, 0))}{max(len(spec.rows), 1)}"
                head = head.replace(b'<dimension ref="A1"/>', f'<dimension ref="A1:{last}"/>'.encode())
                # opened by name, so that the archive's level applies (a ZipInfo would bring level 6)
                with target.open(info.filename, "w", force_zip64=True) as stream:
                    stream.write(head)
                    out = _Buffered(stream)
                    out.write("<sheetData>")
                    _rows(out, spec, xf, strings)
                    out.write("</sheetData>")
                    out.flush()
                    stream.write(tail)
            with target.open(_SST_PART, "w", force_zip64=True) as stream:
                out = _Buffered(stream)
                out.write('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="http://schemas.'
                          f'openxmlformats.org/spreadsheetml/2006/main" uniqueCount="{len(strings)}">')
                for text in strings:  # in the order of their numbers
                    out.write(f"<si>{_inline(text)}</si>")
                out.write("</sst>")
                out.flush()
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _rows(out, spec: Sheet, xf: dict, strings: dict[str, int]) -> None:
    heights = estimated_row_heights(spec)
    letters = [column_letter(c) for c in range(max([len(spec.columns)] + [len(row) for row in spec.rows]))]
    written: dict[int, str] = {}  # id of a cell (shared by many rows) -> its XML after the reference

    def cell_xml(cell: Cell) -> str:
        value = cell.value
        where = f's="{xf[(cell.style, cell.locked)]}"'
        if isinstance(value, str):
            number = strings.get(value)
            if number is None:
                number = strings[value] = len(strings)
            xml = f' {where} t="s"><v>{number}</v></c>'
        elif value is None:
            xml = f" {where}/>"
        elif isinstance(value, bool):
            xml = f' {where} t="b"><v>{int(value)}</v></c>'
        elif isinstance(value, (int, float)):
            xml = f" {where}><v>{value!r}</v></c>"
        else:
            xml = f" {where}><v>{(value - _EPOCH).days}</v></c>"
        written[id(cell)] = xml
        return xml

    for r, row in enumerate(spec.rows, start=1):
        height = heights.get(r - 1)
        # points on the whole-pixel grid, as XlsxWriter's set_row stores them
        parts = [f'<row r="{r}" ht="{int(height * 28.35 * 4 / 3 + 0.5) * 0.75:g}" customHeight="1">' if height
                 else f'<row r="{r}">']
        parts += [f'<c r="{letters[c]}{r}"{written.get(id(cell)) or cell_xml(cell)}' for c, cell in enumerate(row)]
        parts.append("</row>")
        out.write("".join(parts))


_EPOCH = date(1899, 12, 30)


def _inline(text: str) -> str:
    text = _clean_text(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if text[:1].isspace() or text[-1:].isspace():
        return f'<t xml:space="preserve">{text}</t>'
    return f"<t>{text}</t>"


def _remove_row_files(wb) -> None:
    """XlsxWriter keeps each sheet's rows in a temporary file; it leaves the file of an empty
    sheet (and every file when writing failed) open and in place."""
    for ws in wb.worksheets():
        handle = getattr(ws, "row_data_fh", None)
        if handle is not None and not handle.closed:
            handle.close()
        name = getattr(ws, "row_data_filename", None)
        if name:
            Path(name).unlink(missing_ok=True)


def _save(wb) -> None:
    wb.close()


class _Formats:
    """One format per (style, locked), made on first use."""

    def __init__(self, wb) -> None:
        self.wb = wb
        self.made: dict[tuple[str, bool], object] = {}

    def get(self, style: str, locked: bool):
        key = (style, locked)
        if key not in self.made:
            size, bold, italic, color, fill, wrap, number = _STYLE[style]
            props = {"font_name": _FONT, "font_size": size, "bold": bold, "italic": italic, "text_wrap": wrap,
                     "valign": "top", "locked": locked}
            if color:
                props["font_color"] = color
            if fill:
                props.update(pattern=1, bg_color=fill)
            if number:
                props["num_format"] = number
            if style in _BORDERED:
                props.update(border=1, border_color=_BORDER_COLOR)
            self.made[key] = self.wb.add_format(props)
        return self.made[key]


@lru_cache(maxsize=1 << 16)
def _clean_text(text: str) -> str:
    return _CONTROL.sub("", text)[:_MAX_TEXT]


def _write_sheet(wb, spec: Sheet, password: str | None, formats: _Formats, cells: bool = True) -> None:
    ws = wb.add_worksheet(spec.name)
    for index, column in enumerate(spec.columns):
        # Excel width units (measured in LibreOffice)
        ws.set_column(index, index, _column_chars(column.width_cm), None, {"hidden": column.hidden})
    heights = estimated_row_heights(spec) if cells else {}
    merges: dict[int, list[tuple[int, int, int, int]]] = {}
    for ref in spec.merges:
        c1, r1, c2, r2 = parse_range(ref)
        merges.setdefault(r1, []).append((c1, r1, c2, r2))
    covered: set[tuple[int, int]] = set()
    write_string, write_number, write_blank = ws.write_string, ws.write_number, ws.write_blank
    for r, row in enumerate(spec.rows if cells else ()):
        if r in heights:
            ws.set_row(r, heights[r] * 28.35)
        for c1, r1, c2, r2 in merges.get(r, ()):
            first = row[c1] if c1 < len(row) else None
            value = first.value if first is not None else None
            if isinstance(value, str):
                value = _clean_text(value)
            look = formats.get(first.style, first.locked) if first is not None else None
            ws.merge_range(r1, c1, r2, c2, value, look)
            covered |= {(rr, cc) for rr in range(r1, r2 + 1) for cc in range(c1, c2 + 1)}
        for c, cell in enumerate(row):
            if covered and (r, c) in covered:
                continue
            value = cell.value
            look = formats.made.get((cell.style, cell.locked)) or formats.get(cell.style, cell.locked)
            if isinstance(value, str):
                write_string(r, c, _clean_text(value), look)
            elif value is None:
                write_blank(r, c, None, look)
            elif isinstance(value, bool):
                ws.write_boolean(r, c, value, look)
            elif isinstance(value, (int, float)):
                write_number(r, c, value, look)
            else:
                ws.write_datetime(r, c, value, look)
    if spec.freeze_rows or spec.freeze_cols:
        ws.freeze_panes(spec.freeze_rows, spec.freeze_cols)
    if spec.autofilter:
        ws.autofilter(spec.autofilter)
    for ranges, validation in same_rule_ranges(spec.validations):
        options = _validation(validation)
        if len(ranges) > 1:  # one rule over several ranges: the rule's texts are stored once
            options["multi_range"] = " ".join(ranges)
        ws.data_validation(ranges[0], options)
    if spec.landscape:
        ws.set_landscape()
    else:
        ws.set_portrait()
    ws.set_paper(9)  # A4
    breaks = page_breaks(spec)
    if breaks:  # Excel ignores manual breaks under «fit to page width»: the scale that fits it instead
        ws.set_print_scale(print_scale(spec))
        ws.set_h_pagebreaks(breaks)
    else:
        ws.fit_to_pages(1, 0)
    if spec.repeat_rows:
        ws.repeat_rows(spec.repeat_rows[0] - 1, spec.repeat_rows[1] - 1)
    for chart in spec.charts:
        ws.insert_chart(chart.anchor, _chart(wb, spec.name, chart, _room_px(spec, chart)))
    if spec.hidden:
        ws.hide()
    if spec.protected:
        # schools may widen columns, heighten rows and filter; never sort: a sort of some columns
        # would move a school's answers to other items
        ws.protect(password or "", {"format_columns": True, "format_rows": True, "autofilter": True})


def _validation(spec) -> dict:
    if spec.kind == "list":
        options = {"validate": "list", "source": "=" + _excel_ref(spec.source)}
    elif spec.kind == "date":
        options = {"validate": "date", "criteria": "between", "minimum": _excel_date(spec.minimum),
                   "maximum": _excel_date(spec.maximum)}
    elif spec.kind in ("decimal", "whole"):
        if spec.minimum is None or spec.maximum is None:
            raise ValueError("a number validation needs both bounds")
        options = {"validate": "decimal" if spec.kind == "decimal" else "integer", "criteria": "between",
                   "minimum": spec.minimum, "maximum": spec.maximum}
    else:
        raise ValueError(f"unknown validation kind {spec.kind!r}")
    options.update(ignore_blank=True, error_type="stop", show_error=True, show_input=bool(spec.prompt))
    for key, text, limit in (("input_title", spec.prompt_title, 32), ("input_message", spec.prompt, 255),
                             ("error_title", spec.error_title, 32), ("error_message", spec.error, 255)):
        if text:
            options[key] = text[:limit]
    return options


def _excel_date(value) -> str:
    """A date as a formula, readable in the file (a serial number is not)."""
    return f"=DATE({value.year},{value.month},{value.day})"


def _excel_ref(source: str) -> str:
    """"Списки!$A$2:$A$6" -> "'Списки'!$A$2:$A$6" (quoted for non-ASCII names)."""
    sheet, _, cells = source.rpartition("!")
    return f"'{sheet}'!{cells}"


def _column_chars(width_cm: float) -> float:
    return round(width_cm * 4.05, 1)


def _room_px(sheet: Sheet, chart) -> int:
    """The width, in XlsxWriter's pixels, of the columns from a chart's anchor to the sheet's last.

    XlsxWriter pins a chart's corners to cells by its own pixel model of column widths
    (7 pixels a character and 5 of padding); an application that draws the columns wider
    stretches the chart with them. A chart kept within the sheet's columns stays within the
    printed range whatever the application."""
    column = parse_range(chart.anchor)[0]
    return sum(int(_column_chars(c.width_cm) * 7 + 0.5) + 5 for c in sheet.columns[column:] if not c.hidden)


def _chart(wb, sheet_name: str, spec, room_px: int):
    chart = wb.add_chart({"type": "column"})
    c1, r1, _, r2 = parse_range(spec.values)
    k1, kr1, _, kr2 = parse_range(spec.categories)
    series = {"categories": [sheet_name, kr1, k1, kr2, k1], "values": [sheet_name, r1, c1, r2, c1],
              "fill": {"color": "#4472C4"}}
    if spec.series_title:
        series["name"] = spec.series_title
    chart.add_series(series)
    chart.set_title({"name": spec.title})
    chart.set_legend({"none": True})
    y_axis = {"min": 0}
    if spec.y_title:
        y_axis["name"] = spec.y_title
    if spec.y_max is not None:
        y_axis["max"] = spec.y_max
    chart.set_y_axis(y_axis)
    chart.set_style(10)
    width = round(spec.width_cm * _CM_TO_PX)
    if room_px:
        width = min(width, int(room_px * 0.95))
    chart.set_size({"width": width, "height": round(spec.height_cm * _CM_TO_PX)})
    return chart
