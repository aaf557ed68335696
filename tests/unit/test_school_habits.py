"""Ordinary habits of schools that must never put a silent wrong figure into the district
report (the Calc cases are built in a real LibreOffice in tests/libreoffice/test_school_habits.py)."""

from __future__ import annotations

import json
import os
import re
import shutil
import time
import zipfile
from datetime import datetime

from click.testing import CliRunner
from odf import opendocument, teletype, text
from openpyxl import load_workbook

from roadmap_office.batch import init_tree, run_batch
from roadmap_office.cli import main

from roadmap_office.forms import generate_templates
from roadmap_office.forms.layout import ITEMS_SHEET


def test_xlsx_template_forbids_sorting_on_its_protected_sheet(demo_run, tmp_path):
    (path,) = generate_templates(demo_run.master, tmp_path, ("xlsx",), ["S13"], blank=False)
    protection = load_workbook(path)[ITEMS_SHEET].protection
    assert protection.sheet and protection.sort  # True: sorting is a protected action in Excel
    assert not protection.autoFilter  # filtering stays allowed


S05_OLD = "Отчёт_S05_МБОУ_Школа_N_5_I_полугодие_2022_г.ods"
S05_NEW = "Отчёт_S05_МБОУ_Школа_N_5_I_полугодие_2022_г_исправленный.xlsx"


def _saved_in_2009(path):
    """The file as saved on a PC whose clock says 2009: the save date in the document and the file
    time (kept by a copy over the network)."""
    with zipfile.ZipFile(path) as archive:
        parts = {i.filename: archive.read(i.filename) for i in archive.infolist()}
    parts["docProps/core.xml"] = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2009-01-01T10:00:00Z",
                                        parts["docProps/core.xml"])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    stamp = datetime(2009, 1, 1, 10, 0).timestamp()
    os.utime(path, (stamp, stamp))


def test_batch_the_corrected_file_wins_though_the_schools_clock_says_2009(demo_run, tmp_path):
    config = init_tree(tmp_path / "srv", demo_run.master)
    text = config.read_text(encoding="utf-8").replace('formats = ["xlsx", "ods", "odt", "pdf"]', 'formats = ["xlsx"]')
    config.write_text(text.replace("settle_seconds = 60", "settle_seconds = 0"), encoding="utf-8")
    inbox = config.parent / "inbox"
    shutil.copy(demo_run.outdir / "submissions" / S05_OLD, inbox / S05_OLD)
    run_batch(config, now=datetime(2022, 6, 28, 2, 30), quiet=True)
    time.sleep(0.01)  # the second file reaches the inbox later by the server's clock
    shutil.copy(demo_run.outdir / "submissions" / S05_NEW, inbox / S05_NEW)
    _saved_in_2009(inbox / S05_NEW)
    night = run_batch(config, now=datetime(2022, 6, 29, 2, 30), quiet=True)
    assert night.replaced == ["S05"]
    run = json.loads((config.parent / "out" / "latest" / "run.json").read_text(encoding="utf-8"))
    assert run["duplicates"][0]["used"] == S05_NEW and run["duplicates"][0]["newer_by_save_date"] == [S05_OLD]
    (warning,) = run["warnings"]
    assert f"в свод включён файл «{S05_NEW}», полученный последним" in warning
    assert "порядок получения и дата сохранения расходятся" in warning


def test_folder_run_the_file_time_decides_and_the_disagreement_is_shown(demo_run, tmp_path):
    folder = tmp_path / "Отчёты"
    folder.mkdir()
    shutil.copy(demo_run.outdir / "submissions" / S05_OLD, folder / S05_OLD)
    os.utime(folder / S05_OLD, (datetime(2022, 6, 20).timestamp(),) * 2)
    shutil.copy(demo_run.outdir / "submissions" / S05_NEW, folder / S05_NEW)
    _saved_in_2009(folder / S05_NEW)
    os.utime(folder / S05_NEW, (datetime(2022, 6, 29).timestamp(),) * 2)  # downloaded from the mail later
    result = CliRunner().invoke(main, ["consolidate", str(demo_run.master), str(folder), "-o", str(tmp_path / "out"),
                                       "--format", "xlsx,odt"])
    assert result.exit_code == 0, result.output
    first = result.output.splitlines()[0]  # before any figure
    assert first.startswith("ВНИМАНИЕ! От МБОУ Школа № 5 (S05) получено несколько файлов с разными сведениями")
    assert f"в свод включён файл «{S05_NEW}»" in first and f"новее «{S05_OLD}»" in first
    book = load_workbook(tmp_path / "out" / "Свод_по_дорожной_карте.xlsx")
    top = [row for row in book["Сводка"].iter_rows(min_row=1, max_row=5, values_only=True)]
    assert ("Внимание", first.removeprefix("ВНИМАНИЕ! ")) in [tuple(r[:2]) for r in top]
    doc = opendocument.load(str(tmp_path / "out" / "Сводный_отчёт.odt"))
    paragraphs = [teletype.extractText(p) for p in doc.getElementsByType(text.P)]
    warning = next(n for n, p in enumerate(paragraphs) if p.startswith("Внимание! От МБОУ Школа № 5"))
    key_figures = next(n for n, p in enumerate(paragraphs) if p == "Образовательных организаций в перечне")
    assert warning < key_figures


def test_school_keys_are_stable_and_older_masters_without_them_still_work(demo_run, tmp_path):
    from roadmap_office.checking import check_file
    from roadmap_office.master import SCHOOLS, read_master, roadmap_fingerprint, write_master

    roadmap = read_master(demo_run.master)
    keys = {s.code: s.key for s in roadmap.schools}
    assert all(len(k) == 12 for k in keys.values()) and len(set(keys.values())) == len(keys)
    again = write_master(roadmap, tmp_path / "master.xlsx")  # saved again, in the other format
    assert {s.code: s.key for s in read_master(again).schools} == keys
    book = load_workbook(again)
    assert book[SCHOOLS].cell(1, 5).value == "Ключ (не изменять)"
    book[SCHOOLS].delete_cols(5)  # a master made before schools had keys
    book.save(tmp_path / "old.xlsx")
    old = read_master(tmp_path / "old.xlsx")
    assert {s.code: s.key for s in old.schools} == keys
    # a school's file made from the new master is accepted against the old one and the other way round
    path = demo_run.outdir / "submissions" / "Отчёт_G02_МБОУ_Гимназия_N_2_I_полугодие_2022_г.ods"
    assert not check_file(path, old, roadmap_fingerprint(old)).rejected
    (old_template,) = generate_templates(tmp_path / "old.xlsx", tmp_path / "t", ("xlsx",), ["S13"], blank=False)
    assert not check_file(old_template, roadmap, roadmap_fingerprint(roadmap)).rejected


def test_a_copied_school_row_with_its_key_is_named(demo_run, tmp_path):
    import pytest

    from roadmap_office.errors import MasterError
    from roadmap_office.master import SCHOOLS, read_master, write_master

    path = write_master(read_master(demo_run.master), tmp_path / "master.xlsx")
    book = load_workbook(path)
    sheet = book[SCHOOLS]
    sheet.append(["S99", "МБОУ Школа № 99", "", 300, sheet.cell(2, 5).value])
    book.save(path)
    with pytest.raises(MasterError) as info:
        read_master(path)
    assert "ключ школы" in str(info.value) and info.value.cell == f"E{sheet.max_row}"
