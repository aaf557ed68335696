"""The nightly headless merge: inbox → check → archive or quarantine → consolidate → out/.

Safety rules, in order of importance:
- a file leaves the inbox only by an atomic rename into the archive or the quarantine, so a
  run killed at any moment loses nothing (the next run simply finds it where it is);
- which file is current for a school is derived from the archive every run, never from a
  state file that a crash could leave half-written;
- every output file is written beside its target and renamed over it, so the previous report
  stays readable until the new one is complete;
- one run at a time (an OS lock on a lock file, released by the OS when a run dies).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import sys
import time
import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from . import __version__
from ._files import replacing
from .cache import ResultCache
from .checking import CheckedSubmission
from .errors import Exit, RoadmapError
from .master import read_master, roadmap_fingerprint
from .history import HISTORY_NAME, record_history
from .merging import consolidate
from .pipeline import (OUTPUT_FORMATS, STAGING_PREFIX, Selection, check_files, default_as_of,
                       files_to_consolidate, is_submission_name, pick_current, publish, render_outputs)

EXIT_OK, EXIT_REJECTED, EXIT_CONFIG, EXIT_LOCKED, EXIT_CONVERSION = Exit.OK, Exit.FILES, Exit.USAGE, Exit.LOCKED, Exit.PDF
CONFIG_NAME = "roadmap-office.toml"
CONFIG_KEYS = ("master", "inbox", "archive", "quarantine", "output", "history", "formats", "as_of", "keep_days")
LOCK_NAME = ".roadmap-office.lock"
CACHE_DIR = ".cache"
REASON_SUFFIX = ".причина.txt"

log = logging.getLogger("roadmap_office.batch")


class ConfigError(RoadmapError):
    exit_code = EXIT_CONFIG


class LockHeld(RoadmapError):
    exit_code = EXIT_LOCKED


@dataclass
class BatchConfig:
    path: Path
    master: Path
    inbox: Path
    archive: Path
    quarantine: Path
    output: Path
    formats: tuple[str, ...] = ("xlsx", "ods", "odt", "pdf")
    as_of: str = "period"
    keep_days: int = 90
    pdf_timeout: float = 180.0
    history: Path | None = None  # the history store of every night's consolidation (one set per period)

    @property
    def root(self) -> Path:
        return self.path.parent

    def as_of_date(self, today: date, roadmap=None) -> date:
        if self.as_of == "period":
            return default_as_of(roadmap, today)
        return today if self.as_of == "today" else date.fromisoformat(self.as_of)


CONFIG_TEMPLATE = """\
# Конфигурация ночного свода roadmap-office.
# Относительные пути отсчитываются от папки, в которой лежит этот файл.

# Мастер-книга дорожной карты (ODS или XLSX). Замените файл, когда дорожная карта изменится.
master = "{master}"

# Сюда почта или специалист кладут отчёты школ (ODS и XLSX).
inbox = "inbox"

# Принятые отчёты: archive/ГГГГ-ММ-ДД/<код школы>/<файл>. Последний файл школы — текущий.
archive = "archive"

# Непринятые файлы с пояснением рядом: <файл>{reason}
quarantine = "quarantine"

# Результаты: out/ГГГГ-ММ-ДД/ и out/latest/ (сводная книга, отчёт), журналы в out/logs/.
output = "out"

# История сводов по отчётным периодам (SQLite): из неё строятся лист и раздел «Динамика».
history = "history.sqlite"

# Форматы результата: xlsx, ods, odt, pdf (PDF делает LibreOffice без интерфейса).
formats = ["xlsx", "ods", "odt", "pdf"]

# Дата, на которую считаются просрочки: "period" — окончание отчётного периода, если он завершён,
# иначе сегодня; "today" — сегодня; или дата в виде "2022-06-30".
as_of = "period"

# Сколько дней хранить архив (кроме текущих файлов школ), карантин и датированные результаты.
keep_days = 90
"""


def init_tree(directory: str | os.PathLike, master: str | os.PathLike) -> Path:
    """Create a ready batch tree with a commented config; returns the config path."""
    root = Path(directory)
    master = Path(master)
    if not master.is_file():
        raise ConfigError(f"мастер-книга не найдена: {master}")
    read_master(master)  # refuse to set up a tree around a file that is not a master
    root.mkdir(parents=True, exist_ok=True)
    for name in ("inbox", "archive", "quarantine", "out"):
        (root / name).mkdir(exist_ok=True)
    target = root / f"master{master.suffix.lower()}"
    if master.resolve() != target.resolve():
        shutil.copy2(master, target)
    config = root / CONFIG_NAME
    if config.exists():
        raise ConfigError(f"файл конфигурации уже существует: {config}")
    config.write_text(CONFIG_TEMPLATE.format(master=target.name, reason=REASON_SUFFIX), encoding="utf-8")
    return config


def load_config(path: str | os.PathLike) -> BatchConfig:
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"файл конфигурации не найден: {path}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"ошибка в файле конфигурации {path.name}: {exc}") from None
    unknown = sorted(set(data) - set(CONFIG_KEYS) - {"pdf_timeout"})
    if unknown:
        raise ConfigError(f"неизвестный параметр «{unknown[0]}» в {path.name}; допустимые: {', '.join(CONFIG_KEYS)}")
    missing = [key for key in ("master",) if key not in data]
    if missing:
        raise ConfigError(f"в {path.name} не указан параметр «{missing[0]}»")
    base = path.parent

    def folder(key: str, default: str) -> Path:
        value = data.get(key, default)
        if not isinstance(value, str) or not value:
            raise ConfigError(f"параметр «{key}» должен быть путём к папке")
        return (base / value).resolve()

    formats = data.get("formats", ["xlsx", "ods", "odt", "pdf"])
    if isinstance(formats, str):
        formats = [f.strip() for f in formats.split(",")]
    wrong = [f for f in formats if f not in OUTPUT_FORMATS]
    if wrong or not formats:
        raise ConfigError(f"неизвестный формат «{wrong[0] if wrong else ''}»; допустимо: {', '.join(OUTPUT_FORMATS)}")
    as_of = str(data.get("as_of", "period"))
    if as_of not in ("today", "period"):
        try:
            date.fromisoformat(as_of)
        except ValueError:
            raise ConfigError(f"параметр «as_of»: ожидается \"period\", \"today\" или дата ГГГГ-ММ-ДД, указано «{as_of}»") from None
    keep_days = data.get("keep_days", 90)
    if not isinstance(keep_days, int) or keep_days < 1:
        raise ConfigError("параметр «keep_days» должен быть целым числом не меньше 1")
    history = data.get("history", HISTORY_NAME)
    if not isinstance(history, str) or not history:
        raise ConfigError("параметр «history» должен быть путём к файлу истории сводов")
    master = (base / str(data["master"])).resolve()
    if not master.is_file():
        raise ConfigError(f"мастер-книга не найдена: {master}")
    config = BatchConfig(path, master, folder("inbox", "inbox"), folder("archive", "archive"),
                         folder("quarantine", "quarantine"), folder("output", "out"), tuple(formats), as_of,
                         keep_days, float(data.get("pdf_timeout", 180)), (base / history).resolve())
    for directory in (config.inbox, config.archive, config.quarantine, config.output):
        directory.mkdir(parents=True, exist_ok=True)
    return config


# ---- locking ------------------------------------------------------------------------------


class RunLock:
    """An exclusive OS lock on a file; the OS releases it when the process dies (even SIGKILL)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.handle = None

    def __enter__(self) -> RunLock:
        self.handle = open(self.path, "a+", encoding="utf-8")
        try:
            _lock(self.handle)
        except OSError:
            self.handle.seek(0)
            holder = self.handle.read().strip()
            self.handle.close()
            raise LockHeld(f"уже выполняется другой запуск свода ({holder or 'процесс неизвестен'}); "
                           "этот запуск завершён без изменений") from None
        self.handle.seek(0)
        self.handle.truncate()
        self.handle.write(f"PID {os.getpid()}, начат {datetime.now():%d.%m.%Y %H:%M:%S}")
        self.handle.flush()
        return self

    def __exit__(self, *exc) -> None:
        if self.handle:
            self.handle.seek(0)
            self.handle.truncate()
            self.handle.close()


def _lock(handle) -> None:
    try:
        import fcntl

        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except ImportError:  # pragma: no cover - Windows
        import msvcrt

        msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)


# ---- logging ------------------------------------------------------------------------------


class _JsonLines(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {"time": datetime.fromtimestamp(record.created).isoformat(timespec="seconds"),
                 "level": record.levelname.lower(), "message": record.getMessage()}
        entry.update(getattr(record, "data", {}))
        return json.dumps(entry, ensure_ascii=False)


def _setup_logging(config: BatchConfig, quiet: bool) -> list[logging.Handler]:
    logs = config.output / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    text = logging.FileHandler(logs / "roadmap-office.log", encoding="utf-8")
    text.setFormatter(logging.Formatter("%(asctime)s %(levelname)-7s %(message)s", "%Y-%m-%d %H:%M:%S"))
    lines = logging.FileHandler(logs / "roadmap-office.jsonl", encoding="utf-8")
    lines.setFormatter(_JsonLines())
    handlers: list[logging.Handler] = [text, lines]
    if not quiet:
        console = logging.StreamHandler(sys.stderr)
        console.setFormatter(logging.Formatter("%(message)s"))
        handlers.append(console)
    for handler in handlers:
        log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False
    return handlers


def _event(level: int, message: str, **data) -> None:
    log.log(level, message, extra={"data": {"event": data.pop("event", "info"), **data}})


# ---- the run ------------------------------------------------------------------------------


@dataclass
class RunSummary:
    accepted: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    schools_missing: list[str] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)
    unchanged: bool = False
    conversion_error: str = ""

    @property
    def exit_code(self) -> int:
        if self.conversion_error:
            return EXIT_CONVERSION
        return EXIT_REJECTED if self.rejected else EXIT_OK

    def to_json(self) -> dict:
        return {"accepted": self.accepted, "rejected": self.rejected, "replaced": self.replaced,
                "schools_missing": self.schools_missing, "outputs": self.outputs, "unchanged": self.unchanged,
                "conversion_error": self.conversion_error or None, "exit_code": self.exit_code}


def run_batch(config_path: str | os.PathLike, now: datetime | None = None, quiet: bool = False) -> RunSummary:
    """One night's run. Raises ConfigError (exit 2) or LockHeld (exit 3)."""
    config = load_config(config_path)
    with RunLock(config.root / LOCK_NAME):
        handlers = _setup_logging(config, quiet)
        try:
            return _Night(config, now or datetime.now()).run()
        finally:
            for handler in handlers:
                log.removeHandler(handler)
                handler.close()


def _pause(stage: str) -> None:
    """Test hook: ROADMAP_OFFICE_BATCH_PAUSE=<stage>:<seconds> holds the run at a stage."""
    wanted = os.environ.get("ROADMAP_OFFICE_BATCH_PAUSE", "")
    if wanted.split(":")[0] == stage:
        time.sleep(float(wanted.split(":")[1]) if ":" in wanted else 60)


class _Night:
    def __init__(self, config: BatchConfig, now: datetime) -> None:
        self.config = config
        self.now = now
        self.today = now.date()
        self.summary = RunSummary()
        self.roadmap = read_master(config.master)
        self.roadmap_fingerprint = roadmap_fingerprint(self.roadmap)  # what templates are tied to
        # cached checks and the run signature also depend on the schools: the master's bytes
        self.checksum = hashlib.sha256(config.master.read_bytes()).hexdigest()
        self.cache = ResultCache(config.root / CACHE_DIR, self.checksum)

    def run(self) -> RunSummary:
        _event(logging.INFO, f"Начат ночной свод: мастер-книга {self.config.master.name}", event="start")
        self.remove_leftovers()
        self.take_inbox()
        _pause("after_inbox")
        rejected_tonight = self.quarantined_today()
        selection = self.current_files()
        current = selection.for_period(None)
        fingerprint = self.fingerprint(current, rejected_tonight)
        state = self.config.output / "latest" / ".fingerprint"
        if state.exists() and state.read_text(encoding="utf-8") == fingerprint:
            self.summary.unchanged = True
            _event(logging.INFO, "Новых файлов нет, результаты не изменились", event="unchanged")
        else:
            self.render(current, rejected_tonight, fingerprint)
        self.cleanup(current)
        self.cache.prune()
        self.cache.save()
        codes = {s.school for s in files_to_consolidate(self.roadmap, current).current.values()}
        self.summary.schools_missing = [s.code for s in self.roadmap.schools if s.code not in codes]
        _event(logging.INFO if not self.summary.rejected else logging.WARNING,
               f"Итог: принято {len(self.summary.accepted)}, не принято {len(self.summary.rejected)}, "
               f"не представили отчёт: {', '.join(self.summary.schools_missing) or 'нет'}",
               event="summary", **self.summary.to_json())
        return self.summary

    def remove_leftovers(self) -> None:
        """Temporary files of a run that was killed: never visible results, safe to delete."""
        for leftover in self.config.output.glob(f"{STAGING_PREFIX}*"):
            shutil.rmtree(leftover, ignore_errors=True)
        for folder in [self.config.output, *self.config.output.iterdir()]:
            if folder.is_dir():
                for tmp in folder.glob(".~*"):
                    tmp.unlink(missing_ok=True)

    # -- inbox --------------------------------------------------------------------------
    def quarantined_today(self) -> list[CheckedSubmission]:
        """Files refused today (this run or an earlier one today): the report names them."""
        folder = self.config.quarantine / self.today.isoformat()
        refused = []
        for reason in sorted(folder.glob(f"*{REASON_SUFFIX}")) if folder.is_dir() else []:
            path = reason.with_name(reason.name[: -len(REASON_SUFFIX)])
            text = reason.read_text(encoding="utf-8")
            why = next((line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith("Причина:")),
                       text.strip())
            refused.append(CheckedSubmission(path, rejected=why))
        return refused

    def take_inbox(self) -> None:
        paths = [p for p in sorted(self.config.inbox.iterdir())
                 if p.is_file() and not p.name.startswith((".", "~$", ".~lock"))]
        for path, result in zip(paths, check_files(paths, self.roadmap, self.roadmap_fingerprint, cache=self.cache)):
            if result.rejected:
                target = self.move(path, self.config.quarantine / self.today.isoformat())
                reason = target.with_name(target.name + REASON_SUFFIX)
                _write_atomic(reason, f"Файл: {path.name}\nДата: {self.now:%d.%m.%Y %H:%M}\n"
                                      f"Причина: {result.rejected}\n")
                self.summary.rejected.append(path.name)
                _event(logging.WARNING, f"Не принят «{path.name}»: {result.rejected}", event="rejected",
                       file=path.name, reason=result.rejected, **({"detail": result.detail} if result.detail else {}))
            else:
                target = self.move(path, self.config.archive / self.today.isoformat() / result.school)
                self.summary.accepted.append(path.name)
                _event(logging.INFO, f"Принят «{path.name}» ({result.school}), замечаний: {len(result.findings)}",
                       event="accepted", file=path.name, school=result.school, problems=len(result.findings))
        self.cache.save()

    def move(self, path: Path, folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / path.name
        n = 1
        while target.exists():
            target = folder / f"{path.stem}_{n}{path.suffix}"
            n += 1
        os.rename(path, target)  # atomic within one file system: the file is in one place only
        self.cache.moved(path, target)
        return target

    # -- archive ------------------------------------------------------------------------
    def current_files(self) -> Selection:
        """Each school's current accepted file per period, from the archive (cached results:
        only files never checked before are read)."""
        paths = [p for p in sorted(self.config.archive.rglob("*")) if p.is_file() and is_submission_name(p.name)]
        selection = pick_current(check_files(paths, self.roadmap, self.roadmap_fingerprint, cache=self.cache))
        tonight = set(self.summary.accepted)
        for (school, period), newest in sorted(selection.current.items()):
            if newest.name in tonight and selection.superseded.get((school, period)):
                self.summary.replaced.append(school)
                _event(logging.INFO, f"{school}: новый файл «{newest.name}» заменил ранее принятый",
                       event="replaced", school=school, file=newest.name, period=period)
        return selection

    def fingerprint(self, current: list[CheckedSubmission], rejected: list[CheckedSubmission]) -> str:
        parts = [__version__, self.checksum, self.config.as_of_date(self.today, self.roadmap).isoformat(),
                 ",".join(self.config.formats)]
        parts += [f"{r.school}:{r.sha256}" for r in current]
        parts += [f"rejected:{r.name}" for r in rejected]
        return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()

    # -- outputs ------------------------------------------------------------------------
    def render(self, current: list[CheckedSubmission], rejected: list[CheckedSubmission], fingerprint: str) -> None:
        consolidation = consolidate(self.roadmap, current + rejected, self.config.as_of_date(self.today, self.roadmap))
        consolidation.history = record_history(consolidation, self.config.history if self.roadmap.period else None)
        staging = self.config.output / f"{STAGING_PREFIX}{os.getpid()}"
        shutil.rmtree(staging, ignore_errors=True)
        try:
            rendered = render_outputs(consolidation, staging, self.config.formats, self.config.pdf_timeout)
            for error in rendered.errors:
                self.summary.conversion_error = error
                _event(logging.ERROR, f"PDF не создан: {error}", event="conversion_failed", reason=error)
            made = [p.name for p in rendered.outputs]
            _pause("before_publish")
            _write_atomic(staging / "run.json", json.dumps(
                {"finished": datetime.now().isoformat(timespec="seconds"), "as_of": consolidation.as_of.isoformat(),
                 **consolidation.summary_json(made)}, ensure_ascii=False, indent=2))
            _write_atomic(staging / ".fingerprint", fingerprint)
            names = [*made, "run.json", ".fingerprint"]  # the fingerprint last: it marks a complete set
            for target in (self.config.output / self.today.isoformat(), self.config.output / "latest"):
                publish(staging, target, names)
            self.summary.outputs = [str(self.config.output / "latest" / name) for name in made]
            _event(logging.INFO, f"Записаны результаты: {', '.join(made)}", event="outputs", files=made)
        finally:
            shutil.rmtree(staging, ignore_errors=True)

    # -- retention ----------------------------------------------------------------------
    def cleanup(self, current: list[CheckedSubmission]) -> None:
        """Dated folders older than ``keep_days`` go, except each school's current file of
        every period."""
        limit = self.today - timedelta(days=self.config.keep_days)
        keep = {r.path.resolve() for r in current}
        for base in (self.config.archive, self.config.quarantine, self.config.output):
            for folder in base.iterdir():
                try:
                    day = date.fromisoformat(folder.name)
                except ValueError:
                    continue
                if day >= limit or not folder.is_dir():
                    continue
                if base == self.config.archive and any(p.resolve() in keep for p in folder.rglob("*")):
                    for path in folder.rglob("*"):
                        if path.is_file() and path.resolve() not in keep:
                            path.unlink()
                    continue
                shutil.rmtree(folder)
                _event(logging.INFO, f"Удалена устаревшая папка {folder.relative_to(self.config.root)}",
                       event="cleanup", folder=str(folder))


def _write_atomic(path: Path, data: str | bytes) -> None:
    with replacing(path) as tmp:
        if isinstance(data, str):
            tmp.write_text(data, encoding="utf-8")
        else:
            tmp.write_bytes(data)
