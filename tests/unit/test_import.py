"""Importing real roadmap documents: exact items per section, several roadmaps, typos, layouts."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from roadmap_office.cli import main
from roadmap_office.errors import DocumentImportError
from roadmap_office.importing import ImportReport, import_roadmap, import_text, list_roadmaps
from roadmap_office.master import read_master, write_master

SAROV = "002_a1e155e70aa7bfd4.txt"
KSTOVO = "004_d4c07a429c129aff.txt"

# counted by hand in the documents
SAROV_SECTIONS = [("1.", 8), ("2.", 10), ("3.", 6), ("4.", 4), ("5.", 6), ("6.", 6), ("7.", 2), ("8.", 4),
                  ("9.", 5), ("10.", 2), ("11.", 6), ("12.", 4), ("13.", 12), ("14.", 4)]
KSTOVO_ROADMAPS = {  # number: (appendix, items per section)
    "1.1": ("1", [2, 4]),
    "1.2": ("2", [16]),
    "1.3": ("3", [10, 3, 2, 1, 3, 6, 4]),
    "1.4": ("4", [2, 7, 7, 1, 2]),
    "2.1": ("5", [2]),
    "2.2": ("6", [6, 2, 4, 5]),
    "2.3": ("7", [4, 10, 3, 3, 3, 3, 2, 5, 6, 2, 4, 2, 3, 3]),
    "2.4": ("8", [3, 1, 3, 1, 5]),
}


def test_sarov_every_item(fixtures):
    roadmap = import_roadmap(fixtures / "roadmaps" / SAROV)
    assert [(s.number, len(s.items)) for s in roadmap.sections] == SAROV_SECTIONS
    assert roadmap.title == ("План мероприятий («дорожная карта» 2.3) по развитию в Сарове муниципальной системы "
                             "организации воспитания обучающихся на 2021-2022 годы")
    assert (roadmap.period_start.isoformat(), roadmap.period_end.isoformat()) == ("2021-01-01", "2022-12-31")
    assert not [i for i in roadmap.items if i.deadline.flagged]


def test_kstovo_lists_eight_roadmaps(fixtures):
    infos = list_roadmaps(fixtures / "roadmaps" / KSTOVO)
    assert [(i.number, i.appendix, i.items) for i in infos] == [
        (number, appendix, sum(counts)) for number, (appendix, counts) in KSTOVO_ROADMAPS.items()]
    assert all(i.title.startswith("План мероприятий") and i.title.endswith("на 2021-2022 годы") for i in infos)


@pytest.mark.parametrize("number", list(KSTOVO_ROADMAPS))
def test_kstovo_every_item(fixtures, number):
    roadmap = import_roadmap(fixtures / "roadmaps" / KSTOVO, number)
    assert [len(s.items) for s in roadmap.sections] == KSTOVO_ROADMAPS[number][1]
    assert len({i.key for i in roadmap.items}) == len(roadmap.items)


def test_kstovo_default_is_the_upbringing_roadmap_with_warnings(fixtures):
    report = ImportReport()
    roadmap = import_roadmap(fixtures / "roadmaps" / KSTOVO, report=report)
    assert "системы организации воспитания" in roadmap.title
    assert [s.number for s in roadmap.sections][:3] == ["1.", "II.", "III."]
    assert roadmap.sections[9].number == "Х."  # a Cyrillic "Х" as printed
    assert [i.number for i in roadmap.sections[4].items] == ["5.1.", "5.2.", "53."]  # kept as printed
    assert report.warnings == [
        "строка 316: номер «53.» в разделе V. похож на опечатку: вероятно, «5.3.»",
        "строка 363: после мероприятия 14.1 идёт 14.3.: пропущен номер?",
    ]
    assert roadmap.issuer == "Министерство образования, науки и молодежной политики Нижегородской области"
    # the seven others are named, never passed over in silence
    others = report.reconciliation["other_roadmaps"]
    assert len(others) == 7 and others[0].startswith("1.1 ")


def test_kstovo_joins_rows_split_by_page_breaks(fixtures):
    roadmap = import_roadmap(fixtures / "roadmaps" / KSTOVO, "1.2")
    item = roadmap.sections[0].items[11]  # "12": its deadline was cut in two by a page break
    assert item.deadline.text == "Сентябрь 2021 – декабрь 2022 г"
    assert not item.deadline.flagged


def test_executors_normalised_and_run_together_split(fixtures):
    roadmap = import_roadmap(fixtures / "roadmaps" / KSTOVO)
    names = {e.name for e in roadmap.executors}
    assert "ИМО Руководители ОО" not in names
    item = roadmap.sections[10].items[0]  # 11.1: "Сектор ..., ИМО Руководители ОО" (a comma lost)
    assert item.number == "11.1."
    assert item.executors == ["Сектор дополнительного образования и воспитания", "Информационно-методический отдел",
                              "Руководители ОО"]
    sarov = import_roadmap(fixtures / "roadmaps" / SAROV)
    assert sarov.sections[0].items[0].executors == ["Департамент образования", "МБОУ ДПО МЦ",
                                                     "Общеобразовательные организации"]


def test_several_roadmaps_without_upbringing_need_a_choice():
    text = "\n".join([
        "План мероприятий («дорожная карта» 1.1) по оценке качества на 2021-2022 годы",
        "№ п/п\tНаименование мероприятия\tСроки\tОтветственный исполнитель\tОжидаемый результат",
        "1.\tАнализ\tМай 2022\tДО\tСправка",
        "План мероприятий («дорожная карта» 1.2) по работе со школами на 2021-2022 годы",
        "№ п/п\tНаименование мероприятия\tСроки\tОтветственный исполнитель\tОжидаемый результат",
        "1.\tСеминар\tМай 2022\tДО\tСеминар",
    ])
    with pytest.raises(DocumentImportError, match="выберите одну параметром --roadmap"):
        import_text(text)
    assert import_text(text, choice="1.2").items[0].event == "Семинар"
    with pytest.raises(DocumentImportError, match="нет дорожной карты «3.1»"):
        import_text(text, choice="3.1")


ONE_CELL_PER_LINE = """\
ПАСПОРТ
План мероприятий («дорожная карта») по развитию системы воспитания на 2022-2023 годы
Цель: развитие системы воспитания.
Целевые показатели: 70 % учащихся принимают участие в олимпиадах; в 100% ОУ созданы первичные отделения РДШ

\tНаименование мероприятия
\tПланируемы результат
\tСроки исполнения
\tОтветственные исполнители
\t№ п/п

1.Нормативно-правовое обеспечение
\tУтверждение программ воспитания
\tПрограммы размещены на сайтах
\tсентябрь 2022
\tДО, ОО (по согласованию)
\t1.1.

\tНазначение советников по воспитанию
\tСоветники работают в ОО
\tОктябрь - ноябрь
\tОО
\t1.2.

2.Кадровое обеспечение
\tКурсы для классных руководителей
\tОбучено не менее 50 человек
\tежеквартально (до 15 числа месяца, следующего за отчетным)
\tИМО
\t2.1.
"""


def test_one_cell_per_line_layout_any_column_order_and_passport():
    report = ImportReport()
    roadmap = import_text(ONE_CELL_PER_LINE, report=report)
    assert [(s.number, s.title, len(s.items)) for s in roadmap.sections] == [
        ("1.", "Нормативно-правовое обеспечение", 2), ("2.", "Кадровое обеспечение", 1)]
    first = roadmap.items[0]
    assert (first.number, first.event, first.result) == ("1.1.", "Утверждение программ воспитания",
                                                         "Программы размещены на сайтах")
    assert first.executors == ["Департамент образования", "Общеобразовательные организации"]
    assert first.by_agreement == ["Общеобразовательные организации"]
    assert (roadmap.items[1].deadline.start.isoformat(), roadmap.items[1].deadline.end.isoformat()) == (
        "2022-10-01", "2022-11-30")
    assert roadmap.items[2].deadline.recurrence.value == "quarterly"
    assert [(i.name, i.kind.value, i.target) for i in roadmap.indicators] == [
        ("Учащихся принимают участие в олимпиадах", "percent", "70 %"),
        ("Созданы первичные отделения РДШ", "yesno", "100 % ОО"),
    ]
    # the year of «Октябрь - ноябрь» comes from the neighbouring items: said so, never silently
    assert report.warnings == ["строка 19: в сроке «Октябрь - ноябрь» нет года: он взят из сроков соседних "
                               "мероприятий раздела — 01.10.2022–30.11.2022 (мероприятие 1.2.); проверьте"]


def test_html_leftovers_become_clean_lines(fixtures):
    roadmap = import_roadmap(fixtures / "roadmaps" / SAROV)
    item = roadmap.sections[11].items[0]  # 12.1 with <p> and <ul><li>
    assert "<" not in item.event
    assert "\n- поддержку семейного воспитания;" in item.event
    link_item = roadmap.sections[3].items[0]  # 4.1 with <a href>
    assert "на платформе http://единыйурок.рф" in link_item.event


def test_cli_import(fixtures, tmp_path):
    runner = CliRunner()
    listing = runner.invoke(main, ["import", str(fixtures / "roadmaps" / KSTOVO), "--list"])
    assert listing.exit_code == 0
    assert "Дорожных карт в документе: 8" in listing.output
    assert "2.3 (приложение 7): разделов 14, мероприятий 53" in listing.output
    master = tmp_path / "kstovo.xlsx"
    result = runner.invoke(main, ["import", str(fixtures / "roadmaps" / KSTOVO), "--roadmap", "1.3", "-o", str(master)])
    assert result.exit_code == 0, result.output
    assert "Разделов: 7, мероприятий: 29" in result.output
    assert "В документе есть и другие дорожные карты (7), они не импортированы" in result.output
    assert "Весь текст таблицы размещён" not in result.output  # only this roadmap's, and it says so
    assert "Сроки распознаны: 29, не распознаны: 0" in result.output
    assert [len(s.items) for s in read_master(master).sections] == KSTOVO_ROADMAPS["1.3"][1]
    as_json = runner.invoke(main, ["import", str(fixtures / "roadmaps" / SAROV), "-o", str(tmp_path / "s.ods"),
                                   "--json"])
    data = json.loads(as_json.output)
    assert [len(s["items"]) for s in data["sections"]] == [n for _, n in SAROV_SECTIONS]
    bad = runner.invoke(main, ["import", str(fixtures / "roadmaps" / SAROV), "-o", str(tmp_path / "s.pdf")])
    assert bad.exit_code == 2 and ".ods или .xlsx" in bad.output


@pytest.mark.parametrize("suffix", [".ods", ".xlsx"])
def test_spreadsheet_table_imports_like_the_text(fixtures, tmp_path, suffix):
    from roadmap_office.importing.sources import Para, text_blocks
    from roadmap_office.sheets import Cell, Column, Sheet, Workbook, write_workbook

    text = (fixtures / "roadmaps" / SAROV).read_text(encoding="utf-8")
    sheet = Sheet("Лист1", [Column("", 3) for _ in range(5)])
    for block in text_blocks(text):
        sheet.add_row(*([Cell(block.text)] if isinstance(block, Para) else [Cell(c or None) for c in block.cells]))
    path = write_workbook(Workbook([sheet]), tmp_path / f"roadmap{suffix}")
    assert import_roadmap(path).to_json() == import_roadmap(fixtures / "roadmaps" / SAROV).to_json()


@pytest.mark.parametrize("name,choice", [(SAROV, None), *[(KSTOVO, number) for number in KSTOVO_ROADMAPS]])
def test_shared_documents_round_trip_through_the_master_and_show_json(fixtures, tmp_path, name, choice):
    report = ImportReport()
    roadmap = import_roadmap(fixtures / "roadmaps" / name, choice, report=report)
    assert report.unplaced == []
    master = write_master(roadmap, tmp_path / "master.ods")
    shown = CliRunner().invoke(main, ["show", str(master), "--json"])
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.output) == json.loads(json.dumps(roadmap.to_json(), ensure_ascii=False))
