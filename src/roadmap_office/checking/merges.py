"""Merged cells over the cells a school fills in.

Merging cells in Calc or Excel keeps the values of the hidden cells under the merge (Calc
asks, and keeping them is one of its answers); the reader still reads them, so a merge over
statuses or indicator values would change figures without anyone seeing why. Such a merge
gets an error finding naming the area. The template's own merges (titles, section headings)
lie outside the filled cells and are left alone.
"""

from __future__ import annotations

from typing import Iterator, List, Set, Tuple

from ..forms.layout import COL, IND_COL, INDICATORS_SHEET, ITEM_COLUMNS, ITEMS_SHEET, SCHOOL_COLUMNS
from ..sheets.spec import column_letter
from . import messages as M
from .results import Finding

_TITLE = ITEM_COLUMNS[0][1]  # «Код»: the items header's first cell


def merge_findings(raw) -> List[Finding]:
    """An error finding for each merged area over the cells a school fills in."""
    findings = []
    for sheet, rows, columns in _data_areas(raw):
        for first_row, first_col, last_row, last_col in raw.merges.get(sheet, []):
            if last_col < columns[0] or first_col > columns[1]:
                continue
            if not any(r in rows for r in range(first_row, last_row + 1)):
                continue
            area = f"{column_letter(first_col)}{first_row + 1}:{column_letter(last_col)}{last_row + 1}"
            findings.append(Finding(raw.name, sheet, area, "", M.MERGED_DATA.format(area=area)))
    return findings


def _data_areas(raw) -> Iterator[Tuple[str, Set[int], Tuple[int, int]]]:
    """(sheet, 0-based rows with data, first and last column a school fills) of each sheet."""
    items = raw.sheets.get(ITEMS_SHEET, [])
    header = next((n for n, row in enumerate(items) if row and str(row[0]).strip() == _TITLE), None)
    if header is not None and ITEMS_SHEET in raw.merges:
        keyed = {n for n in range(header + 1, len(items)) if items[n] and items[n][0] not in (None, "")}
        yield ITEMS_SHEET, keyed, (COL[SCHOOL_COLUMNS[0]], COL[SCHOOL_COLUMNS[-1]])
    indicators = raw.sheets.get(INDICATORS_SHEET, [])
    if INDICATORS_SHEET in raw.merges:
        coded = {n for n in range(2, len(indicators)) if indicators[n] and indicators[n][0] not in (None, "")}
        yield INDICATORS_SHEET, coded, (IND_COL["value"], IND_COL["comment"])
