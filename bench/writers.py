"""Benchmark: writing a region's consolidated workbook as XLSX, our writer against XlsxWriter.

Why the XLSX writer is our own: XlsxWriter's public interface in constant-memory mode takes
every cell through a Python call (and stores texts inline in every cell). This script checks N
generated school files once (as ``bench/consolidate.py`` does, sharing its files), builds the
consolidated workbook spec, then writes it alternately with both writers and prints the
medians and their ratio. Only ratios measured in one run mean much on a shared machine.

Usage: .venv/bin/python bench/writers.py --n 1000 [--repeat 3] [--workdir DIR]
(XlsxWriter comes with the ``bench`` extra.)
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

_STYLE = {  # the look of our styles, in XlsxWriter's terms
    "text": {}, "bold": {"bold": True}, "header": {"bold": True, "pattern": 1, "bg_color": "#D9E2F3"},
    "section": {"bold": True, "pattern": 1, "bg_color": "#EDEDED"}, "title": {"bold": True, "font_size": 13},
    "note": {"italic": True, "font_size": 9}, "input": {"pattern": 1, "bg_color": "#FFF2CC"},
    "input_date": {"pattern": 1, "bg_color": "#FFF2CC", "num_format": "DD.MM.YYYY"},
    "date": {"num_format": "DD.MM.YYYY"}, "number": {"num_format": "0.##"}, "percent": {"num_format": "0.0"},
}


def write_with_xlsxwriter(book, path: Path) -> None:
    """The cells and their looks through XlsxWriter's public cell-by-cell interface (constant memory)."""
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_formulas": False,
                                         "strings_to_numbers": False, "strings_to_urls": False})
    formats = {}
    for sheet in book.sheets:
        ws = wb.add_worksheet(sheet.name)
        for r, row in enumerate(sheet.rows):
            for c, cell in enumerate(row):
                key = (cell.style, cell.locked)
                if key not in formats:
                    formats[key] = wb.add_format(dict(_STYLE[cell.style], font_name="Liberation Sans", border=1,
                                                      valign="top", locked=cell.locked))
                value = cell.value
                if value is None:
                    ws.write_blank(r, c, None, formats[key])
                elif isinstance(value, str):
                    ws.write_string(r, c, value, formats[key])
                elif isinstance(value, (int, float)):
                    ws.write_number(r, c, value, formats[key])
                else:
                    ws.write_datetime(r, c, value, formats[key])
    wb.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workdir", type=Path)
    args = parser.parse_args()

    from consolidate import generate

    from roadmap_office.master import read_master, roadmap_fingerprint
    from roadmap_office.merging import consolidate
    from roadmap_office.pipeline import check_files, collect_inputs, default_as_of
    from roadmap_office.rendering import consolidated_workbook
    from roadmap_office.sheets.spec import estimated_row_heights
    from roadmap_office.sheets.xlsx import write_xlsx

    workdir = args.workdir or Path(tempfile.gettempdir()) / f"roadmap-bench-{args.n}"
    master, inbox = generate(workdir, args.n, False)
    roadmap = read_master(master)
    checked = check_files(collect_inputs([inbox]), roadmap, roadmap_fingerprint(roadmap))
    book = consolidated_workbook(consolidate(roadmap, checked, default_as_of(roadmap)))
    for sheet in book.sheets:
        estimated_row_heights(sheet)  # shared by both writers in the product: not timed here
    cells = sum(len(row) for sheet in book.sheets for row in sheet.rows)
    times: dict[str, list[float]] = {"ours": [], "xlsxwriter": []}
    with tempfile.TemporaryDirectory() as folder:
        for _ in range(args.repeat):  # interleaved, so that a busy moment hurts both
            for name, writer in (("ours", write_xlsx), ("xlsxwriter", write_with_xlsxwriter)):
                start = time.perf_counter()
                writer(book, Path(folder) / f"{name}.xlsx")
                times[name].append(time.perf_counter() - start)
        sizes = {name: (Path(folder) / f"{name}.xlsx").stat().st_size for name in times}
    result = {name: round(statistics.median(values), 3) for name, values in times.items()}
    print(f"{args.n} schools, {cells} cells")
    for name in times:
        print(f"{name:12} {result[name]:6.2f} s  {sizes[name] / 1e6:6.1f} MB")
    print(f"xlsxwriter / ours = {result['xlsxwriter'] / result['ours']:.2f}")
    print(json.dumps({"n": args.n, "cells": cells, "ours_s": result["ours"], "xlsxwriter_s": result["xlsxwriter"]}))


if __name__ == "__main__":
    main()
