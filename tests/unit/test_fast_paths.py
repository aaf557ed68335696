"""The fast paths give what the plain ones gave: formulas are still found behind the byte
pre-check, the streamed ODS writer writes the same cells as the XLSX writer."""

from __future__ import annotations

import zipfile

from roadmap_office.reading.container import inspect_container
from roadmap_office.sheets import Cell, Column, Sheet, Workbook, write_workbook


def _book() -> Workbook:
    sheet = Sheet("Лист", [Column("А", 3), Column("Б", 3)])
    sheet.add_row(Cell("текст & <знаки>"), Cell(12.5, "number"))
    return Workbook([sheet])


def _rewrite(path, member, old: bytes, new: bytes) -> None:
    with zipfile.ZipFile(path) as z:
        parts = [(info, z.read(info.filename)) for info in z.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in parts:
            z.writestr(info, data.replace(old, new) if info.filename == member else data)


def test_formulas_are_found_with_any_prefix(tmp_path):
    ods = write_workbook(_book(), tmp_path / "a.ods")
    _rewrite(ods, "content.xml", b'office:value-type="float"', b'tb:formula="of:=1+1" office:value-type="float"')
    _rewrite(ods, "content.xml", b"<office:document-content",
             b'<office:document-content xmlns:tb="urn:oasis:names:tc:opendocument:xmlns:table:1.0"')
    assert [(f.sheet, f.cell) for f in inspect_container(ods).formulas] == [("Лист", "B1")]
    assert inspect_container(write_workbook(_book(), tmp_path / "b.ods")).formulas == []

    xlsx = write_workbook(_book(), tmp_path / "c.xlsx")
    with zipfile.ZipFile(xlsx) as z:
        sheet = next(n for n in z.namelist() if n.startswith("xl/worksheets/sheet"))
        data = z.read(sheet)
    cell = data[data.index(b"<c ", data.index(b'r="B1"') - 20):]
    cell = cell[: cell.index(b"</c>") + 4]
    value = cell[cell.index(b"<v>"):]
    _rewrite(xlsx, sheet, value, b"<f>1+1</f>" + value)
    assert [(f.sheet, f.cell, f.formula) for f in inspect_container(xlsx).formulas] == [("Лист", "B1", "1+1")]
    assert inspect_container(write_workbook(_book(), tmp_path / "d.xlsx")).formulas == []
