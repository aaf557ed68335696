"""The nightly batch over several nights: exactly what is in inbox, archive, quarantine and out/."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from roadmap_office.batch import EXIT_CONFIG, EXIT_CONVERSION, EXIT_LOCKED, init_tree, load_config, run_batch
from roadmap_office.cli import main
from roadmap_office.master import read_master, write_master

G02 = "Отчёт_G02_МБОУ_Гимназия_N_2_I_полугодие_2022_г.ods"
L03 = "Отчёт_L03_МБОУ_Лицей_N_3_I_полугодие_2022_г.xlsx"
S10 = "Отчёт_S10_МБОУ_Школа_N_10_I_полугодие_2022_г.xlsx"
S05_OLD = "Отчёт_S05_МБОУ_Школа_N_5_I_полугодие_2022_г.ods"
S05_NEW = "Отчёт_S05_МБОУ_Школа_N_5_I_полугодие_2022_г_исправленный.xlsx"
S11 = "Отчёт_S11_МБОУ_Школа_N_11_I_полугодие_2022_г.ods"
FOREIGN = "Отчёт_школы_17_по_дорожной_карте.xlsx"
NIGHT1, NIGHT2, NIGHT3 = datetime(2022, 6, 28, 2, 30), datetime(2022, 6, 29, 2, 30), datetime(2022, 6, 30, 2, 30)


@pytest.fixture()
def tree(tmp_path, demo_run):
    config = init_tree(tmp_path / "srv", demo_run.master)
    text = config.read_text(encoding="utf-8")
    text = text.replace('formats = ["xlsx", "ods", "odt", "pdf"]', 'formats = ["xlsx", "odt"]')
    text = text.replace('as_of = "period"', 'as_of = "2022-06-30"')
    text = text.replace("settle_seconds = 60", "settle_seconds = 0")  # files delivered just now count
    config.write_text(text, encoding="utf-8")
    root = config.parent

    def deliver(*names, content_of=None):
        for name in names:
            shutil.copy(demo_run.outdir / "submissions" / (content_of or name), root / "inbox" / name)

    return config, root, deliver


def files(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_several_nights(tree):
    config, root, deliver = tree
    deliver(G02, L03, S10, FOREIGN)
    night1 = run_batch(config, now=NIGHT1, quiet=True)
    assert night1.exit_code == 1
    assert files(root / "inbox") == []
    assert files(root / "archive") == [f"2022-06-28/G02/{G02}", f"2022-06-28/L03/{L03}", f"2022-06-28/S10/{S10}"]
    assert files(root / "quarantine") == [f"2022-06-28/{FOREIGN}", f"2022-06-28/{FOREIGN}.причина.txt"]
    reason = (root / "quarantine" / "2022-06-28" / f"{FOREIGN}.причина.txt").read_text(encoding="utf-8")
    assert "Причина: файл не является шаблоном отчёта" in reason
    outputs = [".fingerprint", "run.json", "Свод_по_дорожной_карте.xlsx", "Сводный_отчёт.odt"]
    assert files(root / "out" / "2022-06-28") == outputs
    assert files(root / "out" / "latest") == outputs
    run = json.loads((root / "out" / "latest" / "run.json").read_text(encoding="utf-8"))
    assert run["schools_submitted"] == 3 and run["files_rejected"][0]["file"] == FOREIGN
    assert night1.schools_missing == ["S05", "S09", "S11", "S12", "S13", "S14", "L15", "S16", "S17"]

    deliver(S05_OLD, S11)
    night2 = run_batch(config, now=NIGHT2, quiet=True)
    assert night2.exit_code == 0 and night2.accepted == [S05_OLD, S11] and night2.replaced == []
    assert files(root / "archive")[-2:] == [f"2022-06-29/S05/{S05_OLD}", f"2022-06-29/S11/{S11}"]
    run = json.loads((root / "out" / "latest" / "run.json").read_text(encoding="utf-8"))
    assert run["schools_submitted"] == 5 and run["files_rejected"] == []
    assert files(root / "out" / "2022-06-28") == outputs  # the earlier night's report stays

    deliver(S05_NEW)
    (root / "inbox" / "Отчёт_S12_повреждён.xlsx").write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    night3 = run_batch(config, now=NIGHT3, quiet=True)
    assert night3.exit_code == 1
    assert night3.replaced == ["S05"] and night3.rejected == ["Отчёт_S12_повреждён.xlsx"]
    assert f"2022-06-30/S05/{S05_NEW}" in files(root / "archive")
    assert f"2022-06-29/S05/{S05_OLD}" in files(root / "archive")  # history is kept
    run = json.loads((root / "out" / "latest" / "run.json").read_text(encoding="utf-8"))
    assert run["schools_submitted"] == 5 and [(d["school"], d["used"], d["differ"]) for d in run["duplicates"]] == [
        ("S05", S05_NEW, True)]  # the earlier file is named (and not counted): its answers differ
    assert run["warnings"][0].startswith("От МБОУ Школа № 5 (S05) получено несколько файлов с разными сведениями")
    assert [r["file"] for r in run["files_rejected"]] == ["Отчёт_S12_повреждён.xlsx"]
    assert sorted(os.listdir(root / "out")) == ["2022-06-28", "2022-06-29", "2022-06-30", "latest", "logs"]

    before = snapshot(root / "out" / "latest")
    again = run_batch(config, now=NIGHT3.replace(hour=3), quiet=True)
    assert again.unchanged and again.exit_code == 0 and again.accepted == []
    assert snapshot(root / "out" / "latest") == before

    log = (root / "out" / "logs" / "roadmap-office.jsonl").read_text(encoding="utf-8").splitlines()
    events = [json.loads(line)["event"] for line in log]
    assert events.count("summary") == 4 and "replaced" in events and "unchanged" in events
    text_log = (root / "out" / "logs" / "roadmap-office.log").read_text(encoding="utf-8")
    assert "Не принят «Отчёт_S12_повреждён.xlsx»" in text_log



def test_a_night_with_nothing_new_is_unchanged_across_processes(tree):
    """Each night is a new process: the built-in report template, made anew with other zip times,
    must not count as a change (outputs, history and the district's mail were redone every night)."""
    config, root, deliver = tree
    deliver(G02)
    command = [sys.executable, "-m", "roadmap_office", "batch", "run", "--config", str(config), "--quiet"]
    assert subprocess.run(command).returncode == 0
    written = snapshot(root / "out" / "latest")
    time.sleep(2.1)  # the zip entries of a template made now would carry another time
    assert subprocess.run(command).returncode == 0
    log = (root / "out" / "logs" / "roadmap-office.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["event"] for line in log].count("unchanged") == 1
    assert snapshot(root / "out" / "latest") == written

def test_retention_keeps_current_files(tree):
    config, root, deliver = tree
    config.write_text(config.read_text(encoding="utf-8").replace("keep_days = 90", "keep_days = 1"),
                      encoding="utf-8")
    deliver(S05_OLD, G02, FOREIGN)
    run_batch(config, now=NIGHT1, quiet=True)
    deliver(S05_NEW)
    run_batch(config, now=datetime(2022, 7, 5, 2, 30), quiet=True)
    # G02's only file is current and stays; S05's superseded file and old dated folders go
    assert files(root / "archive") == [f"2022-06-28/G02/{G02}", f"2022-07-05/S05/{S05_NEW}"]
    assert files(root / "quarantine") == []
    assert "2022-06-28" not in os.listdir(root / "out")


def _spawn(config: Path, pause: str, env_extra: dict | None = None) -> subprocess.Popen:
    env = dict(os.environ, ROADMAP_OFFICE_BATCH_PAUSE=pause, **(env_extra or {}))
    return subprocess.Popen([sys.executable, "-m", "roadmap_office", "batch", "run", "--config", str(config),
                             "--quiet"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _wait_for(condition, timeout=30.0):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError
        time.sleep(0.1)


@pytest.mark.parametrize("stage", ["after_inbox", "before_publish"])
def test_sigkill_loses_nothing_and_keeps_the_previous_report(tree, stage):
    config, root, deliver = tree
    deliver(G02)
    run_batch(config, now=NIGHT1, quiet=True)
    previous = snapshot(root / "out" / "latest")
    deliver(L03, S10, FOREIGN)
    process = _spawn(config, f"{stage}:60")
    marker = (root / "archive") if stage == "after_inbox" else (root / "out")
    _wait_for(lambda: len(files(root / "archive")) == 3 and any(  # the reason's final name: the run is past it
        p.name.endswith(".причина.txt") for p in (root / "quarantine").rglob("*")) and (
        stage == "after_inbox" or any(p.name.startswith(".staging-") for p in marker.iterdir())))
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    # every delivered file is in exactly one place; the published report is the previous one
    assert files(root / "inbox") == []
    assert len(files(root / "archive")) == 3 and len(files(root / "quarantine")) == 2
    assert snapshot(root / "out" / "latest") == previous
    summary = run_batch(config, quiet=True)
    assert summary.exit_code == 0 and summary.accepted == []  # nothing new was left to take
    assert not any(p.name.startswith((".staging-", ".~")) for p in (root / "out").rglob("*"))
    run = json.loads((root / "out" / "latest" / "run.json").read_text(encoding="utf-8"))
    assert run["schools_submitted"] == 3
    assert [r["file"] for r in run["files_rejected"]] == [FOREIGN]  # refused today: still in the report



def test_a_refusal_left_without_its_reason_is_checked_again(tree):
    """A run killed right after moving a refused file into the quarantine wrote no reason: the next
    run checks the file again, writes the reason and names it in the report."""
    config, root, deliver = tree
    deliver(G02, FOREIGN)
    run_batch(config, now=NIGHT1, quiet=True)
    reason = root / "quarantine" / "2022-06-28" / f"{FOREIGN}.причина.txt"
    reason.unlink()
    (reason.parent / ".~half-written").write_text("Файл: ", encoding="utf-8")  # the killed run's temporary
    summary = run_batch(config, now=NIGHT1.replace(hour=4), quiet=True)
    assert summary.rejected == [FOREIGN] and summary.exit_code == 1
    assert files(root / "quarantine") == [f"2022-06-28/{FOREIGN}", f"2022-06-28/{FOREIGN}.причина.txt"]
    assert "не является шаблоном отчёта" in reason.read_text(encoding="utf-8")
    run = json.loads((root / "out" / "latest" / "run.json").read_text(encoding="utf-8"))
    assert [r["file"] for r in run["files_rejected"]] == [FOREIGN]

def test_two_runs_at_once(tree):
    config, root, deliver = tree
    deliver(G02)
    first = _spawn(config, "after_inbox:60")
    try:
        _wait_for(lambda: files(root / "archive") != [])
        started = time.monotonic()
        second = CliRunner().invoke(main, ["batch", "run", "--config", str(config)])
        assert second.exit_code == EXIT_LOCKED
        assert "уже выполняется другой запуск свода (PID" in second.output
        assert time.monotonic() - started < 30  # refused at once, not after the first run (held for 60 s)
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)


def test_hung_converter_is_killed_and_reported(tree, tmp_path):
    config, root, deliver = tree
    text = config.read_text(encoding="utf-8").replace('formats = ["xlsx", "odt"]', 'formats = ["xlsx", "pdf"]')
    config.write_text(text.replace("pdf_timeout = 180", "pdf_timeout = 2"), encoding="utf-8")
    fake = tmp_path / "soffice"
    fake.write_text("#!/bin/sh\nexec sleep 300 # roadmap-office-hung-converter\n", encoding="utf-8")
    fake.chmod(0o755)
    deliver(G02)
    (root / "out" / "latest").mkdir(parents=True, exist_ok=True)  # an earlier night's PDF: stale tonight
    (root / "out" / "latest" / "Сводный_отчёт.pdf").write_bytes(b"%PDF-1.4 earlier night")
    os.environ["ROADMAP_OFFICE_SOFFICE"] = str(fake)
    try:
        summary = run_batch(config, now=NIGHT1, quiet=True)
    finally:
        del os.environ["ROADMAP_OFFICE_SOFFICE"]
    assert summary.exit_code == EXIT_CONVERSION
    assert "за 2 с и был остановлен" in summary.conversion_error
    # tonight's set only: an earlier PDF left beside it would be mailed as tonight's report
    assert files(root / "out" / "latest") == [".fingerprint", "run.json", "Свод_по_дорожной_карте.xlsx"]
    left = subprocess.run(["pgrep", "-f", "roadmap-office-hung-converter"], capture_output=True, text=True)
    assert left.stdout.strip() == ""



def test_init_on_an_existing_tree_touches_nothing(tree, demo_run, tmp_path):
    """«batch init» run again with another master refuses, and the tree's master is as it was."""
    from roadmap_office.batch.config import ConfigError

    config, root, _ = tree
    before = (root / "master.ods").read_bytes()
    other = write_master(read_master(demo_run.master), tmp_path / "другая.ods")
    with pytest.raises(ConfigError, match="уже существует"):
        init_tree(root, other)
    assert (root / "master.ods").read_bytes() == before


def test_a_relative_config_path_runs_the_cleanup(tree, monkeypatch):
    """«batch run --config srv/roadmap-office.toml», as «batch init» prints it: old folders go
    (it stopped with a traceback when it came to name them)."""
    config, root, deliver = tree
    deliver(G02)
    run_batch(config, now=NIGHT1, quiet=True)
    monkeypatch.chdir(root.parent)
    result = CliRunner().invoke(main, ["batch", "run", "--config", f"{root.name}/{config.name}"])
    assert result.exit_code == 0, result.output
    assert "2022-06-28" not in os.listdir(root / "out")  # past keep_days by today's date
    assert "Удалена устаревшая папка out/2022-06-28" in (root / "out" / "logs" / "roadmap-office.log").read_text(
        encoding="utf-8")

@pytest.mark.parametrize("content,message", [
    ('master = "нет.ods"\n', "мастер-книга не найдена"),
    ('master = "master.ods"\nformats = ["doc"]\n', "неизвестный формат «doc»"),
    ('master = "master.ods"\nas_of = "вчера"\n', "параметр «as_of»"),
    ('master = "master.ods"\nkeep_days = 0\n', "keep_days"),
    # a tree that would take its own files: folders inside each other, the master or history in the inbox
    ('master = "master.ods"\ninbox = "archive/inbox"\n', "параметр «inbox» в roadmap-office.toml: папка находится "
     "внутри папки параметра «archive»"),
    ('master = "master.ods"\nhistory = "inbox/history.sqlite"\n', "параметр «history» в roadmap-office.toml: файл "
     "находится в папке параметра «inbox»"),
    ('master = "inbox"\n', "параметр «master» в roadmap-office.toml: это папка, а не файл мастер-книги"),
    ('master = "master.ods"\nhistory = "archive"\n', "параметр «history» в roadmap-office.toml: это папка"),
    ('master = "master.ods"\n"папка" = "x"\n', "неизвестный параметр «папка»"),
    ('master = \n', "ошибка в файле конфигурации"),
])
def test_configuration_errors_exit_2(tree, content, message):
    config, root, _ = tree
    config.write_text(content, encoding="utf-8")
    result = CliRunner().invoke(main, ["batch", "run", "--config", str(config)])
    assert result.exit_code == EXIT_CONFIG
    assert message in result.output


def test_every_config_key_is_documented(tree):
    from roadmap_office.batch import CONFIG_KEYS

    config, _, _ = tree
    example = (Path(__file__).parents[2] / "batch" / "roadmap-office.toml").read_text(encoding="utf-8")
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    for key in CONFIG_KEYS:
        assert f"\n{key} = " in example
        assert f"`{key}`" in readme
    from roadmap_office.batch import CONFIG_TABLES

    for table, (keys, _) in CONFIG_TABLES.items():
        assert f"\n# [{table}]\n" in example and f"`[{table}]`" in readme
        for key in keys:
            assert f"\n# {key} = " in example.split(f"# [{table}]")[1], (table, key)
            assert f"`{table}.{key}`" in readme, (table, key)
    assert load_config(config).formats == ("xlsx", "odt")
