"""The one folder policy: every entry of an input folder is a report, refused with a Russian
reason, or listed as ignored system junk — for the CLI, the macros and the batch alike."""

from __future__ import annotations

import json
import os
import shutil

from click.testing import CliRunner

from roadmap_office.cli import main
from roadmap_office.inputs import IGNORED, REFUSED, REPORT, classify_folder


def test_every_entry_of_a_folder_gets_a_verdict(tmp_path):
    names = ["Отчёт_G02.ods", "Отчёт_S13.XLSX", "Отчёт_S05.xls", "Отчёт_S07.fods", "Отчёты.zip",
             "Пояснение.docx", "скан.pdf", "README", ".~lock.Отчёт_G02.ods#", "~$Отчёт_S13.xlsx",
             "Thumbs.db", "desktop.ini", ".DS_Store", "._Отчёт_G02.ods", "данные.csv", "отчёт.xlsm"]
    for name in names:
        (tmp_path / name).write_bytes(b"x")
    (tmp_path / "Старые").mkdir()
    os.symlink(tmp_path / "Отчёт_G02.ods", tmp_path / "ссылка.ods")
    entries = {e.name: e for e in classify_folder(tmp_path)}
    assert set(entries) == set(names) | {"Старые", "ссылка.ods"}
    verdicts = {name: e.verdict for name, e in entries.items()}
    assert [n for n, v in sorted(verdicts.items()) if v == REPORT] == ["Отчёт_G02.ods", "Отчёт_S13.XLSX"]
    assert {n for n, v in verdicts.items() if v == IGNORED} == {
        ".~lock.Отчёт_G02.ods#", "~$Отчёт_S13.xlsx", "Thumbs.db", "desktop.ini", ".DS_Store", "._Отчёт_G02.ods"}
    refused = {n: e.reason for n, e in entries.items() if e.verdict == REFUSED}
    assert "Excel 97–2003 (XLS)" in refused["Отчёт_S05.xls"] and "XLSX" in refused["Отчёт_S05.xls"]
    assert "FODS" in refused["Отчёт_S07.fods"] and "ODS" in refused["Отчёт_S07.fods"]
    assert "архив" in refused["Отчёты.zip"]
    assert "текстовый документ" in refused["Пояснение.docx"]
    assert "вложенная папка" in refused["Старые"]
    assert "ссылка" in refused["ссылка.ods"]
    assert "без расширения" in refused["README"]
    assert all(e.reason for e in entries.values() if e.verdict != REPORT)
    assert all(not e.reason for e in entries.values() if e.verdict == REPORT)


def test_consolidation_names_every_file_it_did_not_read(demo_run, tmp_path):
    """A school that sent an XLS or a zip is refused by name, never silently missing; lock files
    and Thumbs.db are listed as ignored; the figures are those of the readable files."""
    folder = tmp_path / "Отчёты"
    shutil.copytree(demo_run.outdir / "submissions", folder)
    (folder / "Отчёт_S17.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    (folder / "Отчёт_S17.zip").write_bytes(b"PK")
    (folder / ".~lock.Отчёт_S13.ods#").write_text("lock")
    (folder / "Thumbs.db").write_bytes(b"x")
    (folder / "старое").mkdir()
    result = CliRunner().invoke(main, ["consolidate", str(demo_run.master), str(folder), "-o", str(tmp_path / "out"),
                                       "--format", "xlsx", "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    reasons = {r["file"]: r["reason"] for r in summary["files_rejected"]}
    assert "Excel 97–2003" in reasons["Отчёт_S17.xls"] and "архив" in reasons["Отчёт_S17.zip"]
    assert "вложенная папка" in reasons["старое"]
    assert {r["file"] for r in summary["files_ignored"]} == {".~lock.Отчёт_S13.ods#", "Thumbs.db"}
    clean = demo_run.consolidation.summary_json()
    assert (summary["schools_submitted"], summary["completion_pct"]) == (clean["schools_submitted"],
                                                                       clean["completion_pct"])
    text = CliRunner().invoke(main, ["consolidate", str(demo_run.master), str(folder), "-o",
                                     str(tmp_path / "out2"), "--format", "xlsx"]).output
    assert "Не приняты файлы:" in text and "• «Отчёт_S17.xls»: " in text  # the one run summary
    assert "Пропущены служебные файлы: «.~lock.Отчёт_S13.ods#», «Thumbs.db»" in text


def test_batch_applies_the_same_policy_to_its_inbox(demo_run, tmp_path):
    from roadmap_office.batch import init_tree, run_batch
    from roadmap_office.inputs import REFUSED_SUFFIXES

    config = init_tree(tmp_path / "srv", demo_run.master)
    text = config.read_text(encoding="utf-8").replace('formats = ["xlsx", "ods", "odt", "pdf"]', 'formats = ["xlsx"]')
    config.write_text(text.replace("settle_seconds = 60", "settle_seconds = 0"), encoding="utf-8")
    inbox = config.parent / "inbox"
    (inbox / "Отчёт_S17.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    (inbox / "Thumbs.db").write_bytes(b"x")
    (inbox / ".~lock.Отчёт_S13.ods#").write_text("lock")
    summary = run_batch(config, quiet=True)
    assert summary.rejected == ["Отчёт_S17.xls"] and summary.ignored == [".~lock.Отчёт_S13.ods#", "Thumbs.db"]
    reason = next((config.parent / "quarantine").rglob("Отчёт_S17.xls.причина.txt")).read_text(encoding="utf-8")
    assert f"Причина: {REFUSED_SUFFIXES['.xls']}" in reason
    assert sorted(p.name for p in inbox.iterdir()) == [".~lock.Отчёт_S13.ods#", "Thumbs.db"]  # left alone
