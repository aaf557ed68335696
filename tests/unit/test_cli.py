"""The command line: the JSON contract of `show`, the Russian summary, the demo layout."""

from __future__ import annotations

import json

from click.testing import CliRunner

from roadmap_office.cli import main
from roadmap_office.master import write_master


def test_show_json_contract(tmp_path, demo_roadmap):
    master = write_master(demo_roadmap, tmp_path / "master.ods")
    result = CliRunner().invoke(main, ["show", str(master), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data) == {"title", "period", "sections", "executors", "schools", "indicators"}
    assert data["period"] == {"start": "2021-01-01", "end": "2022-12-31"}
    assert len(data["sections"]) == 14
    assert sum(len(s["items"]) for s in data["sections"]) == 79
    section = data["sections"][0]
    assert set(section) == {"number", "title", "items"}
    item = section["items"][3]
    assert set(item) == {"number", "event", "deadline", "executors", "by_agreement", "result"}
    assert item["deadline"] == {"text": "Октябрь 2021 г. - июль 2022 г.", "start": "2021-10-01",
                                "end": "2022-07-31", "recurrence": "once"}
    assert set(data["executors"][0]) == {"name", "aliases", "kind"}
    assert {"name": "Департамент образования", "aliases": ["ДО", "Департамент образования Администрации г. Сарова",
            "Отдел образования", "Управление образования"], "kind": "district"} in data["executors"]
    assert data["schools"][0] == {"code": "G02", "name": "МБОУ Гимназия № 2"}
    assert set(data["indicators"][0]) == {"code", "name", "unit", "kind"}


def test_show_prints_a_russian_summary(tmp_path, demo_roadmap):
    master = write_master(demo_roadmap, tmp_path / "master.xlsx")
    result = CliRunner().invoke(main, ["show", str(master)])
    assert result.exit_code == 0
    assert "Разделов: 14, мероприятий: 79" in result.output
    assert "Сроки распознаны: 79, не распознаны: 0" in result.output
    assert "Школ: 12" in result.output


def test_show_reports_a_bad_file_and_exits_2(tmp_path):
    bad = tmp_path / "plan.ods"
    bad.write_text("это не таблица", encoding="utf-8")
    result = CliRunner().invoke(main, ["show", str(bad)])
    assert result.exit_code == 2
    assert "Ошибка: файл «plan.ods»" in result.output
    assert "Traceback" not in result.output


def test_demo_writes_the_master(tmp_path):
    result = CliRunner().invoke(main, ["demo", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "master.ods").exists()
    assert "мероприятий: 79" in result.output


def test_a_reader_that_stops_early_gets_no_traceback(demo_run, tmp_path):
    """`roadmap-office … | head`: the pipe closes before the output is written, for every command
    that prints; the command ends quietly (141, or its own code when the output was complete)."""
    import subprocess
    import sys

    school = next((demo_run.outdir / "submissions").glob("Отчёт_L03_*.xlsx"))
    commands = [["check", str(school)], ["check", str(school), "--json"], ["show", str(demo_run.master)],
                ["show", str(demo_run.master), "--json"], ["history", str(demo_run.history)],
                ["history", str(demo_run.history), "--json"], ["--help"], ["--version"],
                ["consolidate", str(demo_run.master), str(demo_run.outdir / "submissions"), "-o", str(tmp_path / "out"),
                 "--format", "xlsx", "--json"],
                ["templates", str(demo_run.master), "-o", str(tmp_path / "templates"), "--format", "ods"]]
    for command in commands:
        process = subprocess.Popen([sys.executable, "-m", "roadmap_office", *command], stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE)
        process.stdout.close()  # `head` has gone before the first line
        _, err = process.communicate(timeout=300)
        text = err.decode("utf-8")
        assert "Traceback" not in text and "BrokenPipe" not in text and "Exception ignored" not in text, (command, text)
        assert process.returncode in (0, 1, 141), (command, process.returncode, text)
