"""Text and names that outputs must survive, save dates that lie, and templates of another district."""

from __future__ import annotations

import html
import os
import re
import shutil
import zipfile
from datetime import date, datetime

from xml.sax.saxutils import escape

from openpyxl import load_workbook

from roadmap_office.checking import check_file
from roadmap_office.checking import messages as M
from roadmap_office.master import read_master, roadmap_fingerprint, write_master
from roadmap_office.merging import consolidate
from roadmap_office.pipeline import check_one, run_consolidation
from roadmap_office.reading.limits import MAX_TEXT

S10_XLSX = "Отчёт_S10_МБОУ_Школа_N_10_I_полугодие_2022_г.xlsx"
G02_ODS = "Отчёт_G02_МБОУ_Гимназия_N_2_I_полугодие_2022_г.ods"
S05_OLD = "Отчёт_S05_МБОУ_Школа_N_5_I_полугодие_2022_г.ods"
S05_NEW = "Отчёт_S05_МБОУ_Школа_N_5_I_полугодие_2022_г_исправленный.xlsx"


def _roadmap(demo_run):
    roadmap = read_master(demo_run.master)
    return roadmap, roadmap_fingerprint(roadmap)


def _replace_result_text(path, new_text: str) -> str:
    """Put ``new_text`` (XML-escaped as Excel writes it) in place of the first result text: in its
    cell only, also when the text is shared by several cells (a new shared string for that cell)."""
    with zipfile.ZipFile(path) as archive:
        parts = {i.filename: archive.read(i.filename) for i in archive.infolist()}
    shared = "xl/sharedStrings.xml" in parts
    member = "xl/sharedStrings.xml" if shared else next(n for n in parts if n.startswith("xl/worksheets/sheet"))
    text = parts[member].decode("utf-8")
    matches = list(re.finditer(r"<t(?: [^>]*)?>([^<]*)</t>", text))
    number, match = next((n, m) for n, m in enumerate(matches)
                         if html.unescape(m.group(1)).startswith(("Проведено", "Мероприятие проведено", "Организовано")))
    old = html.unescape(match.group(1))
    if not shared:
        parts[member] = (text[:match.start(1)] + escape(new_text) + text[match.end(1):]).encode("utf-8")
    else:
        parts[member] = text.replace("</sst>", f"<si><t>{escape(new_text)}</t></si></sst>").encode("utf-8")
        for name in sorted(n for n in parts if n.startswith("xl/worksheets/sheet")):
            sheet = parts[name].decode("utf-8")
            cell = re.search(rf'<c [^>]*t="s"[^>]*><v>{number}</v>', sheet)
            if cell:
                start, end = cell.span()
                parts[name] = (sheet[:start] + sheet[start:end].replace(f"<v>{number}</v>", f"<v>{len(matches)}</v>")
                               + sheet[end:]).encode("utf-8")
                break
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return old


def test_control_characters_and_long_text_reach_every_output(demo_run, tmp_path):
    inbox = tmp_path / "in"
    inbox.mkdir()
    word = inbox / S10_XLSX
    shutil.copy(demo_run.outdir / "submissions" / S10_XLSX, word)
    _replace_result_text(word, "Строка из Word_x000B_вторая строка_x0001_ и конец")
    long = inbox / G02_ODS.replace("G02", "G02x").replace(".ods", ".xlsx")
    shutil.copy(demo_run.outdir / "submissions" / "Отчёт_L03_МБОУ_Лицей_N_3_I_полугодие_2022_г.xlsx", long)
    _replace_result_text(long, "Очень длинный отчёт. " * 2500)  # 52,500 characters

    result = run_consolidation(demo_run.master, [inbox], tmp_path / "out", ("xlsx", "ods", "odt"),
                               as_of=date(2022, 6, 30))
    records = result.consolidation.records
    assert any(r.result == "Строка из Word\nвторая строка и конец" for r in records)
    cut = [r for r in records if r.result.startswith("Очень длинный отчёт.")]
    assert len(cut) == 1 and len(cut[0].result) == MAX_TEXT and cut[0].result.endswith("…")
    said = [f for f in result.consolidation.findings if f.message == M.TEXT_CUT.format(limit=MAX_TEXT)]
    assert len(said) == 1 and said[0].severity == "warning"
    assert {p.suffix for p in result.outputs} == {".xlsx", ".ods", ".odt"}
    wb = load_workbook(next(p for p in result.outputs if p.suffix == ".xlsx"), read_only=True)
    assert all(len(v) <= MAX_TEXT for ws in wb.worksheets for row in ws.iter_rows(values_only=True)
               for v in row if isinstance(v, str))
    wb.close()
    # check and consolidate agree on the file
    alone = check_one(word, demo_run.master)
    in_run = [f for f in result.consolidation.findings if f.file == word.name]
    assert sorted(f.message for f in alone.findings) == sorted(f.message for f in in_run)


def test_file_names_that_are_not_utf8_or_hold_control_characters(demo_run, tmp_path):
    inbox = tmp_path / "in"
    inbox.mkdir()
    cyrillic_1251 = os.fsdecode("Отчёт школы 2.ods".encode("cp1251"))
    shutil.copy(demo_run.outdir / "submissions" / G02_ODS, inbox / cyrillic_1251)
    shutil.copy(demo_run.outdir / "submissions" / S10_XLSX, inbox / "Отчёт\x07 школы\n10.xlsx")
    result = run_consolidation(demo_run.master, [inbox], tmp_path / "out", ("xlsx", "ods", "odt"))
    names = sorted(s.name for s in result.consolidation.used)
    assert names == ["Отчёт школы 10.xlsx", "Отчёт школы 2.ods"]
    assert len(result.outputs) == 3


def test_a_save_date_in_the_future_never_wins_over_the_corrected_file(demo_run, tmp_path):
    older, newer = tmp_path / S05_OLD, tmp_path / S05_NEW
    shutil.copy(demo_run.outdir / "submissions" / S05_OLD, older)
    shutil.copy(demo_run.outdir / "submissions" / S05_NEW, newer)
    with zipfile.ZipFile(older) as archive:
        parts = {i.filename: archive.read(i.filename) for i in archive.infolist()}
    parts["meta.xml"] = re.sub(rb"<dc:date>[^<]*</dc:date>", b"<dc:date>2099-01-01T10:00:00</dc:date>",
                               parts["meta.xml"])
    with zipfile.ZipFile(older, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data, zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED)
    os.utime(older, (datetime(2022, 6, 20).timestamp(),) * 2)  # arrived first
    os.utime(newer, (datetime(2022, 6, 29).timestamp(),) * 2)
    roadmap, fingerprint = _roadmap(demo_run)
    checked = [check_file(older, roadmap, fingerprint), check_file(newer, roadmap, fingerprint)]
    assert any(f.message == M.FUTURE_SAVE_DATE.format(found="01.01.2099") for f in checked[0].findings)
    c = consolidate(roadmap, checked, date(2022, 6, 30))
    assert [s.name for s in c.used if s.school == "S05"] == [S05_NEW]


def test_a_template_of_another_district_is_refused_though_the_school_code_matches(demo_run, tmp_path):
    from roadmap_office.forms import generate_templates

    other = read_master(demo_run.master)
    other.title = "План мероприятий по развитию воспитания в Энском муниципальном районе"
    for n, item in enumerate(other.items):
        item.event = f"Энское мероприятие № {n}"
    for school in other.schools:
        school.name = school.name.replace("МБОУ", "МКОУ Энская")
    master = write_master(other, tmp_path / "other.ods")
    template = next(p for p in generate_templates(master, tmp_path / "t", ("xlsx",), school_codes=["S10"],
                                                  blank=False))
    roadmap, fingerprint = _roadmap(demo_run)
    result = check_file(template, roadmap, fingerprint)
    assert result.rejected.startswith("шаблон составлен по другой дорожной карте («План мероприятий по развитию "
                                      "воспитания в Энском")
    assert not result.records

    same_roadmap = read_master(demo_run.master)  # another district on the same regional roadmap
    renamed = same_roadmap.executors[0].name
    same_roadmap.executors[0].name += " (Энск)"
    for item in same_roadmap.items:  # its items name it as its catalogue does
        item.executors = [n + " (Энск)" if n == renamed else n for n in item.executors]
        item.by_agreement = [n + " (Энск)" if n == renamed else n for n in item.by_agreement]
    for school in same_roadmap.schools:
        school.name = school.name.replace("МБОУ", "МКОУ Энская")
    master = write_master(same_roadmap, tmp_path / "same.ods")
    template = next(p for p in generate_templates(master, tmp_path / "t2", ("ods",), school_codes=["S10"],
                                                  blank=False))
    result = check_file(template, roadmap, fingerprint)
    assert result.rejected.startswith("шаблон выдан организации «МКОУ Энская Школа № 10», а в мастер-книге под "
                                      "кодом S10 — «МБОУ Школа № 10»")
