"""The consolidated workbook (XLSX and ODS, same content) from a :class:`Consolidation`."""

from __future__ import annotations

import re
from dataclasses import replace

from ..merging import NO_STATUS, Consolidation
from ..presentation import day
from ..sheets import Cell, Chart, Column, Sheet, Workbook
from ..sheets.spec import column_letter
from . import charts
from . import texts as T
from .dynamics import dynamics_sheet


LABEL_CHARS = 45  # a chart's category label: longer ones are cut, so that every bar keeps its label
HEADER_LETTER_CM = 0.23  # a bold 10 pt Cyrillic letter, generously


def consolidated_workbook(c: Consolidation) -> Workbook:
    return _header_words_whole(Workbook(
        title=T.report_title(c.roadmap),
        page_header=T.page_header(c),
        sheets=[
            _summary(c),
            _sections(c),
            _items(c),
            _schools(c),
            _records(c),
            _own_events(c),
            _indicators(c),
            dynamics_sheet(c),
            _problems(c),
        ],
    ))


def _header_words_whole(book: Workbook) -> Workbook:
    """Widen each column to its title's longest word: a header wraps between words («Выполнение, %»),
    never inside one («Мероприяти-й»)."""
    for sheet in book.sheets:
        for n, column in enumerate(sheet.columns):
            longest = max((len(word) for word in re.split(r"[\s\-]+", column.title)), default=0)
            needed = round(longest * HEADER_LETTER_CM + 0.4, 1)
            if column.width_cm < needed:
                sheet.columns[n] = replace(column, width_cm=needed)
    return book


def _pct(value: float | None) -> Cell:
    return Cell(value, "percent") if value is not None else Cell("—", "text")


def _title(sheet: Sheet, text: str, width: int) -> None:
    sheet.add_row(Cell(text, "title"))
    sheet.merges.append(f"A1:{column_letter(width - 1)}1")


def _summary(c: Consolidation) -> Sheet:
    sheet = Sheet(T.SHEET_SUMMARY, [Column("", 8), Column("", 14)], landscape=False)
    _title(sheet, T.report_title(c.roadmap), 2)
    sheet.add_row(Cell(T.as_of_line(c), "bold"))
    sheet.merges.append("A2:B2")
    sheet.add_row()
    for line in T.warnings(c):  # before any figure
        sheet.add_row(Cell(T.WARNINGS_HEADING, "bold"), Cell(line, "bold"))
    if T.warnings(c):
        sheet.add_row()
    for label, value in T.key_figures(c):
        sheet.add_row(Cell(label, "bold"), value if isinstance(value, Cell) else Cell(value))
    sheet.add_row()
    def heading(text: str) -> None:
        sheet.add_row(Cell(text, "section"), Cell(None, "section"))
        sheet.merges.append(f"A{len(sheet.rows)}:B{len(sheet.rows)}")

    if c.missing:
        heading(T.MISSING_HEADING)
        for school in c.missing:
            sheet.add_row(school.code, school.name)
    if c.duplicates:
        sheet.add_row()
        heading(T.DUPLICATES_HEADING)
        for d in c.duplicates:
            sheet.add_row(d.school, T.duplicate_line(d))
    if c.rejected:
        sheet.add_row()
        heading(T.REJECTED_HEADING)
        for r in c.rejected:
            sheet.add_row(r.name, r.rejected)
    return sheet


def _sections(c: Consolidation) -> Sheet:
    columns = [Column("№", 1.4), Column("Раздел", 12), Column("Мероприятий", 2.6),
               Column("Отметок (школа × мероприятие)", 3.4), Column("Выполнено", 2.6),
               Column("Выполнение, %", 2.6), Column("Просрочено", 2.6)]
    sheet = Sheet(T.SHEET_SECTIONS, columns, freeze_rows=2, repeat_rows=(2, 2))
    _title(sheet, "Выполнение по разделам дорожной карты", len(columns))
    sheet.add_row(*[col.title for col in columns], style="header")
    for s in c.sections:
        sheet.add_row(s.section.number, s.section.title, len(s.section.items), s.applicable, s.done,
                      _pct(s.done_pct), s.overdue)
    last = len(sheet.rows)
    sheet.add_row(Cell(None, "bold"), Cell("Итого", "bold"), Cell(len(c.roadmap.items), "bold"),
                  Cell(c.applicable, "bold"), Cell(c.done, "bold"),
                  Cell(c.completion_pct, "percent") if c.completion_pct is not None else Cell("—"),
                  Cell(sum(s.overdue for s in c.sections), "bold"))
    _completion_chart(sheet, "Выполнение мероприятий по разделам, %",
                      [(f"{s.section.number} {s.section.title}".strip(), s.done_pct) for s in c.sections], "Раздел")
    return sheet


def _items(c: Consolidation) -> Sheet:
    statuses = [s.name for s in c.roadmap.statuses] + [NO_STATUS]
    columns = [Column("№", 1.4), Column("Мероприятие", 9), Column("Сроки", 3.2), Column("Школ-участников", 2.4)]
    columns += [Column(name.capitalize(), 2.2) for name in statuses]
    columns += [Column("Выполнение, %", 2.4), Column("Просрочено (школ)", 2.4)]
    sheet = Sheet(T.SHEET_ITEMS, columns, freeze_rows=2, freeze_cols=2, repeat_rows=(2, 2))
    _title(sheet, f"Выполнение мероприятий по состоянию на {day(c.as_of)}", len(columns))
    sheet.add_row(*[col.title for col in columns], style="header")
    current = None
    for summary in c.items:
        if summary.section is not current:
            current = summary.section
            sheet.add_row(Cell(current.number, "section"), Cell(current.title, "section"),
                          *[Cell(None, "section") for _ in columns[2:]])
            sheet.merges.append(f"B{len(sheet.rows)}:{column_letter(len(columns) - 1)}{len(sheet.rows)}")
        counts = [summary.by_status.get(name, 0) for name in statuses]
        sheet.add_row(summary.item.number, summary.item.event, summary.item.deadline.text, summary.applicable,
                      *counts, _pct(summary.done_pct), summary.overdue)
    return sheet


def _schools(c: Consolidation) -> Sheet:
    columns = [Column("Код", 1.6), Column("Образовательная организация", 6.5), Column("Файл", 7),
               Column("Мероприятий", 2.4), Column("Выполнено", 2.4), Column("Выполнение, %", 2.4),
               Column("Просрочено", 2.4), Column("Просроченные мероприятия", 6), Column("Замечаний", 2.2),
               Column("Не учтены (более ранние файлы)", 6)]
    sheet = Sheet(T.SHEET_SCHOOLS, columns, freeze_rows=2, freeze_cols=2, repeat_rows=(2, 2))
    _title(sheet, f"Выполнение по образовательным организациям на {day(c.as_of)}", len(columns))
    sheet.add_row(*[col.title for col in columns], style="header")
    for s in c.schools:
        if s.submitted:
            sheet.add_row(s.school.code, s.school.name, s.file, s.applicable, s.done, _pct(s.completion_pct),
                          len(s.overdue_items), ", ".join(s.overdue_items), s.problems, "\n".join(s.superseded))
        else:
            sheet.add_row(s.school.code, s.school.name, Cell(T.NOT_SUBMITTED, "bold"), None, None, Cell("—"),
                          None, None, None, None)
    _completion_chart(sheet, "Выполнение мероприятий по образовательным организациям, %",
                      [(s.school.name, s.completion_pct) for s in c.schools if s.submitted],
                      "Образовательная организация")
    return sheet


def _completion_chart(sheet: Sheet, title: str, entries: list, what: str) -> None:
    """Below the table, the chart's data and the chart, printed on a page of its own so that no
    page break cuts it. As in the report (rendering/charts.py): up to ``NAMED_UP_TO`` entries each
    get a bar, sorted; more become a distribution by tenths, the weakest and strongest named."""
    known = [(label, value) for label, value in entries if value is not None]
    width = len(sheet.columns)

    def row(label, value, style: str = "text") -> None:
        cells = [Cell(None, style) for _ in range(width)]
        cells[1] = Cell(label, style)
        cells[5] = value if isinstance(value, Cell) else Cell(value, style)
        sheet.add_row(*cells)

    def heading(text: str) -> None:
        sheet.add_row()
        sheet.add_row(Cell(text, "section"), *[Cell(None, "section") for _ in range(width - 1)])
        sheet.merges.append(f"A{len(sheet.rows)}:{column_letter(width - 1)}{len(sheet.rows)}")

    if len(known) <= charts.NAMED_UP_TO:
        heading(f"Данные диаграммы «{title}» (по возрастанию)")
        row(what, "Выполнение, %", "header")
        first = len(sheet.rows) + 1
        for label, value in sorted(known, key=lambda e: (e[1], e[0])):  # drawn bottom-up: the highest on top
            row(charts.cut(label, LABEL_CHARS), _pct(value))
        last = max(len(sheet.rows), first)
        sheet.add_row()
        sheet.add_row(None)
        sheet.charts.append(Chart(title, f"B{first}:B{last}", f"F{first}:F{last}", f"B{len(sheet.rows)}",
                                  series_title="Выполнение, %", y_title="%", y_max=100, width_cm=22,
                                  height_cm=min(17.0, 3.0 + 0.6 * len(known)), own_page=True, kind="bar"))
        return
    heading(f"Распределение по доле выполнения мероприятий ({len(known)}; среднее "
            f"{charts.pct(sum(v for _, v in known) / len(known))} %)")
    row("Выполнение, %", "Число", "header")
    first = len(sheet.rows) + 1
    for label, count in zip(charts.bin_labels(), charts.bins([v for _, v in known])):
        row(label, Cell(count, "number"))
    last = len(sheet.rows)
    weakest, strongest = charts.ends(known)
    heading("Наименьшее выполнение")
    for label, value in weakest:
        row(label, _pct(value))
    heading("Наибольшее выполнение")
    for label, value in strongest:
        row(label, _pct(value))
    sheet.add_row()
    sheet.add_row(None)
    sheet.charts.append(Chart(title + ": распределение", f"B{first}:B{last}", f"F{first}:F{last}",
                              f"B{len(sheet.rows)}", series_title="Число", y_title="Число",
                              width_cm=22, height_cm=9, own_page=True))


def _records(c: Consolidation) -> Sheet:
    columns = [Column("Код школы", 1.8), Column("Школа", 5), Column("Раздел", 1.5), Column("№", 1.4),
               Column("Мероприятие", 8), Column("Собственное", 2.2), Column("Статус", 2.8),
               Column("Дата выполнения", 2.6), Column("Исполнитель", 4.2), Column("Результат", 6),
               Column("Ссылка", 4.5), Column("Комментарий", 4.5), Column("Файл", 5), Column("Строка", 1.6),
               Column("Замечания", 2.2)]
    sheet = Sheet(T.SHEET_RECORDS, columns, freeze_rows=1, freeze_cols=2, repeat_rows=(1, 1))
    sheet.add_row(*[col.title for col in columns], style="header")
    names = {s.code: s.name for s in c.roadmap.schools}
    for r in c.records:
        sheet.add_row(r.school, names.get(r.school, ""), r.section, r.number, r.event,
                      "да" if r.own else "нет", r.status or "", Cell(r.date_done, "date"), r.executor or "",
                      r.result, r.link, r.comment, r.file, r.row, "есть" if r.problems else "")
    sheet.autofilter = f"A1:{column_letter(len(columns) - 1)}{max(len(sheet.rows), 2)}"
    return sheet


def _own_events(c: Consolidation) -> Sheet:
    columns = [Column("Раздел", 1.6), Column("Школа", 5), Column("Мероприятие", 8), Column("Сроки", 3.2),
               Column("Ожидаемый результат", 5), Column("Статус", 2.8), Column("Дата выполнения", 2.6),
               Column("Результат", 6)]
    sheet = Sheet(T.SHEET_OWN, columns, freeze_rows=2, repeat_rows=(2, 2))
    _title(sheet, "Собственные мероприятия школ по разделам дорожной карты", len(columns))
    sheet.add_row(*[col.title for col in columns], style="header")
    names = {s.code: s.name for s in c.roadmap.schools}
    own = [r for r in c.records if r.own]
    order = {s.number: n for n, s in enumerate(c.roadmap.sections)}
    for section in c.roadmap.sections + [None]:
        number = section.number if section else ""
        rows = [r for r in own if (r.section == number) or (section is None and r.section not in order)]
        if not rows:
            continue
        title = f"{section.number} {section.title}" if section else "Без раздела"
        sheet.add_row(Cell(title, "section"), *[Cell(None, "section") for _ in columns[1:]])
        sheet.merges.append(f"A{len(sheet.rows)}:{column_letter(len(columns) - 1)}{len(sheet.rows)}")
        for r in rows:
            sheet.add_row(number, names.get(r.school, r.school), r.event, r.deadline, r.expected_result,
                          r.status or "", Cell(r.date_done, "date"), r.result)
    if len(sheet.rows) == 2:
        sheet.add_row(Cell("Собственные мероприятия школы не указали.", "note"))
    return sheet


def _indicators(c: Consolidation) -> Sheet:
    columns = [Column("Код", 1.6), Column("Образовательная организация", 6)]
    columns += [Column(f"{i.indicator.code}, {i.indicator.unit}", 2.6) for i in c.indicators]
    sheet = Sheet(T.SHEET_INDICATORS, columns, freeze_rows=2, freeze_cols=2, repeat_rows=(2, 2))
    _title(sheet, "Показатели: значения образовательных организаций и по округу", len(columns))
    sheet.add_row(*[col.title for col in columns], style="header")
    for school in c.roadmap.schools:
        values = []
        for summary in c.indicators:
            value = summary.values.get(school.code)
            values.append(T.indicator_cell(value))
        sheet.add_row(school.code, school.name, *values)
    sheet.add_row(Cell(None, "bold"), Cell("По округу", "bold"),
                  *[Cell(s.district, "number") if s.district is not None else Cell("—") for s in c.indicators])
    sheet.add_row(Cell(None), Cell("Способ свода", "note"),
                  *[Cell(T.aggregation_short(s.indicator), "note") for s in c.indicators])
    sheet.add_row()
    sheet.add_row(Cell("Показатели", "bold"))
    for s in c.indicators:
        target = f" (целевое значение: {s.indicator.target})" if s.indicator.target else ""
        sheet.add_row(s.indicator.code, Cell(f"{s.indicator.name}{target}", "note"))
        sheet.merges.append(f"B{len(sheet.rows)}:{column_letter(len(columns) - 1)}{len(sheet.rows)}")
    return sheet


def _problems(c: Consolidation) -> Sheet:
    columns = [Column("Файл", 7), Column("Школа", 1.8), Column("Лист", 3), Column("Ячейка", 1.8),
               Column("Значение", 4), Column("Замечание", 12), Column("Вид", 2.2)]
    sheet = Sheet(T.SHEET_PROBLEMS, columns, freeze_rows=1, repeat_rows=(1, 1))
    sheet.add_row(*[col.title for col in columns], style="header")
    for r in c.rejected:
        sheet.add_row(r.name, "", "", "", "", r.rejected, "файл не принят")
    for submission in c.used + c.superseded:
        for f in submission.findings:
            sheet.add_row(f.file, submission.school, f.sheet, f.cell, f.value, f.message,
                          "ошибка" if f.severity == "error" else "предупреждение")
    sheet.autofilter = f"A1:G{max(len(sheet.rows), 2)}"
    return sheet

