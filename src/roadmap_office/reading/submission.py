"""Read a school's submission (ODS or XLSX) into raw cell values and its metadata.

Nothing is interpreted here beyond the container: the check stage decides what the cells
mean. Formula cells keep their formula text (never a computed value) so nothing a school
typed is lost and nothing is evaluated.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Dict, List, Optional, Set, Tuple, Union

from functools import cached_property

from ..errors import FileReadError, os_reason
from ..forms.layout import (HEADER_ROW, HELP_SHEET, INDICATOR_COLUMNS, INDICATORS_SHEET, ITEM_COLUMNS, ITEMS_SHEET,
                            LISTS_SHEET, META_KEYS, META_SHEET)
from ..sheets.reading import Rows, fast_reader
from ..sheets.spec import column_letter
from .book import FormulaCell, read_book
from .text import all_clean, clean_text, display_name
from .zipsafe import load_bytes


class SubmissionReadError(FileReadError):
    """The file cannot be read at all; the message is Russian."""


@dataclass
class RawSubmission:
    path: Path
    kind: str  # "ods" | "xlsx"
    sheets: Dict[str, Rows]
    meta: Dict[str, str]
    saved_at: Optional[datetime]  # from the document's own metadata
    modified: datetime  # file modification time
    sha256: str
    has_macros: bool = False
    formulas: List[FormulaCell] = field(default_factory=list)
    cut: List[Tuple[str, str]] = field(default_factory=list)  # (sheet, cell) of text cut to MAX_TEXT
    # sheet -> 0-based (row, column) of numeric cells shown as a percentage: 0.45 there is 45 %
    percent_cells: Dict[str, Set[Tuple[int, int]]] = field(default_factory=dict)
    # sheet -> merged areas, 0-based inclusive (first_row, first_col, last_row, last_col)
    merges: Dict[str, List[Tuple[int, int, int, int]]] = field(default_factory=dict)
    protected: Set[str] = field(default_factory=set)  # sheets whose protection is on
    # template sheet -> the name it has in the file, for a sheet found by its content after a rename
    renamed: Dict[str, str] = field(default_factory=dict)

    @cached_property
    def name(self) -> str:
        return display_name(self.path)


def read_submission(path: Union[str, os.PathLike], lists: bool = True) -> RawSubmission:
    """Read a submission safely, in one pass over each part of the file.

    The bytes are read once, so the file cannot change while it is read. The instructions sheet
    is not read (nothing is taken from it), nor the lists sheet without ``lists`` (a check
    against the master does not need the template's own lists).
    """
    path = Path(path)
    kind = path.suffix.lower().lstrip(".")
    if kind not in ("ods", "xlsx"):
        raise SubmissionReadError(f"формат «{path.suffix or 'без расширения'}» не поддерживается: "
                                  "отчёт принимается в формате ODS или XLSX")
    try:
        modified = datetime.fromtimestamp(path.stat().st_mtime)
        data = load_bytes(path)
    except OSError as exc:
        raise SubmissionReadError(f"файл не читается ({os_reason(exc)})") from None
    skip = frozenset((HELP_SHEET,) if lists else (HELP_SHEET, LISTS_SHEET))
    book = read_book(data, pure=not fast_reader(), skip=skip)
    if book.kind != kind:
        raise SubmissionReadError(f"содержимое файла не соответствует расширению {path.suffix} "
                                  f"(внутри документ {book.kind.upper()})")
    renamed = _find_renamed(book)
    sheets = book.sheets
    cut = _clean_cells(sheets)
    meta = {}
    for row in sheets.get(META_SHEET, [])[1:]:
        if row and row[0]:
            meta[str(row[0]).strip()] = "" if len(row) < 3 or row[2] is None else str(row[2]).strip()
    return RawSubmission(
        path=path,
        kind=book.kind,
        sheets=sheets,
        meta=meta,
        saved_at=book.saved_at,
        modified=modified,
        sha256=hashlib.sha256(data).hexdigest(),
        has_macros=book.has_macros,
        formulas=book.formulas,
        cut=cut,
        percent_cells=book.percent_cells,
        merges=book.merges,
        protected=book.protected,
        renamed=renamed,
    )


def _titles(rows: Rows, row: int, count: int) -> List[str]:
    cells = rows[row] if len(rows) > row else []
    return [str(v).strip() if v is not None else "" for v in cells[:count]]


# how each sheet of the template is known by its content: (sheet, row, the titles that row starts with)
_IDENTITY = (
    (ITEMS_SHEET, HEADER_ROW - 1, [title for _, title, _ in ITEM_COLUMNS]),
    (INDICATORS_SHEET, 1, [title for _, title, _ in INDICATOR_COLUMNS[:2]]),
)


def _find_renamed(book) -> Dict[str, str]:
    """Template sheets missing by name but present by content (a sheet renamed by a school):
    their facts are put under the template's name; returns template name -> name in the file."""
    renamed: Dict[str, str] = {}
    others = [name for name in book.sheets if name not in (META_SHEET, ITEMS_SHEET, INDICATORS_SHEET)]
    if META_SHEET not in book.sheets:
        keys = list(META_KEYS)[:4]
        for name in others:
            column = [str(row[0]).strip() for row in book.sheets[name][1:] if row and row[0] is not None]
            if column[:4] == keys:
                renamed[META_SHEET] = name
                break
    for template, row, titles in _IDENTITY:
        if template not in book.sheets:
            found = next((name for name in others if name not in renamed.values()
                          and _titles(book.sheets[name], row, len(titles)) == titles), None)
            if found:
                renamed[template] = found
    for template, name in renamed.items():
        book.sheets[template] = book.sheets.pop(name)
        if name in book.protected:
            book.protected.discard(name)
            book.protected.add(template)
        for facts in (book.percent_cells, book.merges):
            if name in facts:
                facts[template] = facts.pop(name)
        for formula in book.formulas:
            if formula.sheet == name:
                formula.sheet = template
    return renamed


def _clean_cells(sheets: dict[str, Rows]) -> list[tuple[str, str]]:
    """Clean every text cell in place; returns the (sheet, cell) of texts that were cut."""
    cut = []
    for sheet, rows in sheets.items():
        if all_clean([value for row in rows for value in row if isinstance(value, str)]):
            continue  # nearly every sheet
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if isinstance(value, str):
                    row[c], was_cut = clean_text(value)
                    if was_cut:
                        cut.append((sheet, f"{column_letter(c)}{r + 1}"))
    return cut
