"""The report template edited in a real Writer and saved as Writer saves it, then consolidated:
the edits and the right figures come out in the ODT, the PDF and the DOCX."""

from __future__ import annotations

import re
import subprocess
import zipfile

import pytest
from odf import opendocument, teletype
from odf import text as odftext

from roadmap_office.office import properties
from roadmap_office.pipeline import run_consolidation
from roadmap_office.rendering.odt_template import TemplateError
from roadmap_office.rendering.report import write_report_template

pytestmark = pytest.mark.libreoffice


def _body(document) -> list:
    """The paragraphs and tables of a Writer document, in order."""
    parts = []
    enumeration = document.Text.createEnumeration()
    while enumeration.hasMoreElements():
        parts.append(enumeration.nextElement())
    return parts


def _placeholder(document, name: str):
    """What Вставка → Поле → Другие поля → Функции → Поле-заполнитель (текст) inserts."""
    field = document.createInstance("com.sun.star.text.TextField.JumpEdit")
    field.PlaceHolder = name
    field.PlaceHolderType = 0  # text
    field.Hint = name
    return field


def _edit_in_writer(office, source, target, typo: bool = False) -> None:
    """A specialist's edits: a heading reworded, section 5 deleted, a sentence with fields added."""
    document = office.open(source, read_only=False)
    try:
        parts = _body(document)
        texts = [p.String if p.supportsService("com.sun.star.text.Paragraph") else None for p in parts]
        parts[texts.index("1. Основные показатели")].String = "1. Итоги полугодия"
        start = texts.index("5. Показатели")
        end = texts.index("6. Динамика по отчётным периодам")
        for part in parts[start:end]:  # the heading, the table and the chart's paragraph
            part.dispose()
        text = document.Text
        anchor = parts[texts.index("<Отчётный период и дата>")]
        cursor = text.createTextCursorByRange(anchor.End)
        text.insertControlCharacter(cursor, 0, False)  # PARAGRAPH_BREAK
        text.insertString(cursor, "Отчёт подготовлен отделом воспитания; период — ", False)
        text.insertTextContent(cursor, _placeholder(document, "Раён" if typo else "Отчётный период"), False)
        text.insertString(cursor, ", образовательных организаций в перечне: ", False)
        text.insertTextContent(cursor, _placeholder(document, "Школ в перечне"), False)
        text.insertString(cursor, ".", False)
        document.storeToURL(target.resolve().as_uri(), properties(FilterName="writer8"))
    finally:
        document.close(True)


def test_a_template_edited_in_writer_fills_odt_pdf_and_docx(office, demo_run, tmp_path):
    template = write_report_template(tmp_path / "шаблон.odt")
    edited = tmp_path / "шаблон_района.odt"
    _edit_in_writer(office, template, edited)
    saved = zipfile.ZipFile(edited).read("content.xml").decode()
    assert "<text:placeholder" in saved and "&lt;Школа: код&gt;" in saved  # Writer kept the fields

    out = tmp_path / "out"
    result = run_consolidation(demo_run.master, [demo_run.outdir / "submissions"], out, ("odt", "pdf", "docx"),
                               jobs=1, report_template=edited)
    assert not result.errors
    sentence = ("Отчёт подготовлен отделом воспитания; период — I полугодие 2022 г., образовательных "
                "организаций в перечне: 12.")

    doc = opendocument.load(str(out / "Сводный_отчёт.odt"))
    headings = [teletype.extractText(h) for h in doc.text.getElementsByType(odftext.H)]
    paragraphs = [teletype.extractText(p) for p in doc.text.getElementsByType(odftext.P)]
    assert headings[0] == "1. Итоги полугодия" and "5. Показатели" not in headings
    assert sentence in paragraphs
    assert paragraphs[paragraphs.index("Выполнение мероприятий школами, %") + 1] == "39,3"
    assert not doc.text.getElementsByType(odftext.Placeholder)

    pdf = subprocess.run(["pdftotext", "-layout", str(out / "Сводный_отчёт.pdf"), "-"], capture_output=True,
                         text=True, check=True).stdout
    flat = " ".join(pdf.split())
    assert "1. Итоги полугодия" in flat and "5. Показатели" not in flat
    assert sentence in flat
    assert re.search(r"Выполнение мероприятий школами, % 39,3", flat)
    assert "МБОУ «Школа-интернат № 9»" in flat

    with zipfile.ZipFile(out / "Сводный_отчёт.docx") as archive:
        xml = archive.read("word/document.xml").decode()
    words = " ".join("".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", p))
                     for p in re.findall(r"<w:p[ >].*?</w:p>", xml))
    words = " ".join(words.split())
    assert "1. Итоги полугодия" in words and "5. Показатели" not in words
    assert sentence in words
    assert "Выполнение мероприятий школами, % 39,3" in words


def test_a_misspelt_field_typed_in_writer_is_named_before_anything_is_written(office, demo_run, tmp_path):
    template = write_report_template(tmp_path / "шаблон.odt")
    edited = tmp_path / "шаблон_района.odt"
    _edit_in_writer(office, template, edited, typo=True)
    out = tmp_path / "out"
    with pytest.raises(TemplateError) as error:
        run_consolidation(demo_run.master, [demo_run.outdir / "submissions"], out, ("xlsx", "odt"), jobs=1,
                          report_template=edited)
    message = str(error.value)
    assert "шаблон отчёта «шаблон_района.odt»: неизвестное поле «<Раён>»" in message
    assert "(в начале документа, абзац «Отчёт подготовлен отделом воспитания; период — <Раён>" in message
    assert not out.exists()
