"""The history store: three quarters consolidated, re-consolidation, killed runs, schema versions."""

from __future__ import annotations

import copy
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from roadmap_office import history as H
from roadmap_office.cli import main
from roadmap_office.demo_submissions import PROFILES, DemoPeriod, write_demo_submissions
from roadmap_office.master import read_master, write_master
from roadmap_office.pipeline import run_consolidation

QUARTERS = [("1 квартал 2022 г.", date(2022, 3, 31)), ("2 квартал 2022 г.", date(2022, 6, 30)),
            ("3 квартал 2022 г.", date(2022, 9, 30))]
JSON_KEYS = ["period", "start", "end", "as_of", "schools_expected", "schools_submitted", "completion_pct",
             "overdue"]


def quarter_profiles(n: int):
    """Schools catch up quarter by quarter; S11 falls behind in the third; S13 stops after the second."""
    profiles = []
    for p in PROFILES:
        if p.code == "S05" and p.fmt == "ods" or (p.code == "S13" and n == 3):
            continue
        share = 0.2 if p.code == "S11" and n == 3 else min(0.95, p.done_share + 0.1 * (n - 2))
        profiles.append(type(p)(p.code, p.fmt, share, p.saved, p.own_events))
    return profiles


def consolidate_period(root: Path, roadmap, n: int, db: Path, formats=("xlsx",)):
    label, as_of = QUARTERS[n - 1]
    roadmap = copy.deepcopy(roadmap)
    roadmap.reporting_period = label
    folder = root / f"q{n}"
    master = write_master(roadmap, folder / "master.ods")
    write_demo_submissions(read_master(master), folder / "in",
                           DemoPeriod(label, as_of, quarter_profiles(n), plant=False))
    return run_consolidation(master, [folder / "in"], folder / "out", formats, as_of=as_of, jobs=1, history=db)


@pytest.fixture(scope="module")
def three(tmp_path_factory, demo_roadmap):
    root = tmp_path_factory.mktemp("history")
    db = root / "history.sqlite"
    results = [consolidate_period(root, demo_roadmap, n, db, ("xlsx", "ods", "odt") if n == 3 else ("xlsx",))
               for n in (1, 2, 3)]
    return root, db, results


def test_history_json_lists_the_periods_in_time_order(three):
    root, db, results = three
    out = CliRunner().invoke(main, ["history", str(db), "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert list(data) == ["periods"]
    assert [list(p) for p in data["periods"]] == [JSON_KEYS] * 3
    assert [(p["period"], p["start"], p["end"], p["as_of"]) for p in data["periods"]] == [
        ("1 квартал 2022 г.", "2022-01-01", "2022-03-31", "2022-03-31"),
        ("2 квартал 2022 г.", "2022-04-01", "2022-06-30", "2022-06-30"),
        ("3 квартал 2022 г.", "2022-07-01", "2022-09-30", "2022-09-30")]
    for period, result in zip(data["periods"], results):
        summary = result.consolidation.summary_json()
        assert period["completion_pct"] == summary["completion_pct"]
        assert period["overdue"] == summary["overdue"]
        assert period["schools_submitted"] == summary["schools_submitted"]
    assert [p["schools_submitted"] for p in data["periods"]] == [11, 11, 10]
    text = CliRunner().invoke(main, ["history", str(db)])
    assert "Отчётных периодов в истории: 3" in text.output
    assert "3 квартал 2022 г. (01.07.2022 – 30.09.2022), данные на 30.09.2022: отчёты 10 из 12" in text.output


def test_the_store_keeps_statuses_values_and_files(three):
    _, db, results = three
    with sqlite3.connect(db) as con:
        (version,) = con.execute("SELECT MAX(version) FROM schema_version").fetchone()
        assert version == H.SCHEMA_VERSION
        q3 = con.execute("SELECT id FROM periods WHERE label = '3 квартал 2022 г.'").fetchone()[0]
        records = con.execute("SELECT COUNT(*) FROM records WHERE period_id = ?", (q3,)).fetchone()[0]
        assert records == len(results[2].consolidation.records)
        done = con.execute("SELECT COUNT(*) FROM records WHERE period_id = ? AND status = 'выполнено' "
                           "AND date_done IS NOT NULL", (q3,)).fetchone()[0]
        assert done > 0
        files = con.execute("SELECT name, length(sha256), use FROM files WHERE period_id = ?", (q3,)).fetchall()
        assert len(files) == 10 and {f[1] for f in files} == {64} and {f[2] for f in files} == {"used"}
        values = con.execute("SELECT COUNT(*) FROM indicator_values WHERE period_id = ? AND value IS NOT NULL",
                             (q3,)).fetchone()[0]
        assert values > 0


def test_consolidating_a_period_again_replaces_its_rows(three, tmp_path, demo_roadmap):
    root, db, _ = three
    copy_db = tmp_path / "h.sqlite"
    copy_db.write_bytes(db.read_bytes())
    with sqlite3.connect(copy_db) as con:
        before = con.execute("SELECT COUNT(*) FROM records").fetchone()[0]
    consolidate_period(tmp_path, demo_roadmap, 2, copy_db)
    periods = H.read_history(copy_db)
    assert [p.period.label for p in periods] == [q for q, _ in QUARTERS]
    with sqlite3.connect(copy_db) as con:
        assert con.execute("SELECT COUNT(*) FROM records").fetchone()[0] == before
        assert con.execute("SELECT COUNT(*) FROM periods").fetchone()[0] == 3


def test_an_error_inside_the_transaction_leaves_the_previous_history(three, tmp_path, monkeypatch):
    _, db, results = three
    copy_db = tmp_path / "h.sqlite"
    copy_db.write_bytes(db.read_bytes())
    before = [p.summary_json() for p in H.read_history(copy_db)]

    def broken(con, c, pid, details=True):
        con.execute("DELETE FROM records")
        raise RuntimeError("disk full")

    monkeypatch.setattr(H, "_insert_rows", broken)
    with pytest.raises(RuntimeError):
        H.record_history(results[1].consolidation, copy_db)
    assert [p.summary_json() for p in H.read_history(copy_db)] == before
    with sqlite3.connect(copy_db) as con:
        assert con.execute("SELECT COUNT(*) FROM records").fetchone()[0] > 0


KILLED_WRITER = """
import sys, time
from roadmap_office import history as H
from roadmap_office.merging import consolidate
from roadmap_office.master import read_master
from datetime import date

original = H._insert_rows
def slow(con, c, pid, details=True):
    original(con, c, pid, details)
    open(sys.argv[2], "w").close()  # rows written, transaction still open
    time.sleep(60)
H._insert_rows = slow
roadmap = read_master(sys.argv[3])
H.record_history(consolidate(roadmap, [], date(2022, 6, 30)), sys.argv[1])
"""


def test_a_run_killed_midway_leaves_the_history_readable(three, tmp_path):
    root, db, _ = three
    copy_db = tmp_path / "h.sqlite"
    copy_db.write_bytes(db.read_bytes())
    before = [p.summary_json() for p in H.read_history(copy_db)]
    marker = tmp_path / "inside"
    child = subprocess.Popen([sys.executable, "-c", KILLED_WRITER, str(copy_db), str(marker),
                              str(root / "q2" / "master.ods")])
    for _ in range(600):
        if marker.exists() or child.poll() is not None:
            break
        time.sleep(0.1)
    assert marker.exists(), "the writer never reached the middle of its transaction"
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    after = CliRunner().invoke(main, ["history", str(copy_db), "--json"])
    assert after.exit_code == 0, after.output
    assert json.loads(after.output)["periods"] == before


def test_schema_versions_and_bad_files(tmp_path, monkeypatch):
    path = tmp_path / "h.sqlite"
    with H.open_history(path):
        pass
    monkeypatch.setattr(H, "MIGRATIONS", H.MIGRATIONS + ["ALTER TABLE periods ADD COLUMN note TEXT"])
    monkeypatch.setattr(H, "SCHEMA_VERSION", len(H.MIGRATIONS))
    with H.open_history(path) as con:
        assert [r[0] for r in con.execute("SELECT version FROM schema_version ORDER BY version")] == [1, 2]
        assert "note" in [r[1] for r in con.execute("PRAGMA table_info(periods)")]
    monkeypatch.setattr(H, "SCHEMA_VERSION", 1)
    monkeypatch.setattr(H, "MIGRATIONS", H.MIGRATIONS[:1])
    newer = CliRunner().invoke(main, ["history", str(path)])
    assert newer.exit_code == 2 and "создан более новой версией программы (схема 2" in newer.output
    junk = tmp_path / "junk.sqlite"
    junk.write_text("это не база данных", encoding="utf-8")
    bad = CliRunner().invoke(main, ["history", str(junk)])
    assert bad.exit_code == 2 and "не является файлом истории сводов" in bad.output
    missing = CliRunner().invoke(main, ["history", str(tmp_path / "нет.sqlite")])
    assert missing.exit_code == 2 and "файл истории не найден" in missing.output


def test_cli_consolidate_keeps_history(three, tmp_path):
    root, _, _ = three
    db = tmp_path / "Свод" / "history.sqlite"
    args = ["consolidate", str(root / "q3" / "master.ods"), str(root / "q3" / "in"), "-o", str(tmp_path / "out"),
            "--format", "xlsx", "--as-of", "30.09.2022", "--history", str(db), "--json"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert [p.period.label for p in H.read_history(db)] == ["3 квартал 2022 г."]
    assert H.default_history_path(root / "q3" / "master.ods") == root / "q3" / "history.sqlite"
    text = CliRunner().invoke(main, args[:-1])
    assert f"История сводов: {db} (отчётных периодов: 1, текущий — 3 квартал 2022 г.)" in text.output


# ---- the trend read back from the outputs of the third quarter ---------------------------------

def _find(rows, first):
    return next(n for n, row in enumerate(rows) if row and row[0] == first)


def test_dynamics_sheet_in_xlsx(three):
    from openpyxl import load_workbook

    root, db, results = three
    wb = load_workbook(root / "q3" / "out" / "Свод_по_дорожной_карте.xlsx")
    assert wb.sheetnames[-2:] == ["Динамика", "Замечания"]
    ws = wb["Динамика"]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    assert rows[0][0] == "Динамика по отчётным периодам"
    assert "Сравниваются итоги 3 отчётных периодов (с 01.01.2022 по 30.09.2022)" in rows[1][0]
    header = _find(rows, "№")
    district = rows[header + 1: header + 4]
    history = H.read_history(db)
    assert [(r[1], r[4], r[5]) for r in district] == [(p.period.label, p.completion_pct, p.overdue) for p in history]
    assert [r[3] for r in district] == ["11 из 12", "11 из 12", "10 из 12"]
    assert len(ws._charts) == 2
    schools = _find(rows, "Выполнение по образовательным организациям, %")
    assert rows[schools + 1][2:6] == ["1 квартал 2022 г.", "2 квартал 2022 г.", "3 квартал 2022 г.",
                                      "Изменение, п. п."]
    by_code = {r[0]: r for r in rows[schools + 2: schools + 14]}
    # the change comes from the done/applicable counts (−22.45 → −22.4), not from 28.6 and 6.1 as rounded
    assert by_code["S11"][2:6] == [32.7, 28.6, 6.1, -22.4]
    assert by_code["S13"][2:6] == [6.1, 26.5, "—", "—"]
    fell = _find(rows, "Образовательные организации, у которых доля выполнения снизилась по сравнению с "
                       "периодом «2 квартал 2022 г.»")
    assert rows[fell + 2][:5] == ["S11", "МБОУ Школа № 11", 28.6, 6.1, -22.5]
    stopped = _find(rows, "Образовательные организации, представившие отчёт за «2 квартал 2022 г.», но не "
                          "представившие за текущий период")
    assert rows[stopped + 2][:2] == ["S13", "МБОУ Школа № 13"]
    newly = _find(rows, "Мероприятия, просроченные впервые (в периоде «2 квартал 2022 г.» просрочек по ним не было)")
    assert [r[0] for r in rows[newly + 2: newly + 7]] == ["2.7.", "2.8.", "4.2.", "5.3.", "14.2."]
    indicators = _find(rows, "Показатели по округу и целевые значения")
    p5 = next(r for r in rows[indicators:] if r[0] == "П5")
    assert p5[2:6] == [7, 7, 3, "13"]


def test_dynamics_sheet_in_ods_is_the_same_with_native_charts(three):
    import zipfile

    from roadmap_office.sheets.reading import read_workbook

    root, _, _ = three
    out = root / "q3" / "out"
    ods = read_workbook(out / "Свод_по_дорожной_карте.ods")["Динамика"]
    assert ods == read_workbook(out / "Свод_по_дорожной_карте.xlsx")["Динамика"]
    with zipfile.ZipFile(out / "Свод_по_дорожной_карте.ods") as archive:
        charts = [n for n in archive.namelist() if n.startswith("Object ") and n.endswith("content.xml")]
        titles = b"".join(archive.read(n) for n in charts)
    assert len(charts) == 4  # sections, schools, and the two over the periods
    assert "Выполнение мероприятий по отчётным периодам, %".encode() in titles
    assert "Просроченные мероприятия по отчётным периодам".encode() in titles


def test_dynamics_section_in_odt(three):
    import zipfile

    from odf import opendocument, teletype
    from odf import text as odftext

    root, _, _ = three
    path = root / "q3" / "out" / "Сводный_отчёт.odt"
    doc = opendocument.load(str(path))
    headings = [teletype.extractText(h) for h in doc.getElementsByType(odftext.H)]
    assert "6. Динамика по отчётным периодам" in headings
    assert "6.3. Выполнение по образовательным организациям, %" in headings
    assert headings[-1] == "7. Замечания к представленным файлам"
    paragraphs = [teletype.extractText(p) for p in doc.getElementsByType(odftext.P)]
    body = "\n".join(paragraphs)
    assert "МБОУ Школа № 11 (28,6 % → 6,1 %)." in body
    assert ("Образовательные организации, представившие отчёт за «2 квартал 2022 г.», но не представившие "
            "за текущий период: МБОУ Школа № 13.") in paragraphs
    assert "Рисунок 3. Выполнение мероприятий по отчётным периодам, %." in paragraphs
    cells = [teletype.extractText(p) for p in doc.getElementsByType(odftext.P)]
    rows = [cells[n: n + 6] for n, value in enumerate(cells) if value == "S11"]
    assert ["S11", "МБОУ Школа № 11", "32,7", "28,6", "6,1", "\u221222,4"] in rows
    with zipfile.ZipFile(path) as archive:
        svg = archive.read("Pictures/dynamics_completion.svg").decode()
        assert "3 квартал 2022 г." in svg
        assert "Pictures/dynamics_overdue.svg" in archive.read("META-INF/manifest.xml").decode()


def test_one_period_says_so_without_charts(demo_run):
    from odf import opendocument, teletype
    from odf import text as odftext
    from openpyxl import load_workbook

    ws = load_workbook(demo_run.outdir / "report" / "Свод_по_дорожной_карте.xlsx")["Динамика"]
    assert not ws._charts
    texts = [c for row in ws.iter_rows(values_only=True) for c in row if isinstance(c, str)]
    single = ("Сведений о предыдущих отчётных периодах нет: приведены данные только за «I полугодие 2022 г.». "
              "Сравнение с предыдущим периодом и диаграммы динамики появятся после свода следующего периода.")
    assert single in texts
    doc = opendocument.load(str(demo_run.outdir / "report" / "Сводный_отчёт.odt"))
    paragraphs = [teletype.extractText(p) for p in doc.getElementsByType(odftext.P)]
    assert single in paragraphs
    assert "6.1. Выполнение по разделам, %" not in [teletype.extractText(h) for h in doc.getElementsByType(odftext.H)]


def test_nightly_batch_keeps_history_in_its_tree(tmp_path, demo_run):
    import shutil as sh
    from datetime import datetime

    from roadmap_office.batch import init_tree, run_batch

    config = init_tree(tmp_path / "srv", demo_run.master)
    text = config.read_text(encoding="utf-8").replace('formats = ["xlsx", "ods", "odt", "pdf"]', 'formats = ["xlsx"]')
    text = text.replace("settle_seconds = 60", "settle_seconds = 0")  # files copied in just now count
    config.write_text(text.replace('as_of = "period"', 'as_of = "2022-06-30"'), encoding="utf-8")
    for name in ("Отчёт_G02_МБОУ_Гимназия_N_2_I_полугодие_2022_г.ods", "Отчёт_L03_МБОУ_Лицей_N_3_I_полугодие_2022_г.xlsx"):
        sh.copy(demo_run.outdir / "submissions" / name, config.parent / "inbox" / name)
    run_batch(config, now=datetime(2022, 6, 30, 2, 30), quiet=True)
    (period,) = H.read_history(config.parent / "history.sqlite")
    assert (period.period.label, period.schools_submitted) == ("I полугодие 2022 г.", 2)
