"""The batch's configuration: one schema of keys, their defaults and checks; a ready tree to start from."""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from ..errors import Exit, RoadmapError, os_reason
from ..history import HISTORY_NAME
from ..mail.settings import MAILBOX_KEYS, MAIL_KEYS, MailboxSettings, MailSettings, parse_mail, parse_mailbox
from ..master import read_master
from ..pipeline import OUTPUT_FORMATS, default_as_of
from .files import REASON_SUFFIX
from .log import printable

try:
    import tomllib
except ImportError:  # Python before 3.11: the batch runs on the server, never inside the office
    tomllib = None

CONFIG_NAME = "roadmap-office.toml"


class ConfigError(RoadmapError):
    exit_code = Exit.USAGE


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

# Форматы результата: xlsx, ods, odt, pdf, docx (PDF и DOCX делает LibreOffice без интерфейса).
# Шаблон отчёта задаётся в мастер-книге (лист «Настройки», параметр «Шаблон отчёта»).
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
# ca_file = "district-ca.pem"     # сертификат своего удостоверяющего центра (PEM), если сертификат
#                                  # сервера выдан не общедоступным центром

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
# ca_file = "district-ca.pem"
"""


def init_tree(directory: str | os.PathLike, master: str | os.PathLike) -> Path:
    """Create a ready batch tree with a commented config; returns the config path."""
    root = Path(directory)
    master = Path(master)
    if not master.is_file():
        raise ConfigError(f"мастер-книга не найдена: {master}")
    read_master(master)  # refuse to set up a tree around a file that is not a master
    config = root / CONFIG_NAME
    if config.exists():  # before anything is touched: the tree's master stays as it is
        raise ConfigError(f"файл конфигурации уже существует: {config}; мастер-книга дерева не изменена")
    root.mkdir(parents=True, exist_ok=True)
    for name in ("inbox", "archive", "quarantine", "out"):
        (root / name).mkdir(exist_ok=True)
    target = root / f"master{master.suffix.lower()}"
    if master.resolve() != target.resolve():
        shutil.copy2(master, target)
    config.write_text(CONFIG_TEMPLATE.format(master=target.name, reason=REASON_SUFFIX), encoding="utf-8")
    return config


def _bad(config: Path, key: str, expected: str, value=None) -> ConfigError:
    shown = f", указано «{printable(str(value))}»" if value is not None else ""
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
        raise _bad(config, key, f"неизвестный формат «{printable(wrong[0])}»; допустимо: {', '.join(OUTPUT_FORMATS)}")
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
    path = Path(path).resolve()  # «--config srv/roadmap-office.toml»: the tree's folders are resolved too
    if tomllib is None:
        raise ConfigError("ночной свод работает на Python 3.11 или новее (для чтения файла конфигурации)")
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"файл конфигурации не найден: {path}") from None
    except OSError as exc:
        raise ConfigError(f"файл конфигурации {path} не читается: {os_reason(exc)}") from None
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
        raise ConfigError(f"неизвестный параметр «{printable(unknown[0])}» в {path.name}; "
                          f"допустимые: {', '.join(CONFIG_KEYS)}, таблицы {', '.join(f'[{t}]' for t in CONFIG_TABLES)}")
    if "master" not in data:
        raise ConfigError(f"в {path.name} не указан параметр «master»")
    values = {key: check(key, data.get(key, default), path) for key, (default, check) in CONFIG_SCHEMA.items()}
    base = path.parent
    where = {key: (base / values[key]).resolve() for key in ("master", "inbox", "archive", "quarantine", "output")}
    where["history"] = (base / values["history"]).resolve()
    if where["master"].is_dir():
        raise _bad(path, "master", "это папка, а не файл мастер-книги", values["master"])
    if not where["master"].is_file():
        raise _bad(path, "master", "мастер-книга не найдена", values["master"])
    if where["history"].is_dir():
        raise _bad(path, "history", "это папка, а не файл истории", values["history"])
    folders = ("inbox", "archive", "quarantine", "output")
    for n, key in enumerate(folders):
        for other in folders[n + 1:]:
            if where[key] == where[other]:
                raise _bad(path, other, f"папка совпадает с папкой параметра «{key}»", values[other])
            for inner, outer in ((key, other), (other, key)):
                if where[outer] in where[inner].parents:
                    raise _bad(path, inner, f"папка находится внутри папки параметра «{outer}»; папки дерева "
                                            "не должны быть вложены друг в друга", values[inner])
    for key in ("master", "history"):  # a file the run itself would take, move or delete
        for folder in ("inbox", "archive", "quarantine"):
            if where[folder] in where[key].parents:
                raise _bad(path, key, f"файл находится в папке параметра «{folder}», которую разбирает ночной "
                                      "свод; укажите его вне этой папки", values[key])
    for key in folders:
        try:
            where[key].mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise _bad(path, key, f"папку не удаётся создать ({os_reason(exc)})", values[key]) from None
    tables = {name: parse(data[name], lambda key, expected, value=None: _bad(path, key, expected, value), base)
              for name, (_, parse) in CONFIG_TABLES.items() if name in data}
    return BatchConfig(path, where["master"], where["inbox"], where["archive"], where["quarantine"],
                       where["output"], values["formats"], values["as_of"], values["keep_days"],
                       values["pdf_timeout"], where["history"], values["settle_seconds"],
                       tables.get("mail"), tables.get("mailbox"))
