"""The nightly batch makes its PDF with a real LibreOffice and leaves no process or profile behind."""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import datetime

import pytest

from roadmap_office.batch import init_tree, run_batch

pytestmark = pytest.mark.libreoffice

G02 = "Отчёт_G02_МБОУ_Гимназия_N_2_I_полугодие_2022_г.ods"


def _processes_naming(folder) -> list[str]:
    """Processes whose command line names ``folder`` (the converter's profile lives there)."""
    return subprocess.run(["pgrep", "-f", str(folder)], capture_output=True, text=True).stdout.split()


def test_batch_pdf_with_real_libreoffice(tmp_path, demo_run):
    config = init_tree(tmp_path / "srv", demo_run.master)
    text = config.read_text(encoding="utf-8").replace('formats = ["xlsx", "ods", "odt", "pdf"]', 'formats = ["pdf"]')
    config.write_text(text.replace("settle_seconds = 60", "settle_seconds = 0"), encoding="utf-8")
    shutil.copy(demo_run.outdir / "submissions" / G02, config.parent / "inbox" / G02)
    summary = run_batch(config, now=datetime(2022, 6, 30, 2, 30), quiet=True)
    assert summary.exit_code == 0, summary.conversion_error
    latest = config.parent / "out" / "latest"
    assert sorted(os.listdir(latest)) == [".fingerprint", "run.json", "Сводный_отчёт.pdf"]
    assert (latest / "Сводный_отчёт.pdf").read_bytes().startswith(b"%PDF")
    assert not list(config.parent.rglob("roadmap-office-pdf-*"))
    assert not list((config.parent / "out").glob(".staging-*"))
    assert _processes_naming(config.parent) == []


def test_the_quick_start_demo_into_a_relative_folder_makes_its_pdf(tmp_path, monkeypatch):
    """`scripts/demo.sh` with no argument writes into `roadmap-demo`, a relative folder: the PDF
    converter's private profile must still get an absolute file URL."""
    from click.testing import CliRunner

    from roadmap_office.cli import main

    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["demo", "roadmap-demo"])
    assert result.exit_code == 0, result.output
    pdf = tmp_path / "roadmap-demo" / "report" / "Сводный_отчёт.pdf"
    assert pdf.read_bytes().startswith(b"%PDF")
