"""One contract for values: every validation a generated template carries is enforced by `check`.

The test reads the validations back from the files (XLSX dataValidations, ODS
content-validations), puts values the validation refuses into the cells it covers, and proves
that the check reports each of them at that cell.
"""

from __future__ import annotations

import copy
import re
import zipfile
from datetime import date, timedelta

import pytest
from lxml import etree

from roadmap_office.checking import check_submission
from roadmap_office.forms.values import COUNT_MAX, indicator_rule
from roadmap_office.master import read_master, roadmap_fingerprint
from roadmap_office.model import Indicator, IndicatorKind
from roadmap_office.reading import read_submission
from roadmap_office.sheets.spec import column_letter, parse_range

TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
EPOCH = date(1899, 12, 30)


def _xlsx_validations(path):
    """(sheet, first cell, kind, low, high) of every data validation."""
    from openpyxl import load_workbook

    found = []
    wb = load_workbook(path)
    for ws in wb.worksheets:
        for dv in ws.data_validations.dataValidation:
            first = str(dv.sqref).split()[0].split(":")[0]
            low = high = None
            if dv.type == "date":
                low, high = (date(*map(int, re.findall(r"\d+", f))) for f in (dv.formula1, dv.formula2))
            elif dv.type in ("whole", "decimal"):
                low, high = float(dv.formula1), float(dv.formula2)
            found.append((ws.title, first, dv.type, low, high))
    return found


def _ods_validations(path):
    with zipfile.ZipFile(path) as archive:
        root = etree.fromstring(archive.read("content.xml"))
    rules = {}
    for cv in root.iter(f"{{{TABLE}}}content-validation"):
        condition = cv.get(f"{{{TABLE}}}condition")
        numbers = [float(n) for n in re.findall(r"between\(([-\d.]+)[,;]([-\d.]+)\)", condition)[0]] \
            if "between" in condition else [None, None]
        if "is-in-list" in condition:
            rule = ("list", None, None)
        elif "is-date" in condition:
            rule = ("date", EPOCH + timedelta(days=numbers[0]), EPOCH + timedelta(days=numbers[1]))
        elif "whole-number" in condition:
            rule = ("whole", *numbers)
        else:
            rule = ("decimal", *numbers)
        rules[cv.get(f"{{{TABLE}}}name")] = rule
    found, seen = [], set()
    for table in root.iter(f"{{{TABLE}}}table"):
        row = 0
        for tr in table.iter(f"{{{TABLE}}}table-row"):
            col = 0
            for cell in tr:
                repeat = int(cell.get(f"{{{TABLE}}}number-columns-repeated", "1"))
                name = cell.get(f"{{{TABLE}}}content-validation-name")
                if name and name not in seen:
                    seen.add(name)
                    found.append((table.get(f"{{{TABLE}}}name"), f"{column_letter(col)}{row + 1}", *rules[name]))
                col += repeat
            row += int(tr.get(f"{{{TABLE}}}number-rows-repeated", "1"))
    return found


def _refused_values(kind, low, high):
    if kind == "list":
        return ["Значение не из списка"]
    if kind == "date":
        return [low - timedelta(days=1), high + timedelta(days=1), "вчера"]
    values = [low - 1, high + 1, "много"]
    if kind == "whole":
        values.append(low + 0.5)
    return values


@pytest.fixture(scope="module")
def unbounded_master(demo_run, tmp_path_factory):
    """The demo master with its count and percent indicators left without bounds."""
    from roadmap_office.forms import generate_templates
    from roadmap_office.master import write_master

    roadmap = read_master(demo_run.master)
    for indicator in roadmap.indicators:
        indicator.minimum = indicator.maximum = None
    folder = tmp_path_factory.mktemp("unbounded")
    master = write_master(roadmap, folder / "master.ods")
    generate_templates(master, folder / "templates", school_codes=["S05"], blank=False)
    return master, folder / "templates"


@pytest.mark.parametrize("fmt", ["xlsx", "ods"])
@pytest.mark.parametrize("bounds", ["master", "default"])
def test_check_refuses_every_value_the_template_refuses(demo_run, unbounded_master, fmt, bounds):
    master, templates = (demo_run.master, demo_run.outdir / "templates") if bounds == "master" else unbounded_master
    roadmap = read_master(master)
    fingerprint = roadmap_fingerprint(roadmap)
    template = next(templates.glob(f"Отчёт_S05_*.{fmt}"))
    validations = _xlsx_validations(template) if fmt == "xlsx" else _ods_validations(template)
    kinds = {v[2] for v in validations}
    assert kinds == {"list", "date", "whole", "decimal"}, kinds
    if bounds == "default":
        assert (0, COUNT_MAX) in {(v[3], v[4]) for v in validations if v[2] == "whole"}
    raw = read_submission(template)
    baseline = check_submission(raw, roadmap, fingerprint)
    before = {(f.sheet, f.cell, f.message) for f in baseline.findings}
    tried = 0
    for sheet, cell, kind, low, high in validations:
        col, row, _, _ = parse_range(cell)
        for value in _refused_values(kind, low, high):
            case = copy.copy(raw)
            case.sheets = copy.deepcopy(raw.sheets)
            rows = case.sheets[sheet]
            while len(rows) <= row:
                rows.append([])
            rows[row] = list(rows[row]) + [None] * (col + 1 - len(rows[row]))
            rows[row][col] = value
            result = check_submission(case, roadmap, fingerprint)
            new = [f for f in result.findings
                   if f.sheet == sheet and f.cell == cell and (f.sheet, f.cell, f.message) not in before]
            assert new and all(f.severity == "error" for f in new), (sheet, cell, kind, value)
            tried += 1
    assert tried >= 3 * len(validations) - len([v for v in validations if v[2] == "list"]) * 2


def test_one_default_policy_for_bounds():
    count = Indicator("П1", "Участники", "чел.", IndicatorKind.COUNT)
    percent = Indicator("П2", "Доля", "%", IndicatorKind.PERCENT)
    assert (indicator_rule(count).low, indicator_rule(count).high, indicator_rule(count).whole) == (0, COUNT_MAX, True)
    assert (indicator_rule(percent).low, indicator_rule(percent).high, indicator_rule(percent).whole) == (0, 100, False)
    assert indicator_rule(Indicator("П3", "Есть", "", IndicatorKind.YESNO)) is None
