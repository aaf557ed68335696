"""One reader, two tokenizers: lxml (the server) and the standard library (inside LibreOffice).
Everything above the tokenizer is one code, so on every demo file, on unusual parts and on a
thousand mutations of the demo files both must give the same verdict: the same cells, formulas,
percent cells, merges and save time, or a refusal. lxml reads a part larger than it holds in
memory as a stream; that is compared too."""

from __future__ import annotations

import random

import pytest

from roadmap_office.reading import ContainerError, read_book
from roadmap_office.reading import limits as L


def _verdict(data: bytes, pure: bool):
    try:
        book = read_book(data, pure=pure)
    except ContainerError as exc:
        return ("refused", str(exc))
    return ("read", book.kind, book.saved_at, book.has_macros, book.sheets,
            [(f.sheet, f.cell, f.formula) for f in book.formulas], book.percent_cells, book.merges)


def _both(data: bytes, monkeypatch) -> list:
    whole = _verdict(data, pure=False)
    with monkeypatch.context() as patch:
        patch.setattr(L, "WALK_BYTES", 0)  # every part too large to hold: lxml as a stream
        streamed = _verdict(data, pure=False)
    return [whole, streamed, _verdict(data, pure=True)]


def test_the_tokenizers_agree_on_the_demo_files(demo_run, monkeypatch, fuzz_script):
    seeds = fuzz_script.seeds(demo_run.outdir)
    for path in seeds:
        whole, streamed, pure = _both(path.read_bytes(), monkeypatch)
        assert whole[0] == "read", (path.name, whole)
        assert whole == streamed == pure, path.name


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
# parts out of the ordinary, which both tokenizers must read alike
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
def test_unusual_parts_get_one_verdict(case, demo_run, monkeypatch, fuzz_script):
    kind, old, new = _UNUSUAL[case]
    seed = next(p for p in fuzz_script.seeds(demo_run.outdir) if p.suffix == f".{kind}")
    data = seed.read_bytes()
    part = "content.xml" if kind == "ods" else "xl/worksheets/sheet1.xml"
    whole, streamed, pure = _both(_replace(data, part, old, new), monkeypatch)
    assert whole == streamed == pure, (whole, streamed, pure)


@pytest.mark.fuzz
def test_the_tokenizers_agree_on_mutated_files(demo_run, monkeypatch, fuzz_script):
    fuzz = fuzz_script
    seeds = [p.read_bytes() for p in fuzz.seeds(demo_run.outdir)]
    rng = random.Random(7)
    outcomes = {"read": 0, "refused": 0}
    for case in range(1000):
        data = fuzz.mutate(rng.choice(seeds), rng)
        whole, streamed, pure = _both(data, monkeypatch)
        if whole[0] == "refused":
            # refused by all; the reason may differ when a file has two faults: a stream parser
            # stops at the first one it meets, the whole-part parser finds broken XML first
            assert streamed[0] == pure[0] == "refused", (case, whole, streamed, pure)
        else:
            assert whole == streamed == pure, (case, whole, streamed, pure)
        outcomes[whole[0]] += 1
    assert outcomes["read"] > 100 and outcomes["refused"] > 100  # both kinds of verdict were compared
