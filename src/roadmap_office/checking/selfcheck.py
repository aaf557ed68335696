"""A roadmap rebuilt from a template alone, so a school can check its file without the master.

The template carries what the check needs: the lists (statuses, executors, deadlines) on the
hidden lists sheet, the period in the metadata, the items with their keys, and the rules of
the indicators in hidden columns. What only the master knows (the original texts of locked
cells, which rows must exist) is then not checked.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from ..deadlines import parse_deadline
from ..forms.layout import COL, HEADER_ROW, IND_COL, INDICATORS_SHEET, ITEMS_SHEET, LISTS_SHEET, OWN_PREFIX
from ..model import DEFAULT_STATUSES, Indicator, IndicatorKind, Item, Roadmap, School, Section, Status
from ..reading import RawSubmission


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _column(rows: list[list[Any]], index: int) -> list[str]:
    return [_text(row[index]) for row in rows[1:] if len(row) > index and _text(row[index])]


def roadmap_from_submission(raw: RawSubmission) -> Roadmap:
    meta = raw.meta
    start = date.fromisoformat(meta["period_start"]) if meta.get("period_start") else None
    end = date.fromisoformat(meta["period_end"]) if meta.get("period_end") else None
    lists = raw.sheets.get(LISTS_SHEET, [])
    done = {s.name for s in DEFAULT_STATUSES if s.done}
    roadmap = Roadmap(
        title=meta.get("roadmap_title", ""),
        period_start=start,
        period_end=end,
        reporting_period=meta.get("reporting_period", ""),
        statuses=[Status(name, name in done) for name in _column(lists, 0)] or list(DEFAULT_STATUSES),
        school_roles=_column(lists, 1),
        deadline_vocabulary=_column(lists, 2),
    )
    if meta.get("school_code"):
        roadmap.schools = [School(meta["school_code"], meta.get("school_name", ""), key=meta.get("school_key", ""))]
    rows = raw.sheets.get(ITEMS_SHEET, [])
    section: Section | None = None
    for row in rows[HEADER_ROW:]:
        row = list(row) + [None] * len(COL)
        key, number, event = _text(row[COL["key"]]), _text(row[COL["number"]]), _text(row[COL["event"]])
        if not key and number and event:
            section = Section(number, event)
            roadmap.sections.append(section)
        elif key and not key.startswith(OWN_PREFIX) and section is not None:
            deadline = _text(row[COL["deadline"]])
            section.items.append(Item(number, event, parse_deadline(deadline, start, end), [],
                                      _text(row[COL["result_expected"]]), key))
    for row in raw.sheets.get(INDICATORS_SHEET, [])[2:]:
        row = list(row) + [None] * len(IND_COL)
        code = _text(row[IND_COL["code"]])
        if not code:
            continue
        try:
            kind = IndicatorKind(_text(row[IND_COL["kind"]]))
        except ValueError:
            kind = IndicatorKind.COUNT
        bounds = [row[IND_COL[k]] if isinstance(row[IND_COL[k]], (int, float)) else None
                  for k in ("minimum", "maximum")]
        roadmap.indicators.append(Indicator(code, _text(row[IND_COL["name"]]), _text(row[IND_COL["unit"]]), kind,
                                            bounds[0], bounds[1]))
    return roadmap
