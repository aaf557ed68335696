"""A real LibreOffice opens the generated templates: dropdowns, checks, protection, metadata."""

from __future__ import annotations

from datetime import datetime

import pytest

from roadmap_office.forms import generate_templates
from roadmap_office.forms.layout import COL, HEADER_ROW, INDICATORS_SHEET, ITEMS_SHEET, LISTS_SHEET, META_SHEET
from roadmap_office.master import read_master, roadmap_fingerprint, write_master
from roadmap_office.sheets.spec import column_letter

pytestmark = pytest.mark.libreoffice


@pytest.fixture(scope="module")
def templates(tmp_path_factory, demo_roadmap):
    out = tmp_path_factory.mktemp("tpl")
    master = write_master(demo_roadmap, out / "master.ods")
    paths = generate_templates(master, out, school_codes=["S10"], blank=False, now=datetime(2022, 6, 1))
    return master, {p.suffix: p for p in paths}


def _cell(sheet, key, row):
    return sheet.getCellRangeByName(f"{column_letter(COL[key])}{row}")


def _rows_by_key(sheet, last=200):
    keys = sheet.getCellRangeByName(f"A1:A{last}").DataArray
    return {row[0]: n for n, row in enumerate(keys, start=1) if row[0]}


@pytest.mark.parametrize("suffix", [".ods", ".xlsx"])
def test_office_finds_the_dropdowns_and_checks(office, templates, demo_roadmap, suffix):
    from com.sun.star.sheet.ValidationAlertStyle import STOP
    from com.sun.star.sheet.ValidationType import DATE, DECIMAL, LIST, WHOLE

    master, paths = templates
    document = office.open(paths[suffix])
    try:
        items = document.Sheets.getByName(ITEMS_SHEET)
        rows = _rows_by_key(items)
        item_row, own_row = rows["1.1"], rows["+1.1"]

        status = _cell(items, "status", item_row).Validation
        assert status.Type == LIST and status.ErrorAlertStyle == STOP and status.ShowErrorMessage
        assert status.getFormula1().replace("'", "") == f"${LISTS_SHEET}.$A$2:$A$6"
        executor = _cell(items, "executor", item_row).Validation
        assert executor.Type == LIST
        n_exec = len(demo_roadmap.school_roles) + sum(1 for e in demo_roadmap.executors if e.kind.value != "school")
        assert executor.getFormula1().replace("'", "") == f"${LISTS_SHEET}.$B$2:$B${n_exec + 1}"
        deadline = _cell(items, "deadline", own_row).Validation
        assert deadline.Type == LIST
        n_deadlines = len(demo_roadmap.deadline_vocabulary)
        assert deadline.getFormula1().replace("'", "") == f"${LISTS_SHEET}.$C$2:$C${n_deadlines + 1}"
        assert _cell(items, "deadline", item_row).Validation.Type != LIST  # district deadline is fixed
        date_done = _cell(items, "date_done", item_row).Validation
        assert date_done.Type == DATE and date_done.ErrorAlertStyle == STOP
        assert "ДД.ММ.ГГГГ" in date_done.ErrorMessage
        bounds = (date_done.getFormula1().replace(",", ";"), date_done.getFormula2().replace(",", ";"))
        assert bounds in (("44197", "44926"), ("DATE(2021;1;1)", "DATE(2022;12;31)"))

        lists = document.Sheets.getByName(LISTS_SHEET)
        assert not lists.IsVisible and lists.isProtected()
        assert [r[0] for r in lists.getCellRangeByName("A2:A6").DataArray] == [
            "выполнено", "выполняется", "не начато", "не выполнено", "перенесено"]

        assert items.isProtected()
        assert _cell(items, "event", item_row).CellProtection.IsLocked
        assert _cell(items, "deadline", item_row).CellProtection.IsLocked
        assert not _cell(items, "status", item_row).CellProtection.IsLocked
        assert not _cell(items, "event", own_row).CellProtection.IsLocked
        assert items.getCellRangeByName(f"A{HEADER_ROW}").String == "Код"
        assert not items.Columns.getByIndex(0).IsVisible

        indicators = document.Sheets.getByName(INDICATORS_SHEET)
        percent = indicators.getCellRangeByName("E3").Validation
        assert percent.Type == DECIMAL and (percent.getFormula1(), percent.getFormula2()) == ("0", "100")
        assert indicators.getCellRangeByName("E4").Validation.Type == LIST
        assert indicators.getCellRangeByName("E5").Validation.Type == WHOLE

        meta = document.Sheets.getByName(META_SHEET)
        assert not meta.IsVisible
        values = {row[0]: row[2] for row in meta.getCellRangeByName("A2:C11").DataArray}
        assert values["school_code"] == "S10"
        assert values["roadmap_fingerprint"] == roadmap_fingerprint(read_master(master))
    finally:
        document.close(True)

