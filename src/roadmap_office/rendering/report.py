"""The ODT report «Сводный отчёт о ходе реализации дорожной карты» from Jinja2 templates.

The templates live in the top-level ``templates/report`` folder (shipped in the package as
``roadmap_office.templates``); this module only prepares plain values for them and zips the
result into an ODT. Autoescaping is on: text from submissions cannot break the XML.
"""

from __future__ import annotations

import os
import zipfile
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from pathlib import Path

import jinja2

from .. import __version__
from .._files import replacing
from ..merging import Consolidation
from . import texts as T
from .dynamics import report_dynamics

PAGE_WIDTH_CM = 17.0


@dataclass
class _Table:
    name: str
    widths: list[float]


def _environment() -> jinja2.Environment:
    folder = resources.files("roadmap_office.templates") / "report"
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(folder)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )


def _num(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.1f}".replace(".", ",")
    return str(value)


def _widths(*relative: float) -> list[float]:
    total = sum(relative)
    return [round(PAGE_WIDTH_CM * r / total, 2) for r in relative]


def report_context(c: Consolidation, signer: str = "Начальник департамента образования") -> dict:
    tables = [
        _Table("KeyFigures", _widths(12, 5)),
        _Table("Sections", _widths(1.2, 11, 2.4, 2.4)),
        _Table("Schools", _widths(1.4, 9, 2.4, 2.4, 2.4)),
        _Table("Indicators", _widths(1.2, 8, 1.6, 2.6, 2, 2)),
        _Table("Problems", _widths(13, 3)),
    ]
    item_sections = []
    current = None
    for summary in c.items:
        if summary.section is not current:
            current = summary.section
            item_sections.append({"title": f"{current.number} {current.title}", "rows": []})
            tables.append(_Table(f"Items{len(item_sections)}", _widths(1.3, 7.0, 2.6, 1.3, 2.2, 1.3, 2.4)))
        item_sections[-1]["rows"].append([
            summary.item.number, summary.item.event, summary.item.deadline.text, _num(summary.applicable),
            _num(summary.done), _num(summary.done_pct), _num(summary.overdue),
        ])
    dynamics = report_dynamics(c)
    tables += [_Table(name, _widths(*widths)) for name, widths in dynamics["tables"].items()]
    average = c.completion_pct
    lagging = [f"{s.school.name} ({_num(s.completion_pct)} %)" for s in c.schools
               if s.submitted and average is not None and s.completion_pct is not None and s.completion_pct < average]
    key_figures = []
    for label, value in T.key_figures(c):
        key_figures.append([label, _num(value.value if hasattr(value, "value") else value)])
    return {
        "roadmap_title": c.roadmap.title,
        "issuer": c.roadmap.issuer,
        "as_of_line": T.as_of_line(c),
        "warnings": T.warnings(c),
        "tables": tables,
        "tables_by_name": {t.name: t for t in tables},
        "key_figures": key_figures,
        "missing": [f"{s.name}" for s in c.missing],
        "duplicates": [f"{d.school}: {T.duplicate_line(d)}." for d in c.duplicates],
        "rejected": [f"Файл «{r.name}» не принят: {r.rejected}." for r in c.rejected],
        "sections": [[s.section.number, s.section.title, _num(s.done_pct), _num(s.overdue)] for s in c.sections],
        "item_sections": item_sections,
        "schools": [[s.school.code, s.school.name, _num(s.completion_pct) if s.submitted else T.NOT_SUBMITTED,
                     _num(len(s.overdue_items)) if s.submitted else "—", _num(s.problems) if s.submitted else "—"]
                    for s in c.schools],
        "average": _num(average),
        "lagging": lagging,
        "indicators": [[i.indicator.code, i.indicator.name, i.indicator.unit, i.indicator.target or "—",
                        _num(i.district), f"{i.reported} из {len(c.schools)}"] for i in c.indicators],
        "problems": [[s.name, _num(len(s.findings))] for s in c.used + c.superseded if s.findings],
        "signer": signer,
        "chart": {"file": "sections.svg", "width_cm": 16.5, "height_cm": 0.55 * len(c.sections) + 2.2},
        "dynamics": dynamics,
    }


def _chart_svg(env: jinja2.Environment, c: Consolidation, context: dict) -> str:
    width, step, left, top = 620, 20, 70, 36
    bars = [{"label": s.section.number, "value": s.done_pct, "text": f"{_num(s.done_pct)} %"} for s in c.sections]
    height = top + step * len(bars) + 30
    context["chart"]["height_cm"] = round(context["chart"]["width_cm"] * height / width, 2)
    return env.get_template("chart.svg.j2").render(
        title="Выполнение мероприятий по разделам, %", bars=bars, ticks=[0, 20, 40, 60, 80, 100],
        width=width, height=height, left=left, top=top, step=step, scale=(width - left - 60) / 100,
    )


def write_report(c: Consolidation, path: str | os.PathLike, now: datetime | None = None) -> Path:
    """Write the ODT report atomically (a previous report is never left half-overwritten)."""
    env = _environment()
    context = report_context(c)
    svg = _chart_svg(env, c, context)
    pictures = {context["chart"]["file"]: svg}
    for chart in context["dynamics"]["charts"]:
        pictures[chart["file"]] = env.get_template("chart.svg.j2").render(**chart["svg"])
    return write_odt(path, env.get_template("content.xml.j2").render(r=context), T.report_title(c.roadmap),
                     pictures, now)


def write_odt(path: str | os.PathLike, content: str, title: str, pictures: dict[str, str] | None = None,
              now: datetime | None = None) -> Path:
    """An ODT text document of the report's styles around ``content`` (a ``content.xml``),
    written atomically; ``pictures`` are SVG files by name."""
    path = Path(path)
    env = _environment()
    pictures = pictures or {}
    created = (now or datetime.now()).replace(microsecond=0).isoformat()
    parts = {
        "content.xml": content,
        "styles.xml": env.get_template("styles.xml.j2").render(),
        "meta.xml": env.get_template("meta.xml.j2").render(version=__version__, title=title, created=created),
        "META-INF/manifest.xml": env.get_template("manifest.xml.j2").render(pictures=list(pictures)),
        **{f"Pictures/{name}": text for name, text in pictures.items()},
    }
    with replacing(path) as tmp:
        with zipfile.ZipFile(tmp, "w") as archive:
            archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text",
                             compress_type=zipfile.ZIP_STORED)
            for name, text in parts.items():
                archive.writestr(name, text.encode("utf-8"), compress_type=zipfile.ZIP_DEFLATED)
    return path
