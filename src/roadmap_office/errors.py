"""The exception tree and the exit-code table. Messages are Russian, for users; every face
(CLI, batch) exits with the code the table gives, nothing else."""

from __future__ import annotations

import errno
from enum import IntEnum


class Exit(IntEnum):
    """The one table of exit codes (README documents it)."""

    OK = 0  # success
    FILES = 1  # check: the file has findings; batch: some files were refused (quarantined)
    USAGE = 2  # configuration or usage error, an unreadable input given by hand
    LOCKED = 3  # another batch run holds the lock
    PDF = 4  # the PDF or DOCX could not be made; the other outputs were written
    OUTPUT = 5  # outputs could not be written (disk full, read-only); previous results kept
    INTERNAL = 70  # a bug: an unexpected error, never to be read as "files were refused"
    PIPE = 141  # the program reading the output stopped early (`| head`); as the shells count SIGPIPE


EXIT_MEANINGS = {
    Exit.OK: "успешно",
    Exit.FILES: "часть файлов не принята (batch) или в файле есть замечания (check)",
    Exit.USAGE: "ошибка конфигурации или параметров",
    Exit.LOCKED: "выполняется другой запуск свода",
    Exit.PDF: "не удалось создать PDF или DOCX (остальные результаты записаны)",
    Exit.OUTPUT: "не удалось записать результаты (нет места, только чтение); прежние результаты сохранены",
    Exit.INTERNAL: "внутренняя ошибка программы",
    Exit.PIPE: "вывод прерван: программа, читавшая его, завершилась раньше",
}


class RoadmapError(Exception):
    """Root of every error roadmap-office reports to a user."""

    exit_code: int = Exit.USAGE

    def __init__(self, message: str, *, file: str = "", sheet: str = "", cell: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.sheet = sheet
        self.cell = cell

    def __str__(self) -> str:
        where = ", ".join(
            part
            for part in (
                f"файл «{self.file}»" if self.file else "",
                f"лист «{self.sheet}»" if self.sheet else "",
                f"ячейка {self.cell}" if self.cell else "",
            )
            if part
        )
        return f"{where}: {self.message}" if where else self.message


class MasterError(RoadmapError):
    """The district master workbook cannot be read or is inconsistent."""


class DocumentImportError(RoadmapError):
    """A roadmap document cannot be imported."""


class OutputError(RoadmapError):
    """Outputs could not be written (disk full, read-only folder); the previous ones are intact."""

    exit_code = Exit.OUTPUT


_UNWRITABLE = {errno.ENOSPC: "на диске нет места", errno.EDQUOT: "превышена дисковая квота",
               errno.EROFS: "файловая система доступна только для чтения",
               errno.EACCES: "нет прав на запись", errno.EPERM: "нет прав на запись"}
_SQLITE_UNWRITABLE = {"full": errno.ENOSPC, "readonly": errno.EROFS}  # SQLite says it in words, with no number


def unwritable_reason(exc: BaseException | None) -> str | None:
    """The Russian reason when ``exc`` means a disk or folder cannot be written (an operating
    system's error or SQLite's), else None: such an error is exit code 5, never a crash."""
    if isinstance(exc, OSError):
        return _UNWRITABLE.get(exc.errno)
    if type(exc).__name__ == "OperationalError" and type(exc).__module__ == "sqlite3":
        code = next((c for word, c in _SQLITE_UNWRITABLE.items() if word in str(exc)), None)
        return _UNWRITABLE.get(code)
    return None


_OS_REASONS = {errno.EACCES: "нет прав доступа", errno.EPERM: "нет прав доступа", errno.ENOENT: "файл не найден",
               errno.EISDIR: "это папка, а не файл", errno.ENOTDIR: "в пути есть файл вместо папки",
               errno.EIO: "ошибка ввода-вывода диска", errno.ENOSPC: "на диске нет места",
               errno.EROFS: "файловая система доступна только для чтения", errno.ELOOP: "циклическая ссылка в пути",
               errno.ENAMETOOLONG: "слишком длинное имя"}


def os_reason(exc: OSError) -> str:
    """An operating system's error in Russian words (its own text is in English)."""
    return _OS_REASONS.get(exc.errno, f"ошибка операционной системы{f' (код {exc.errno})' if exc.errno else ''}")


class FileReadError(RoadmapError):
    """A spreadsheet cannot be read safely (damaged, foreign, protected or over the limits).

    For a school's submission this is never shown as a failure of the run: the file is refused
    with this message as its reason.
    """

