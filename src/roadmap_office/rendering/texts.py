"""Russian wording of the consolidated workbook and report, in one place."""

from __future__ import annotations

from ..merging import Consolidation
from ..model import Aggregation, Indicator, Roadmap
from ..presentation import day
from ..presentation import duplicate_line as duplicate_line  # the summaries' wording, with
from ..presentation import ignored_line as ignored_line  # what every summary says first and last
from ..presentation import warnings as warnings
from ..presentation import duplicate_lines as duplicate_lines  # schools that sent one answer twice
from ..sheets import Cell

SHEET_SUMMARY = "Сводка"
SHEET_SECTIONS = "По разделам"
SHEET_ITEMS = "По мероприятиям"
SHEET_SCHOOLS = "По школам"
SHEET_RECORDS = "Все записи"
SHEET_OWN = "Собственные мероприятия"
SHEET_INDICATORS = "Показатели"
SHEET_PROBLEMS = "Замечания"

MISSING_HEADING = "Не представили отчёт"
DUPLICATES_HEADING = "Представлено несколько файлов (учтён последний)"
REJECTED_HEADING = "Файлы не приняты"
NOT_SUBMITTED = "отчёт не представлен"


def report_title(roadmap: Roadmap) -> str:
    return f"Сводный отчёт о ходе реализации дорожной карты: {roadmap.title}"


def as_of_line(c: Consolidation) -> str:
    label = c.roadmap.period.label if c.roadmap.period else c.roadmap.reporting_period
    period = f"Отчётный период: {label.rstrip('.')}. " if label else ""
    return f"{period}Данные по состоянию на {day(c.as_of)}."


def page_header(c: Consolidation) -> str:
    """The head of every printed page of the workbook: who reports, for which period, as of when."""
    label = c.roadmap.period.label if c.roadmap.period else c.roadmap.reporting_period
    parts = [c.roadmap.issuer or c.roadmap.title, label or "",
             f"данные на {day(c.as_of)}"]
    return " · ".join(part for part in parts if part)


def key_figures(c: Consolidation) -> list[tuple[str, object]]:
    submitted = sum(1 for s in c.schools if s.submitted)
    return [
        ("Образовательных организаций в перечне", len(c.schools)),
        ("Представили отчёт", submitted),
        ("Не представили отчёт", len(c.missing)),
        ("Мероприятий дорожной карты", len(c.roadmap.items)),
        ("Записей в отчётах школ", len(c.records)),
        ("Выполнение мероприятий школами, %", Cell(c.completion_pct, "percent") if c.completion_pct is not None
         else "—"),
        ("Просроченных мероприятий (школа × мероприятие)", c.overdue),
        ("Замечаний к файлам", len(c.findings)),
        ("Файлов не принято", len(c.rejected)),
    ]


WARNINGS_HEADING = "Внимание"


def indicator_cell(value) -> Cell:
    if value is None:
        return Cell("—")
    if isinstance(value, bool):
        return Cell("да" if value else "нет")
    return Cell(value, "number")


def aggregation_short(indicator: Indicator) -> str:
    return {
        Aggregation.SUM: "сумма",
        Aggregation.WEIGHTED_MEAN: "среднее взвеш., %",
        Aggregation.SHARE_YES: "доля «да», %",
    }[indicator.aggregation]


# ---- «Динамика»: the trend over reporting periods ----------------------------------------------
SHEET_DYNAMICS = "Динамика"
DYNAMICS_TITLE = "Динамика по отчётным периодам"
CHART_COMPLETION = "Выполнение мероприятий по отчётным периодам, %"
CHART_OVERDUE = "Просроченные мероприятия по отчётным периодам"
CHANGE = "Изменение"
CHANGE_PP = "Изменение, п. п."
CHANGES_HEADING = "Изменения по сравнению с предыдущим периодом"
NONE_NEWLY_OVERDUE = "Новых просроченных мероприятий нет."
NONE_FELL = "Снижения доли выполненных мероприятий нет ни в одной образовательной организации."
NONE_STOPPED = "Все образовательные организации, представившие отчёт в предыдущем периоде, представили его и в текущем."


def dynamics_lead(trend) -> str:
    count = len(trend.periods)
    if count == 1:
        return single_period(trend)
    first, last = trend.periods[0].period, trend.current.period
    return (f"Сравниваются итоги {count} {_periods_word(count)} (с {day(first.start)} по {day(last.end)}). "
            "Выполнение — доля мероприятий, отмеченных выполненными, среди мероприятий образовательных "
            "организаций, представивших отчёт; изменение — разница с предыдущим периодом.")


def single_period(trend) -> str:
    return (f"Сведений о предыдущих отчётных периодах нет: приведены данные только за «{trend.current.period.label}». "
            "Сравнение с предыдущим периодом и диаграммы динамики появятся после свода следующего периода.")


def _periods_word(count: int) -> str:
    return "отчётного периода" if count % 10 == 1 and count % 100 != 11 else "отчётных периодов"


def newly_overdue_heading(before: str) -> str:
    return f"Мероприятия, просроченные впервые (в периоде «{before}» просрочек по ним не было)"


def fell_heading(before: str) -> str:
    return f"Образовательные организации, у которых доля выполнения снизилась по сравнению с периодом «{before}»"


def stopped_heading(before: str) -> str:
    return f"Образовательные организации, представившие отчёт за «{before}», но не представившие за текущий период"
