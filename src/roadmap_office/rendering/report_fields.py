"""The fields of the report template: their Russian names, what each means, and their values.

``SCHEMA`` is the one list of names (a description per field; a list of fields as a list of one
dict): the check of a template, the default template and the user guide all read it, and
:func:`report_values` gives the values in the same shape.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from ..merging import Consolidation
from ..model import Aggregation
from ..presentation import day
from ..presentation import figure as _num
from . import charts
from . import texts as T
from .dynamics import report_dynamics
from .odt_template import Picture, TableValue

SCHEMA: Dict[str, Any] = {
    "Дорожная карта": "наименование дорожной карты (лист «Настройки» мастер-книги)",
    "Орган": "орган, утвердивший дорожную карту; абзац только с этим полем пропускается, если он не указан",
    "Отчётный период": "отчётный период, например «I полугодие 2022 г.»",
    "Дата данных": "дата, на которую посчитаны данные и просрочки (ДД.ММ.ГГГГ)",
    "Отчётный период и дата": "предложение «Отчётный период: …. Данные по состоянию на ДД.ММ.ГГГГ.»",
    "Подписант": "должность подписывающего отчёт (настройка «Подписант отчёта» мастер-книги)",
    "Школ в перечне": "число образовательных организаций в перечне",
    "Представили отчёт": "число организаций, представивших отчёт",
    "Не представили отчёт": "число организаций, не представивших отчёт",
    "Мероприятий": "число мероприятий дорожной карты",
    "Записей": "число записей в отчётах школ",
    "Выполнение, %": "доля выполненных мероприятий по округу, %",
    "Просрочено": "число просроченных мероприятий (школа × мероприятие)",
    "Замечаний": "число замечаний к файлам",
    "Файлов не принято": "число непринятых файлов",
    "Сведения о непредставлении": "предложение: кто не представил отчёт (или что представили все)",
    "Отстают от среднего": "предложение: организации ниже среднего по округу (пусто — абзац пропускается)",
    "Диаграмма: разделы": "рисунок: выполнение по разделам",
    "Диаграмма: школы": "рисунок: выполнение по школам (до 30 школ — каждая, больше — распределение)",
    "Диаграмма: показатели": "рисунок: показатели в процентах (доли и доли «да») по округу; нет таких — абзац "
                             "пропускается",
    "Предупреждения": [{"Предупреждение": "то, что нужно проверить до цифр: несколько файлов школы с разными "
                                          "сведениями, расхождение дат сохранения"}],
    "Повторные файлы": [{"Повторный файл": "строка о школе, приславшей несколько файлов"}],
    "Непринятые файлы": [{"Непринятый файл": "строка о непринятом файле и причине"}],
    "Разделы": [{
        "Раздел: №": "номер раздела",
        "Раздел: наименование": "наименование раздела",
        "Раздел: заголовок": "номер и наименование раздела",
        "Раздел: выполнено, %": "доля выполненных мероприятий раздела, %",
        "Раздел: просрочено": "просроченные мероприятия раздела (школа × мероприятие)",
        "Мероприятия": [{
            "Мероприятие: №": "номер мероприятия",
            "Мероприятие: наименование": "наименование мероприятия",
            "Мероприятие: сроки": "сроки, как в дорожной карте",
            "Мероприятие: школ": "число участвующих школ, представивших отчёт",
            "Мероприятие: выполнено": "из них отметивших выполнение",
            "Мероприятие: %": "доля выполнения, %",
            "Мероприятие: просрочено": "число школ, у которых срок истёк, а мероприятие не выполнено",
        }],
    }],
    "Школы": [{
        "Школа: код": "код организации",
        "Школа: наименование": "наименование организации",
        "Школа: выполнено, %": "доля выполнения, % (или «отчёт не представлен»)",
        "Школа: просрочено": "число просроченных мероприятий",
        "Школа: замечаний": "число замечаний к файлу",
    }],
    "Показатели": [{
        "Показатель: код": "код показателя",
        "Показатель: наименование": "наименование показателя",
        "Показатель: ед. изм.": "единица измерения",
        "Показатель: целевое значение": "целевое значение",
        "Показатель: по округу": "значение по округу",
        "Показатель: данные школ": "сколько школ указали значение, «N из M»",
    }],
    "есть замечания": [{
        "Файлы с замечаниями": [{
            "Файл с замечаниями: имя": "имя файла",
            "Файл с замечаниями: замечаний": "число замечаний",
        }],
    }],
    "нет замечаний": [{}],
    "Динамика: вводный текст": "что сравнивается (или что данных о прошлых периодах нет)",
    "Таблица: динамика по округу": "таблица: итоги каждого отчётного периода",
    "несколько периодов": [{
        "Диаграмма: выполнение по периодам": "рисунок: выполнение по отчётным периодам",
        "Диаграмма: просрочки по периодам": "рисунок: просроченные мероприятия по периодам",
        "Динамика: примечание": "сколько периодов показано в таблицах (пусто, если все)",
        "Таблица: выполнение по разделам": "таблица: выполнение по разделам за периоды",
        "Таблица: просрочки по разделам": "таблица: просрочки по разделам за периоды",
        "Таблица: выполнение по школам": "таблица: выполнение по школам за периоды",
        "Таблица: просрочки по школам": "таблица: просрочки по школам за периоды",
        "Таблица: показатели по периодам": "таблица: показатели по округу за периоды",
        "Впервые просроченные: заголовок": "заголовок перечня мероприятий, просроченных впервые",
        "Впервые просроченные: нет": "«Новых просроченных мероприятий нет.» или пусто",
        "Таблица: впервые просроченные": "таблица мероприятий, просроченных впервые (нет — абзац пропускается)",
        "Снижение: заголовок": "заголовок перечня школ, у которых выполнение снизилось",
        "Снижение: перечень": "перечень таких школ или что их нет",
        "Не представили снова: заголовок": "заголовок перечня школ, не представивших отчёт за текущий период",
        "Не представили снова: перечень": "перечень таких школ или что их нет",
    }],
}


def _picture(name: str, chart: charts.Chart) -> Picture:
    return Picture(name, chart.svg, charts.WIDTH_CM, chart.height_cm)


def _table(name: str, widths: List[float], header: List[str], rows: List[List[str]], numeric) -> TableValue:
    return TableValue(name, [round(w, 2) for w in widths], header, rows, frozenset(numeric))


def report_values(c: Consolidation, signer: str = "") -> Dict[str, Any]:
    """Every field of :data:`SCHEMA` for ``c``, texts ready to print."""
    submitted = [s for s in c.schools if s.submitted]
    average = c.completion_pct
    below = [s for s in submitted
             if average is not None and s.completion_pct is not None and s.completion_pct < average]
    if len(below) > charts.NAMED_UP_TO:  # a page of names helps nobody: the count, the weakest, where the rest are
        weakest = sorted(below, key=lambda s: (s.completion_pct, s.school.code))[:charts.NAMED_ENDS]
        lagging = [f"{len(below)} организаций, наименьшее выполнение — "
                   + ", ".join(f"{s.school.name} ({_num(s.completion_pct)} %)" for s in weakest)
                   + f"; полный перечень — в сводной книге, лист «{T.SHEET_SCHOOLS}»"]
    else:
        lagging = [f"{s.school.name} ({_num(s.completion_pct)} %)" for s in below]
    label = c.roadmap.period.label if c.roadmap.period else c.roadmap.reporting_period
    by_section: Dict[int, List[Dict[str, str]]] = {}
    for summary in c.items:
        by_section.setdefault(id(summary.section), []).append({
            "Мероприятие: №": summary.item.number,
            "Мероприятие: наименование": summary.item.event,
            "Мероприятие: сроки": summary.item.deadline.text,
            "Мероприятие: школ": _num(summary.applicable),
            "Мероприятие: выполнено": _num(summary.done),
            "Мероприятие: %": _num(summary.done_pct),
            "Мероприятие: просрочено": _num(summary.overdue),
        })
    problems = [{"Файл с замечаниями: имя": s.name, "Файл с замечаниями: замечаний": _num(len(s.findings))}
                for s in c.used + c.superseded if s.findings]
    percent_indicators = [(f"{i.indicator.code}. {i.indicator.name}", i.district) for i in c.indicators
                          if i.indicator.aggregation in PERCENT and i.district is not None]
    values: Dict[str, Any] = {
        "Дорожная карта": c.roadmap.title,
        "Орган": c.roadmap.issuer,
        "Отчётный период": label or "не указан",
        "Дата данных": day(c.as_of),
        "Отчётный период и дата": T.as_of_line(c),
        "Подписант": signer or c.roadmap.report_signer or DEFAULT_SIGNER,
        "Школ в перечне": _num(len(c.schools)),
        "Представили отчёт": _num(len(submitted)),
        "Не представили отчёт": _num(len(c.missing)),
        "Мероприятий": _num(len(c.roadmap.items)),
        "Записей": _num(len(c.records)),
        "Выполнение, %": _num(c.completion_pct),
        "Просрочено": _num(c.overdue),
        "Замечаний": _num(len(c.findings)),
        "Файлов не принято": _num(len(c.rejected)),
        "Сведения о непредставлении": (f"Не представили отчёт ({len(c.missing)}): "
                                       + ", ".join(s.name for s in c.missing) + "." if c.missing else
                                       "Отчёты представили все образовательные организации."),
        "Отстают от среднего": (f"Отстают от среднего по округу ({_num(average)} %): " + "; ".join(lagging) + "."
                                if lagging else ""),
        "Диаграмма: разделы": _picture("sections.svg", charts.completion_chart(
            "Выполнение мероприятий по разделам, %",
            [(f"{s.section.number} {s.section.title}".strip(), s.done_pct) for s in c.sections])),
        "Диаграмма: школы": _picture("schools.svg", charts.completion_chart(
            "Выполнение мероприятий по образовательным организациям, %",
            [(s.school.name, s.completion_pct) for s in submitted])),
        "Диаграмма: показатели": (_picture("indicators.svg", charts.bars(
            "Показатели в процентах: значение по округу", percent_indicators)) if percent_indicators else ""),
        "Предупреждения": [{"Предупреждение": line} for line in T.warnings(c)],
        "Повторные файлы": [{"Повторный файл": f"{line}."} for line in T.duplicate_lines(c)],
        "Непринятые файлы": [{"Непринятый файл": f"Файл «{r.name}» не принят: {r.rejected}."} for r in c.rejected],
        "Разделы": [{
            "Раздел: №": s.section.number,
            "Раздел: наименование": s.section.title,
            "Раздел: заголовок": f"{s.section.number} {s.section.title}".strip(),
            "Раздел: выполнено, %": _num(s.done_pct),
            "Раздел: просрочено": _num(s.overdue),
            "Мероприятия": by_section.get(id(s.section), []),
        } for s in c.sections],
        "Школы": [{
            "Школа: код": s.school.code,
            "Школа: наименование": s.school.name,
            "Школа: выполнено, %": _num(s.completion_pct) if s.submitted else T.NOT_SUBMITTED,
            "Школа: просрочено": _num(len(s.overdue_items)) if s.submitted else "—",
            "Школа: замечаний": _num(s.problems) if s.submitted else "—",
        } for s in c.schools],
        "Показатели": [{
            "Показатель: код": i.indicator.code,
            "Показатель: наименование": i.indicator.name,
            "Показатель: ед. изм.": i.indicator.unit,
            "Показатель: целевое значение": i.indicator.target or "—",
            "Показатель: по округу": _num(i.district),
            "Показатель: данные школ": f"{i.reported} из {len(c.schools)}",
        } for i in c.indicators],
        "есть замечания": [{"Файлы с замечаниями": problems}] if problems else [],
        "нет замечаний": [] if problems else [{}],
    }
    values.update(_dynamics_values(c))
    return values


DEFAULT_SIGNER = "Начальник департамента образования"
PERCENT = (Aggregation.WEIGHTED_MEAN, Aggregation.SHARE_YES)  # indicators whose district value is a percent


def _dynamics_values(c: Consolidation) -> Dict[str, Any]:
    d = report_dynamics(c)
    widths = d["tables"]
    labels = d["labels"]
    span = range(2, 3 + len(labels))
    result: Dict[str, Any] = {
        "Динамика: вводный текст": d["lead"],
        "Таблица: динамика по округу": _table(
            "DynDistrict", widths["DynDistrict"],
            ["№", "Отчётный период", "Данные на", "Представили отчёт", "Выполнено, %", "Просрочено"],
            d["district"], (2, 3, 4, 5)),
        "несколько периодов": [],
    }
    if not d["several"]:
        return result
    charts_ = {chart["file"]: chart for chart in d["charts"]}
    result["несколько периодов"] = [{
        "Диаграмма: выполнение по периодам": _picture("dynamics_completion.svg",
                                                     charts_["dynamics_completion.svg"]["chart"]),
        "Диаграмма: просрочки по периодам": _picture("dynamics_overdue.svg",
                                                    charts_["dynamics_overdue.svg"]["chart"]),
        "Динамика: примечание": d["shown_note"],
        "Таблица: выполнение по разделам": _table("DynSections", widths["DynSections"],
                                                  ["№", "Раздел"] + labels + [T.CHANGE_PP], d["section_completion"],
                                                  span),
        "Таблица: просрочки по разделам": _table("DynSectionsOverdue", widths["DynSectionsOverdue"],
                                                 ["№", "Раздел"] + labels + [T.CHANGE], d["section_overdue"], span),
        "Таблица: выполнение по школам": _table("DynSchools", widths["DynSchools"],
                                                ["Код", "Образовательная организация"] + labels + [T.CHANGE_PP],
                                                d["school_completion"], span),
        "Таблица: просрочки по школам": _table("DynSchoolsOverdue", widths["DynSchoolsOverdue"],
                                               ["Код", "Образовательная организация"] + labels + [T.CHANGE],
                                               d["school_overdue"], span),
        "Таблица: показатели по периодам": _table("DynIndicators", widths["DynIndicators"],
                                                  ["Код", "Показатель"] + labels + ["Целевое значение"],
                                                  d["indicators"], range(2, 2 + len(labels))),
        "Впервые просроченные: заголовок": d["newly_overdue_heading"] + ".",
        "Впервые просроченные: нет": "" if d["newly_overdue"] else d["none_newly_overdue"],
        "Таблица: впервые просроченные": (_table("DynNewlyOverdue", widths["DynNewlyOverdue"],
                                                 ["№", "Мероприятие", "Сроки", "Просрочено (школ)"],
                                                 d["newly_overdue"], (3,)) if d["newly_overdue"] else ""),
        "Снижение: заголовок": d["fell_heading"] + ":",
        "Снижение: перечень": "; ".join(d["fell"]) + "." if d["fell"] else d["none_fell"],
        "Не представили снова: заголовок": d["stopped_heading"] + ":",
        "Не представили снова: перечень": ", ".join(d["stopped"]) + "." if d["stopped"] else d["none_stopped"],
    }]
    return result


def field_names(schema: Optional[Dict[str, Any]] = None) -> List[str]:
    """Every field and list name of ``schema`` (default: the report's), in order."""
    names: List[str] = []
    for name, value in (SCHEMA if schema is None else schema).items():
        names.append(name)
        if isinstance(value, list):
            names += field_names(value[0])
    return names
