"""Write a :class:`Workbook` spec as XLSX with openpyxl."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from zipfile import ZIP_DEFLATED, ZipFile

from openpyxl import Workbook as XWorkbook
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Protection, Side
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.writer.excel import ExcelWriter

from .spec import Cell, Sheet, Workbook, column_letter, estimated_row_heights

_THIN = Side(style="thin", color="808080")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_FONT = "Liberation Sans"

_STYLE = {
    "text": dict(font=Font(name=_FONT, size=10), fill=None, wrap=True, bold=False),
    "bold": dict(font=Font(name=_FONT, size=10, bold=True), fill=None, wrap=True),
    "header": dict(font=Font(name=_FONT, size=10, bold=True), fill="D9E2F3", wrap=True),
    "section": dict(font=Font(name=_FONT, size=10, bold=True), fill="EDEDED", wrap=True),
    "title": dict(font=Font(name=_FONT, size=13, bold=True), fill=None, wrap=True),
    "note": dict(font=Font(name=_FONT, size=9, italic=True, color="404040"), fill=None, wrap=True),
    "input": dict(font=Font(name=_FONT, size=10), fill="FFF2CC", wrap=True),
    "input_date": dict(font=Font(name=_FONT, size=10), fill="FFF2CC", wrap=True, fmt="DD.MM.YYYY"),
    "date": dict(font=Font(name=_FONT, size=10), fill=None, wrap=True, fmt="DD.MM.YYYY"),
    "number": dict(font=Font(name=_FONT, size=10), fill=None, wrap=False, fmt="0.##"),
    "percent": dict(font=Font(name=_FONT, size=10), fill=None, wrap=False, fmt="0.0"),
}
_BORDERED = {"text", "bold", "header", "section", "input", "input_date", "date", "number", "percent"}


def write_xlsx(book: Workbook, path: str | os.PathLike) -> Path:
    """Write ``book`` to ``path``; text that looks like a formula stays text."""
    wb = XWorkbook()
    wb.remove(wb.active)
    if book.title:
        wb.properties.title = book.title
    styles = _Styles(wb)
    for spec in book.sheets:
        _write_sheet(wb, spec, book.password, styles)
    path = Path(path)
    save_keeping_date(wb, path, book.saved_at)
    return path


def save_keeping_date(wb: XWorkbook, path: Path, saved_at: datetime | None) -> None:
    """Save like ``wb.save``, but keep ``saved_at`` as the document's "modified" date
    (openpyxl's own save always stamps the current time)."""
    if saved_at is None:
        wb.save(path)
        return
    wb.properties.modified = saved_at
    archive = ZipFile(path, "w", ZIP_DEFLATED, allowZip64=True)
    ExcelWriter(wb, archive).save()


def _write_sheet(wb: XWorkbook, spec: Sheet, password: str | None, styles: _Styles) -> None:
    ws = wb.create_sheet(spec.name)
    for index, column in enumerate(spec.columns):
        dim = ws.column_dimensions[column_letter(index)]
        dim.width = round(column.width_cm * 4.05, 1)  # Excel width units (measured in LibreOffice)
        dim.hidden = column.hidden
    for r, row in enumerate(spec.rows, start=1):
        for c, cell in enumerate(row, start=1):
            _write_cell(ws.cell(row=r, column=c), cell, styles)
    for r, height in estimated_row_heights(spec).items():
        ws.row_dimensions[r + 1].height = height * 28.35
    for ref in spec.merges:
        ws.merge_cells(ref)
    if spec.freeze_rows or spec.freeze_cols:
        ws.freeze_panes = f"{column_letter(spec.freeze_cols)}{spec.freeze_rows + 1}"
    if spec.autofilter:
        ws.auto_filter.ref = spec.autofilter
    for validation in spec.validations:
        ws.add_data_validation(_validation(validation))
    ws.page_setup.orientation = "landscape" if spec.landscape else "portrait"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    if spec.repeat_rows:
        ws.print_title_rows = f"{spec.repeat_rows[0]}:{spec.repeat_rows[1]}"
    for chart in spec.charts:
        ws.add_chart(_chart(ws, chart), chart.anchor)
    if spec.hidden:
        ws.sheet_state = "hidden"
    if spec.protected:
        ws.protection.sheet = True
        ws.protection.formatColumns = False  # schools may widen columns
        ws.protection.formatRows = False
        ws.protection.autoFilter = False
        ws.protection.sort = False
        if password:
            ws.protection.password = password


_STYLE_NAMES = {
    "text": "Текст", "bold": "Полужирный", "header": "Заголовок таблицы", "section": "Раздел",
    "title": "Название", "note": "Примечание", "input": "Ввод", "input_date": "Ввод даты", "date": "Дата",
    "number": "Число", "percent": "Процент",
}  # fmt: skip


class _Styles:
    """One named style per (style, locked): assigning a name is far cheaper than styling each
    cell attribute by attribute, and the names appear in the office's style list in Russian."""

    def __init__(self, wb: XWorkbook) -> None:
        self.wb = wb
        self.names: dict[tuple[str, bool], str] = {}

    def name(self, style_key: str, locked: bool) -> str:
        key = (style_key, locked)
        if key not in self.names:
            look = _STYLE[style_key]
            name = _STYLE_NAMES[style_key] + ("" if locked else " (без защиты)")
            named = NamedStyle(
                name=name,
                font=look["font"],
                alignment=Alignment(wrap_text=look.get("wrap", True), vertical="top"),
                protection=Protection(locked=locked),
            )
            if look.get("fill"):
                named.fill = PatternFill("solid", fgColor=look["fill"])
            if "fmt" in look:
                named.number_format = look["fmt"]
            if style_key in _BORDERED:
                named.border = _BORDER
            self.wb.add_named_style(named)
            self.names[key] = name
        return self.names[key]


def _write_cell(target, cell: Cell, styles: _Styles) -> None:
    value = cell.value
    if not isinstance(value, str):
        target.value = value
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        target.value = value
        target.data_type = "s"  # "=HYPERLINK(...)" from a user is text, never a formula
    target.style = styles.name(cell.style, cell.locked)


def _validation(spec) -> DataValidation:
    if spec.kind == "list":
        dv = DataValidation(type="list", formula1=_excel_ref(spec.source), allow_blank=True)
    elif spec.kind == "date":
        dv = DataValidation(
            type="date",
            operator="between",
            formula1=f"DATE({spec.minimum.year},{spec.minimum.month},{spec.minimum.day})",
            formula2=f"DATE({spec.maximum.year},{spec.maximum.month},{spec.maximum.day})",
            allow_blank=True,
        )
    elif spec.kind in ("decimal", "whole"):
        dv = DataValidation(
            type=spec.kind,
            operator="between",
            formula1=_number(spec.minimum),
            formula2=_number(spec.maximum),
            allow_blank=True,
        )
    else:
        raise ValueError(f"unknown validation kind {spec.kind!r}")
    dv.errorStyle = "stop"
    dv.showErrorMessage = True
    dv.showInputMessage = bool(spec.prompt)
    dv.promptTitle = spec.prompt_title[:32] or None
    dv.prompt = spec.prompt[:255] or None
    dv.errorTitle = spec.error_title[:32] or None
    dv.error = spec.error[:255] or None
    dv.add(spec.cells)
    return dv


def _excel_ref(source: str) -> str:
    """"Списки!$A$2:$A$6" -> "'Списки'!$A$2:$A$6" (quoted for non-ASCII names)."""
    sheet, _, cells = source.rpartition("!")
    return f"'{sheet}'!{cells}"


def _number(value) -> str:
    if value is None:
        raise ValueError("a number validation needs both bounds")
    return str(int(value)) if float(value).is_integer() else str(value)


def _chart(ws, spec):
    from openpyxl.chart import BarChart, Reference

    from .spec import parse_range

    chart = BarChart()
    chart.type = "col"
    chart.title = spec.title
    chart.style = 10
    chart.legend = None
    chart.y_axis.title = spec.y_title or None
    chart.y_axis.scaling.min = 0
    if spec.y_max is not None:
        chart.y_axis.scaling.max = spec.y_max
    chart.y_axis.delete = False
    chart.x_axis.delete = False
    c1, r1, _, r2 = parse_range(spec.values)
    data = Reference(ws, min_col=c1 + 1, min_row=r1 + 1, max_row=r2 + 1)
    k1, kr1, _, kr2 = parse_range(spec.categories)
    categories = Reference(ws, min_col=k1 + 1, min_row=kr1 + 1, max_row=kr2 + 1)
    chart.add_data(data, titles_from_data=False)
    chart.set_categories(categories)
    if spec.series_title and chart.series:
        from openpyxl.chart.series import SeriesLabel

        chart.series[0].tx = SeriesLabel(v=spec.series_title)
    chart.width = spec.width_cm
    chart.height = spec.height_cm
    return chart
