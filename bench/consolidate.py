"""Benchmark: consolidating N schools against the floor (just reading the files) and a naive loop.

Generates N filled submissions (half ODS, half XLSX) of the demo district's roadmap, with the
demo's typical mistakes in every fifth file, and a master with N schools; then measures, each in
its own process so that peak memory is honest:

- ours: the product's consolidation end to end (read, check, merge, write XLSX + ODS + ODT);
- calamine: python-calamine reading every sheet of the same files in one process (the floor);
- naive: ``pandas.read_excel`` per file, then one combined ``to_excel`` (needs the ``bench`` extra).

The machine may be shared: only ratios measured in one run mean much. The last line printed is
one JSON object: n, ours_s, calamine_s, naive_s, ours_peak_mb (medians over --repeat runs).

Usage: .venv/bin/python bench/consolidate.py --n 1000 [--repeat 3] [--workdir DIR] [--fresh]
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path

GENERATOR_VERSION = "3"  # template format 2, XLSX written by our own writer
MISTAKES = ("L03", "S11", "S12", "S14", "L15")  # the demo's planted mistakes, by demo school
KINDS = ("Школа", "Гимназия", "Лицей")


# ---- generating a district of N schools -------------------------------------------------------
def district(n: int):
    """The demo roadmap with N schools: the demo's own twelve first, then made-up ones."""
    from roadmap_office.demo import demo_roadmap
    from roadmap_office.model import School

    roadmap = demo_roadmap()
    schools = roadmap.schools[:n]
    rng = random.Random(n)
    for k in range(len(schools), n):
        kind = KINDS[k % 3]
        number = 100 + k  # above the numbers the roadmap names, so no school gets extra items
        full = {"Школа": "Средняя общеобразовательная школа", "Гимназия": "Гимназия", "Лицей": "Лицей"}[kind]
        schools.append(School(f"N{k:04d}", f"МБОУ {kind} № {number}",
                              f"Муниципальное бюджетное общеобразовательное учреждение «{full} № {number}»",
                              rng.randint(250, 1300)))
    roadmap.schools = schools
    return roadmap


_STATE: dict = {}


def _init_writer(master: str) -> None:
    from roadmap_office.master import read_master, roadmap_fingerprint

    _STATE["roadmap"] = read_master(master)
    _STATE["checksum"] = roadmap_fingerprint(_STATE["roadmap"])


def _write_one(job: tuple[int, str]) -> str:
    from roadmap_office.demo_submissions import Profile, write_sample_submission
    from roadmap_office.forms import template_filename

    index, inbox = job
    roadmap = _STATE["roadmap"]
    school = roadmap.schools[index]
    rng = random.Random(index)
    profile = Profile(school.code, "ods" if index % 2 == 0 else "xlsx", rng.uniform(0.2, 0.95),
                      datetime(2022, 6, 15, 9, 0) + timedelta(minutes=rng.randint(0, 20000)),
                      own_events=index % 3, mistakes=MISTAKES[(index // 5) % len(MISTAKES)] if index % 5 == 4 else "")
    path = Path(inbox) / template_filename(school, roadmap.reporting_period, profile.fmt)
    try:
        write_sample_submission(roadmap, _STATE["checksum"], school, profile, path)
    except LookupError:  # this school has no row the planted mistake needs
        profile.mistakes = ""
        write_sample_submission(roadmap, _STATE["checksum"], school, profile, path)
    return path.name


def generate(workdir: Path, n: int, fresh: bool) -> tuple[Path, Path]:
    """Master and inbox of N submissions in ``workdir`` (kept between runs unless ``fresh``)."""
    from roadmap_office.master import write_master

    master, inbox, stamp = workdir / "master.ods", workdir / "inbox", workdir / "complete"
    if not fresh and stamp.exists() and stamp.read_text() == f"{GENERATOR_VERSION}:{n}":
        return master, inbox
    shutil.rmtree(workdir, ignore_errors=True)
    inbox.mkdir(parents=True)
    write_master(district(n), master)
    with ProcessPoolExecutor(2, initializer=_init_writer, initargs=(str(master),)) as pool:
        list(pool.map(_write_one, [(i, str(inbox)) for i in range(n)], chunksize=8))
    stamp.write_text(f"{GENERATOR_VERSION}:{n}")
    return master, inbox


# ---- the measurements (each run in its own process) -------------------------------------------
def _files(inbox: Path) -> list[Path]:
    return sorted(p for p in inbox.iterdir() if p.suffix in (".ods", ".xlsx"))


def measure_ours(master: Path, inbox: Path, out: Path) -> None:
    from roadmap_office.demo_submissions import AS_OF
    from roadmap_office.pipeline import run_consolidation

    result = run_consolidation(master, [inbox], out, ("xlsx", "ods", "odt"), as_of=AS_OF)
    if len(result.outputs) != 3:
        raise SystemExit(f"outputs missing: {result.outputs} {result.errors}")


def measure_calamine(master: Path, inbox: Path, out: Path) -> None:
    from python_calamine import CalamineWorkbook

    cells = 0
    for path in _files(inbox):
        book = CalamineWorkbook.from_path(str(path))
        for name in book.sheet_names:
            cells += sum(len(row) for row in book.get_sheet_by_name(name).to_python(skip_empty_area=False))
    if not cells:
        raise SystemExit("nothing read")


def measure_naive(master: Path, inbox: Path, out: Path) -> None:
    import pandas as pd

    frames = []
    for path in _files(inbox):
        sheets = pd.read_excel(path, sheet_name=None)
        frame = sheets["Мероприятия"]
        frame.insert(0, "Файл", path.name)
        frames.append(frame)
    pd.concat(frames, ignore_index=True).to_excel(out / "naive.xlsx", index=False)


MEASURES = {"ours": measure_ours, "calamine": measure_calamine, "naive": measure_naive}


def _child(what: str, workdir: Path) -> None:
    out = workdir / f"out_{what}"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir()
    start = time.perf_counter()
    MEASURES[what](workdir / "master.ods", workdir / "inbox", out)
    seconds = time.perf_counter() - start
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "peak_mb": own, "workers_peak_mb": workers}))


def run_one(what: str, workdir: Path) -> dict:
    done = subprocess.run([sys.executable, __file__, "--child", what, "--workdir", str(workdir)],
                          capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"{what} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--workdir", type=Path)
    parser.add_argument("--fresh", action="store_true", help="generate the files again")
    parser.add_argument("--skip-naive", action="store_true", help="pandas is slow; its figure is then 0")
    parser.add_argument("--child", choices=sorted(MEASURES), help=argparse.SUPPRESS)
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.gettempdir()) / f"roadmap-bench-{args.n}"
    if args.child:
        _child(args.child, workdir)
        return

    start = time.perf_counter()
    generate(workdir, args.n, args.fresh)
    n = len(_files(workdir / "inbox"))
    print(f"{n} files (half ODS, half XLSX) in {workdir}, ready in {time.perf_counter() - start:.1f} s")
    kinds = ["ours", "calamine"] + ([] if args.skip_naive else ["naive"])
    runs: dict[str, list[dict]] = {k: [] for k in kinds}
    for _ in range(args.repeat):
        for what in kinds:  # interleaved, so that a busy minute hurts every figure alike
            runs[what].append(run_one(what, workdir))
    median = {what: {key: statistics.median(r[key] for r in results) for key in results[0]}
              for what, results in runs.items()}
    for what, m in median.items():
        print(f"{what:9s} {m['seconds']:8.2f} s  {n / m['seconds']:8.1f} files/s  "
              f"peak {m['peak_mb']:7.0f} MB (largest worker {m['workers_peak_mb']:.0f} MB)")
    ours, floor = median["ours"]["seconds"], median["calamine"]["seconds"]
    naive = median.get("naive", {}).get("seconds", 0.0)
    print(f"ours / calamine = {ours / floor:.2f} (target <= 3)" +
          (f", naive / ours = {naive / ours:.1f} (target >= 10)" if naive else ""))
    print(json.dumps({"n": n, "ours_s": round(ours, 2), "calamine_s": round(floor, 2), "naive_s": round(naive, 2),
                      "ours_peak_mb": round(median["ours"]["peak_mb"] + median["ours"]["workers_peak_mb"])}))


if __name__ == "__main__":
    main()
