"""The district master workbook: layout, round trip in both formats, clear errors."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

from roadmap_office.errors import MasterError
from roadmap_office.master import (EXECUTORS, INDICATORS, ITEMS, SCHOOLS, SETTINGS, STATUSES, read_master,
                                   write_master)
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



def _delete_school_name_column(wb):
    wb[SCHOOLS].delete_cols(2)


def _no_status_done(wb):
    for row in wb[STATUSES].iter_rows(min_row=2):
        row[1].value = "нет"


def _period_ends_before_it_starts(wb):
    wb[SETTINGS]["B5"] = wb[SETTINGS]["B4"].value.replace(year=2019)


SPECIALIST_MISTAKES = [  # what a specialist does in the master, what the error says, the cell it names
    (_delete_school_name_column, "здесь должен быть заголовок «Краткое наименование», указано «Полное", SCHOOLS, "B1"),
    (lambda wb: wb[INDICATORS].delete_cols(4), "заголовок «Вид», указано «Минимум»", INDICATORS, "D1"),
    (lambda wb: wb[ITEMS].insert_cols(3), "заголовок «Ответственные исполнители», указано «Сроки»", ITEMS, "D1"),
    (lambda wb: wb[SCHOOLS].__setitem__("D2", 0), "целым числом не меньше 1", SCHOOLS, "D2"),
    (lambda wb: wb[SCHOOLS].__setitem__("D2", 812.5), "целым числом не меньше 1", SCHOOLS, "D2"),
    (lambda wb: wb[SCHOOLS].__setitem__("D2", -812), "целым числом не меньше 1", SCHOOLS, "D2"),
    (lambda wb: wb[SCHOOLS].__setitem__("D3", None), "не указано число обучающихся школы «L03», а показатель П1",
     SCHOOLS, "D3"),
    (lambda wb: wb[SCHOOLS].__setitem__("B3", None), "не указано краткое наименование школы «L03»", SCHOOLS, "B3"),
    (lambda wb: (wb[INDICATORS].__setitem__("E2", 90), wb[INDICATORS].__setitem__("F2", 10)),
     "минимум 90 больше максимума 10", INDICATORS, "E2"),
    (lambda wb: wb[INDICATORS].__setitem__("F2", 150), "в пределах от 0 до 100", INDICATORS, "F2"),
    (lambda wb: wb[INDICATORS].__setitem__("A3", "П1"), "код показателя «П1» повторяется", INDICATORS, "A3"),
    (lambda wb: wb[INDICATORS].__setitem__("A3", None), "не указан код показателя", INDICATORS, "A3"),
    (lambda wb: wb[INDICATORS].__setitem__("G3", "сумма"), "способ свода «сумма» не подходит для показателя вида "
     "«да/нет»", INDICATORS, "G3"),
    (lambda wb: wb[EXECUTORS].__setitem__("B3", "ДО; МЦ"), "написание «ДО» уже относится к исполнителю «Департамент "
     "образования»", EXECUTORS, "B3"),
    (lambda wb: wb[ITEMS].__setitem__("D3", "Общеобразовательные организаци"),
     "исполнитель «Общеобразовательные организаци» отсутствует на листе «Исполнители»", ITEMS, "D3"),
    (_period_ends_before_it_starts, "«Окончание периода реализации» раньше", SETTINGS, "B5"),
    (_no_status_done, "ни один статус не отмечен как выполненный", STATUSES, ""),
]


@pytest.mark.parametrize("edit,words,sheet,cell", SPECIALIST_MISTAKES)
def test_a_specialists_mistake_is_an_error_naming_its_cell(tmp_path, demo_roadmap, edit, words, sheet, cell):
    """Each of these was read before and changed the figures or the templates without a word."""
    path = write_master(demo_roadmap, tmp_path / "master.xlsx")
    wb = load_workbook(path)
    edit(wb)
    wb.save(path)
    with pytest.raises(MasterError) as info:
        read_master(path)
    assert words in str(info.value)
    assert (info.value.sheet, info.value.cell or "") == (sheet, cell)


def test_dates_computed_for_an_earlier_text_are_not_kept_for_a_new_one(tmp_path, demo_roadmap):
    """The «(расчёт)» columns hold the dates of the text the program last read; a text changed to
    one it does not understand is flagged, while dates the specialist types for it are used."""
    path = write_master(demo_roadmap, tmp_path / "master.xlsx")
    wb = load_workbook(path)
    wb[ITEMS]["C3"] = "своевременно"  # the dates and «однократно» of «Сентябрь 2021 г.» stay beside it
    wb[ITEMS]["C4"] = "по итогам аудита"
    wb[ITEMS]["I4"] = None  # the specialist cleared the label and typed the dates
    wb.save(path)
    first, second = read_master(path).sections[0].items[:2]
    assert first.deadline.flagged and first.deadline.start is None
    assert not second.deadline.flagged and second.deadline.end is not None


def test_an_unreadable_master_is_said_in_russian(tmp_path):
    import errno

    from roadmap_office.errors import os_reason

    (tmp_path / "master.ods").mkdir()
    with pytest.raises(MasterError, match="мастер-книга не читается: это папка, а не файл"):
        read_master(tmp_path / "master.ods")
    assert os_reason(PermissionError(errno.EACCES, "Permission denied")) == "нет прав доступа"
    assert os_reason(OSError(errno.EMLINK, "Too many links")) == f"ошибка операционной системы (код {errno.EMLINK})"

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
