"""The container scan has four paths: a small part parsed whole by lxml and its cells walked by
the compiled walk, the same walked in Python, a large part parsed by lxml as a stream, and the
standard library's parser inside LibreOffice. On every demo file and on a thousand mutations of
them they must reach the same verdict: the same extents, formulas and save time, or a refusal."""

from __future__ import annotations

import random

import pytest

from roadmap_office.reading import container
from roadmap_office.reading import limits as L


def _verdict(data: bytes, pure: bool):
    try:
        report = container.inspect_container(data, pure=pure)
    except container.ContainerError as exc:
        return ("refused", str(exc))
    return ("read", report.kind, report.saved_at, report.has_macros,
            [(s.name, s.rows, s.columns) for s in report.sheets],
            [(f.sheet, f.cell, f.formula) for f in report.formulas])


def _all_paths(data: bytes, monkeypatch) -> list:
    compiled = _verdict(data, pure=False)
    with monkeypatch.context() as patch:
        patch.setattr(container, "_cells", None)  # the cells walked in Python
        walked = _verdict(data, pure=False)
        patch.setattr(L, "WALK_BYTES", 0)  # every part too large to hold: lxml as a stream
        streamed = _verdict(data, pure=False)
    assert compiled == walked, (compiled, walked)
    return [walked, streamed, _verdict(data, pure=True)]


def test_the_compiled_walk_is_built_and_answers_for_the_demo_files(demo_run, fuzz_script, monkeypatch):
    """The development and CI machines build it (setup.sh installs a compiler and the headers);
    without it every path is the Python walk and the district's run is slower. On the demo
    files it answers itself, so the agreement above is the agreement of two walks; a file with
    a formula (the demo's HYPERLINK) is left to the Python walk, which collects formulas."""
    assert container._cells is not None
    answered: list[bool] = []
    for name in ("_OdsContent", "_XlsxSheet"):
        original = getattr(container, name).compiled
        monkeypatch.setattr(getattr(container, name), "compiled",
                            lambda self, root, original=original: answered.append(original(self, root)) or answered[-1])
    for path in fuzz_script.seeds(demo_run.outdir):
        answered.clear()
        report = container.inspect_container(path.read_bytes())
        assert answered and all(answered) == (not report.formulas), (path.name, answered)


def test_beside_another_lxml_the_compiled_walk_steps_aside(demo_run, fuzz_script):
    """Built against one lxml and loaded beside another (upgraded later), it does not load, and
    the scan walks in Python with the same verdict, instead of reading a tree of another layout."""
    import subprocess
    import sys

    path = next(p for p in fuzz_script.seeds(demo_run.outdir) if p.suffix == ".ods")
    script = ("import lxml, sys; lxml.__version__ = '0.0'; from roadmap_office.reading import container; "
              "assert container._cells is None; r = container.inspect_container(sys.argv[1]); "
              "print([(s.name, s.rows, s.columns) for s in r.sheets])")
    done = subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True, text=True, check=True)
    report = container.inspect_container(path)
    assert done.stdout.strip() == str([(s.name, s.rows, s.columns) for s in report.sheets])


def test_the_scan_paths_agree_on_the_demo_files(demo_run, monkeypatch, fuzz_script):
    seeds = fuzz_script.seeds(demo_run.outdir)
    for path in seeds:
        walked, streamed, pure = _all_paths(path.read_bytes(), monkeypatch)
        assert walked[0] == "read", (path.name, walked)
        assert walked == streamed == pure, path.name


def _replace(data: bytes, part: str, old: bytes, new: bytes) -> bytes:
    import io
    import zipfile

    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == part:
                assert old in content, old
                content = content.replace(old, new, 1)
            target.writestr(info.filename, content)
    return out.getvalue()


_SHEET = b"<sheetData>"
_ODS_ROW = b"<table:table-row "
# what the compiled walk declines or must read exactly as the Python walk does
_UNUSUAL = {
    "a row inside a row": ("ods", _ODS_ROW, b'<table:table-row><table:table-cell office:value-type="string">'
                           b"<text:p>x</text:p></table:table-cell><table:table-row><table:table-cell "
                           b'office:value-type="string"><text:p>y</text:p></table:table-cell></table:table-row>'
                           b"</table:table-row><table:table-row "),
    "a count with spaces": ("ods", _ODS_ROW, b'<table:table-row table:number-rows-repeated=" 3 "><table:table-cell '
                            b'office:value-type="string"><text:p>x</text:p></table:table-cell></table:table-row>'
                            + _ODS_ROW),
    "an empty formula": ("ods", _ODS_ROW, b'<table:table-row><table:table-cell table:formula="" '
                         b'table:number-columns-repeated="40"/><table:table-cell office:value-type="string">'
                         b"<text:p>x</text:p></table:table-cell></table:table-row>" + _ODS_ROW),
    "a covered cell with a bad number": ("ods", _ODS_ROW, b'<table:table-row><table:covered-table-cell '
                                         b'office:value-type="float" office:value="1,5"/></table:table-row>' + _ODS_ROW),
    "a date cell without its date": ("ods", _ODS_ROW, b'<table:table-row><table:table-cell office:value-type="date"/>'
                                     b"</table:table-row>" + _ODS_ROW),
    "a cell outside any row": ("xlsx", _SHEET, _SHEET + b'<c r="Z9"><v>1</v></c>'),
    "a row number in other digits": ("xlsx", _SHEET, _SHEET + "<row r=\"\u0663\"><c><v>1</v></c></row>".encode()),
    "a text index with spaces": ("xlsx", _SHEET, _SHEET + b'<row r="1"><c r="A1" t="s"><v> 0 </v></c></row>'),
    "a text index past the table": ("xlsx", _SHEET, _SHEET + b'<row r="1"><c r="A1" t="s"><v>99999</v></c></row>'),
    "an empty cell type": ("xlsx", _SHEET, _SHEET + b'<row r="1"><c r="A1" t=""/></row>'),
    "a far cell by reference": ("xlsx", _SHEET, _SHEET + b'<row r="1"><c r="IW1"><v>1</v></c></row>'),
    "a reference with a leading zero": ("xlsx", _SHEET, _SHEET + b'<row r="1"><c r="A01"><v>1</v></c></row>'),
}


@pytest.mark.parametrize("case", sorted(_UNUSUAL))
def test_unusual_parts_get_the_python_walks_verdict(case, demo_run, monkeypatch, fuzz_script):
    kind, old, new = _UNUSUAL[case]
    seed = next(p for p in fuzz_script.seeds(demo_run.outdir) if p.suffix == f".{kind}")
    data = seed.read_bytes()
    part = "content.xml" if kind == "ods" else "xl/worksheets/sheet1.xml"
    walked, streamed, pure = _all_paths(_replace(data, part, old, new), monkeypatch)  # compiled == walked inside
    assert walked == streamed == pure or walked[0] == streamed[0] == pure[0] == "refused", (walked, streamed, pure)


@pytest.mark.fuzz
def test_the_scan_paths_agree_on_mutated_files(demo_run, monkeypatch, fuzz_script):
    fuzz = fuzz_script
    seeds = [p.read_bytes() for p in fuzz.seeds(demo_run.outdir)]
    rng = random.Random(7)
    outcomes = {"read": 0, "refused": 0}
    for case in range(1000):
        data = fuzz.mutate(rng.choice(seeds), rng)
        walked, streamed, pure = _all_paths(data, monkeypatch)
        if walked[0] == "refused":
            # refused by all; the reason may differ when a file has two faults: a stream parser
            # stops at the first one it meets, the whole-part reader finds broken XML first
            assert streamed[0] == pure[0] == "refused", (case, walked, streamed, pure)
        else:
            assert walked == streamed == pure, (case, walked, streamed, pure)
        outcomes[walked[0]] += 1
    assert outcomes["read"] > 100 and outcomes["refused"] > 100  # both kinds of verdict were compared
