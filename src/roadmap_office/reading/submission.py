"""Read a school's submission (ODS or XLSX) into raw cell values and its metadata.

Nothing is interpreted here beyond the container: the check stage decides what the cells
mean. Formula cells keep their formula text (never a computed value) so nothing a school
typed is lost and nothing is evaluated.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from functools import cached_property
from datetime import datetime
from pathlib import Path
from typing import Any

from ..forms.layout import META_SHEET
from ..errors import FileReadError
from ..sheets.reading import Rows, fast_reader, read_scanned
from ..sheets.spec import column_letter, parse_range
from .container import FormulaCell, inspect_container, load_bytes
from .text import all_clean, clean_text, display_name


class SubmissionReadError(FileReadError):
    """The file cannot be read at all; the message is Russian."""


@dataclass
class RawSubmission:
    path: Path
    kind: str  # "ods" | "xlsx"
    sheets: dict[str, Rows]
    meta: dict[str, str]
    saved_at: datetime | None  # from the document's own metadata
    modified: datetime  # file modification time
    sha256: str
    has_macros: bool = False
    formulas: list[FormulaCell] = field(default_factory=list)
    cut: list[tuple[str, str]] = field(default_factory=list)  # (sheet, cell) of text cut to MAX_TEXT

    @cached_property
    def name(self) -> str:
        return display_name(self.path)


def read_submission(path: str | os.PathLike) -> RawSubmission:
    """Read a submission safely: size first, then the container scan, then the reader.

    The bytes are read once, so the file cannot change between the scan and the read.
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
        raise SubmissionReadError(f"файл не читается ({_os_reason(exc)})") from None
    container = inspect_container(data, pure=not fast_reader())
    if container.kind != kind:
        raise SubmissionReadError(f"содержимое файла не соответствует расширению {path.suffix} "
                                  f"(внутри документ {container.kind.upper()})")
    sheets = read_scanned(data, container.kind)
    for formula in container.formulas:
        _put(sheets, formula)
    cut = _clean_cells(sheets)
    meta = {}
    for row in sheets.get(META_SHEET, [])[1:]:
        if row and row[0]:
            meta[str(row[0]).strip()] = "" if len(row) < 3 or row[2] is None else str(row[2]).strip()
    return RawSubmission(
        path=path,
        kind=container.kind,
        sheets=sheets,
        meta=meta,
        saved_at=container.saved_at,
        modified=modified,
        sha256=hashlib.sha256(data).hexdigest(),
        has_macros=container.has_macros,
        formulas=container.formulas,
        cut=cut,
    )


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


def _os_reason(exc: OSError) -> str:
    import errno

    reasons = {errno.EACCES: "нет прав на чтение", errno.ENOENT: "файл не найден",
               errno.EISDIR: "это папка, а не файл", errno.EIO: "ошибка ввода-вывода диска"}
    return reasons.get(exc.errno, "ошибка операционной системы")


def _put(sheets: dict[str, Rows], formula: FormulaCell) -> None:
    """Replace a formula's computed value with its text, as the school would see it typed."""
    rows = sheets.get(formula.sheet)
    if rows is None or not formula.cell:
        return
    col, row, _, _ = parse_range(formula.cell)
    while len(rows) <= row:
        rows.append([])
    cells: list[Any] = rows[row]
    while len(cells) <= col:
        cells.append(None)
    text = formula.formula
    if text.startswith("of:"):
        text = text[3:]
    cells[col] = text if text.startswith("=") else "=" + text
