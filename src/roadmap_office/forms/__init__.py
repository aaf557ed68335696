"""School report templates generated from the master workbook, in ODS and XLSX."""

from __future__ import annotations

import os
import re
from datetime import datetime
from pathlib import Path

from ..errors import RoadmapError
from ..master import read_master, roadmap_fingerprint
from ..model import Roadmap, School
from ..period import PERIOD_NOT_UNDERSTOOD, parse_period
from ..sheets import write_workbook
from .layout import TEMPLATE_VERSION, TemplateInfo, template_id, template_workbook

__all__ = ["TEMPLATE_VERSION", "generate_templates", "template_filename"]

FORMATS = ("ods", "xlsx")


def safe_name(text: str, limit: int = 60) -> str:
    """Letters (Cyrillic too), digits, "-" and "_" only: safe on Windows, Linux and in e-mail."""
    s = text.replace("№", "N").replace("«", "").replace("»", "").replace('"', "")
    s = re.sub(r"[^\w\-]+", "_", s, flags=re.UNICODE).strip("_")
    return re.sub(r"_+", "_", s)[:limit].rstrip("_")


def template_filename(school: School | None, period: str, fmt: str) -> str:
    who = f"{school.code}_{safe_name(school.name, 40)}" if school else "бланк"
    return f"Отчёт_{who}_{safe_name(period, 30)}.{fmt}"


def reporting_period_label(text: str) -> str:
    """The official label of the period a template is made for; a period not understood is refused."""
    if not text:
        raise RoadmapError("не указан отчётный период: задайте его в мастер-книге (лист «Настройки») "
                           "или параметром --period")
    period = parse_period(text)
    if period is None:
        raise RoadmapError(PERIOD_NOT_UNDERSTOOD.format(text=text))
    return period.label


def generate_templates(
    master: str | os.PathLike,
    outdir: str | os.PathLike,
    formats: tuple[str, ...] = FORMATS,
    school_codes: list[str] | None = None,
    period: str | None = None,
    password: str | None = None,
    blank: bool = True,
    now: datetime | None = None,
) -> list[Path]:
    """Write one template per school and format (plus a blank one); returns the paths."""
    roadmap: Roadmap = read_master(master)
    fingerprint = roadmap_fingerprint(roadmap)
    period = reporting_period_label(period or roadmap.reporting_period)
    unknown_formats = [f for f in formats if f not in FORMATS]
    if unknown_formats:
        raise RoadmapError(f"неизвестный формат «{unknown_formats[0]}»; допустимо: ods, xlsx")
    schools: list[School | None] = list(roadmap.schools)
    if school_codes:
        by_code = {s.code: s for s in roadmap.schools}
        missing = [c for c in school_codes if c not in by_code]
        if missing:
            raise RoadmapError(f"в мастер-книге нет школы с кодом «{missing[0]}»")
        schools = [by_code[c] for c in school_codes]
    if blank:
        schools.append(None)
    now = now or datetime.now().replace(microsecond=0)
    outdir = Path(outdir)
    written = []
    for school in schools:
        info = TemplateInfo(template_id(fingerprint, school, period), fingerprint, school, period, now)
        book = template_workbook(roadmap, info, password)
        for fmt in formats:
            written.append(write_workbook(book, outdir / template_filename(school, period, fmt)))
    return written
