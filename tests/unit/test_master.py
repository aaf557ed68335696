"""The district master workbook: layout, round trip in both formats, clear errors."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

from roadmap_office.errors import MasterError
from roadmap_office.master import ITEMS, SETTINGS, read_master, write_master
from roadmap_office.sheets import Cell, Column, Sheet, Workbook, write_workbook

SAROV_COUNTS = [8, 10, 6, 4, 6, 6, 2, 4, 5, 2, 6, 4, 12, 4]


def test_demo_roadmap_has_all_sarov_items(demo_roadmap):
    assert [len(s.items) for s in demo_roadmap.sections] == SAROV_COUNTS
    assert [s.number for s in demo_roadmap.sections] == [f"{n}." for n in range(1, 15)]
    assert demo_roadmap.sections[12].items[-1].number == "13.12."
    assert not [i for i in demo_roadmap.items if i.deadline.flagged]


@pytest.mark.parametrize("suffix", [".ods", ".xlsx"])
def test_round_trip_keeps_the_whole_model(tmp_path, demo_roadmap, suffix):
    path = write_master(demo_roadmap, tmp_path / f"master{suffix}")
    again = read_master(path)
    assert again.to_json() == demo_roadmap.to_json()
    assert [(s.code, s.students) for s in again.schools] == [(s.code, s.students) for s in demo_roadmap.schools]
    assert [(i.minimum, i.maximum, i.aggregation, i.target) for i in again.indicators] == [
        (i.minimum, i.maximum, i.aggregation, i.target) for i in demo_roadmap.indicators]
    assert again.school_roles == demo_roadmap.school_roles
    assert [(s.name, s.done) for s in again.statuses] == [(s.name, s.done) for s in demo_roadmap.statuses]
    assert again.deadline_vocabulary == demo_roadmap.deadline_vocabulary
    assert again.issuer == demo_roadmap.issuer


def test_item_split_by_page_break_is_joined(demo_roadmap):
    item = demo_roadmap.sections[1].items[0]
    assert item.number == "2.1."
    assert "«Лидер XXI века», направленного выявление, развитие" in item.event
    assert item.result.endswith("и повышение уровня их мотивации к волонтерской деятельности")


def test_aliases_become_canonical_executors(demo_roadmap):
    item = demo_roadmap.sections[0].items[0]  # "Департамент образования, МБОУ ДПО МЦ, ОБОУ"
    assert item.executors == ["Департамент образования", "МБОУ ДПО «Методический центр»",
                              "Общеобразовательные организации"]
    item = demo_roadmap.sections[0].items[3]  # "... МБОУ Школы №№ 10, 17"
    assert item.executors[-2:] == ["МБОУ Школа № 10", "МБОУ Школа № 17"]


def test_xlsx_master_looks_right(tmp_path, demo_roadmap):
    path = write_master(demo_roadmap, tmp_path / "master.xlsx")
    wb = load_workbook(path)
    ws = wb[ITEMS]
    assert ws.freeze_panes == "C2"
    assert ws["A1"].value == "№ п/п" and ws["A1"].font.b
    assert ws["B3"].alignment.wrap_text
    assert ws.column_dimensions["B"].width > 3 * ws.column_dimensions["A"].width
    assert ws.page_setup.orientation == "landscape"
    assert wb.sheetnames[:2] == [SETTINGS, ITEMS]


def test_master_edited_by_hand_is_read(tmp_path, demo_roadmap):
    """A specialist adds an item without a code and types an own deadline."""
    path = write_master(demo_roadmap, tmp_path / "master.xlsx")
    wb = load_workbook(path)
    ws = wb[ITEMS]
    ws.append(["14.5.", "Новое мероприятие", "ежемесячно", "ДО, ОО (по согласованию)", "Отчёт"])
    wb.save(path)
    roadmap = read_master(path)
    item = roadmap.sections[-1].items[-1]
    assert (item.number, item.key, item.deadline.recurrence.value) == ("14.5.", "14.5", "monthly")
    assert item.executors == ["Департамент образования", "Общеобразовательные организации"]
    assert item.by_agreement == ["Общеобразовательные организации"]


def test_duplicate_item_code_is_reported_with_its_cell(tmp_path, demo_roadmap):
    path = write_master(demo_roadmap, tmp_path / "master.xlsx")
    wb = load_workbook(path)
    wb[ITEMS]["F4"] = "1.1"
    wb.save(path)
    with pytest.raises(MasterError) as info:
        read_master(path)
    assert "код мероприятия «1.1» повторяется" in str(info.value)
    assert info.value.cell == "F4" and info.value.sheet == ITEMS


def test_bad_period_date_is_reported(tmp_path, demo_roadmap):
    path = write_master(demo_roadmap, tmp_path / "master.xlsx")
    wb = load_workbook(path)
    wb[SETTINGS]["B5"] = "когда-нибудь"
    wb.save(path)
    with pytest.raises(MasterError) as info:
        read_master(path)
    assert "ожидается дата" in str(info.value) and info.value.cell == "B5"


def test_foreign_workbook_is_not_a_master(tmp_path):
    path = write_workbook(Workbook([Sheet("Лист1", [Column("A")], [[Cell("x")]])]), tmp_path / "other.ods")
    with pytest.raises(MasterError, match="не мастер-книга"):
        read_master(path)


def test_broken_file_gives_a_russian_error(tmp_path):
    path = tmp_path / "broken.ods"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(MasterError, match="повреждён"):
        read_master(path)


def test_text_that_looks_like_a_formula_stays_text(tmp_path):
    book = Workbook([Sheet("Лист1", [Column("A")], [[Cell('=HYPERLINK("http://x";"y")')], [Cell("=cmd|' /C calc'!A0")]])])
    for suffix in (".xlsx", ".ods"):
        path = write_workbook(book, tmp_path / f"f{suffix}")
        if suffix == ".xlsx":
            ws = load_workbook(path)["Лист1"]
            assert ws["A1"].data_type == "s" and ws["A2"].data_type == "s"
        from roadmap_office.sheets.reading import read_workbook

        assert read_workbook(path)["Лист1"][0][0] == '=HYPERLINK("http://x";"y")'
