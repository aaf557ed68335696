"""The school report template: one layout spec that both writers (ODS, XLSX) render.

A school sees the district's items it takes part in, grouped under section rows, with the
district columns locked and its own columns editable behind dropdowns and date/number checks,
plus empty rows for its own events. Lists live on a hidden protected sheet; a hidden metadata
sheet tells later steps which master, school and period the file was made for.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from ..executors import fold
from ..master import school_key
from ..period import parse_period
from ..presentation import day, exact
from ..model import ExecutorKind, Indicator, Item, Roadmap, School, per_roadmap
from ..sheets import Cell, Column, Sheet, Validation, Workbook
from ..sheets.spec import column_letter
from . import values as rules

TEMPLATE_VERSION = "2"
# versions the check still reads: 1 had no «Контроль» column (its rows are read as version 2's
# with that cell empty, so the sort check is skipped for them)
SUPPORTED_VERSIONS = ("1", "2")
ITEMS_SHEET = "Мероприятия"
INDICATORS_SHEET = "Показатели"
LISTS_SHEET = "Списки"
META_SHEET = "Служебный"
HELP_SHEET = "Инструкция"
OWN_ROWS_PER_SECTION = 2
OWN_PREFIX = "+"  # item key prefix of rows for a school's own events: "+3.1", "+3.2"

# Columns of the items sheet: (key, title, width cm)
ITEM_COLUMNS = [
    ("key", "Код", 1.2),
    ("number", "№ п/п", 1.4),
    ("event", "Наименование мероприятия", 7.5),
    ("deadline", "Сроки", 3.2),
    ("result_expected", "Ожидаемый результат", 4.8),
    ("status", "Статус", 3.2),
    # a locked copy of the row's key inside the school's block: sorting a selection of the yellow
    # columns moves it with the values (so the check sees the row left its item), and on the
    # protected sheet LibreOffice and Excel refuse to sort a range that holds a locked cell
    ("check", "Контроль", 1.6),
    ("date_done", "Дата выполнения", 2.6),
    ("executor", "Исполнитель в ОО", 4.2),
    ("result", "Достигнутый результат", 4.8),
    ("link", "Ссылка на подтверждение", 3.6),
    ("comment", "Комментарий", 3.6),
]
COL = {key: index for index, (key, _, _) in enumerate(ITEM_COLUMNS)}
DISTRICT_COLUMNS = ("key", "number", "event", "deadline", "result_expected")
SCHOOL_COLUMNS = ("status", "date_done", "executor", "result", "link", "comment")
CHECK_COLUMN = "check"


def version_row(row: list, version: str) -> list:
    """A row of the items sheet in the current layout: version 1 lacks the «Контроль» cell."""
    if version == "1":
        row = list(row)
        row.insert(COL[CHECK_COLUMN], None)
    return row


def version_column(col: int, version: str) -> int:
    """The column index a cell of the current layout has in a file of ``version``."""
    return col - 1 if version == "1" and col > COL[CHECK_COLUMN] else col
OWN_EDITABLE = ("event", "deadline", "result_expected")
HEADER_ROW = 3  # 1-based row of the items header; data starts below

INDICATOR_COLUMNS = [
    ("code", "Код", 1.4),
    ("name", "Наименование показателя", 11.0),
    ("unit", "Единица измерения", 2.4),
    ("target", "Целевое значение", 3.0),
    ("value", "Значение", 3.0),
    ("comment", "Комментарий", 6.0),
    # hidden: the rule of the value, so a school's own check works without the master
    ("kind", "Вид", 2.0),
    ("minimum", "Минимум", 2.0),
    ("maximum", "Максимум", 2.0),
]
IND_COL = {key: index for index, (key, _, _) in enumerate(INDICATOR_COLUMNS)}

# metadata keys (a contract with the reader), with Russian labels for the curious
META_KEYS = {
    "template_id": "Идентификатор шаблона",
    "template_version": "Версия формата шаблона",
    "roadmap_fingerprint": "Отпечаток содержания дорожной карты",
    "school_code": "Код образовательной организации",
    "school_name": "Образовательная организация",
    "school_key": "Ключ образовательной организации",
    "reporting_period": "Отчётный период",
    "reporting_kind": "Вид отчётного периода",
    "reporting_start": "Начало отчётного периода",
    "reporting_end": "Окончание отчётного периода",
    "period_start": "Начало периода реализации",
    "period_end": "Окончание периода реализации",
    "roadmap_title": "Дорожная карта",
    "generated_at": "Дата и время формирования",
}


@dataclass
class TemplateInfo:
    """What a generated template is for; written to its metadata sheet."""

    template_id: str
    roadmap_fingerprint: str  # master.roadmap_fingerprint: the content the template was made from
    school: School | None
    reporting_period: str
    generated_at: datetime


def items_for_school(roadmap: Roadmap, school: School | None) -> set[str]:
    """Keys of the items a school takes part in (a blank template: all items with schools)."""
    all_keys, for_all, named = _school_scope(roadmap)
    if school is None:
        return set(all_keys)
    return set(for_all) | set(named.get(fold(school.name), ()))


@per_roadmap
def _school_scope(roadmap: Roadmap) -> tuple[tuple, tuple, dict]:
    """Which items every school takes part in and which only named schools do, computed once per
    roadmap: folding names with regular expressions for every school and item costs O(schools²)."""
    executors = [(e.name, e.kind) for e in roadmap.executors]
    kinds = dict(executors)
    folded_schools = {fold(s.name) for s in roadmap.schools}
    all_schools = {name for name, kind in executors if kind == ExecutorKind.SCHOOL
                   and fold(name) not in folded_schools}
    all_keys, for_all, named = [], [], {}
    for key, names in ((item.key, item.executors) for item in roadmap.items):
        school_executors = [n for n in names if kinds.get(n) == ExecutorKind.SCHOOL]
        if not school_executors:
            continue
        all_keys.append(key)
        if any(n in all_schools for n in school_executors):
            for_all.append(key)
        for n in school_executors:
            named.setdefault(fold(n), []).append(key)
    return tuple(all_keys), tuple(for_all), named


def template_id(fingerprint: str, school: School | None, period: str) -> str:
    """Stable id: the same master, school and period always give the same id."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"roadmap-office:{fingerprint}:{school.code if school else ''}:{period}"))


def template_workbook(roadmap: Roadmap, info: TemplateInfo, password: str | None = None) -> Workbook:
    lists, sources = _lists_sheet(roadmap)
    return Workbook(
        title=f"Отчёт о реализации дорожной карты — {info.school.name if info.school else 'шаблон'}",
        password=password,
        sheets=[
            _items_sheet(roadmap, info, sources),
            _indicators_sheet(roadmap, info, sources),
            _help_sheet(roadmap, info),
            lists,
            _meta_sheet(roadmap, info),
        ],
    )


def _lists_sheet(roadmap: Roadmap) -> tuple[Sheet, dict[str, str]]:
    """Hidden protected sheet with one column per dropdown list; returns the source ranges."""
    columns = {
        "status": ("Статусы", rules.status_choices(roadmap)),
        "executor": ("Исполнители", rules.executor_choices(roadmap)),
        "deadline": ("Сроки", rules.deadline_choices(roadmap)),
        "yesno": ("Да/нет", rules.YES_NO),
    }
    sheet = Sheet(LISTS_SHEET, [Column(title, 8) for title, _ in columns.values()], hidden=True, protected=True)
    sheet.add_row(*[title for title, _ in columns.values()], style="header")
    longest = max(len(values) for _, values in columns.values())
    for row in range(longest):
        sheet.add_row(*[values[row] if row < len(values) else None for _, values in columns.values()])
    sources = {}
    for index, (key, (_, values)) in enumerate(columns.items()):
        letter = column_letter(index)
        sources[key] = f"{LISTS_SHEET}!${letter}$2:${letter}${max(len(values), 1) + 1}"
    return sheet, sources


def _items_sheet(roadmap: Roadmap, info: TemplateInfo, sources: dict[str, str]) -> Sheet:
    columns = [Column(title, width, hidden=(key == "key")) for key, title, width in ITEM_COLUMNS]
    sheet = Sheet(ITEMS_SHEET, columns, freeze_rows=HEADER_ROW, freeze_cols=COL["event"] + 1,
                  protected=True, repeat_rows=(HEADER_ROW, HEADER_ROW))
    last = column_letter(len(columns) - 1)
    sheet.add_row(Cell(None, "title"), Cell(f"Отчёт о реализации: {roadmap.title}", "title"))
    sheet.merges.append(f"B1:{last}1")
    school = f"{info.school.name} (код {info.school.code})" if info.school else "__________________ (код ____)"
    sheet.add_row(None, Cell(f"Образовательная организация: {school}.   Отчётный период: {info.reporting_period.rstrip('.')}."
                             "   Жёлтые ячейки заполняет школа.", "bold"))
    sheet.merges.append(f"B2:{last}2")
    sheet.add_row(*[title for _, title, _ in ITEM_COLUMNS], style="header")
    sheet.row_heights_cm[HEADER_ROW - 1] = 1.1

    wanted = items_for_school(roadmap, info.school)
    status_rows, date_rows, executor_rows, deadline_rows = [], [], [], []
    for section in roadmap.sections:
        sheet.add_row(Cell(None, "section"), Cell(section.number, "section"), Cell(section.title, "section"),
                      *[Cell(None, "section") for _ in columns[3:]])
        sheet.merges.append(f"C{len(sheet.rows)}:{last}{len(sheet.rows)}")
        for item in section.items:
            if item.key not in wanted:
                continue
            row = _item_row(item)
            sheet.rows.append(row)
            n = len(sheet.rows)
            status_rows.append(n), date_rows.append(n), executor_rows.append(n)
        for own in range(1, OWN_ROWS_PER_SECTION + 1):
            key = f"{OWN_PREFIX}{section.number.rstrip('.')}.{own}"
            row = [Cell(key, "text"), Cell("доп.", "note")]
            for column_key, _, _ in ITEM_COLUMNS[2:]:
                row.append(Cell(key, "note") if column_key == CHECK_COLUMN else
                           Cell(None, "input_date" if column_key == "date_done" else "input", locked=False))
            sheet.rows.append(row)
            n = len(sheet.rows)
            status_rows.append(n), date_rows.append(n), executor_rows.append(n), deadline_rows.append(n)

    sheet.validations += _column_validations("status", status_rows, Validation(
        "", "list", source=sources["status"], prompt_title="Статус",
        prompt="Выберите статус из списка.", error_title="Недопустимый статус",
        error="Выберите статус из списка: " + ", ".join(s.name for s in roadmap.statuses) + ".",
    ))
    dates = rules.date_range(roadmap)
    if dates:
        period = f"{day(dates[0])} – {day(dates[1])}"
        sheet.validations += _column_validations("date_done", date_rows, Validation(
            "", "date", minimum=dates[0], maximum=dates[1],
            prompt_title="Дата выполнения", prompt=f"Дата в виде ДД.ММ.ГГГГ в пределах периода {period}.",
            error_title="Недопустимая дата", error=f"Введите дату в виде ДД.ММ.ГГГГ в пределах периода {period}.",
        ))
    sheet.validations += _column_validations("executor", executor_rows, Validation(
        "", "list", source=sources["executor"], prompt_title="Исполнитель",
        prompt="Выберите ответственного исполнителя из списка.", error_title="Недопустимый исполнитель",
        error="Выберите исполнителя из списка; если нужного нет, укажите его в комментарии.",
    ))
    sheet.validations += _column_validations("deadline", deadline_rows, Validation(
        "", "list", source=sources["deadline"], prompt_title="Сроки",
        prompt="Выберите формулировку срока из списка.", error_title="Недопустимый срок",
        error="Выберите срок из списка формулировок дорожной карты.",
    ))
    return sheet


def _item_row(item: Item) -> list[Cell]:
    row = [
        Cell(item.key, "text"),
        Cell(item.number, "text"),
        Cell(item.event, "text"),
        Cell(item.deadline.text, "text"),
        Cell(item.result, "text"),
    ]
    for key, _, _ in ITEM_COLUMNS[len(row):]:
        row.append(Cell(item.key, "note") if key == CHECK_COLUMN else
                   Cell(None, "input_date" if key == "date_done" else "input", locked=False))
    return row


def _column_validations(column: str, rows: list[int], template: Validation) -> list[Validation]:
    """One validation per run of consecutive rows in a column (keeps both files small)."""
    letter = column_letter(COL[column])
    result = []
    for first, last in _runs(rows):
        validation = Validation(**{**template.__dict__, "cells": f"{letter}{first}:{letter}{last}"})
        result.append(validation)
    return result


def _runs(numbers: list[int]) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    for n in sorted(numbers):
        if runs and n == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], n)
        else:
            runs.append((n, n))
    return runs


def _indicators_sheet(roadmap: Roadmap, info: TemplateInfo, sources: dict[str, str]) -> Sheet:
    columns = [Column(title, width, hidden=key in ("kind", "minimum", "maximum"))
               for key, title, width in INDICATOR_COLUMNS]
    sheet = Sheet(INDICATORS_SHEET, columns, freeze_rows=2, protected=True, repeat_rows=(2, 2))
    sheet.add_row(Cell(f"Значения показателей на конец отчётного периода ({info.reporting_period})", "title"))
    sheet.merges.append(f"A1:{column_letter(IND_COL['comment'])}1")
    sheet.add_row(*[title for _, title, _ in INDICATOR_COLUMNS], style="header")
    value_col = column_letter(IND_COL["value"])
    for indicator in roadmap.indicators:
        sheet.add_row(
            Cell(indicator.code), Cell(indicator.name), Cell(indicator.unit), Cell(indicator.target),
            Cell(None, "input", locked=False), Cell(None, "input", locked=False),
            Cell(indicator.kind.value), Cell(indicator.minimum, "number"), Cell(indicator.maximum, "number"),
        )
        sheet.validations.append(_indicator_validation(indicator, f"{value_col}{len(sheet.rows)}", sources))
    return sheet


def _indicator_validation(indicator: Indicator, cell: str, sources: dict[str, str]) -> Validation:
    rule = rules.indicator_rule(indicator)
    if rule is None:
        return Validation(cell, "list", source=sources["yesno"], prompt_title="Да или нет",
                          prompt="Выберите «да» или «нет».", error_title="Недопустимое значение",
                          error="Допустимые значения: да, нет.")
    low, high = rule.low, rule.high
    kind = "whole" if rule.whole else "decimal"
    what = "число" if kind == "decimal" else "целое число"
    unit = f" ({indicator.unit})" if indicator.unit else ""
    return Validation(cell, kind, minimum=low, maximum=high, prompt_title=indicator.code,
                      prompt=f"Введите {what} от {_n(low)} до {_n(high)}{unit}.",
                      error_title="Недопустимое значение",
                      error=f"Значение должно быть {'числом' if kind == 'decimal' else 'целым числом'} "
                            f"от {_n(low)} до {_n(high)}{unit}.")


_n = exact  # bounds in prompts as a person types them


def _help_sheet(roadmap: Roadmap, info: TemplateInfo) -> Sheet:
    sheet = Sheet(HELP_SHEET, [Column("", 24)], landscape=False)
    statuses = ", ".join(f"«{s.name}»" for s in roadmap.statuses)
    lines = [
        ("Как заполнить отчёт о реализации дорожной карты", "title"),
        (roadmap.title, "bold"),
        (f"Отчётный период: {info.reporting_period.rstrip('.')}.", "text"),
        ("1. Откройте лист «Мероприятия». Серые столбцы (номер, наименование, сроки, ожидаемый результат) "
         "заполнены департаментом образования и защищены от изменений.", "text"),
        (f"2. В жёлтых ячейках укажите по каждому мероприятию статус ({statuses}), дату выполнения, "
         "исполнителя в вашей организации, достигнутый результат, ссылку на подтверждение "
         "(страница сайта, публикация) и при необходимости комментарий.", "text"),
        ("3. Для статуса «выполнено» обязательно укажите дату выполнения или достигнутый результат. "
         "Дата вводится в виде ДД.ММ.ГГГГ и должна входить в период реализации дорожной карты.", "text"),
        ("4. Строки «доп.» в каждом разделе предназначены для собственных мероприятий школы: "
         "укажите наименование, срок (из списка), ожидаемый результат и заполните остальные столбцы.", "text"),
        ("5. На листе «Показатели» укажите значения показателей: проценты — числом от 0 до 100, "
         "количество — целым числом, «да»/«нет» — выбором из списка.", "text"),
        ("6. Не переименовывайте листы, не удаляйте и не переставляйте строки: файл сопоставляется "
         "с дорожной картой по служебным данным. Не сортируйте жёлтые столбцы: серый столбец «Контроль» "
         "показывает, к какому мероприятию относятся сведения строки, и строка, сведения которой "
         "оказались у другого мероприятия, в свод не включается. Сохраните файл в том же формате и "
         "отправьте его в департамент образования.", "text"),
        ("7. Перед отправкой проверьте файл: в LibreOffice с установленным расширением — меню "
         "«Дорожная карта» → «Проверить этот файл».", "text"),
    ]
    for text, style in lines:
        sheet.add_row(Cell(text, style))
    return sheet


def _meta_sheet(roadmap: Roadmap, info: TemplateInfo) -> Sheet:
    period = parse_period(info.reporting_period)
    values = {
        "template_id": info.template_id,
        "template_version": TEMPLATE_VERSION,
        "roadmap_fingerprint": info.roadmap_fingerprint,
        "school_code": info.school.code if info.school else "",
        "school_name": info.school.name if info.school else "",
        "school_key": school_key(info.school) if info.school else "",
        "reporting_period": info.reporting_period,
        "reporting_kind": period.kind.value if period else "",
        "reporting_start": period.start.isoformat() if period else "",
        "reporting_end": period.end.isoformat() if period else "",
        "period_start": roadmap.period_start.isoformat() if roadmap.period_start else "",
        "period_end": roadmap.period_end.isoformat() if roadmap.period_end else "",
        "roadmap_title": roadmap.title,
        "generated_at": info.generated_at.isoformat(timespec="seconds"),
    }
    sheet = Sheet(META_SHEET, [Column("Ключ", 4), Column("Параметр", 7), Column("Значение", 12)],
                  hidden=True, protected=True)
    sheet.add_row("Ключ", "Параметр", "Значение", style="header")
    for key, label in META_KEYS.items():
        sheet.add_row(key, label, values[key])  # all text, so that no program reformats them
    return sheet

