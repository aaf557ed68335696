"""Render the report's and the workbook's charts at 12, 100 and 1,000 schools to PNG for the guide.

For each size: a district of N schools (the benchmark's generator: the demo's twelve first, then
made-up ones), consolidated; the report converted to PDF by headless LibreOffice and the page
with each chart cut out with ``pdftoppm`` (and the first page of the
built-in template); the workbook's sheets «По разделам» and «По школам»
written alone (ODS and XLSX), converted, and their chart pages and first page cut out likewise.
Look at every picture before it goes into the guide.

Usage: .venv/bin/python scripts/chart_pictures.py [--sizes 12,100,1000] [--out docs/screenshots/диаграммы]
       [--workdir DIR]
"""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _bench():
    spec = importlib.util.spec_from_file_location("bench_consolidate", ROOT / "bench" / "consolidate.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _pages(pdf: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return text.split("\f")


def _png(pdf: Path, page: int, target: Path, dpi: int = 80) -> Path:
    """Page ``page`` (1-based) of ``pdf`` as ``target`` (PNG)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    stem = target.with_suffix("")
    subprocess.run(["pdftoppm", "-png", "-r", str(dpi), "-f", str(page), "-l", str(page), "-singlefile",
                    str(pdf), str(stem)], check=True)
    return target


def _page_with(pages: list[str], *needles: str, without: str = "") -> int:
    for n, page in enumerate(pages, start=1):
        flat = " ".join(page.split())
        if all(needle in flat for needle in needles) and not (without and without in flat):
            return n
    raise LookupError(f"no page with {needles}")


def _as_writer_shows(path: Path) -> Path:
    """A copy of a template whose fields are grey text, as Writer shows them on screen (a PDF
    prints placeholders blank)."""
    from odf import style, teletype, text
    from odf.opendocument import load

    document = load(str(path))
    shade = style.Style(name="FieldShade", family="text")
    shade.addElement(style.TextProperties(backgroundcolor="#c0c0c0"))
    document.automaticstyles.addElement(shade)
    for placeholder in list(document.text.getElementsByType(text.Placeholder)):
        span = text.Span(stylename=shade, text=teletype.extractText(placeholder))
        placeholder.parentNode.insertBefore(span, placeholder)
        placeholder.parentNode.removeChild(placeholder)
    shown = path.with_name("шаблон_на_экране.odt")
    document.save(str(shown))
    return shown


def render(n: int, out: Path, workdir: Path) -> list[Path]:
    from roadmap_office.office import convert_to_pdf
    from roadmap_office.pipeline import run_consolidation
    from roadmap_office.rendering import consolidated_workbook
    from roadmap_office.sheets import Workbook, write_workbook

    bench = _bench()
    if n == 12:
        from roadmap_office.demo import run_demo

        demo = run_demo(workdir / "demo", formats=("odt",))
        master, inbox = demo.master, demo.outdir / "submissions"
    else:
        master, inbox = bench.generate(workdir / f"district_{n}", n, fresh=False)
    result = run_consolidation(master, [inbox], workdir / f"out_{n}", ("odt", "pdf"))
    made = []
    pdf = workdir / f"out_{n}" / "Сводный_отчёт.pdf"
    pages = _pages(pdf)
    made.append(_png(pdf, _page_with(pages, "Рисунок 2."), out / f"отчёт_школы_{n}.png"))
    if n == 12:
        made.append(_png(pdf, _page_with(pages, "Рисунок 1."), out / "отчёт_разделы.png"))
        from roadmap_office.rendering.report import write_report_template

        template = convert_to_pdf(_as_writer_shows(write_report_template(workdir / "шаблон.odt")),
                                  workdir / "шаблон.pdf")
        made.append(_png(template, 1, out / "шаблон_отчёта.png"))
    book = consolidated_workbook(result.consolidation)
    wanted = ["По школам"]
    for suffix in ("ods", "xlsx"):
        alone = Workbook([book.sheet(name) for name in wanted], title=book.title, page_header=book.page_header)
        path = write_workbook(alone, workdir / f"книга_{n}.{suffix}")
        sheet_pdf = convert_to_pdf(path, workdir / f"книга_{n}_{suffix}.pdf", timeout=900)
        pages = _pages(sheet_pdf)
        chart_page = len(pages) - 1 if not pages[-1].strip() else len(pages)  # the chart is printed last
        made.append(_png(sheet_pdf, chart_page, out / f"книга_школы_{n}_{suffix}.png"))
        if n == 1000:
            made.append(_png(sheet_pdf, 2, out / f"книга_печать_{n}_{suffix}.png"))
    return made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="12,100,1000")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots" / "диаграммы")
    parser.add_argument("--workdir", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="roadmap-charts-") as scratch:
        workdir = args.workdir or Path(scratch)
        for n in (int(s) for s in args.sizes.split(",")):
            for path in render(n, args.out, workdir):
                print(path)


if __name__ == "__main__":
    main()
