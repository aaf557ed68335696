"""The reader reads what python-calamine (an independent reader) reads, with either tokenizer,
and the check inside LibreOffice (no lxml) finds what the district's run finds."""

from __future__ import annotations

import pytest

from roadmap_office.checking import check_file
from roadmap_office.master import read_master, roadmap_fingerprint
from roadmap_office.reading import read_book
from roadmap_office.reading.zipsafe import load_bytes


def _files(demo_run):
    folders = ("submissions", "templates", "report")
    return [demo_run.master] + sorted(p for folder in folders for p in (demo_run.outdir / folder).iterdir()
                                      if p.suffix in (".ods", ".xlsx"))


def _calamine(data: bytes) -> dict:
    import io
    from datetime import datetime

    from python_calamine import CalamineWorkbook

    def clean(value):
        if value == "":
            return None
        if isinstance(value, datetime) and value.hour == value.minute == value.second == 0:
            return value.date()
        if isinstance(value, float) and value.is_integer():
            return int(value)
        return value

    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    sheets = {}
    for name in book.sheet_names:
        rows = [[clean(v) for v in row] for row in book.get_sheet_by_name(name).to_python(skip_empty_area=False)]
        for row in rows:
            while row and row[-1] is None:
                row.pop()
        while rows and not rows[-1]:
            rows.pop()
        sheets[name] = rows
    return sheets


@pytest.mark.parametrize("pure", [False, True], ids=["lxml", "standard library"])
def test_the_reader_gives_the_cells_calamine_gives(demo_run, pure):
    files = _files(demo_run)
    assert {p.suffix for p in files} == {".ods", ".xlsx"} and len(files) > 30
    for path in files:
        data = load_bytes(path)
        book = read_book(data, pure=pure)
        theirs = _calamine(data)
        for formula in book.formulas:  # calamine gives the computed value, ours the formula's text
            cell = formula.cell
            col = ord(cell[0]) - 65
            row = int(cell[1:]) - 1
            value = theirs[formula.sheet][row][col] if col < len(theirs[formula.sheet][row]) else None
            assert book.sheets[formula.sheet][row][col] == formula.formula and formula.formula.startswith("=")
            book.sheets[formula.sheet][row][col] = value
        assert book.sheets == theirs, path.name


@pytest.fixture()
def pure_python(monkeypatch):
    """As inside LibreOffice: no lxml, the standard library's XML parser."""
    monkeypatch.setenv("ROADMAP_OFFICE_PURE", "1")


def _summary(result):
    return (result.rejected, result.school, [f.to_json() for f in result.findings],
            [(r.item_key, r.status, r.date_done, r.executor, r.result) for r in result.records],
            [(v.code, v.value) for v in result.indicators])


def test_the_check_inside_libreoffice_finds_the_same(demo_run, request):
    roadmap = read_master(demo_run.master)
    fingerprint = roadmap_fingerprint(roadmap)
    submissions = sorted((demo_run.outdir / "submissions").iterdir())
    fast = [_summary(check_file(p, roadmap, fingerprint)) for p in submissions]
    request.getfixturevalue("pure_python")
    pure = [_summary(check_file(p, roadmap, fingerprint)) for p in submissions]
    assert pure == fast
