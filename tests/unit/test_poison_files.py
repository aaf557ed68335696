"""Poison files: each class is refused with a Russian reason, and nothing else changes.

Every file is generated here from a demo submission (no binaries in the repository).
"""

from __future__ import annotations

import os
import re
import struct
import zipfile
from datetime import date
from pathlib import Path

import pytest

from roadmap_office.checking import check_file
from roadmap_office.checking import isolated
from roadmap_office.checking import messages as M
from roadmap_office.master import read_master, roadmap_fingerprint
from roadmap_office.merging import consolidate
from roadmap_office.pipeline import check_files
from roadmap_office.reading import limits as L
from roadmap_office.reading import ContainerError, read_book

G02_ODS = "Отчёт_G02_МБОУ_Гимназия_N_2_I_полугодие_2022_г.ods"
S10_XLSX = "Отчёт_S10_МБОУ_Школа_N_10_I_полугодие_2022_г.xlsx"
_LATIN = re.compile(r"\b[A-Za-z][a-z]{3,}")
_ALLOWED_LATIN = {"DOCTYPE", "ENTITY", "content", "styles", "Libre", "Office", "Excel", "manifest", "number",
                  "columns", "repeated", "spanned", "rows", "META", "INF", "media", "padding", "worksheets", "sheet"}


def _russian_only(reason: str) -> bool:
    """No English parser text: Latin words only as names of parts, formats and attributes."""
    unquoted = re.sub(r"«[^»]*»", "", reason)
    return all(word in _ALLOWED_LATIN for word in _LATIN.findall(unquoted))


@pytest.fixture(scope="module")
def roadmap(demo_run):
    master = read_master(demo_run.master)
    return master, roadmap_fingerprint(master)


def _rewrite(path: Path, replace=None, add=None, drop=(), compress=zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path) as old:
        parts = [(i.filename, old.read(i.filename)) for i in old.infolist()]
    with zipfile.ZipFile(path, "w") as new:
        for name, data in parts:
            if name in drop:
                continue
            data = (replace or {}).get(name, data)
            data = data(data_of(parts, name)) if callable(data) else data
            new.writestr(name, data, compress_type=zipfile.ZIP_STORED if name == "mimetype" else compress)
        for name, data in (add or {}).items():
            new.writestr(name, data, compress_type=compress)
    return path


def data_of(parts, name):
    return dict(parts)[name]


def _sheet1(path: Path) -> str:
    with zipfile.ZipFile(path) as archive:
        return next(n for n in archive.namelist() if n.startswith("xl/worksheets/sheet"))


def _content_edit(path: Path, edit) -> Path:
    return _rewrite(path, replace={"content.xml": lambda data: edit(data.decode("utf-8")).encode("utf-8")})


def _first_string_cell(content: str) -> int:
    return content.index('<table:table-cell', content.index('office:value-type="string"') - 200)


def _set_zip_flag(path: Path, member: str, bit: int) -> None:
    """Set a general-purpose flag bit of one member (local and central headers), as an encrypting zip tool does."""
    data = bytearray(path.read_bytes())
    name = member.encode()
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = 0
        while (start := data.find(signature, start)) >= 0:
            name_at = start + (30 if signature == b"PK\x03\x04" else 46)
            length = struct.unpack_from("<H", data, start + (26 if signature == b"PK\x03\x04" else 28))[0]
            if bytes(data[name_at:name_at + length]) == name:
                flags = struct.unpack_from("<H", data, start + offset)[0]
                struct.pack_into("<H", data, start + offset, flags | bit)
            start += 4
    path.write_bytes(bytes(data))


def _xlsx_cell(path: Path, cell_xml: str) -> Path:
    member = _sheet1(path)
    return _rewrite(path, replace={member: lambda d: d.replace(b"</sheetData>", cell_xml.encode() + b"</sheetData>")})


# ---- one class per case: (how to make it, the reason a user reads) ---------------------------

def _crc(path):
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("content.xml")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data[start + info.compress_size // 2] ^= 0xFF
    path.write_bytes(bytes(data))


CASES = {
    "crc": (G02_ODS, _crc, "content.xml"),
    "xml_syntax": (G02_ODS, lambda p: _content_edit(p, lambda c: c.replace("</table:table-row>", "</table:row>", 1)),
                   "нарушена разметка XML"),
    "bad_utf8": (G02_ODS, lambda p: _rewrite(p, replace={"content.xml": lambda d: d.replace(
        "Гимназия".encode(), b"\xff\xfe\xfa", 1)}), "нарушена разметка XML"),
    "missing_content": (G02_ODS, lambda p: _rewrite(p, drop={"content.xml"}), "нет содержимого"),
    "missing_workbook": (S10_XLSX, lambda p: _rewrite(p, drop={"xl/workbook.xml"}),
                         "архив не является документом ODS или XLSX"),
    "bzip2": (S10_XLSX, lambda p: _rewrite(p, compress=zipfile.ZIP_BZIP2), "неподдерживаемым способом"),
    "zip_encryption": (S10_XLSX, lambda p: _set_zip_flag(p, "xl/workbook.xml", 1), "защищён паролем"),
    "repeat_abc": (G02_ODS, lambda p: _content_edit(p, lambda c: c.replace(
        "<table:table-cell ", '<table:table-cell table:number-columns-repeated="abc" ', 1)),
        "недопустимое значение атрибута number-columns-repeated «abc»"),
    "span_zero": (G02_ODS, lambda p: _content_edit(p, lambda c: c.replace(
        "<table:table-cell ", '<table:table-cell table:number-columns-spanned="0" ', 1)),
        "недопустимое значение атрибута number-columns-spanned «0»"),
    "merge_bad_ref_xlsx": (S10_XLSX, lambda p: _rewrite(p, replace={_sheet1(p): lambda d: d.replace(
        b"</mergeCells>", b'<mergeCell ref="F1:XYZW9"/></mergeCells>')}), "F1:XYZW9: недопустимая ссылка на ячейку"),
    "impossible_date": (G02_ODS, lambda p: _content_edit(p, lambda c: c[:_first_string_cell(c)]
                        + '<table:table-cell office:value-type="date" office:date-value="2022-02-30"/>'
                        + c[_first_string_cell(c):]), "не читается как дата"),
    "far_cell_xlsx": (S10_XLSX, lambda p: _xlsx_cell(p, '<row r="1048576"><c r="XFD1048576" t="inlineStr">'
                                                        "<is><t>x</t></is></c></row>"),
                      f"в строке 1048576 (допустимо не более {L.MAX_ROWS} строк)"),
    "wide_cell_xlsx": (S10_XLSX, lambda p: _xlsx_cell(p, '<row r="60"><c r="XFD60"><v>1</v></c></row>'),
                       f"в столбце 16384 (допустимо не более {L.MAX_COLUMNS} столбцов)"),
    "bad_number_xlsx": (S10_XLSX, lambda p: _xlsx_cell(p, '<row r="60"><c r="B60"><v>много</v></c></row>'),
                        "ячейка B60: значение «много» не является числом"),
    "repeated_rows_ods": (G02_ODS, lambda p: _content_edit(p, lambda c: c.replace(
        "</table:table>", '<table:table-row table:number-rows-repeated="100000"><table:table-cell '
        'table:number-columns-repeated="100" office:value-type="string"><text:p>x</text:p></table:table-cell>'
        "</table:table-row></table:table>", 1)), f"допустимо не более {L.MAX_ROWS} строк"),
    "doctype_after_comment": (G02_ODS, lambda p: _content_edit(p, lambda c: c.replace(
        "?>", "?><!--" + "x" * 5000 + '--><!DOCTYPE r [<!ENTITY e "e">]>', 1)), "DOCTYPE/ENTITY"),
    "doctype_utf16": (S10_XLSX, lambda p: _rewrite(p, replace={"xl/workbook.xml": lambda d: (
        '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE w [<!ENTITY e "e">]>'
        + d.decode("utf-8").split("?>", 1)[-1]).encode("utf-16")}), "DOCTYPE/ENTITY"),
    "doctype_in_styles": (G02_ODS, lambda p: _rewrite(p, replace={"styles.xml": lambda d: d.replace(
        b"?>", b'?><!DOCTYPE s SYSTEM "http://example.invalid/x.dtd">', 1)}), "styles.xml"),
    "password_xlsx": (S10_XLSX, lambda p: p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 1000
                                                        + "EncryptionInfo".encode("utf-16-le") + b"\0" * 1000),
                      "защищён паролем"),
    "old_xls": (S10_XLSX, lambda p: p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 2000),
                "старом двоичном формате"),
    "password_ods": (G02_ODS, lambda p: _rewrite(p, replace={"META-INF/manifest.xml": lambda d: d.replace(
        b'manifest:full-path="content.xml" manifest:media-type="text/xml"/>',
        b'manifest:full-path="content.xml" manifest:media-type="text/xml"><manifest:encryption-data '
        b'manifest:checksum-type="SHA1/1K" manifest:checksum="AAAA"/></manifest:file-entry>')}),
        "защищён паролем"),
    "sheet_part_missing": (S10_XLSX, lambda p: _rewrite(p, drop={_sheet1(p)}), "ссылается на отсутствующую часть"),
    "other_main_part": (S10_XLSX, lambda p: _rewrite(p, replace={"_rels/.rels": lambda d: d.replace(
        b"xl/workbook.xml", b"xl/other.xml")}), "нестандартное строение документа XLSX"),
    "long_namespace_prefix": (G02_ODS, lambda p: _rewrite(p, replace={"meta.xml": lambda d: d.replace(
        b"xmlns:meta=", b"xmlns:m" + b"x" * 60_000 + b'="urn:x" xmlns:meta=', 1)}), "meta.xml"),  # > 50,000
    "too_big": (S10_XLSX, lambda p: os.truncate(p, L.MAX_FILE_BYTES + 1), "файл слишком большой"),
    "bomb_in_xml": (S10_XLSX, lambda p: _rewrite(p, add={"xl/extra.xml": b"<a>" + b" " * (30 * 2**20) + b"</a>"}),
                    "zip-бомба"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_poison_file_is_refused_with_a_russian_reason(case, sample, roadmap):
    name, make, reason = CASES[case]
    path = sample(name)
    make(path)
    result = check_file(path, *roadmap)
    assert reason in result.rejected, result.rejected
    assert _russian_only(result.rejected), result.rejected
    assert not result.records and not result.indicators


@pytest.mark.parametrize("case", ["doctype_after_comment", "doctype_utf16", "doctype_in_styles", "repeat_abc",
                                  "far_cell_xlsx", "password_ods", "long_namespace_prefix"])
def test_the_standard_librarys_tokenizer_refuses_the_same(case, sample):
    name, make, reason = CASES[case]
    path = sample(name)
    make(path)
    with pytest.raises(ContainerError) as caught:
        read_book(path.read_bytes(), pure=True)
    assert reason in str(caught.value)


def test_a_library_bug_is_one_files_refusal(sample, roadmap, monkeypatch):
    import roadmap_office.reading.submission as submission

    def bug(*args, **kwargs):
        raise IndexError("list index out of range")

    monkeypatch.setattr(submission, "read_book", bug)
    result = check_file(sample(S10_XLSX), *roadmap)
    assert result.rejected == M.READ_FAILED and "IndexError" in result.detail
    import pickle

    assert pickle.loads(pickle.dumps(result)).rejected == M.READ_FAILED


def _poison(path: Path) -> bool:
    return "ЯД" in path.name


def _deadly(path, roadmap=None, checksum=None):
    if _poison(path):
        os.abort()  # as a native reader's panic does: no Python code runs after it
    return check_file(path, roadmap, checksum)


def _slow(path, roadmap=None, checksum=None):
    if _poison(path):
        import time

        time.sleep(60)
    return check_file(path, roadmap, checksum)


def _good_files(demo_run) -> list[Path]:
    return sorted(p for p in (demo_run.outdir / "submissions").iterdir() if p.suffix in (".ods", ".xlsx"))


def _school_figures(c):
    return {s.school.code: (s.file, s.applicable, s.done, tuple(s.overdue_items), s.problems)
            for s in c.schools}


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_worker_killed_by_a_file_costs_only_that_file(demo_run, sample, roadmap, monkeypatch, jobs):
    monkeypatch.setattr(isolated, "check_file", _deadly)
    poison = sample(S10_XLSX, "ЯД.xlsx")
    files = _good_files(demo_run)
    results = check_files(files[:5] + [poison] + files[5:], *roadmap, jobs=jobs)
    assert [r.name for r in results] == [p.name for p in files[:5]] + ["ЯД.xlsx"] + [p.name for p in files[5:]]
    assert results[5].rejected == M.READER_CRASHED
    assert [r.name for r in results if r.rejected] == ["ЯД.xlsx", "Отчёт_школы_17_по_дорожной_карте.xlsx"]


def test_a_file_that_hangs_its_worker_is_refused_in_time(demo_run, sample, roadmap, monkeypatch):
    monkeypatch.setattr(isolated, "check_file", _slow)
    poison = sample(S10_XLSX, "ЯД.xlsx")
    files = _good_files(demo_run)[:3]
    results = list(isolated.check_isolated(files + [poison], *roadmap, jobs=2, seconds=3))
    assert results[-1].rejected == M.TOO_SLOW.format(seconds=3)
    assert [r.rejected for r in results[:-1]] == ["", "", ""]


def test_poison_files_among_good_ones_change_no_other_school(demo_run, sample, roadmap):
    good = _good_files(demo_run)
    as_of = date(2022, 6, 30)
    clean = consolidate(roadmap[0], check_files(good, *roadmap, jobs=1), as_of)
    poisons = []
    for case in ("crc", "far_cell_xlsx", "doctype_utf16", "repeat_abc", "password_xlsx", "bomb_in_xml"):
        name, make, _ = CASES[case]
        path = sample(name, f"{case}{Path(name).suffix}")
        make(path)
        poisons.append(path)
    mixed = consolidate(roadmap[0], check_files(poisons[:3] + good + poisons[3:], *roadmap, jobs=2), as_of)
    assert _school_figures(mixed) == _school_figures(clean)
    assert [(i.values, i.district) for i in mixed.indicators] == [(i.values, i.district) for i in clean.indicators]
    assert sorted(r.name for r in mixed.rejected) == sorted([p.name for p in poisons]
                                                            + [r.name for r in clean.rejected])


def test_cli_check_of_a_poison_file_says_why_and_exits_2(demo_run, sample):
    from click.testing import CliRunner

    from roadmap_office.cli import main

    name, make, reason = CASES["far_cell_xlsx"]
    path = sample(name)
    make(path)
    result = CliRunner().invoke(main, ["check", str(path), "--master", str(demo_run.master)])
    assert result.exit_code == 2
    assert reason in result.output and "Traceback" not in result.output


def test_a_roadmap_document_with_a_late_doctype_is_refused_by_the_parser(tmp_path):
    from roadmap_office.errors import DocumentImportError
    from roadmap_office.importing import import_roadmap

    docx = tmp_path / "план.docx"
    body = ('<?xml version="1.0" encoding="UTF-16"?><!--' + "x" * 5000 + '--><!DOCTYPE w:document '
            '[<!ENTITY e "e">]><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            "<w:body><w:p><w:r><w:t>&e;</w:t></w:r></w:p></w:body></w:document>")
    with zipfile.ZipFile(docx, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", body.encode("utf-16"))
    with pytest.raises(DocumentImportError) as caught:
        import_roadmap(docx)
    assert "DOCTYPE/ENTITY" in str(caught.value)


def _slow_first(path, roadmap=None, checksum=None):
    if "МЕДЛЕННЫЙ" in path.name:
        import time

        time.sleep(3)
    return _deadly(path, roadmap, checksum)


def test_a_crash_while_an_earlier_file_is_still_read_is_traced_to_its_file(demo_run, sample, roadmap, monkeypatch):
    monkeypatch.setattr(isolated, "check_file", _slow_first)
    slow = sample(S10_XLSX, "МЕДЛЕННЫЙ.xlsx")
    poison = sample(S10_XLSX, "ЯД.xlsx")
    files = _good_files(demo_run)[:8]
    results = list(isolated.check_isolated([slow] + files + [poison], *roadmap, jobs=2))
    assert [r.name for r in results] == ["МЕДЛЕННЫЙ.xlsx"] + [p.name for p in files] + ["ЯД.xlsx"]
    assert [r.name for r in results if r.rejected] == ["ЯД.xlsx"]
    assert results[-1].rejected == M.READER_CRASHED


def test_files_handed_out_by_handfuls_still_cost_only_the_bad_file(demo_run, sample, roadmap, monkeypatch, tmp_path):
    """With many files a worker takes several at once; a crash in a handful is traced back to its
    file and the handful's other files are checked again, none lost or counted twice."""
    monkeypatch.setattr(isolated, "check_file", _deadly)
    good = _good_files(demo_run)
    files = []
    for n in range(60):  # enough files that each worker is handed several at a time
        copy = tmp_path / f"{n:02d}_{good[n % len(good)].name}"
        copy.write_bytes(good[n % len(good)].read_bytes())
        files.append(copy)
    poison = sample(S10_XLSX, "ЯД.xlsx")
    paths = files[:37] + [poison] + files[37:]
    assert 60 // (4 * 2) > 1
    results = list(isolated.check_isolated(paths, *roadmap, jobs=2))
    assert [r.name for r in results] == [p.name for p in paths]
    assert results[37].rejected == M.READER_CRASHED
    alone = {r.name: r.rejected for r in isolated.check_isolated(files, *roadmap, jobs=1, in_process=True)}
    assert {r.name: r.rejected for r in results if r.name != "ЯД.xlsx"} == alone
