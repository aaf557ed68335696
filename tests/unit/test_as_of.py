"""The as-of date a report is made for, unless one is given: one rule for every face."""

from __future__ import annotations

import copy
from datetime import date

from click.testing import CliRunner

from roadmap_office.cli import main
from roadmap_office.pipeline import default_as_of


def test_end_of_a_passed_period_else_today(demo_roadmap):
    assert demo_roadmap.reporting_period == "I полугодие 2022 г."
    assert default_as_of(demo_roadmap, date(2026, 11, 23)) == date(2022, 6, 30)
    assert default_as_of(demo_roadmap, date(2022, 6, 30)) == date(2022, 6, 30)
    assert default_as_of(demo_roadmap, date(2022, 5, 12)) == date(2022, 5, 12)  # the period is still running
    unknown = copy.deepcopy(demo_roadmap)
    unknown.reporting_period = "весна"
    assert default_as_of(unknown, date(2026, 11, 23)) == date(2026, 11, 23)


def test_consolidate_without_as_of_reports_at_the_end_of_the_period(demo_run, tmp_path):
    result = CliRunner().invoke(main, ["consolidate", str(demo_run.master), str(demo_run.outdir / "submissions"),
                                       "-o", str(tmp_path), "--format", "xlsx", "--json"])
    assert result.exit_code in (0, 1), result.output
    assert '"as_of": "2022-06-30"' in result.output and '"overdue": 49' in result.output


def test_a_date_outside_the_period_is_refused_before_anything_runs(demo_run, tmp_path):
    """«31.05.2022» typed after the old text became «31.12.2200»: a Russian error, no output, no history row."""
    from roadmap_office.history import read_history
    from roadmap_office.pipeline import as_of_problem

    assert as_of_problem(demo_run.consolidation.roadmap, date(2022, 5, 31)) == ""
    assert as_of_problem(demo_run.consolidation.roadmap, date(2023, 6, 30)) == ""  # a late report
    history = tmp_path / "history.sqlite"
    for typed in ("31.12.2200", "31.12.2021", "02.07.2023"):
        result = CliRunner().invoke(main, ["consolidate", str(demo_run.master), str(demo_run.outdir / "submissions"),
                                           "-o", str(tmp_path / "out"), "--as-of", typed, "--history", str(history)])
        assert result.exit_code == 2
        assert f"дата «{typed}», на которую составляется свод, не относится к отчётному периоду " \
               "«I полугодие 2022 г.» (01.01.2022 – 30.06.2022): укажите дату с 01.01.2022 по 01.07.2023" in result.output
        assert not (tmp_path / "out").exists() and not history.exists()
