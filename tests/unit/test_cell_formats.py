"""What a school meant, beyond the bare values: percent formats, merged cells, renamed sheets,
macro libraries and the manifest's old DOCTYPE, Excel's «Strict Open XML».

The files are demo submissions changed the way an office suite stores each habit (the same
habits made by a real LibreOffice are in tests/libreoffice/test_school_habits_office.py).
"""

from __future__ import annotations

import importlib.util
import re
import zipfile
from datetime import date
from pathlib import Path

import pytest
from lxml import etree

from roadmap_office.checking import check_file
from roadmap_office.checking import messages as M
from roadmap_office.forms.layout import COL, IND_COL, INDICATORS_SHEET, ITEMS_SHEET
from roadmap_office.master import read_master, roadmap_fingerprint
from roadmap_office.merging import consolidate
from roadmap_office.reading import read_book, read_submission

G02_ODS = "Отчёт_G02_МБОУ_Гимназия_N_2_I_полугодие_2022_г.ods"
S10_XLSX = "Отчёт_S10_МБОУ_Школа_N_10_I_полугодие_2022_г.xlsx"
AS_OF = date(2022, 6, 30)
T = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"


def strict_ooxml():
    path = Path(__file__).parents[1] / "fixtures" / "strict_ooxml.py"
    spec = importlib.util.spec_from_file_location("strict_ooxml", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def roadmap(demo_run):
    master = read_master(demo_run.master)
    return master, roadmap_fingerprint(master)


def _edit(path: Path, edits: dict) -> Path:
    """Replace parts of the zip: part -> new bytes, or a function of the old bytes."""
    with zipfile.ZipFile(path) as old:
        parts = [(i.filename, old.read(i.filename)) for i in old.infolist()]
    names = {name for name, _ in parts}
    with zipfile.ZipFile(path, "w") as new:
        for name, data in parts:
            edit = edits.get(name)
            data = edit(data) if callable(edit) else (data if edit is None else edit)
            new.writestr(name, data, compress_type=zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED)
        for name, data in edits.items():
            if name not in names:
                new.writestr(name, data, compress_type=zipfile.ZIP_DEFLATED)
    return path


def _once(old: bytes, new: bytes):
    def replace(data: bytes) -> bytes:
        assert data.count(old) == 1, old
        return data.replace(old, new)
    return replace


def _district(roadmap, paths, code: str):
    results = [check_file(p, *roadmap) for p in paths]
    consolidation = consolidate(roadmap[0], results, AS_OF)
    summary = next(i for i in consolidation.indicators if i.indicator.code == code)
    return summary, results


def _others(demo_run, *names):
    return [p for p in sorted((demo_run.outdir / "submissions").iterdir()) if p.name not in names]


# ---- percents -----------------------------------------------------------------------------------

def test_a_percent_typed_with_its_sign_counts_as_the_percent(demo_run, sample, roadmap):
    """«71,2%» typed in Calc is stored as 0.712 with a percent format, in ODS and in XLSX."""
    ods = _edit(sample(G02_ODS), {"content.xml": _once(b'office:value-type="float" office:value="71.2"',
                                                       b'office:value-type="percentage" office:value="0.712"')})
    xlsx = sample(S10_XLSX)
    with zipfile.ZipFile(xlsx) as archive:  # the new format is the last of the cell formats
        styles = archive.read("xl/styles.xml")
    percent = styles[styles.index(b"<cellXfs"):styles.index(b"</cellXfs>")].count(b"<xf ")
    _edit(xlsx, {
        "xl/styles.xml": lambda d: d.replace(b"</cellXfs>", b'<xf numFmtId="10" fontId="0" fillId="0" borderId="0" '
                                                            b'xfId="0" applyNumberFormat="1"/></cellXfs>'),
        "xl/worksheets/sheet2.xml": lambda d: _xlsx_value(d, "E6", b'<c r="E6" s="%d"><v>0.894</v></c>' % percent)})
    for path, cell in ((ods, (5, IND_COL["value"])), (xlsx, (5, IND_COL["value"]))):
        assert cell in read_submission(path).percent_cells[INDICATORS_SHEET], path.name
    clean, _ = _district(roadmap, _others(demo_run), "П4")
    typed, results = _district(roadmap, _others(demo_run, G02_ODS, S10_XLSX) + [ods, xlsx], "П4")
    assert typed.values["G02"] == 71.2 and typed.values["S10"] == 89.4
    assert typed.district == clean.district
    ours = (ods.name, xlsx.name)
    assert not [f for r in results for f in r.findings if f.sheet == INDICATORS_SHEET and f.file in ours]


def _xlsx_value(data: bytes, ref: str, cell: bytes) -> bytes:
    import re

    changed, count = re.subn(rf'<c r="{ref}"[^>]*>(<v>[^<]*</v>)?</c>'.encode(), cell, data)
    assert count == 1
    return changed


def test_a_bare_fraction_among_percents_is_named_and_not_counted(demo_run, sample, roadmap):
    ods = _edit(sample(G02_ODS), {"content.xml": _once(b'office:value="71.2"', b'office:value="0.712"')})
    mixed, results = _district(roadmap, _others(demo_run, G02_ODS) + [ods], "П4")
    without, _ = _district(roadmap, _others(demo_run, G02_ODS), "П4")
    assert mixed.values["G02"] is None and mixed.district == without.district
    finding = next(f for r in results for f in r.findings if "долю единицы" in f.message)
    assert (finding.file, finding.sheet, finding.cell, finding.severity) == (G02_ODS, INDICATORS_SHEET, "E6", "error")
    assert "введите 71,2" in finding.message and finding.value == "0,712"
    # the school's own check asked about it; the district's answer replaces the question
    assert [f.severity for r in results for f in r.findings if f.file == G02_ODS and f.cell == "E6"] == ["error"]


def test_a_fraction_is_no_finding_when_the_others_are_fractions_too(roadmap, demo_run, sample):
    """Only the others' values make a fraction suspicious: a lone small percent is taken as typed."""
    ods = _edit(sample(G02_ODS), {"content.xml": _once(b'office:value="71.2"', b'office:value="0.712"')})
    result = check_file(ods, *roadmap)
    assert next(v for v in result.indicators if v.code == "П4").value == 0.712
    (question,) = [f for f in result.findings if f.cell == "E6"]  # the school is asked, the value counts
    assert question.severity == "warning" and "если имелось в виду 71,2 %, введите 71,2" in question.message
    consolidation = consolidate(roadmap[0], [result], AS_OF)
    assert not [f for f in consolidation.findings if "долю единицы" in f.message]


# ---- merged cells -------------------------------------------------------------------------------

def _row_of(path: Path, key: str) -> int:
    """0-based row of an item on the items sheet."""
    rows = read_submission(path).sheets[ITEMS_SHEET]
    return next(n for n, row in enumerate(rows) if row and row[0] == key)


def _ods_merge(data: bytes, sheet: str, row: int, col: int, rows: int) -> bytes:
    """Merge ``rows`` cells down from 0-based (row, col) as Calc stores it: the first cell spans,
    the cells below become covered cells that keep their values."""
    root = etree.fromstring(data)
    table = next(t for t in root.iter(f"{T}table") if t.get(f"{T}name") == sheet)
    table_rows = list(table.iter(f"{T}table-row"))
    assert not any(r.get(f"{T}number-rows-repeated") for r in table_rows[row:row + rows])
    for n in range(rows):
        cells, at = list(table_rows[row + n]), 0
        for cell in cells:
            repeat = int(cell.get(f"{T}number-columns-repeated", "1"))
            if at <= col < at + repeat:
                assert repeat == 1
                if n == 0:
                    cell.set(f"{T}number-rows-spanned", str(rows))
                    cell.set(f"{T}number-columns-spanned", "1")
                else:
                    cell.tag = f"{T}covered-table-cell"
                break
            at += repeat
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def test_a_merge_over_filled_cells_is_named(sample, roadmap):
    ods = sample(G02_ODS)
    row = _row_of(ods, "1.1")
    status = COL["status"]
    _edit(ods, {"content.xml": lambda d: _ods_merge(d, ITEMS_SHEET, row, status, 2)})
    xlsx = sample(S10_XLSX)
    xlsx_row = _row_of(xlsx, "1.1")
    area = f"F{xlsx_row + 1}:F{xlsx_row + 2}"
    _edit(xlsx, {"xl/worksheets/sheet1.xml": lambda d: d.replace(b"</mergeCells>",
                                                                 f'<mergeCell ref="{area}"/></mergeCells>'.encode())})
    assert (row, status, row + 1, status) in read_submission(ods).merges[ITEMS_SHEET]
    for path, named in ((ods, f"F{row + 1}:F{row + 2}"), (xlsx, area)):
        result = check_file(path, *roadmap)
        merged = [f for f in result.findings if f.message == M.MERGED_DATA.format(area=named)]
        assert [(f.sheet, f.cell, f.severity) for f in merged] == [(ITEMS_SHEET, named, "error")], path.name
        assert len(result.records) > 50  # the hidden status is still read, and said so


def test_the_templates_own_merges_are_no_finding(demo_run, roadmap):
    for path in (demo_run.outdir / "submissions" / G02_ODS, demo_run.outdir / "submissions" / S10_XLSX):
        assert read_submission(path).merges[ITEMS_SHEET]  # titles and section headings
        assert not [f for f in check_file(path, *roadmap).findings if "объединены" in f.message]


def test_a_value_under_a_merge_is_read_in_ods(sample):
    ods = sample(G02_ODS)
    row = _row_of(ods, "1.1")
    before = read_submission(ods).sheets[ITEMS_SHEET][row + 1][COL["status"]]
    _edit(ods, {"content.xml": lambda d: _ods_merge(d, ITEMS_SHEET, row, COL["status"], 2)})
    assert before and read_submission(ods).sheets[ITEMS_SHEET][row + 1][COL["status"]] == before


# ---- files that are accepted now ----------------------------------------------------------------

_BASIC = (b'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE library:library PUBLIC "-//OpenOffice.org//DTD '
          b'OfficeDocument 1.0//EN" "library.dtd">\n'
          b'<library:library xmlns:library="http://openoffice.org/2000/library" '
          b'library:name="Standard" library:readonly="false" library:passwordprotected="false">\n'
          b' <library:element library:name="Module1"/>\n</library:library>')
_MODULE = (b'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE script:module PUBLIC "-//OpenOffice.org//DTD '
           b'OfficeDocument 1.0//EN" "module.dtd">\n<script:module xmlns:script="http://openoffice.org/2000/script" '
           b'script:name="Module1" script:language="StarBasic">Sub Main\nEnd Sub</script:module>')
_MANIFEST_DOCTYPE = b'<!DOCTYPE manifest:manifest PUBLIC "-//OpenOffice.org//DTD Manifest 1.0//EN" "Manifest.dtd">'


@pytest.mark.parametrize("pure", [False, True], ids=["lxml", "standard library"])
def test_a_basic_library_and_the_old_manifest_doctype_are_accepted(sample, roadmap, monkeypatch, pure):
    if pure:
        monkeypatch.setenv("ROADMAP_OFFICE_PURE", "1")
    clean = check_file(sample(G02_ODS, "чистый.ods"), *roadmap)
    path = _edit(sample(G02_ODS), {
        "META-INF/manifest.xml": lambda d: d.replace(b"?>", b"?>" + _MANIFEST_DOCTYPE, 1),
        "Basic/script-lc.xml": _BASIC.replace(b"library:library", b"library:libraries").replace(b"library.dtd",
                                                                                              b"libraries.dtd"),
        "Basic/Standard/script-lb.xml": _BASIC, "Basic/Standard/Module1.xml": _MODULE})
    result = check_file(path, *roadmap)
    assert not result.rejected
    assert sorted(f.message for f in result.findings) == sorted([f.message for f in clean.findings] + [M.MACROS])
    assert [(r.item_key, r.status) for r in result.records] == [(r.item_key, r.status) for r in clean.records]


@pytest.mark.parametrize("declaration", [
    b'<!DOCTYPE manifest:manifest SYSTEM "Manifest.dtd">',  # no public identifier: could be loaded
    b'<!DOCTYPE manifest:manifest PUBLIC "-//OpenOffice.org//DTD Manifest 1.0//EN" "Manifest.dtd" '
    b'[<!ENTITY e "e">]>',  # an internal subset
    b'<!DOCTYPE manifest:manifest PUBLIC "-//OpenOffice.org//DTD Manifest 1.0//EN" "Manifest.dtd" '
    b'[<!ATTLIST manifest:manifest x CDATA "1">]>',
])
@pytest.mark.parametrize("pure", [False, True], ids=["lxml", "standard library"])
def test_other_doctypes_stay_refused(sample, declaration, pure):
    from roadmap_office.reading import ContainerError

    path = _edit(sample(G02_ODS), {"META-INF/manifest.xml": lambda d: d.replace(b"?>", b"?>" + declaration, 1)})
    with pytest.raises(ContainerError, match="DOCTYPE/ENTITY"):
        read_book(path.read_bytes(), pure=pure)


@pytest.mark.parametrize("name,part,old", [
    (G02_ODS, "content.xml", 'table:name="Мероприятия"'),
    (S10_XLSX, "xl/workbook.xml", 'name="Мероприятия"'),
])
def test_a_renamed_items_sheet_is_found_by_its_content(sample, roadmap, name, part, old):
    clean = check_file(sample(name, "чистый" + Path(name).suffix), *roadmap)
    path = _edit(sample(name), {part: _once(old.encode(), old.replace("Мероприятия", "Отчёт школы").encode())})
    result = check_file(path, *roadmap)
    assert not result.rejected
    assert [(r.item_key, r.status, r.date_done) for r in result.records] == \
        [(r.item_key, r.status, r.date_done) for r in clean.records]
    note = [f for f in result.findings if f.message == M.SHEET_RENAMED.format(sheet=ITEMS_SHEET, found="Отчёт школы")]
    assert [(f.sheet, f.severity) for f in note] == [("Отчёт школы", "warning")]


@pytest.mark.parametrize("pure", [False, True], ids=["lxml", "standard library"])
def test_a_strict_open_xml_workbook_is_read(sample, roadmap, monkeypatch, pure):
    """Excel's «Strict Open XML» (see tests/fixtures/strict_ooxml.py), its dates as ISO text."""
    path = sample(S10_XLSX)
    clean = check_file(path, *roadmap)
    book = read_book(path.read_bytes())
    items = book.sheets[ITEMS_SHEET]
    dated = {f"{chr(ord('A') + COL['date_done'])}{n + 1}" for n, row in enumerate(items) if len(row) > COL["date_done"]
             and isinstance(row[COL["date_done"]], date)}
    assert dated
    strict = path.with_name("строгий.xlsx")
    strict.write_bytes(strict_ooxml().to_strict(path.read_bytes(), {"xl/worksheets/sheet1.xml": dated}))
    with zipfile.ZipFile(strict) as archive:
        assert b"http://purl.oclc.org/ooxml/spreadsheetml/main" in archive.read("xl/workbook.xml")
        assert b't="d"' in archive.read("xl/worksheets/sheet1.xml")
    assert read_book(strict.read_bytes(), pure=pure).sheets == book.sheets
    if pure:
        monkeypatch.setenv("ROADMAP_OFFICE_PURE", "1")
    result = check_file(strict, *roadmap)
    assert not result.rejected
    assert [(r.item_key, r.status, r.date_done) for r in result.records] == \
        [(r.item_key, r.status, r.date_done) for r in clean.records]
    assert [(v.code, v.value) for v in result.indicators] == [(v.code, v.value) for v in clean.indicators]


# ---- phonetic readings ----------------------------------------------------------------------------

@pytest.mark.parametrize("pure", [False, True], ids=["lxml", "standard library"])
def test_phonetic_readings_are_no_part_of_a_text_shared_or_inline(sample, pure):
    """A Japanese Excel stores a reading (<rPh>) beside a string's runs, in the shared table and in
    an inline string alike; a person sees only the runs."""
    path = _edit(sample(S10_XLSX), {
        "xl/sharedStrings.xml": lambda data: re.sub(  # the first string, the title, in two runs and a reading
            "<si><t>Отчёт( о реализации:[^<]*)</t></si>".encode(),
            '<si><r><t>Отчёт</t></r><rPh sb="0" eb="1"><t>ヨミ</t></rPh><r><t xml:space="preserve">\\1</t></r></si>'
            .encode(), data, count=1),
        "xl/worksheets/sheet3.xml": _once(b'<c r="A1" s="7" t="s"><v>361</v></c>',
                                          '<c r="A1" s="7" t="inlineStr"><is><t>Инструкция</t><rPh sb="0" eb="1">'
                                          '<t>ヨミ</t></rPh></is></c>'.encode()),
    })
    book = read_book(path.read_bytes(), pure=pure)
    assert book.sheets[ITEMS_SHEET][0][1].startswith("Отчёт о реализации: План мероприятий")
    assert book.sheets["Инструкция"][0][0] == "Инструкция"
