"""Check results kept between runs, so a file already checked is never read again.

A result is keyed by the file's content hash, the master's checksum and the library version
(results of another version are dropped). An index maps a path and its size/mtime to the hash,
so a known file is not even hashed again: a night without new files reads no submission.
"""

from __future__ import annotations

import hashlib
import json
import pickle
import shutil
from datetime import datetime
from pathlib import Path

from . import __version__
from ._files import replacing
from .checking import CheckedSubmission

INDEX = "index.json"


def _signature(path: Path) -> list[int]:
    st = path.stat()
    return [st.st_size, st.st_mtime_ns]


def file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class ResultCache:
    def __init__(self, folder: Path, checksum: str) -> None:
        self.base = folder
        self.folder = folder / f"v{__version__}"
        self.checksum = (checksum or "none")[:16]
        self.folder.mkdir(parents=True, exist_ok=True)
        for other in folder.iterdir():  # results of other library versions are never reused
            if other.is_dir() and other != self.folder:
                shutil.rmtree(other, ignore_errors=True)
        try:
            self.index: dict[str, dict] = json.loads((self.folder / INDEX).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.index = {}
        self.dirty = False

    def digest(self, path: Path) -> str:
        """The content hash, from the index when the file is unchanged since it was hashed."""
        sig = _signature(path)
        entry = self.index.get(str(path))
        if entry and entry.get("sig") == sig:
            return entry["digest"]
        digest = file_digest(path)
        self.index[str(path)] = {"sig": sig, "digest": digest}
        self.dirty = True
        return digest

    def _result_path(self, digest: str) -> Path:
        return self.folder / f"{digest}-{self.checksum}.pickle"

    def get(self, path: Path) -> CheckedSubmission | None:
        try:
            cached = self._result_path(self.digest(path))
            if not cached.exists():
                return None
            result = pickle.loads(cached.read_bytes())
        except OSError:
            return None
        except Exception:  # a damaged entry is only a lost shortcut
            return None
        result.path = path
        result.modified = datetime.fromtimestamp(path.stat().st_mtime)
        return result

    def put(self, path: Path, result: CheckedSubmission) -> None:
        with replacing(self._result_path(self.digest(path))) as tmp:
            tmp.write_bytes(pickle.dumps(result))

    def moved(self, source: Path, target: Path) -> None:
        """A file was moved (archived): keep its hash without reading it again."""
        entry = self.index.pop(str(source), None)
        if entry:
            self.index[str(target)] = {"sig": _signature(target), "digest": entry["digest"]}
            self.dirty = True

    def prune(self) -> None:
        """Forget files that are gone (moved, retention) and results no file refers to."""
        self.index = {p: e for p, e in self.index.items() if Path(p).exists()}
        live = {e["digest"] for e in self.index.values()}
        for cached in self.folder.glob("*.pickle"):
            if cached.name.split("-", 1)[0] not in live:
                cached.unlink(missing_ok=True)
        for tmp in self.folder.glob(".~*"):
            tmp.unlink(missing_ok=True)
        self.dirty = True

    def save(self) -> None:
        if self.dirty:
            with replacing(self.folder / INDEX) as tmp:
                tmp.write_text(json.dumps(self.index, ensure_ascii=False), encoding="utf-8")
            self.dirty = False
