"""The built-in report template: a normal Writer document made with odfpy, fields as placeholders.

``roadmap-office report-template -o FILE.odt`` writes it for a specialist to edit; a
consolidation without a template of its own fills it as it is.
"""

from __future__ import annotations

from typing import List, Sequence

from odf import style, table, text
from odf.opendocument import OpenDocument, OpenDocumentText

from .odt_template import BLOCK_END, BLOCK_START, cell_style, new_table
from . import texts as T
from .report_fields import SCHEMA

PAGE_WIDTH_CM = 17.0


def _widths(*relative: float) -> List[float]:
    total = sum(relative)
    return [round(PAGE_WIDTH_CM * r / total, 2) for r in relative]


def field(name: str) -> text.Placeholder:
    """A Writer placeholder showing ``<name>``; its hint is the field's description."""
    placeholder = text.Placeholder(placeholdertype="text", description=_description(name))
    placeholder.addText(f"<{name}>")
    return placeholder


def _description(name: str, schema=None) -> str:
    for key, value in (SCHEMA if schema is None else schema).items():
        if key == name:
            return value if isinstance(value, str) else f"перечень «{name}»"
        if isinstance(value, list):
            found = _description(name, value[0])
            if found:
                return found
    return "начало или конец повторяемого блока" if name.startswith((BLOCK_START, BLOCK_END)) else ""


class _Builder:
    def __init__(self) -> None:
        self.doc = OpenDocumentText()
        self._styles()

    # ---- styles (as the report has always looked: A4, Times New Roman 12 pt, page numbers)
    def _styles(self) -> None:
        doc = self.doc
        doc.fontfacedecls.addElement(style.FontFace(name="Times New Roman", fontfamily="'Times New Roman'",
                                                    fontfamilygeneric="roman", fontpitch="variable"))
        default = style.DefaultStyle(family="paragraph")
        default.addElement(style.ParagraphProperties(hyphenationladdercount="no-limit", writingmode="lr-tb"))
        default.addElement(style.TextProperties(fontname="Times New Roman", fontsize="12pt", language="ru",
                                                country="RU", hyphenate="true"))
        doc.styles.addElement(default)

        def paragraph(name: str, parent: str = "Standard", display: str = "", para=None, txt=None, **extra):
            st = style.Style(name=name, family="paragraph", **({"parentstylename": parent} if parent else {}),
                             **({"displayname": display} if display else {}), **extra)
            if para is not None:
                st.addElement(style.ParagraphProperties(**para))
            if txt is not None:
                st.addElement(style.TextProperties(**txt))
            doc.styles.addElement(st)

        paragraph("Standard", parent="", para=dict(margintop="0cm", marginbottom="0.12cm", lineheight="115%",
                                                   textalign="justify"), attributes={"class": "text"})
        # no word of a heading is hyphenated (as official documents are laid out), nor a file name
        paragraph("Title", para=dict(textalign="center", marginbottom="0.1cm", keepwithnext="always"),
                  txt=dict(fontsize="14pt", fontweight="bold", hyphenate="false"))
        paragraph("Subtitle", para=dict(textalign="center", marginbottom="0.3cm"),
                  txt=dict(fontsize="13pt", fontweight="bold", hyphenate="false"))
        paragraph("Heading_20_1", display="Heading 1", defaultoutlinelevel="1",
                  para=dict(margintop="0.4cm", marginbottom="0.2cm", textalign="start", keepwithnext="always"),
                  txt=dict(fontsize="13pt", fontweight="bold", hyphenate="false"))
        paragraph("Heading_20_2", display="Heading 2", defaultoutlinelevel="2",
                  para=dict(margintop="0.3cm", marginbottom="0.15cm", textalign="start", keepwithnext="always"),
                  txt=dict(fontsize="12pt", fontweight="bold", fontstyle="italic", hyphenate="false"))
        paragraph("Table_20_Contents", display="Table Contents",
                  para=dict(marginbottom="0cm", lineheight="100%", textalign="start"),
                  txt=dict(fontsize="10pt", hyphenate="true"))
        paragraph("Table_20_Number", parent="Table_20_Contents", display="Table Number", para=dict(textalign="end"))
        paragraph("Table_20_Heading", parent="Table_20_Contents", display="Table Heading",
                  para=dict(textalign="center"), txt=dict(fontweight="bold"))
        paragraph("Note", txt=dict(fontsize="10pt", fontstyle="italic"))
        # lines naming files: long file names leave wide gaps in justified text, and a hyphen
        # added at a line break would read as part of a name
        paragraph("Files", para=dict(textalign="start"), txt=dict(hyphenate="false"))
        paragraph("Center", para=dict(textalign="center", keepwithnext="always"))
        paragraph("KeepNext", para=dict(keepwithnext="always"))
        paragraph("Marker", txt=dict(fontsize="9pt", color="#808080"))
        signature = style.Style(name="Signature", family="paragraph", parentstylename="Standard")
        props = style.ParagraphProperties(textalign="start", margintop="0.6cm")
        stops = style.TabStops()
        stops.addElement(style.TabStop(position="16.5cm", type="right"))
        props.addElement(stops)
        signature.addElement(props)
        doc.styles.addElement(signature)
        paragraph("SignatureKeep", parent="Signature", para=dict(keepwithnext="always"))
        paragraph("Footer", para=dict(textalign="center"), txt=dict(fontsize="10pt"))
        bold = style.Style(name="bold", family="text")
        bold.addElement(style.TextProperties(fontweight="bold"))
        doc.styles.addElement(bold)

        layout = style.PageLayout(name="pm1")
        layout.addElement(style.PageLayoutProperties(pagewidth="21cm", pageheight="29.7cm",
                                                     printorientation="portrait", margintop="1.5cm",
                                                     marginbottom="1.2cm", marginleft="2.5cm", marginright="1.5cm"))
        footer_style = style.FooterStyle()
        footer_style.addElement(style.HeaderFooterProperties(minheight="0.6cm", margintop="0.3cm"))
        layout.addElement(footer_style)
        doc.automaticstyles.addElement(layout)
        master = style.MasterPage(name="Standard", pagelayoutname=layout)
        footer = style.Footer()
        line = text.P(stylename="Footer", text="Страница ")
        line.addElement(text.PageNumber(selectpage="current", text="1"))
        line.addText(" из ")
        line.addElement(text.PageCount(text="1"))
        footer.addElement(line)
        master.addElement(footer)
        doc.masterstyles.addElement(master)

        for name, background in (("cell", None), ("cellh", "#e6e6e6")):
            cell_style(doc, name, background)
        row = style.Style(name="row", family="table-row")
        row.addElement(style.TableRowProperties(keeptogether="always"))
        doc.automaticstyles.addElement(row)

    # ---- content
    def p(self, style_name: str, *parts) -> text.P:
        paragraph = text.P(stylename=style_name)
        for part in parts:
            if isinstance(part, str):
                paragraph.addText(part)
            else:
                paragraph.addElement(part)
        self.doc.text.addElement(paragraph)
        return paragraph

    def h(self, level: int, title: str) -> None:
        self.doc.text.addElement(text.H(stylename=f"Heading_20_{level}", outlinelevel=str(level), text=title))

    def marker(self, kind: str, name: str) -> None:
        self.p("Marker", field(f"{kind}{name}"))

    def table(self, name: str, widths: Sequence[float], header: Sequence[str], rows: Sequence[Sequence],
              numeric: Sequence[int] = ()) -> None:
        """A table whose cells hold text and fields; a row with fields of a list is repeated."""
        self.doc.text.addElement(new_table(self.doc, name, list(widths), list(header), list(rows), numeric, "row"))


def default_template() -> OpenDocument:
    """The report as it has always looked, written with fields (see :data:`report_fields.SCHEMA`)."""
    b = _Builder()
    f = field
    b.p("Title", "СВОДНЫЙ ОТЧЁТ")
    b.p("Subtitle", "о ходе реализации дорожной карты «", f("Дорожная карта"), "»")
    b.p("Center", f("Орган"))
    b.p("Center", f("Отчётный период и дата"))
    b.p("Files", _bold(f"{T.WARNINGS_HEADING}!"), " ", f("Предупреждение"))  # one per warning, before any figure

    b.h(1, "1. Основные показатели")
    b.table("KeyFigures", _widths(12, 5), ["Показатель", "Значение"], [
        ["Образовательных организаций в перечне", f("Школ в перечне")],
        ["Представили отчёт", f("Представили отчёт")],
        ["Не представили отчёт", f("Не представили отчёт")],
        ["Мероприятий дорожной карты", f("Мероприятий")],
        ["Записей в отчётах школ", f("Записей")],
        ["Выполнение мероприятий школами, %", f("Выполнение, %")],
        ["Просроченных мероприятий (школа × мероприятие)", f("Просрочено")],
        ["Замечаний к файлам", f("Замечаний")],
        ["Файлов не принято", f("Файлов не принято")],
    ], numeric=(1,))
    b.p("Standard", f("Сведения о непредставлении"))
    b.p("Files", f("Повторный файл"))
    b.p("Files", f("Непринятый файл"))

    b.h(1, "2. Выполнение по разделам")
    b.table("Sections", _widths(1.2, 11, 2.4, 2.4), ["№", "Раздел", "Выполнено, %", "Просрочено"],
            [[f("Раздел: №"), f("Раздел: наименование"), f("Раздел: выполнено, %"), f("Раздел: просрочено")]],
            numeric=(2, 3))
    b.p("Center", f("Диаграмма: разделы"))
    b.p("Note", "Рисунок 1. Доля выполненных мероприятий по разделам дорожной карты, % (по образовательным "
                "организациям, представившим отчёт).")

    b.h(1, "3. Выполнение мероприятий")
    b.p("Standard", "По каждому мероприятию указано число образовательных организаций — участников, "
                    "представивших отчёт, из них отметивших выполнение, и число организаций, у которых срок "
                    "истёк, а мероприятие не выполнено.")
    b.marker(BLOCK_START, "Разделы")
    b.doc.text.addElement(text.H(stylename="Heading_20_2", outlinelevel="2"))
    b.doc.text.lastChild.addElement(f("Раздел: заголовок"))
    b.table("Items", _widths(1.3, 7.0, 2.6, 1.3, 2.2, 1.3, 2.4),
            ["№", "Мероприятие", "Сроки", "Школ", "Выполнено", "%", "Просрочено"],
            [[f("Мероприятие: №"), f("Мероприятие: наименование"), f("Мероприятие: сроки"), f("Мероприятие: школ"),
              f("Мероприятие: выполнено"), f("Мероприятие: %"), f("Мероприятие: просрочено")]],
            numeric=(3, 4, 5, 6))
    b.marker(BLOCK_END, "Разделы")

    b.h(1, "4. Образовательные организации")
    b.table("Schools", _widths(1.4, 9, 2.4, 2.4, 2.4),
            ["Код", "Образовательная организация", "Выполнено, %", "Просрочено", "Замечаний"],
            [[f("Школа: код"), f("Школа: наименование"), f("Школа: выполнено, %"), f("Школа: просрочено"),
              f("Школа: замечаний")]], numeric=(2, 3, 4))
    b.p("Standard", f("Отстают от среднего"))
    b.p("Center", f("Диаграмма: школы"))
    b.p("Note", "Рисунок 2. Выполнение мероприятий по образовательным организациям, % (при большом числе "
                "организаций — распределение, наименее и наиболее успешные названы).")

    b.h(1, "5. Показатели")
    b.table("Indicators", _widths(1.2, 8, 1.6, 2.6, 2, 2),
            ["Код", "Показатель", "Ед. изм.", "Целевое значение", "По округу", "Данные школ"],
            [[f("Показатель: код"), f("Показатель: наименование"), f("Показатель: ед. изм."),
              f("Показатель: целевое значение"), f("Показатель: по округу"), f("Показатель: данные школ")]],
            numeric=(4, 5))
    b.p("Center", f("Диаграмма: показатели"))

    b.h(1, "6. Динамика по отчётным периодам")
    b.p("Standard", f("Динамика: вводный текст"))
    b.p("Standard", f("Таблица: динамика по округу"))
    b.marker(BLOCK_START, "несколько периодов")
    b.p("Center", f("Диаграмма: выполнение по периодам"))
    b.p("Note", "Рисунок 3. Выполнение мероприятий по отчётным периодам, %.")
    b.p("Center", f("Диаграмма: просрочки по периодам"))
    b.p("Note", "Рисунок 4. Просроченные мероприятия по отчётным периодам (школа × мероприятие).")
    b.p("Standard", f("Динамика: примечание"))
    for heading, name in (("6.1. Выполнение по разделам, %", "выполнение по разделам"),
                          ("6.2. Просроченные мероприятия по разделам (школа × мероприятие)", "просрочки по разделам"),
                          ("6.3. Выполнение по образовательным организациям, %", "выполнение по школам"),
                          ("6.4. Просроченные мероприятия по образовательным организациям", "просрочки по школам"),
                          ("6.5. Показатели по округу и целевые значения", "показатели по периодам")):
        b.h(2, heading)
        b.p("Standard", f(f"Таблица: {name}"))
    b.h(2, "6.6. Изменения по сравнению с предыдущим периодом")
    b.p("KeepNext", _bold(f("Впервые просроченные: заголовок")), " ", f("Впервые просроченные: нет"))
    b.p("Standard", f("Таблица: впервые просроченные"))
    b.p("Standard", _bold(f("Снижение: заголовок")), " ", f("Снижение: перечень"))
    b.p("Standard", _bold(f("Не представили снова: заголовок")), " ", f("Не представили снова: перечень"))
    b.marker(BLOCK_END, "несколько периодов")

    b.h(1, "7. Замечания к представленным файлам")
    b.marker(BLOCK_START, "есть замечания")
    b.table("Problems", _widths(13, 3), ["Файл", "Замечаний"],
            [[f("Файл с замечаниями: имя"), f("Файл с замечаниями: замечаний")]], numeric=(1,))
    b.p("Note", "Перечень замечаний с указанием листа и ячейки приведён в сводной книге на листе «Замечания».")
    b.marker(BLOCK_END, "есть замечания")
    b.marker(BLOCK_START, "нет замечаний")
    b.p("Standard", "Замечаний к представленным файлам нет.")
    b.marker(BLOCK_END, "нет замечаний")

    signature = b.p("SignatureKeep", f("Подписант"))
    signature.addElement(text.Tab())
    signature.addText("____________________ / ____________________")
    b.p("Signature", "Исполнитель: ____________________, тел. ____________")
    return b.doc


def _bold(content) -> text.Span:
    span = text.Span(stylename="bold")
    if isinstance(content, str):
        span.addText(content)
    else:
        span.addElement(content)
    return span
