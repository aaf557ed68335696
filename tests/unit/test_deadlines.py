"""The Russian deadline parser on the strings printed in the real roadmaps."""

from __future__ import annotations

import re
from pathlib import Path
from datetime import date

import pytest

from roadmap_office.deadlines import parse_deadline
from roadmap_office.model import Recurrence as R

P_START, P_END = date(2021, 1, 1), date(2022, 12, 31)
D = date

CASES = [
    # text as printed, start, end, recurrence
    ("Сентябрь 2021 г.", D(2021, 9, 1), D(2021, 9, 30), R.ONCE),
    ("Май - сентябрь 2021 г.", D(2021, 5, 1), D(2021, 9, 30), R.ONCE),
    ("Октябрь 2021 г. - июль 2022 г.", D(2021, 10, 1), D(2022, 7, 31), R.ONCE),
    ("Ноябрь 2021 г.- май 2022 г.", D(2021, 11, 1), D(2022, 5, 31), R.ONCE),
    ("Октябрь 2021 г. – март 2022 г.", D(2021, 10, 1), D(2022, 3, 31), R.ONCE),
    ("Сентябрь 2021-май 2022", D(2021, 9, 1), D(2022, 5, 31), R.ONCE),
    ("Сентябрь – декабрь 2021 г.", D(2021, 9, 1), D(2021, 12, 31), R.ONCE),
    ("Август-сентябрь 2022 г.", D(2022, 8, 1), D(2022, 9, 30), R.ONCE),
    ("Январь 2022года", D(2022, 1, 1), D(2022, 1, 31), R.ONCE),
    ("Март – декабрь 2022 года", D(2022, 3, 1), D(2022, 12, 31), R.ONCE),
    ("апрель 2022г. – май 2022г.", D(2022, 4, 1), D(2022, 5, 31), R.ONCE),
    ("Ноябрь 2021,", D(2021, 11, 1), D(2021, 11, 30), R.ONCE),
    ("2021 г.", D(2021, 1, 1), D(2021, 12, 31), R.ONCE),
    ("2022", D(2022, 1, 1), D(2022, 12, 31), R.ONCE),
    ("2021-2022", D(2021, 1, 1), D(2022, 12, 31), R.ONCE),
    ("2020 – 2021", D(2020, 1, 1), D(2021, 12, 31), R.ONCE),
    ("27 мая 2021", D(2021, 5, 27), D(2021, 5, 27), R.ONCE),
    ("III квартал 2021", D(2021, 7, 1), D(2021, 9, 30), R.ONCE),
    ("III квартал 2021 г., далее - ежегодно", D(2021, 7, 1), P_END, R.YEARLY),
    ("Ноябрь 2021, далее ежегодно", D(2021, 11, 1), P_END, R.YEARLY),
    ("Декабрь 2021 г., далее - ежегодно", D(2021, 12, 1), P_END, R.YEARLY),
    ("Октябрь 2021 г. и далее ежегодно", D(2021, 10, 1), P_END, R.YEARLY),
    ("Октябрь - декабрь 2021 г., далее ежегодно", D(2021, 10, 1), P_END, R.YEARLY),
    ("2021-2022 далее - ежегодно", D(2021, 1, 1), P_END, R.YEARLY),
    ("Октябрь, ноябрь 2021 г. и Февраль, март 2022 г.", D(2021, 10, 1), D(2022, 3, 31), R.ONCE),
    ("Октябрь 2021 г., Март 2022 г.", D(2021, 10, 1), D(2022, 3, 31), R.ONCE),
    ("Апрель, Октябрь - декабрь 2022 г.", D(2022, 4, 1), D(2022, 12, 31), R.ONCE),
    ("Февраль, апрель октябрь 2022", D(2022, 2, 1), D(2022, 10, 31), R.ONCE),
    ("Декабрь -январь ежегодно", D(2021, 12, 1), P_END, R.YEARLY),
    ("сентябрь - октябрь ежегодно", D(2021, 9, 1), P_END, R.YEARLY),
    ("Ежегодно (сентябрь)", D(2021, 9, 1), P_END, R.YEARLY),
    ("ежегодно май", D(2021, 5, 1), P_END, R.YEARLY),
    ("Ежегодно", P_START, P_END, R.YEARLY),
    ("ежегодно (по согласованию с АНО ДПО НИКО)", P_START, P_END, R.YEARLY),
    ("ежегодно, в течение года", P_START, P_END, R.YEARLY),
    ("Ежеквартально", P_START, P_END, R.QUARTERLY),
    ("ежеквартально (до 15 числа месяца, следующего за отчетным)", P_START, P_END, R.QUARTERLY),
    ("ежеквартально(до 15 числа месяца, следующего за отчетным)", P_START, P_END, R.QUARTERLY),
    ("ежемесячно", P_START, P_END, R.MONTHLY),
    ("не реже 1 раз в полугодие", P_START, P_END, R.SEMIANNUAL),
    ("В течение всего периода", P_START, P_END, R.PERIOD),
    ("Весь период", P_START, P_END, R.PERIOD),
    ("В течение всего периода реализации дорожной карты", P_START, P_END, R.PERIOD),
    ("в течение всего периода (в соответствии с графиком проведения мероприятий)", P_START, P_END, R.PERIOD),
    ("В течение года", P_START, P_END, R.PERIOD),
    ("круглогодично, включая каникулярный период", P_START, P_END, R.PERIOD),
    ("Каникулярный период", P_START, P_END, R.HOLIDAYS),
    ("в каникулярный период", P_START, P_END, R.HOLIDAYS),
    ("1 полугодие 2022", D(2022, 1, 1), D(2022, 6, 30), R.ONCE),
    ("До декабря 2022 г.", P_START, D(2022, 11, 30), R.ONCE),
    ("<p>Октябрь 2021 г. - апрель 2022 г.</p>", D(2021, 10, 1), D(2022, 4, 30), R.ONCE),
    ("Ноябрь — декабрь 2021 г.", D(2021, 11, 1), D(2021, 12, 31), R.ONCE),
    ("ОКТЯБРЬ 2021 Г.", D(2021, 10, 1), D(2021, 10, 31), R.ONCE),
    # the year only on the first part: the trailing months take it (this was a crash)
    ("февраль 2022 г., апрель – май", D(2022, 2, 1), D(2022, 5, 31), R.ONCE),
    ("Октябрь 2021, ноябрь, декабрь", D(2021, 10, 1), D(2021, 12, 31), R.ONCE),
]

UNDATED = [
    ("По отдельному плану", R.BY_SCHEDULE),
    ("По отдельному графику", R.BY_SCHEDULE),
    ("В соответствии с планом-графиком курсовой подготовки", R.BY_SCHEDULE),
    ("в соответствии с учебными планами образовательных организаций", R.BY_SCHEDULE),
    ("По мере необходимости", R.AS_NEEDED),
    ("по мере необходимости в течение реализации мероприятий", R.AS_NEEDED),
]

NOT_UNDERSTOOD = [
    "Сентябрь 2021 –",  # a row cut by a page break
    "В соответствии",  # incomplete
    "после согласования бюджета",
    "31 февраля 2022",
    "Май 2022 - март 2022",  # ends before it starts
    "весной",
    "",
]


@pytest.mark.parametrize("text,start,end,recurrence", CASES)
def test_parses_real_deadlines(text, start, end, recurrence):
    deadline = parse_deadline(text, P_START, P_END)
    assert (deadline.start, deadline.end, deadline.recurrence, deadline.flagged) == (start, end, recurrence, False)
    assert deadline.text == text  # kept verbatim


@pytest.mark.parametrize("text,recurrence", UNDATED)
def test_undated_phrases_are_recognised_without_dates(text, recurrence):
    deadline = parse_deadline(text, P_START, P_END)
    assert (deadline.start, deadline.end, deadline.recurrence, deadline.flagged) == (None, None, recurrence, False)


@pytest.mark.parametrize("text", NOT_UNDERSTOOD)
def test_unknown_text_is_flagged_not_guessed(text):
    deadline = parse_deadline(text, P_START, P_END)
    assert deadline.flagged
    assert deadline.start is None and deadline.end is None
    assert deadline.text == text


def test_missing_year_without_period_is_flagged():
    assert parse_deadline("Май - август").flagged
    assert parse_deadline("Май - август 2022").start == D(2022, 5, 1)


@pytest.mark.parametrize("text", ["2 полугодие", "IV квартал", "Май - август"])
def test_missing_year_is_never_silently_the_first_year_of_the_period(text):
    assert parse_deadline(text, P_START, P_END).flagged
    after_first = parse_deadline(text, P_START, P_END, after=D(2021, 3, 1))
    after_second = parse_deadline(text, P_START, P_END, after=D(2022, 1, 1))
    assert (after_first.start.year, after_second.start.year) == (2021, 2022)


def test_missing_year_follows_a_school_year_period():
    # a period from September: "май" is the May inside it, of the following calendar year
    deadline = parse_deadline("май", D(2021, 9, 1), D(2022, 8, 31))
    assert (deadline.start, deadline.end) == (D(2022, 5, 1), D(2022, 5, 31))


def test_json_form_has_iso_dates_and_nulls():
    assert parse_deadline("Май 2022 г.", P_START, P_END).to_json() == {
        "text": "Май 2022 г.", "start": "2022-05-01", "end": "2022-05-31", "recurrence": "once"}
    assert parse_deadline("весной", P_START, P_END).to_json() == {
        "text": "весной", "start": None, "end": None, "recurrence": None}


def _deadline_cells(path):
    """Every deadline cell of numbered rows in a tab-separated extract."""
    for line in path.read_text(encoding="utf-8").splitlines():
        cells = line.split("\t")
        if len(cells) >= 5 and re.match(r"^\s*\d+(\.\d+)*\.?\s*$", cells[0]) and cells[2].strip():
            yield cells[2]


@pytest.mark.parametrize("name", ["002_a1e155e70aa7bfd4.txt", "004_d4c07a429c129aff.txt"])
def test_every_deadline_of_the_real_documents_parses_or_is_flagged(fixtures, name):
    texts = list(_deadline_cells(fixtures / "roadmaps" / name))
    assert len(texts) > 70
    flagged = set()
    for text in texts:
        deadline = parse_deadline(text, P_START, P_END)
        if deadline.flagged:
            flagged.add(text.strip())
        elif deadline.start is not None:
            assert deadline.start <= deadline.end
    # the only flagged cell is the half of a row cut by a page break in the Kstovo order
    assert flagged == ({"Сентябрь 2021 –"} if name.startswith("004") else set())


CORPUS = Path(__file__).parent.parent / "fixtures" / "deadlines_corpus.tsv"


def _corpus() -> list[dict[str, str]]:
    lines = [line for line in CORPUS.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")]
    header = lines[0].split("\t")
    return [dict(zip(header, line.split("\t"))) for line in lines[1:]]


def _day(value: str) -> date | None:
    return None if value == "-" else date.fromisoformat(value)


def _read_as_expected(row: dict[str, str]) -> bool:
    start, end = (date.fromisoformat(v) for v in row["period"].split(".."))
    deadline = parse_deadline(row["text"], start, end, _day(row["after"]))
    if row["recurrence"] == "FLAG":
        return deadline.flagged and deadline.start is None
    return (not deadline.flagged and deadline.start == _day(row["start"]) and deadline.end == _day(row["end"])
            and deadline.recurrence == R(row["recurrence"]))


def test_corpus_of_real_phrasings_is_read_as_a_person_reads_it():
    rows = _corpus()
    assert len(rows) >= 150
    wrong = [row["text"] for row in rows if not _read_as_expected(row)]
    assert len(wrong) <= len(rows) * 0.05, wrong


def test_every_phrase_that_names_no_time_stays_flagged():
    no_time = [row for row in _corpus() if row["recurrence"] == "FLAG"]
    assert len(no_time) >= 15
    assert [row["text"] for row in no_time if not _read_as_expected(row)] == []
