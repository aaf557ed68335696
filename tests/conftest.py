from __future__ import annotations

from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def fixtures() -> Path:
    return FIXTURES


@pytest.fixture(scope="session")
def demo_roadmap():
    from roadmap_office.demo import demo_roadmap

    return demo_roadmap()


@pytest.fixture(scope="session")
def office():
    """One private headless LibreOffice for all integration tests of a session."""
    from roadmap_office.office import Office

    with Office() as running:
        yield running


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory):
    """The demo chain without PDF: master, templates, sample submissions, workbook and report."""
    from roadmap_office.demo import run_demo

    out = tmp_path_factory.mktemp("demo")
    return run_demo(out, formats=("xlsx", "ods", "odt"))


@pytest.fixture()
def sample(demo_run, tmp_path):
    """A copy of one demo submission in the test's own folder (optionally under another name)."""
    import shutil

    def copy(name: str, new_name: str | None = None) -> Path:
        target = tmp_path / (new_name or name)
        shutil.copy(demo_run.outdir / "submissions" / name, target)
        return target
    return copy


@pytest.fixture(scope="session")
def fuzz_script():
    """scripts/fuzz.py as a module: its seeds, mutations and rounds serve several tests."""
    import importlib.util
    import sys

    spec = importlib.util.spec_from_file_location("roadmap_fuzz", FIXTURES.parents[1] / "scripts" / "fuzz.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module
