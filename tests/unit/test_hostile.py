"""Broken, foreign, outdated and hostile files: a clear Russian reason, nothing run, nothing lost."""

from __future__ import annotations

import os
import zipfile
from datetime import datetime

import pytest

from roadmap_office.checking import check_file
from roadmap_office.demo_submissions import PROFILES
from roadmap_office.master import read_master, roadmap_fingerprint, write_master
from roadmap_office.merging import consolidate
from roadmap_office.pipeline import run_consolidation

G02_ODS = "Отчёт_G02_МБОУ_Гимназия_N_2_I_полугодие_2022_г.ods"
S10_XLSX = "Отчёт_S10_МБОУ_Школа_N_10_I_полугодие_2022_г.xlsx"


def _check(demo_run, path):
    roadmap = read_master(demo_run.master)
    return check_file(path, roadmap, roadmap_fingerprint(roadmap))


def _rewrite(path, replace: dict[str, bytes] | None = None, add: dict[str, bytes] | None = None,
             compress=zipfile.ZIP_DEFLATED):
    source = path.with_suffix(path.suffix + ".orig")
    path.rename(source)
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(path, "w") as new:
        for item in old.infolist():
            data = (replace or {}).get(item.filename, old.read(item.filename))
            new.writestr(item, data, compress_type=zipfile.ZIP_STORED if item.filename == "mimetype" else compress)
        for name, data in (add or {}).items():
            new.writestr(name, data, compress_type=compress)
    source.unlink()


def test_zip_bomb_is_refused(demo_run, sample):
    path = sample(S10_XLSX)
    _rewrite(path, add={"xl/media/padding.bin": b"\0" * (8 * 2**20)})
    result = _check(demo_run, path)
    assert "zip-бомба" in result.rejected
    assert not result.records


def test_entity_declarations_are_refused(demo_run, sample):
    path = sample(G02_ODS)
    with zipfile.ZipFile(path) as archive:
        content = archive.read("content.xml")
    laughs = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
              + content.split(b"?>", 1)[1])
    _rewrite(path, replace={"content.xml": laughs})
    result = _check(demo_run, path)
    assert "DOCTYPE/ENTITY" in result.rejected and "content.xml" in result.rejected


def test_macros_are_reported_and_rows_kept(demo_run, sample):
    path = sample(S10_XLSX)
    _rewrite(path, add={"xl/vbaProject.bin": b"Attribute VB_Name = \"Module1\"\nShell \"calc.exe\""})
    result = _check(demo_run, path)
    assert not result.rejected
    assert any("макросы" in f.message and f.severity == "warning" for f in result.findings)
    assert len(result.records) == 54


def test_real_formula_cell_in_ods_is_reported_as_text(demo_run, sample):
    path = sample(G02_ODS)
    with zipfile.ZipFile(path) as archive:
        content = archive.read("content.xml").decode("utf-8")
    marker = "<text:p>Приказ по школе издан, назначены ответственные</text:p>"
    assert marker in content
    cell_start = content.rfind("<table:table-cell", 0, content.index(marker))
    content = (content[:cell_start] + '<table:table-cell table:formula="of:=HYPERLINK(&quot;http://x&quot;)"'
               + content[cell_start + len("<table:table-cell"):])
    _rewrite(path, replace={"content.xml": content.encode("utf-8")})
    result = _check(demo_run, path)
    formula = [f for f in result.findings if "формула" in f.message]
    assert len(formula) == 1 and formula[0].sheet == "Мероприятия" and formula[0].cell.startswith("J")
    assert any(r.result == '=HYPERLINK("http://x")' for r in result.records)


@pytest.mark.parametrize("stored,shown", [
    ("of:=[.A1]*2", "=A1*2"),
    ("of:=SUM([.E3:.E10])", "=SUM(E3:E10)"),
    ("of:=[$Показатели.E3]+1", "=Показатели.E3+1"),
    ("SUM(E3:E10)", "=SUM(E3:E10)"),  # XLSX keeps no «=»
])
def test_a_formula_is_named_as_the_school_typed_it(stored, shown):
    from roadmap_office.reading.book import display_formula

    assert display_formula(stored) == shown


@pytest.mark.parametrize("mangle,reason", [
    (lambda p: p.write_bytes(p.read_bytes()[:1500]), "не является документом ODS или XLSX"),
    (lambda p: p.write_bytes(b""), "не является документом ODS или XLSX"),
    (lambda p: p.write_text("№;Мероприятие\n1;Урок", encoding="utf-8"), "не является документом ODS или XLSX"),
])
def test_broken_files_are_rejected(demo_run, sample, mangle, reason):
    path = sample(S10_XLSX)
    mangle(path)
    result = _check(demo_run, path)
    assert reason in result.rejected


def test_foreign_and_renamed_documents(demo_run, sample, tmp_path):
    docx = tmp_path / "Отчёт.xlsx"
    with zipfile.ZipFile(docx, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    assert "архив не является документом ODS или XLSX" in _check(demo_run, docx).rejected
    renamed = sample(G02_ODS, "Отчёт_G02.xlsx")
    assert "не соответствует расширению .xlsx" in _check(demo_run, renamed).rejected
    text = tmp_path / "Отчёт.csv"
    text.write_text("a;b", encoding="utf-8")
    assert "формат «.csv» не поддерживается" in _check(demo_run, text).rejected


def test_blank_template_is_not_a_school_report(demo_run):
    blank = demo_run.outdir / "templates" / "Отчёт_бланк_I_полугодие_2022_г.xlsx"
    assert "не указан код образовательной организации" in _check(demo_run, blank).rejected


def test_outdated_template_is_warned_and_still_counted(demo_run, sample, tmp_path):
    roadmap = read_master(demo_run.master)
    roadmap.sections[0].items[0].result += " (уточнено)"
    newer = write_master(roadmap, tmp_path / "master_v2.ods")
    path = sample(S10_XLSX)
    result = check_file(path, read_master(newer), roadmap_fingerprint(read_master(newer)))
    messages = [f.message for f in result.findings]
    assert any("другой версии дорожной карты" in m for m in messages)
    assert any(f.cell == "E5" and "изменено содержимое защищённой ячейки «Ожидаемый результат»" in f.message
               for f in result.findings)
    assert len(result.records) == 54


def test_the_file_that_arrived_last_wins_and_a_disagreeing_save_date_is_shown(demo_run, sample):
    """The original S05 file arrived after the corrected one (file times): it is the current one,
    whatever the school's clock wrote as save dates, and the disagreement is a warning."""
    older = sample("Отчёт_S05_МБОУ_Школа_N_5_I_полугодие_2022_г.ods")
    newer = sample("Отчёт_S05_МБОУ_Школа_N_5_I_полугодие_2022_г_исправленный.xlsx")
    os.utime(older, (datetime(2022, 7, 5).timestamp(),) * 2)
    os.utime(newer, (datetime(2022, 6, 1).timestamp(),) * 2)
    roadmap = read_master(demo_run.master)
    c = consolidate(roadmap, [check_file(older, roadmap), check_file(newer, roadmap)], datetime(2022, 6, 30).date())
    assert c.duplicates[0].used == older.name and c.duplicates[0].clock == [newer.name]
    (warning,) = c.summary_json()["warnings"]
    assert f"в свод включён файл «{older.name}», полученный последним" in warning
    assert f"По дате сохранения (часы компьютера школы) новее «{newer.name}»" in warning
    assert [p.saved for p in PROFILES if p.code == "S05"] == [datetime(2022, 6, 20, 11, 5),
                                                               datetime(2022, 6, 29, 16, 45)]


def test_a_failed_run_leaves_the_previous_report_intact(demo_run, tmp_path, monkeypatch):
    out = tmp_path / "out"
    run_consolidation(demo_run.master, [demo_run.outdir / "submissions"], out, ("xlsx", "odt"))
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    import roadmap_office.sheets.xlsx as xlsx_writer

    def broken(*args, **kwargs):
        raise OSError("диск переполнен")

    monkeypatch.setattr(xlsx_writer, "write_xlsx", broken)
    with pytest.raises(OSError):
        run_consolidation(demo_run.master, [demo_run.outdir / "submissions"], out, ("xlsx", "odt"))
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # no temporary leftovers either
