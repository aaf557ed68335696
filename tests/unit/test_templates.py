"""School templates: what a school sees and what later steps rely on (XLSX via openpyxl)."""

from __future__ import annotations

from datetime import datetime

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from roadmap_office.cli import main
from roadmap_office.forms import generate_templates, template_filename
from roadmap_office.forms.layout import COL, HEADER_ROW, ITEMS_SHEET, LISTS_SHEET, META_SHEET, items_for_school
from roadmap_office.master import read_master, roadmap_fingerprint, write_master
from roadmap_office.sheets.reading import read_workbook
from roadmap_office.sheets.spec import column_letter

NOW = datetime(2022, 6, 20, 10, 30)


@pytest.fixture(scope="module")
def generated(tmp_path_factory, demo_roadmap):
    out = tmp_path_factory.mktemp("templates")
    master = write_master(demo_roadmap, out / "master.ods")
    paths = generate_templates(master, out / "t", school_codes=["S10", "S05"], now=NOW)
    return master, {p.name: p for p in paths}


def _xlsx(generated, code="S10"):
    _, paths = generated
    return next(p for name, p in paths.items() if name.endswith(".xlsx") and f"_{code}_" in name)


def test_one_file_per_school_and_format_plus_a_blank(generated):
    _, paths = generated
    assert sorted(paths) == sorted([
        "Отчёт_S10_МБОУ_Школа_N_10_I_полугодие_2022_г.ods", "Отчёт_S10_МБОУ_Школа_N_10_I_полугодие_2022_г.xlsx",
        "Отчёт_S05_МБОУ_Школа_N_5_I_полугодие_2022_г.ods", "Отчёт_S05_МБОУ_Школа_N_5_I_полугодие_2022_г.xlsx",
        "Отчёт_бланк_I_полугодие_2022_г.ods", "Отчёт_бланк_I_полугодие_2022_г.xlsx",
    ])


def test_file_names_are_safe_everywhere(demo_roadmap):
    school = demo_roadmap.schools[3]  # МБОУ «Школа-интернат № 9»
    name = template_filename(school, 'I/II полугодие: "2022"?', "ods")
    assert not set(name) & set('<>:"/\\|?*«»№ ')
    assert name.startswith("Отчёт_S09_МБОУ_Школа-интернат_N_9_")


def test_school_gets_its_items_only(demo_roadmap):
    s10 = next(s for s in demo_roadmap.schools if s.code == "S10")
    s05 = next(s for s in demo_roadmap.schools if s.code == "S05")
    # 1.4 names only schools 10 and 17; 1.3 is for the department alone
    assert "1.4" in items_for_school(demo_roadmap, s10)
    assert "1.4" not in items_for_school(demo_roadmap, s05)
    assert "1.3" not in items_for_school(demo_roadmap, s10)
    assert "1.1" in items_for_school(demo_roadmap, s05)


def test_items_for_a_school_follow_the_roadmap_they_are_asked_of():
    """The scope is worked out once per roadmap; another roadmap, or a school added to this one,
    is worked out again (a school the roadmap names is no longer one of "all schools")."""
    from dataclasses import replace

    from roadmap_office.demo import demo_roadmap
    from roadmap_office.model import Executor, ExecutorKind, School, Section

    roadmap = demo_roadmap()
    item = replace(roadmap.items[0], key="1.1", executors=["Гимназия № 5"])
    roadmap.sections = [Section("1.", "Раздел", [item])]
    roadmap.executors = [Executor("Гимназия № 5", kind=ExecutorKind.SCHOOL)]
    roadmap.schools = [School("S01", "МБОУ Школа № 1")]
    assert items_for_school(roadmap, roadmap.schools[0]) == {"1.1"}  # "Гимназия № 5" is no school of the list
    roadmap.schools.append(School("G05", "Гимназия № 5"))
    assert items_for_school(roadmap, roadmap.schools[0]) == set()
    assert items_for_school(roadmap, roadmap.schools[1]) == {"1.1"}
    assert items_for_school(demo_roadmap(), roadmap.schools[0]) != set()


def test_xlsx_dropdowns_point_at_the_hidden_lists(generated, demo_roadmap):
    wb = load_workbook(_xlsx(generated))
    ws = wb[ITEMS_SHEET]
    by_formula = {}
    for dv in ws.data_validations.dataValidation:
        by_formula.setdefault((dv.type, dv.formula1), []).append(dv)
        assert dv.errorStyle in (None, "stop") and dv.showErrorMessage  # absent means stop
        assert dv.showDropDown in (None, False)  # inverted in OOXML: the arrow is shown
    lists = wb[LISTS_SHEET]
    n_status = len(demo_roadmap.statuses)
    assert ("list", f"'{LISTS_SHEET}'!$A$2:$A${n_status + 1}") in by_formula
    assert [lists.cell(row=r, column=1).value for r in range(2, n_status + 2)] == [
        "выполнено", "выполняется", "не начато", "не выполнено", "перенесено"]
    executors = [c.value for c in lists["B"][1:] if c.value]
    assert executors[:2] == ["Директор", "Заместитель директора по воспитательной работе"]
    assert "Департамент образования" in executors
    deadlines = [c.value for c in lists["C"][1:] if c.value]
    assert deadlines == demo_roadmap.deadline_vocabulary
    assert ("list", f"'{LISTS_SHEET}'!$C$2:$C${len(deadlines) + 1}") in by_formula
    dates = [dv for (kind, _), dvs in by_formula.items() if kind == "date" for dv in dvs]
    assert dates and dates[0].formula1 == "DATE(2021,1,1)" and dates[0].formula2 == "DATE(2022,12,31)"
    assert lists.sheet_state == "hidden" and lists.protection.sheet
    # the status validation covers the status cell of the first item row
    first_item = HEADER_ROW + 2
    status_cell = f"{column_letter(COL['status'])}{first_item}"
    assert any(status_cell in dv.sqref for dv in by_formula[("list", f"'{LISTS_SHEET}'!$A$2:$A${n_status + 1}")])


def test_xlsx_district_columns_locked_school_columns_open(generated):
    ws = load_workbook(_xlsx(generated))[ITEMS_SHEET]
    row = HEADER_ROW + 2  # item 1.1
    assert ws.cell(row=row, column=COL["number"] + 1).value == "1.1."
    assert ws.protection.sheet
    for key in ("number", "event", "deadline", "result_expected"):
        assert ws.cell(row=row, column=COL[key] + 1).protection.locked
    for key in ("status", "date_done", "executor", "result", "link", "comment"):
        assert not ws.cell(row=row, column=COL[key] + 1).protection.locked
    assert ws.column_dimensions["A"].hidden  # stable item keys
    assert ws.cell(row=row, column=1).value == "1.1"
    assert ws.freeze_panes == "D4"
    assert ws.print_title_rows == "$3:$3"
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth in (None, 1)  # absent means 1


def test_own_event_rows_under_each_section(generated, demo_roadmap):
    ws = load_workbook(_xlsx(generated))[ITEMS_SHEET]
    keys = [ws.cell(row=r, column=1).value for r in range(1, ws.max_row + 1)]
    own = [k for k in keys if k and str(k).startswith("+")]
    assert len(own) == 2 * len(demo_roadmap.sections)
    row = keys.index("+1.1") + 1
    for key in ("event", "deadline", "result_expected", "status", "executor"):
        assert not ws.cell(row=row, column=COL[key] + 1).protection.locked


def test_metadata_names_master_school_and_period(generated):
    master, _ = generated
    sheets = read_workbook(_xlsx(generated))
    meta = {row[0]: row[2] for row in sheets[META_SHEET][1:]}
    assert meta["school_code"] == "S10"
    assert meta["reporting_period"] == "I полугодие 2022 г."
    assert meta["roadmap_fingerprint"] == roadmap_fingerprint(read_master(master))
    assert meta["template_version"] == "2"
    assert meta["generated_at"] == "2022-06-20T10:30:00"
    assert len(meta["template_id"]) == 36
    wb = load_workbook(_xlsx(generated))
    assert wb[META_SHEET].sheet_state == "hidden"


def test_indicator_values_are_checked(generated, demo_roadmap):
    ws = load_workbook(_xlsx(generated))["Показатели"]
    rules = {cells: dv for dv in ws.data_validations.dataValidation for cells in str(dv.sqref).split()}
    percent = rules["E3"]  # П1, percent 0..100
    assert (percent.type, percent.formula1, percent.formula2) == ("decimal", "0", "100")
    yesno = rules["E4"]  # П2, yes/no
    assert yesno.type == "list" and yesno.formula1 == f"'{LISTS_SHEET}'!$D$2:$D$3"
    count = rules["E7"]  # П5, 0..5 people
    assert (count.type, count.formula1, count.formula2) == ("whole", "0", "5")


def test_ods_and_xlsx_carry_the_same_content(generated):
    _, paths = generated
    ods = read_workbook(next(p for n, p in paths.items() if n.endswith(".ods") and "_S10_" in n))
    xlsx = read_workbook(_xlsx(generated))
    assert list(ods) == list(xlsx)
    for name in ods:
        if name == META_SHEET:
            continue
        assert ods[name] == xlsx[name], name


def test_password_protects_sheets(tmp_path, demo_roadmap):
    master = write_master(demo_roadmap, tmp_path / "master.ods")
    path = generate_templates(master, tmp_path, formats=("xlsx",), school_codes=["S10"], password="секрет",
                              blank=False)[0]
    assert load_workbook(path)[ITEMS_SHEET].protection.password


def test_cli_templates(tmp_path, demo_roadmap):
    master = write_master(demo_roadmap, tmp_path / "master.xlsx")
    result = CliRunner().invoke(main, ["templates", str(master), "-o", str(tmp_path / "out"), "--format", "xlsx",
                                       "--school", "G02", "--period", "II полугодие 2022 г."])
    assert result.exit_code == 0, result.output
    assert "Создано шаблонов: 2" in result.output
    assert (tmp_path / "out" / "Отчёт_G02_МБОУ_Гимназия_N_2_II_полугодие_2022_г.xlsx").exists()
    bad = CliRunner().invoke(main, ["templates", str(master), "-o", str(tmp_path / "o"), "--school", "X99"])
    assert bad.exit_code == 2 and "нет школы с кодом «X99»" in bad.output
    bad = CliRunner().invoke(main, ["templates", str(master), "-o", str(tmp_path / "o"), "--format", "pdf"])
    assert bad.exit_code == 2 and "неизвестный формат «pdf»" in bad.output
