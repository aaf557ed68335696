"""The report as a Writer template: fields, repeats, blocks, the check of a district's own template."""

from __future__ import annotations

import shutil

import pytest
from click.testing import CliRunner
from odf import opendocument, table, teletype
from odf import text as odftext

from roadmap_office.cli import main
from roadmap_office.errors import Exit
from roadmap_office.master import read_master, write_master
from roadmap_office.pipeline import run_consolidation
from roadmap_office.rendering.odt_template import TemplateError, field_name, load_template
from roadmap_office.rendering.report import write_report_template
from roadmap_office.rendering.report_default import default_template, field
from roadmap_office.rendering.report_fields import SCHEMA, field_names, report_values

REPORT = "Сводный_отчёт.odt"


def _paragraphs(path) -> list[str]:
    doc = opendocument.load(str(path))
    return [teletype.extractText(p) for p in doc.text.getElementsByType(odftext.P)]


def _headings(path) -> list[str]:
    doc = opendocument.load(str(path))
    return [teletype.extractText(h) for h in doc.getElementsByType(odftext.H)]


def _consolidate(demo_run, out, template=None):
    return run_consolidation(demo_run.master, [demo_run.outdir / "submissions"], out, ("odt",), jobs=1,
                             report_template=template)


def _edited(source, target, edit) -> None:
    """Change a template with odfpy as Writer keeps it (placeholders stay placeholders)."""
    doc = opendocument.load(str(source))
    edit(doc)
    doc.save(str(target))


def test_every_field_has_a_value_and_every_value_a_field(demo_run):
    from roadmap_office.merging import consolidate
    from roadmap_office.pipeline import check_files, collect_inputs

    roadmap = read_master(demo_run.master)
    checked = check_files(collect_inputs([demo_run.outdir / "submissions"]), roadmap, None, jobs=1)
    values = report_values(consolidate(roadmap, checked, roadmap.period.end))

    def shape(schema, value):
        assert set(schema) == set(value)
        for name, sub in schema.items():
            if isinstance(sub, list):
                for item in value[name]:
                    shape(sub[0], item)

    shape(SCHEMA, values)


def test_the_default_template_is_a_writer_document_of_known_fields(tmp_path):
    path = write_report_template(tmp_path / "шаблон.odt")
    doc = load_template(path.read_bytes(), path.name)
    names = {field_name(p) for p in doc.getElementsByType(odftext.Placeholder)}
    known = set(field_names())
    assert {"Дорожная карта", "Отчётный период и дата", "Подписант", "Школа: наименование",
            "Диаграмма: школы", "Начало: Разделы", "Конец: Разделы"} <= names
    assert {n for n in names if not n.startswith(("Начало: ", "Конец: "))} <= known
    assert {n.split(": ", 1)[1] for n in names if n.startswith(("Начало: ", "Конец: "))} <= known


def test_rows_repeat_per_school_and_empty_parts_go(demo_run, tmp_path):
    _consolidate(demo_run, tmp_path)
    doc = opendocument.load(str(tmp_path / REPORT))
    assert not doc.getElementsByType(odftext.Placeholder)  # every field filled
    tables = {t.getAttribute("name"): t for t in doc.getElementsByType(table.Table)}
    schools = tables["Schools"].getElementsByType(table.TableRow)
    assert len(schools) == 1 + 12  # the header and one row per school of the master
    assert {"Items", "Items_2", "Items_14"} <= set(tables)  # a table per section, named apart
    paragraphs = _paragraphs(tmp_path / REPORT)
    assert "Замечаний к представленным файлам нет." not in paragraphs  # the demo's files have findings
    assert not [p for p in paragraphs if "Начало:" in p or "Конец:" in p]
    assert "Рисунок 2. Выполнение мероприятий по образовательным организациям, % (при большом числе " \
           "организаций — распределение, наименее и наиболее успешные названы)." in paragraphs


def test_an_edited_template_is_filled_as_edited(demo_run, tmp_path):
    template = write_report_template(tmp_path / "шаблон.odt")

    def edit(doc):
        headings = doc.getElementsByType(odftext.H)
        headings[0].childNodes[0].data = "1. Итоги полугодия"
        # the section «5. Показатели» goes: its heading, table and chart paragraph
        five = next(h for h in headings if teletype.extractText(h) == "5. Показатели")
        body = five.parentNode
        nodes = body.childNodes
        start = nodes.index(five)
        end = next(n for n in range(start + 1, len(nodes)) if nodes[n].qname == five.qname)
        for node in nodes[start:end]:
            body.removeChild(node)
        sentence = odftext.P(stylename="Standard", text="Отчёт подготовил отдел воспитания, период ")
        sentence.addElement(field("Отчётный период"))
        sentence.addText(", школ в перечне: ")
        sentence.addElement(field("Школ в перечне"))
        sentence.addText(".")
        body.insertBefore(sentence, nodes[start])

    _edited(template, tmp_path / "правка.odt", edit)
    _consolidate(demo_run, tmp_path / "out", tmp_path / "правка.odt")
    headings = _headings(tmp_path / "out" / REPORT)
    assert headings[0] == "1. Итоги полугодия" and "5. Показатели" not in headings
    assert "Отчёт подготовил отдел воспитания, период I полугодие 2022 г., школ в перечне: 12." in \
        _paragraphs(tmp_path / "out" / REPORT)


@pytest.mark.parametrize("change,expected", [
    (lambda doc: _rename(doc, "Школа: наименование", "Школа: наименоване"),
     "неизвестное поле «<Школа: наименоване>» (раздел «4. Образовательные организации», таблица «Schools», "
     "строка 2)"),
    (lambda doc: _rename(doc, "Подписант", "Подпись"),
     "неизвестное поле «<Подпись>» (раздел «7. Замечания к представленным файлам», абзац «<Подпись> ____"),
    (lambda doc: _rename(doc, "Конец: Разделы", "Конец: Раздел"),
     "у поля «<Начало: Разделы>» нет парного «<Конец: Разделы>»"),
    (lambda doc: _rename(doc, "Школа: код", "Мероприятие: №"),
     "поле «<Мероприятие: №>» здесь недоступно: оно относится к перечню «Мероприятия»"),
])
def test_a_misspelt_field_stops_the_run_before_anything_is_written(demo_run, tmp_path, change, expected):
    template = write_report_template(tmp_path / "шаблон.odt")
    _edited(template, tmp_path / "опечатка.odt", change)
    out = tmp_path / "out"
    with pytest.raises(TemplateError) as error:
        _consolidate(demo_run, out, tmp_path / "опечатка.odt")
    assert "шаблон отчёта «опечатка.odt»" in str(error.value)
    assert expected in str(error.value)
    assert not out.exists() or not list(out.iterdir())


def _rename(doc, old: str, new: str) -> None:
    for placeholder in doc.getElementsByType(odftext.Placeholder):
        if field_name(placeholder) == old:
            placeholder.childNodes[0].data = f"<{new}>"
            return
    raise AssertionError(old)


def test_not_a_writer_document_is_refused(demo_run, tmp_path):
    fake = tmp_path / "шаблон.odt"
    shutil.copy(demo_run.master, fake)  # an ODS renamed
    with pytest.raises(TemplateError, match="не текстовый документ Writer"):
        _consolidate(demo_run, tmp_path / "out", fake)
    fake.write_bytes(b"not a zip")
    with pytest.raises(TemplateError, match="это не документ Writer"):
        _consolidate(demo_run, tmp_path / "out", fake)


def test_the_master_names_the_template_relative_to_itself(demo_run, tmp_path):
    roadmap = read_master(demo_run.master)
    roadmap.report_template = "шаблоны/отчёт.odt"
    roadmap.report_signer = "Начальник управления образования"
    master = write_master(roadmap, tmp_path / "master.ods")
    template = write_report_template(tmp_path / "шаблоны" / "исходный.odt")
    _edited(template, tmp_path / "шаблоны" / "отчёт.odt", lambda doc: doc.text.addElement(
        odftext.P(text="Приложение: сводная книга.")))
    run_consolidation(master, [demo_run.outdir / "submissions"], tmp_path / "out", ("odt",), jobs=1)
    paragraphs = _paragraphs(tmp_path / "out" / REPORT)
    assert paragraphs[-1] == "Приложение: сводная книга."
    assert any(p.startswith("Начальник управления образования") for p in paragraphs)
    (tmp_path / "шаблоны" / "отчёт.odt").unlink()
    with pytest.raises(TemplateError, match="шаблон отчёта «отчёт.odt» не найден"):
        run_consolidation(master, [demo_run.outdir / "submissions"], tmp_path / "out", ("odt",), jobs=1)


def test_cli_writes_the_template_and_names_a_typo(demo_run, tmp_path):
    runner = CliRunner()
    result = runner.invoke(main, ["report-template", "-o", str(tmp_path / "шаблон.odt")])
    assert result.exit_code == 0, result.output
    assert "Записан шаблон отчёта" in result.output
    bad = runner.invoke(main, ["report-template", "-o", str(tmp_path / "шаблон.docx")])
    assert bad.exit_code == Exit.USAGE and "ODT" in bad.output
    _edited(tmp_path / "шаблон.odt", tmp_path / "опечатка.odt", lambda doc: _rename(doc, "Орган", "Оран"))
    result = runner.invoke(main, ["consolidate", str(demo_run.master), str(demo_run.outdir / "submissions"),
                                  "-o", str(tmp_path / "out"), "--format", "xlsx,odt",
                                  "--report-template", str(tmp_path / "опечатка.odt")])
    assert result.exit_code == Exit.USAGE
    assert "неизвестное поле «<Оран>»" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_default_template_has_the_same_fields_as_its_description():
    """A placeholder's hint (Writer shows it on hover) is the field's description."""
    doc = default_template()
    hints = {field_name(p): p.getAttribute("description") for p in doc.getElementsByType(odftext.Placeholder)}
    assert hints["Подписант"] == SCHEMA["Подписант"]
    assert hints["Школа: код"] == SCHEMA["Школы"][0]["Школа: код"]


def test_fields_in_the_page_header_are_filled_and_checked(demo_run, tmp_path):
    """A district and period at the head of every page: a page style's header holds fields too."""
    from odf import style

    def header(name):
        def edit(doc):
            master = doc.masterstyles.getElementsByType(style.MasterPage)[0]
            head = style.Header()
            line = odftext.P(text="Отчёт за ")
            line.addElement(field(name))
            head.addElement(line)
            master.insertBefore(head, master.childNodes[0])
        return edit

    template = write_report_template(tmp_path / "шаблон.odt")
    _edited(template, tmp_path / "колонтитул.odt", header("Отчётный период"))
    _consolidate(demo_run, tmp_path / "out", tmp_path / "колонтитул.odt")
    doc = opendocument.load(str(tmp_path / "out" / REPORT))
    heads = [teletype.extractText(h) for h in doc.masterstyles.getElementsByType(style.Header)]
    assert heads == ["Отчёт за I полугодие 2022 г."]
    _edited(template, tmp_path / "опечатка.odt", header("Отчётный перод"))
    with pytest.raises(TemplateError, match="неизвестное поле «<Отчётный перод>» \\(колонтитул, абзац «Отчёт за"):
        _consolidate(demo_run, tmp_path / "out2", tmp_path / "опечатка.odt")
