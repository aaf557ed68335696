"""Habits of schools, made by a real LibreOffice: each file is consolidated beside the clean demo
files, and the district figure is the one the school meant, or the file carries a finding that
names the cell.

Excel's «Strict Open XML» is made from an XLSX that LibreOffice saved, by the transformation
Excel's Strict writer applies (tests/fixtures/strict_ooxml.py): LibreOffice does not write it.
"""

from __future__ import annotations

import importlib.util
import zipfile
from datetime import date
from pathlib import Path

import pytest

from roadmap_office.checking import check_file
from roadmap_office.checking import messages as M
from roadmap_office.forms.layout import COL, INDICATORS_SHEET, ITEMS_SHEET
from roadmap_office.master import read_master, roadmap_fingerprint
from roadmap_office.merging import consolidate
from roadmap_office.office import properties
from roadmap_office.reading import read_book

pytestmark = pytest.mark.libreoffice

G02 = "Отчёт_G02_МБОУ_Гимназия_N_2_I_полугодие_2022_г.ods"
FILTERS = {".ods": "calc8", ".xlsx": "Calc MS Excel 2007 XML"}
AS_OF = date(2022, 6, 30)
PERCENT_CELL = "E6"  # П4, a percent indicator


@pytest.fixture(scope="module")
def roadmap(demo_run):
    master = read_master(demo_run.master)
    return master, roadmap_fingerprint(master)


def _save_from_office(office, source: Path, targets: list[Path], change) -> None:
    document = office.open(source, read_only=False)
    try:
        change(office, document)
        for target in targets:
            document.storeToURL(target.as_uri(), properties(FilterName=FILTERS[target.suffix]))
    finally:
        document.close(True)


def _type(office, document, sheet_name: str, cell_name: str, text: str) -> None:
    """Type ``text`` into a cell as a person does (the input line: numbers, dates and percents
    recognised and formatted), not as the API's ``setFormula``."""
    sheet = document.Sheets.getByName(sheet_name)
    controller = document.CurrentController
    controller.setActiveSheet(sheet)
    controller.select(sheet.getCellRangeByName(cell_name))
    office.service("com.sun.star.frame.DispatchHelper").executeDispatch(
        controller.Frame, ".uno:EnterString", "", 0, properties(StringName=text))


def _district(roadmap, demo_run, files: list[Path], code: str):
    others = [p for p in sorted((demo_run.outdir / "submissions").iterdir()) if p.name != G02]
    results = [check_file(p, *roadmap) for p in others + files]
    consolidation = consolidate(roadmap[0], results, AS_OF)
    return next(i for i in consolidation.indicators if i.indicator.code == code), results


@pytest.mark.parametrize("suffix", [".ods", ".xlsx"])
def test_a_percent_typed_with_its_sign_counts_as_meant(office, demo_run, roadmap, tmp_path, suffix):
    source = demo_run.outdir / "submissions" / G02
    typed, plain = tmp_path / f"typed{suffix}", tmp_path / f"plain{suffix}"
    _save_from_office(office, source, [typed], lambda o, d: _type(o, d, INDICATORS_SHEET, PERCENT_CELL, "45%"))
    _save_from_office(office, source, [plain], lambda o, d: _type(o, d, INDICATORS_SHEET, PERCENT_CELL, "45"))
    assert read_book(typed.read_bytes()).percent_cells[INDICATORS_SHEET] == {(5, 4)}  # 0.45 shown as 45 %
    with_sign, results = _district(roadmap, demo_run, [typed], "П4")
    without, _ = _district(roadmap, demo_run, [plain], "П4")
    assert with_sign.values["G02"] == without.values["G02"] == 45
    assert with_sign.district == without.district
    assert not [f for f in results[-1].findings if f.sheet == INDICATORS_SHEET]


def test_a_fraction_put_in_by_a_program_is_named_not_counted(office, demo_run, roadmap, tmp_path):
    """``setFormula("45%")`` stores 0.45 with no percent format: a bare fraction among percents."""
    source = demo_run.outdir / "submissions" / G02
    saved = tmp_path / "fraction.xlsx"

    def put(office, document):
        document.Sheets.getByName(INDICATORS_SHEET).getCellRangeByName(PERCENT_CELL).setFormula("45%")

    _save_from_office(office, source, [saved], put)
    summary, results = _district(roadmap, demo_run, [saved], "П4")
    assert summary.values["G02"] is None
    finding = next(f for f in results[-1].findings if f.sheet == INDICATORS_SHEET)
    assert (finding.cell, finding.value, finding.severity) == (PERCENT_CELL, "0,45", "error")
    assert finding.message == M.PERCENT_AS_FRACTION.format(value="0,45", code="П4", percent="45")


def test_a_merge_over_filled_cells_is_named(office, demo_run, roadmap, tmp_path):
    source = demo_run.outdir / "submissions" / G02
    targets = [tmp_path / "merged.ods", tmp_path / "merged.xlsx"]
    area = {}

    def merge(office, document):
        sheet = document.Sheets.getByName(ITEMS_SHEET)
        keys = [row[0] for row in sheet.getCellRangeByName("A1:A200").DataArray]
        row = keys.index("1.1") + 1
        status = chr(ord("A") + COL["status"])
        area["name"] = f"{status}{row}:{status}{row + 1}"
        assert sheet.getCellRangeByName(f"{status}{row + 1}").String  # both statuses are filled
        sheet.unprotect("")
        sheet.getCellRangeByName(area["name"]).merge(True)

    _save_from_office(office, source, targets, merge)
    for path in targets:
        summary, results = _district(roadmap, demo_run, [path], "П4")
        merged = [f for f in results[-1].findings if f.message == M.MERGED_DATA.format(area=area["name"])]
        assert [(f.sheet, f.cell, f.severity) for f in merged] == [(ITEMS_SHEET, area["name"], "error")], path.name



@pytest.mark.parametrize("sheet_name,before,cell,title", [
    (INDICATORS_SHEET, 4, "E2", "Значение"),  # a column put before the values: they would read as another's
    (INDICATORS_SHEET, 2, "C2", "Единица измерения"),  # after the name: the target would read as the value
    (ITEMS_SHEET, COL["status"] + 1, "G3", "Контроль"),  # after «Статус»: dates would read as the key
])
def test_a_column_inserted_after_removing_protection_refuses_the_file(office, demo_run, roadmap, tmp_path,
                                                                       sheet_name, before, cell, title):
    """A school unprotects a sheet and inserts a column: every value after it sits in another
    column's place. The file is refused naming the header cell, never read shifted."""
    source = demo_run.outdir / "submissions" / G02
    targets = [tmp_path / "inserted.ods", tmp_path / "inserted.xlsx"]

    def insert(office, document):
        sheet = document.Sheets.getByName(sheet_name)
        sheet.unprotect("")
        sheet.Columns.insertByIndex(before, 1)

    _save_from_office(office, source, targets, insert)
    for path in targets:
        result = check_file(path, *roadmap)
        assert result.rejected == M.COLUMNS_CHANGED.format(sheet=sheet_name, cell=cell, expected=title,
                                                           found="пусто"), path.name
        assert not result.records and not result.indicators


def test_a_sheet_left_unprotected_is_named(office, demo_run, roadmap, tmp_path):
    """With its protection removed a sheet can be sorted in part (one yellow column) and nothing
    in the file shows it: the sheet is named, so the school and the district look at it."""
    source = demo_run.outdir / "submissions" / G02
    targets = [tmp_path / "unprotected.ods", tmp_path / "unprotected.xlsx"]

    def unprotect(office, document):
        document.Sheets.getByName(ITEMS_SHEET).unprotect("")

    _save_from_office(office, source, targets, unprotect)
    for path in targets:
        result = check_file(path, *roadmap)
        assert [(f.sheet, f.severity) for f in result.findings if f.message == M.PROTECTION_REMOVED] == [
            (ITEMS_SHEET, "warning")], path.name
    clean = check_file(source, *roadmap)  # the template as generated keeps every sheet protected
    assert not [f for f in clean.findings if f.message == M.PROTECTION_REMOVED]


def test_a_date_typed_without_dots_is_named_with_the_likely_cause(office, demo_run, roadmap, tmp_path):
    """«3105» typed into a date cell is the 3105th day after 1899-12-30: 01.07.1908."""
    source = demo_run.outdir / "submissions" / G02
    saved = tmp_path / "typed.ods"
    where = {}

    def type_date(office, document):
        sheet = document.Sheets.getByName(ITEMS_SHEET)
        keys = [row[0] for row in sheet.getCellRangeByName("A1:A200").DataArray]
        where["cell"] = f"{chr(ord('A') + COL['date_done'])}{keys.index('1.1') + 1}"
        _type(office, document, ITEMS_SHEET, where["cell"], "3105")

    _save_from_office(office, source, [saved], type_date)
    result = check_file(saved, *roadmap)
    (finding,) = [f for f in result.findings if f.cell == where["cell"]]
    assert finding.message.startswith("дата 01.07.1908 вне периода") and M.DATE_AS_DAY_NUMBER in finding.message


def test_a_value_typed_into_the_comment_is_named(office, demo_run, roadmap, tmp_path):
    """The value left blank and «55» typed one cell to the right, in «Комментарий»."""
    source = demo_run.outdir / "submissions" / G02
    saved = tmp_path / "comment.xlsx"

    def type_in_comment(office, document):
        document.Sheets.getByName(INDICATORS_SHEET).getCellRangeByName(PERCENT_CELL).setString("")
        _type(office, document, INDICATORS_SHEET, "F6", "55 по итогам опроса")

    _save_from_office(office, source, [saved], type_in_comment)
    summary, results = _district(roadmap, demo_run, [saved], "П4")
    assert summary.values["G02"] is None
    (finding,) = [f for f in results[-1].findings if f.sheet == INDICATORS_SHEET]
    assert (finding.cell, finding.severity) == (PERCENT_CELL, "warning")
    assert finding.message == M.INDICATOR_IN_COMMENT.format(code="П4", comment="55 по итогам опроса")

def test_a_file_saved_with_a_basic_library_is_accepted_with_the_macro_note(office, demo_run, roadmap, tmp_path):
    source = demo_run.outdir / "submissions" / G02
    saved = tmp_path / "macros.ods"

    def add_library(office, document):
        libraries = document.BasicLibraries
        library = libraries.getByName("Standard") if libraries.hasByName("Standard") \
            else libraries.createLibrary("Standard")
        library.insertByName("Module1", "Sub Main\n  MsgBox \"Привет\"\nEnd Sub\n")

    _save_from_office(office, source, [saved], add_library)
    assert any(name.startswith("Basic/") for name in zipfile.ZipFile(saved).namelist())
    clean = check_file(source, *roadmap)
    result = check_file(saved, *roadmap)
    assert not result.rejected
    assert M.MACROS in [f.message for f in result.findings]
    assert [(r.item_key, r.status) for r in result.records] == [(r.item_key, r.status) for r in clean.records]
    with_macros, _ = _district(roadmap, demo_run, [saved], "П4")
    as_sent, _ = _district(roadmap, demo_run, [source], "П4")
    assert with_macros.district == as_sent.district


def test_a_strict_open_xml_workbook_is_read(office, demo_run, roadmap, tmp_path):
    source = demo_run.outdir / "submissions" / G02
    saved = tmp_path / "office.xlsx"
    _save_from_office(office, source, [saved], lambda o, d: None)
    book = read_book(saved.read_bytes())
    dated = {f"{chr(ord('A') + COL['date_done'])}{n + 1}" for n, row in enumerate(book.sheets[ITEMS_SHEET])
             if len(row) > COL["date_done"] and isinstance(row[COL["date_done"]], date)}
    assert dated
    spec = importlib.util.spec_from_file_location("strict_ooxml", Path(__file__).parents[1] / "fixtures"
                                                  / "strict_ooxml.py")
    strict_ooxml = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(strict_ooxml)
    strict = tmp_path / "strict.xlsx"
    strict.write_bytes(strict_ooxml.to_strict(saved.read_bytes(), {"xl/worksheets/sheet1.xml": dated}))
    assert read_book(strict.read_bytes()).sheets == book.sheets
    from_strict, results = _district(roadmap, demo_run, [strict], "П4")
    from_office, _ = _district(roadmap, demo_run, [saved], "П4")
    assert not results[-1].rejected
    assert from_strict.district == from_office.district and from_strict.values == from_office.values
