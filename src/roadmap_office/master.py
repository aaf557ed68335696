"""The district master workbook: the single source of truth, edited in LibreOffice.

``write_master`` lays the model out on Russian-named sheets (settings, roadmap items grouped
under section rows, executors with aliases, school roles, deadline vocabulary, statuses,
schools, indicators); ``read_master`` reads the same layout back from ODS or XLSX.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import uuid
from datetime import date, datetime
from pathlib import Path
from typing import Any

from . import labels
from .deadlines import parse_deadline, parse_section
from .errors import MasterError, os_reason
from .executors import Catalogue, fold
from .mail.addresses import parse_addresses
from .model import (
    Aggregation,
    Deadline,
    Executor,
    ExecutorKind,
    Indicator,
    IndicatorKind,
    Item,
    Roadmap,
    School,
    Section,
    Status,
)
from .sheets import Cell, Column, Sheet, Workbook, write_workbook
from .sheets.reading import WorkbookReadError, cell_date, read_workbook

SETTINGS = "Настройки"
ITEMS = "Мероприятия"
EXECUTORS = "Исполнители"
ROLES = "Роли в ОО"
DEADLINES = "Сроки"
STATUSES = "Статусы"
SCHOOLS = "Школы"
SCHOOL_KEY_TITLE = "Ключ (не изменять)"
EMAIL_COLUMN = "Эл. почта"  # found by its header, so other columns may come and go around it
INDICATORS = "Показатели"

_SETTING_KEYS = {
    "title": "Наименование дорожной карты",
    "issuer": "Орган, утвердивший дорожную карту",
    "period_start": "Начало периода реализации",
    "period_end": "Окончание периода реализации",
    "reporting_period": "Отчётный период",
    "school_year_start": "Начало учебного года (ДД.ММ)",
    "history_file": "Файл истории",
    "report_signer": "Подписант отчёта",
    "report_template": "Шаблон отчёта",
}


def setting_label(key: str) -> str:
    """The label of a setting on the «Настройки» sheet (the macros write «Файл истории» there)."""
    return _SETTING_KEYS[key]


_ITEM_COLUMNS = [
    Column("№ п/п", 1.6),
    Column("Наименование мероприятия", 9.5),
    Column("Сроки", 3.8),
    Column("Ответственные исполнители", 5.0),
    Column("Ожидаемый результат", 7.0),
    Column("Код", 1.6),
    Column("Начало (расчёт)", 2.4),
    Column("Окончание (расчёт)", 2.4),
    Column("Периодичность (расчёт)", 3.0),
    Column("Примечание", 5.0),
]


_EXECUTOR_COLUMNS = [Column("Наименование", 9), Column("Сокращения и другие написания (через «;»)", 9),
                     Column("Вид", 5)]
_DEADLINE_COLUMNS = [Column("Формулировка срока", 9), Column("Начало (расчёт)", 3), Column("Окончание (расчёт)", 3),
                     Column("Периодичность (расчёт)", 4)]
_STATUS_COLUMNS = [Column("Статус", 5), Column("Считается выполненным", 5)]
_SCHOOL_COLUMNS = [Column("Код", 2.2), Column("Краткое наименование", 6), Column("Полное наименование", 12),
                   Column("Число обучающихся", 3), Column(SCHOOL_KEY_TITLE, 3.4), Column(EMAIL_COLUMN, 6)]
_INDICATOR_COLUMNS = [Column("Код", 1.8), Column("Наименование показателя", 10), Column("Единица измерения", 2.6),
                      Column("Вид", 2.6), Column("Минимум", 2.2), Column("Максимум", 2.2), Column("Способ свода", 5),
                      Column("Целевое значение", 3)]
# the columns read by their place: a column deleted or inserted before them would shift the values
# («Школы»: the key and the e-mail are found by their headers, so only the first four count)
_PLACED_COLUMNS = {
    ITEMS: _ITEM_COLUMNS,
    EXECUTORS: _EXECUTOR_COLUMNS,
    DEADLINES: _DEADLINE_COLUMNS,
    STATUSES: _STATUS_COLUMNS,
    SCHOOLS: _SCHOOL_COLUMNS[:4],
    INDICATORS: _INDICATOR_COLUMNS,
}
# what the program writes in «Периодичность (расчёт)» beside dates it computed from a deadline's text
_COMPUTED_LABELS = frozenset(label.lower() for label in labels.RECURRENCE.values())
# how each kind of indicator may be summed up for the district
_AGGREGATIONS = {
    IndicatorKind.COUNT: (Aggregation.SUM, Aggregation.WEIGHTED_MEAN),
    IndicatorKind.PERCENT: (Aggregation.WEIGHTED_MEAN,),
    IndicatorKind.YESNO: (Aggregation.SHARE_YES,),
}


def roadmap_fingerprint(roadmap: Roadmap) -> str:
    """What ties a school's template to the master: a hash of the roadmap's content.

    It covers what a template shows and the check relies on (items with their texts and keys,
    the dropdown lists, indicators, periods), not the file's bytes, so re-saving the master in
    LibreOffice or switching it between ODS and XLSX does not make every template "outdated".
    The list of schools is left out: adding a school changes nothing in the others' templates.
    """
    content = {
        "period": [roadmap.period_start, roadmap.period_end, roadmap.reporting_period],
        "sections": [[s.number, s.title, [[i.key, i.number, i.event, i.deadline.text, i.executors, i.result]
                                          for i in s.items]] for s in roadmap.sections],
        "statuses": [[s.name, s.done] for s in roadmap.statuses],
        "executors": [[e.name, e.kind] for e in roadmap.executors],
        "roles": roadmap.school_roles,
        "deadlines": roadmap.deadline_vocabulary,
        "indicators": [[i.code, i.name, i.unit, i.kind, _number(i.minimum), _number(i.maximum), i.target]
                       for i in roadmap.indicators],
    }
    text = json.dumps(content, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def school_key(school: School) -> str:
    """A school's own key, carried by each of its templates so that a file can be told from a
    neighbour's even when its code or name was changed. Stored in the master's «Школы» sheet;
    a master without it (older ones, new rows typed by hand) gets one made from the code and
    name, which is the one written when the master is saved by the program, so it never changes."""
    if school.key:
        return school.key
    return uuid.uuid5(uuid.NAMESPACE_URL, f"roadmap-office-school:{school.code}:{fold(school.name)}").hex[:12]


def _number(value: float | None) -> float | int | None:
    """1.0 read from one format and 1 from the other are the same bound."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


# ---- writing ---------------------------------------------------------------------------------


def master_workbook(roadmap: Roadmap) -> Workbook:
    """The master as a format-neutral workbook spec."""
    return Workbook(
        title=roadmap.title,
        sheets=[
            _settings_sheet(roadmap),
            _items_sheet(roadmap),
            _executors_sheet(roadmap),
            _simple_sheet(ROLES, [Column("Должность (роль) в образовательной организации", 10)],
                          [[role] for role in roadmap.school_roles]),
            _deadlines_sheet(roadmap),
            _simple_sheet(
                STATUSES,
                _STATUS_COLUMNS,
                [[s.name, labels.YES if s.done else labels.NO] for s in roadmap.statuses],
            ),
            _simple_sheet(
                SCHOOLS,
                _SCHOOL_COLUMNS,
                [[s.code, s.name, s.full_name, s.students, school_key(s), "; ".join(s.emails)] for s in roadmap.schools],
            ),
            _indicators_sheet(roadmap),
        ],
    )


def write_master(roadmap: Roadmap, path: str | os.PathLike) -> Path:
    """Write the master workbook; the format follows the suffix (.ods or .xlsx)."""
    return write_workbook(master_workbook(roadmap), path)


def _settings_sheet(roadmap: Roadmap) -> Sheet:
    sheet = Sheet(SETTINGS, [Column("Параметр", 7), Column("Значение", 14)], freeze_rows=1, landscape=False)
    sheet.add_row("Параметр", "Значение", style="header")
    values = {
        "title": roadmap.title,
        "issuer": roadmap.issuer,
        "period_start": roadmap.period_start,
        "period_end": roadmap.period_end,
        "reporting_period": roadmap.reporting_period,
        "school_year_start": "%02d.%02d" % (roadmap.school_year_start[1], roadmap.school_year_start[0]),
        "history_file": roadmap.history_file,
        "report_signer": roadmap.report_signer,
        "report_template": roadmap.report_template,
    }
    for key, label in _SETTING_KEYS.items():
        value = values[key]
        sheet.add_row(Cell(label, "bold"), Cell(value, "date" if isinstance(value, date) else "text"))
    sheet.add_row()
    sheet.add_row(
        Cell(
            "Лист «Мероприятия»: строка раздела содержит только номер и наименование раздела; "
            "строка мероприятия — номер, наименование, сроки, исполнителей и результат. "
            "Столбцы «(расчёт)» заполняются программой и при чтении не используются, "
            "кроме случаев, когда срок не распознан: тогда указанные в них даты принимаются.",
            "note",
        )
    )
    sheet.merges.append(f"A{len(sheet.rows)}:B{len(sheet.rows)}")
    sheet.row_heights_cm[len(sheet.rows) - 1] = 2.2
    return sheet


def _items_sheet(roadmap: Roadmap) -> Sheet:
    sheet = Sheet(ITEMS, list(_ITEM_COLUMNS), freeze_rows=1, freeze_cols=2, repeat_rows=(1, 1))
    sheet.add_row(*[c.title for c in _ITEM_COLUMNS], style="header")
    for section in roadmap.sections:
        row = sheet.add_row(Cell(section.number, "section"), Cell(section.title, "section"),
                            *[Cell(None, "section") for _ in range(len(_ITEM_COLUMNS) - 2)])
        sheet.merges.append(f"B{row}:E{row}")
        for item in section.items:
            executors = "\n".join(name + (" (по согласованию)" if name in item.by_agreement else "")
                                   for name in item.executors)
            d = item.deadline
            sheet.add_row(
                item.number,
                item.event,
                d.text,
                executors,
                item.result,
                item.key,
                Cell(d.start, "date"),
                Cell(d.end, "date"),
                Cell(labels.RECURRENCE.get(d.recurrence, labels.NOT_UNDERSTOOD) if d.recurrence or d.flagged
                     else "", "text"),
                item.note,
            )
    return sheet


def _executors_sheet(roadmap: Roadmap) -> Sheet:
    return _simple_sheet(
        EXECUTORS,
        _EXECUTOR_COLUMNS,
        [[e.name, "; ".join(e.aliases), labels.EXECUTOR_KIND[e.kind]] for e in roadmap.executors],
    )


def _deadlines_sheet(roadmap: Roadmap) -> Sheet:
    rows = []
    for text in roadmap.deadline_vocabulary:
        d = parse_deadline(text, roadmap.period_start, roadmap.period_end, school_year=roadmap.school_year_start)
        rows.append([text, Cell(d.start, "date"), Cell(d.end, "date"),
                     labels.RECURRENCE.get(d.recurrence, labels.NOT_UNDERSTOOD) if d.recurrence else labels.NOT_UNDERSTOOD])
    return _simple_sheet(DEADLINES, _DEADLINE_COLUMNS, rows)


def _indicators_sheet(roadmap: Roadmap) -> Sheet:
    return _simple_sheet(
        INDICATORS,
        _INDICATOR_COLUMNS,
        [[i.code, i.name, i.unit, labels.INDICATOR_KIND[i.kind], Cell(i.minimum, "number"),
          Cell(i.maximum, "number"), labels.AGGREGATION[i.aggregation], i.target] for i in roadmap.indicators],
    )


def _simple_sheet(name: str, columns: list[Column], rows: list[list[Any]]) -> Sheet:
    sheet = Sheet(name, columns, freeze_rows=1, repeat_rows=(1, 1))
    sheet.add_row(*[c.title for c in columns], style="header")
    for row in rows:
        sheet.add_row(*row)
    return sheet


# ---- reading ---------------------------------------------------------------------------------


def read_master(path: str | os.PathLike) -> Roadmap:
    """Read a master workbook (ODS or XLSX) written by :func:`write_master` and edited by hand."""
    path = Path(path)
    try:
        sheets = read_workbook(path)
    except WorkbookReadError as exc:
        raise MasterError(str(exc), file=path.name) from exc
    except OSError as exc:
        raise MasterError(f"мастер-книга не читается: {os_reason(exc)}", file=path.name) from None
    reader = _MasterReader(path.name, sheets)
    return reader.roadmap()


class _MasterReader:
    def __init__(self, file: str, sheets: dict[str, list[list[Any]]]) -> None:
        self.file = file
        self.sheets = sheets
        missing = [name for name in (SETTINGS, ITEMS) if name not in sheets]
        if missing:
            raise MasterError(
                "это не мастер-книга дорожной карты: нет листа «" + "», «".join(missing) + "»", file=file
            )
        for sheet, columns in _PLACED_COLUMNS.items():
            self.check_columns(sheet, [c.title for c in columns])

    def check_columns(self, sheet: str, titles: list[str]) -> None:
        """Columns are read by their place: one deleted or inserted before them shifts every value
        after it (a name read as the number of students). A header out of place stops the reading."""
        header = (self.sheets.get(sheet) or [[]])[0]
        for col, title in enumerate(titles):
            found = _text(header[col]) if col < len(header) else ""
            if found and " ".join(found.lower().split()) != title.lower():
                raise self.error(f"столбцы листа изменены: здесь должен быть заголовок «{title}», указано "
                                 f"«{found}»; вероятно, столбец удалён, вставлен или переименован — верните столбцы "
                                 "в прежнем порядке (свои столбцы добавляйте справа)", sheet, 1, col)

    def rows(self, sheet: str) -> list[tuple[int, list[Any]]]:
        """Data rows (after the header) with their 1-based row numbers; blank rows skipped."""
        result = []
        for number, row in enumerate(self.sheets.get(sheet, [])[1:], start=2):
            if any(_text(v) for v in row):
                result.append((number, row + [None] * 10))
        return result

    def error(self, message: str, sheet: str, row: int, column: int) -> MasterError:
        from .sheets.spec import column_letter

        return MasterError(message, file=self.file, sheet=sheet, cell=f"{column_letter(column)}{row}")

    def roadmap(self) -> Roadmap:
        settings = self.settings()
        roadmap = Roadmap(
            title=_text(settings.get("title")),
            issuer=_text(settings.get("issuer")),
            period_start=self.date_setting(settings, "period_start"),
            period_end=self.date_setting(settings, "period_end"),
            reporting_period=_text(settings.get("reporting_period")),
            school_year_start=self.school_year_setting(settings),
            history_file=_text(settings.get("history_file")),
            report_signer=_text(settings.get("report_signer")),
            report_template=_text(settings.get("report_template")),
        )
        roadmap.executors = self.executors()
        roadmap.school_roles = [_text(row[0]) for _, row in self.rows(ROLES) if _text(row[0])]
        roadmap.deadline_vocabulary = [_text(row[0]) for _, row in self.rows(DEADLINES) if _text(row[0])]
        if STATUSES in self.sheets:
            roadmap.statuses = [
                Status(_text(row[0]), _text(row[1]).lower() == labels.YES) for _, row in self.rows(STATUSES)
            ]
        if roadmap.period_start and roadmap.period_end and roadmap.period_end < roadmap.period_start:
            raise self.error(f"«{_SETTING_KEYS['period_end']}» раньше, чем «{_SETTING_KEYS['period_start']}»",
                             SETTINGS, self._setting_rows["period_end"], 1)
        if roadmap.statuses and not any(s.done for s in roadmap.statuses):
            raise MasterError("ни один статус не отмечен как выполненный («Считается выполненным» — «да»): "
                              "доля выполнения всегда была бы нулевой", file=self.file, sheet=STATUSES)
        roadmap.schools = self.schools()
        roadmap.indicators = self.indicators()
        self.check_weights(roadmap)
        roadmap.sections = self.sections(roadmap)
        return roadmap

    def check_weights(self, roadmap: Roadmap) -> None:
        """A weighted mean leaves out a school with no number of students (its weight is 0), so the
        numbers are given for every school or for none (then the mean is a plain one)."""
        weighted = [i for i in roadmap.indicators if i.aggregation == Aggregation.WEIGHTED_MEAN]
        given = [s for s in roadmap.schools if s.students]
        if not weighted or not given or len(given) == len(roadmap.schools):
            return
        missing = next(s for s in roadmap.schools if not s.students)
        number = next(n for n, row in self.rows(SCHOOLS) if _text(row[0]) == missing.code)
        raise self.error(f"не указано число обучающихся школы «{missing.code}», а показатель {weighted[0].code} "
                         "сводится как среднее, взвешенное по числу обучающихся: значение школы не вошло бы в "
                         "расчёт; укажите число обучающихся всех школ (или ни одной — тогда среднее простое)",
                         SCHOOLS, number, 3)

    def settings(self) -> dict[str, Any]:
        by_label = {label.lower(): key for key, label in _SETTING_KEYS.items()}
        values: dict[str, Any] = {}
        for number, row in self.rows(SETTINGS):
            key = by_label.get(_text(row[0]).lower())
            if key:
                values[key] = (number, row[1])
        self._setting_rows = {k: v[0] for k, v in values.items()}
        if not _text(values.get("title", (0, None))[1]):
            raise MasterError("не указано наименование дорожной карты", file=self.file, sheet=SETTINGS)
        return {k: v[1] for k, v in values.items()}

    def date_setting(self, settings: dict[str, Any], key: str) -> date | None:
        value = settings.get(key)
        if value is None or value == "":
            return None
        try:
            return cell_date(value)
        except ValueError:
            raise self.error(
                f"«{_SETTING_KEYS[key]}»: ожидается дата в виде ДД.ММ.ГГГГ, указано «{value}»",
                SETTINGS, self._setting_rows[key], 1,
            ) from None

    def school_year_setting(self, settings: dict[str, Any]) -> tuple[int, int]:
        """The day a school year starts on, "01.09" unless the master says otherwise."""
        value = settings.get("school_year_start")
        if value is None or value == "":
            return Roadmap("").school_year_start
        if isinstance(value, (date, datetime)):
            return value.month, value.day
        match = re.fullmatch(r"(\d{1,2})\.(\d{1,2})\.?", _text(value))
        if match and 1 <= int(match.group(2)) <= 12 and 1 <= int(match.group(1)) <= 28:
            return int(match.group(2)), int(match.group(1))
        raise self.error(f"«{_SETTING_KEYS['school_year_start']}»: ожидается день и месяц в виде ДД.ММ, "
                         f"указано «{value}»", SETTINGS, self._setting_rows["school_year_start"], 1)

    def executors(self) -> list[Executor]:
        result: list[Executor] = []
        seen: dict[str, str] = {}  # each written form, folded -> the executor it names
        for number, row in self.rows(EXECUTORS):
            try:
                kind = labels.parse_label(labels.EXECUTOR_KIND, row[2], ExecutorKind.PARTNER)
            except ValueError:
                raise self.error(
                    "неизвестный вид исполнителя «%s»; допустимо: %s"
                    % (row[2], ", ".join(labels.EXECUTOR_KIND.values())), EXECUTORS, number, 2,
                ) from None
            aliases = [a.strip() for a in _text(row[1]).replace("\n", ";").split(";") if a.strip()]
            name = _text(row[0])
            if not name:
                raise self.error("не указано наименование исполнителя", EXECUTORS, number, 0)
            for written in [name, *aliases]:
                other = seen.get(fold(written))
                if other and other != name:
                    raise self.error(f"написание «{written}» уже относится к исполнителю «{other}»; одно написание "
                                     "не может обозначать двух исполнителей", EXECUTORS, number,
                                     0 if written == name else 1)
                seen[fold(written)] = name
            result.append(Executor(name, aliases, kind))
        return result

    def schools(self) -> list[School]:
        schools, seen, keys = [], set(), set()
        header = [_text(v).lower() for v in (self.sheets.get(SCHOOLS) or [[]])[0]]
        # columns after the number of students are found by their headers: a master may lack either
        key_column = header.index(SCHOOL_KEY_TITLE.lower()) if SCHOOL_KEY_TITLE.lower() in header else None
        email_column = header.index(EMAIL_COLUMN.lower()) if EMAIL_COLUMN.lower() in header else None
        for number, row in self.rows(SCHOOLS):
            code = _text(row[0])
            if not code:
                raise self.error("не указан код школы", SCHOOLS, number, 0)
            if code in seen:
                raise self.error(f"код школы «{code}» повторяется", SCHOOLS, number, 0)
            seen.add(code)
            if not _text(row[1]):
                raise self.error(f"не указано краткое наименование школы «{code}»", SCHOOLS, number, 1)
            students = row[3]
            if students not in (None, "") and not (isinstance(students, (int, float)) and not isinstance(students, bool)
                                                  and float(students).is_integer() and students >= 1):
                raise self.error(f"число обучающихся должно быть целым числом не меньше 1 (или ячейка пустой), "
                                 f"указано «{_text(students)}»", SCHOOLS, number, 3)
            emails = []
            if email_column is not None:
                try:
                    emails = parse_addresses(_text(row[email_column]))
                except ValueError as exc:
                    raise self.error(str(exc), SCHOOLS, number, email_column) from None
            key = _text(row[key_column]) if key_column is not None else ""
            school = School(code, _text(row[1]), _text(row[2]), int(students) if students else None, key,
                            emails=emails)
            if school.key in keys:
                raise self.error(f"ключ школы «{school.key}» повторяется (строки скопированы?); очистите ячейку — "
                                 "ключ новой школы будет создан", SCHOOLS, number, key_column)
            school.key = school_key(school)
            keys.add(school.key)
            schools.append(school)
        return schools

    def indicators(self) -> list[Indicator]:
        result: list[Indicator] = []
        codes: set[str] = set()
        for number, row in self.rows(INDICATORS):
            try:
                kind = labels.parse_label(labels.INDICATOR_KIND, row[3], IndicatorKind.COUNT)
            except ValueError:
                raise self.error(
                    "неизвестный вид показателя «%s»; допустимо: %s"
                    % (row[3], ", ".join(labels.INDICATOR_KIND.values())), INDICATORS, number, 3,
                ) from None
            try:
                aggregation = labels.parse_label(labels.AGGREGATION, row[6], _default_aggregation(kind))
            except ValueError:
                raise self.error(
                    "неизвестный способ свода «%s»; допустимо: %s"
                    % (row[6], "; ".join(labels.AGGREGATION.values())), INDICATORS, number, 6,
                ) from None
            code = _text(row[0])
            if not code:
                raise self.error("не указан код показателя", INDICATORS, number, 0)
            if code in codes:
                raise self.error(f"код показателя «{code}» повторяется", INDICATORS, number, 0)
            codes.add(code)
            if aggregation not in _AGGREGATIONS[kind]:
                raise self.error(
                    "способ свода «%s» не подходит для показателя вида «%s»; допустимо: %s"
                    % (labels.AGGREGATION[aggregation], labels.INDICATOR_KIND[kind],
                       "; ".join(labels.AGGREGATION[a] for a in _AGGREGATIONS[kind])), INDICATORS, number, 6)
            bounds = []
            for col in (4, 5):
                value = row[col]
                if value in (None, ""):
                    bounds.append(None)
                elif isinstance(value, (int, float)) and not isinstance(value, bool):
                    bounds.append(value)
                else:
                    raise self.error(f"граница должна быть числом, указано «{value}»", INDICATORS, number, col)
            low, high = bounds
            if low is not None and high is not None and low > high:
                raise self.error(f"минимум {_text(low)} больше максимума {_text(high)}", INDICATORS, number, 4)
            if kind == IndicatorKind.PERCENT and any(b is not None and not 0 <= b <= 100 for b in bounds):
                raise self.error("границы процентного показателя должны быть в пределах от 0 до 100", INDICATORS,
                                 number, 4 if low is not None and not 0 <= low <= 100 else 5)
            result.append(Indicator(code, _text(row[1]), _text(row[2]), kind, low, high, aggregation, _text(row[7])))
        return result

    def sections(self, roadmap: Roadmap) -> list[Section]:
        catalogue = Catalogue(roadmap.executors)
        sections: list[Section] = []
        rows: dict[int, list[list[Any]]] = {}  # per section: the item rows, for their deadlines
        keys: set[str] = set()
        for number, row in self.rows(ITEMS):
            num, event, deadline_text, executors, result, key = (_text(v) for v in row[:6])
            if not any((deadline_text, executors, result)) and not key:
                sections.append(Section(num, event))
                continue
            if not sections:
                sections.append(Section("", ""))  # a roadmap without section rows
            if not event:
                raise self.error("не указано наименование мероприятия", ITEMS, number, 1)
            names, agreed = catalogue.read_cell(executors)
            unknown = next((n for n in names if catalogue.find(n) is None), None) if EXECUTORS in self.sheets else None
            if unknown:  # it would be no school's item: gone from every template, silently
                raise self.error(f"исполнитель «{unknown}» отсутствует на листе «{EXECUTORS}»; исправьте написание "
                                 "или добавьте его туда с видом («образовательная организация», «орган управления "
                                 "образованием» или «партнёр»)", ITEMS, number, 3)
            item = Item(num, event, Deadline(deadline_text), names, result, key, _text(row[9]), agreed)
            if item.key in keys:
                raise self.error(f"код мероприятия «{item.key}» повторяется", ITEMS, number, 5)
            keys.add(item.key)
            sections[-1].items.append(item)
            rows.setdefault(id(sections[-1]), []).append(row)
        for section in sections:
            texts = [item.deadline.text for item in section.items]
            parsed = parse_section(texts, roadmap.period_start, roadmap.period_end, roadmap.school_year_start)
            for item, row, deadline in zip(section.items, rows.get(id(section), []), parsed):
                # dates the program computed from an earlier text (its periodicity label beside them)
                # are stale once the text changed; dates the specialist typed have none
                stale = _text(row[8]).lower() in _COMPUTED_LABELS
                if deadline.flagged and row[6] and row[7] and not stale:
                    try:  # dates typed by the specialist for a text the parser does not understand
                        deadline = Deadline(deadline.text, cell_date(row[6]), cell_date(row[7]), None, flagged=False)
                    except ValueError:
                        pass
                item.deadline = deadline
        return sections


def _default_aggregation(kind: IndicatorKind) -> Aggregation:
    return {
        IndicatorKind.COUNT: Aggregation.SUM,
        IndicatorKind.PERCENT: Aggregation.WEIGHTED_MEAN,
        IndicatorKind.YESNO: Aggregation.SHARE_YES,
    }[kind]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()
