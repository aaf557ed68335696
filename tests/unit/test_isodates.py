"""Save times and date cells read the same in LibreOffice's Python 3.8 as on the command line."""

from __future__ import annotations

from datetime import datetime

import pytest

from roadmap_office.isodates import extended_datetime, parse_datetime

WRITTEN_BY_OFFICES = [
    "2022-06-29T16:45:00Z",  # docProps/core.xml of every XLSX (Excel, openpyxl, LibreOffice)
    "2022-06-20T11:05:00.123456789",  # LibreOffice's meta.xml: nine digits
    "2022-06-20T11:05:00.12",
    "2022-06-20T11:05:00+03:00",
    "2022-06-20T11:05:00-0530",
    "2022-06-20T11:05",
    "2022-06-20 11:05:00",
    "2022-06-20",
]


@pytest.mark.parametrize("text", WRITTEN_BY_OFFICES)
def test_as_python_3_11_reads_it(text):
    assert extended_datetime(text) == datetime.fromisoformat(text)  # this environment is 3.11+
    assert parse_datetime(text) == datetime.fromisoformat(text)


@pytest.mark.parametrize("text", ["", "30.06.2022", "2022-06-20T11:05:00 garbage", "2022-13-01"])
def test_not_a_date_time_is_refused(text):
    with pytest.raises(ValueError):
        extended_datetime(text)
