"""The shared pipeline steps: one output registry, one pick of the current file, the result cache."""

from __future__ import annotations

import dataclasses
import shutil
from datetime import datetime
from pathlib import Path

import pytest

from roadmap_office import cache as cache_module
from roadmap_office import pipeline
from roadmap_office.batch import init_tree, run_batch
from roadmap_office.cache import ResultCache
from roadmap_office.checking import CheckedSubmission
from roadmap_office.period import parse_period
from roadmap_office.master import read_master
from roadmap_office.pipeline import OUTPUT_FORMATS, OUTPUTS, check_files, pick_current, run_consolidation

G02 = "Отчёт_G02_МБОУ_Гимназия_N_2_I_полугодие_2022_г.ods"
L03 = "Отчёт_L03_МБОУ_Лицей_N_3_I_полугодие_2022_г.xlsx"
S10 = "Отчёт_S10_МБОУ_Школа_N_10_I_полугодие_2022_г.xlsx"


def test_every_registered_format_is_written_and_nothing_else(demo_run, tmp_path):
    formats = [f for f in OUTPUT_FORMATS if f not in ("pdf", "docx")]  # those two need LibreOffice
    result = run_consolidation(demo_run.master, [demo_run.outdir / "submissions"], tmp_path, formats, jobs=1)
    assert sorted(p.name for p in result.outputs) == sorted(OUTPUTS[f].filename for f in formats)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(OUTPUTS[f].filename for f in formats)


def test_a_school_file_of_another_period_never_replaces_this_period(tmp_path):
    def sub(name, period, saved):
        return CheckedSubmission(Path(name), school="S05", period=parse_period(period),
                                 saved_at=datetime(2022, 6, saved))

    first, corrected = sub("a.ods", "I полугодие 2022 г.", 1), sub("b.ods", "1 полугодие 2022", 5)
    second = sub("c.ods", "II полугодие 2022 г.", 9)
    selection = pick_current([first, second, corrected])
    assert selection.for_period("2022-01-01/2022-06-30") == [corrected]
    assert selection.for_period("2022-07-01/2022-12-31") == [second]
    assert selection.superseded[("S05", "2022-01-01/2022-06-30")] == [first]


def test_a_night_without_new_files_reads_nothing_and_one_new_file_is_read_once(demo_run, tmp_path, monkeypatch):
    config = init_tree(tmp_path / "srv", demo_run.master)
    config.write_text(config.read_text(encoding="utf-8").replace('["xlsx", "ods", "odt", "pdf"]', '["xlsx"]')
                      .replace("settle_seconds = 60", "settle_seconds = 0"), encoding="utf-8")
    inbox = config.parent / "inbox"
    for name in (G02, L03):
        shutil.copy(demo_run.outdir / "submissions" / name, inbox / name)
    run_batch(config, now=datetime(2022, 6, 28, 2, 30), quiet=True)

    checked, hashed = [], []
    real_check, real_digest = pipeline.check_isolated, cache_module.file_digest
    monkeypatch.setattr(pipeline, "check_isolated",
                        lambda paths, *a: checked.extend(Path(p).name for p in paths) or real_check(paths, *a))
    monkeypatch.setattr(cache_module, "file_digest",
                        lambda path: hashed.append(Path(path).name) or real_digest(path))
    quiet = run_batch(config, now=datetime(2022, 6, 29, 2, 30), quiet=True)
    assert quiet.accepted == [] and checked == [] and hashed == []  # a new day: outputs again, no reading

    shutil.copy(demo_run.outdir / "submissions" / S10, inbox / S10)
    night = run_batch(config, now=datetime(2022, 6, 30, 2, 30), quiet=True)
    assert night.accepted == [S10] and checked == [S10] and hashed == [S10]


def test_results_of_other_rules_are_dropped(tmp_path):
    (tmp_path / "v0.0.1").mkdir()
    (tmp_path / "v0.0.1" / "x.pickle").write_bytes(b"old")
    cache = ResultCache(tmp_path, "abc")
    assert [p.name for p in tmp_path.iterdir()] == [cache_module.rules_digest()[:16]]


def test_the_rules_digest_changes_with_any_rule_message_or_reader(tmp_path):
    """Nobody has to remember to raise a version: a changed source is a new digest."""
    package = Path(cache_module.__file__).parent
    copy = tmp_path / "roadmap_office"
    shutil.copytree(package, copy, ignore=shutil.ignore_patterns("__pycache__", "*.so", "*.c"))
    assert cache_module.rules_digest(copy) == cache_module.rules_digest(package)
    rules = copy / "checking" / "rules.py"
    rules.write_text(rules.read_text(encoding="utf-8") + "\n# a changed rule\n", encoding="utf-8")
    assert cache_module.rules_digest(copy) != cache_module.rules_digest(package)


def test_results_are_stored_as_data_and_read_back_equal(demo_run, tmp_path):
    import json

    from roadmap_office.pipeline import check_one

    cache = ResultCache(tmp_path, "abc")
    for path in sorted((demo_run.outdir / "submissions").iterdir()):
        result = check_one(path, demo_run.master)
        cache.put(path, result)
        back = cache.get(path)
        assert back is not None and dataclasses.replace(back, modified=result.modified) == result, path.name
    stored = [p for p in cache.folder.iterdir() if p.name != "index.json"]
    assert stored and all(p.suffix == ".json" and json.loads(p.read_text(encoding="utf-8"))["result"] for p in stored)
    assert not list(tmp_path.rglob("*.pickle"))


@pytest.mark.parametrize("damage", ["garbage", "other_shape", "other_file", "wrong_type", "other_rules"])
def test_a_damaged_or_foreign_entry_is_ignored_and_the_file_checked_again(demo_run, tmp_path, damage):
    import json

    from roadmap_office.pipeline import check_one

    first, second = sorted((demo_run.outdir / "submissions").glob("*.ods"))[:2]
    cache = ResultCache(tmp_path, "abc")
    for path in (first, second):
        cache.put(path, check_one(path, demo_run.master))
    entry = cache._result_path(cache.digest(first))
    data = json.loads(entry.read_text(encoding="utf-8"))
    if damage == "garbage":
        entry.write_bytes(b"\x80\x04\x95 not json")
    elif damage == "other_shape":
        entry.write_text(json.dumps({**data, "result": {"school": "G02"}}), encoding="utf-8")
    elif damage == "other_file":  # a valid entry of another file put under this file's name
        entry.write_bytes(cache._result_path(cache.digest(second)).read_bytes())
    elif damage == "wrong_type":  # a count that is text
        data["result"]["records"][0]["row"] = "7"
        entry.write_text(json.dumps(data), encoding="utf-8")
    else:
        entry.write_text(json.dumps({**data, "rules": "0" * 64}), encoding="utf-8")
    assert cache.get(first) is None
    checked = check_files([first], read_master(demo_run.master), None, cache=cache)
    assert checked[0].school == check_one(first, demo_run.master).school and cache.get(first) is not None


def test_consolidate_on_a_full_disk_is_exit_5_and_keeps_the_previous_outputs(demo_run, tmp_path, monkeypatch):
    import errno

    from click.testing import CliRunner

    from roadmap_office.cli import main

    args = ["consolidate", str(demo_run.master), str(demo_run.outdir / "submissions"), "-o", str(tmp_path),
            "--format", "xlsx,odt", "--jobs", "1"]
    assert CliRunner().invoke(main, args).exit_code == 0
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(pipeline.shutil, "copyfile", full)
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 5 and "на диске нет места" in result.output and "Traceback" not in result.output
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


def test_progress_names_the_school_being_read_or_the_file_when_it_says_none(demo_run, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name in (G02, L03):
        shutil.copy(demo_run.outdir / "submissions" / name, inbox / name)
    (inbox / "повреждённый.ods").write_bytes(b"PK\x03\x04 not a document")
    seen = []
    run_consolidation(demo_run.master, [inbox], tmp_path / "out", ("xlsx",), jobs=1,
                      progress=lambda done, total, label: seen.append((done, total, label)))
    schools = {s.code: s.name for s in demo_run.consolidation.roadmap.schools}
    assert [(d, t) for d, t, _ in seen] == [(1, 3), (2, 3), (3, 3)]
    assert sorted(label for _, _, label in seen) == sorted([schools["G02"], schools["L03"], "повреждённый.ods"])
