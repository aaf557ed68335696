"""What a folder of submissions holds: the one policy used by the CLI, the macros and the batch.

Every entry of an input folder gets a verdict, so that no school simply looks missing because
its file was skipped without a word: a report to read (ODS, XLSX), a refusal with a Russian
reason (another format, an archive, a subfolder, a link), or system junk that is listed as
ignored (office lock files, Windows and macOS folder files). Only names and entry kinds are
looked at here; what is inside a report is the reader's business.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPORT = "report"
REFUSED = "refused"
IGNORED = "ignored"

REPORT_SUFFIXES = (".ods", ".xlsx")

_SAVE_AS = "откройте его и сохраните в формате ODS или XLSX"
_FILL_TEMPLATE = "заполните шаблон отчёта (ODS или XLSX), полученный от органа управления образованием"

# suffix -> the reason a file of that kind is not read (Russian, says what to do)
REFUSED_SUFFIXES = {
    ".xls": "файл в старом формате Excel 97–2003 (XLS) не принимается; " + _SAVE_AS,
    ".xlsm": "книга Excel с макросами (XLSM) не принимается; " + _SAVE_AS + " (без макросов)",
    ".xlsb": "двоичная книга Excel (XLSB) не принимается; " + _SAVE_AS,
    ".xltx": "файл шаблона Excel (XLTX) не принимается; " + _SAVE_AS,
    ".ots": "файл шаблона LibreOffice (OTS) не принимается; " + _SAVE_AS,
    ".fods": "плоский XML-документ LibreOffice (FODS) не принимается; " + _SAVE_AS,
    ".csv": "текстовая таблица (CSV) не является отчётом: в ней нет служебных данных шаблона; " + _FILL_TEMPLATE,
    ".zip": "архив не распаковывается; извлеките из него файл отчёта и положите его в папку",
    ".rar": "архив не распаковывается; извлеките из него файл отчёта и положите его в папку",
    ".7z": "архив не распаковывается; извлеките из него файл отчёта и положите его в папку",
    ".doc": "текстовый документ не является отчётом; " + _FILL_TEMPLATE,
    ".docx": "текстовый документ не является отчётом; " + _FILL_TEMPLATE,
    ".odt": "текстовый документ не является отчётом; " + _FILL_TEMPLATE,
    ".rtf": "текстовый документ не является отчётом; " + _FILL_TEMPLATE,
    ".pdf": "документ PDF не является отчётом: данные из него не извлекаются; " + _FILL_TEMPLATE,
}
OTHER_FORMAT = "файл формата «{suffix}» не является отчётом; отчёт принимается в формате ODS или XLSX"
NO_SUFFIX = "файл без расширения не является отчётом; отчёт принимается в формате ODS или XLSX"
SUBFOLDER = "вложенная папка не просматривается; положите файлы отчётов прямо в папку с отчётами"
SYMLINK = "символическая ссылка не обрабатывается; положите в папку сам файл"
NOT_A_FILE = "не обычный файл (канал, сокет или устройство); не обрабатывается"

# system junk: exact names (case-insensitive) and name patterns, with what each is
_JUNK_NAMES = {
    "thumbs.db": "служебный файл Windows (эскизы)",
    "ehthumbs.db": "служебный файл Windows (эскизы)",
    "desktop.ini": "служебный файл Windows (вид папки)",
    ".ds_store": "служебный файл macOS (вид папки)",
    ".directory": "служебный файл Linux (вид папки)",
}
LOCK_FILE = "файл блокировки: документ открыт в LibreOffice или Excel"
HIDDEN = "скрытый служебный файл"


@dataclass(frozen=True)
class InputEntry:
    """One entry of an input folder and what is done with it."""

    path: Path
    verdict: str  # REPORT | REFUSED | IGNORED
    reason: str = ""  # Russian; empty for a report

    @property
    def name(self) -> str:
        return self.path.name


def junk_reason(name: str) -> str:
    """What system file ``name`` is, or "" when it is not junk."""
    lower = name.lower()
    if lower in _JUNK_NAMES:
        return _JUNK_NAMES[lower]
    if (lower.startswith(".~lock.") and lower.endswith("#")) or lower.startswith("~$") or lower.startswith("~lock."):
        return LOCK_FILE
    if lower.startswith("._"):
        return "служебный файл macOS (сведения о файле)"
    if lower.startswith("~") and lower.endswith(".tmp"):
        return "временный файл офисного пакета"
    if lower.startswith("."):
        return HIDDEN
    return ""


def classify_name(name: str) -> InputEntry:
    """The verdict for a regular file called ``name`` (its path is just the name)."""
    junk = junk_reason(name)
    if junk:
        return InputEntry(Path(name), IGNORED, junk)
    suffix = os.path.splitext(name)[1].lower()
    if suffix in REPORT_SUFFIXES:
        return InputEntry(Path(name), REPORT)
    if suffix in REFUSED_SUFFIXES:
        return InputEntry(Path(name), REFUSED, REFUSED_SUFFIXES[suffix])
    return InputEntry(Path(name), REFUSED, OTHER_FORMAT.format(suffix=suffix) if suffix else NO_SUFFIX)


def classify_entry(path: str | os.PathLike) -> InputEntry:
    """The verdict for one entry of a folder: links and folders first, then the name."""
    path = Path(path)
    junk = junk_reason(path.name)
    if path.is_symlink():
        verdict = InputEntry(path, IGNORED, junk) if junk else InputEntry(path, REFUSED, SYMLINK)
    elif path.is_dir():
        verdict = InputEntry(path, IGNORED, junk) if junk else InputEntry(path, REFUSED, SUBFOLDER)
    elif not path.is_file():
        verdict = InputEntry(path, REFUSED, NOT_A_FILE)
    else:
        named = classify_name(path.name)
        verdict = InputEntry(path, named.verdict, named.reason)
    return verdict


def classify_folder(folder: str | os.PathLike) -> list[InputEntry]:
    """Every entry of ``folder`` (not recursive), sorted by name, with its verdict.

    Raises OSError when the folder cannot be listed; callers turn it into their message.
    """
    folder = Path(folder)
    return [classify_entry(folder / name) for name in sorted(os.listdir(folder))]
