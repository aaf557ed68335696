"""Roadmaps as districts really hold them: one committed sample per source family.

Each sample imports whole (sections, items, events, executors, dates), and the same sample with
one row removed or mangled makes the summary name it: a wrong import never passes as complete.
"""

from __future__ import annotations

import json
from datetime import date

import pytest
from click.testing import CliRunner

from roadmap_office.cli import main
from roadmap_office.importing import ImportReport, import_roadmap, import_text
from roadmap_office.master import read_master, write_master

TUROCHAK = "000_a3b84aa6f6b65627.txt"


def _import(path_or_text, **kwargs):
    report = ImportReport()
    if isinstance(path_or_text, str):
        roadmap = import_text(path_or_text, report=report, **kwargs)
    else:
        roadmap = import_roadmap(path_or_text, report=report, **kwargs)
    return roadmap, report


def _dates(item):
    return item.deadline.start, item.deadline.end


def test_turochak_imports_whole(fixtures):
    roadmap, report = _import(fixtures / "roadmaps" / TUROCHAK)
    assert roadmap.title.startswith("ДОРОЖНАЯ КАРТА по разработке и внедрению рабочих программ воспитания")
    assert [(s.number, s.title, len(s.items)) for s in roadmap.sections] == [
        ("I.1.", "Общее образование. Нормативно-правовое обеспечение", 3),
        ("I.2.", "Общее образование. Организационное обеспечение", 8),
        ("I.3.", "Общее образование. Методическое обеспечение", 4),
        ("I.4.", "Общее образование. Информационное обеспечение", 2),
    ]
    first, second, third = roadmap.sections[0].items
    assert first.event == "Создание муниципальной рабочей группы по координации вопросов воспитания в " \
                          "общеобразовательных организациях"
    assert first.executors == ["Управление образования", "Заместители директоров по воспитательной работе",
                               "Педагоги-организаторы"]
    assert _dates(first) == (date(2021, 1, 1), date(2021, 1, 31))
    assert _dates(second) == (date(2021, 1, 1), date(2021, 6, 30))
    assert third.by_agreement == ["Общеобразовательные организации"]
    site = roadmap.sections[1].items[2]  # a blank line inside the row
    assert site.result.startswith("Раздел на сайте для оперативного выставления информации")
    assert site.deadline.recurrence.value == "period"
    expert = roadmap.sections[1].items[5]  # «Октябрь» / «Август 2021 г.» over two lines
    assert _dates(expert) == (date(2020, 10, 1), date(2021, 8, 31))
    webinars = roadmap.sections[2].items[2]
    assert webinars.executors == ["БУ ДПО РА «ИПКиППРО РА»", "Школы участники апробации", "координаторы",
                                  "Общеобразовательные организации"]
    # its own education body, never replaced by a default one
    assert roadmap.executors[0].name == "Управление образования"
    assert not [i for i in roadmap.items if i.deadline.flagged]
    assert report.complete and report.unplaced == []
    assert report.reconciliation["numbered_rows"] == 17 and report.reconciliation["numbered_placed"] == 17


def test_turochak_read_as_one_row_is_never_complete(fixtures, monkeypatch):
    """The collapse the section lines once caused (17 items read as 3) is named, row by row."""
    import re

    from roadmap_office.importing import text

    monkeypatch.setattr(text, "HEADING_LINE", re.compile(r"(?!x)x"))
    roadmap, report = _import(fixtures / "roadmaps" / TUROCHAK)
    assert len(roadmap.items) < 17
    assert not report.complete
    assert any("номер «2» не стал номером мероприятия" in line for line in report.unplaced)


def test_turochak_with_a_row_mangled_names_it(fixtures):
    text = (fixtures / "roadmaps" / TUROCHAK).read_text(encoding="utf-8")
    # the deadline cell of item 1.2 lost: its row swallows the next item's number
    mangled = text.replace("\t1 полугодие 2021 г.\n", "", 1)
    roadmap, report = _import(mangled)
    assert not report.complete
    assert any("номер «3» не стал номером мероприятия" in line for line in report.unplaced)


def test_cli_summary_and_json_carry_the_reconciliation(fixtures, tmp_path):
    runner = CliRunner()
    result = runner.invoke(main, ["import", str(fixtures / "roadmaps" / TUROCHAK), "-o", str(tmp_path / "t.ods")])
    assert result.exit_code == 0, result.output
    assert "Разделов: 4, мероприятий: 17" in result.output
    assert "Сверка с документом: строк таблицы 18 (с номером мероприятия 17, со сроком 12), абзацев 5; " \
           "размещено строк 18: мероприятий 17, разделов 4, продолжений 1; названо ниже: 0" in result.output
    assert "Весь текст таблицы размещён в мастер-книге." in result.output
    as_json = runner.invoke(main, ["import", str(fixtures / "roadmaps" / TUROCHAK), "-o", str(tmp_path / "t.ods"),
                                   "--json"])
    data = json.loads(as_json.output)
    assert data["reconciliation"]["source_rows"] == 18 and data["reconciliation"]["named"] == []
    mangled = tmp_path / "mangled.txt"
    mangled.write_text((fixtures / "roadmaps" / TUROCHAK).read_text(encoding="utf-8")
                       .replace("\t1 полугодие 2021 г.\n", "", 1), encoding="utf-8")
    result = runner.invoke(main, ["import", str(mangled), "-o", str(tmp_path / "m.ods")])
    assert "Весь текст таблицы размещён" not in result.output
    assert "ВНИМАНИЕ: не весь текст таблицы размещён в мастер-книге" in result.output


# ---- one committed sample per source family -----------------------------------------------------


def _sample(fixtures, name):
    return fixtures / "families" / name


def _read(fixtures, name, encoding="utf-8"):
    return _sample(fixtures, name).read_text(encoding=encoding)


def _named(report, text):
    """True when the summary names ``text`` (table text not placed, a warning, a note)."""
    return any(text in line for line in report.unplaced + report.warnings)


def test_garant_text_export(fixtures):
    roadmap, report = _import(_sample(fixtures, "garant_zarechny.txt"))
    assert roadmap.title == ("План мероприятий по реализации в Заречном муниципальном районе Стратегии развития "
                             "воспитания на 2023 - 2025 годы")
    assert [(s.number, s.title, len(s.items)) for s in roadmap.sections] == [
        ("I.", "Организационно-управленческие мероприятия", 3),
        ("II.", "Мероприятия по развитию добровольчества и детских общественных объединений", 3),
        ("III.", "Информационное сопровождение", 2)]
    plan, council, monitoring, branches, rally, projects, site, paper = roadmap.items
    assert plan.event == "Разработка и утверждение муниципального плана воспитательной работы на учебный год"
    assert plan.deadline.recurrence.value == "yearly"
    assert council.executors == ["Управление образования администрации Заречного муниципального района",
                                 "муниципальный координационный совет"]
    assert _dates(monitoring) == (date(2023, 1, 1), date(2023, 5, 15))  # «до 15 мая 2023* г.»
    assert branches.executors == ["Отдел культуры, спорта и молодёжной политики администрации Заречного "
                                  "муниципального района", "общеобразовательные организации"]
    assert _dates(branches) == (date(2023, 1, 1), date(2025, 12, 31))  # «в 2023 - 2025 годах»
    assert _dates(rally) == (date(2024, 4, 1), date(2024, 4, 30))
    assert projects.by_agreement == ["общеобразовательные организации"]
    assert site.deadline.recurrence.value == "period"
    assert _dates(paper) == (date(2023, 1, 1), date(2025, 8, 1))
    assert report.complete and report.warnings == []
    assert report.notes == ["строка 64: «* Срок может быть перенесён по решению координационного совета.»"]


def test_garant_with_a_row_removed_or_a_cell_run_together(fixtures):
    text = _read(fixtures, "garant_zarechny.txt")
    removed = text.replace("2.2.|\nРайонный слёт волонтёрских отрядов «Добро в Заречье»|\nапрель 2024 г.|\n"
                           "Отдел культуры, спорта и молодёжной политики администрации Заречного муниципального района|\n"
                           "||||\n", "")
    roadmap, report = _import(removed)
    assert len(roadmap.items) == 7 and _named(report, "после мероприятия 2.1 идёт 2.3.: пропущен номер?")
    glued = text.replace("1 раз в квартал|\n", "1 раз в квартал\n")
    roadmap, report = _import(glued)
    assert not report.complete and _named(report, "в строке 3 ячеек из 4")


def test_garant_pseudographic_rows_wrapped_over_lines():
    text = "\n".join([
        "План мероприятий по воспитанию на 2024 год",
        "|--------+-------------------------+-------------+---------------------|",
        "| N п/п  | Наименование            | Срок        | Ответственный       |",
        "|        | мероприятия             | исполнения  | исполнитель         |",
        "|--------+-------------------------+-------------+---------------------|",
        "| 1.     | Совещание руководителей | январь      | Отдел образования   |",
        "|        | школ                    | 2024 г.     |                     |",
        "|--------+-------------------------+-------------+---------------------|",
    ])
    roadmap, report = _import(text)
    (item,) = roadmap.items
    assert (item.event, item.executors, _dates(item)) == ("Совещание руководителей школ", ["Отдел образования"],
                                                         (date(2024, 1, 1), date(2024, 1, 31)))
    assert report.complete


def test_portal_copy_one_cell_a_paragraph(fixtures):
    roadmap, report = _import(_sample(fixtures, "portal_svetloyarsk.txt"))
    assert roadmap.title == ("Дорожная карта по развитию дополнительного образования детей Светлоярского "
                             "городского округа на 2024-2026 годы")
    assert [(s.number, s.title, len(s.items)) for s in roadmap.sections] == [
        ("1.", "Развитие сети объединений дополнительного образования", 3), ("2.", "Кадровое обеспечение", 2)]
    clubs, network, navigator, courses, contest = roadmap.items
    assert clubs.executors == ["Комитет образования администрации Светлоярского городского округа",
                               "Общеобразовательные организации"]
    assert _dates(clubs) == (date(2024, 1, 1), date(2026, 12, 31))  # «на период 2024-2026 годов»
    assert network.executors == ["МБУ ДО «Центр детского творчества»", "Отдел культуры, спорта и молодёжной "
                                 "политики администрации Светлоярского городского округа"]
    assert _dates(network) == (date(2024, 9, 1), date(2026, 8, 31))  # «2024–2026 учебные годы»
    assert navigator.deadline.recurrence.value == "semiannual"
    assert (courses.result, _dates(courses)) == ("Обучено не менее 40 педагогов", (date(2024, 9, 1), date(2024, 11, 30)))
    assert contest.event == "Муниципальный конкурс профессионального мастерства «Сердце отдаю детям»"
    assert [(i.name, i.unit, i.kind.value, i.target) for i in roadmap.indicators] == [
        ("Охват детей в возрасте от 5 до 18 лет дополнительным образованием", "%", "percent", "не менее 82 %"),
        ("Участие обучающихся в муниципальных конкурсах и фестивалях ежегодно", "человек", "count",
         "не менее 600 человек")]
    assert report.complete and report.warnings == []
    assert report.notes == ["строка 78: «Председатель комитета образования Н.В. Сомова»"]


def test_portal_copy_with_a_cell_lost_or_a_row_removed(fixtures):
    text = _read(fixtures, "portal_svetloyarsk.txt")
    lost = text.replace("2024–2026 учебные годы\n\n", "")
    roadmap, report = _import(lost)
    assert not report.complete and _named(report, "в строке 4 ячеек из 5")
    removed = text.replace(text[text.index("1.2.\n"):text.index("1.3.\n")], "")
    roadmap, report = _import(removed)
    assert len(roadmap.items) == 4 and _named(report, "после мероприятия 1.1 идёт 1.3.: пропущен номер?")


def test_word_save_as_text_rows_broken_by_cell_paragraphs(fixtures):
    roadmap, report = _import(_sample(fixtures, "word_pribrezhny.txt"))  # Windows-1251, CR LF
    assert (roadmap.period_start, roadmap.period_end) == (date(2023, 9, 1), date(2024, 8, 31))
    assert [(s.number, s.title, len(s.items)) for s in roadmap.sections] == [
        ("1.", "Нормативное и организационное обеспечение", 2), ("2.", "Работа с обучающимися и родителями", 3),
        ("3.", "Кадровое и методическое обеспечение", 2)]
    group, algorithm, testing, meetings, action, seminar, analysis = roadmap.items
    assert algorithm.event == ("Разработка алгоритма действий педагогов при выявлении признаков деструктивного "
                               "поведения\nСогласование алгоритма с КДН и ЗП")
    assert algorithm.executors == ["Управление образования администрации Прибрежного муниципального района",
                                   "Комиссия по делам несовершеннолетних и защите их прав"]
    assert algorithm.by_agreement == ["Комиссия по делам несовершеннолетних и защите их прав"]
    assert (algorithm.result, _dates(algorithm)) == ("Алгоритм направлен в школы", (date(2023, 10, 1), date(2023, 11, 30)))
    assert meetings.executors == ["Классные руководители", "Педагоги-психологи"]
    assert (meetings.deadline.recurrence.value, _dates(meetings)) == ("termly", (date(2023, 9, 1), date(2024, 8, 31)))
    assert action.executors == ["МБУ «Центр психолого-педагогической, медицинской и социальной помощи»"]
    assert seminar.event == ("Семинар для заместителей директоров по воспитательной работе\n"
                             "«Раннее выявление рисков»")
    assert _dates(analysis) == (date(2023, 9, 1), date(2024, 6, 15))
    assert report.complete and report.notes == ["строка 24: «Начальник управления образования О.П. Гречко»"]


def test_spreadsheet_clipboard_with_quoted_cells(fixtures):
    roadmap, report = _import(_sample(fixtures, "clipboard_lesnoy.txt"))
    assert (roadmap.period_start, roadmap.period_end) == (date(2025, 1, 1), date(2025, 12, 31))
    assert [(s.number, s.title, len(s.items)) for s in roadmap.sections] == [
        ("1.", "Патриотическое воспитание", 3), ("2.", "Экологическое воспитание", 3)]
    game, lessons, regiment, cleanup, contest, paper = roadmap.items
    assert game.executors == ["Отдел образования администрации Лесного городского округа",
                              "МБУ ДО «Дом детского творчества»"]
    assert _dates(game) == (date(2025, 4, 1), date(2025, 5, 31))
    assert (lessons.deadline.recurrence.value, lessons.by_agreement) == (
        "monthly", ["Совет ветеранов Лесного городского округа"])
    assert _dates(contest) == (date(2025, 7, 1), date(2025, 9, 30))
    assert paper.deadline.recurrence.value == "semiannual"
    assert report.complete and report.warnings == [] and report.notes == []


def test_numbered_list_with_labelled_deadlines(fixtures):
    roadmap, report = _import(_sample(fixtures, "list_polessky.txt"))
    assert roadmap.issuer == "Управление образования администрации Полесского муниципального района"
    assert [(s.number, s.title, len(s.items)) for s in roadmap.sections] == [
        ("I.", "Организационно-управленческие мероприятия", 3), ("II.", "Методическое сопровождение", 3)]
    curator, rules, base, seminars, contest, monitoring = roadmap.items
    assert (curator.event, curator.deadline.text) == (
        "Назначение муниципального куратора внедрения целевой модели наставничества", "январь 2025 г.")
    assert curator.executors == ["управление образования администрации Полесского муниципального района"]
    assert (rules.result, _dates(rules)) == ("положения размещены на сайтах школ", (date(2025, 1, 1), date(2025, 3, 1)))
    assert base.deadline.recurrence.value == "yearly"
    assert seminars.result == "не менее 30 наставников прошли обучение"
    assert contest.by_agreement == ["Районный совет молодых педагогов"]  # the label went on on the next line
    assert _dates(contest) == (date(2026, 4, 1), date(2026, 6, 30))
    assert (monitoring.deadline.text, monitoring.executors) == ("декабрь 2025 г., декабрь 2026 г.",
                                                                ["Информационно-методический центр"])
    assert report.complete and report.notes == ["строка 25: «Начальник управления образования А.С. Ветрова»"]


def test_libreoffice_save_as_text_one_cell_a_line(fixtures):
    roadmap, report = _import(_sample(fixtures, "lo_kamensky.txt"))
    assert [(s.number, s.title, len(s.items)) for s in roadmap.sections] == [
        ("1.", "Профориентационная работа с обучающимися", 3), ("2.", "Работа с родителями и педагогами", 3)]
    course, fair, trials, lecture, methodical, summary = roadmap.items
    assert course.event == "Реализация курса внеурочной деятельности «Россия – мои горизонты» в 6-11 классах"
    assert (course.deadline.recurrence.value, _dates(course)) == ("weekly", (date(2024, 9, 1), date(2025, 8, 31)))
    assert fair.event == "Ярмарка учебных мест\nВстречи с представителями колледжей и вузов региона"
    assert fair.executors == ["Отдел образования администрации Каменского муниципального округа",
                              "Центр занятости населения"]
    assert trials.executors == ["Общеобразовательные организации", "Каменский аграрный техникум"]
    assert _dates(trials) == (date(2024, 10, 1), date(2025, 4, 30))
    assert lecture.executors == ["Классные руководители 8-11 классов"]
    assert _dates(summary) == (date(2024, 9, 1), date(2025, 6, 20))
    assert report.complete and report.notes == ["строка 40: «Заведующий отделом образования Т.Н. Лаптева»"]


MANGLED = [  # sample, its encoding, text replaced, by what, what the summary must name
    ("word_pribrezhny.txt", "cp1251", "7-11 классов\tсентябрь - октябрь 2023 г.", "7-11 классов сентябрь - октябрь 2023 г.",
     "в строке 4 ячеек из 5"),
    ("clipboard_lesnoy.txt", "utf-8", "«Чистый берег»\tсентябрь 2025 г.", "«Чистый берег» сентябрь 2025 г.",
     "в строке 3 ячеек из 4"),
    ("list_polessky.txt", "utf-8", "(срок: 1 раз в квартал; ответственный:", "(ответственный:",
     "у мероприятия нет срока"),
    ("lo_kamensky.txt", "utf-8", "март 2025 г.\n", "", "ячейки не сопоставить со столбцами"),
    # an item's number lost: it is glued to the item before it (a list, a table), never a heading
    ("list_polessky.txt", "utf-8", "1.3. Формирование базы", "Формирование базы", "похожа на отдельное мероприятие"),
    ("clipboard_lesnoy.txt", "utf-8", "1.3\tАкция", "\tАкция", "похожа на отдельное мероприятие"),
]


@pytest.mark.parametrize("name,encoding,old,new,named", MANGLED)
def test_a_mangled_row_is_named(fixtures, name, encoding, old, new, named):
    text = _read(fixtures, name, encoding)
    assert old in text
    roadmap, report = _import(text.replace(old, new, 1))
    assert not report.complete and _named(report, named)
    whole, _ = _import(text)
    assert [s.title for s in roadmap.sections] == [s.title for s in whole.sections]  # no heading made of it


def test_pdf_with_a_text_layer(fixtures):
    roadmap, report = _import(_sample(fixtures, "pdf_ozersky.pdf"))
    assert roadmap.title == ("План мероприятий («дорожная карта») по развитию школьного спорта в Озёрском "
                             "муниципальном округе на 2025-2027 годы")
    assert [(s.number, s.title, len(s.items)) for s in roadmap.sections] == [
        ("I.", "Развитие школьных спортивных клубов", 3), ("II.", "Кадровое обеспечение", 2), ("III.", "Мониторинг", 2)]
    clubs, registry, festival, training, contest, monitoring, report_item = roadmap.items
    assert clubs.event == "Создание школьных спортивных клубов в общеобразовательных организациях, где они ещё не созданы"
    assert (clubs.deadline.text, _dates(clubs)) == ("до 1 сентября 2025 г.", (date(2025, 1, 1), date(2025, 9, 1)))
    assert registry.event == "Включение школьных спортивных клубов во Всероссийский реестр"
    assert festival.executors == ["Управление образования администрации Озёрского муниципального округа",
                                  "Отдел физической культуры и спорта администрации Озёрского муниципального округа"]
    assert festival.result == "Не менее 800 участников ежегодно"
    assert _dates(training) == (date(2025, 9, 1), date(2027, 8, 31))
    assert contest.event == "Муниципальный конкурс «Учитель физической культуры года»"
    assert monitoring.deadline.recurrence.value == "semiannual"
    assert _dates(report_item) == (date(2025, 12, 1), date(2027, 12, 31))
    assert report.complete and report.warnings == [] and report.notes == []



def test_pdf_names_wrapped_at_the_cell_edge_stay_one_name(fixtures):
    """Writer wrapped «…администрации» / «Усть-Илгинского района» inside a cell: one executor;
    a name starting on its own line after a full one stays a name of its own."""
    roadmap, report = _import(_sample(fixtures, "pdf_ust_ilga.pdf"))
    assert [len(s.items) for s in roadmap.sections] == [6, 4]
    by_number = {i.number: i for i in roadmap.items}
    assert by_number["1.6."].executors == ["Управление образования администрации Усть-Илгинского района",
                                           "ОМВД России по Усть-Илгинскому району",
                                           "Общеобразовательные организации"]
    assert by_number["1.5."].executors == ["Отдел культуры, спорта и молодёжной политики администрации "
                                           "Усть-Илгинского района", "МОО"]
    assert not any(e.name.startswith("Усть-Илгинского") for e in roadmap.executors)
    assert report.complete

def test_scanned_pdf_is_refused_with_the_reason(fixtures, tmp_path):
    result = CliRunner().invoke(main, ["import", str(_sample(fixtures, "scan_without_text.pdf")),
                                       "-o", str(tmp_path / "m.ods")])
    assert result.exit_code == 2
    assert "в PDF-файле нет текстового слоя (похоже, это скан)" in result.output
    assert not (tmp_path / "m.ods").exists()
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4 not really")
    result = CliRunner().invoke(main, ["import", str(broken), "-o", str(tmp_path / "m.ods")])
    assert result.exit_code == 2 and "PDF" in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("name", ["garant_zarechny.txt", "portal_svetloyarsk.txt", "word_pribrezhny.txt",
                                  "clipboard_lesnoy.txt", "list_polessky.txt", "lo_kamensky.txt", "pdf_ozersky.pdf"])
def test_every_sample_round_trips_through_the_master(fixtures, tmp_path, name):
    roadmap, _ = _import(_sample(fixtures, name))
    master = write_master(roadmap, tmp_path / "master.ods")
    assert read_master(master).to_json() == roadmap.to_json()


def test_headers_and_section_numbers_as_people_write_them():
    text = "\n".join([
        "План мероприятий по воспитанию обучающихся на 2024-2026 годы",
        "N п/п\tНаименование мероприятия\tПериод реализации\tОтветственный исполнитель",
        "1 Организационные меры\t\t\t",
        "1.1.\tСовещание\tв 2024 - 2026 годах\tОтдел культуры, спорта и молодёжной политики, Управление образования",
        "II Мероприятия для родителей",
        "2.1.\tРодительский всеобуч\tна период 2024-2026 годов\tУправление образования",
        "3 Меры поддержки семей",
        "3.1.\tКонсультации\t2024–2026 учебные годы\tОбщеобразовательные организации",
    ])
    roadmap, report = _import(text)
    assert [(s.number, s.title, len(s.items)) for s in roadmap.sections] == [
        ("1.", "Организационные меры", 1), ("II.", "Мероприятия для родителей", 1), ("3.", "Меры поддержки семей", 1)]
    meeting, school, advice = roadmap.items
    assert meeting.executors == ["Отдел культуры, спорта и молодёжной политики", "Управление образования"]
    assert _dates(meeting) == (date(2024, 1, 1), date(2026, 12, 31))
    assert _dates(school) == (date(2024, 1, 1), date(2026, 12, 31))
    assert _dates(advice) == (date(2024, 9, 1), date(2026, 8, 31))
    assert report.complete
