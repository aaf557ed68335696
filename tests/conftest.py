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
