"""The main job end to end: read → check → merge → render, shared by the CLI, the extension
and the nightly batch.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from .checking import CheckedSubmission, check_file, check_submission
from .checking.selfcheck import roadmap_from_submission
from .errors import RoadmapError
from .master import master_checksum, read_master
from .merging import Consolidation, consolidate
from .model import Roadmap
from .reading import SubmissionReadError, read_submission

SUBMISSION_SUFFIXES = (".ods", ".xlsx")
OUTPUT_FORMATS = ("xlsx", "ods", "odt", "pdf")
WORKBOOK_NAME = "Свод_по_дорожной_карте"
REPORT_NAME = "Сводный_отчёт"
PARALLEL_FROM = 8  # files; below this a process pool costs more than it saves

Progress = Callable[[int, int, str], None]


class ConversionFailed(RoadmapError):
    """PDF conversion failed; the other outputs were written."""

    exit_code = 4


def collect_inputs(inputs: Iterable[str | os.PathLike]) -> list[Path]:
    """Files given directly plus the ODS/XLSX files inside given folders (not hidden, not lock files)."""
    found: list[Path] = []
    for item in inputs:
        path = Path(item)
        if path.is_dir():
            found += sorted(p for p in path.iterdir()
                            if p.is_file() and not p.name.startswith((".", "~$"))
                            and p.suffix.lower() in SUBMISSION_SUFFIXES)
        elif path.exists():
            found.append(path)
        else:
            raise RoadmapError(f"не найден файл или папка: {path}")
    unique = list(dict.fromkeys(p.resolve() for p in found))
    return unique


def check_files(paths: list[Path], roadmap: Roadmap, checksum: str | None, jobs: int | None = None,
                progress: Progress | None = None) -> list[CheckedSubmission]:
    """Check many files; with many files and ``jobs`` != 1 a process pool does it in parallel."""
    jobs = jobs if jobs is not None else (os.cpu_count() or 1)
    results: list[CheckedSubmission] = []
    if jobs > 1 and len(paths) >= PARALLEL_FROM:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            for n, result in enumerate(pool.map(check_file, paths, [roadmap] * len(paths),
                                                [checksum] * len(paths), chunksize=4), start=1):
                results.append(result)
                if progress:
                    progress(n, len(paths), result.name)
        return results
    for n, path in enumerate(paths, start=1):
        results.append(check_file(path, roadmap, checksum))
        if progress:
            progress(n, len(paths), path.name)
    return results


def check_one(path: str | os.PathLike, master: str | os.PathLike | None = None) -> CheckedSubmission:
    """Check a school's file against the master, or against the template's own lists."""
    path = Path(path)
    if master is not None:
        return check_file(path, read_master(master), master_checksum(master))
    try:
        raw = read_submission(path)
    except SubmissionReadError as exc:
        return CheckedSubmission(path, rejected=str(exc))
    return check_submission(raw, roadmap_from_submission(raw))


@dataclass
class ConsolidationResult:
    consolidation: Consolidation
    outputs: list[Path] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # outputs that could not be made


def run_consolidation(
    master: str | os.PathLike,
    inputs: Iterable[str | os.PathLike],
    outdir: str | os.PathLike,
    formats: Iterable[str] = ("xlsx", "ods", "odt"),
    as_of: date | None = None,
    jobs: int | None = None,
    progress: Progress | None = None,
) -> ConsolidationResult:
    from .rendering import consolidated_workbook, write_report
    from .sheets import write_workbook

    formats = tuple(formats)
    roadmap = read_master(master)
    paths = collect_inputs(inputs)
    checked = check_files(paths, roadmap, master_checksum(master), jobs, progress)
    consolidation = consolidate(roadmap, checked, as_of or date.today())
    result = ConsolidationResult(consolidation)
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    if {"xlsx", "ods"} & set(formats):
        book = consolidated_workbook(consolidation)
        for fmt in ("xlsx", "ods"):
            if fmt in formats:
                result.outputs.append(write_workbook(book, outdir / f"{WORKBOOK_NAME}.{fmt}"))
    if {"odt", "pdf"} & set(formats):
        odt = write_report(consolidation, outdir / f"{REPORT_NAME}.odt")
        if "odt" in formats:
            result.outputs.append(odt)
        if "pdf" in formats:
            from .office import OfficeError, convert_to_pdf

            try:
                result.outputs.append(convert_to_pdf(odt, outdir / f"{REPORT_NAME}.pdf"))
            except OfficeError as exc:
                result.errors.append(str(exc))
            finally:
                if "odt" not in formats:
                    odt.unlink(missing_ok=True)
    return result
