"""Ordinary habits of schools that must never put a silent wrong figure into the district
report (the Calc cases are built in a real LibreOffice in tests/libreoffice/test_school_habits.py)."""

from __future__ import annotations

from openpyxl import load_workbook

from roadmap_office.forms import generate_templates
from roadmap_office.forms.layout import ITEMS_SHEET


def test_xlsx_template_forbids_sorting_on_its_protected_sheet(demo_run, tmp_path):
    (path,) = generate_templates(demo_run.master, tmp_path, ("xlsx",), ["S13"], blank=False)
    protection = load_workbook(path)[ITEMS_SHEET].protection
    assert protection.sheet and protection.sort  # True: sorting is a protected action in Excel
    assert not protection.autoFilter  # filtering stays allowed
