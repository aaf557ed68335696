"""Check results kept between runs, so a file already checked is never read again.

A result is keyed by the file's content hash, the master's checksum and a digest of the
library's own source code, computed at run time: any change to a rule, a message or the reader
makes every earlier result stale, with no version number anyone could forget to raise. Results
are stored as JSON data, never as pickles; an entry that is damaged, made by something else or
that does not match its key is ignored and the file is checked again.

An index maps a path and its size/mtime to the hash, so a known file is not even hashed again:
a night without new files reads no submission.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import shutil
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path

from ._files import replacing
from .checking import CheckedSubmission, Finding, IndicatorValue, Record
from .period import Period, PeriodKind

INDEX = "index.json"
FORMAT = 1  # the layout of an entry below; the rules' digest covers what the check decides


def rules_digest(package: Path = Path(__file__).parent) -> str | None:
    """A digest of every Python source of the package (rules, messages, readers, templates).

    None when the sources cannot be read (an installation without them): results are then
    never reused, rather than reused across a change nobody can see."""
    digest = hashlib.sha256()
    sources = sorted(p for p in package.rglob("*.py") if "__pycache__" not in p.parts)
    if not sources:
        return None
    for path in sources:
        try:
            data = path.read_bytes()
        except OSError:
            return None
        digest.update(path.relative_to(package).as_posix().encode("utf-8") + b"\0" + data + b"\0")
    return digest.hexdigest()


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
    def __init__(self, folder: Path, checksum: str, rules: str | None = None) -> None:
        self.base = folder
        self.rules = rules or rules_digest()
        self.folder = folder / (self.rules[:16] if self.rules else "off")
        self.checksum = (checksum or "none")[:16]
        self.folder.mkdir(parents=True, exist_ok=True)
        for other in folder.iterdir():  # results of other rules are never reused
            if other.is_dir() and other != self.folder:
                shutil.rmtree(other, ignore_errors=True)
        try:
            index = json.loads((self.folder / INDEX).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            index = {}
        # an entry of another shape is dropped, not trusted
        self.index: dict[str, dict] = {p: e for p, e in index.items() if _index_entry(e)} if isinstance(
            index, dict) else {}
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
        return self.folder / f"{digest}-{self.checksum}.json"

    def get(self, path: Path) -> CheckedSubmission | None:
        """The stored result of this file's content, or None (then the file is checked again)."""
        if not self.rules:
            return None
        try:
            digest = self.digest(path)
            data = json.loads(self._result_path(digest).read_text(encoding="utf-8"))
            key = {"format": FORMAT, "rules": self.rules, "checksum": self.checksum, "file": digest}
            if not isinstance(data, dict) or any(data.get(name) != value for name, value in key.items()):
                return None  # another version, master or file: not this result
            result = decode_result(data["result"], path)
            result.modified = datetime.fromtimestamp(path.stat().st_mtime)
        except (OSError, ValueError, KeyError, TypeError):  # missing or damaged: only a lost shortcut
            return None
        return result

    def put(self, path: Path, result: CheckedSubmission) -> None:
        if not self.rules:
            return
        digest = self.digest(path)
        entry = {"format": FORMAT, "rules": self.rules, "checksum": self.checksum, "file": digest,
                 "result": encode_result(result)}
        with replacing(self._result_path(digest)) as tmp:
            tmp.write_text(json.dumps(entry, ensure_ascii=False), encoding="utf-8")

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
        for cached in self.folder.iterdir():
            if cached.name != INDEX and (cached.name.startswith(".~") or cached.name.split("-", 1)[0] not in live):
                cached.unlink(missing_ok=True)
        self.dirty = True

    def save(self) -> None:
        if self.dirty:
            with replacing(self.folder / INDEX) as tmp:
                tmp.write_text(json.dumps(self.index, ensure_ascii=False), encoding="utf-8")
            self.dirty = False


def _index_entry(entry) -> bool:
    return (isinstance(entry, dict) and isinstance(entry.get("digest"), str) and isinstance(entry.get("sig"), list)
            and all(isinstance(n, int) for n in entry["sig"]))


# ---- results as data ---------------------------------------------------------------------------
# Each stored field is checked against its declared type on the way back; a field of a type
# this codec does not know makes the entry unusable (the file is checked again), never guessed.
_SIMPLE = {"str": (str,), "int": (int,), "float": (int, float), "bool": (bool,), "None": (type(None),)}


def encode_result(result: CheckedSubmission) -> dict:
    data = {name: _encode(value) for name, value in _stored_fields(result)}
    data["records"] = [_encode_plain(r) for r in result.records]
    data["indicators"] = [_encode_plain(v) for v in result.indicators]
    data["findings"] = [_encode_plain(f) for f in result.findings]
    data["period"] = None if result.period is None else {
        "kind": result.period.kind.value, "start": result.period.start.isoformat(),
        "end": result.period.end.isoformat(), "label": result.period.label}
    return data


def decode_result(data: dict, path: Path) -> CheckedSubmission:
    """A result from stored data, for the file at ``path``; TypeError or ValueError when the data
    do not have exactly the stored shape."""
    stored = set(_field_types(CheckedSubmission)) - {"path", "modified"}
    if not isinstance(data, dict) or set(data) != stored:
        raise TypeError("not a result")
    values = {name: _decode(data[name], field) for name, field in _field_types(CheckedSubmission).items()
              if name not in ("path", "modified", "records", "indicators", "findings", "period")}
    period = data["period"]
    if period is not None:
        period = Period(PeriodKind(period["kind"]), date.fromisoformat(period["start"]),
                        date.fromisoformat(period["end"]), _checked(period["label"], "str"))
    return CheckedSubmission(
        path=path, records=[_decode_plain(Record, r) for r in _list(data["records"])],
        indicators=[_decode_plain(IndicatorValue, v) for v in _list(data["indicators"])],
        findings=[_decode_plain(Finding, f) for f in _list(data["findings"])], period=period, **values)


def _stored_fields(result: CheckedSubmission):
    return [(f.name, getattr(result, f.name)) for f in dataclasses.fields(result)
            if f.name not in ("path", "modified", "records", "indicators", "findings", "period")]


def _encode_plain(obj) -> dict:
    return {f.name: _encode(getattr(obj, f.name)) for f in dataclasses.fields(obj)}


def _decode_plain(cls, data):
    if not isinstance(data, dict) or set(data) != set(_field_types(cls)):
        raise TypeError(f"not a {cls.__name__}")
    return cls(**{name: _decode(data[name], kind) for name, kind in _field_types(cls).items()})


def _encode(value):
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value


def _decode(value, kind: str):
    if kind in ("date | None", "datetime | None"):
        if value is None:
            return None
        kind = kind.split(" ")[0]
    if kind == "date":
        return date.fromisoformat(_checked(value, "str"))
    if kind == "datetime":
        return datetime.fromisoformat(_checked(value, "str"))
    return _checked(value, kind)


def _checked(value, kind: str):
    allowed: tuple = ()
    for name in kind.split("|"):
        if name.strip() not in _SIMPLE:
            raise TypeError(f"a field of type {kind} is not stored")
        allowed += _SIMPLE[name.strip()]
    if not isinstance(value, allowed) or (type(value) is bool and bool not in allowed):  # True is no count
        raise TypeError(f"{value!r} is not {kind}")
    return value


def _list(value) -> list:
    if not isinstance(value, list):
        raise TypeError("not a list")
    return value


@lru_cache(maxsize=None)
def _field_types(cls) -> dict[str, str]:
    """Field name -> its declared type as written (``from __future__ import annotations``)."""
    return {f.name: f.type if isinstance(f.type, str) else f.type.__name__ for f in dataclasses.fields(cls)}
