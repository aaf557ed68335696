"""Roadmaps as districts really hold them: one committed sample per source family.

Each sample imports whole (sections, items, events, executors, dates), and the same sample with
one row removed or mangled makes the summary name it: a wrong import never passes as complete.
"""

from __future__ import annotations

import json
from datetime import date

from click.testing import CliRunner

from roadmap_office.cli import main
from roadmap_office.importing import ImportReport, import_roadmap, import_text

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
    assert "ВНИМАНИЕ: не всё содержимое документа размещено в мастер-книге" in result.output
