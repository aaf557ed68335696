"""The pure-Python streaming readers (inside LibreOffice) read what python-calamine reads."""

from __future__ import annotations

import pytest

from roadmap_office.checking import check_file
from roadmap_office.master import read_master, roadmap_fingerprint
from roadmap_office.reading.container import load_bytes
from roadmap_office.sheets.reading import read_scanned


def _files(demo_run):
    folders = ("submissions", "templates", "report")
    return [demo_run.master] + sorted(p for folder in folders for p in (demo_run.outdir / folder).iterdir()
                                      if p.suffix in (".ods", ".xlsx"))


def test_streaming_readers_give_the_cells_calamine_gives(demo_run):
    files = _files(demo_run)
    assert {p.suffix for p in files} == {".ods", ".xlsx"} and len(files) > 30
    for path in files:
        data = load_bytes(path)
        kind = path.suffix[1:]
        assert read_scanned(data, kind, pure=True) == read_scanned(data, kind, pure=False), path.name


@pytest.fixture()
def pure_python(monkeypatch):
    """As inside LibreOffice: no python-calamine (and so the standard library's XML parser)."""
    import roadmap_office.reading.submission as submission
    import roadmap_office.sheets.reading as reading

    monkeypatch.setattr(reading, "fast_reader", lambda: False)
    monkeypatch.setattr(submission, "fast_reader", lambda: False)


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
