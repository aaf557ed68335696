"""The streaming writers give the document the plain ones gave: every cell with its type and
text, validations, charts, autofilter, merges, header rows, hidden and protected sheets.

Read back with odfpy's document tree and openpyxl (readers independent of the writers) and
compared with the spec the writers were given.
"""

from __future__ import annotations

import zipfile
from datetime import date

import pytest
from lxml import etree

from roadmap_office.sheets import Cell, Chart, Column, Sheet, Validation, Workbook, write_workbook
from roadmap_office.reading import read_book

T = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
DRAW = "{urn:oasis:names:tc:opendocument:xmlns:drawing:1.0}"


def _book() -> Workbook:
    data = Sheet("Данные", [Column("№", 1.5), Column("Текст", 6), Column("Число", 2), Column("Дата", 2.5),
                            Column("Скрытый", 2, hidden=True)],
                 freeze_rows=2, freeze_cols=1, repeat_rows=(2, 2), autofilter="A2:E6")
    data.add_row(Cell("Заголовок & «кавычки» <теги>", "title"))
    data.merges.append("A1:E1")
    data.add_row("№", "Текст", "Число", "Дата", "Скрытый", style="header")
    data.add_row(1, "строка\nвторая строка", Cell(12.5, "number"), Cell(date(2022, 6, 30), "date"), True)
    data.add_row(2, 'знаки " \' & < > и\x01управляющий', Cell(0, "percent"), Cell(None, "date"), False)
    data.add_row(3, "=HYPERLINK(\"http://evil.example\")", Cell(-7, "number"))
    data.add_row(4, Cell("ввод", "input", locked=False))
    data.add_row(None)
    data.charts.append(Chart("Диаграмма", "A3:A6", "C3:C6", "B7", series_title="Число", y_max=100))
    form = Sheet("Ввод", [Column("Статус", 4), Column("Дата", 3), Column("Число", 3)], protected=True,
                 validations=[Validation("A2:A9", "list", source="Списки!$A$2:$A$3", prompt_title="Статус",
                                         prompt="Выберите", error_title="Ошибка", error="Из списка"),
                              Validation("B2:B9", "date", minimum=date(2021, 9, 1), maximum=date(2024, 8, 31)),
                              Validation("C2", "decimal", minimum=0, maximum=100),
                              Validation("C3", "whole", minimum=0, maximum=10)])
    form.add_row("Статус", "Дата", "Число", style="header")
    form.add_row(Cell(None, "input", locked=False), Cell(None, "input_date", locked=False))
    lists = Sheet("Списки", [Column("Статусы", 5)], hidden=True, protected=True)
    lists.add_row("Статусы", style="header")
    lists.add_row("выполнено")
    lists.add_row("не выполнено")
    return Workbook([data, form, lists], password="секрет", title="Проверка записи")


def _expected(book: Workbook, control: str) -> dict:
    """Cell values as written; a control character XML cannot carry becomes ``control``."""
    def value(v):
        if isinstance(v, str):
            return v.replace("\x01", control) or None
        return v

    return {s.name: _trim([[value(c.value) for c in row] for row in s.rows]) for s in book.sheets}


def _trim(rows: list) -> list:
    """Rows as a reader gives them: whole floats as int, no trailing empty cells or rows."""
    out = [[int(v) if isinstance(v, float) and v.is_integer() else v for v in row] for row in rows]
    for row in out:
        while row and row[-1] is None:
            row.pop()
    while out and not out[-1]:
        out.pop()
    return out


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    folder = tmp_path_factory.mktemp("writers")
    book = _book()
    return book, write_workbook(book, folder / "книга.ods"), write_workbook(book, folder / "книга.xlsx")


def test_cells_read_back_as_written(written):
    book, ods, xlsx = written
    from_ods = read_book(ods.read_bytes(), pure=True).sheets  # as inside LibreOffice
    from_xlsx = read_book(xlsx.read_bytes(), pure=True).sheets
    assert from_ods == _expected(book, "\ufffd")
    assert {name: [[v.date() if hasattr(v, "date") and callable(v.date) else v for v in row] for row in rows]
            for name, rows in from_xlsx.items()} == _expected(book, "\ufffd")


def test_ods_keeps_validations_charts_filter_merges_and_protection(written):
    _, ods, _ = written
    with zipfile.ZipFile(ods) as archive:
        names = archive.namelist()
        root = etree.fromstring(archive.read("content.xml"))
        chart = archive.read("Object 1/content.xml")
    assert names[0] == "mimetype"
    conditions = [v.get(f"{T}condition") for v in root.iter(f"{T}content-validation")]
    assert conditions == ["of:cell-content-is-in-list($Списки.$A$2:$A$3)",
                          "of:cell-content-is-date() and cell-content-is-between(44440,45535)",
                          "of:cell-content-is-decimal-number() and cell-content-is-between(0,100)",
                          "of:cell-content-is-whole-number() and cell-content-is-between(0,10)"]
    tables = {t.get(f"{T}name"): t for t in root.iter(f"{T}table")}
    form = tables["Ввод"]
    assert form.get(f"{T}protected") == "true" and form.get(f"{T}protection-key")
    validated = [c.get(f"{T}content-validation-name") for c in form.iter(f"{T}table-cell")]
    assert validated.count("val1") == 8 and validated.count("val2") == 8  # rows 2..9, beyond the content too
    data = tables["Данные"]
    header = data.find(f"{T}table-header-rows")
    assert [c.findtext("{urn:oasis:names:tc:opendocument:xmlns:text:1.0}p") for c in header.iter(f"{T}table-cell")][
        :2] == ["№", "Текст"]
    first = data.find(f"{T}table-row").find(f"{T}table-cell")
    assert first.get(f"{T}number-columns-spanned") == "5"
    assert len(list(data.find(f"{T}table-row").iter(f"{T}covered-table-cell"))) == 4
    assert data.findall(f"{T}table-column")[4].get(f"{T}visibility") == "collapse"
    frames = list(data.iter(f"{DRAW}frame"))
    assert len(frames) == 1 and frames[0].find(f"{DRAW}object") is not None
    assert b"chart:bar" in chart and "Диаграмма".encode() in chart
    ranges = [r.get(f"{T}target-range-address") for r in root.iter(f"{T}database-range")]
    assert ranges == ["$Данные.A2:$Данные.E6"]
    styles = {s.get("{urn:oasis:names:tc:opendocument:xmlns:style:1.0}name"): s
              for s in root.iter("{urn:oasis:names:tc:opendocument:xmlns:style:1.0}style")}
    assert tables["Списки"].get(f"{T}style-name").endswith("_hidden") and "TA_portrait_hidden" in styles


def test_xlsx_keeps_validations_charts_filter_merges_and_protection(written):
    from openpyxl import load_workbook

    _, _, xlsx = written
    wb = load_workbook(xlsx)
    data, form, lists = wb["Данные"], wb["Ввод"], wb["Списки"]
    assert data.auto_filter.ref == "A2:E6"
    assert [str(r) for r in data.merged_cells.ranges] == ["A1:E1"]
    assert data.freeze_panes == "B3"
    assert data.column_dimensions["E"].hidden
    assert len(data._charts) == 1
    assert lists.sheet_state == "hidden" and lists.protection.sheet and form.protection.sheet
    kinds = sorted((v.type, str(v.sqref)) for v in form.data_validations.dataValidation)
    assert kinds == [("date", "B2:B9"), ("decimal", "C2"), ("list", "A2:A9"), ("whole", "C3")]
    assert data["C3"].number_format == "0.##" and data["D3"].number_format.upper() == "DD.MM.YYYY"
    assert data["A1"].font.b and data["A1"].font.sz == 13
    assert form["A2"].protection.locked is False and form["A1"].protection.locked is True
    assert data["B5"].data_type == "s"  # text that looks like a formula stays text
    assert data["A2"].fill.fgColor.rgb == "FFD9E2F3" and data["A2"].border.left.style == "thin"
    assert data["B3"].alignment.wrap_text and data["B3"].alignment.vertical == "top"
    assert data.row_dimensions[3].height > data.row_dimensions[2].height  # two lines of text
    assert data.print_title_rows == "$2:$2" and data.page_setup.orientation == "landscape"
    assert data.page_setup.paperSize == 9 and data.sheet_properties.pageSetUpPr.fitToPage
    assert form.protection.password == "A5E8"  # the legacy hash of «секрет», as Excel computes it
    assert wb.active.title == "Данные" and [ws.title for ws in wb.worksheets] == ["Данные", "Ввод", "Списки"]
    prompt = next(v for v in form.data_validations.dataValidation if v.type == "list")
    assert (prompt.promptTitle, prompt.prompt, prompt.errorTitle, prompt.error) == ("Статус", "Выберите", "Ошибка",
                                                                                    "Из списка")


def test_xlsx_written_by_a_second_process_is_the_same(demo_run, tmp_path, monkeypatch):
    import errno
    import zipfile

    import roadmap_office.pipeline as pipeline
    import roadmap_office.rendering as report_writer
    import roadmap_office.sheets.xlsx as xlsx_writer
    from roadmap_office.errors import OutputError
    from roadmap_office.sheets.reading import read_workbook

    inputs = [demo_run.outdir / "submissions"]
    formats = ("xlsx", "ods", "odt")
    alone = pipeline.run_consolidation(demo_run.master, inputs, tmp_path / "alone", formats, jobs=1)
    monkeypatch.setattr(pipeline, "PARALLEL_RECORDS", 0)
    aside = pipeline.run_consolidation(demo_run.master, inputs, tmp_path / "aside", formats, jobs=1)
    assert [p.name for p in aside.outputs] == [p.name for p in alone.outputs]
    assert read_workbook(aside.outputs[0]) == read_workbook(alone.outputs[0]) == read_workbook(aside.outputs[1])
    report = [zipfile.ZipFile(run.outputs[2]).read("content.xml") for run in (alone, aside)]
    assert report[0] == report[1] and "СВОДНЫЙ ОТЧЁТ".encode() in report[0]

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    before = {p.name: p.read_bytes() for p in (tmp_path / "aside").iterdir()}
    for writer, failing in ((xlsx_writer, "write_xlsx"), (report_writer, "write_report")):  # each in its child
        with monkeypatch.context() as patch:
            patch.setattr(writer, failing, full)
            with pytest.raises(OutputError, match="на диске нет места"):
                pipeline.run_consolidation(demo_run.master, inputs, tmp_path / "aside", formats, jobs=1)
        assert {p.name: p.read_bytes() for p in (tmp_path / "aside").iterdir()} == before


def test_texts_are_shared_once_each(demo_run, tmp_path):
    """The records repeat the same events and statuses for every school: each text is stored
    once in the shared string table, and the file is smaller than with the texts in every cell."""
    import zipfile

    from roadmap_office.rendering import consolidated_workbook

    book = consolidated_workbook(demo_run.consolidation)
    path = write_workbook(book, tmp_path / "streamed.xlsx")
    with zipfile.ZipFile(path) as archive:
        table = archive.read("xl/sharedStrings.xml").decode()
        sheets = [archive.read(n).decode() for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]
        assert "/xl/sharedStrings.xml" in archive.read("[Content_Types].xml").decode()
    event = demo_run.consolidation.records[0].event
    assert table.count(f"<t>{event}</t>") == 1
    assert any('t="s"' in sheet for sheet in sheets)  # the records sheet refers to the table
