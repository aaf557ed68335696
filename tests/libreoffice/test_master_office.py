"""A real headless LibreOffice opens the master workbook we wrote, and its saves read back."""

from __future__ import annotations

import re

import pytest

from roadmap_office.master import ITEMS, SETTINGS, read_master, write_master
from roadmap_office.office import convert_to_pdf, properties

pytestmark = pytest.mark.libreoffice


@pytest.mark.parametrize("suffix", [".ods", ".xlsx"])
def test_office_reads_the_master_through_uno(office, tmp_path, demo_roadmap, suffix):
    master = write_master(demo_roadmap, tmp_path / f"master{suffix}")
    document = office.open(master)
    try:
        sheets = document.Sheets
        assert list(sheets.ElementNames)[:2] == [SETTINGS, ITEMS]
        items = sheets.getByName(ITEMS)
        assert items.getCellRangeByName("A1").String == "№ п/п"
        assert items.getCellRangeByName("A2").String == "1."
        assert items.getCellRangeByName("B2").String.startswith("Мероприятия по организационно-управленческому")
        assert items.getCellRangeByName("A3").String == "1.1."
        assert items.getCellRangeByName("C3").String == "Сентябрь 2021 г."
        # dates are real dates for LibreOffice (serial 44440 = 01.09.2021), not text
        assert items.getCellRangeByName("G3").Value == 44440
        settings = sheets.getByName(SETTINGS)
        assert settings.getCellRangeByName("B2").String == demo_roadmap.title
        cursor = items.createCursor()
        cursor.gotoEndOfUsedArea(False)
        # header + 14 section rows + 79 items
        assert cursor.RangeAddress.EndRow + 1 == 1 + 14 + 79
    finally:
        document.close(True)


@pytest.mark.parametrize("filter_name,suffix", [("calc8", ".ods"), ("Calc MS Excel 2007 XML", ".xlsx")])
def test_master_saved_by_office_reads_back_the_same(office, tmp_path, demo_roadmap, filter_name, suffix):
    """A specialist opens the master in LibreOffice and saves it: nothing is lost."""
    master = write_master(demo_roadmap, tmp_path / "master.ods")
    saved = tmp_path / f"saved{suffix}"
    document = office.open(master)
    try:
        document.storeToURL(saved.as_uri(), properties(FilterName=filter_name))
    finally:
        document.close(True)
    assert read_master(saved).to_json() == demo_roadmap.to_json()


def test_master_renders_to_pdf_landscape(tmp_path, demo_roadmap):
    master = write_master(demo_roadmap, tmp_path / "master.ods")
    pdf = convert_to_pdf(master)
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    boxes = [(round(float(w)), round(float(h))) for w, h in
             re.findall(rb"/MediaBox\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]/Contents", data)]
    # the settings sheet is an A4 portrait page, the 79 items fill several A4 landscape pages
    assert boxes[0] == (595, 842)
    assert boxes.count((842, 595)) >= 5
