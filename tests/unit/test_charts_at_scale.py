"""Charts read at 12, 100 and 1,000 schools; the workbook prints with a page header and numbers."""

from __future__ import annotations

import zipfile

from roadmap_office.rendering import charts
from roadmap_office.rendering.workbook import _completion_chart
from roadmap_office.sheets import Column, Sheet


def _schools(n: int) -> list:
    return [(f"МБОУ Школа № {k}", round(100 * ((k * 37) % 101) / 100, 1)) for k in range(1, n + 1)]


def test_few_entries_are_each_named_in_sorted_bars():
    chart = charts.completion_chart("Выполнение", _schools(12) + [("МБОУ Школа № 99", None)])
    svg = chart.svg.decode()
    names = [n for n, _ in _schools(12)]
    assert all(f">{name}<" in svg for name in names)
    assert "МБОУ Школа № 99" not in svg  # no file, no bar
    order = sorted(_schools(12), key=lambda e: -e[1])
    positions = [svg.index(f">{name}<") for name, _ in order]
    assert positions == sorted(positions)  # the highest first, from the top


def test_many_entries_become_a_distribution_with_both_ends_named():
    entries = _schools(1000)
    svg = charts.completion_chart("Выполнение", entries).svg.decode()
    counts = charts.bins([v for _, v in entries])
    assert sum(counts) == 1000
    for count in counts:
        if count:
            assert f">{count}<" in svg
    weakest, strongest = charts.ends(entries)
    for name, value in weakest + strongest:
        assert f"{name} — {charts.pct(value)} %" in svg
    assert svg.count("МБОУ Школа №") == 10  # only the named ends, not a thousand labels
    assert charts.bins([0, 9.9, 10, 99.9, 100]) == [2, 1, 0, 0, 0, 0, 0, 0, 0, 2]


def _sheet() -> Sheet:
    return Sheet("По школам", [Column("Код", 1.6), Column("Образовательная организация", 6.5)]
                 + [Column(str(k), 2.4) for k in range(3, 11)])


def test_the_workbook_chart_follows_the_same_rule():
    few = _sheet()
    _completion_chart(few, "Выполнение", _schools(12), "Образовательная организация")
    assert [c.kind for c in few.charts] == ["bar"]
    labels = [row[1].value for row in few.rows if len(row) > 5 and isinstance(row[5].value, float)]
    values = [row[5].value for row in few.rows if len(row) > 5 and isinstance(row[5].value, float)]
    assert values == sorted(values) and len(labels) == 12  # bottom-up: the highest bar on top

    many = _sheet()
    entries = _schools(1000)
    _completion_chart(many, "Выполнение", entries, "Образовательная организация")
    (chart,) = many.charts
    assert chart.kind == "column" and chart.own_page
    texts = [row[1].value for row in many.rows if len(row) > 1]
    assert texts[texts.index("0–10"):texts.index("0–10") + 10] == charts.bin_labels()
    weakest, _ = charts.ends(entries)
    assert weakest[0][0] in texts
    assert len(many.rows) < 40  # not a row per school


def test_printed_pages_carry_the_district_period_and_page_numbers(demo_run):
    from openpyxl import load_workbook

    report = demo_run.outdir / "report"
    ws = load_workbook(report / "Свод_по_дорожной_карте.xlsx")["По школам"]
    assert ws.oddHeader.center.text == "Департамент образования Администрации г. Сарова · I полугодие 2022 г. · " \
                                       "данные на 30.06.2022"
    assert ws.oddFooter.center.text == "Страница &P из &N"
    assert ws.print_title_rows == "$2:$2"
    with zipfile.ZipFile(report / "Свод_по_дорожной_карте.ods") as archive:
        styles = archive.read("styles.xml").decode()
    assert "Департамент образования Администрации г. Сарова · I полугодие 2022 г. · данные на 30.06.2022" in styles
    assert "<text:page-number" in styles and "<text:page-count" in styles
