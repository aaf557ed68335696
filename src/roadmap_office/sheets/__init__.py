"""Format-neutral workbooks: describe once (spec), write as ODS or XLSX, read either back."""

from __future__ import annotations

import os
from pathlib import Path

from .._files import replacing

from .spec import Cell, Chart, Column, Sheet, Validation, Workbook

__all__ = ["Cell", "Chart", "Column", "Sheet", "Validation", "Workbook", "write_workbook"]


def write_workbook(book: Workbook, path: str | os.PathLike) -> Path:
    """Write ``book`` as ODS or XLSX by the suffix of ``path``.

    The file is written beside the target and renamed over it, so an interrupted write never
    leaves a half-written file in place of a previous good one.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".ods":
        from .ods import write_ods as writer
    elif suffix == ".xlsx":
        from .xlsx import write_xlsx as writer
    else:
        raise ValueError(f"unsupported spreadsheet format {path.suffix!r}")
    with replacing(path) as tmp:
        writer(book, tmp)
    return path
