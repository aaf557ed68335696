"""The nightly batch under real server conditions: odd inbox entries, files still arriving,
long and hostile names, other disks, full or read-only output, bad configuration, poison files."""

from __future__ import annotations

import errno
import io
import json
import os
import shutil
import time
import zipfile
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from roadmap_office.batch import run as batch_module
from roadmap_office.batch import NAME_MAX, REASON_SUFFIX, init_tree, run_batch
from roadmap_office.cli import main
from roadmap_office.errors import Exit

G02 = "Отчёт_G02_МБОУ_Гимназия_N_2_I_полугодие_2022_г.ods"
L03 = "Отчёт_L03_МБОУ_Лицей_N_3_I_полугодие_2022_г.xlsx"
NIGHT1, NIGHT2, NIGHT3 = datetime(2022, 6, 28, 2, 30), datetime(2022, 6, 29, 2, 30), datetime(2022, 6, 30, 2, 30)
OLD = 1_600_000_000  # a modification time long ago: the file is complete


@pytest.fixture()
def tree(tmp_path, demo_run):
    config = init_tree(tmp_path / "srv", demo_run.master)
    text = config.read_text(encoding="utf-8").replace('formats = ["xlsx", "ods", "odt", "pdf"]', 'formats = ["xlsx"]')
    config.write_text(text.replace('as_of = "period"', 'as_of = "2022-06-30"'), encoding="utf-8")
    root = config.parent

    def deliver(name, content_of=None, data: bytes | None = None):
        target = root / "inbox" / name
        if data is not None:
            target.write_bytes(data)
        else:
            shutil.copy(demo_run.outdir / "submissions" / (content_of or name), target)
        os.utime(target, (OLD, OLD))
        return target

    return config, root, deliver


def files(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def cli(config: Path):
    return CliRunner().invoke(main, ["batch", "run", "--config", str(config), "--quiet"])


# ---- the inbox -----------------------------------------------------------------------------


def test_links_folders_and_pipes_are_reported_and_never_followed(tree, tmp_path):
    config, root, deliver = tree
    deliver(G02)
    outside = tmp_path / "секрет.xlsx"
    outside.write_bytes(b"not for the batch")
    (root / "inbox" / "ссылка.xlsx").symlink_to(outside)
    (root / "inbox" / "папка.ods").mkdir()
    os.mkfifo(root / "inbox" / "канал.xlsx")
    summary = run_batch(config, now=NIGHT1, quiet=True)
    assert summary.exit_code == 0 and summary.accepted == [G02]
    assert sorted(summary.skipped) == ["канал.xlsx", "папка.ods", "ссылка.xlsx"]
    assert sorted(os.listdir(root / "inbox")) == ["канал.xlsx", "папка.ods", "ссылка.xlsx"]
    assert outside.read_bytes() == b"not for the batch" and files(root / "quarantine") == []
    log = (root / "out" / "logs" / "roadmap-office.log").read_text(encoding="utf-8")
    assert "Пропущен «ссылка.xlsx»: символическая ссылка" in log
    assert "Пропущен «канал.xlsx»: не обычный файл" in log



def test_a_file_dated_in_the_future_is_taken(tree):
    """A school PC whose clock runs a year ahead (or a copy keeping that time): not «still being
    copied» night after night, but taken and counted."""
    config, root, deliver = tree
    config.write_text(config.read_text(encoding="utf-8").replace("settle_seconds = 60", "settle_seconds = 600"),
                      encoding="utf-8")
    arriving = deliver(G02)
    ahead = time.time() + 365 * 86400
    os.utime(arriving, (ahead, ahead))
    night = run_batch(config, now=NIGHT1, quiet=True)
    assert night.waiting == [] and night.accepted == [G02]

def test_a_file_still_being_copied_is_left_for_the_next_run(tree, monkeypatch):
    config, root, deliver = tree
    config.write_text(config.read_text(encoding="utf-8").replace("settle_seconds = 60", "settle_seconds = 600"),
                      encoding="utf-8")
    arriving = deliver(G02)
    os.utime(arriving)  # just written
    first = run_batch(config, now=NIGHT1, quiet=True)
    assert first.waiting == [G02] and first.exit_code == 0
    assert os.listdir(root / "inbox") == [G02] and files(root / "quarantine") == []

    # complete by the next run, but a copy still appends to it while it is being checked
    os.utime(arriving, (OLD, OLD))
    real = batch_module.check_files

    def appending(paths, *args, **kwargs):
        with open(arriving, "ab") as handle:
            handle.write(b"\0")
        return real(paths, *args, **kwargs)

    monkeypatch.setattr(batch_module, "check_files", appending)
    second = run_batch(config, now=NIGHT2, quiet=True)
    assert second.waiting == [G02] and os.listdir(root / "inbox") == [G02]


def test_long_and_hostile_names_keep_a_usable_name_and_cannot_forge_log_lines(tree):
    config, root, deliver = tree
    long_name = "Отчёт_" + "очень_длинное_имя_" * 7 + ".xlsx"
    assert NAME_MAX - 20 < len(long_name.encode()) <= NAME_MAX
    deliver(long_name, data=b"PK\x03\x04 broken")
    forged = "Отчёт\n2022-06-28 02:30:00 INFO    Принят «поддельный.xlsx»\rПричина: принят.xlsx"
    deliver(forged, data=b"PK\x03\x04 broken too")
    summary = run_batch(config, now=NIGHT1, quiet=True)
    assert summary.exit_code == 1 and len(summary.rejected) == 2
    stored = [p for p in (root / "quarantine" / "2022-06-28").iterdir() if not p.name.endswith(REASON_SUFFIX)]
    assert len(stored) == 2
    for path in stored:
        assert path.with_name(path.name + REASON_SUFFIX).is_file()
        assert len((path.name + REASON_SUFFIX).encode()) <= NAME_MAX and path.suffix == ".xlsx"
        assert "\n" not in path.name and "\r" not in path.name
    reasons = [p.read_text(encoding="utf-8") for p in (root / "quarantine" / "2022-06-28").glob(f"*{REASON_SUFFIX}")]
    assert any(long_name in r for r in reasons)
    for text in reasons:
        assert [line.split(":")[0] for line in text.splitlines()] == ["Файл", "Дата", "Причина"]
    log = (root / "out" / "logs" / "roadmap-office.log").read_text(encoding="utf-8").splitlines()
    assert all(line.startswith("2022-") or line.startswith("20") and line[4] == "-" for line in log)
    assert not any("Принят «поддельный.xlsx»" in line and "Не принят" not in line for line in log)
    for line in (root / "out" / "logs" / "roadmap-office.jsonl").read_text(encoding="utf-8").splitlines():
        json.loads(line)


def test_an_inbox_on_another_file_system(tree, monkeypatch):
    config, root, deliver = tree
    deliver(G02)
    deliver("сломан.xlsx", data=b"PK\x03\x04 broken")
    inbox = str(root / "inbox")
    real = os.rename

    def cross_device(source, target, *args, **kwargs):
        if str(source).startswith(inbox):
            raise OSError(errno.EXDEV, "Invalid cross-device link")
        return real(source, target, *args, **kwargs)

    monkeypatch.setattr(batch_module.os, "rename", cross_device)
    original = (root / "inbox" / G02).read_bytes()
    os.utime(root / "inbox" / G02, (1230800000, 1230800000))  # the school's copy kept its 2009 time
    summary = run_batch(config, now=NIGHT1, quiet=True)
    assert summary.accepted == [G02] and summary.rejected == ["сломан.xlsx"]
    assert os.listdir(root / "inbox") == []
    assert (root / "archive" / "2022-06-28" / "G02" / G02).read_bytes() == original
    # its arrival on this server is kept as the archived file's time: what picks the current file
    assert (root / "archive" / "2022-06-28" / "G02" / G02).stat().st_mtime > 1600000000
    assert files(root / "quarantine") == ["2022-06-28/сломан.xlsx", f"2022-06-28/сломан.xlsx{REASON_SUFFIX}"]
    assert not [p for p in root.rglob(".~*")]


# ---- outputs that cannot be written --------------------------------------------------------


@pytest.mark.parametrize("code,words", [(errno.ENOSPC, "на диске нет места"),
                                        (errno.EROFS, "только для чтения")])
def test_full_disk_or_read_only_output_is_exit_5_and_keeps_the_previous_report(tree, monkeypatch, code, words):
    config, root, deliver = tree
    deliver(G02)
    run_batch(config, now=NIGHT1, quiet=True)
    previous = snapshot(root / "out" / "latest")
    deliver(L03)

    def failing(source, target, *args, **kwargs):
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr("roadmap_office.pipeline.shutil.copyfile", failing)
    result = cli(config)
    assert result.exit_code == Exit.OUTPUT == 5
    assert words in result.output and "прежние результаты сохранены" in result.output
    assert snapshot(root / "out" / "latest") == previous
    assert f"2022-06-28/G02/{G02}" in files(root / "archive") and any(L03 in f for f in files(root / "archive"))
    assert not [p for p in (root / "out").rglob("*") if p.name.startswith((".staging-", ".~"))]
    monkeypatch.undo()
    again = run_batch(config, now=NIGHT2, quiet=True)
    assert again.exit_code == 0
    assert json.loads((root / "out" / "latest" / "run.json").read_text(encoding="utf-8"))["schools_submitted"] == 2


@pytest.fixture()
def small_disk(tmp_path):
    """A real file system of 8 MB (tmpfs), so that a full disk and a read-only folder are what
    the operating system says, even to root, who ignores file permissions. Mounting needs the
    right to mount (root with CAP_SYS_ADMIN); elsewhere these tests are skipped."""
    import subprocess

    made = []

    def mount(folder: Path, *options: str) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", ",".join(("size=8m", *options)), "tmpfs", str(folder)],
                              capture_output=True)
        if done.returncode:
            pytest.skip(f"a file system cannot be mounted here: {done.stderr.decode(errors='replace').strip()}")
        made.append(folder)
        return folder

    yield mount
    for folder in reversed(made):
        subprocess.run(["umount", "-l", str(folder)], check=False)


def _fill(root: Path, leave_kb: int) -> Path:
    """Fill the disk under ``root`` but ``leave_kb`` kilobytes."""
    free = shutil.disk_usage(root).free - leave_kb * 1024
    filler = root / "filler"
    with open(filler, "wb") as handle:
        while free > 0:
            free -= handle.write(bytes(min(free, 1 << 20)))
    return filler


TEMPORARY = (".~*", ".staging-*", "*.part", "*-journal", "*.tmp")


@pytest.mark.parametrize("leave_kb", [0, 16, 150, 300, 450])
def test_a_really_full_disk_is_exit_5_in_russian_and_leaves_no_temporary_files(demo_run, tmp_path, small_disk,
                                                                                 leave_kb):
    """The whole tree on one small disk, filled so that the run stops at a different step each
    time (the lock, the cache, the archive, the history, the outputs, publishing)."""
    root = small_disk(tmp_path / "disk")
    config = init_tree(root / "srv", demo_run.master)
    text = config.read_text(encoding="utf-8").replace('formats = ["xlsx", "ods", "odt", "pdf"]',
                                                      'formats = ["xlsx", "ods", "odt"]')
    config.write_text(text.replace('as_of = "period"', 'as_of = "2022-06-30"'), encoding="utf-8")
    srv = config.parent
    for name in (G02, L03):
        shutil.copy(demo_run.outdir / "submissions" / name, srv / "inbox" / name)
        os.utime(srv / "inbox" / name, (OLD, OLD))
    filler = _fill(root, leave_kb)
    result = cli(config)
    assert result.exit_code == Exit.OUTPUT == 5, result.output
    assert "на диске нет места" in result.output and "прежние результаты сохранены" in result.output
    assert "Traceback" not in result.output and "внутренняя ошибка" not in result.output
    assert not [p for pattern in TEMPORARY for p in srv.rglob(pattern)]
    kept = [p.name for p in srv.rglob("*") if p.is_file() and p.parent.name != "logs"]
    assert G02 in kept and L03 in kept  # in the inbox or the archive: no school's file is lost
    filler.unlink()
    again = cli(config)  # room again: the next night makes the report
    assert again.exit_code == 0, again.output
    assert {p.name for p in (srv / "out" / "latest").iterdir()} >= {"Свод_по_дорожной_карте.xlsx", "run.json"}


def test_a_read_only_output_folder_is_exit_5_in_russian(tree, small_disk):
    """The output folder on a file system mounted read-only: root cannot write there either."""
    config, root, deliver = tree
    deliver(G02)
    shutil.rmtree(root / "out")
    small_disk(root / "out", "ro")
    result = cli(config)
    assert result.exit_code == Exit.OUTPUT == 5, result.output
    assert "только для чтения" in result.output and "Traceback" not in result.output
    assert any(G02 in f for f in files(root / "archive") + files(root / "inbox"))


def test_a_crash_is_exit_70_never_refused_files(tree, monkeypatch):
    config, root, deliver = tree
    deliver(G02)

    def broken(*args, **kwargs):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(batch_module, "consolidate", broken)
    result = cli(config)
    assert result.exit_code == Exit.INTERNAL == 70
    assert "внутренняя ошибка программы" in result.output
    events = [json.loads(line) for line in (root / "out" / "logs" / "roadmap-office.jsonl").read_text(
        encoding="utf-8").splitlines()]
    assert events[-1]["event"] == "crashed" and events[-1]["exit_code"] == 70


# ---- configuration -------------------------------------------------------------------------


@pytest.mark.parametrize("change,key", [
    (("pdf_timeout = 180", 'pdf_timeout = "abc"'), "pdf_timeout"),
    (("pdf_timeout = 180", "pdf_timeout = 0"), "pdf_timeout"),
    (("keep_days = 90", "keep_days = true"), "keep_days"),
    (("keep_days = 90", "keep_days = 1.5"), "keep_days"),
    (("settle_seconds = 60", "settle_seconds = -1"), "settle_seconds"),
    (('formats = ["xlsx"]', "formats = 5"), "formats"),
    (('formats = ["xlsx"]', 'formats = ["xlsx", "doc"]'), "formats"),
    (('inbox = "inbox"', "inbox = 3"), "inbox"),
    (('quarantine = "quarantine"', 'quarantine = "inbox"'), "quarantine"),
    (('as_of = "2022-06-30"', 'as_of = "вчера"'), "as_of"),
    (('history = "history.sqlite"', "history = []"), "history"),
    (("keep_days = 90", "keep_days = 90\nkeepdays = 5"), "keepdays"),
])
def test_every_wrong_value_is_exit_2_naming_the_key(tree, change, key):
    config, root, deliver = tree
    text = config.read_text(encoding="utf-8")
    assert change[0] in text
    config.write_text(text.replace(change[0], change[1]), encoding="utf-8")
    deliver(G02)
    result = cli(config)
    assert result.exit_code == Exit.USAGE == 2
    assert f"«{key}»" in result.output and "Traceback" not in result.output
    assert os.listdir(root / "inbox") == [G02]  # nothing was touched


def test_a_bom_or_broken_toml_is_exit_2_in_russian(tree):
    config, _, _ = tree
    text = config.read_text(encoding="utf-8")
    config.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    result = cli(config)
    assert result.exit_code == 2 and "BOM" in result.output
    config.write_text(text + "\nkeep_days = 5\n", encoding="utf-8")
    result = cli(config)
    assert result.exit_code == 2 and "в строке" in result.output and "Cannot" not in result.output


# ---- poison files --------------------------------------------------------------------------


def _zip(members: dict[str, bytes | str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _poison() -> dict[str, bytes]:
    from openpyxl import Workbook

    huge = Workbook()
    huge.active["XFD1048576"] = 1
    buffer = io.BytesIO()
    huge.save(buffer)
    laughs = ('<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "ха-ха"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">'
              '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">]><office:document-content '
              'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0">&c;</office:document-content>')
    manifest = ('<?xml version="1.0"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:'
                'manifest:1.0"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/'
                'vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" '
                'manifest:media-type="text/xml">{}</manifest:file-entry></manifest:manifest>')
    encryption = ('<manifest:encryption-data manifest:checksum-type="SHA1/1K" manifest:checksum="AAAA">'
                  '<manifest:algorithm manifest:algorithm-name="Blowfish CFB" manifest:initialisation-vector="AAAA"/>'
                  '<manifest:key-derivation manifest:key-derivation-name="PBKDF2" manifest:iteration-count="1024" '
                  'manifest:salt="AAAA"/></manifest:encryption-data>')
    mimetype = "application/vnd.oasis.opendocument.spreadsheet"
    return {
        "Отчёт_S09_битый.xlsx": b"PK\x03\x04" + os.urandom(64) + b"\x00" * 200,
        "Отчёт_S11_сущности.ods": _zip({"mimetype": mimetype, "META-INF/manifest.xml": manifest.format(""),
                                        "content.xml": laughs}),
        "Отчёт_S12_огромный.xlsx": buffer.getvalue(),
        "Отчёт_S13_с_паролем.ods": _zip({"mimetype": mimetype, "META-INF/manifest.xml": manifest.format(encryption),
                                         "content.xml": os.urandom(512)}),
        "Отчёт_S14_с_паролем.xlsx": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
                                    + "EncryptionInfo".encode("utf-16-le") + b"\x00" * 1024,
    }


def test_the_batch_survives_two_nights_with_every_poison_file(tree):
    config, root, deliver = tree
    poison = _poison()
    deliver(G02)
    for name, data in poison.items():
        deliver(name, data=data)
    night1 = run_batch(config, now=NIGHT1, quiet=True)
    assert night1.exit_code == 1 and night1.accepted == [G02]
    assert sorted(night1.rejected) == sorted(poison)
    quarantined = files(root / "quarantine")
    for name in poison:
        assert f"2022-06-28/{name}" in quarantined and f"2022-06-28/{name}{REASON_SUFFIX}" in quarantined
    run = json.loads((root / "out" / "latest" / "run.json").read_text(encoding="utf-8"))
    assert run["schools_submitted"] == 1 and len(run["files_rejected"]) == len(poison)
    figures = {k: run[k] for k in ("records", "completion_pct", "overdue")}

    deliver(L03)
    night2 = run_batch(config, now=NIGHT2, quiet=True)
    assert night2.exit_code == 0 and night2.accepted == [L03] and night2.rejected == []
    assert files(root / "quarantine") == quarantined  # nothing tripped on the poison again
    run = json.loads((root / "out" / "latest" / "run.json").read_text(encoding="utf-8"))
    assert run["schools_submitted"] == 2 and run["files_rejected"] == []
    assert figures["records"] < run["records"]


# ---- reporting periods ---------------------------------------------------------------------


def test_a_file_of_another_period_is_archived_for_its_period_and_never_replaces_this_one(tree, demo_run, tmp_path):
    from roadmap_office.forms import generate_templates

    config, root, deliver = tree
    deliver(G02)
    run_batch(config, now=NIGHT1, quiet=True)
    first = json.loads((root / "out" / "latest" / "run.json").read_text(encoding="utf-8"))
    (second,) = generate_templates(demo_run.master, tmp_path / "II", ("ods",), ["G02"], "II полугодие 2022 г.",
                                   blank=False)
    deliver("Отчёт_G02_II_полугодие.ods", data=second.read_bytes())
    night = run_batch(config, now=NIGHT2, quiet=True)
    assert night.other_period == ["Отчёт_G02_II_полугодие.ods"] and night.rejected == [] and night.replaced == []
    assert files(root / "archive") == [f"2022-06-28/G02/{G02}", "2022-06-29/G02/Отчёт_G02_II_полугодие.ods"]
    run = json.loads((root / "out" / "latest" / "run.json").read_text(encoding="utf-8"))
    assert run["schools_submitted"] == 1 and run["records"] == first["records"]
    assert run["completion_pct"] == first["completion_pct"]
    # retention keeps the current file of every period
    config.write_text(config.read_text(encoding="utf-8").replace("keep_days = 90", "keep_days = 1"), encoding="utf-8")
    run_batch(config, now=datetime(2022, 8, 1, 2, 30), quiet=True)
    assert len(files(root / "archive")) == 2


# ---- LibreOffice never outlives a run ------------------------------------------------------


@pytest.mark.parametrize("stop", ["SIGKILL", "SIGTERM"])
def test_a_killed_run_leaves_no_libreoffice_and_no_profile(tree, tmp_path, stop):
    import signal
    import subprocess
    import sys
    import time

    config, root, deliver = tree
    marker = f"roadmap-office-stuck-converter-{stop}"
    fake = tmp_path / "soffice"
    fake.write_text(f"#!/bin/sh\nexec sleep 300 # {marker}\n", encoding="utf-8")
    fake.chmod(0o755)
    text = config.read_text(encoding="utf-8").replace('formats = ["xlsx"]', 'formats = ["xlsx", "pdf"]')
    config.write_text(text.replace("pdf_timeout = 180", "pdf_timeout = 600"), encoding="utf-8")
    deliver(G02)
    env = dict(os.environ, ROADMAP_OFFICE_SOFFICE=str(fake))
    run = subprocess.Popen([sys.executable, "-m", "roadmap_office", "batch", "run", "--config", str(config),
                            "--quiet"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not list((root / "out").glob(".staging-*/roadmap-office-pdf-*/soffice.pid")):
        assert time.monotonic() < deadline and run.poll() is None
        time.sleep(0.1)
    time.sleep(0.3)
    run.send_signal(getattr(signal, stop))
    run.wait(timeout=30)

    def converters() -> str:
        return subprocess.run(["pgrep", "-f", marker], capture_output=True, text=True).stdout.strip()

    deadline = time.monotonic() + 10
    while converters() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert converters() == ""
    if stop == "SIGTERM":  # unwound: nothing left at all
        assert not list((root / "out").glob(".staging-*"))
    config.write_text(text, encoding="utf-8")
    config.write_text(config.read_text(encoding="utf-8").replace('formats = ["xlsx", "pdf"]', 'formats = ["xlsx"]'),
                      encoding="utf-8")
    assert run_batch(config, now=NIGHT1, quiet=True).exit_code == 0
    assert not list((root / "out").glob(".staging-*")) and not list(root.rglob("roadmap-office-pdf-*"))


def test_every_exit_code_is_distinct_documented_and_in_the_help():
    from roadmap_office.errors import EXIT_MEANINGS

    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    service = (Path(__file__).parents[2] / "batch" / "roadmap-office.service").read_text(encoding="utf-8")
    assert len({int(code) for code in Exit}) == len(Exit) == len(EXIT_MEANINGS)
    for code in Exit:
        assert f"| `{int(code)}` |" in readme
    assert "SuccessExitStatus" not in service  # only 0 is success
    help_text = CliRunner().invoke(main, ["batch", "--help"]).output
    assert all(f"{int(code)} — " in help_text.replace("\n", " ") for code in Exit)


def test_a_full_disk_under_the_history_store_is_exit_5(tree, monkeypatch):
    import sqlite3

    config, root, deliver = tree
    deliver(G02)
    run_batch(config, now=NIGHT1, quiet=True)
    previous = snapshot(root / "out" / "latest")
    deliver(L03)

    def full(*args, **kwargs):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(batch_module, "record_history", full)
    result = cli(config)
    assert result.exit_code == 5 and "историю сводов" in result.output and "нет места" in result.output
    assert snapshot(root / "out" / "latest") == previous
