"""Benchmark: how reading and checking submissions scales, as ratios measured in one run.

Compares, on copies of the demo district's sample submissions:
- python-calamine against the pure-Python streaming readers used inside LibreOffice;
- a process pool against checking the files one by one.
Machines are noisy: only the ratios printed at the end mean anything, not the seconds.

Usage: .venv/bin/python bench/bench_consolidation.py [COPIES]
"""

from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from roadmap_office.demo import run_demo
from roadmap_office.master import read_master, roadmap_fingerprint
from roadmap_office.pipeline import check_files, collect_inputs
from roadmap_office.sheets import reading


def timed(function, repeat: int = 3) -> float:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def main(copies: int) -> None:
    work = Path(tempfile.mkdtemp(prefix="roadmap-bench-"))
    demo = run_demo(work / "demo", formats=("xlsx",))
    inbox = work / "inbox"
    inbox.mkdir()
    sources = [p for p in (demo.outdir / "submissions").iterdir() if "школы_17" not in p.name]
    for n in range(copies):
        for source in sources:
            shutil.copy(source, inbox / f"{n:03d}_{source.name}")
    paths = collect_inputs([inbox])
    roadmap = read_master(demo.master)
    checksum = roadmap_fingerprint(roadmap)
    print(f"Файлов: {len(paths)} (ODS и XLSX), ядер: 2 (по условиям машины)")

    one_ods = next(p for p in paths if p.suffix == ".ods")
    one_xlsx = next(p for p in paths if p.suffix == ".xlsx")
    ods, xlsx = one_ods.read_bytes(), one_xlsx.read_bytes()
    fast_ods = timed(lambda: reading.read_scanned(ods, "ods", pure=False), 5)
    pure_ods = timed(lambda: reading.read_scanned(ods, "ods", pure=True), 5)
    fast_xlsx = timed(lambda: reading.read_scanned(xlsx, "xlsx", pure=False), 5)
    pure_xlsx = timed(lambda: reading.read_scanned(xlsx, "xlsx", pure=True), 5)
    sequential = timed(lambda: check_files(paths, roadmap, checksum, jobs=1), 1)
    parallel = timed(lambda: check_files(paths, roadmap, checksum, jobs=2), 1)

    # writing: the consolidated workbook grows with the records (schools x items)
    from roadmap_office.rendering import consolidated_workbook
    from roadmap_office.sheets import write_workbook

    consolidation = demo.consolidation
    records = list(consolidation.records)
    write_times = {}
    for factor in (1, 4):
        consolidation.records = records * factor
        book = consolidated_workbook(consolidation)
        write_times[factor] = timed(lambda: write_workbook(book, work / "svod.xlsx"), 1)
    print(f"Запись сводной книги XLSX: {len(records) * 4} / {len(records)} записей — "
          f"время × {write_times[4] / write_times[1]:.1f} (линейный рост — × 4)")

    print(f"Чтение ODS:  потоковое на чистом Python / calamine = {pure_ods / fast_ods:.1f}")
    print(f"Чтение XLSX: потоковое на чистом Python / calamine = {pure_xlsx / fast_xlsx:.1f}")
    print(f"Проверка {len(paths)} файлов: последовательно / 2 процесса = {sequential / parallel:.2f}")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
