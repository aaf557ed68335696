"""Roadmaps laid out as districts make them: every layout class imports exactly, nothing lost.

Each fixture is small and built here (text, DOCX written as WordprocessingML, ODT through odfpy);
the tests assert sections, items, executors and that no text of the table is left unplaced.
"""

from __future__ import annotations

import json
import zipfile
from datetime import date

import pytest
from click.testing import CliRunner

from roadmap_office.cli import main
from roadmap_office.importing import ImportReport, import_roadmap, import_text
from roadmap_office.master import read_master, write_master

HEADER = ["№ п/п", "Наименование мероприятия", "Срок исполнения", "Ответственные", "Ожидаемый результат"]

# One cell per line: continuation lines, a blank line inside a row, a row of empty cells, a part
# holding numbered subsections whose numbering restarts, an unnumbered sub-heading.
CELL_PER_LINE = """\
План мероприятий («дорожная карта») по развитию образования Энского района на 2022-2023 годы

\t№ п/п
\tНаименование мероприятия
\tСрок исполнения
\tОтветственные
\tОжидаемый результат

I. Общее образование
1.Нормативное обеспечение
\t1.
\tУтверждение плана
\tСентябрь 2022 г.
\tУправление образования администрации Энского района
\tПриказ

\t2.
\tРазработка положений

\tНоябрь
Март 2023 г.
\tУО
ИМО
Руководители ОО
\tПоложения утверждены
\t
\t
\t
\t
\t

2.Кадровое обеспечение
\t1.
\tКурсы повышения
квалификации педагогов
\tв течение учебного года
\tИМО, ГБОУ ДПО НИРО (по согласованию)
\tНе менее 40 педагогов обучены

II. Дошкольное образование
1.Развивающая среда
Мероприятия для педагогов
\t1.
\tСеминар-практикум
\tОктябрь
\tДОО
\tСеминар проведён

\t2.
\tМастер-класс
\tНоябрь 2022 г.
\tДОО
\tМастер-класс проведён

Мероприятия для родителей

\t2.
\tРодительские собрания
\tДекабрь
\tДОО, школы, демонстрирующие высокий уровень качества образования
\tПротоколы
"""


def test_one_cell_per_line_with_parts_subsections_and_continuations():
    report = ImportReport()
    roadmap = import_text(CELL_PER_LINE, report=report)
    assert [(s.number, s.title, len(s.items)) for s in roadmap.sections] == [
        ("I.1.", "Общее образование. Нормативное обеспечение", 2),
        ("I.2.", "Общее образование. Кадровое обеспечение", 1),
        ("II.1.", "Дошкольное образование. Развивающая среда. Мероприятия для педагогов", 2),
        ("II.1.", "Дошкольное образование. Развивающая среда. Мероприятия для родителей", 1),
    ]
    plan, rules, courses, seminar, _, meetings = roadmap.items
    assert [i.number for i in roadmap.items] == ["1.", "2.", "1.", "1.", "2.", "2."]
    assert len({i.key for i in roadmap.items}) == 6
    assert plan.executors == ["Управление образования администрации Энского района"]
    # the abbreviation resolves to the full name this document uses, never to another body
    assert rules.executors == ["Управление образования администрации Энского района",
                               "Информационно-методический отдел", "Руководители ОО"]
    assert (rules.deadline.start, rules.deadline.end) == (date(2022, 11, 1), date(2023, 3, 31))
    assert courses.event == "Курсы повышения квалификации педагогов"
    assert courses.executors == ["Информационно-методический отдел", "ГБОУ ДПО НИРО"]
    assert courses.by_agreement == ["ГБОУ ДПО НИРО"]
    # a month without a year takes it from its neighbours in the section, or stays flagged
    assert (seminar.deadline.start, seminar.deadline.end) == (date(2022, 10, 1), date(2022, 10, 31))
    assert meetings.deadline.flagged
    assert meetings.executors == ["Дошкольные образовательные организации",
                                  "школы, демонстрирующие высокий уровень качества образования"]
    assert report.unplaced == []


def test_bodies_of_different_districts_are_never_merged():
    text = "\n".join([
        "План мероприятий по воспитанию на 2022-2023 годы",
        "\t".join(HEADER),
        "1.\tСовещание\tМай 2022\tОтдел образования, Комитет по образованию\tПротокол",
        "2.\tСеминар\tМай 2022\tДепартамент образования; Управление образования\tПрограмма",
    ])
    roadmap = import_text(text)
    assert [i.executors for i in roadmap.items] == [["Отдел образования", "Комитет по образованию"],
                                                    ["Департамент образования", "Управление образования"]]
    assert [e.name for e in roadmap.executors] == ["Департамент образования", "Управление образования",
                                                   "Отдел образования", "Комитет по образованию"]


def test_glued_names_split_between_names_only():
    text = "\n".join([
        "План мероприятий по воспитанию на 2022-2023 годы",
        "\t".join(HEADER),
        "1.\tФорум\tМай 2022\tДепартамент образования МОНиМП ГБУДО РЦ «Вега»\tФорум",
        "2.\tКонкурс\tМай 2022\tИМО Руководители ОО\tИтоги",
        "3.\tЛагерь\tИюнь 2022\tИТ-куб на базе МБОУ СШ № 8\tСмена",
    ])
    items = import_text(text).items
    assert items[0].executors == ["Департамент образования", "МОНиМП", "ГБУДО РЦ «Вега»"]
    assert items[1].executors == ["Информационно-методический отдел", "Руководители ОО"]
    assert items[2].executors == ["ИТ-куб на базе МБОУ СШ № 8"]


NO_SECTIONS = "\n".join([
    "План мероприятий («дорожная карта» 1.2) по работе со школами на 2021-2022 годы",
    "\t".join(HEADER),
    "1.\tАнализ результатов\tСентябрь 2021 г.\tДО\tСправка",
    "2.\tСеминар\tОктябрь\tДО, ОО (по согласованию)\tСеминар",
    "3.\tКонференция\tМарт\tИМО\tСборник",
])


@pytest.mark.parametrize("suffix", [".ods", ".xlsx"])
def test_roadmap_without_section_rows_reads_back_through_master_and_show(tmp_path, suffix):
    roadmap = import_text(NO_SECTIONS)
    assert [(s.number, s.title, len(s.items)) for s in roadmap.sections] == [("", "", 3)]
    assert [i.deadline.start for i in roadmap.items] == [date(2021, 9, 1), date(2021, 10, 1), date(2022, 3, 1)]
    master = write_master(roadmap, tmp_path / f"master{suffix}")
    assert read_master(master).to_json() == roadmap.to_json()
    shown = CliRunner().invoke(main, ["show", str(master), "--json"])
    assert shown.exit_code == 0, shown.output
    data = json.loads(shown.output)
    assert data["sections"][0]["items"][1]["by_agreement"] == ["Общеобразовательные организации"]
    assert data == json.loads(json.dumps(roadmap.to_json(), ensure_ascii=False))


def test_text_that_cannot_be_placed_is_listed_by_line():
    text = NO_SECTIONS + "\n\nНачальник департамента образования\tИ.И. Иванов"
    report = ImportReport()
    roadmap = import_text(text + "\nИсполнитель: Петрова А.А.", report=report)
    assert len(roadmap.items) == 3
    # the signature is no continuation of the last item: named, like the note after it
    assert "Начальник" not in roadmap.items[-1].event
    assert report.notes == ["строка 7: «Начальник департамента образования И.И. Иванов»",
                            "строка 8: «Исполнитель: Петрова А.А.»"]
    assert report.unplaced == [] and report.complete


# ---- DOCX: Word's automatic numbering, merged cells, titles across the row, lists in a cell -------

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _w_par(text: str = "", num: tuple[int, int] | None = None) -> str:
    props = f'<w:pPr><w:numPr><w:ilvl w:val="{num[1]}"/><w:numId w:val="{num[0]}"/></w:numPr></w:pPr>' if num else ""
    return f"<w:p>{props}<w:r><w:t xml:space=\"preserve\">{text}</w:t></w:r></w:p>"


def _w_cell(*paragraphs: str, span: int = 1, merge: str | None = None) -> str:
    props = (f'<w:gridSpan w:val="{span}"/>' if span > 1 else "") + (
        f'<w:vMerge w:val="{merge}"/>' if merge == "restart" else "<w:vMerge/>" if merge else "")
    return f"<w:tc><w:tcPr>{props}</w:tcPr>{''.join(paragraphs) or _w_par()}</w:tc>"


def _w_row(*cells: str) -> str:
    return f"<w:tr>{''.join(cells)}</w:tr>"


NUMBERING = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:numbering xmlns:w="{W}">
<w:abstractNum w:abstractNumId="0">
<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1."/></w:lvl>
<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1.%2."/></w:lvl>
</w:abstractNum>
<w:abstractNum w:abstractNumId="1">
<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="bullet"/><w:lvlText w:val="•"/></w:lvl>
</w:abstractNum>
<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>
<w:num w:numId="2"><w:abstractNumId w:val="1"/></w:num>
</w:numbering>"""


def _docx(path, rows: list[str], before: list[str]) -> None:
    body = "".join(_w_par(t) for t in before) + "<w:tbl>" + "".join(rows) + "</w:tbl>"
    document = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="{W}"><w:body>{body}' \
               "</w:body></w:document>"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                         'package/2006/content-types"/>')
        archive.writestr("word/document.xml", document)
        archive.writestr("word/numbering.xml", NUMBERING)


def test_docx_with_word_numbering_merged_cells_and_lists(tmp_path):
    section, item = (1, 0), (1, 1)
    rows = [
        _w_row(*[_w_cell(_w_par(h)) for h in HEADER]),
        _w_row(_w_cell(_w_par("Организационная работа", section), span=5)),
        _w_row(_w_cell(_w_par("", item)),
               _w_cell(_w_par("Семинар для классных руководителей"), _w_par("Темы:"),
                       _w_par("воспитание", (2, 0)), _w_par("профилактика", (2, 0))),
               _w_cell(_w_par("Октябрь 2022 г.")), _w_cell(_w_par("Отдел образования"), merge="restart"),
               _w_cell(_w_par("Семинар проведён"))),
        _w_row(_w_cell(_w_par("", item)), _w_cell(_w_par("Совещание директоров")),
               _w_cell(_w_par("Ноябрь 2022 г.")), _w_cell(merge="continue"), _w_cell(_w_par("Протокол"))),
        _w_row(_w_cell(_w_par("", item), merge="restart"), _w_cell(_w_par("Конкурс проектов")),
               _w_cell(_w_par("Декабрь 2022 г.")), _w_cell(_w_par("ИМО")), _w_cell(_w_par("Итоги"))),
        _w_row(_w_cell(merge="continue"), _w_cell(), _w_cell(), _w_cell(_w_par("ОО")), _w_cell()),
        _w_row(_w_cell(_w_par("Работа с родителями", section), span=5)),
        _w_row(_w_cell(_w_par("Родительские собрания"), span=5)),
        _w_row(_w_cell(_w_par("", item)), _w_cell(_w_par("Общешкольное собрание")),
               _w_cell(_w_par("1 раз в четверть")), _w_cell(_w_par("ОО")), _w_cell(_w_par("Протоколы"))),
    ]
    path = tmp_path / "roadmap.docx"
    _docx(path, rows, ["План мероприятий по воспитанию на 2022-2023 годы"])
    report = ImportReport()
    roadmap = import_roadmap(path, report=report)
    assert [(s.number, s.title, len(s.items)) for s in roadmap.sections] == [
        ("1.", "Организационная работа", 3), ("2.", "Работа с родителями. Родительские собрания", 1)]
    assert [i.number for i in roadmap.items] == ["1.1.", "1.2.", "1.3.", "2.1."]
    first, second, third, fourth = roadmap.items
    assert first.event == "Семинар для классных руководителей\nТемы:\n- воспитание\n- профилактика"
    assert second.executors == ["Отдел образования"]  # merged with the cell above
    assert third.executors == ["Информационно-методический отдел", "Общеобразовательные организации"]
    assert fourth.deadline.recurrence.value == "termly"
    assert report.unplaced == []



def _header_repeated_rows(repeat: list[str]) -> list[str]:
    def item(number, event, deadline):
        return _w_row(*[_w_cell(_w_par(t)) for t in (number, event, deadline, "ОО", "Проведено")])

    return [_w_row(*[_w_cell(_w_par(h)) for h in HEADER]),
            _w_row(_w_cell(_w_par("1. Работа с семьёй"), span=5)),
            item("1.1", "Родительские собрания", "Октябрь 2022 г."),
            item("1.2", "Дни открытых дверей", "Ноябрь 2022 г."),
            *repeat,  # a page's repeated header (with its row of column numbers) in the middle of the table
            _w_row(_w_cell(_w_par("2. Информирование"), span=5)),
            item("2.1", "Публикации на сайтах школ", "Декабрь 2022 г."),
            item("2.2", "Выпуск буклета", "Январь 2023 г.")]


@pytest.mark.parametrize("repeat", ["header", "header and column numbers"])
def test_a_header_repeated_on_a_new_page_goes_on_with_the_same_table(tmp_path, repeat):
    rows = [_w_row(*[_w_cell(_w_par(h)) for h in HEADER])]
    if repeat != "header":
        rows.append(_w_row(*[_w_cell(_w_par(str(n))) for n in range(1, 6)]))
    path = tmp_path / "roadmap.docx"
    _docx(path, _header_repeated_rows(rows), ["План мероприятий по воспитанию на 2022-2023 годы"])
    report = ImportReport()
    roadmap = import_roadmap(path, report=report)
    assert [i.number for i in roadmap.items] == ["1.1", "1.2", "2.1", "2.2"]
    assert [s.title for s in roadmap.sections] == ["Работа с семьёй", "Информирование"]
    assert report.complete and report.reconciliation["other_roadmaps"] == []
    text = "План мероприятий по воспитанию на 2022-2023 годы\n\n" + "\n".join("\t".join(r) for r in [
        HEADER, ["1. Работа с семьёй"], ["1.1", "Собрания", "Октябрь 2022 г.", "ОО", "Да"], HEADER,
        ["2. Информирование"], ["2.1", "Буклет", "Январь 2023 г.", "ОО", "Да"]])
    assert [i.number for i in import_text(text).items] == ["1.1", "2.1"]  # the same as copied text


def test_a_docx_row_with_a_cell_deleted_is_named(tmp_path):
    """Word leaves a row short when a cell is deleted: the cells after it moved left, so the row
    is named (its result may now read as its executor), never passed as all placed."""
    def item(*texts):
        return _w_row(*[_w_cell(_w_par(t)) for t in texts])

    rows = [_w_row(*[_w_cell(_w_par(h)) for h in HEADER]),
            item("1.", "Родительские собрания", "Октябрь 2022 г.", "ОО", "Проведены"),
            item("2.", "Выпуск буклета", "Ноябрь 2022 г.", "Буклет издан")]  # the executor's cell deleted
    path = tmp_path / "roadmap.docx"
    _docx(path, rows, ["План мероприятий по воспитанию на 2022-2023 годы"])
    report = ImportReport()
    import_roadmap(path, report=report)
    assert not report.complete
    assert len(report.unplaced) == 1 and "в строке 4 ячеек из 5" in report.unplaced[0]


def test_two_docx_rows_run_together_are_named(tmp_path):
    """Two rows merged in Word («2. 3.» in one «№» cell): glued to the item before, and named."""
    def item(*texts):
        return _w_row(*[_w_cell(_w_par(t)) for t in texts])

    rows = [_w_row(*[_w_cell(_w_par(h)) for h in HEADER]),
            item("1.", "Родительские собрания", "Октябрь 2022 г.", "ОО", "Проведены"),
            item("2. 3.", "Выпуск буклета Акция «Чистый берег»", "ежегодно, весной по мере необходимости", "ОО", "")]
    path = tmp_path / "roadmap.docx"
    _docx(path, rows, ["План мероприятий по воспитанию на 2022-2023 годы"])
    report = ImportReport()
    import_roadmap(path, report=report)
    assert not report.complete
    assert len(report.unplaced) == 1 and "«2. 3." in report.unplaced[0] and "две строки слились" in report.unplaced[0]

# ---- ODT: list numbering, cells spanning rows and columns, paragraphs and lists in a cell ----------


def _odt(path) -> None:
    from odf import style, table, text
    from odf.opendocument import OpenDocumentText

    doc = OpenDocumentText()
    numbered = text.ListStyle(name="Num")
    numbered.addElement(text.ListLevelStyleNumber(level=1, numformat="1", numsuffix="."))
    numbered.addElement(text.ListLevelStyleNumber(level=2, numformat="1", numsuffix=".", displaylevels=2))
    bullets = text.ListStyle(name="Bullet")
    bullets.addElement(text.ListLevelStyleBullet(level=1, bulletchar="•"))
    doc.automaticstyles.addElement(numbered)
    doc.automaticstyles.addElement(bullets)
    doc.automaticstyles.addElement(style.Style(name="P", family="paragraph"))
    doc.text.addElement(text.P(text="План мероприятий по воспитанию на 2022-2023 годы"))
    grid = table.Table(name="Карта")
    grid.addElement(table.TableColumn(numbercolumnsrepeated=5))

    def numbered_list(level: int, content: str = "", first: bool = False):
        lst = text.List(stylename="Num", **({} if first else {"continuenumbering": "true"}))
        item = text.ListItem()
        lst.addElement(item)
        if level == 2:
            inner = text.List()
            item.addElement(inner)
            item = text.ListItem()
            inner.addElement(item)
        item.addElement(text.P(text=content))
        return lst

    def cell(*content, **attrs):
        c = table.TableCell(**attrs)
        for part in content:
            c.addElement(text.P(text=part) if isinstance(part, str) else part)
        return c

    def row(*cells):
        r = table.TableRow()
        for c in cells:
            r.addElement(c)
        grid.addElement(r)

    def spanning(content):
        row(cell(content, numbercolumnsspanned=5), *[table.CoveredTableCell() for _ in range(4)])

    row(*[cell(h) for h in HEADER])
    spanning(numbered_list(1, "Организационная работа", first=True))
    bullet_list = text.List(stylename="Bullet")
    for point in ("воспитание", "профилактика"):
        entry = text.ListItem()
        entry.addElement(text.P(text=point))
        bullet_list.addElement(entry)
    row(cell(numbered_list(2)), cell("Семинар для классных руководителей", "Темы:", bullet_list),
        cell("Октябрь 2022 г."), cell("Комитет по образованию", numberrowsspanned=2), cell("Семинар проведён"))
    row(cell(numbered_list(2)), cell("Совещание директоров"), cell("по итогам полугодия"),
        table.CoveredTableCell(), cell("Протокол"))
    spanning(numbered_list(1, "Работа с родителями"))
    row(cell(numbered_list(2)), cell("Собрание"), cell("Май"), cell("ОО"), cell("Протокол"))
    doc.text.addElement(grid)
    doc.save(str(path))


def test_odt_with_list_numbering_and_merged_cells(tmp_path):
    path = tmp_path / "roadmap.odt"
    _odt(path)
    report = ImportReport()
    roadmap = import_roadmap(path, report=report)
    assert [(s.number, s.title, len(s.items)) for s in roadmap.sections] == [
        ("1.", "Организационная работа", 2), ("2.", "Работа с родителями", 1)]
    assert [i.number for i in roadmap.items] == ["1.1.", "1.2.", "2.1."]
    first, second, third = roadmap.items
    assert first.event == "Семинар для классных руководителей\nТемы:\n- воспитание\n- профилактика"
    assert [first.executors, second.executors] == [["Комитет по образованию"]] * 2
    assert second.deadline.recurrence.value == "semiannual"
    assert third.deadline.flagged  # "Май" with no dated neighbour in a two-year period
    assert report.unplaced == []


# ---- passport target values: a table, a list inside one cell with HTML leftovers, one per line -----

TARGETS = [
    ("Обучающихся вовлечены в волонтёрскую деятельность", "percent", "%", "не менее 65 %"),
    ("Действуют школьные спортивные клубы", "yesno", "да/нет", "100 % ОО"),
    ("Педагогов прошли курсы повышения квалификации", "percent", "%", "40 %"),
]
TABLE_ROWS = NO_SECTIONS.split("\n")[1:]


def _indicators(text: str) -> list[tuple[str, str, str, str]]:
    return [(i.name, i.kind.value, i.unit, i.target) for i in import_text(text).indicators]


def test_passport_table_with_a_list_in_one_cell():
    passport = ["ПАСПОРТ", "Наименование\tДорожная карта по воспитанию\t",
                "Целевые показатели\t<ul><li>не менее 65 % обучающихся вовлечены в волонтёрскую деятельность;</li>"
                "<li>в 100 % ОО действуют школьные спортивные клубы;</li><li>40% педагогов прошли курсы повышения "
                "квалификации.</li></ul>\t"]
    text = "\n".join([NO_SECTIONS.split("\n")[0], *passport, *TABLE_ROWS])
    assert _indicators(text) == TARGETS


def test_passport_one_per_line_and_br_leftovers():
    per_line = ["Целевые показатели:", "1) не менее 65 % обучающихся вовлечены в волонтёрскую деятельность;",
                "2) в 100 % ОО действуют школьные спортивные клубы;",
                "3) 40% педагогов прошли курсы повышения квалификации."]
    text = "\n".join([NO_SECTIONS.split("\n")[0], *per_line, *TABLE_ROWS])
    assert _indicators(text) == TARGETS
    with_br = ("Ожидаемые результаты: не менее 65 % обучающихся вовлечены в волонтёрскую деятельность<br>"
               "в 100 % ОО действуют школьные спортивные клубы<br/>40% педагогов прошли курсы повышения квалификации")
    assert _indicators("\n".join([NO_SECTIONS.split("\n")[0], with_br, *TABLE_ROWS])) == TARGETS


def test_targets_in_an_explanatory_note_after_the_table():
    note = ["Пояснительная записка", "В результате реализации плана в 100 % ОО действуют школьные спортивные клубы."]
    report = ImportReport()
    roadmap = import_text("\n".join([*NO_SECTIONS.split("\n"), *note]), report=report)
    assert [(i.name, i.kind.value, i.target) for i in roadmap.indicators] == [
        ("Действуют школьные спортивные клубы", "yesno", "100 % ОО")]
    assert report.notes == ["строка 6: «Пояснительная записка»"]


def test_the_master_may_start_the_school_year_on_another_day(tmp_path):
    from openpyxl import load_workbook

    text = "\n".join(["План мероприятий на 2022-2023 годы", "\t".join(HEADER),
                      "1.\tСлёт\t2022-2023 учебный год\tДО\tСлёт"])
    roadmap = import_text(text)
    assert (roadmap.items[0].deadline.start, roadmap.items[0].deadline.end) == (date(2022, 9, 1), date(2023, 8, 31))
    path = write_master(roadmap, tmp_path / "master.xlsx")
    book = load_workbook(path)
    sheet = book["Настройки"]
    row = next(r for r in sheet.iter_rows() if r[0].value == "Начало учебного года (ДД.ММ)")
    assert row[1].value == "01.09"
    row[1].value = "01.08"
    book.save(path)
    deadline = read_master(path).items[0].deadline
    assert (deadline.start, deadline.end) == (date(2022, 8, 1), date(2023, 7, 31))
    row[1].value = "сентябрь"
    book.save(path)
    from roadmap_office.errors import MasterError

    with pytest.raises(MasterError, match="ДД.ММ"):
        read_master(path)
