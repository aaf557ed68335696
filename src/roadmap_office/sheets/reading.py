"""Read the cell values of an ODS or XLSX workbook: {sheet name: rows of values}.

One reader (:mod:`roadmap_office.reading.book`) serves everywhere: on the server lxml
tokenizes its XML, inside LibreOffice's own Python the standard library does. Values come back
as str, int/float, bool, date/datetime or None; trailing empty cells and rows are dropped.
"""

from __future__ import annotations

import os
from datetime import date, datetime
from pathlib import Path
from typing import Any, Dict, List, Optional, Union

from ..errors import FileReadError

Rows = List[List[Any]]


class WorkbookReadError(FileReadError):
    """The file is not a readable ODS/XLSX workbook."""


def read_workbook(source: Union[str, os.PathLike, bytes], kind: Optional[str] = None) -> Dict[str, Rows]:
    """All sheets of an ODS/XLSX file (a path, or bytes with ``kind``), read safely in one pass
    (limits, XML policy, values; see :mod:`roadmap_office.reading`)."""
    from ..reading.book import read_book
    from ..reading.zipsafe import load_bytes

    if isinstance(source, bytes):
        data = source
    else:
        path = Path(source)
        kind = path.suffix.lower().lstrip(".")
        if kind not in ("ods", "xlsx"):
            raise WorkbookReadError(f"неподдерживаемый формат файла «{path.suffix}» (ожидается ODS или XLSX)")
        data = load_bytes(path)
    book = read_book(data, pure=not fast_reader())
    if kind and book.kind != kind:
        raise WorkbookReadError(f"содержимое файла не соответствует расширению .{kind} "
                                f"(внутри документ {book.kind.upper()})")
    return book.sheets


def fast_reader() -> bool:
    """True when lxml tokenizes (not inside LibreOffice's own Python, where it is absent).

    ``ROADMAP_OFFICE_PURE=1`` in the environment forces the standard library's tokenizer
    (tests, benchmarks, the fuzz).
    """
    if os.environ.get("ROADMAP_OFFICE_PURE") == "1":
        return False
    from ..reading.xmlevents import lxml_available

    return lxml_available()


def cell_date(value: Any) -> date:
    """A date from a cell: a real date, or text typed as ДД.ММ.ГГГГ, ДД.ММ.ГГ or ГГГГ-ММ-ДД.

    Raises ValueError with the text when it is not a date.
    """
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = "" if value is None else str(value).strip()
    for fmt in ("%d.%m.%Y", "%Y-%m-%d", "%d.%m.%y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(text)
