"""A school's report is complete: every item has a status; the template is tied to the roadmap's
content, so a master saved again (or in the other format) warns nobody."""

from __future__ import annotations

import re

from click.testing import CliRunner

from roadmap_office.checking import check_file
from roadmap_office.cli import main
from roadmap_office.forms import generate_templates
from roadmap_office.forms.layout import COL
from roadmap_office.master import read_master, roadmap_fingerprint, write_master
from roadmap_office.sheets.spec import column_letter

STATUS = column_letter(COL["status"])


def test_unfilled_template_names_every_status_cell(demo_run):
    template = demo_run.outdir / "templates" / "Отчёт_S10_МБОУ_Школа_N_10_I_полугодие_2022_г.xlsx"
    roadmap = read_master(demo_run.master)
    result = check_file(template, roadmap, roadmap_fingerprint(roadmap))
    missing = [f for f in result.findings if "не указан статус мероприятия" in f.message]
    assert len(missing) == len(result.records) == 52 and len(result.findings) == 52
    assert missing[0].cell == f"{STATUS}5" and missing[0].sheet == "Мероприятия"
    assert "мероприятия 1.1;" in missing[0].message and "«не начато»" in missing[0].message


def test_cli_check_reports_an_unfilled_template_without_the_master(demo_run):
    template = demo_run.outdir / "templates" / "Отчёт_S10_МБОУ_Школа_N_10_I_полугодие_2022_г.ods"
    result = CliRunner().invoke(main, ["check", str(template)])
    assert result.exit_code == 1
    assert "замечаний — 52" in result.output
    assert f"ячейка {STATUS}5: не указан статус мероприятия 1.1;" in result.output


def test_filled_sample_reports_have_no_missing_statuses(demo_run):
    roadmap = read_master(demo_run.master)
    for path in sorted((demo_run.outdir / "submissions").glob("Отчёт_*_I_полугодие_2022_г*")):
        result = check_file(path, roadmap, roadmap_fingerprint(roadmap))
        assert not [f for f in result.findings if "статус" in f.message and "не указан" in f.message], path.name


def test_fingerprint_is_the_content_not_the_file(demo_roadmap, tmp_path):
    ods = write_master(demo_roadmap, tmp_path / "master.ods")
    xlsx = write_master(demo_roadmap, tmp_path / "master.xlsx")
    again = write_master(read_master(ods), tmp_path / "again.ods")
    fingerprints = {roadmap_fingerprint(read_master(p)) for p in (ods, xlsx, again)}
    assert len(fingerprints) == 1
    changed = read_master(ods)
    changed.sections[2].items[0].event += " (уточнено)"
    assert roadmap_fingerprint(changed) not in fingerprints
    changed = read_master(ods)
    changed.schools.pop()  # the schools list is not part of any other school's template
    assert roadmap_fingerprint(changed) in fingerprints


def test_template_of_a_resaved_master_is_not_outdated(demo_roadmap, tmp_path):
    master = write_master(demo_roadmap, tmp_path / "master.ods")
    template = next(p for p in generate_templates(master, tmp_path / "t", formats=("xlsx",)) if "S10" in p.name)
    resaved = write_master(read_master(master), tmp_path / "master.xlsx")
    roadmap = read_master(resaved)
    result = check_file(template, roadmap, roadmap_fingerprint(roadmap))
    assert not [f for f in result.findings if "другой версии" in f.message]


def test_consolidated_workbook_headers_wrap_between_words(demo_run):
    from roadmap_office.merging import consolidate
    from roadmap_office.pipeline import check_files, collect_inputs
    from roadmap_office.rendering import consolidated_workbook
    from roadmap_office.rendering.workbook import HEADER_LETTER_CM

    roadmap = read_master(demo_run.master)
    checked = check_files(collect_inputs([demo_run.outdir / "submissions"]), roadmap, None, jobs=1)
    book = consolidated_workbook(consolidate(roadmap, checked, roadmap.period.end))
    narrow = [(sheet.name, column.title) for sheet in book.sheets for column in sheet.columns
              if any(len(word) * HEADER_LETTER_CM > column.width_cm for word in re.split(r"[\s-]+", column.title))]
    assert narrow == []
    items = next(s for s in book.sheets if s.name == "По мероприятиям")
    assert next(c for c in items.columns if c.title == "Мероприятие").width_cm == 9  # wide ones untouched
