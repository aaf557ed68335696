"""Files the batch moves and writes: usable names, moves across disks, atomic writes."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path

from .._files import replacing, sync_folder
from .log import UNSAFE

REASON_SUFFIX = ".причина.txt"  # beside a quarantined file: why it was refused


NAME_MAX = 255  # bytes, on every common file system
_NAME_SPARE = 32  # room for a "_N" duplicate suffix and the temporary name of an atomic write


def usable_name(name: str, reserve: int = 0) -> str:
    """A name the archive and quarantine can hold: no control characters or undecodable bytes,
    and short enough (with ``reserve`` bytes for a companion suffix) for the file system; a cut
    name keeps a short hash of the original so two long names stay apart."""
    clean = "".join("_" if (ord(ch) < 0x20 or ord(ch) == 0x7F or ord(ch) in UNSAFE or 0xD800 <= ord(ch) <= 0xDFFF)
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


def file_signature(st: os.stat_result) -> tuple:
    return (st.st_size, st.st_mtime_ns, st.st_ino)


def copy_across(source: Path, target: Path) -> None:
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


def write_atomic(path: Path, data: str | bytes) -> None:
    with replacing(path) as tmp:
        if isinstance(data, str):
            tmp.write_text(data, encoding="utf-8", errors="backslashreplace")
        else:
            tmp.write_bytes(data)
