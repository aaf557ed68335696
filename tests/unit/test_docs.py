"""Every command is documented in the README, and the extension's version follows the package."""

from __future__ import annotations

from pathlib import Path

from roadmap_office import __version__
from roadmap_office.cli import main
from roadmap_office.extension import description_version

ROOT = Path(__file__).parents[2]


def _commands(group, prefix="roadmap-office"):
    for name, command in group.commands.items():
        if hasattr(command, "commands"):
            yield from _commands(command, f"{prefix} {name}")
        else:
            yield f"{prefix} {name}"


def test_every_command_is_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for command in _commands(main):
        assert command in readme, command


def test_readme_test_command_is_what_ci_runs():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "bash scripts/test.sh" in readme and "bash scripts/test.sh" in ci


def test_one_version_everywhere():
    """roadmap_office.__version__ is the one source: the package metadata reads it, the extension's
    description.xml states it too, and the changelog has an entry for it."""
    import re
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in project["project"] and project["project"]["dynamic"] == ["version"]
    assert project["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "roadmap_office.__version__"}
    assert description_version(ROOT / "extension") == __version__
    assert re.fullmatch(r"\d+\.\d+\.\d+", __version__)
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert changelog.startswith("# Changelog") and f"## [{__version__}]" in changelog


def test_the_extension_description_is_the_one_at_the_top_of_the_project():
    """description.xml stays where the project's layout puts it; the extension links to it."""
    top = ROOT / "description.xml"
    assert top.is_file() and not top.is_symlink()
    assert (ROOT / "extension" / "description.xml").resolve() == top.resolve()
    assert description_version(ROOT) == __version__


def test_every_report_field_is_in_the_guide():
    """The guide's table of template fields lists every field the program fills."""
    from roadmap_office.rendering.report_fields import SCHEMA, field_names

    guide = (ROOT / "docs" / "руководство.md").read_text(encoding="utf-8")
    for name in field_names():
        listed = f"`<Начало: {name}>`" if isinstance(_find(SCHEMA, name), list) else f"`<{name}>`"
        assert listed in guide, name


def _find(schema, name):
    for key, value in schema.items():
        if key == name:
            return value
        if isinstance(value, list):
            found = _find(value[0], name)
            if found is not None:
                return found
    return None
