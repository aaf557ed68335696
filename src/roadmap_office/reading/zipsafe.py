"""The zip container of an ODS/XLSX file, opened safely: sizes, parts and inflation bounded.

Submissions arrive by e-mail from anyone. Before anything is parsed the file's size, the
number and names of its parts, their compression and encryption are checked; every part is
inflated as a stream, its bytes counted as they come (not taken from the declared sizes), so a
zip bomb stops at :mod:`.limits`. Problems become a Russian reason (:class:`ContainerError`).
"""

from __future__ import annotations

import io
import os
import zipfile
import zlib
from contextlib import contextmanager

from ..sheets.reading import WorkbookReadError
from . import limits as L

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

PASSWORD = ("файл защищён паролем и не может быть прочитан; снимите пароль на открытие "
            "(Файл → Свойства или «Сохранить как» без пароля) и отправьте файл снова")
NOT_A_WORKBOOK = "файл не является документом ODS или XLSX (повреждён или другого формата)"


class ContainerError(WorkbookReadError):
    """The file cannot be read safely; the message is Russian and says why."""


def load_bytes(path: str | os.PathLike) -> bytes:
    """The file's bytes, its size checked before it is read into memory."""
    with open(path, "rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        if size > L.MAX_FILE_BYTES:
            raise ContainerError(f"файл слишком большой ({size / 2**20:.0f} МБ при допустимых "
                                 f"{L.MAX_FILE_BYTES // 2**20} МБ); отчёт школы занимает меньше 1 МБ")
        data = handle.read(L.MAX_FILE_BYTES + 1)
    if len(data) > L.MAX_FILE_BYTES:  # it grew while being read
        raise ContainerError("файл изменяется во время чтения; повторите позже")
    return data


class Archive:
    """The parts of a zip container whose structure has been checked; each part is read once,
    inflated bytes counted against the limits."""

    def __init__(self, data: bytes) -> None:
        if data.startswith(_OLE_MAGIC):
            if "EncryptionInfo".encode("utf-16-le") in data:
                raise ContainerError(PASSWORD)
            raise ContainerError("файл сохранён в старом двоичном формате (Excel 97–2003, XLS); "
                                 "сохраните его в формате XLSX или ODS")
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
            infos = self.zip.infolist()
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError):
            raise ContainerError(NOT_A_WORKBOOK) from None
        self.names = [i.filename for i in infos]
        self.members = set(self.names)
        self.inflated = 0
        if len(infos) > L.MAX_MEMBERS:
            raise ContainerError(f"в архиве {len(infos)} частей (допустимо не более {L.MAX_MEMBERS}); "
                                 "файл не является обычным отчётом")
        if len(set(self.names)) != len(self.names):
            raise ContainerError("в архиве повторяются части с одинаковыми именами (файл повреждён или подделан)")
        for info in infos:
            if info.flag_bits & 0x1:
                raise ContainerError(PASSWORD)
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise ContainerError("части файла сжаты неподдерживаемым способом; откройте файл в LibreOffice "
                                     "или Excel и сохраните его заново")

    def __contains__(self, name: str) -> bool:
        return name in self.members

    def close(self) -> None:
        self.zip.close()

    def open(self, name: str) -> "_Counted":
        return _Counted(self, self.zip.getinfo(name))

    def read(self, name: str, size: int = -1) -> bytes:
        """The first ``size`` bytes of a part (all with -1); the whole part is inflated and counted."""
        with self.unpacking(name), self.open(name) as stream:
            data = stream.read_up_to(L.MAX_INFLATED_BYTES + 1 if size < 0 else size)
            stream.drain()
        return data

    @contextmanager
    def unpacking(self, name: str):
        """A part that does not inflate (a file broken in transit) becomes a Russian reason."""
        try:
            yield
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError):
            raise ContainerError(f"часть «{name}» повреждена и не распаковывается (архив испорчен, "
                                 "например при пересылке)") from None


class _Counted(io.RawIOBase):
    """A part's stream that counts inflated bytes and stops at the limits."""

    def __init__(self, archive: Archive, info: zipfile.ZipInfo) -> None:
        self.archive, self.info = archive, info
        self.raw = archive.zip.open(info)
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        chunk = self.raw.read(min(len(buffer), 1 << 16))
        n = len(chunk)
        buffer[:n] = chunk
        self.count += n
        self.archive.inflated += n
        if self.archive.inflated > L.MAX_INFLATED_BYTES:
            raise ContainerError(f"после распаковки файл занимает больше {L.MAX_INFLATED_BYTES // 2**20} МБ "
                                 "(zip-бомба); файл не обработан")
        if self.count > L.RATIO_FROM_BYTES and self.count > L.MAX_RATIO * max(self.info.compress_size, 1):
            raise ContainerError(f"подозрительно сильное сжатие части «{self.info.filename}» (zip-бомба); "
                                 "файл не обработан")
        return n

    def drain(self) -> None:
        while self.read(1 << 16):
            pass

    def read_up_to(self, size: int) -> bytes:
        """At most ``size`` bytes, fewer only at the end of the part."""
        chunks, count = [], 0
        while count < size:
            chunk = self.read(min(1 << 16, size - count))
            if not chunk:
                break
            chunks.append(chunk)
            count += len(chunk)
        return b"".join(chunks)

    def close(self) -> None:
        self.raw.close()
        super().close()
