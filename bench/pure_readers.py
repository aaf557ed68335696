"""Benchmark: reading and checking inside LibreOffice (pure Python only), seconds per file.

Inside LibreOffice's own Python lxml does not exist, so the reader's tokenizer is the standard
library's (``roadmap_office.reading.xmlevents``). This measures, for districts of 12 and 100
schools (half ODS, half XLSX, generated as in ``bench/consolidate.py``), in one process:

- pure: reading and checking each file, as the macro does it;
- dom: only loading the same files with odfpy's and openpyxl's object trees (the former path);
- fast: the same check with lxml tokenizing (the CLI and the batch, one process).

Only ratios measured in one run mean much on a shared machine. The last line is one JSON object.

Usage: .venv/bin/python bench/pure_readers.py [--n 12 100] [--workdir DIR]
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from consolidate import _files, generate  # noqa: E402  (the bench's own district generator)


def _check_all(paths, roadmap, fingerprint, pure: bool) -> float:
    import os

    from roadmap_office.checking.isolated import check_isolated

    os.environ["ROADMAP_OFFICE_PURE"] = "1" if pure else "0"
    try:
        start = time.perf_counter()
        results = list(check_isolated(paths, roadmap, fingerprint, in_process=True))
        elapsed = time.perf_counter() - start
    finally:
        os.environ.pop("ROADMAP_OFFICE_PURE", None)
    assert not any(r.rejected for r in results), [r.rejected for r in results if r.rejected][:3]
    return elapsed


def _dom_all(paths) -> float:
    from odf import opendocument
    from openpyxl import load_workbook

    start = time.perf_counter()
    for path in paths:
        data = io.BytesIO(path.read_bytes())
        if path.suffix == ".ods":
            opendocument.load(data)
        else:
            wb = load_workbook(data, read_only=True, data_only=True)
            for ws in wb.worksheets:
                list(ws.iter_rows(values_only=True))
            wb.close()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, nargs="+", default=[12, 100])
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "roadmap-bench-pure")
    args = parser.parse_args()
    from roadmap_office.master import read_master, roadmap_fingerprint

    figures = {}
    for n in args.n:
        master, inbox = generate(args.workdir / f"n{n}", n, fresh=False)
        roadmap = read_master(master)
        fingerprint = roadmap_fingerprint(roadmap)
        paths = _files(inbox)
        pure = _check_all(paths, roadmap, fingerprint, pure=True)
        fast = _check_all(paths, roadmap, fingerprint, pure=False)
        dom = _dom_all(paths)
        figures[n] = {"pure_s_per_file": round(pure / n, 4), "dom_read_s_per_file": round(dom / n, 4),
                      "fast_s_per_file": round(fast / n, 4)}
        print(f"{n} школ: чистый Python (проверка целиком) {pure / n * 1000:.0f} мс на файл, "
              f"только загрузка odfpy/openpyxl {dom / n * 1000:.0f} мс, lxml {fast / n * 1000:.0f} мс; "
              f"всего {pure:.1f} с")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
