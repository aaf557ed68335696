"""The built-in demo district: the real Sarov roadmap 2.3 with twelve schools and indicators.

Everything comes from package data, so the demo runs anywhere the package is installed.
``run_demo`` runs the main job end to end and returns where each output is.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from .executors import Catalogue
from .demo_submissions import FIRST, SECOND, DemoPeriod, write_demo_submissions
from .forms import generate_templates, safe_name
from .history import HISTORY_NAME, history_for_master
from .importing import import_text
from .master import read_master, write_master
from .pipeline import run_consolidation
from .model import Aggregation, Executor, ExecutorKind, Indicator, IndicatorKind, Roadmap, School

ROADMAP_FILE = "sarov_roadmap_2_3.txt"
DISTRICT_FILE = "demo_district.json"


def _data(name: str) -> str:
    return resources.files("roadmap_office").joinpath("data", name).read_text(encoding="utf-8")


def demo_roadmap() -> Roadmap:
    """The demo district's roadmap with its catalogues."""
    district = json.loads(_data(DISTRICT_FILE))
    catalogue = Catalogue(
        [Executor(e["name"], list(e["aliases"]), ExecutorKind(e["kind"])) for e in district["executors"]]
    )
    roadmap = import_text(_data(ROADMAP_FILE), catalogue)
    roadmap.issuer = district["issuer"]
    roadmap.reporting_period = district["reporting_period"]
    roadmap.school_roles = list(district["school_roles"])
    roadmap.schools = [School(s["code"], s["name"], s["full_name"], s["students"],
                              emails=[demo_address(s["code"])])
                       for s in district["schools"]]
    roadmap.indicators = [
        Indicator(
            i["code"], i["name"], i["unit"], IndicatorKind(i["kind"]), i.get("minimum"), i.get("maximum"),
            Aggregation(i["aggregation"]), i.get("target", ""),
        )
        for i in district["indicators"]
    ]
    return roadmap


def demo_address(code: str) -> str:
    """A demo school's address, in the domain reserved for examples (RFC 2606): nothing is delivered."""
    return f"school-{code.lower()}@example.org"


@dataclass
class DemoOutputs:
    """Where the demo wrote its files; the layout is a contract for scripts."""

    outdir: Path
    master: Path
    extra: dict[str, Path] = field(default_factory=dict)
    consolidation: object = None
    errors: list[str] = field(default_factory=list)
    history: Path | None = None  # both periods' history store
    second: DemoOutputs | None = None  # the second reporting period, whose report shows the trend


def run_demo(outdir: str | os.PathLike, formats: tuple[str, ...] = ("xlsx", "ods", "odt", "pdf")) -> DemoOutputs:
    """Two reporting periods: the first half-year in OUTDIR, the second in its own folder, one history."""
    outdir = Path(outdir)
    history = outdir / HISTORY_NAME
    history.unlink(missing_ok=True)  # a re-run tells the same story
    roadmap = demo_roadmap()
    outputs = _run_period(roadmap, outdir, FIRST, formats)
    roadmap.reporting_period = SECOND.label
    roadmap.history_file = f"../{HISTORY_NAME}"  # the masters' «Файл истории»: both periods in one store
    outputs.second = _run_period(roadmap, outdir / safe_name(SECOND.label), SECOND, formats)
    outputs.history = history
    return outputs


def _run_period(roadmap: Roadmap, outdir: Path, period: DemoPeriod, formats: tuple[str, ...]) -> DemoOutputs:
    outdir.mkdir(parents=True, exist_ok=True)
    master = write_master(roadmap, outdir / "master.ods")
    outputs = DemoOutputs(outdir, master)
    templates = outdir / "templates"
    generate_templates(master, templates)
    outputs.extra["Шаблоны отчётов школ (ODS и XLSX)"] = templates
    submissions = outdir / "submissions"
    if submissions.exists():  # a re-run starts from the same sample files
        for old in submissions.iterdir():
            if old.is_file():
                old.unlink()
    write_demo_submissions(read_master(master), submissions, period)
    outputs.extra["Заполненные отчёты школ" + (" (с типичными ошибками)" if period.plant else "")] = submissions
    letters = outdir / "letters"
    for old in letters.glob("*.eml") if letters.is_dir() else ():
        old.unlink()
    result = run_consolidation(master, [submissions], outdir / "report", formats, as_of=period.as_of, jobs=1,
                               history=history_for_master(master), letters=letters)  # the master names its history
    outputs.consolidation = result.consolidation
    outputs.errors = result.errors
    outputs.extra["Письма школам (по файлу .eml на школу)"] = letters
    for path in result.outputs:
        outputs.extra[_OUTPUT_LABELS[path.suffix]] = path
    return outputs


_OUTPUT_LABELS = {
    ".xlsx": "Сводная книга (XLSX)",
    ".ods": "Сводная книга (ODS)",
    ".odt": "Сводный отчёт (ODT)",
    ".pdf": "Сводный отчёт (PDF)",
}
