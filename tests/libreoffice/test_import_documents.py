"""ODT and DOCX made by a real LibreOffice from an HTML table import to the same model as the text."""

from __future__ import annotations

import html

import pytest

from roadmap_office.importing import ImportReport, import_roadmap
from roadmap_office.importing.sources import Para, text_blocks
from roadmap_office.office import properties

pytestmark = pytest.mark.libreoffice


def _html(text: str) -> str:
    parts = ["<html><head><meta charset='utf-8'></head><body>"]
    in_table = False
    for block in text_blocks(text):
        if isinstance(block, Para):
            if in_table:
                parts.append("</table>")
                in_table = False
            parts.append(f"<p>{html.escape(block.text)}</p>")
        else:
            if not in_table:
                parts.append("<table border='1'>")
                in_table = True
            cells = "".join(f"<td>{html.escape(c).replace(chr(10), '<br>')}</td>" for c in block.cells)
            parts.append(f"<tr>{cells}</tr>")
    parts.append("</table></body></html>" if in_table else "</body></html>")
    return "".join(parts)


@pytest.fixture(scope="module")
def documents(office, fixtures, tmp_path_factory):
    folder = tmp_path_factory.mktemp("docs")
    source = fixtures / "roadmaps" / "002_a1e155e70aa7bfd4.txt"
    page = folder / "roadmap.html"
    page.write_text(_html(source.read_text(encoding="utf-8")), encoding="utf-8")
    document = office.desktop.loadComponentFromURL(page.as_uri(), "_blank", 0,
                                                   properties(Hidden=True, FilterName="HTML (StarWriter)"))
    try:
        for name, filter_name in (("roadmap.odt", "writer8"), ("roadmap.docx", "MS Word 2007 XML")):
            document.storeToURL((folder / name).as_uri(), properties(FilterName=filter_name))
    finally:
        document.close(True)
    return source, folder


@pytest.mark.parametrize("name", ["roadmap.odt", "roadmap.docx"])
def test_office_documents_import_like_the_text(documents, name):
    source, folder = documents
    expected = import_roadmap(source).to_json()
    imported = import_roadmap(folder / name).to_json()
    assert [len(s["items"]) for s in imported["sections"]] == [len(s["items"]) for s in expected["sections"]]
    assert imported == expected


# ---- samples LibreOffice makes: «save as text» of a table, a PDF with a text layer -------------------

FAMILIES = "families"
CONVERSIONS = {  # committed sample: (HTML it is made from, LibreOffice filter, filter options)
    "lo_kamensky.txt": ("lo_kamensky.html", "Text (encoded)", "UTF8,LF,,,"),
    "pdf_ozersky.pdf": ("pdf_ozersky.html", "writer_pdf_Export", ""),
}


def convert_html(office, source, target, filter_name: str, options: str = "") -> None:
    """Open an HTML table in Writer and store it through a filter, as a district's office does."""
    document = office.desktop.loadComponentFromURL(source.as_uri(), "_blank", 0,
                                                   properties(Hidden=True, FilterName="HTML (StarWriter)"))
    try:
        values = {"FilterName": filter_name}
        if options:
            values["FilterOptions"] = options
        document.storeToURL(target.as_uri(), properties(**values))
    finally:
        document.close(True)


@pytest.mark.parametrize("name", list(CONVERSIONS))
def test_samples_made_by_libreoffice_import_like_the_committed_ones(office, fixtures, tmp_path, name):
    html_name, filter_name, options = CONVERSIONS[name]
    made = tmp_path / name
    convert_html(office, fixtures / FAMILIES / html_name, made, filter_name, options)
    fresh, committed = import_roadmap(made), import_roadmap(fixtures / FAMILIES / name)
    assert fresh.to_json() == committed.to_json()
    assert len(fresh.items) in (6, 7)


def _pdf_from(office, fixtures, tmp_path, edit) -> "Path":
    source = tmp_path / "edited.html"
    source.write_text(edit((fixtures / FAMILIES / "pdf_ozersky.html").read_text(encoding="utf-8")), encoding="utf-8")
    target = tmp_path / "edited.pdf"
    convert_html(office, source, target, "writer_pdf_Export")
    return target


def _flat(roadmap):
    return [(i.number, " ".join(i.event.split()), i.executors, i.deadline.start, i.deadline.end) for i in roadmap.items]


def test_pdf_without_rules_reads_like_the_ruled_one(office, fixtures, tmp_path):
    """Cells centred vertically, no rules: rows are bands of lines, columns come from the header."""
    made = _pdf_from(office, fixtures, tmp_path,
                     lambda html: html.replace('<table border="1" cellpadding="4">', '<table border="0" cellpadding="6">'))
    report = ImportReport()
    assert _flat(import_roadmap(made, report=report)) == _flat(import_roadmap(fixtures / FAMILIES / "pdf_ozersky.pdf"))
    assert report.complete


def test_pdf_with_a_row_removed_or_a_cell_lost_is_named(office, fixtures, tmp_path):
    row5 = ("<tr><td>5.</td><td>Муниципальный конкурс «Учитель физической культуры года»</td><td>II квартал 2026 г.</td>"
            "<td>Муниципальный методический центр</td><td>Выявлены лучшие практики</td></tr>")
    removed = _pdf_from(office, fixtures, tmp_path, lambda html: html.replace(row5, ""))
    report = ImportReport()
    assert len(import_roadmap(removed, report=report).items) == 6
    assert "после мероприятия 4 идёт 6.: пропущен номер?" in " ".join(report.warnings)
    lost = _pdf_from(office, fixtures, tmp_path, lambda html: html.replace("<td>в 2025 - 2026 годах</td>", ""))
    report = ImportReport()
    import_roadmap(lost, report=report)
    assert "срок «Общеобразовательные организации» не распознан (мероприятие 2.)" in " ".join(report.warnings)
