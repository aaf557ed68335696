"""One error tree: every error class of the library is a RoadmapError with a Russian message and exit code."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import roadmap_office
from roadmap_office.errors import RoadmapError

INTERNAL = {"_NotUnderstood"}  # private signals caught inside their module


def _modules():
    for info in pkgutil.walk_packages(roadmap_office.__path__, "roadmap_office."):
        if info.name.endswith(("office", "__main__")) and "extension" not in info.name:
            continue  # office imports uno only when used; nothing to inspect without it
        yield importlib.import_module(info.name)


def test_every_library_error_derives_from_roadmap_error():
    found = {}
    for module in _modules():
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, BaseException) and cls.__module__.startswith("roadmap_office") \
                    and name not in INTERNAL:
                found[f"{cls.__module__}.{name}"] = cls
    assert len(found) >= 10
    wrong = [name for name, cls in found.items() if not issubclass(cls, RoadmapError)]
    assert wrong == []
    assert all(isinstance(cls.exit_code, int) and cls.exit_code > 0 for cls in found.values())
