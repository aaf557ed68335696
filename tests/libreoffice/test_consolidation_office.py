"""LibreOffice opens every output, and reports that LibreOffice itself saved are read correctly."""

from __future__ import annotations

from datetime import date

import pytest

from roadmap_office.checking import check_file
from roadmap_office.forms.layout import COL, ITEMS_SHEET
from roadmap_office.master import read_master, roadmap_fingerprint
from roadmap_office.office import properties
from roadmap_office.sheets.spec import column_letter

pytestmark = pytest.mark.libreoffice


def test_office_opens_all_outputs(office, demo_run):
    report = demo_run.outdir / "report"
    for name in ("Свод_по_дорожной_карте.xlsx", "Свод_по_дорожной_карте.ods"):
        document = office.open(report / name)
        try:
            schools = document.Sheets.getByName("По школам")
            assert schools.getCellRangeByName("A3").String == "G02"
            assert schools.getCellRangeByName("F3").Value == pytest.approx(56.0)
            assert schools.DrawPage.Count == 1
            sections = document.Sheets.getByName("По разделам")
            assert sections.DrawPage.Count == 1  # the native chart object
        finally:
            document.close(True)
    document = office.open(report / "Сводный_отчёт.odt")
    try:
        body = document.Text.String
        assert "СВОДНЫЙ ОТЧЁТ" in body and "Данные по состоянию на 30.06.2022." in body
        # key figures, sections, 14 item tables, schools, indicators, the periods (one), problems
        assert document.TextTables.Count == 20
        assert document.DrawPage.Count == 3  # the charts: sections, schools, indicators in percent
    finally:
        document.close(True)


@pytest.mark.parametrize("filter_name,suffix", [("calc8", ".ods"), ("Calc MS Excel 2007 XML", ".xlsx")])
def test_report_filled_and_saved_in_office_is_read(office, demo_run, tmp_path, filter_name, suffix):
    """A deputy head fills the template in LibreOffice and saves it: check reads what was typed."""
    template = demo_run.outdir / "templates" / "Отчёт_S13_МБОУ_Школа_N_13_I_полугодие_2022_г.ods"
    saved = tmp_path / f"Отчёт_S13{suffix}"
    document = office.open(template, read_only=False)
    try:
        sheet = document.Sheets.getByName(ITEMS_SHEET)
        keys = [row[0] for row in sheet.getCellRangeByName("A1:A200").DataArray]
        row = keys.index("1.1") + 1

        def cell(key):
            return sheet.getCellRangeByName(f"{column_letter(COL[key])}{row}")

        cell("status").String = "Выполнено"  # another case: accepted and normalised
        cell("date_done").Value = (date(2021, 9, 20) - date(1899, 12, 30)).days
        cell("executor").String = "Советник директора по воспитанию"
        cell("result").String = "Программа воспитания размещена на сайте"
        cell("link").String = "https://school13.sarov.ru/vospitanie"
        document.storeToURL(saved.as_uri(), properties(FilterName=filter_name))
    finally:
        document.close(True)
    roadmap = read_master(demo_run.master)
    result = check_file(saved, roadmap, roadmap_fingerprint(roadmap))
    assert not result.rejected and result.school == "S13"
    # the one filled row is clean; every other item is reported as still without a status
    assert f"{column_letter(COL['status'])}{row}" not in {f.cell for f in result.findings}
    assert {f.message.split(" мероприятия ")[0] for f in result.findings} == {"не указан статус"}
    assert len(result.findings) == len(result.records) - 1
    record = next(r for r in result.records if r.item_key == "1.1")
    assert (record.status, record.date_done, record.executor, record.link) == (
        "выполнено", date(2021, 9, 20), "Советник директора по воспитанию", "https://school13.sarov.ru/vospitanie")
    assert result.saved_at is not None  # LibreOffice stamped its own save time


def test_master_saved_again_in_office_outdates_no_template(office, demo_run, tmp_path):
    """The district specialist opens the master and saves it unchanged: no school is told its
    template is for another version of the roadmap."""
    saved = tmp_path / "master.ods"
    document = office.open(demo_run.master, read_only=False)
    try:
        document.storeToURL(saved.as_uri(), properties(FilterName="calc8"))
    finally:
        document.close(True)
    assert saved.read_bytes() != demo_run.master.read_bytes()
    roadmap = read_master(saved)
    submission = demo_run.outdir / "submissions" / "Отчёт_G02_МБОУ_Гимназия_N_2_I_полугодие_2022_г.ods"
    result = check_file(submission, roadmap, roadmap_fingerprint(roadmap))
    assert not result.rejected
    assert not [f for f in result.findings if "другой версии" in f.message]


def test_office_opens_streamed_records(office, demo_run, tmp_path):
    """A region's workbook: the office reads the records sheet's shared texts, dates and numbers,
    and the charts of the other sheets stay."""
    from roadmap_office.rendering import consolidated_workbook
    from roadmap_office.sheets import write_workbook

    book = consolidated_workbook(demo_run.consolidation)
    records = book.sheet("Все записи")
    done = next(n for n, row in enumerate(records.rows) if n and row[7].value)
    document = office.open(write_workbook(book, tmp_path / "Свод.xlsx"))
    try:
        sheet = document.Sheets.getByName("Все записи")
        assert sheet.getCellRangeByName("A1").String == "Код школы"
        assert sheet.getCellRangeByName(f"H{done + 1}").String == f"{records.rows[done][7].value:%d.%m.%Y}"
        assert sheet.getCellRangeByName(f"N{done + 1}").Value == records.rows[done][13].value
        assert sheet.getCellRangeByName(f"A{len(records.rows)}").String == records.rows[-1][0].value
        assert document.Sheets.getByName("По школам").DrawPage.Count == 1
    finally:
        document.close(True)
