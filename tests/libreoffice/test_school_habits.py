"""What schools really do in Calc, done through UNO in a headless LibreOffice; each file is then
consolidated beside the clean demo files, and every figure is the one the school meant, or the
row is named in a finding and not counted."""

from __future__ import annotations

import shutil
from datetime import date

import pytest

from roadmap_office.forms.layout import COL, ITEMS_SHEET
from roadmap_office.master import read_master, roadmap_fingerprint
from roadmap_office.merging import consolidate
from roadmap_office.office import properties
from roadmap_office.pipeline import check_files, collect_inputs
from roadmap_office.sheets.spec import column_letter

pytestmark = pytest.mark.libreoffice

SCHOOL = "S13"
TEMPLATE = "Отчёт_S13_МБОУ_Школа_N_13_I_полугодие_2022_г"
STATUSES = ("не начато", "выполнено", "выполняется", "не выполнено")
FILTERS = {".ods": "calc8", ".xlsx": "Calc MS Excel 2007 XML"}


def _letter(key: str) -> str:
    return column_letter(COL[key])


def _fill(sheet) -> dict[str, int]:
    """Answer every item as a deputy head would; returns the row of each item key."""
    keys = [row[0] for row in sheet.getCellRangeByName("A1:A300").DataArray]
    rows = {key: n + 1 for n, key in enumerate(keys) if key and not key.startswith("+") and key != "Код"}
    for i, (key, row) in enumerate(rows.items()):
        status = STATUSES[i % len(STATUSES)]
        sheet.getCellRangeByName(f"{_letter('status')}{row}").String = status
        if status == "выполнено":
            sheet.getCellRangeByName(f"{_letter('date_done')}{row}").Value = (date(2022, 3, 1) - date(1899, 12, 30)).days
        sheet.getCellRangeByName(f"{_letter('result')}{row}").String = f"Итог по мероприятию {key}"
    return rows


def _sort_selection(sheet, first: int, last: int) -> None:
    """Data → Sort on a selection of the yellow columns of one section, by the status column."""
    import uno
    from com.sun.star.table import TableSortField

    selection = sheet.getCellRangeByName(f"{_letter('status')}{first}:{_letter('comment')}{last}")
    field = TableSortField()
    field.Field, field.IsAscending = 0, True
    descriptor = []
    for prop in selection.createSortDescriptor():
        if prop.Name == "SortFields":
            prop.Value = uno.Any("[]com.sun.star.table.TableSortField", (field,))
        elif prop.Name == "ContainsHeader":
            prop.Value = False
        descriptor.append(prop)
    selection.sort(tuple(descriptor))


def _district(demo_run, folder, replacement):
    """Consolidate the demo submissions with the school's file replaced."""
    shutil.copytree(demo_run.outdir / "submissions", folder)
    for old in folder.glob(f"Отчёт_{SCHOOL}_*"):
        old.unlink()
    shutil.copy(replacement, folder / replacement.name)
    roadmap = read_master(demo_run.master)
    checked = check_files(collect_inputs([folder]), roadmap, roadmap_fingerprint(roadmap), jobs=1)
    return consolidate(roadmap, checked, date(2022, 6, 30))


@pytest.mark.parametrize("template_suffix", [".ods", ".xlsx"])
def test_sorting_yellow_columns_is_refused_on_the_protected_sheet_and_named_when_unprotected(
        office, demo_run, tmp_path, template_suffix):
    template = demo_run.outdir / "templates" / f"{TEMPLATE}{template_suffix}"
    meant = tmp_path / f"{TEMPLATE}_как_задумано.ods"
    document = office.open(template, read_only=False)
    try:
        sheet = document.Sheets.getByName(ITEMS_SHEET)
        rows = _fill(sheet)
        document.storeToURL(meant.as_uri(), properties(FilterName="calc8"))
        section = [row for key, row in rows.items() if key.startswith("1.")]
        first, last = min(section), max(section)
        before = sheet.getCellRangeByName(f"A{first}:{_letter('comment')}{last}").DataArray

        assert sheet.isProtected()
        _sort_selection(sheet, first, last)  # the locked «Контроль» cells are in the selection
        assert sheet.getCellRangeByName(f"A{first}:{_letter('comment')}{last}").DataArray == before

        sheet.unprotect("")  # no password: one click in «Сервис → Защитить лист»
        _sort_selection(sheet, first, last)
        after = sheet.getCellRangeByName(f"A{first}:{_letter('comment')}{last}").DataArray
        moved = {row[0] for old, row in zip(before, after) if row[COL["check"]] != row[0]}
        assert len(moved) >= 3  # the sort did move statuses to other items
        sorted_files = []
        for suffix, filter_name in FILTERS.items():
            target = tmp_path / f"{TEMPLATE}_отсортирован{suffix}"
            document.storeToURL(target.as_uri(), properties(FilterName=filter_name))
            sorted_files.append(target)
    finally:
        document.close(True)

    reference = _district(demo_run, tmp_path / "meant", meant)
    meant_status = {r.item_key: r.status for r in reference.records if r.school == SCHOOL}
    for sorted_file in sorted_files:
        c = _district(demo_run, tmp_path / sorted_file.suffix.lstrip("."), sorted_file)
        findings = [f for f in c.findings if f.file == sorted_file.name and "«Контроль»" in f.message]
        named = {f.cell for f in findings}
        assert named == {f"{_letter('check')}{rows[key]}" for key in moved}, sorted_file.name
        assert all("отсортированы" in f.message and "не включена" in f.message for f in findings)
        records = {r.item_key: r for r in c.records if r.school == SCHOOL}
        for key, record in records.items():
            if key in moved:  # named and not counted
                assert record.status is None and record.problems == 1, key
            else:  # untouched rows keep what the school meant
                assert record.status == meant_status[key], key
        assert set(records) == set(meant_status)
        # the other schools' figures do not change
        others = [s for s in c.schools if s.school.code != SCHOOL]
        assert [(s.done, s.applicable) for s in others] == [
            (s.done, s.applicable) for s in reference.schools if s.school.code != SCHOOL]


def _serial(day: date) -> int:
    return (day - date(1899, 12, 30)).days


def test_typed_look_alike_status_and_done_after_as_of_are_named(office, demo_run, tmp_path):
    """A status typed on the English layout («выпoлнено» with a Latin «o») and «выполнено» dated
    after the report's as-of day: each named with its cell; the other rows count as meant."""
    document = office.open(demo_run.outdir / "templates" / f"{TEMPLATE}.xlsx", read_only=False)
    saved = tmp_path / f"{TEMPLATE}.xlsx"
    try:
        sheet = document.Sheets.getByName(ITEMS_SHEET)
        rows = _fill(sheet)
        latin_row, late_row = rows["1.1"], rows["1.2"]
        sheet.getCellRangeByName(f"{_letter('status')}{latin_row}").String = "выпoлнено"
        sheet.getCellRangeByName(f"{_letter('status')}{late_row}").String = "выполнено"
        sheet.getCellRangeByName(f"{_letter('date_done')}{late_row}").Value = _serial(date(2022, 7, 15))
        document.storeToURL(saved.as_uri(), properties(FilterName=FILTERS[".xlsx"]))
    finally:
        document.close(True)
    c = _district(demo_run, tmp_path / "district", saved)
    mine = {f.cell: f for f in c.findings if f.file == saved.name}
    latin = mine[f"{_letter('status')}{latin_row}"]
    assert "латинские буквы" in latin.message and "«o»" in latin.message and "«выполнено»" in latin.message
    late = mine[f"{_letter('date_done')}{late_row}"]
    assert "15.07.2022" in late.message and "30.06.2022" in late.message
    records = {r.item_key: r for r in c.records if r.school == SCHOOL}
    assert records["1.1"].status is None  # refused, so not counted as done
    assert records["1.2"].status == "выполнено" and records["1.2"].problems == 1


def _meta(document, changes: dict[str, str]) -> None:
    """Unprotect the hidden «Служебный» sheet (no password) and retype some of its values."""
    sheet = document.Sheets.getByName("Служебный")
    sheet.unprotect("")
    keys = [row[0] for row in sheet.getCellRangeByName("A1:A40").DataArray]
    for key, value in changes.items():
        sheet.getCellRangeByName(f"C{keys.index(key) + 1}").String = value


@pytest.mark.parametrize("changes", [
    {"school_code": "S14"},
    {"school_code": "S14", "school_name": "МБОУ Школа № 14"},
], ids=["code", "code-and-name"])
def test_a_template_with_another_schools_code_is_refused_naming_both(office, demo_run, tmp_path, changes):
    document = office.open(demo_run.outdir / "templates" / f"{TEMPLATE}.ods", read_only=False)
    saved = tmp_path / "Отчёт_Школа_14.xlsx"
    try:
        _fill(document.Sheets.getByName(ITEMS_SHEET))
        _meta(document, changes)
        document.storeToURL(saved.as_uri(), properties(FilterName=FILTERS[".xlsx"]))
    finally:
        document.close(True)
    folder = tmp_path / "district"
    c = _district(demo_run, folder, saved)
    (refused,) = [r for r in c.rejected if r.name == saved.name]
    assert "шаблон выдан организации «МБОУ Школа № 13» (код S13)" in refused.rejected
    assert "код в файле — S14 (в мастер-книге «МБОУ Школа № 14»)" in refused.rejected
    assert "не принят" in refused.rejected
    # S14's own report still counts; S13 is missing, not silently replaced
    clean = {s.school.code: (s.done, s.applicable) for s in demo_run.consolidation.schools}
    schools = {s.school.code: s for s in c.schools}
    assert (schools["S14"].file, (schools["S14"].done, schools["S14"].applicable)) == (
        "Отчёт_S14_МБОУ_Школа_N_14_I_полугодие_2022_г.xlsx", clean["S14"])
    assert not schools["S13"].submitted


def test_a_neighbours_template_filled_in_is_a_warning_at_the_top(office, demo_run, tmp_path):
    """School 13 fills in school 14's template and sends it: it is a second file of school 14 with
    other answers, so the district is warned before any figure."""
    document = office.open(demo_run.outdir / "templates" / "Отчёт_S14_МБОУ_Школа_N_14_I_полугодие_2022_г.ods",
                           read_only=False)
    saved = tmp_path / "Отчёт_школа_13.ods"
    try:
        _fill(document.Sheets.getByName(ITEMS_SHEET))
        document.storeToURL(saved.as_uri(), properties(FilterName=FILTERS[".ods"]))
    finally:
        document.close(True)
    c = _district(demo_run, tmp_path / "district", saved)
    summary = c.summary_json()
    assert [(d["school"], d["differ"]) for d in summary["duplicates"] if d["school"] == "S14"] == [("S14", True)]
    assert any(w.startswith("От МБОУ Школа № 14 (S14) получено несколько файлов с разными сведениями")
               and f"«{saved.name}»" in w for w in summary["warnings"])
