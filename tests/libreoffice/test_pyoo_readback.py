"""The consolidated workbooks and a school template read back through pyoo, a UNO client of
a running LibreOffice, as an office integration on a district server would read them."""

from __future__ import annotations

import pytest

from roadmap_office.forms.layout import COL, ITEMS_SHEET
from roadmap_office.rendering import texts as T

pytestmark = pytest.mark.libreoffice

pyoo = pytest.importorskip("pyoo")


@pytest.fixture(scope="module")
def desktop(office):
    return pyoo.Desktop("127.0.0.1", office.port)


@pytest.mark.parametrize("name", ["Свод_по_дорожной_карте.xlsx", "Свод_по_дорожной_карте.ods"])
def test_consolidated_figures_read_back_through_pyoo(desktop, demo_run, name):
    c = demo_run.consolidation
    document = desktop.open_spreadsheet(str(demo_run.outdir / "report" / name))
    try:
        names = [sheet.name for sheet in document.sheets]
        assert names[:5] == [T.SHEET_SUMMARY, T.SHEET_SECTIONS, T.SHEET_ITEMS, T.SHEET_SCHOOLS, T.SHEET_RECORDS]
        schools = document.sheets[T.SHEET_SCHOOLS]
        rows = schools[2:2 + len(c.schools), 0:7].values
        for summary, row in zip(c.schools, rows):
            assert row[0] == summary.school.code
            if summary.submitted:
                assert row[3:5] == (summary.applicable, summary.done)
                assert row[5] == pytest.approx(summary.completion_pct, abs=0.05)
                assert row[6] == len(summary.overdue_items)
            else:
                assert row[2] == T.NOT_SUBMITTED
        assert len(schools.charts) == 1  # the native bar chart, not a picture
        records = document.sheets[T.SHEET_RECORDS]
        first = records[1, 0:7].values
        assert (first[0], first[3], first[4]) == (c.records[0].school, c.records[0].number, c.records[0].event)
        assert records[len(c.records), 0].value == c.records[-1].school  # no record lost at the end
        assert records[len(c.records) + 1, 0].value == ""
    finally:
        document.close()


def test_template_dropdowns_read_back_through_pyoo(desktop, demo_run, demo_roadmap):
    from com.sun.star.sheet.ValidationType import LIST

    template = sorted((demo_run.outdir / "templates").glob("*.xlsx"))[0]
    document = desktop.open_spreadsheet(str(template))
    try:
        sheet = document.sheets[ITEMS_SHEET]
        keys = [row[0] for row in sheet[0:120, 0:1].values]
        row = keys.index("1.1")
        status = sheet[row, COL["status"]]
        assert status.value == ""
        validation = status._get_target().Validation  # pyoo gives the UNO range for what it does not wrap
        assert validation.Type == LIST and validation.ShowList
        executor = sheet[row, COL["executor"]]._get_target().Validation
        assert executor.Type == LIST
        assert sheet[row, COL["event"]].value == demo_roadmap.items[0].event
    finally:
        document.close()
