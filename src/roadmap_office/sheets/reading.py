"""Read the cell values of an ODS or XLSX workbook: {sheet name: rows of values}.

python-calamine (Rust) is used when it is installed; inside LibreOffice, where only pure Python
is available, openpyxl and odfpy read the same files. Values come back as str, float/int, bool,
date or None; trailing empty cells and rows are dropped.
"""

from __future__ import annotations

import os
from datetime import date, datetime
from pathlib import Path
from typing import Any

from ..errors import FileReadError

Rows = list[list[Any]]


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
    """True when python-calamine is installed (not inside LibreOffice's own Python)."""
    try:
        import python_calamine  # noqa: F401
    except ImportError:
        return False
    return True


def read_scanned(data: bytes, kind: str) -> dict[str, Rows]:
    """Read a workbook whose container :func:`inspect_container` has passed."""
    try:
        if fast_reader():
            sheets = _read_calamine(data)
        else:
            sheets = _read_ods_odfpy(data) if kind == "ods" else _read_xlsx_openpyxl(data)
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
    out = [[_clean(v) for v in row] for row in rows]
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


def _read_xlsx_openpyxl(data: bytes) -> dict[str, Rows]:
    import io

    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        return {ws.title: [list(row) for row in ws.iter_rows(values_only=True)] for ws in wb.worksheets}
    finally:
        wb.close()


def _read_ods_odfpy(data: bytes) -> dict[str, Rows]:
    import io

    from odf import opendocument, table, text
    from odf.namespaces import OFFICENS, TABLENS

    doc = opendocument.load(io.BytesIO(data))
    result: dict[str, Rows] = {}
    for t in doc.spreadsheet.getElementsByType(table.Table):
        rows: Rows = []
        for tr in t.getElementsByType(table.TableRow):
            row: list[Any] = []
            for cell in tr.childNodes:
                if cell.qname[1] not in ("table-cell", "covered-table-cell"):
                    continue
                repeat = int(cell.attributes.get((TABLENS, "number-columns-repeated"), 1))
                value = _odf_value(cell, text, OFFICENS)
                row.extend([value] * min(repeat, 1024))
            repeat_rows = int(tr.attributes.get((TABLENS, "number-rows-repeated"), 1))
            rows.extend([list(row) for _ in range(min(repeat_rows, 1024 if any(v is not None for v in row) else 1))])
        result[t.getAttribute("name")] = rows
    return result


def _odf_value(cell, text_module, officens) -> Any:
    kind = cell.attributes.get((officens, "value-type"))
    if kind in ("float", "percentage", "currency"):
        return float(cell.attributes[(officens, "value")])
    if kind == "date":
        raw = cell.attributes[(officens, "date-value")]
        return datetime.fromisoformat(raw) if "T" in raw else date.fromisoformat(raw)
    if kind == "boolean":
        return cell.attributes[(officens, "boolean-value")] == "true"
    paragraphs = cell.getElementsByType(text_module.P)
    if not paragraphs:
        return None
    return "\n".join(_text_of(p) for p in paragraphs)


def _text_of(node) -> str:
    parts = []
    for child in node.childNodes:
        if child.nodeType == child.TEXT_NODE:
            parts.append(str(child.data))
        elif child.qname[1] == "s":
            parts.append(" " * int(child.attributes.get((child.qname[0], "c"), 1)))
        elif child.qname[1] == "tab":
            parts.append("\t")
        elif child.qname[1] == "line-break":
            parts.append("\n")
        else:
            parts.append(_text_of(child))
    return "".join(parts)
