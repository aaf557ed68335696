"""Read the cell values of an ODS or XLSX workbook: {sheet name: rows of values}.

python-calamine (Rust) is used when it is installed; inside LibreOffice, where only pure Python
is available, the streaming readers of :mod:`.streaming` read the same files. Values come back as str, float/int, bool,
date or None; trailing empty cells and rows are dropped.
"""

from __future__ import annotations

import os
from datetime import date, datetime
from pathlib import Path
from typing import Any, List

from ..errors import FileReadError

Rows = List[List[Any]]  # typing.List: evaluated at import, and list[...] needs Python 3.9


class WorkbookReadError(FileReadError):
    """The file is not a readable ODS/XLSX workbook."""


def read_workbook(source: str | os.PathLike | bytes, kind: str | None = None) -> dict[str, Rows]:
    """All sheets of an ODS/XLSX file (a path, or bytes with ``kind``), scanned safely first.

    The container is inspected (limits, DTDs, values) before a reader allocates anything;
    see :mod:`roadmap_office.reading.container`.
    """
    from ..reading.container import inspect_container, load_bytes

    if isinstance(source, bytes):
        data = source
    else:
        path = Path(source)
        kind = path.suffix.lower().lstrip(".")
        if kind not in ("ods", "xlsx"):
            raise WorkbookReadError(f"неподдерживаемый формат файла «{path.suffix}» (ожидается ODS или XLSX)")
        data = load_bytes(path)
    report = inspect_container(data, pure=not fast_reader())
    if kind and report.kind != kind:
        raise WorkbookReadError(f"содержимое файла не соответствует расширению .{kind} "
                                f"(внутри документ {report.kind.upper()})")
    return read_scanned(data, report.kind)


def fast_reader() -> bool:
    """True when python-calamine is installed (not inside LibreOffice's own Python).

    ``ROADMAP_OFFICE_PURE=1`` in the environment forces the pure-Python path (tests, benchmarks).
    """
    if os.environ.get("ROADMAP_OFFICE_PURE") == "1":
        return False
    try:
        import python_calamine  # noqa: F401
    except ImportError:
        return False
    return True


def read_scanned(data: bytes, kind: str, pure: bool | None = None) -> dict[str, Rows]:
    """Read a workbook whose container :func:`inspect_container` has passed.

    python-calamine when installed; otherwise (or with ``pure``) the pure-Python streaming
    readers of :mod:`.streaming`, as inside LibreOffice.
    """
    try:
        if pure if pure is not None else not fast_reader():
            from .streaming import read_ods, read_xlsx

            sheets = read_ods(data) if kind == "ods" else read_xlsx(data)
        else:
            sheets = _read_calamine(data)
    except WorkbookReadError:
        raise
    except Exception:  # any parser error means the same thing to a user
        raise WorkbookReadError("файл повреждён: электронная таблица не читается; откройте её в LibreOffice "
                                "или Excel и сохраните заново") from None
    return {name: _trim(rows) for name, rows in sheets.items()}


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


def _clean(value: Any) -> Any:
    if value == "":
        return None
    if isinstance(value, datetime):
        if value.hour == value.minute == value.second == 0:
            return value.date()
        return value
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def _trim(rows: Rows) -> Rows:
    out = [[v if v.__class__ is str and v else _clean(v) for v in row] for row in rows]  # text: no call
    for row in out:
        while row and row[-1] is None:
            row.pop()
    while out and not out[-1]:
        out.pop()
    return out


def _read_calamine(data: bytes) -> dict[str, Rows]:
    import io

    from python_calamine import CalamineWorkbook

    workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    return {name: workbook.get_sheet_by_name(name).to_python(skip_empty_area=False) for name in workbook.sheet_names}
