"""The main job as composable steps, shared by the CLI, the extension and the nightly batch:

collect inputs → check files (a process pool, a result cache) → pick each school's current
file → merge → write outputs (one format registry) into a staging folder → publish atomically
→ (optionally) a letter to every school.

``run_consolidation`` chains the steps for the CLI and the macro; the batch calls the same
steps and adds only its file policy (inbox, archive, quarantine, lock, logs, retention).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path
import typing
from typing import TYPE_CHECKING

from ._bulk import bulk_objects
from .checking import CheckedSubmission, refused
from .checking.isolated import check_isolated
from .errors import Exit, OutputError, RoadmapError, unwritable_reason
from .history import record_history
from .inputs import IGNORED, REPORT, InputEntry, classify_entry, classify_folder, classify_name
from .master import read_master, roadmap_fingerprint
from .merging import Consolidation, consolidate
from .model import Roadmap
from .presentation import day
from .selection import Selection as Selection  # the pick step, re-exported with the others
from .selection import files_to_consolidate as files_to_consolidate
from .selection import pick_current as pick_current

if TYPE_CHECKING:
    from .cache import ResultCache
    from .rendering.report import ReportTemplate

WORKBOOK_NAME = "Свод_по_дорожной_карте"
REPORT_NAME = "Сводный_отчёт"
PARALLEL_FROM = 8  # files; below this a process pool costs more than it saves
STAGING_PREFIX = ".staging-"

Progress = typing.Callable[[int, int, str], None]  # typing's: evaluated at import, on 3.8 too; (files done, files in all, the school or file just read)


class ConversionFailed(RoadmapError):
    """PDF conversion failed; the other outputs were written."""

    exit_code = Exit.PDF


# ---- 1. collect --------------------------------------------------------------------------


def is_submission_name(name: str) -> bool:
    """An ODS/XLSX file name that is not hidden and not an office lock file."""
    return classify_name(name).verdict == REPORT


@dataclass
class Inputs:
    """What the given files and folders hold, by the one folder policy (``inputs.classify_folder``)."""

    reports: list[Path] = field(default_factory=list)
    refused: list[InputEntry] = field(default_factory=list)  # other formats, archives, subfolders
    ignored: list[InputEntry] = field(default_factory=list)  # lock files and other system junk


def gather_inputs(inputs: Iterable[str | os.PathLike]) -> Inputs:
    """Every entry of the given folders (and every file given directly) with its verdict."""
    found = Inputs()
    for item in inputs:
        path = Path(item)
        if path.is_dir():
            entries = classify_folder(path)
        elif path.exists():
            entries = [classify_entry(path)]
        else:
            raise RoadmapError(f"не найден файл или папка: {path}")
        for entry in entries:
            if entry.verdict == REPORT:
                found.reports.append(entry.path.resolve())
            else:
                (found.ignored if entry.verdict == IGNORED else found.refused).append(entry)
    found.reports = list(dict.fromkeys(found.reports))
    return found


def collect_inputs(inputs: Iterable[str | os.PathLike]) -> list[Path]:
    """The reports among the given files and folders (ODS/XLSX; not lock files or hidden files)."""
    return gather_inputs(inputs).reports


# ---- 2. check ----------------------------------------------------------------------------


@bulk_objects()
def check_files(paths: list[Path], roadmap: Roadmap, fingerprint: str | None, jobs: int | None = None,
                progress: Progress | None = None, cache: ResultCache | None = None) -> list[CheckedSubmission]:
    """Check many files; with many files and ``jobs`` != 1 a process pool does it in parallel.

    With a ``cache`` a file whose content (and master, and library version) was checked before
    is not read again; only the others go to the checker.
    """
    results: dict[int, CheckedSubmission] = {}
    todo: list[int] = []
    for n, path in enumerate(paths):
        hit = cache.get(path) if cache else None
        if hit is not None:
            results[n] = hit
        else:
            todo.append(n)
    done = len(results)
    if progress and done:
        progress(done, len(paths), "")
    fresh = _check_many([paths[n] for n in todo], roadmap, fingerprint, jobs)
    schools = {s.code: s.name for s in roadmap.schools}
    for n, result in zip(todo, fresh):
        results[n] = result
        if cache:
            cache.put(paths[n], result)
        done += 1
        if progress:  # the school when the file says which, else the file
            progress(done, len(paths), schools.get(result.school) or result.name)
    return [results[n] for n in range(len(paths))]


def _check_many(paths: list[Path], roadmap: Roadmap, fingerprint: str | None, jobs: int | None):
    """Worker processes (in parallel with many files): a file that cannot be read, or kills
    or hangs its worker, comes back refused with a Russian reason; nothing raises."""
    jobs = jobs if jobs is not None else (os.cpu_count() or 1)
    yield from check_isolated(paths, roadmap, fingerprint, jobs if len(paths) >= PARALLEL_FROM else 1)


def check_one(path: str | os.PathLike, master: str | os.PathLike | None = None) -> CheckedSubmission:
    """Check a school's file against the master, or against the template's own lists."""
    path = Path(path)
    roadmap = read_master(master) if master is not None else None
    fingerprint = roadmap_fingerprint(roadmap) if roadmap is not None else None
    return next(check_isolated([path], roadmap, fingerprint))


# ---- 3. pick the current file of each school: selection.pick_current -------------------
# ---- 4. merge: merging.consolidate --------------------------------------------------------
# ---- 5. write outputs --------------------------------------------------------------------


class _Render:
    """One consolidation being rendered: intermediates shared by several formats are built once."""

    def __init__(self, consolidation: Consolidation, folder: Path, pdf_timeout: float,
                 template: ReportTemplate | None = None) -> None:
        self.c = consolidation
        self.folder = folder
        self.pdf_timeout = pdf_timeout
        self.template = template
        self._odt: Path | None = None
        self._odt_aside = None

    @cached_property
    def book(self):
        from .rendering import consolidated_workbook

        return consolidated_workbook(self.c)

    def odt(self) -> Path:
        """The ODT report (written once; the PDF is made from it)."""
        if self._odt is None:
            self._odt = self._odt_aside.result() if self._odt_aside else self._write_odt()
        return self._odt

    def odt_aside(self) -> None:
        """Write the ODT in a forked child, on the core that is idle while the workbook is built."""
        from ._forked import Forked

        self._odt_aside = Forked(self._write_odt, _writer_crashed(f"{REPORT_NAME}.odt"))

    def _write_odt(self) -> Path:
        from .rendering import write_report

        return write_report(self.c, self.folder / f"{REPORT_NAME}.odt", template=self.template)


def _workbook(r: _Render, target: Path) -> Path:
    from .sheets import write_workbook

    return write_workbook(r.book, target)


def _report(r: _Render, target: Path) -> Path:
    return r.odt()


def _converted(r: _Render, target: Path) -> Path:
    """The report converted by LibreOffice into the target's format (PDF, DOCX)."""
    from .office import OfficeError, convert_document

    try:
        return convert_document(r.odt(), target, target.suffix.lstrip("."), timeout=r.pdf_timeout, workdir=r.folder)
    except OfficeError as exc:
        raise ConversionFailed(str(exc)) from None


@dataclass(frozen=True)
class OutputFormat:
    name: str
    filename: str
    write: Callable[[_Render, Path], Path]


# The one list of output formats: a new format is one entry here.
OUTPUTS: dict[str, OutputFormat] = {f.name: f for f in (
    OutputFormat("xlsx", f"{WORKBOOK_NAME}.xlsx", _workbook),
    OutputFormat("ods", f"{WORKBOOK_NAME}.ods", _workbook),
    OutputFormat("odt", f"{REPORT_NAME}.odt", _report),
    OutputFormat("pdf", f"{REPORT_NAME}.pdf", _converted),
    OutputFormat("docx", f"{REPORT_NAME}.docx", _converted),
)}
REPORT_FORMATS = ("odt", "pdf", "docx")  # the formats made from the ODT report
OUTPUT_FORMATS = tuple(OUTPUTS)


@dataclass
class Rendered:
    outputs: list[Path] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # outputs that could not be made (PDF)


@bulk_objects()
def render_outputs(consolidation: Consolidation, staging: Path, formats: Iterable[str],
                   pdf_timeout: float = 180.0, template: ReportTemplate | None = None) -> Rendered:
    """Write the chosen formats into ``staging`` (the report from ``template``, by default the
    built-in one). A failed PDF or DOCX is reported, not raised; a full disk or a read-only
    folder raises OutputError."""
    staging.mkdir(parents=True, exist_ok=True)
    formats = [f for f in OUTPUT_FORMATS if f in set(formats)]
    render = _Render(consolidation, staging, pdf_timeout, template)
    rendered = Rendered()
    aside = None
    try:
        with writing_to(staging):
            if _parallel(render, formats) and set(REPORT_FORMATS) & set(formats):
                render.odt_aside()
            aside = _xlsx_aside(render, formats, staging)
            written: dict[str, Path] = {}
            for name in formats:
                fmt = OUTPUTS[name]
                if aside and name == "xlsx":
                    continue
                try:
                    written[name] = fmt.write(render, staging / fmt.filename)
                except ConversionFailed as exc:
                    rendered.errors.append(str(exc))
            if aside:
                written["xlsx"] = aside.result()
            rendered.outputs = [written[name] for name in formats if name in written]
            odt = staging / OUTPUTS["odt"].filename
            if "odt" not in formats and odt.exists():
                odt.unlink()  # only an intermediate of the PDF or DOCX
    finally:  # an output that failed leaves no writer running
        for job in (aside, render._odt_aside):
            if job is not None:
                job.cancel()
    return rendered


PARALLEL_RECORDS = 5000  # records; below this a writer process of its own costs more than it saves


def _parallel(render: _Render, formats: list[str]) -> bool:
    """Several outputs of a large consolidation are written by forked children beside this process."""
    from ._forked import can_fork

    return len(formats) >= 2 and len(render.c.records) >= PARALLEL_RECORDS and can_fork()


def _xlsx_aside(render: _Render, formats: list[str], staging: Path):
    """With a large workbook and other outputs to make, XLSX is written by a forked child on
    the second core while this process writes the rest."""
    from ._forked import Forked

    if "xlsx" not in formats or not _parallel(render, formats):
        return None
    from .sheets.spec import estimated_row_heights

    for sheet in render.book.sheets:  # built once, before the fork, for both writers
        estimated_row_heights(sheet)
    target = staging / OUTPUTS["xlsx"].filename
    return Forked(lambda: OUTPUTS["xlsx"].write(render, target), _writer_crashed(target.name))


def _writer_crashed(name: str) -> Callable[[], OutputError]:
    """The error of a forked writer that died without a word."""
    return lambda: OutputError(f"не удалось записать {name}: процесс записи завершился аварийно")


def publish(staging: Path, target: Path, names: Iterable[str] | None = None) -> list[Path]:
    """Put the staged files into ``target``: all are first copied beside their targets, then
    each is renamed over its old version, so a full disk leaves the previous set untouched."""
    names = list(names) if names is not None else sorted(p.name for p in staging.iterdir() if p.is_file())
    placed: list[tuple[Path, Path]] = []
    with writing_to(target):
        target.mkdir(parents=True, exist_ok=True)
        try:
            for name in names:
                fd, tmp = tempfile.mkstemp(prefix=f".~{Path(name).stem}.", suffix=Path(name).suffix, dir=target)
                os.close(fd)
                placed.append((Path(tmp), target / name))
                shutil.copyfile(staging / name, tmp)
                with open(tmp, "rb+") as handle:
                    os.fsync(handle.fileno())
                umask = os.umask(0)
                os.umask(umask)
                os.chmod(tmp, 0o666 & ~umask)
            for tmp, final in placed:
                os.replace(tmp, final)
        finally:
            for tmp, _ in placed:
                tmp.unlink(missing_ok=True)
    return [final for _, final in placed]


class writing_to:
    """Turn a full disk, a read-only or forbidden folder into a Russian OutputError (exit code 5);
    the message names the file when the error does, else the folder being written."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind, exc, tb) -> bool:
        why = unwritable_reason(exc)
        if why is not None:
            where = f"файл {exc.filename}" if getattr(exc, "filename", None) else f"результаты в папку {self.folder}"
            raise OutputError(f"не удалось записать {where}: {why}; прежние результаты сохранены") from None
        return False


@dataclass
class ConsolidationResult:
    consolidation: Consolidation
    outputs: list[Path] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # outputs that could not be made
    letters: list[Path] = field(default_factory=list)  # one .eml per school, when asked for


def write_outputs(consolidation: Consolidation, outdir: str | os.PathLike, formats: Iterable[str],
                  pdf_timeout: float = 180.0, template: ReportTemplate | None = None) -> Rendered:
    """Render into a staging folder inside ``outdir`` and publish there atomically."""
    outdir = Path(outdir)
    with writing_to(outdir):
        outdir.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=outdir))
    try:
        rendered = render_outputs(consolidation, staging, formats, pdf_timeout, template)
        names = [p.name for p in rendered.outputs]
        return Rendered(publish(staging, outdir, names), rendered.errors)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def report_template_for(master_folder: str | os.PathLike, roadmap: Roadmap,
                        given: str | os.PathLike | None = None) -> ReportTemplate:
    """The report's template, read and checked: ``given``, else the master's setting «Шаблон
    отчёта» (a path relative to the master's folder), else the built-in one."""
    from .rendering.report import report_template

    if given is None and roadmap.report_template:
        given = Path(master_folder) / roadmap.report_template
    return report_template(given)


def default_as_of(roadmap: Roadmap, today: date | None = None) -> date:
    """The day overdue items are counted at unless one is given: the end of the reporting period
    once it has passed (a report for «I полугодие 2022 г.» is as of 30.06.2022), else today."""
    today = today or date.today()
    period = roadmap.period if roadmap is not None else None
    return period.end if period is not None and period.end < today else today


AS_OF_AFTER_END_DAYS = 366  # late reports: up to a year after the period's end


def as_of_problem(roadmap: Roadmap, as_of: date) -> str:
    """Why a report date cannot be right for this roadmap's reporting period («31.12.2200»
    typed into a field that kept the old text), in Russian; "" when it is within the period or
    up to a year after it, or when the period is not known."""
    from datetime import timedelta

    period = roadmap.period
    if period is None:
        return ""
    last = period.end + timedelta(days=AS_OF_AFTER_END_DAYS)
    if period.start <= as_of <= last:
        return ""
    return (f"дата «{day(as_of)}», на которую составляется свод, не относится к отчётному периоду "
            f"«{period.label}» ({period.span}): укажите дату с {day(period.start)} по {day(last)}")


def run_consolidation(
    master: str | os.PathLike,
    inputs: Iterable[str | os.PathLike],
    outdir: str | os.PathLike,
    formats: Iterable[str] = ("xlsx", "ods", "odt"),
    as_of: date | None = None,
    jobs: int | None = None,
    progress: Progress | None = None,
    history: str | os.PathLike | None = None,
    report_template: str | os.PathLike | None = None,
    master_folder: str | os.PathLike | None = None,
    letters: str | os.PathLike | None = None,
) -> ConsolidationResult:
    """The whole job for the CLI and the macro: every step above in order; the period is kept in the
    ``history`` file when one is given. The report's template (``report_template``, else the
    master's setting «Шаблон отчёта», relative to ``master_folder``, by default the master's own)
    is checked before any file is read. Every school's letter is written into ``letters`` (one
    ``.eml`` each) when it is given."""
    formats = tuple(formats)
    roadmap = read_master(master)
    as_of = as_of or default_as_of(roadmap)
    problem = as_of_problem(roadmap, as_of)
    if problem:  # before a file is read or a history row written
        raise RoadmapError(problem)
    template = (report_template_for(master_folder or Path(master).resolve().parent, roadmap, report_template)
                if set(REPORT_FORMATS) & set(formats) else None)
    found = gather_inputs(inputs)
    checked = check_files(found.reports, roadmap, roadmap_fingerprint(roadmap), jobs, progress)
    checked += [refused(entry.path, entry.reason) for entry in found.refused]
    consolidation = consolidate(roadmap, checked, as_of)
    consolidation.ignored = found.ignored
    with writing_to(Path(history).parent if history else Path(outdir)):  # the store may share a full disk
        consolidation.history = record_history(consolidation, history)
    rendered = write_outputs(consolidation, outdir, formats, template=template)
    result = ConsolidationResult(consolidation, rendered.outputs, rendered.errors)
    if letters is not None:
        from .mail.eml import write_school_letters

        result.letters = write_school_letters(consolidation, master, letters)
    return result
