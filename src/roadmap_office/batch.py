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

import errno
import hashlib
import json
import logging
import os
import re
import shutil
import signal
import sqlite3
import sys
import tempfile
import time
import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from . import __version__
from ._files import replacing, sync_folder
from .cache import ResultCache
from .checking import CheckedSubmission, refused
from .errors import Exit, OutputError, RoadmapError
from .master import read_master, roadmap_fingerprint
from .history import HISTORY_NAME, record_history
from .inputs import IGNORED, REPORT, classify_entry, classify_name
from .mail.settings import MAILBOX_KEYS, MAIL_KEYS, MailboxSettings, MailSettings, parse_mail, parse_mailbox
from .merging import consolidate
from .pipeline import (OUTPUT_FORMATS, OUTPUTS, STAGING_PREFIX, Selection, check_files, default_as_of,
                       files_to_consolidate, is_submission_name, pick_current, publish, render_outputs, writing_to)
from .selection import other_period

EXIT_OK, EXIT_REJECTED, EXIT_CONFIG, EXIT_LOCKED, EXIT_CONVERSION = Exit.OK, Exit.FILES, Exit.USAGE, Exit.LOCKED, Exit.PDF
CONFIG_NAME = "roadmap-office.toml"
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
    settle_seconds: float = 60.0  # a file changed more recently may still be being copied in
    mail: MailSettings | None = None  # [mail]: letters to schools and the district
    mailbox: MailboxSettings | None = None  # [mailbox]: submissions fetched from an IMAP folder

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

# Сколько секунд ждать LibreOffice при создании PDF (от 1 до 3600).
pdf_timeout = 180

# Файл, изменявшийся менее стольких секунд назад, ещё копируется: его возьмёт следующий запуск.
settle_seconds = 60

# Письма школам и району (раскомментируйте, чтобы включить). Каждая школа получает письмо со своими
# замечаниями и показателями или напоминание, когда о ней появилось новое (новый файл, замечания,
# просрочка, истёк срок); одно и то же письмо дважды не отправляется. Если сервер недоступен,
# письма остаются в очереди mail/outbox/ и уходят при следующем запуске.
# [mail]
# smtp_host = "smtp.example.org"
# smtp_port = 587
# security = "starttls"            # "starttls", "ssl" или "none"
# user = "roadmap@example.org"
# password_file = "smtp-password.txt"  # файл с паролем (первая строка); сам пароль здесь не пишется
# sender = "roadmap@example.org"
# district_to = ["specialist@example.org"]  # кому отправлять итоги ночного свода с отчётом
# send_to_schools = true

# Приём отчётов из почтового ящика (раскомментируйте, чтобы включить): вложения ODS и XLSX новых писем
# попадают в inbox со временем получения письма; письмо отмечается прочитанным и переносится в папку
# roadmap-office-processed только после того, как его файлы сохранены. Ответ школе уходит и на адрес
# отправителя.
# [mailbox]
# imap_host = "imap.example.org"
# imap_port = 993
# security = "ssl"                 # "ssl", "starttls" или "none"
# user = "roadmap@example.org"
# password_file = "imap-password.txt"
# folder = "INBOX"
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


def _bad(config: Path, key: str, expected: str, value=None) -> ConfigError:
    shown = f", указано «{_printable(str(value))}»" if value is not None else ""
    return ConfigError(f"параметр «{key}» в {config.name}: {expected}{shown}")


def _text(key: str, value, config: Path) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _bad(config, key, "ожидается путь в кавычках", value)
    return value


def _number(key: str, value, config: Path, low: float, high: float, integer: bool) -> float:
    kind = "целое число" if integer else "число"
    if isinstance(value, bool) or not isinstance(value, int if integer else (int, float)) or not low <= value <= high:
        raise _bad(config, key, f"ожидается {kind} от {low:g} до {high:g}", value)
    return value


def _formats(key: str, value, config: Path) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [f.strip() for f in value.split(",")]
    if not isinstance(value, list) or not value or not all(isinstance(f, str) for f in value):
        raise _bad(config, key, f"ожидается список форматов из: {', '.join(OUTPUT_FORMATS)}", value)
    wrong = [f for f in value if f not in OUTPUT_FORMATS]
    if wrong:
        raise _bad(config, key, f"неизвестный формат «{_printable(wrong[0])}»; допустимо: {', '.join(OUTPUT_FORMATS)}")
    return tuple(dict.fromkeys(value))


def _as_of(key: str, value, config: Path) -> str:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, str):
        if value in ("today", "period"):
            return value
        try:
            return date.fromisoformat(value).isoformat()
        except ValueError:
            pass
    raise _bad(config, key, 'ожидается "period", "today" или дата ГГГГ-ММ-ДД', value)


# The one description of the configuration: key -> (default, validator). README documents each.
CONFIG_SCHEMA = {
    "master": (None, _text),
    "inbox": ("inbox", _text),
    "archive": ("archive", _text),
    "quarantine": ("quarantine", _text),
    "output": ("out", _text),
    "history": (HISTORY_NAME, _text),
    "formats": (["xlsx", "ods", "odt", "pdf"], _formats),
    "as_of": ("period", _as_of),
    "keep_days": (90, lambda k, v, c: _number(k, v, c, 1, 36500, True)),
    "pdf_timeout": (180, lambda k, v, c: float(_number(k, v, c, 1, 3600, False))),
    "settle_seconds": (60, lambda k, v, c: float(_number(k, v, c, 0, 86400, False))),
}
CONFIG_KEYS = tuple(CONFIG_SCHEMA)
# Tables of the configuration: name -> (its keys, its parser); README documents each key.
CONFIG_TABLES = {"mail": (MAIL_KEYS, parse_mail), "mailbox": (MAILBOX_KEYS, parse_mailbox)}


def load_config(path: str | os.PathLike) -> BatchConfig:
    """Read and check the configuration; every mistake is a ConfigError (exit 2) naming the key."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"файл конфигурации не найден: {path}") from None
    except OSError as exc:
        raise ConfigError(f"файл конфигурации {path} не читается: {exc.strerror or exc}") from None
    if raw.startswith(b"\xef\xbb\xbf"):
        raise ConfigError(f"файл конфигурации {path.name} начинается с метки порядка байтов (BOM); "
                          "сохраните его в кодировке UTF-8 без BOM")
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"файл конфигурации {path.name} не в кодировке UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        where = re.search(r"line (\d+), column (\d+)", str(exc))
        at = f" в строке {where[1]}, позиция {where[2]}" if where else ""
        raise ConfigError(f"ошибка в файле конфигурации {path.name}{at}: запись не соответствует формату TOML "
                          "(проверьте кавычки, знаки «=» и не повторяется ли параметр)") from None
    unknown = sorted(set(data) - set(CONFIG_SCHEMA) - set(CONFIG_TABLES))
    if unknown:
        raise ConfigError(f"неизвестный параметр «{_printable(unknown[0])}» в {path.name}; "
                          f"допустимые: {', '.join(CONFIG_KEYS)}, таблицы {', '.join(f'[{t}]' for t in CONFIG_TABLES)}")
    if "master" not in data:
        raise ConfigError(f"в {path.name} не указан параметр «master»")
    values = {key: check(key, data.get(key, default), path) for key, (default, check) in CONFIG_SCHEMA.items()}
    base = path.parent
    where = {key: (base / values[key]).resolve() for key in ("master", "inbox", "archive", "quarantine", "output")}
    if not where["master"].is_file():
        raise _bad(path, "master", "мастер-книга не найдена", values["master"])
    folders = ("inbox", "archive", "quarantine", "output")
    for n, key in enumerate(folders):
        for other in folders[n + 1:]:
            if where[key] == where[other]:
                raise _bad(path, other, f"папка совпадает с папкой параметра «{key}»", values[other])
    for key in folders:
        try:
            where[key].mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise _bad(path, key, f"папку не удаётся создать ({exc.strerror or exc})", values[key]) from None
    tables = {name: parse(data[name], lambda key, expected, value=None: _bad(path, key, expected, value), base)
              for name, (_, parse) in CONFIG_TABLES.items() if name in data}
    return BatchConfig(path, where["master"], where["inbox"], where["archive"], where["quarantine"],
                       where["output"], values["formats"], values["as_of"], values["keep_days"],
                       values["pdf_timeout"], (base / values["history"]).resolve(), values["settle_seconds"],
                       tables.get("mail"), tables.get("mailbox"))


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


_UNSAFE = {0x85, 0x2028, 0x2029}


def _printable(text: str) -> str:
    """Text safe for one log line: control characters, line separators and bytes that are not
    UTF-8 (in file names) are shown as escapes, so a file name cannot forge a log line."""
    if text.isprintable() and text.isascii():
        return text
    out = []
    for ch in text:
        code = ord(ch)
        if code < 0x20 or code == 0x7F or code in _UNSAFE or 0xD800 <= code <= 0xDFFF:
            out.append(f"\\x{code & 0xFF:02x}" if 0xDC80 <= code <= 0xDCFF else
                       f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        else:
            out.append(ch)
    return "".join(out)


def _printable_data(value):
    if isinstance(value, str):
        return _printable(value)
    if isinstance(value, list):
        return [_printable_data(v) for v in value]
    if isinstance(value, dict):
        return {k: _printable_data(v) for k, v in value.items()}
    return value


class _JsonLines(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {"time": datetime.fromtimestamp(record.created).isoformat(timespec="seconds"),
                 "level": record.levelname.lower(), "message": record.getMessage()}
        entry.update(getattr(record, "data", {}))
        return json.dumps(entry, ensure_ascii=False)


class _QuietFileHandler(logging.FileHandler):
    """A log that cannot be written (disk full) must not print tracebacks or stop the run."""

    def handleError(self, record: logging.LogRecord) -> None:
        pass


def _setup_logging(config: BatchConfig, quiet: bool) -> list[logging.Handler]:
    logs = config.output / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    text = _QuietFileHandler(logs / "roadmap-office.log", encoding="utf-8")
    text.setFormatter(logging.Formatter("%(asctime)s %(levelname)-7s %(message)s", "%Y-%m-%d %H:%M:%S"))
    lines = _QuietFileHandler(logs / "roadmap-office.jsonl", encoding="utf-8")
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
    data = _printable_data({"event": data.pop("event", "info"), **data})
    log.log(level, _printable(message), extra={"data": data})


# ---- the run ------------------------------------------------------------------------------


@dataclass
class RunSummary:
    accepted: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    other_period: list[str] = field(default_factory=list)  # archived for their own period, not merged now
    waiting: list[str] = field(default_factory=list)  # still being copied: left for the next run
    skipped: list[str] = field(default_factory=list)  # links, folders, pipes: reported, never followed
    ignored: list[str] = field(default_factory=list)  # lock files and other system junk of the inbox
    schools_missing: list[str] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)
    unchanged: bool = False
    conversion_error: str = ""
    fetched: list[str] = field(default_factory=list)  # files taken from the mailbox into the inbox
    letters_queued: list[str] = field(default_factory=list)  # school codes ("district" for the summary)
    letters_sent: list[str] = field(default_factory=list)  # Message-IDs

    @property
    def exit_code(self) -> int:
        if self.conversion_error:
            return EXIT_CONVERSION
        return EXIT_REJECTED if self.rejected else EXIT_OK

    def to_json(self) -> dict:
        return {"accepted": self.accepted, "rejected": self.rejected, "replaced": self.replaced,
                "other_period": self.other_period, "waiting": self.waiting, "skipped": self.skipped,
                "ignored": self.ignored,
                "schools_missing": self.schools_missing, "outputs": self.outputs, "unchanged": self.unchanged,
                "conversion_error": self.conversion_error or None, "fetched": self.fetched,
                "letters_queued": self.letters_queued, "letters_sent": self.letters_sent, "exit_code": self.exit_code}


def run_batch(config_path: str | os.PathLike, now: datetime | None = None, quiet: bool = False) -> RunSummary:
    """One night's run. Raises RoadmapError with its exit code: ConfigError (2), LockHeld (3),
    OutputError (5); anything else is a bug (the CLI exits 70), logged with its traceback."""
    config = load_config(config_path)
    with RunLock(config.root / LOCK_NAME):
        handlers = _setup_logging(config, quiet)
        previous = _stop_on_sigterm()
        try:
            return _Night(config, now or datetime.now()).run()
        except RoadmapError as exc:
            _event(logging.ERROR, f"Свод прерван: {exc}", event="failed", exit_code=int(exc.exit_code))
            raise
        except Exception as exc:
            log.exception(_printable(f"Внутренняя ошибка программы: {type(exc).__name__}: {exc}"),
                          extra={"data": {"event": "crashed", "exit_code": int(Exit.INTERNAL)}})
            raise
        finally:
            if previous is not None:
                signal.signal(signal.SIGTERM, previous)
            for handler in handlers:
                log.removeHandler(handler)
                handler.close()


def _stop_on_sigterm():
    """SIGTERM (systemctl stop, a cron timeout) unwinds the run like an error, so the staging
    folder, a running LibreOffice and its profile are cleaned up on the way out."""
    import threading

    if threading.current_thread() is not threading.main_thread():
        return None

    def stop(signum, frame):
        raise SystemExit(128 + signum)

    return signal.signal(signal.SIGTERM, stop)


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
        if self.config.mailbox is not None:
            self.take_mailbox()
        self.take_inbox()
        _pause("after_inbox")
        rejected_tonight = self.quarantined_today()
        selection = self.current_files()
        current = [s for s in selection.for_period(None) if not s.rejected]
        fingerprint = self.fingerprint(current, rejected_tonight)
        state = self.config.output / "latest" / ".fingerprint"
        older = [f for files in selection.superseded.values() for f in files if not f.rejected]
        if state.exists() and state.read_text(encoding="utf-8") == fingerprint:
            self.summary.unchanged = True
            _event(logging.INFO, "Новых файлов нет, результаты не изменились", event="unchanged")
        else:
            self.render(current + older, rejected_tonight, fingerprint)  # older files: named, never counted
        if self.config.mail is not None:
            self.letters(current + older)
        self.cleanup(selection.for_period(None))
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
        from .office import stop_leftover_conversions

        for leftover in self.config.output.glob(f"{STAGING_PREFIX}*"):
            stop_leftover_conversions(leftover)  # a LibreOffice never outlives the run that started it
            shutil.rmtree(leftover, ignore_errors=True)
        for folder in [self.config.output, *self.config.output.iterdir()]:
            if folder.is_dir():
                for tmp in folder.glob(".~*"):
                    tmp.unlink(missing_ok=True)
        for base in (self.config.archive, self.config.quarantine):  # half-copied moves across disks
            for tmp in base.rglob(".~*"):
                if tmp.is_file() and not tmp.is_symlink():
                    tmp.unlink(missing_ok=True)

    # -- inbox --------------------------------------------------------------------------
    def quarantined_today(self) -> list[CheckedSubmission]:
        """Files refused today (this run or an earlier one today): the report names them."""
        return self.quarantined(self.today)

    def quarantined(self, since: date) -> list[CheckedSubmission]:
        """Files refused from ``since`` on, with their reasons (and their school, when known)."""
        refused = []
        for folder in sorted(self.config.quarantine.iterdir()):
            try:
                if not folder.is_dir() or date.fromisoformat(folder.name) < since:
                    continue
            except ValueError:
                continue
            for reason in sorted(folder.glob(f"*{REASON_SUFFIX}")):
                path = reason.with_name(reason.name[: -len(REASON_SUFFIX)])
                lines = reason.read_text(encoding="utf-8", errors="replace").splitlines()
                fields = {line.split(":", 1)[0]: line.split(":", 1)[1].strip() for line in lines if ":" in line}
                result = CheckedSubmission(path, rejected=fields.get("Причина") or "\n".join(lines).strip(),
                                           school=fields.get("Школа", ""))
                try:
                    result.modified = datetime.fromtimestamp(path.stat().st_mtime)
                except OSError:
                    pass
                refused.append(result)
        return refused

    def inbox_files(self) -> list[tuple[Path, tuple]]:
        """Regular files of the inbox that are complete; anything else is reported and left."""
        ready = []
        now = time.time()
        with os.scandir(self.config.inbox) as entries:
            for entry in sorted(entries, key=lambda e: e.name):
                path = Path(entry.path)
                verdict = classify_entry(path)  # the one folder policy (CLI, macros, batch)
                if verdict.verdict == IGNORED:  # hidden files, office lock files, Thumbs.db…
                    self.summary.ignored.append(path.name)
                    continue
                if not entry.is_file(follow_symlinks=False) or entry.is_symlink():
                    self.skip(path, verdict.reason)  # links, folders, pipes: reported, left in place
                else:
                    st = entry.stat(follow_symlinks=False)
                    if now - st.st_mtime < self.config.settle_seconds:
                        self.wait(path)
                    else:
                        ready.append((path, _signature(st)))
        return ready

    def skip(self, path: Path, why: str) -> None:
        self.summary.skipped.append(path.name)
        _event(logging.WARNING, f"Пропущен «{path.name}»: {why}", event="skipped", file=path.name, reason=why)

    def wait(self, path: Path) -> None:
        self.summary.waiting.append(path.name)
        _event(logging.INFO, f"Файл «{path.name}» ещё копируется; он будет обработан при следующем запуске",
               event="waiting", file=path.name)

    def take_inbox(self) -> None:
        ready = self.inbox_files()
        paths = [path for path, _ in ready]
        verdicts = [classify_name(path.name) for path in paths]  # another format: refused by name
        checked = iter(check_files([p for p, v in zip(paths, verdicts) if v.verdict == REPORT], self.roadmap,
                                   self.roadmap_fingerprint, cache=self.cache))
        results = [next(checked) if v.verdict == REPORT else refused(p, v.reason) for p, v in zip(paths, verdicts)]
        for (path, signature), result in zip(ready, results):
            try:
                st = path.lstat()
                unchanged = _signature(st) == signature
            except OSError:
                unchanged = False
            if not unchanged:  # written to while it was being checked: take it next time
                self.wait(path)
                continue
            if result.rejected and not other_period(result, self.roadmap):
                target = self.move(path, self.config.quarantine / self.today.isoformat(), len(REASON_SUFFIX.encode()))
                reason = target.with_name(target.name + REASON_SUFFIX)
                with writing_to(reason.parent):
                    _write_atomic(reason, f"Файл: {_printable(path.name)}\nДата: {self.now:%d.%m.%Y %H:%M}\n"
                                          f"Причина: {_printable(result.rejected)}\n"
                                          + (f"Школа: {result.school}\n" if result.school else ""))
                self.summary.rejected.append(path.name)
                _event(logging.WARNING, f"Не принят «{path.name}»: {result.rejected}", event="rejected",
                       file=path.name, reason=result.rejected, stored_as=target.name,
                       **({"detail": result.detail} if result.detail else {}))
            else:
                # arrival is recorded as the archived file's time: when it reached the inbox by this
                # server's clock (ctime; a copy may keep the school's file time as its mtime)
                self.move(path, self.config.archive / self.today.isoformat() / result.school, arrived=st.st_ctime)
                if result.rejected:
                    self.summary.other_period.append(path.name)
                    _event(logging.WARNING, f"Файл «{path.name}» ({result.school}) относится к другому отчётному "
                           f"периоду: сохранён в архиве и войдёт в свод за свой период. {result.rejected}",
                           event="other_period", file=path.name, school=result.school)
                    continue
                self.summary.accepted.append(path.name)
                _event(logging.INFO, f"Принят «{path.name}» ({result.school}), замечаний: {len(result.findings)}",
                       event="accepted", file=path.name, school=result.school, problems=len(result.findings))
        self.cache.save()

    def move(self, path: Path, folder: Path, reserve: int = 0, arrived: float | None = None) -> Path:
        """Move a file into ``folder`` under a usable name, atomically on one file system and
        by copy, sync, rename, unlink across file systems; the file is never lost. ``arrived``
        becomes the moved file's modification time (what picks a school's current file)."""
        with writing_to(folder):
            folder.mkdir(parents=True, exist_ok=True)
            name = usable_name(path.name, reserve)
            stem, suffix = os.path.splitext(name)
            target = folder / name
            n = 1
            while os.path.lexists(target):
                target = folder / f"{stem}_{n}{suffix}"
                n += 1
            try:
                os.rename(path, target)
            except OSError as exc:
                if exc.errno != errno.EXDEV:
                    raise
                _copy_across(path, target)
            if arrived is not None:
                os.utime(target, (arrived, arrived))
        self.cache.moved(path, target)
        return target

    # -- archive ------------------------------------------------------------------------
    def current_files(self) -> Selection:
        """Each school's current file per period, from the archive (cached results: only files
        never checked before are read). Files of another period than the master's stay current
        for their own period."""
        paths = [p for p in sorted(self.config.archive.rglob("*"))
                 if p.is_file() and not p.is_symlink() and is_submission_name(p.name)]
        results = check_files(paths, self.roadmap, self.roadmap_fingerprint, cache=self.cache)
        selection = pick_current(r for r in results if not r.rejected or other_period(r, self.roadmap))
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
        try:
            consolidation.history = record_history(consolidation, self.config.history if self.roadmap.period else None)
        except sqlite3.OperationalError as exc:  # the store shares the disk with the outputs
            if "full" not in str(exc) and "readonly" not in str(exc):
                raise
            why = "на диске нет места" if "full" in str(exc) else "файл доступен только для чтения"
            raise OutputError(f"не удалось записать историю сводов {self.config.history}: {why}; "
                              "прежние результаты сохранены") from None
        staging = self.config.output / f"{STAGING_PREFIX}{os.getpid()}"
        shutil.rmtree(staging, ignore_errors=True)
        try:
            with writing_to(self.config.output):
                self._render_into(staging, consolidation, fingerprint)
        finally:
            shutil.rmtree(staging, ignore_errors=True)

    def _render_into(self, staging: Path, consolidation, fingerprint: str) -> None:
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

    # -- mail (roadmap_office.mail does the work; the night only logs) -------------------
    def take_mailbox(self) -> None:
        from .mail.imap import take_mailbox
        from .mail.state import MailState

        report = take_mailbox(self.config.mailbox, self.config.inbox, MailState(self.config.root))
        for item in report.imported:
            self.summary.fetched.append(item.file.name)
            _event(logging.INFO, f"Из почты получен «{item.file.name}» от {item.sender} "
                   f"({item.received:%d.%m.%Y %H:%M})", event="fetched", file=item.file.name, sender=item.sender,
                   message_id=item.message_id)
        for why in report.left:
            _event(logging.INFO, f"Письмо оставлено в почтовом ящике: {why}", event="mail_left", reason=why)
        if report.error:
            _event(logging.WARNING, f"Почта не получена: {report.error}; отчёты будут взяты при следующем запуске",
                   event="mailbox_failed", reason=report.error)

    def letters(self, current: list[CheckedSubmission]) -> None:
        """Queue and send the letters; they know every refusal of the period, not only tonight's."""
        from .mail.outbox import queue_night, send_night
        from .mail.state import MailState

        since = self.roadmap.period.start if self.roadmap.period else self.today
        consolidation = consolidate(self.roadmap, current + self.quarantined(since),
                                    self.config.as_of_date(self.today, self.roadmap))
        mail, state = self.config.mail, MailState(self.config.root)
        latest = self.config.output / "latest"
        report = next(([latest / OUTPUTS[f].filename] for f in ("pdf", "odt", "xlsx", "ods")
                       if (latest / OUTPUTS[f].filename).exists()), [])  # the report the district reads
        try:
            night = queue_night(consolidation, mail, state, self.config.master, "pdf" in self.config.formats,
                                None if self.summary.unchanged else report, self.now)
        except OSError as exc:  # the outputs are published; the letters wait for a night with room
            _event(logging.ERROR, f"Письма не подготовлены: {exc.strerror or exc}; они будут подготовлены при "
                   "следующем запуске", event="letters_failed", reason=str(exc))
            return
        self.summary.letters_queued = [letter.key for letter in night.queued]
        for code in night.no_address:
            _event(logging.WARNING, f"{code}: письмо не отправлено — в мастер-книге не указан адрес эл. почты школы",
                   event="no_address", school=code)
        if night.pdf_error:
            _event(logging.WARNING, night.pdf_error, event="letters_pdf_failed")

        def sent(letter) -> None:
            self.summary.letters_sent.append(letter.message_id)
            _event(logging.INFO, f"Отправлено письмо «{letter.subject}»: {', '.join(letter.recipients)}, "
                   f"Message-ID {letter.message_id}", event="mail_sent", message_id=letter.message_id,
                   to=letter.recipients, subject=letter.subject, file=letter.path.name)

        outcome = send_night(mail, state, self.now, sent)
        for name, why in outcome.failed.items():
            _event(logging.WARNING, f"Письмо «{name}» не принято сервером: {why}; оно остаётся в очереди",
                   event="mail_refused", file=name, reason=why)
        if outcome.error:
            left = len(state.queued())
            _event(logging.WARNING, f"Письма не отправлены: {outcome.error}; в очереди писем: {left}, они будут "
                   "отправлены при следующем запуске", event="mail_failed", reason=outcome.error, queued=left)

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


NAME_MAX = 255  # bytes, on every common file system
_NAME_SPARE = 32  # room for a "_N" duplicate suffix and the temporary name of an atomic write


def usable_name(name: str, reserve: int = 0) -> str:
    """A name the archive and quarantine can hold: no control characters or undecodable bytes,
    and short enough (with ``reserve`` bytes for a companion suffix) for the file system; a cut
    name keeps a short hash of the original so two long names stay apart."""
    clean = "".join("_" if (ord(ch) < 0x20 or ord(ch) == 0x7F or ord(ch) in _UNSAFE or 0xD800 <= ord(ch) <= 0xDFFF)
                    else ch for ch in name)
    limit = NAME_MAX - _NAME_SPARE - reserve
    if len(clean.encode("utf-8")) <= limit:
        return clean
    stem, suffix = os.path.splitext(clean)
    if len(suffix.encode("utf-8")) > 16:
        stem, suffix = clean, ""
    tag = "~" + hashlib.sha256(name.encode("utf-8", "surrogateescape")).hexdigest()[:8]
    room = limit - len(tag.encode("utf-8")) - len(suffix.encode("utf-8"))
    cut = stem.encode("utf-8")[:room].decode("utf-8", "ignore")
    return f"{cut}{tag}{suffix}"


def _signature(st: os.stat_result) -> tuple:
    return (st.st_size, st.st_mtime_ns, st.st_ino)


def _copy_across(source: Path, target: Path) -> None:
    """Move between file systems: copy beside the target, sync, rename, then remove the source.
    A run killed midway leaves the source in place and at most a temporary file (removed by
    the next run)."""
    fd, name = tempfile.mkstemp(prefix=".~", suffix=".part", dir=target.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        shutil.copy2(source, tmp)
        with open(tmp, "rb") as handle:
            os.fsync(handle.fileno())
        os.rename(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    sync_folder(target.parent)
    source.unlink()


def _write_atomic(path: Path, data: str | bytes) -> None:
    with replacing(path) as tmp:
        if isinstance(data, str):
            tmp.write_text(data, encoding="utf-8", errors="backslashreplace")
        else:
            tmp.write_bytes(data)
