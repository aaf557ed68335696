"""The .oxt's code under the older Pythons of the LibreOffice builds districts run (3.8 in the
Windows 7.x series, RED OS 7.3; 3.9 in the Windows 24.x–25.2 series, ALT p10).

A static gate (vermin, target 3.8) reads every Python file the .oxt carries; then each older
interpreter found on this machine runs exactly that code — the unpacked .oxt's pythonpath, no
venv, no lxml, no python-calamine — through the menu's work (check, templates, consolidation
into XLSX, ODS and ODT) and its figures must be the command line's. An interpreter that is not
here is a visible skip, never a pass.
"""

from __future__ import annotations

import glob
import json
import os
import shutil
import subprocess
import sys
import zipfile
from datetime import date
from pathlib import Path

import pytest

from roadmap_office.extension import BUNDLED, LIBRARIES, OLDEST_PYTHON, build_oxt
from roadmap_office.pipeline import check_one, collect_inputs
from roadmap_office.sheets.reading import read_workbook

VERMIN = shutil.which("vermin", path=os.path.dirname(sys.executable)) or shutil.which("vermin") or "vermin"
RUNNER = Path(__file__).with_name("office_path_run.py")
AS_OF = date(2022, 6, 30)
OLDER = ("3.8", "3.9")
# vermin's findings that misjudge what the .oxt carries, each checked by hand
OURS_EXCLUDED = ("int.is_integer",)  # called on floats only (isinstance first): float.is_integer is old
LIBRARIES_EXCLUDED = OURS_EXCLUDED + (
    "unicode", "types.StringTypes", "file",  # odfpy's Python 2 branches, behind version checks
    "str.removeprefix", "str.removesuffix",  # MarkupSafe wraps them only `if sys.version_info >= (3, 9)`
)


@pytest.fixture(scope="module")
def unpacked(tmp_path_factory) -> Path:
    """The built .oxt, unpacked: what LibreOffice puts on its Python's path."""
    folder = tmp_path_factory.mktemp("oxt")
    oxt = build_oxt(folder / "build")
    with zipfile.ZipFile(oxt) as archive:
        archive.extractall(folder / "unpacked")
    return folder / "unpacked"


def _vermin(paths: list[str], excluded: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
    command = [VERMIN, f"--target={OLDEST_PYTHON}-", "--violations", "--no-tips", "--processes=1"]
    for name in excluded:
        command += ["--exclude", name]
    return subprocess.run(command + paths, capture_output=True, text=True)


GENERIC_BUILTINS = {"list", "dict", "tuple", "set", "frozenset", "type"}
GENERIC_MODULES = {"collections.abc", "collections", "re", "os", "contextlib"}


def runtime_generics(path: Path) -> list[str]:
    """What vermin does not see: `list[int]`, `Callable[...]` from collections.abc, `X | None`
    evaluated at run time (outside annotations postponed by `from __future__ import annotations`
    and outside `if TYPE_CHECKING:`); each needs Python 3.9 or 3.10."""
    import ast

    tree = ast.parse(path.read_text(encoding="utf-8"))
    postponed = any(isinstance(n, ast.ImportFrom) and n.module == "__future__" and
                    any(a.name == "annotations" for a in n.names) for n in tree.body)
    generic = set(GENERIC_BUILTINS)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module in GENERIC_MODULES:
            generic |= {a.asname or a.name for a in node.names}
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.dump(node.test):
            skipped |= {id(n) for child in node.body for n in ast.walk(child)}
        if postponed:
            annotations = []
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                arguments = node.args.posonlyargs + node.args.args + node.args.kwonlyargs
                arguments += [a for a in (node.args.vararg, node.args.kwarg) if a]
                annotations = [a.annotation for a in arguments] + [node.returns]
            elif isinstance(node, ast.AnnAssign):
                annotations = [node.annotation]
            skipped |= {id(n) for a in annotations if a is not None for n in ast.walk(a)}

    def typeish(node) -> bool:
        return (isinstance(node, ast.Constant) and node.value is None) or \
            (isinstance(node, ast.Name) and node.id in generic | {"str", "int", "float", "bool", "bytes"}) or \
            (isinstance(node, ast.Subscript) and typeish(node.value))

    found = []
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and node.value.id in generic:
            found.append(f"{path}:{node.lineno}: {node.value.id}[...]")
        elif isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute) and \
                ast.unparse(node.value.value) in GENERIC_MODULES:
            found.append(f"{path}:{node.lineno}: {ast.unparse(node.value)}[...]")
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr) and typeish(node.left) and typeish(node.right):
            found.append(f"{path}:{node.lineno}: {ast.unparse(node)}")
    return found


def test_vermin_finds_nothing_newer_than_3_8_in_the_oxt(unpacked):
    """Our code (the macros and the library) with no exclusions but one, and no generic or union
    evaluated at run time; the bundled libraries with their version-guarded branches excluded."""
    pythonpath = unpacked / "python" / "pythonpath"
    ours = [str(unpacked / "python" / "roadmap_office_macros.py")]
    ours += sorted(str(p) for p in (pythonpath / "roadmap_office").rglob("*.py"))
    libraries = sorted(str(p) for name in BUNDLED if name != "roadmap_office" for p in (pythonpath / name).rglob("*.py"))
    everything = sorted(str(p) for p in unpacked.rglob("*") if p.is_file() and p.suffix in (".py", ".pyw"))
    assert len(ours) > 40 and len(libraries) > 30 and sorted(ours + libraries) == everything
    for paths, excluded in ((ours, OURS_EXCLUDED), (libraries, LIBRARIES_EXCLUDED)):
        done = _vermin(paths, excluded)
        assert done.returncode == 0, f"newer than Python {OLDEST_PYTHON}:\n{done.stdout}{done.stderr}"
    assert [line for path in ours for line in runtime_generics(Path(path))] == []


def test_the_gate_fails_on_newer_syntax(tmp_path):
    """The gate is not blind: a runtime `list[int]`, a `match`, `str.removeprefix` fail it."""
    path = tmp_path / "newer.py"
    for source in ("match x:\n    case 1:\n        pass\n", "'ab'.removeprefix('a')\n", "from functools import cache\n",
                   "with (open('a') as a, open('b') as b):\n    pass\n", "zip([], [], strict=True)\n"):
        path.write_text(source, encoding="utf-8")
        assert _vermin([str(path)], OURS_EXCLUDED).returncode != 0, source
    for source in ("Rows = list[list[int]]\n", "from collections.abc import Callable\nP = Callable[[int], None]\n",
                   "Block = int | None\n", "isinstance(x, str | bytes)\n",
                   "from __future__ import annotations\nclass A:\n    f: dict[str, int] = field(default_factory=dict[str, int])\n"):
        path.write_text(source, encoding="utf-8")
        assert runtime_generics(path), source
    path.write_text("from __future__ import annotations\nfrom typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
                    "    A = list[int]\ndef f(x: list[int] | None) -> dict[str, int]:\n    y: set[str] = set()\n"
                    "    return 1 | 2\n", encoding="utf-8")
    assert runtime_generics(path) == []


def test_bundled_libraries_admit_python_3_8(unpacked):
    """Each library goes in at its pinned version, whose Requires-Python admits the oldest Python."""
    from importlib.metadata import distributions

    from packaging.specifiers import SpecifierSet
    from packaging.utils import canonicalize_name

    from roadmap_office.extension import library_folders

    for module, folder in library_folders().items():
        name, version = LIBRARIES[module].split("==")
        metadata = next(d.metadata for d in distributions(path=[str(folder.parent)])
                        if canonicalize_name(d.metadata["Name"]) == canonicalize_name(name))
        assert metadata["Version"] == version
        assert SpecifierSet(metadata.get("Requires-Python") or "").contains(f"{OLDEST_PYTHON}.0"), module
    pythonpath = unpacked / "python" / "pythonpath"
    assert sorted(p.name for p in pythonpath.iterdir()) == sorted(BUNDLED)


def _interpreters():
    """One case per older Python: found on PATH or under pyenv, with its full version in the id."""
    cases = []
    for version in OLDER:
        candidates = [shutil.which(f"python{version}")]
        candidates += sorted(glob.glob(os.path.expanduser(f"~/.pyenv/versions/{version}*/bin/python{version}")))
        found = None
        for candidate in filter(None, candidates):
            try:  # a pyenv shim for a version not selected is on PATH but does not run
                done = subprocess.run([candidate, "-c", "import sys; print('%d.%d.%d' % sys.version_info[:3])"],
                                      capture_output=True, text=True, timeout=60)
            except (OSError, subprocess.TimeoutExpired):
                continue
            if done.returncode == 0 and done.stdout.startswith(version + "."):
                found = (candidate, done.stdout.strip())
                break
        if found:
            cases.append(pytest.param(found[0], id=f"python{found[1]}"))
        else:
            cases.append(pytest.param(None, id=f"python{version}-absent", marks=pytest.mark.skip(
                reason=f"python{version} is neither on PATH nor under ~/.pyenv/versions: not run")))
    return cases


@pytest.fixture(scope="module")
def command_line(demo_run, tmp_path_factory) -> dict:
    """The figures of the command line (this environment's Python, its fast readers) on the demo."""
    out = tmp_path_factory.mktemp("cli")
    submissions = demo_run.outdir / "submissions"
    done = subprocess.run([sys.executable, "-m", "roadmap_office", "consolidate", str(demo_run.master),
                           str(submissions), "-o", str(out / "out"), "--format", "xlsx,ods,odt",
                           "--as-of", AS_OF.strftime("%d.%m.%Y"), "--history", str(out / "history.sqlite"),
                           "--letters", str(out / "letters"), "--json"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    checks = {}
    for path in collect_inputs([submissions]):
        result = check_one(path)
        checks[path.name] = {"school": result.school, "rejected": bool(result.rejected),
                             "problems": [f.to_json() for f in result.findings]}
    return {"summary": json.loads(done.stdout), "checks": checks, "out": out / "out",
            "letters": sorted(p.name for p in (out / "letters").iterdir())}


@pytest.mark.parametrize("python", _interpreters())
def test_office_path_runs_and_matches_the_command_line(python, unpacked, demo_run, command_line, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV", "ROADMAP_OFFICE"))}
    env["PYTHONPATH"] = str(unpacked / "python" / "pythonpath")
    done = subprocess.run([python, "-s", "-S", str(RUNNER), str(demo_run.master), str(demo_run.outdir / "submissions"),
                           str(tmp_path), AS_OF.isoformat()], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    ran = json.loads(done.stdout)
    assert ran["library"].startswith(str(unpacked)) and not ran["fast_reader"]
    assert ran["checks"] == command_line["checks"]
    expected = dict(command_line["summary"], outputs=[])
    assert dict(ran["summary"], outputs=[]) == expected
    assert ran["history"][-1]["overdue"] == expected["overdue"]
    assert ran["letters"] == command_line["letters"] and len(ran["letters"]) == expected["schools_expected"]
    for name in ("Свод_по_дорожной_карте.xlsx", "Свод_по_дорожной_карте.ods"):
        assert read_workbook(tmp_path / "out" / name) == read_workbook(command_line["out"] / name), name
    assert _odt_text(tmp_path / "out" / "Сводный_отчёт.odt") == _odt_text(command_line["out"] / "Сводный_отчёт.odt")
    # the templates it made are the schools' templates, as the command line reads them
    assert len(ran["templates"]) == 26
    for name in ran["templates"]:
        checked = check_one(tmp_path / "templates" / name)
        if "бланк" in name:
            assert "заполнен бланк" in checked.rejected
        else:
            assert not checked.rejected and checked.school and checked.school in name, name
    # the .oxt carries only what this work imports
    assert ran["imported_packages"] == sorted(BUNDLED)
    bundled = sorted(".".join(("roadmap_office",) + p.relative_to(unpacked / "python" / "pythonpath" / "roadmap_office")
                              .with_suffix("").parts).removesuffix(".__init__")
                     for p in (unpacked / "python" / "pythonpath" / "roadmap_office").rglob("*.py"))
    unused = sorted(set(bundled) - set(ran["imported_modules"]) - {"roadmap_office"})
    assert unused == [], "bundled but never imported by the office path: add them to NOT_BUNDLED in extension.py"


def _odt_text(path: Path) -> str:
    import re

    with zipfile.ZipFile(path) as archive:
        content = archive.read("content.xml").decode("utf-8")
    return re.sub(r"<[^>]+>", " ", content)


def test_nothing_posix_only_on_the_office_path(unpacked, monkeypatch):
    """No signals, fcntl, user ids or fork in what the .oxt carries; the forked writers (the one
    place that forks) never start inside LibreOffice."""
    import re

    from roadmap_office import _forked

    pythonpath = unpacked / "python" / "pythonpath" / "roadmap_office"
    posix_only = re.compile(r"\bimport (signal|fcntl|pwd|grp|termios)\b|os\.(fork|getuid|geteuid|killpg|setsid)\b")
    found = [f"{p.name}: {m.group(0)}" for p in pythonpath.rglob("*.py")
             for m in posix_only.finditer(p.read_text(encoding="utf-8"))]
    found += [m.group(0) for m in posix_only.finditer((unpacked / "python" / "roadmap_office_macros.py").read_text(
        encoding="utf-8"))]
    assert found == []
    monkeypatch.setitem(sys.modules, "pythonscript", sys)  # what LibreOffice's script provider loads
    assert not _forked.can_fork()
