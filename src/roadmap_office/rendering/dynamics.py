"""The «Динамика» sheet of the consolidated workbook: every period of the history side by side."""

from __future__ import annotations

from ..merging import Consolidation
from ..presentation import NONE, day, figure
from ..sheets import Cell, Chart, Column, Sheet
from ..sheets.spec import column_letter
from ..trend import Series, Trend, trend_of
from . import charts
from . import texts as T


def _value(value, style: str = "percent") -> Cell:
    return Cell("—") if value is None else Cell(value, style)


def _change(value) -> Cell:
    return Cell("—") if value is None else Cell(value, "number")


class _Writer:
    def __init__(self, trend: Trend) -> None:
        self.trend = trend
        self.periods = len(trend.periods)
        self.width = 2 + self.periods + 1  # code, name, a column per period, change
        columns = [Column("", 2.0), Column("", 9.0)] + [Column("", 3.0) for _ in range(self.periods)]
        columns.append(Column("", 3.0))
        self.sheet = Sheet(T.SHEET_DYNAMICS, columns, freeze_cols=2, landscape=True)

    def merged(self, cell: Cell) -> None:
        self.sheet.add_row(cell, *[Cell(None, cell.style) for _ in range(self.width - 1)])
        row = len(self.sheet.rows)
        self.sheet.merges.append(f"A{row}:{column_letter(self.width - 1)}{row}")

    def heading(self, text: str) -> None:
        self.sheet.add_row()
        self.merged(Cell(text, "section"))

    def series_table(self, title: str, first: str, series: list[Series], style: str, change: str) -> None:
        self.heading(title)
        self.sheet.add_row(first, "Наименование", *self.trend.labels, change, style="header")
        for s in series:
            self.sheet.add_row(s.key, s.name, *[_value(v, style) for v in s.values], _change(s.change))

    def district(self) -> tuple[int, int]:
        """The district figures per period; returns the first and last data rows (for the charts)."""
        self.sheet.add_row("№", "Отчётный период", "Данные на", "Представили отчёт", "Выполнение, %",
                           "Просрочено", style="header")
        first = len(self.sheet.rows) + 1
        for n, p in enumerate(self.trend.periods, start=1):
            self.sheet.add_row(n, p.period.label, Cell(p.as_of, "date"),
                               f"{p.schools_submitted} из {p.schools_expected}", _value(p.completion_pct),
                               Cell(p.overdue, "number"))
        return first, len(self.sheet.rows)


def dynamics_sheet(c: Consolidation) -> Sheet:
    trend = trend_of(c)
    w = _Writer(trend)
    sheet = w.sheet
    w.width = max(w.width, 6)
    while len(sheet.columns) < w.width:
        sheet.columns.append(Column("", 3.0))
    w.merged(Cell(T.DYNAMICS_TITLE, "title"))
    w.merged(Cell(T.dynamics_lead(trend), "note"))
    sheet.row_heights_cm[len(sheet.rows) - 1] = 1.0
    sheet.add_row()
    first, last = w.district()
    if trend.previous is not None:
        sheet.columns += [Column("", 0.8), Column("", 3.0)]  # the charts stand right of the tables
        anchor = column_letter(w.width + 1)
        sheet.charts.append(Chart(T.CHART_COMPLETION, f"B{first}:B{last}", f"E{first}:E{last}", f"{anchor}3",
                                  series_title="Выполнение, %", y_title="%", y_max=100, width_cm=16, height_cm=8))
        sheet.charts.append(Chart(T.CHART_OVERDUE, f"B{first}:B{last}", f"F{first}:F{last}", f"{anchor}22",
                                  series_title="Просрочено", y_title="школа × мероприятие", width_cm=16,
                                  height_cm=8))
    w.series_table("Выполнение по разделам, %", "№", trend.section_completion(), "percent", T.CHANGE_PP)
    w.series_table("Просрочено по разделам (школа × мероприятие)", "№", trend.section_overdue(), "number",
                   T.CHANGE)
    w.series_table("Выполнение по образовательным организациям, %", "Код", trend.school_completion(), "percent",
                   T.CHANGE_PP)
    w.series_table("Просрочено по образовательным организациям", "Код", trend.school_overdue(), "number",
                   T.CHANGE)
    w.heading("Показатели по округу и целевые значения")
    sheet.add_row("Код", "Показатель", *trend.labels, "Целевое значение", style="header")
    for s in trend.indicators():
        sheet.add_row(s.key, f"{s.name}, {s.note}", *[_value(v, "number") for v in s.values], s.target or "—")
    _changes(w, trend)
    return sheet


def _changes(w: _Writer, trend: Trend) -> None:
    sheet = w.sheet
    if trend.previous is None:
        w.heading(T.CHANGES_HEADING)
        w.merged(Cell(T.single_period(trend), "note"))
        return
    before = trend.previous.period.label
    w.heading(T.newly_overdue_heading(before))
    items = trend.newly_overdue()
    if items:
        sheet.add_row("№", "Мероприятие", "Сроки", "Просрочено (школ)", style="header")
        for r in items:
            sheet.add_row(r.extra["number"], r.name, r.extra["deadline"], Cell(r.overdue, "number"))
    else:
        w.merged(Cell(T.NONE_NEWLY_OVERDUE, "note"))
    w.heading(T.fell_heading(before))
    fell = trend.fell()
    if fell:
        sheet.add_row("Код", "Образовательная организация", "Было, %", "Стало, %", T.CHANGE_PP, style="header")
        for f in fell:
            sheet.add_row(f.code, f.name, Cell(f.before, "percent"), Cell(f.now, "percent"),
                          Cell(round(f.now - f.before, 1), "number"))
    else:
        w.merged(Cell(T.NONE_FELL, "note"))
    w.heading(T.stopped_heading(before))
    stopped = trend.stopped()
    if stopped:
        sheet.add_row("Код", "Образовательная организация", style="header")
        for r in stopped:
            sheet.add_row(r.key, r.name)
    else:
        w.merged(Cell(T.NONE_STOPPED, "note"))


# ---- the report section «Динамика по отчётным периодам» -----------------------------------------
REPORT_PERIODS = 4  # a printed table has room for this many period columns


def _text(value, suffix: str = "") -> str:
    return NONE if value is None else figure(value) + suffix


def _signed(value) -> str:
    if value is None:
        return "—"
    text = _text(abs(value))
    return "0" if value == 0 else f"+{text}" if value > 0 else f"\u2212{text}"


def _rows(series: list[Series]) -> list[list[str]]:
    return [[s.key, s.name, *[_text(v) for v in s.values], _signed(s.change)] for s in series]


def report_dynamics(c: Consolidation) -> dict:
    """Plain values for the report's trend section; ``tables`` names the tables and their widths (cm)."""
    full = trend_of(c)
    trend = full.recent(REPORT_PERIODS)
    n = len(trend.periods)
    period_cols = [2.3] * n
    before = trend.previous.period.label if trend.previous else ""
    result = {
        "lead": T.dynamics_lead(full),
        "several": n > 1,
        "shown_note": (f"В таблицах приведены последние {n} отчётных периода из {len(full.periods)}."
                       if len(full.periods) > n else ""),
        "labels": trend.labels,
        "district": [[str(i), p.period.label, day(p.as_of), f"{p.schools_submitted} из {p.schools_expected}",
                      _text(p.completion_pct), _text(p.overdue)] for i, p in enumerate(full.periods, start=1)],
        "section_completion": _rows(trend.section_completion()),
        "section_overdue": _rows(trend.section_overdue()),
        "school_completion": _rows(trend.school_completion()),
        "school_overdue": _rows(trend.school_overdue()),
        "indicators": [[s.key, f"{s.name}, {s.note}", *[_text(v) for v in s.values], s.target or "—"]
                       for s in trend.indicators()],
        "newly_overdue": [[r.extra["number"], r.name, r.extra["deadline"], _text(r.overdue)]
                          for r in trend.newly_overdue()],
        "fell": [f"{f.name} ({_text(f.before)} % → {_text(f.now)} %)" for f in trend.fell()],
        "stopped": [r.name for r in trend.stopped()],
        "newly_overdue_heading": T.newly_overdue_heading(before) if before else "",
        "fell_heading": T.fell_heading(before) if before else "",
        "stopped_heading": T.stopped_heading(before) if before else "",
        "none_newly_overdue": T.NONE_NEWLY_OVERDUE,
        "none_fell": T.NONE_FELL,
        "none_stopped": T.NONE_STOPPED,
        "tables": {
            "DynDistrict": [0.8, 5.2, 2.4, 2.8, 2.6, 2.6],
            "DynSections": [1.0, 17.0 - 1.0 - 2.3 * (n + 1)] + period_cols + [2.3],
            "DynSectionsOverdue": [1.0, 17.0 - 1.0 - 2.3 * (n + 1)] + period_cols + [2.3],
            "DynSchools": [1.2, 17.0 - 1.2 - 2.3 * (n + 1)] + period_cols + [2.3],
            "DynSchoolsOverdue": [1.2, 17.0 - 1.2 - 2.3 * (n + 1)] + period_cols + [2.3],
            "DynIndicators": [1.0, 17.0 - 1.0 - 2.3 * (n + 1)] + period_cols + [2.3],
            "DynNewlyOverdue": [1.3, 9.0, 3.4, 2.3],
        },
        "charts": [],
    }
    if n > 1:
        result["charts"] = [
            _bars("dynamics_completion.svg", T.CHART_COMPLETION,
                  [(p.period.label, p.completion_pct, f"{_text(p.completion_pct)} %") for p in full.periods], 100),
            _bars("dynamics_overdue.svg", T.CHART_OVERDUE,
                  [(p.period.label, p.overdue, _text(p.overdue)) for p in full.periods], None),
        ]
    return result


def _bars(file: str, title: str, values: list[tuple[str, float | None, str]], top_value: float | None) -> dict:
    """A horizontal bar chart, one bar per period in time order."""
    high = top_value or _nice_max(max((v or 0) for _, v, _ in values))
    chart = charts.bars(title, [(label, v) for label, v, _ in values], high=high, sort=False,
                        unit=" %" if top_value == 100 else "")
    return {"file": file, "title": title, "chart": chart}


def _nice_max(value: float) -> float:
    """The smallest of 10, 20, 25, 50, 100, 200, 250, 500, ... that is at least ``value``."""
    for power in range(1, 9):
        for step in (1, 2, 2.5, 5):
            if step * 10 ** power >= value:
                return step * 10 ** power
    return value
