"""Russian numbers, dates and the run summary: one wording for the CLI, the macros, the report and the workbook."""

from __future__ import annotations

import ast
from datetime import date
from pathlib import Path

from click.testing import CliRunner

from roadmap_office.cli import main
from roadmap_office.presentation import day, exact, figure, percent, run_summary

ROOT = Path(__file__).parents[2]


def test_numbers_percents_and_dates_in_russian():
    assert [figure(None), figure(52.25), figure(12.0), figure(7)] == ["—", "52,2", "12,0", "7"]
    assert [exact(12.0), exact(12.5), exact(0.25), exact(5000)] == ["12", "12,5", "0,25", "5000"]
    assert [percent(None), percent(39.26)] == ["—", "39,3 %"]
    assert day(date(2022, 6, 30)) == "30.06.2022"


def test_the_cli_prints_the_one_run_summary(demo_run, tmp_path):
    c = demo_run.consolidation
    summary = run_summary(c)
    warned = [line for line in summary.splitlines() if line.startswith("ВНИМАНИЕ! ")]
    first = summary.splitlines()[len(warned) + 1 if warned else 0]
    assert first == f"Свод по состоянию на {day(c.as_of)}."  # warnings first, apart from the figures
    assert all(summary.count(f"«{d.used}»") == 1 for d in c.duplicates if d.differ)  # said once, as the warning
    assert f"Представили отчёт: {sum(s.submitted for s in c.schools)} из {len(c.schools)}" in summary
    assert all(f"«{r.name}»: {r.rejected}" in summary for r in c.rejected)
    result = CliRunner().invoke(main, ["consolidate", str(demo_run.master), str(demo_run.outdir / "submissions"),
                                       "--output", str(tmp_path), "--format", "xlsx", "--as-of", day(c.as_of)])
    assert result.exit_code in (0, 1), result.output
    assert summary in result.output


def test_no_other_decimal_comma_or_run_summary_in_the_faces():
    """The CLI, the macros and the report call the presentation module instead of formatting themselves."""
    faces = [ROOT / "src/roadmap_office/cli.py", ROOT / "extension/python/roadmap_office_macros.py",
             *sorted((ROOT / "src/roadmap_office/rendering").glob("*.py"))]
    for path in faces:
        text = path.read_text(encoding="utf-8")
        assert 'replace(".", ",")' not in text, path
        assert "%d.%m.%Y}" not in text, path
        names = {node.name for node in ast.walk(ast.parse(text)) if isinstance(node, ast.FunctionDef)}
        assert "consolidation_summary" not in names, path
