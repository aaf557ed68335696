"""Write a :class:`Workbook` spec as ODS with odfpy.

Everything LibreOffice needs is written natively: cell protection, hidden and protected
tables, content validations (lists, dates, numbers), frozen panes, header rows repeated on
printed pages, A4 landscape fitted to the page width, autofilters and merged cells.
"""

from __future__ import annotations

import base64
import hashlib
import os
from datetime import date
from pathlib import Path

from odf import chart, config, draw, number, style, table, text
from odf.namespaces import LOEXTNS
from odf.opendocument import OpenDocumentChart, OpenDocumentSpreadsheet

from .spec import Cell, Chart, Sheet, Validation, Workbook, column_letter, estimated_row_heights, parse_range

_EPOCH = date(1899, 12, 30)
_FONT = "Liberation Sans"

_CELL_LOOK = {
    # style: (bold, italic, size pt, background, wrap, number style, border)
    "text": (False, False, 10, None, True, None, True),
    "bold": (True, False, 10, None, True, None, True),
    "header": (True, False, 10, "#d9e2f3", True, None, True),
    "section": (True, False, 10, "#ededed", True, None, True),
    "title": (True, False, 13, None, True, None, False),
    "note": (False, True, 9, None, True, None, False),
    "input": (False, False, 10, "#fff2cc", True, None, True),
    "input_date": (False, False, 10, "#fff2cc", True, "date", True),
    "date": (False, False, 10, None, True, "date", True),
    "number": (False, False, 10, None, False, "number", True),
    "percent": (False, False, 10, None, False, "percent", True),
}


def write_ods(book: Workbook, path: str | os.PathLike) -> Path:
    """Write ``book`` to ``path`` as an ODF spreadsheet."""
    writer = _OdsWriter(book)
    path = Path(path)
    writer.doc.save(str(path))
    return path


class _OdsWriter:
    def __init__(self, book: Workbook) -> None:
        self.book = book
        self.doc = OpenDocumentSpreadsheet()
        from odf import dc

        if book.title:
            self.doc.meta.addElement(dc.Title(text=book.title))
        if book.saved_at:
            self.doc.meta.addElement(dc.Date(text=book.saved_at.isoformat(timespec="seconds")))
        self._font()
        self._number_styles()
        self.cell_styles: dict[tuple[str, bool], str] = {}
        self.column_styles: dict[float, str] = {}
        self.row_styles: dict[float, str] = {}
        self.validation_count = 0
        self.validations = table.ContentValidations()
        self.database_ranges = table.DatabaseRanges()
        self._page_styles()
        tables = [self._table(sheet) for sheet in book.sheets]
        if self.validations.childNodes:
            self.doc.spreadsheet.addElement(self.validations)
        for t in tables:
            self.doc.spreadsheet.addElement(t)
        if self.database_ranges.childNodes:
            self.doc.spreadsheet.addElement(self.database_ranges)
        self._settings()

    # ---- styles -------------------------------------------------------------------------
    def _font(self) -> None:
        from odf.style import FontFace

        self.doc.fontfacedecls.addElement(
            FontFace(name=_FONT, fontfamily=_FONT, fontfamilygeneric="swiss", fontpitch="variable")
        )

    def _number_styles(self) -> None:
        # Russian number and date display (37,3 and 01.09.2021) whatever the office's locale
        default = style.DefaultStyle(family="table-cell")
        default.addElement(style.TextProperties(language="ru", country="RU", fontname=_FONT))
        self.doc.styles.addElement(default)
        date_style = number.DateStyle(name="N_DATE", language="ru", country="RU")
        date_style.addElement(number.Day(style="long"))
        date_style.addElement(number.Text(text="."))
        date_style.addElement(number.Month(style="long"))
        date_style.addElement(number.Text(text="."))
        date_style.addElement(number.Year(style="long"))
        self.doc.automaticstyles.addElement(date_style)
        num = number.NumberStyle(name="N_NUMBER", language="ru", country="RU")
        digits = number.Number(decimalplaces="2", minintegerdigits="1")
        digits.setAttrNS(LOEXTNS, "min-decimal-places", "0")  # 12 and 11.5, not 12.00 / 12
        num.addElement(digits)
        self.doc.automaticstyles.addElement(num)
        pct = number.NumberStyle(name="N_PERCENT", language="ru", country="RU")
        pct.addElement(number.Number(decimalplaces="1", minintegerdigits="1"))
        self.doc.automaticstyles.addElement(pct)

    def _page_styles(self) -> None:
        for orientation in ("landscape", "portrait"):
            layout = style.PageLayout(name=f"PL_{orientation}")
            width, height = ("29.7cm", "21cm") if orientation == "landscape" else ("21cm", "29.7cm")
            props = style.PageLayoutProperties(
                pagewidth=width,
                pageheight=height,
                printorientation=orientation,
                margintop="1.2cm",
                marginbottom="1.2cm",
                marginleft="1.5cm",
                marginright="1.2cm",
            )
            # fit to one page wide, as many pages high as needed
            props.setAttrNS(LOEXTNS, "scale-to-X", "1")
            props.setAttrNS(LOEXTNS, "scale-to-Y", "0")
            layout.addElement(props)
            self.doc.automaticstyles.addElement(layout)
            # the page style's name shows in LibreOffice's status bar: a Russian one
            master = style.MasterPage(name={"landscape": "Альбомная", "portrait": "Книжная"}[orientation],
                                      pagelayoutname=layout)
            self.doc.masterstyles.addElement(master)
            table_style = style.Style(name=f"TA_{orientation}", family="table", masterpagename=master)
            table_style.addElement(style.TableProperties(display="true"))
            self.doc.automaticstyles.addElement(table_style)
            hidden = style.Style(name=f"TA_{orientation}_hidden", family="table", masterpagename=master)
            hidden.addElement(style.TableProperties(display="false"))
            self.doc.automaticstyles.addElement(hidden)

    def _cell_style(self, name: str, locked: bool) -> str:
        key = (name, locked)
        if key in self.cell_styles:
            return self.cell_styles[key]
        bold, italic, size, background, wrap, number_style, border = _CELL_LOOK[name]
        style_name = f"ce_{name}_{'l' if locked else 'u'}"
        kwargs = {"name": style_name, "family": "table-cell"}
        if number_style:
            kwargs["datastylename"] = {"date": "N_DATE", "number": "N_NUMBER", "percent": "N_PERCENT"}[
                number_style
            ]
        st = style.Style(**kwargs)
        cell_props = {
            "cellprotect": "protected" if locked else "none",
            "verticalalign": "top",
        }
        if wrap:
            cell_props["wrapoption"] = "wrap"
        if background:
            cell_props["backgroundcolor"] = background
        if border:
            cell_props["border"] = "0.5pt solid #808080"
        st.addElement(style.TableCellProperties(**cell_props))
        text_props = {"fontname": _FONT, "fontsize": f"{size}pt"}
        if bold:
            text_props["fontweight"] = "bold"
        if italic:
            text_props["fontstyle"] = "italic"
        st.addElement(style.TextProperties(**text_props))
        self.doc.automaticstyles.addElement(st)
        self.cell_styles[key] = style_name
        return style_name

    def _column_style(self, width_cm: float) -> str:
        if width_cm not in self.column_styles:
            name = f"co{len(self.column_styles) + 1}"
            st = style.Style(name=name, family="table-column")
            st.addElement(style.TableColumnProperties(columnwidth=f"{width_cm}cm", breakbefore="auto"))
            self.doc.automaticstyles.addElement(st)
            self.column_styles[width_cm] = name
        return self.column_styles[width_cm]

    def _row_style(self, height_cm: float | None) -> str:
        key = height_cm or 0.0
        if key not in self.row_styles:
            name = f"ro{len(self.row_styles) + 1}"
            st = style.Style(name=name, family="table-row")
            if height_cm:
                st.addElement(style.TableRowProperties(rowheight=f"{height_cm}cm", useoptimalrowheight="false"))
            else:
                st.addElement(style.TableRowProperties(useoptimalrowheight="true"))
            self.doc.automaticstyles.addElement(st)
            self.row_styles[key] = name
        return self.row_styles[key]

    # ---- tables -------------------------------------------------------------------------
    def _table(self, sheet: Sheet) -> table.Table:
        orientation = "landscape" if sheet.landscape else "portrait"
        attrs = {
            "name": sheet.name,
            "stylename": f"TA_{orientation}_hidden" if sheet.hidden else f"TA_{orientation}",
        }
        if sheet.protected:
            attrs["protected"] = "true"
            if self.book.password:
                digest = hashlib.sha256(self.book.password.encode("utf-8")).digest()
                attrs["protectionkey"] = base64.b64encode(digest).decode("ascii")
                attrs["protectionkeydigestalgorithm"] = "http://www.w3.org/2000/09/xmldsig#sha256"
        t = table.Table(**attrs)
        for column in sheet.columns:
            col_attrs = {"stylename": self._column_style(column.width_cm), "defaultcellstylename": "Default"}
            if column.hidden:
                col_attrs["visibility"] = "collapse"
            t.addElement(table.TableColumn(**col_attrs))

        heights = estimated_row_heights(sheet)
        frames = {parse_range(c.anchor)[:2]: self._chart_frame(sheet, c) for c in sheet.charts}
        validation_at = self._validations(sheet)
        merged = _merge_map(sheet.merges)
        header_rows = None
        for r, row in enumerate(sheet.rows):
            tr = table.TableRow(stylename=self._row_style(heights.get(r)))
            width = max(len(row), len(sheet.columns))
            for c in range(width):
                cell = row[c] if c < len(row) else None
                element = self._cell(cell, merged.get((c, r)), validation_at.get((c, r)))
                if (c, r) in frames:
                    element.addElement(frames.pop((c, r)))
                tr.addElement(element)
            if sheet.repeat_rows and sheet.repeat_rows[0] - 1 <= r <= sheet.repeat_rows[1] - 1:
                if header_rows is None:
                    header_rows = table.TableHeaderRows()
                    t.addElement(header_rows)
                header_rows.addElement(tr)
            else:
                t.addElement(tr)
        if frames:
            raise ValueError(f"chart anchors outside the written cells of sheet {sheet.name!r}")
        # cells below the content that still carry validations (empty input rows)
        extra_rows = sorted({r for (_, r) in validation_at if r >= len(sheet.rows)})
        last = len(sheet.rows) - 1
        for r in extra_rows:
            if r > last + 1:
                t.addElement(table.TableRow(numberrowsrepeated=str(r - last - 1)))
            tr = table.TableRow(stylename=self._row_style(None))
            for c in range(len(sheet.columns)):
                tr.addElement(self._cell(None, None, validation_at.get((c, r))))
            t.addElement(tr)
            last = r
        if sheet.autofilter:
            c1, r1, c2, r2 = parse_range(sheet.autofilter)
            quoted = _quote(sheet.name)
            self.database_ranges.addElement(
                table.DatabaseRange(
                    name=f"__Anonymous_Sheet_DB__{len(self.database_ranges.childNodes)}",
                    targetrangeaddress=f"{quoted}.{column_letter(c1)}{r1 + 1}:{quoted}.{column_letter(c2)}{r2 + 1}",
                    displayfilterbuttons="true",
                )
            )
        return t

    def _cell(self, cell: Cell | None, merge, validation: str | None):
        if merge == "covered":
            return table.CoveredTableCell()
        attrs = {}
        if cell is not None:
            attrs["stylename"] = self._cell_style(cell.style, cell.locked)
        elif validation:
            attrs["stylename"] = self._cell_style("input", False)
        if validation:
            attrs["contentvalidationname"] = validation
        if merge:
            attrs["numbercolumnsspanned"] = str(merge[0])
            attrs["numberrowsspanned"] = str(merge[1])
        value = None if cell is None else cell.value
        if value is None or value == "":
            return table.TableCell(**attrs)
        if isinstance(value, bool):
            tc = table.TableCell(valuetype="boolean", booleanvalue="true" if value else "false", **attrs)
            tc.addElement(text.P(text="ИСТИНА" if value else "ЛОЖЬ"))
            return tc
        if isinstance(value, (int, float)):
            tc = table.TableCell(valuetype="float", value=repr(value), **attrs)
            tc.addElement(text.P(text=_format_number(value)))
            return tc
        if isinstance(value, date):
            tc = table.TableCell(valuetype="date", datevalue=value.isoformat(), **attrs)
            tc.addElement(text.P(text=value.strftime("%d.%m.%Y")))
            return tc
        # text: never a formula; lines become paragraphs
        tc = table.TableCell(valuetype="string", **attrs)
        for line in str(value).split("\n"):
            tc.addElement(text.P(text=line))
        return tc

    def _chart_frame(self, sheet: Sheet, spec: Chart):
        """An embedded chart object whose data are ranges of ``sheet`` itself."""
        quoted = _quote(sheet.name).lstrip("$")

        def address(ref: str) -> str:
            c1, r1, c2, r2 = parse_range(ref)
            return f"{quoted}.{column_letter(c1)}{r1 + 1}:{quoted}.{column_letter(c2)}{r2 + 1}"

        doc = OpenDocumentChart()
        series_style = style.Style(name="chs1", family="chart")
        series_style.addElement(style.GraphicProperties(fill="solid", fillcolor="#4472c4", stroke="none"))
        doc.automaticstyles.addElement(series_style)
        axis_style = style.Style(name="cha1", family="chart")
        axis_style.addElement(style.ChartProperties(displaylabel="true", minimum="0",
                                                    **({"maximum": str(spec.y_max)} if spec.y_max else {})))
        axis_style.addElement(style.TextProperties(fontsize="8pt"))
        doc.automaticstyles.addElement(axis_style)
        x_style = style.Style(name="chx1", family="chart")
        x_style.addElement(style.ChartProperties(displaylabel="true", textoverlap="true", linebreak="false"))
        x_style.addElement(style.TextProperties(fontsize="8pt"))
        doc.automaticstyles.addElement(x_style)
        the_chart = chart.Chart(width=f"{spec.width_cm}cm", height=f"{spec.height_cm}cm",
                                attributes={"class": "chart:bar"})
        title = chart.Title()
        title.addElement(text.P(text=spec.title))
        the_chart.addElement(title)
        plot = chart.PlotArea(cellrangeaddress=f"{address(spec.categories)} {address(spec.values)}")
        x_axis = chart.Axis(dimension="x", name="primary-x", stylename="chx1")
        x_axis.addElement(chart.Categories(cellrangeaddress=address(spec.categories)))
        plot.addElement(x_axis)
        y_axis = chart.Axis(dimension="y", name="primary-y", stylename="cha1")
        if spec.y_title:
            y_title = chart.Title()
            y_title.addElement(text.P(text=spec.y_title))
            y_axis.addElement(y_title)
        y_axis.addElement(chart.Grid(attributes={"class": "major"}))
        plot.addElement(y_axis)
        series = chart.Series(valuescellrangeaddress=address(spec.values), stylename="chs1",
                              attributes={"class": "chart:bar"})
        plot.addElement(series)
        the_chart.addElement(plot)
        doc.chart.addElement(the_chart)
        href = self.doc.addObject(doc)
        frame = draw.Frame(width=f"{spec.width_cm}cm", height=f"{spec.height_cm}cm", x="0.1cm", y="0.1cm", zindex="0")
        frame.addElement(draw.Object(href=href, notifyonupdateofranges=f"{address(spec.categories)} "
                                                                     f"{address(spec.values)}"))
        return frame

    def _validations(self, sheet: Sheet) -> dict[tuple[int, int], str]:
        at: dict[tuple[int, int], str] = {}
        for validation in sheet.validations:
            name = f"val{self.validation_count + 1}"
            self.validation_count += 1
            self.validations.addElement(_content_validation(name, validation, sheet.name))
            c1, r1, c2, r2 = parse_range(validation.cells)
            for r in range(r1, r2 + 1):
                for c in range(c1, c2 + 1):
                    at[(c, r)] = name
        return at

    # ---- settings (frozen panes, active sheet) ------------------------------------------------
    def _settings(self) -> None:
        view_settings = config.ConfigItemSet(name="ooo:view-settings")
        views = config.ConfigItemMapIndexed(name="Views")
        view = config.ConfigItemMapEntry()
        view.addElement(config.ConfigItem(name="ViewId", type="string", text="view1"))
        tables = config.ConfigItemMapNamed(name="Tables")
        for sheet in self.book.sheets:
            entry = config.ConfigItemMapEntry(name=sheet.name)
            rows, cols = sheet.freeze_rows, sheet.freeze_cols
            items = {
                "HorizontalSplitMode": ("short", "2" if cols else "0"),
                "VerticalSplitMode": ("short", "2" if rows else "0"),
                "HorizontalSplitPosition": ("int", str(cols)),
                "VerticalSplitPosition": ("int", str(rows)),
                "ActiveSplitRange": ("short", "2"),
                "PositionLeft": ("int", "0"),
                "PositionRight": ("int", str(cols)),
                "PositionTop": ("int", "0"),
                "PositionBottom": ("int", str(rows)),
                "CursorPositionX": ("int", str(cols)),
                "CursorPositionY": ("int", str(rows)),
            }
            for key, (kind, value) in items.items():
                entry.addElement(config.ConfigItem(name=key, type=kind, text=value))
            tables.addElement(entry)
        view.addElement(tables)
        first_visible = next((s.name for s in self.book.sheets if not s.hidden), self.book.sheets[0].name)
        view.addElement(config.ConfigItem(name="ActiveTable", type="string", text=first_visible))
        views.addElement(view)
        view_settings.addElement(views)
        self.doc.settings.addElement(view_settings)


def _content_validation(name: str, spec: Validation, sheet_name: str) -> table.ContentValidation:
    if spec.kind == "list":
        sheet, _, cells = spec.source.rpartition("!")
        condition = f"of:cell-content-is-in-list({_quote(sheet)}.{cells})"
    elif spec.kind == "date":
        low, high = (spec.minimum - _EPOCH).days, (spec.maximum - _EPOCH).days
        # the exact form LibreOffice itself writes (measured): no second "of:", comma separator
        condition = f"of:cell-content-is-date() and cell-content-is-between({low},{high})"
    elif spec.kind == "decimal":
        condition = (
            "of:cell-content-is-decimal-number() and "
            f"cell-content-is-between({_format_number(spec.minimum)},{_format_number(spec.maximum)})"
        )
    elif spec.kind == "whole":
        condition = (
            "of:cell-content-is-whole-number() and "
            f"cell-content-is-between({_format_number(spec.minimum)},{_format_number(spec.maximum)})"
        )
    else:
        raise ValueError(f"unknown validation kind {spec.kind!r}")
    c1, r1, _, _ = parse_range(spec.cells)
    cv = table.ContentValidation(
        name=name,
        condition=condition,
        allowemptycell="true",
        basecelladdress=f"{_quote(sheet_name)}.{column_letter(c1)}{r1 + 1}",
    )
    if spec.kind == "list":
        cv.setAttribute("displaylist", "unsorted")
    if spec.prompt:
        help_message = table.HelpMessage(title=spec.prompt_title, display="true")
        for line in spec.prompt.split("\n"):
            help_message.addElement(text.P(text=line))
        cv.addElement(help_message)
    error = table.ErrorMessage(title=spec.error_title, display="true", messagetype="stop")
    for line in (spec.error or "Недопустимое значение.").split("\n"):
        error.addElement(text.P(text=line))
    cv.addElement(error)
    return cv


def _merge_map(merges: list[str]) -> dict[tuple[int, int], object]:
    result: dict[tuple[int, int], object] = {}
    for ref in merges:
        c1, r1, c2, r2 = parse_range(ref)
        for r in range(r1, r2 + 1):
            for c in range(c1, c2 + 1):
                result[(c, r)] = "covered"
        result[(c1, r1)] = (c2 - c1 + 1, r2 - r1 + 1)
    return result


def _quote(sheet_name: str) -> str:
    if any(ch in sheet_name for ch in " -'.()"):
        return "$'" + sheet_name.replace("'", "''") + "'"
    return "$" + sheet_name


def _format_number(value) -> str:
    value = float(value)
    return str(int(value)) if value.is_integer() else f"{value:g}"
