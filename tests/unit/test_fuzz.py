"""A bounded, seeded fuzz of the reader and the check (about a minute in CI; marker ``fuzz``).

``scripts/fuzz.py --cases N --seed S`` runs longer rounds by hand.
"""

from __future__ import annotations

import pytest


@pytest.mark.fuzz
@pytest.mark.parametrize("seed", [1, 2])
def test_mutated_submissions_never_crash_hang_or_exhaust(demo_run, tmp_path, seed, fuzz_script):
    figures = fuzz_script.run(demo_run.outdir, demo_run.master, cases=1500, seed=seed, workdir=tmp_path)
    assert figures.failures == []
    assert figures.refused + figures.accepted == 1500
    assert figures.refused > 1000  # the mutations really break files
    assert figures.worker_peak_mb < 1024
