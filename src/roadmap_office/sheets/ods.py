"""Write a :class:`Workbook` spec as ODS with odfpy.

Everything LibreOffice needs is written natively: cell protection, hidden and protected
tables, content validations (lists, dates, numbers), frozen panes, header rows repeated on
printed pages, A4 landscape fitted to the page width, autofilters and merged cells.
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import zipfile
from datetime import date
from pathlib import Path

from odf import chart, config, draw, number, style, table, text
from odf.namespaces import LOEXTNS, nsdict
from odf.opendocument import OpenDocumentChart, OpenDocumentSpreadsheet

from .spec import (PAGE_FOOTER, Cell, Chart, Sheet, Validation, Workbook, column_letter, estimated_row_heights,
                   page_breaks, parse_range, print_scale, same_rule_ranges)
from .xmltext import Buffered, attr
from .xmltext import text as xml_text

_NS = {prefix: uri for uri, prefix in nsdict.items()}
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
    """Write ``book`` to ``path`` as an ODF spreadsheet.

    odfpy builds the small parts (styles, settings, metadata, chart objects); the tables are
    streamed into content.xml as text, so memory and time grow only with the cells written,
    not with a document tree of them.
    """
    path = Path(path)
    writer = _OdsWriter(book)
    shell = io.BytesIO()
    writer.doc.write(shell)
    with zipfile.ZipFile(shell) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED,
                                                           compresslevel=_LEVEL) as target:
        for info in source.infolist():
            if info.filename == "content.xml":
                # opened by name, so that the archive's level applies (a ZipInfo would bring level 6)
                with target.open("content.xml", "w", force_zip64=True) as stream:
                    writer.write_content(stream)
            else:
                target.writestr(info, source.read(info.filename))
    return path


_LEVEL = 3  # deflate level: the tables are repetitive XML, the default level only costs time
_NAMESPACES = ("office", "text", "meta", "dc", "style", "svg", "fo", "number", "loext", "table", "draw", "chart",
               "xlink", "config", "ooo", "of")


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
        self.content_styles: list = []  # automatic styles of content.xml, written by write_content
        self._number_styles()
        self.cell_styles: dict[tuple[str, bool], str] = {}
        for name in _CELL_LOOK:  # all looks up front: content.xml states its styles before its tables
            for locked in (True, False):
                self._cell_style(name, locked)
        self.column_styles: dict[float, str] = {}
        self.row_styles: dict[tuple[float, bool], str] = {}  # (height, page break before) -> name
        self.table_styles: set[str] = set()
        self.validation_count = 0
        self.validations: list = []
        self.database_ranges: list = []
        self._page_styles()
        self.plans = [self._plan(sheet) for sheet in book.sheets]
        self._settings()

    def write_content(self, stream) -> None:
        """content.xml: the styles and validations prepared in __init__, then every table row by row."""
        out = Buffered(stream)
        out.write("<?xml version=\'1.0\' encoding=\'UTF-8\'?>\n<office:document-content")
        for prefix in _NAMESPACES:
            out.write(f' xmlns:{prefix}="{_NS[prefix]}"')
        out.write(' office:version="1.2">')
        out.write(_xml(self.doc.fontfacedecls))
        out.write("<office:automatic-styles>")
        for element in self.content_styles:
            out.write(_xml(element))
        out.write("</office:automatic-styles><office:body><office:spreadsheet>")
        if self.validations:
            out.write("<table:content-validations>")
            for element in self.validations:
                out.write(_xml(element))
            out.write("</table:content-validations>")
        for sheet, plan in zip(self.book.sheets, self.plans):
            self._write_table(out, sheet, plan)
        if self.database_ranges:
            out.write("<table:database-ranges>")
            for element in self.database_ranges:
                out.write(_xml(element))
            out.write("</table:database-ranges>")
        out.write("</office:spreadsheet></office:body></office:document-content>")
        out.flush()

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
        self.content_styles.append(date_style)
        num = number.NumberStyle(name="N_NUMBER", language="ru", country="RU")
        digits = number.Number(decimalplaces="2", minintegerdigits="1")
        digits.setAttrNS(LOEXTNS, "min-decimal-places", "0")  # 12 and 11.5, not 12.00 / 12
        num.addElement(digits)
        self.content_styles.append(num)
        pct = number.NumberStyle(name="N_PERCENT", language="ru", country="RU")
        pct.addElement(number.Number(decimalplaces="1", minintegerdigits="1"))
        self.content_styles.append(pct)

    def _page_styles(self) -> None:
        for orientation in ("landscape", "portrait"):
            self._table_styles(orientation, None)

    def _table_styles(self, orientation: str, scale: int | None) -> str:
        """Page layout, page style and table styles (shown, hidden) of one orientation; printed
        to the page width, or at ``scale`` percent. Returns the shown table style's name."""
        suffix = f"_{scale}" if scale else ""
        name = f"TA_{orientation}{suffix}"
        if name in self.table_styles:
            return name
        layout = style.PageLayout(name=f"PL_{orientation}{suffix}")
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
        if scale:
            props.setAttribute("scaleto", f"{scale}%")
        else:  # fit to one page wide, as many pages high as needed
            props.setAttrNS(LOEXTNS, "scale-to-X", "1")
            props.setAttrNS(LOEXTNS, "scale-to-Y", "0")
        layout.addElement(props)
        if self.book.page_header:
            for kind in (style.HeaderStyle, style.FooterStyle):
                spacing = kind()
                spacing.addElement(style.HeaderFooterProperties(minheight="0.5cm", margin="0.2cm"))
                layout.addElement(spacing)
        self.doc.automaticstyles.addElement(layout)
        # the page style's name shows in LibreOffice's status bar: a Russian one
        title = {"landscape": "Альбомная", "portrait": "Книжная"}[orientation] + (f", {scale} %" if scale else "")
        master = style.MasterPage(name=title, pagelayoutname=layout)
        if self.book.page_header:
            self._page_header_footer(master)
        self.doc.masterstyles.addElement(master)
        table_style = style.Style(name=name, family="table", masterpagename=master)
        table_style.addElement(style.TableProperties(display="true"))
        self.content_styles.append(table_style)
        hidden = style.Style(name=f"{name}_hidden", family="table", masterpagename=master)
        hidden.addElement(style.TableProperties(display="false"))
        self.content_styles.append(hidden)
        self.table_styles.add(name)
        return name

    def _page_header_footer(self, master) -> None:
        """The book's page header and «Страница N из M» at the foot of every printed page."""
        header = style.Header()
        header.addElement(text.P(text=self.book.page_header))
        master.addElement(header)
        footer = style.Footer()
        line = text.P()
        before, _, after = PAGE_FOOTER.partition("{page}")
        between, _, tail = after.partition("{pages}")
        line.addText(before)
        line.addElement(text.PageNumber(selectpage="current", text="1"))
        line.addText(between)
        line.addElement(text.PageCount(text="1"))
        if tail:
            line.addText(tail)
        footer.addElement(line)
        master.addElement(footer)

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
        self.content_styles.append(st)
        self.cell_styles[key] = style_name
        return style_name

    def _column_style(self, width_cm: float) -> str:
        if width_cm not in self.column_styles:
            name = f"co{len(self.column_styles) + 1}"
            st = style.Style(name=name, family="table-column")
            st.addElement(style.TableColumnProperties(columnwidth=f"{width_cm}cm", breakbefore="auto"))
            self.content_styles.append(st)
            self.column_styles[width_cm] = name
        return self.column_styles[width_cm]

    def _row_style(self, height_cm: float | None, page_break: bool = False) -> str:
        key = (height_cm or 0.0, page_break)
        if key not in self.row_styles:
            name = f"ro{len(self.row_styles) + 1}"
            st = style.Style(name=name, family="table-row")
            props = {"breakbefore": "page"} if page_break else {}
            if height_cm:
                st.addElement(style.TableRowProperties(rowheight=f"{height_cm}cm", useoptimalrowheight="false", **props))
            else:
                st.addElement(style.TableRowProperties(useoptimalrowheight="true", **props))
            self.content_styles.append(st)
            self.row_styles[key] = name
        return self.row_styles[key]

    # ---- tables -------------------------------------------------------------------------
    def _plan(self, sheet: Sheet) -> dict:
        """Everything a table needs before its rows are streamed: styles, validations, charts."""
        heights = estimated_row_heights(sheet)
        row_styles = {r: self._row_style(h) for r, h in heights.items()}
        breaks = page_breaks(sheet)
        for r in breaks:
            row_styles[r] = self._row_style(heights.get(r), page_break=True)
        orientation = "landscape" if sheet.landscape else "portrait"
        table_style = self._table_styles(orientation, print_scale(sheet) if breaks else None)
        plan = {
            "table_style": f"{table_style}_hidden" if sheet.hidden else table_style,
            "columns": [self._column_style(c.width_cm) for c in sheet.columns],
            "row_styles": row_styles,
            "default_row": self._row_style(None),
            "frames": {parse_range(c.anchor)[:2]: _xml(self._chart_frame(sheet, c)) for c in sheet.charts},
            "validations": self._validations(sheet),
            "merged": _merge_map(sheet.merges),
        }
        if sheet.autofilter:
            c1, r1, c2, r2 = parse_range(sheet.autofilter)
            quoted = _quote(sheet.name)
            self.database_ranges.append(
                table.DatabaseRange(
                    name=f"__Anonymous_Sheet_DB__{len(self.database_ranges)}",
                    targetrangeaddress=f"{quoted}.{column_letter(c1)}{r1 + 1}:{quoted}.{column_letter(c2)}{r2 + 1}",
                    displayfilterbuttons="true",
                )
            )
        return plan

    def _write_table(self, out: Buffered, sheet: Sheet, plan: dict) -> None:
        out.write(f"<table:table table:name={attr(sheet.name)} table:style-name=\"{plan['table_style']}\"")
        if sheet.protected:
            out.write(' table:protected="true"')
            if self.book.password:
                digest = hashlib.sha256(self.book.password.encode("utf-8")).digest()
                out.write(f' table:protection-key="{base64.b64encode(digest).decode("ascii")}"'
                          ' table:protection-key-digest-algorithm="http://www.w3.org/2000/09/xmldsig#sha256"')
        out.write(">")
        for column, column_style in zip(sheet.columns, plan["columns"]):
            hidden = ' table:visibility="collapse"' if column.hidden else ""
            out.write(f'<table:table-column table:style-name="{column_style}" '
                      f'table:default-cell-style-name="Default"{hidden}/>')
        frames, validation_at, merged = dict(plan["frames"]), plan["validations"], plan["merged"]
        row_styles, default_row = plan["row_styles"], plan["default_row"]
        styles = self.cell_styles
        header = (sheet.repeat_rows[0] - 1, sheet.repeat_rows[1] - 1) if sheet.repeat_rows else (-1, -1)
        simple = not (frames or validation_at or merged)
        n_columns = len(sheet.columns)
        written: dict[int, str] = {}  # id of a cell (shared by many rows) -> its XML

        def cell_xml(cell: Cell) -> str:
            xml = written[id(cell)] = _cell_xml(cell, styles[(cell.style, cell.locked)], "")
            return xml
        for r, row in enumerate(sheet.rows):
            if r == header[0]:
                out.write("<table:table-header-rows>")
            parts = [f'<table:table-row table:style-name="{row_styles.get(r, default_row)}">']
            if simple:
                parts += [written.get(id(cell)) or cell_xml(cell) for cell in row]
                parts += [_EMPTY] * (n_columns - len(row))
            else:
                for c in range(max(len(row), n_columns)):
                    parts.append(self._cell(row[c] if c < len(row) else None, merged.get((c, r)),
                                            validation_at.get((c, r)), frames.pop((c, r), "")))
            parts.append("</table:table-row>")
            if r == header[1] or (r == len(sheet.rows) - 1 and header[0] <= r < header[1]):
                parts.append("</table:table-header-rows>")
            out.write("".join(parts))
        if frames:
            raise ValueError(f"chart anchors outside the written cells of sheet {sheet.name!r}")
        # cells below the content that still carry validations (empty input rows)
        extra_rows = sorted({r for (_, r) in validation_at if r >= len(sheet.rows)})
        last = len(sheet.rows) - 1
        for r in extra_rows:
            if r > last + 1:
                out.write(f'<table:table-row table:number-rows-repeated="{r - last - 1}">{_EMPTY}</table:table-row>')
            out.write(f'<table:table-row table:style-name="{default_row}">')
            out.write("".join(self._cell(None, None, validation_at.get((c, r)), "") for c in range(n_columns)))
            out.write("</table:table-row>")
            last = r
        out.write("</table:table>")

    def _cell(self, cell: Cell | None, merge, validation: str | None, frame: str) -> str:
        if merge == "covered":
            return "<table:covered-table-cell/>"
        extra = ""
        if validation:
            extra += f' table:content-validation-name="{validation}"'
        if merge:
            extra += f' table:number-columns-spanned="{merge[0]}" table:number-rows-spanned="{merge[1]}"'
        if cell is not None:
            style_name = self.cell_styles[(cell.style, cell.locked)]
        elif validation:
            style_name = self.cell_styles[("input", False)]
        else:
            return f"<table:table-cell{extra}>{frame}</table:table-cell>" if frame or extra else _EMPTY
        xml = _cell_xml(cell, style_name, extra) if cell is not None else (
            f'<table:table-cell table:style-name="{style_name}"{extra}/>')
        if frame:
            xml = xml[:-2] + f">{frame}</table:table-cell>" if xml.endswith("/>") else \
                xml[: -len("</table:table-cell>")] + f"{frame}</table:table-cell>"
        return xml

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
        if spec.kind == "bar":  # horizontal bars: the plot area's style turns the axes
            plot_style = style.Style(name="chp1", family="chart")
            plot_style.addElement(style.ChartProperties(vertical="true"))
            plot_style.addElement(style.GraphicProperties(fill="none", stroke="none"))
            doc.automaticstyles.addElement(plot_style)
        title = chart.Title()
        title.addElement(text.P(text=spec.title))
        the_chart.addElement(title)
        plot = chart.PlotArea(cellrangeaddress=f"{address(spec.categories)} {address(spec.values)}",
                              **({"stylename": "chp1"} if spec.kind == "bar" else {}))
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
        for ranges, validation in same_rule_ranges(sheet.validations):
            name = f"val{self.validation_count + 1}"
            self.validation_count += 1
            self.validations.append(_content_validation(name, validation, sheet.name))
            for cells in ranges:
                c1, r1, c2, r2 = parse_range(cells)
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


_EMPTY = "<table:table-cell/>"


def _cell_xml(cell: Cell, style_name: str, extra: str) -> str:
    """One cell as ODF XML: typed values keep their type; text is never a formula."""
    value = cell.value
    if value is None or value == "":
        return f'<table:table-cell table:style-name="{style_name}"{extra}/>'
    if isinstance(value, str):
        if "\n" in value:
            paragraphs = "".join(f"<text:p>{xml_text(line)}</text:p>" for line in value.split("\n"))
        else:
            paragraphs = f"<text:p>{xml_text(value)}</text:p>"
        return f'<table:table-cell office:value-type="string" table:style-name="{style_name}"{extra}>' \
               f"{paragraphs}</table:table-cell>"
    if isinstance(value, bool):
        return (f'<table:table-cell office:value-type="boolean" office:boolean-value="{"true" if value else "false"}"'
                f' table:style-name="{style_name}"{extra}><text:p>{"ИСТИНА" if value else "ЛОЖЬ"}</text:p>'
                "</table:table-cell>")
    if isinstance(value, (int, float)):
        return (f'<table:table-cell office:value-type="float" office:value="{value!r}" table:style-name="{style_name}"'
                f"{extra}><text:p>{_format_number(value)}</text:p></table:table-cell>")
    if isinstance(value, date):
        return (f'<table:table-cell office:value-type="date" office:date-value="{value.isoformat()}"'
                f' table:style-name="{style_name}"{extra}><text:p>{value:%d.%m.%Y}</text:p></table:table-cell>')
    return _cell_xml(Cell(str(value), cell.style, cell.locked), style_name, extra)


def _xml(element) -> str:
    buffer = io.StringIO()
    element.toXml(1, buffer)
    return buffer.getvalue()


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
