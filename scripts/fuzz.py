"""Seeded fuzzing of the reader and the check on mutated ODS/XLSX submissions.

Each case is a demo submission mutated at the byte, zip or XML level (flipped and cut bytes,
hostile snippets such as huge repeat counts, far cell references, DTDs, bad values, another
compression method). Cases are checked in worker processes with the product's own isolation
(a memory cap per worker, a time limit per file), half of them with the pure-Python readers
used inside LibreOffice. A case fails when the check raises, when a worker dies or hangs on
it (the scan should have refused the file first), or when a reason holds English parser text.

Usage: .venv/bin/python scripts/fuzz.py [--cases 2000] [--seed 1] [--workdir DIR]
The unit test tests/unit/test_fuzz.py runs a short bounded round of the same (marker ``fuzz``).
"""

from __future__ import annotations

import argparse
import io
import os
import random
import re
import resource
import sys
import tempfile
import time
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

SNIPPETS = [
    b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>',
    b' table:number-columns-repeated="1000000"', b' table:number-rows-repeated="1048576"',
    b' table:number-columns-repeated="abc"', b' table:number-rows-repeated="-5"',
    b'<c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c>', b'<row r="1048576"><c r="A1048576"><v>1</v></c></row>',
    b'<c r="A1" t="s"><v>999999</v></c>', b'<c r="B2" t="b"><v>7</v></c>', b'<c r="C3" t="d"><v>2022-13-45</v></c>',
    b'<c r="ZZZZ9"><v>1</v></c>', b'<row r="0"><c r="A0"><v>1</v></c></row>',
    b' office:value-type="date" office:date-value="2022-02-30"', b' office:value-type="float" office:value="NaN"',
    b' office:value-type="float" office:value="1e400"', b' office:value-type="boolean" office:boolean-value="maybe"',
    b"_x000B_", b"&#1;", b"\x00", b"\xff\xfe", b"<", b"&amp;", b"]]>", b"<![CDATA[x]]>",
    "Текст из Word\x0bвторая строка".encode(), b"x" * 70000,
    b'<table:table-cell office:value-type="string"><text:p>' + b"y" * 40000 + b"</text:p></table:table-cell>",
    b'<?xml version="1.0" encoding="UTF-16"?>', b"<!--" + b"-" * 6000 + b"-->",
]
NUMBER = re.compile(rb'"(\d{1,6})"')


@dataclass
class Round:
    cases: int = 0
    refused: int = 0
    accepted: int = 0
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0
    worker_peak_mb: float = 0.0


def seeds(demo_outdir: Path) -> list[Path]:
    folder = demo_outdir / "submissions"
    return sorted(p for p in folder.iterdir() if p.suffix in (".ods", ".xlsx"))


def mutate(data: bytes, rng: random.Random) -> bytes:
    """One random mutation of a submission's bytes."""
    kind = rng.choice(("bytes", "cut", "xml", "xml", "xml", "xml", "zip"))
    if kind == "bytes":
        out = bytearray(data)
        for _ in range(rng.randint(1, 12)):
            out[rng.randrange(len(out))] = rng.randrange(256)
        return bytes(out)
    if kind == "cut":
        return data[: rng.randrange(len(data))]
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = [(i, archive.read(i.filename)) for i in archive.infolist()]
    if kind == "zip":
        choice = rng.choice(("drop", "duplicate", "method", "stored"))
        if choice == "drop":
            parts.pop(rng.randrange(len(parts)))
        elif choice == "duplicate":
            parts.append(rng.choice(parts))
    else:
        xml = [n for n, (info, _) in enumerate(parts) if info.filename.endswith((".xml", ".rels"))]
        n = rng.choice(xml)
        info, body = parts[n]
        parts[n] = (info, _mutate_xml(body, rng))
        choice = ""
    out = io.BytesIO()
    with warnings.catch_warnings(), zipfile.ZipFile(out, "w") as archive:
        warnings.simplefilter("ignore")  # duplicate names are one of the mutations
        for info, body in parts:
            method = zipfile.ZIP_STORED if info.filename == "mimetype" or choice == "stored" else zipfile.ZIP_DEFLATED
            if choice == "method" and rng.random() < 0.3:
                method = rng.choice((zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA))
            archive.writestr(info.filename, body, compress_type=method)
    return out.getvalue()


def _mutate_xml(body: bytes, rng: random.Random) -> bytes:
    for _ in range(rng.randint(1, 3)):
        choice = rng.choice(("insert", "insert", "number", "delete", "repeat"))
        at = rng.randrange(len(body) + 1)
        if choice == "insert":
            tag_end = body.find(b">", at)
            at = tag_end if tag_end > 0 and rng.random() < 0.7 else at
            body = body[:at] + rng.choice(SNIPPETS) + body[at:]
        elif choice == "number":
            numbers = list(NUMBER.finditer(body))
            if numbers:
                m = rng.choice(numbers)
                body = body[:m.start(1)] + str(rng.choice((0, -1, 10**6, 10**9, 2**63, 16385))).encode() + body[m.end(1):]
        elif choice == "delete":
            body = body[:at] + body[at + rng.randint(1, 400):]
        else:
            piece = body[at:at + rng.randint(10, 2000)]
            body = body[:at] + piece * rng.randint(2, 50) + body[at:]
    return body


def _english(reason: str) -> bool:
    unquoted = re.sub(r"«[^»]*»", "", reason)
    allowed = {"DOCTYPE", "ENTITY", "Libre", "Office", "Excel", "number", "columns", "repeated", "spanned", "rows",
               "roadmap", "office"}  # the program's own name, «roadmap-office»
    return any(word not in allowed for word in re.findall(r"\b[A-Za-z][a-z]{3,}", unquoted))


def run(demo_outdir: Path, master: Path, cases: int, seed: int, workdir: Path, jobs: int = 2,
        seconds: float = 30.0) -> Round:
    """Make ``cases`` mutated files and check them; returns the figures and any failures."""
    from roadmap_office.checking import messages as M
    from roadmap_office.checking.isolated import check_isolated
    from roadmap_office.master import read_master, roadmap_fingerprint

    rng = random.Random(seed)
    sources = [(p.suffix, p.read_bytes()) for p in seeds(demo_outdir)]
    roadmap = read_master(master)
    fingerprint = roadmap_fingerprint(roadmap)
    workdir.mkdir(parents=True, exist_ok=True)
    paths = []
    for n in range(cases):
        suffix, data = rng.choice(sources)
        path = workdir / f"case{n:05d}{suffix}"
        path.write_bytes(mutate(data, rng))
        paths.append(path)
    figures = Round(cases=cases)
    start = time.perf_counter()
    half = len(paths) // 2
    for pure, batch in ((False, paths[:half]), (True, paths[half:])):
        os.environ["ROADMAP_OFFICE_PURE"] = "1" if pure else "0"
        try:
            for path, result in zip(batch, check_isolated(batch, roadmap, fingerprint, jobs, seconds=seconds,
                                                          in_process=False)):
                if result.rejected in (M.READER_CRASHED, M.TOO_SLOW.format(seconds=int(seconds))):
                    figures.failures.append(f"{path.name} ({'pure' if pure else 'fast'}): {result.rejected}")
                elif result.rejected and _english(result.rejected):
                    figures.failures.append(f"{path.name}: English in the reason: {result.rejected}")
                figures.refused += bool(result.rejected)
                figures.accepted += not result.rejected
        finally:
            os.environ.pop("ROADMAP_OFFICE_PURE", None)
    figures.seconds = time.perf_counter() - start
    figures.worker_peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return figures


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    from roadmap_office.demo import run_demo

    work = args.workdir or Path(tempfile.mkdtemp(prefix="roadmap-fuzz-"))
    demo = run_demo(work / "demo", formats=("xlsx",))
    figures = run(demo.outdir, demo.master, args.cases, args.seed, work / "cases")
    print(f"cases {figures.cases}, refused {figures.refused}, accepted {figures.accepted}, "
          f"{figures.seconds:.0f} s, peak worker memory {figures.worker_peak_mb:.0f} MB")
    for failure in figures.failures:
        print("FAIL", failure)
    sys.exit(1 if figures.failures else 0)


if __name__ == "__main__":
    main()
