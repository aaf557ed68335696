"""The history of consolidations: one SQLite file, one set of rows per reporting period.

Every consolidation saved here keeps, for its period, the figures of the district, each section,
item and school, the indicator values, every school's statuses, dates and results, and the
files used. Saving a period again replaces that period's rows in one transaction, so a run
killed midway leaves the previous history as it was (SQLite's journal rolls the half-write back).

The schema carries its version (table ``schema_version``); :data:`MIGRATIONS` holds the steps
from the first release on, and opening an older file brings it up to date in one transaction.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from .errors import RoadmapError, unwritable_reason
from .locations import HISTORY_NAME as HISTORY_NAME  # re-exported: the batch and the demo name it here
from .locations import history_path
from .merging import Consolidation
from .period import PERIOD_NOT_UNDERSTOOD, Period, PeriodKind, custom
from .presentation import day

# MIGRATIONS[n] brings a file from schema version n to n + 1; never edit a released step, append.
MIGRATIONS: list[str] = [
    """
    CREATE TABLE schema_version (version INTEGER NOT NULL, applied_at TEXT NOT NULL);
    CREATE TABLE periods (
        id INTEGER PRIMARY KEY,
        label TEXT NOT NULL, kind TEXT NOT NULL, start TEXT NOT NULL, end TEXT NOT NULL,
        as_of TEXT NOT NULL, roadmap TEXT NOT NULL, saved_at TEXT NOT NULL,
        schools_expected INTEGER NOT NULL, schools_submitted INTEGER NOT NULL,
        items INTEGER NOT NULL, records INTEGER NOT NULL, applicable INTEGER NOT NULL, done INTEGER NOT NULL,
        completion_pct REAL, overdue INTEGER NOT NULL, problems INTEGER NOT NULL, files_rejected INTEGER NOT NULL,
        UNIQUE (start, end)
    );
    CREATE TABLE section_results (
        period_id INTEGER NOT NULL REFERENCES periods(id), position INTEGER NOT NULL,
        section TEXT NOT NULL, title TEXT NOT NULL,
        applicable INTEGER NOT NULL, done INTEGER NOT NULL, completion_pct REAL, overdue INTEGER NOT NULL,
        PRIMARY KEY (period_id, section)
    );
    CREATE TABLE item_results (
        period_id INTEGER NOT NULL REFERENCES periods(id), position INTEGER NOT NULL,
        item_key TEXT NOT NULL, number TEXT NOT NULL, section TEXT NOT NULL, event TEXT NOT NULL,
        deadline TEXT NOT NULL, deadline_end TEXT,
        applicable INTEGER NOT NULL, done INTEGER NOT NULL, completion_pct REAL, overdue INTEGER NOT NULL,
        PRIMARY KEY (period_id, item_key)
    );
    CREATE TABLE school_results (
        period_id INTEGER NOT NULL REFERENCES periods(id), position INTEGER NOT NULL,
        school TEXT NOT NULL, name TEXT NOT NULL, submitted INTEGER NOT NULL, file TEXT NOT NULL,
        applicable INTEGER NOT NULL, done INTEGER NOT NULL, completion_pct REAL, overdue INTEGER NOT NULL,
        overdue_items TEXT NOT NULL, problems INTEGER NOT NULL,
        PRIMARY KEY (period_id, school)
    );
    CREATE TABLE records (
        period_id INTEGER NOT NULL REFERENCES periods(id),
        school TEXT NOT NULL, item_key TEXT NOT NULL, section TEXT NOT NULL, number TEXT NOT NULL,
        event TEXT NOT NULL, own INTEGER NOT NULL, status TEXT, date_done TEXT, executor TEXT,
        result TEXT NOT NULL, link TEXT NOT NULL, comment TEXT NOT NULL, file TEXT NOT NULL, row INTEGER NOT NULL,
        problems INTEGER NOT NULL
    );
    CREATE INDEX records_by_period ON records (period_id, school);
    CREATE TABLE indicator_results (
        period_id INTEGER NOT NULL REFERENCES periods(id), position INTEGER NOT NULL,
        code TEXT NOT NULL, name TEXT NOT NULL, unit TEXT NOT NULL, kind TEXT NOT NULL, aggregation TEXT NOT NULL,
        target TEXT NOT NULL, district REAL, reported INTEGER NOT NULL,
        PRIMARY KEY (period_id, code)
    );
    CREATE TABLE indicator_values (
        period_id INTEGER NOT NULL REFERENCES periods(id),
        code TEXT NOT NULL, school TEXT NOT NULL, value REAL,
        PRIMARY KEY (period_id, code, school)
    );
    CREATE TABLE files (
        period_id INTEGER NOT NULL REFERENCES periods(id),
        name TEXT NOT NULL, sha256 TEXT NOT NULL, school TEXT NOT NULL,
        use TEXT NOT NULL CHECK (use IN ('used', 'superseded', 'rejected')), reason TEXT NOT NULL
    );
    """,
]
SCHEMA_VERSION = len(MIGRATIONS)
_PERIOD_TABLES = ("section_results", "item_results", "school_results", "records", "indicator_results",
                  "indicator_values", "files")


class HistoryError(RoadmapError):
    """The history file cannot be used; the message says why, in Russian."""


def default_history_path(master: str | os.PathLike) -> Path:
    """Where the history of a master lives when its settings name no other file: beside the master."""
    return Path(history_path(str(master)))


def history_for_master(master: str | os.PathLike) -> Path | None:
    """The history of a master whose period is understood (the macro keeps one): its «Файл истории»
    setting, else beside the master; None when the period is not understood."""
    from .master import read_master

    roadmap = read_master(master)
    return Path(history_path(str(master), roadmap.history_file)) if roadmap.period else None


# ---- opening and migrating --------------------------------------------------------------------


def _version(con: sqlite3.Connection) -> int:
    tables = {row[0] for row in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if "schema_version" not in tables:
        if tables:
            raise sqlite3.DatabaseError("not a roadmap-office history")
        return 0
    row = con.execute("SELECT MAX(version) FROM schema_version").fetchone()
    return row[0] or 0


def _migrate(con: sqlite3.Connection, name: str) -> None:
    con.execute("BEGIN IMMEDIATE")
    try:
        version = _version(con)
        if version > SCHEMA_VERSION:
            raise HistoryError(f"файл истории создан более новой версией программы (схема {version}, "
                               f"поддерживается до {SCHEMA_VERSION}); обновите roadmap-office", file=name)
        for step in range(version, SCHEMA_VERSION):
            for statement in MIGRATIONS[step].split(";"):
                if statement.strip():
                    con.execute(statement)
            con.execute("INSERT INTO schema_version (version, applied_at) VALUES (?, ?)",
                        (step + 1, datetime.now().isoformat(timespec="seconds")))
        con.execute("COMMIT")
    except BaseException:
        if con.in_transaction:  # a COMMIT that failed on a full disk has already ended it
            con.execute("ROLLBACK")
        raise


@contextmanager
def open_history(path: str | os.PathLike | None, create: bool = True) -> Iterator[sqlite3.Connection]:
    """A connection to an up-to-date history file (``None``: a throwaway one in memory)."""
    name = Path(path).name if path else ""
    if path is not None and not create and not Path(path).is_file():
        raise HistoryError("файл истории не найден", file=name)
    try:
        if path is not None:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        con = sqlite3.connect(":memory:" if path is None else os.fspath(path), isolation_level=None, timeout=60)
    except (sqlite3.Error, OSError) as exc:
        raise HistoryError(f"файл истории не открывается: {exc}", file=name) from None
    with closing(con):
        try:
            _migrate(con, name)
        except sqlite3.DatabaseError as exc:
            if unwritable_reason(exc):  # a full disk or a read-only folder, not a foreign file
                raise
            raise HistoryError("файл не является файлом истории сводов roadmap-office (база SQLite)",
                               file=name) from None
        yield con


# ---- saving ---------------------------------------------------------------------------------


def period_of(c: Consolidation) -> Period | None:
    return c.roadmap.period


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def save_consolidation(con: sqlite3.Connection, c: Consolidation, period: Period, details: bool = True) -> int:
    """Replace the rows of ``period`` by this consolidation, all in one transaction.

    Without ``details`` (a store only used to compute the trend) the records and files, which
    the trend never reads, are left out."""
    con.execute("BEGIN IMMEDIATE")
    try:
        old = con.execute("SELECT id FROM periods WHERE start = ? AND end = ?",
                          (period.start.isoformat(), period.end.isoformat())).fetchone()
        if old:
            for table in _PERIOD_TABLES:
                con.execute(f"DELETE FROM {table} WHERE period_id = ?", old)
            con.execute("DELETE FROM periods WHERE id = ?", old)
        period_id = _insert_period(con, c, period)
        _insert_rows(con, c, period_id, details)
        con.execute("COMMIT")
    except BaseException:
        if con.in_transaction:  # a COMMIT that failed on a full disk has already ended it
            con.execute("ROLLBACK")
        raise
    return period_id


def _insert_period(con: sqlite3.Connection, c: Consolidation, period: Period) -> int:
    summary = c.summary_json()
    cursor = con.execute(
        "INSERT INTO periods (label, kind, start, end, as_of, roadmap, saved_at, schools_expected, "
        "schools_submitted, items, records, applicable, done, completion_pct, overdue, problems, files_rejected) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (period.label, period.kind.value, period.start.isoformat(), period.end.isoformat(), c.as_of.isoformat(),
         c.roadmap.title, datetime.now().isoformat(timespec="seconds"), summary["schools_expected"],
         summary["schools_submitted"], summary["items"], summary["records"], c.applicable, c.done,
         c.completion_pct, c.overdue, summary["problems"], len(c.rejected)),
    )
    return cursor.lastrowid


def _insert_rows(con: sqlite3.Connection, c: Consolidation, pid: int, details: bool = True) -> None:
    con.executemany(
        "INSERT INTO section_results VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [(pid, n, s.section.number, s.section.title, s.applicable, s.done, s.done_pct, s.overdue)
         for n, s in enumerate(c.sections)])
    con.executemany(
        "INSERT INTO item_results VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(pid, n, i.item.key, i.item.number, i.section.number, i.item.event, i.item.deadline.text,
          _iso(i.item.deadline.end), i.applicable, i.done, i.done_pct, i.overdue) for n, i in enumerate(c.items)])
    con.executemany(
        "INSERT INTO school_results VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(pid, n, s.school.code, s.school.name, int(s.submitted), s.file, s.applicable, s.done, s.completion_pct,
          len(s.overdue_items), ", ".join(s.overdue_items), s.problems) for n, s in enumerate(c.schools)])
    con.executemany(
        "INSERT INTO indicator_results VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(pid, n, i.indicator.code, i.indicator.name, i.indicator.unit, i.indicator.kind.value,
          i.indicator.aggregation.value, i.indicator.target, i.district, i.reported)
         for n, i in enumerate(c.indicators)])
    con.executemany(
        "INSERT INTO indicator_values VALUES (?, ?, ?, ?)",
        [(pid, i.indicator.code, school, None if value is None else float(value))
         for i in c.indicators for school, value in i.values.items()])
    if not details:
        return
    con.executemany(
        "INSERT INTO records VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(pid, r.school, r.item_key, r.section, r.number, r.event, int(r.own), r.status, _iso(r.date_done),
          r.executor, r.result, r.link, r.comment, r.file, r.row, r.problems) for r in c.records])
    files = [(pid, s.name, s.sha256, s.school, "used", "") for s in c.used]
    files += [(pid, s.name, s.sha256, s.school, "superseded", "") for s in c.superseded]
    files += [(pid, s.name, s.sha256, s.school, "rejected", s.rejected) for s in c.rejected]
    con.executemany("INSERT INTO files VALUES (?, ?, ?, ?, ?, ?)", files)


# ---- reading --------------------------------------------------------------------------------


@dataclass
class Row:
    """One section, item, school or indicator in one period (the columns of its table)."""

    key: str
    name: str
    completion_pct: float | None = None
    overdue: int = 0
    submitted: bool = True
    extra: dict = field(default_factory=dict)


@dataclass
class Snapshot:
    """What the history holds about one period, enough to draw the trend."""

    period: Period
    as_of: date
    schools_expected: int
    schools_submitted: int
    completion_pct: float | None
    overdue: int
    sections: list[Row]
    items: list[Row]
    schools: list[Row]
    indicators: list[Row]

    def summary_json(self) -> dict:
        """One period of ``roadmap-office history --json``; the keys are a contract."""
        return {"period": self.period.label, "start": self.period.start.isoformat(),
                "end": self.period.end.isoformat(), "as_of": self.as_of.isoformat(),
                "schools_expected": self.schools_expected, "schools_submitted": self.schools_submitted,
                "completion_pct": self.completion_pct, "overdue": self.overdue}


def _period(row: sqlite3.Row) -> Period:
    start, end = date.fromisoformat(row["start"]), date.fromisoformat(row["end"])
    try:
        kind = PeriodKind(row["kind"])
    except ValueError:
        kind = PeriodKind.CUSTOM
    return Period(kind, start, end, row["label"])


def snapshots(con: sqlite3.Connection) -> list[Snapshot]:
    """Every period in the history, in time order."""
    con.row_factory = sqlite3.Row
    result = []
    for p in con.execute("SELECT * FROM periods ORDER BY end, start"):
        pid = p["id"]
        sections = [Row(r["section"], r["title"], r["completion_pct"], r["overdue"], extra=_counts(r))
                    for r in con.execute("SELECT * FROM section_results WHERE period_id = ? ORDER BY position",
                                         (pid,))]
        items = [Row(r["item_key"], r["event"], r["completion_pct"], r["overdue"],
                     extra={"number": r["number"], "deadline": r["deadline"], **_counts(r)})
                 for r in con.execute("SELECT * FROM item_results WHERE period_id = ? ORDER BY position", (pid,))]
        schools = [Row(r["school"], r["name"], r["completion_pct"], r["overdue"], bool(r["submitted"]),
                       extra=_counts(r))
                   for r in con.execute("SELECT * FROM school_results WHERE period_id = ? ORDER BY position",
                                        (pid,))]
        indicators = [Row(r["code"], r["name"], r["district"],
                          extra={"unit": r["unit"], "target": r["target"], "kind": r["kind"],
                                 "aggregation": r["aggregation"], "reported": r["reported"]})
                      for r in con.execute("SELECT * FROM indicator_results WHERE period_id = ? ORDER BY position",
                                           (pid,))]
        result.append(Snapshot(_period(p), date.fromisoformat(p["as_of"]), p["schools_expected"],
                               p["schools_submitted"], p["completion_pct"], p["overdue"], sections, items, schools,
                               indicators))
    con.row_factory = None
    return result


def _counts(row: sqlite3.Row) -> dict:
    """The counts a completion share was made of, so a change between periods is computed from
    them, not from two shares already rounded to one decimal."""
    return {"applicable": row["applicable"], "done": row["done"]}


def read_history(path: str | os.PathLike) -> list[Snapshot]:
    """The periods of a history file, in time order (the file must exist)."""
    with open_history(path, create=False) as con:
        return snapshots(con)


def record_history(c: Consolidation, path: str | os.PathLike | None = None) -> list[Snapshot]:
    """Save this consolidation in the history at ``path`` and return the periods up to it.

    Without a path nothing is kept: the consolidation alone makes a one-period history, so
    the trend section always has the same shape.
    """
    period = period_of(c)
    if period is None:
        if path is not None:
            text = c.roadmap.reporting_period
            raise HistoryError(PERIOD_NOT_UNDERSTOOD.format(text=text) if text else
                               "для ведения истории сводов укажите отчётный период в мастер-книге "
                               "(лист «Настройки»)")
        start = c.roadmap.period_start if c.roadmap.period_start and c.roadmap.period_start <= c.as_of else c.as_of
        period = custom(start, c.as_of, c.roadmap.reporting_period or f"на {day(c.as_of)}")
    with open_history(path) as con:
        save_consolidation(con, c, period, details=path is not None)
        history = snapshots(con)
    return [s for s in history if s.period.sort_key <= period.sort_key]
