"""The reporting period as a value: spellings people type, the master, templates and the check."""

from __future__ import annotations

import copy
from datetime import date

import pytest
from click.testing import CliRunner

from roadmap_office.cli import main
from roadmap_office.forms import generate_templates
from roadmap_office.forms.layout import META_SHEET
from roadmap_office.master import read_master, roadmap_fingerprint, write_master
from roadmap_office.period import PeriodKind, parse_period
from roadmap_office.pipeline import check_one
from roadmap_office.sheets.reading import read_workbook

D = date


@pytest.mark.parametrize("text, kind, start, end, label", [
    ("I полугодие 2022 г.", "half_year", D(2022, 1, 1), D(2022, 6, 30), "I полугодие 2022 г."),
    ("1 полугодие 2022", "half_year", D(2022, 1, 1), D(2022, 6, 30), "I полугодие 2022 г."),
    ("второе полугодие 2022 года", "half_year", D(2022, 7, 1), D(2022, 12, 31), "II полугодие 2022 г."),
    ("II полугодие 2022г.", "half_year", D(2022, 7, 1), D(2022, 12, 31), "II полугодие 2022 г."),
    ("3 квартал 2022 г.", "quarter", D(2022, 7, 1), D(2022, 9, 30), "3 квартал 2022 г."),
    ("IV кв. 2023", "quarter", D(2023, 10, 1), D(2023, 12, 31), "4 квартал 2023 г."),
    ("1-й квартал 2024 года", "quarter", D(2024, 1, 1), D(2024, 3, 31), "1 квартал 2024 г."),
    ("2021/2022 учебный год", "school_year", D(2021, 9, 1), D(2022, 8, 31), "2021/2022 учебный год"),
    ("2021-22 уч. год", "school_year", D(2021, 9, 1), D(2022, 8, 31), "2021/2022 учебный год"),
    ("2022 год", "year", D(2022, 1, 1), D(2022, 12, 31), "2022 год"),
    ("за 2022 г.", "year", D(2022, 1, 1), D(2022, 12, 31), "2022 год"),
    ("9 месяцев 2022 г.", "custom", D(2022, 1, 1), D(2022, 9, 30), "9 месяцев 2022 г."),
    ("01.09.2022 – 15.12.2022", "custom", D(2022, 9, 1), D(2022, 12, 15), "период с 01.09.2022 по 15.12.2022"),
])
def test_spellings_people_type(text, kind, start, end, label):
    period = parse_period(text)
    assert period is not None
    assert (period.kind, period.start, period.end, period.label) == (PeriodKind(kind), start, end, label)


@pytest.mark.parametrize("text", ["", "весна", "5 квартал 2022", "III полугодие 2022", "2021/2023 учебный год",
                                  "31.12.2022 – 01.01.2022"])
def test_what_is_not_understood_is_none(text):
    assert parse_period(text) is None


def test_same_period_in_other_words_is_the_same_value():
    assert parse_period("1 полугодие 2022").same_as(parse_period("I полугодие 2022 г."))
    assert not parse_period("I полугодие 2022 г.").same_as(parse_period("II полугодие 2022 г."))


def test_templates_carry_the_period_and_the_check_compares_days(tmp_path, demo_roadmap):
    demo_roadmap = copy.deepcopy(demo_roadmap)
    demo_roadmap.reporting_period = "1 полугодие 2022"  # as a person would type it in the master
    master = write_master(demo_roadmap, tmp_path / "master.xlsx")
    assert read_master(master).period.label == "I полугодие 2022 г."
    path = generate_templates(master, tmp_path / "t", formats=("xlsx",), school_codes=["G02"], blank=False)[0]
    meta = {row[0]: row[2] for row in read_workbook(path)[META_SHEET][1:]}
    assert (meta["reporting_period"], meta["reporting_kind"], meta["reporting_start"], meta["reporting_end"]) == (
        "I полугодие 2022 г.", "half_year", "2022-01-01", "2022-06-30")
    result = check_one(path, master)
    assert not result.rejected and result.period.label == "I полугодие 2022 г."

    demo_roadmap.reporting_period = "II полугодие 2022 г."
    later = write_master(demo_roadmap, tmp_path / "later.xlsx")
    refused = check_one(path, later)
    assert refused.rejected.startswith(
        "шаблон составлен для отчётного периода «I полугодие 2022 г.» (01.01.2022 – 30.06.2022), а текущий "
        "отчётный период мастер-книги — «II полугодие 2022 г.» (01.07.2022 – 31.12.2022)")
    assert refused.period.key == (D(2022, 1, 1), D(2022, 6, 30))  # the batch files it under its own period
    assert roadmap_fingerprint(read_master(later)) != roadmap_fingerprint(read_master(master))


def test_a_period_not_understood_is_refused_for_templates(tmp_path, demo_roadmap):
    demo_roadmap = copy.deepcopy(demo_roadmap)
    demo_roadmap.reporting_period = "весна"
    master = write_master(demo_roadmap, tmp_path / "master.xlsx")
    assert read_master(master).reporting_period == "весна"  # the master itself still reads
    result = CliRunner().invoke(main, ["templates", str(master), "-o", str(tmp_path / "t")])
    assert result.exit_code == 2
    assert "отчётный период «весна» не распознан" in result.output
    shown = CliRunner().invoke(main, ["show", str(master)])
    assert "Отчётный период: весна (не распознан)" in shown.output
