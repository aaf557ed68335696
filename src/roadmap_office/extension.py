"""Build and install the LibreOffice extension (.oxt).

The .oxt carries the macros (extension/python), the menu and toolbar (Addons.xcu), the
description (all shipped with the package as ``roadmap_office.oxt``), and in ``python/pythonpath/``
the part of this library the macros use with the pure-Python libraries it imports: LibreOffice's
own Python (on Windows it ships its own) has none of them. That Python may be as old as 3.8
(LibreOffice 7.x on Windows), so the libraries go in at pinned versions that still run there:
the environment's copy when it is that version, else one pip fetches once for Python 3.8 into a
cache folder. Compiled modules are never packed; the library falls back to pure-Python readers
when they are absent.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from . import __version__
from ._files import replacing
from .errors import RoadmapError

OXT_NAME = "roadmap-office.oxt"  # the script URLs in Addons.xcu name this file
SOURCES = "roadmap_office.oxt"  # the extension's sources: package data, so an installed package builds it
OLDEST_PYTHON = "3.8"  # of the LibreOffice versions the extension supports (see description.xml)
# The pure-Python libraries the office path imports: module → the distribution, at the newest
# version whose Requires-Python still admits OLDEST_PYTHON.
LIBRARIES = {"odf": "odfpy==1.4.1", "defusedxml": "defusedxml==0.7.1", "jinja2": "Jinja2==3.1.6",
             "markupsafe": "MarkupSafe==2.1.5"}  # MarkupSafe runs without its compiled speedups
BUNDLED = ("roadmap_office",) + tuple(LIBRARIES)
# Parts of the library the macros never import (the command line, the nightly batch and its mail,
# the demo, the roadmap importer, starting LibreOffice, building this extension): left out of the .oxt;
# the extension's sources and the letters' templates are package data, added by build_oxt on their own.
NOT_BUNDLED = ("oxt", "templates", "cli.py", "cli_messages.py", "__main__.py", "batch", "batch.py", "cache.py", "demo.py",
               "demo_submissions.py", "importing", "office.py", "extension.py",
               "mail/imap.py", "mail/outbox.py", "mail/settings.py", "mail/smtp.py", "mail/state.py")
_COMPILED = (".so", ".pyd", ".dll", ".dylib", ".c", ".pyc", ".pyi", ".pyx")
# A menu entry's script URL names where the extension is installed; LibreOffice finds the macro
# only there, so a per-user and a shared (all users) install each get their own Addons.xcu.
LOCATIONS = {False: "user:uno_packages", True: "share:uno_packages"}


class ExtensionError(RoadmapError):
    pass


def sources_dir() -> Path:
    """The folder with description.xml, Addons.xcu, the macros: in the project or the installed package."""
    try:
        folder = _package_dir(SOURCES)
    except (ExtensionError, ModuleNotFoundError):
        folder = None
    if folder is None or not (folder / "description.xml").is_file():
        raise ExtensionError("не найдены исходные файлы расширения (description.xml, Addons.xcu): "
                             "переустановите пакет roadmap-office")
    return folder


def description_version(folder: Path) -> str:
    text = (folder / "description.xml").read_text(encoding="utf-8")
    match = re.search(r'<version\s+value="([^"]+)"', text)
    if not match:
        raise ExtensionError("в description.xml не указана версия")
    return match.group(1)


def _package_dir(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise ExtensionError(f"не установлен пакет Python «{name}», необходимый расширению")
    return Path(list(spec.submodule_search_locations)[0])


def _add_tree(archive: zipfile.ZipFile, source: Path, target: str, skip: tuple[str, ...] = ()) -> int:
    count = 0
    for path in sorted(source.rglob("*")):
        if path.is_dir() or "__pycache__" in path.parts or path.suffix in _COMPILED:
            continue
        relative = path.relative_to(source).as_posix()
        if relative in skip or relative.startswith(tuple(s + "/" for s in skip)):
            continue
        archive.write(path, f"{target}/{relative}".lstrip("/"))
        count += 1
    return count


def addons_xcu(folder: Path, shared: bool) -> str:
    """The menu and toolbar, their script URLs pointing at the install location."""
    text = (folder / "Addons.xcu").read_text(encoding="utf-8")
    return text.replace(f"location={LOCATIONS[False]}", f"location={LOCATIONS[shared]}")


def build_oxt(output: str | os.PathLike | None = None, shared: bool = False) -> Path:
    """Build the .oxt; returns its path (default: dist/roadmap-office.oxt in the current folder).

    ``shared``: for an install for all users (``unopkg add --shared``); the default is the
    per-user install (Extension Manager, ``unopkg add``).
    """
    folder = sources_dir()
    version = description_version(folder)
    if version != __version__:
        raise ExtensionError(f"версия в description.xml ({version}) не совпадает с версией пакета ({__version__})")
    output = Path(output) if output else Path("dist") / OXT_NAME
    if output.is_dir() or output.suffix.lower() != ".oxt":  # a folder, existing or not
        output = output / OXT_NAME
    if output.name != OXT_NAME:
        raise ExtensionError(f"файл расширения должен называться {OXT_NAME}: на это имя ссылаются команды меню")
    output.parent.mkdir(parents=True, exist_ok=True)
    library = _package_dir("roadmap_office")
    sources = {"roadmap_office": library, **library_folders()}
    with replacing(output) as tmp, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as archive:
        _add_tree(archive, folder, "", skip=("__init__.py", "Addons.xcu"))
        archive.writestr("Addons.xcu", addons_xcu(folder, shared))
        for name in BUNDLED:
            skip = NOT_BUNDLED if name == "roadmap_office" else ()
            if _add_tree(archive, sources[name], f"python/pythonpath/{name}", skip=skip) == 0:
                raise ExtensionError(f"в пакете «{name}» нет модулей на чистом Python")
        # the letters' texts: package data of their own (templates/ in the project)
        _add_tree(archive, _package_dir("roadmap_office.templates"), "python/pythonpath/roadmap_office/templates")
    return output


def library_folders() -> dict[str, Path]:
    """Where each library of LIBRARIES is copied from: this environment's copy when it is the
    pinned version, else the pinned version fetched by pip for Python 3.8."""
    folders: dict[str, Path] = {}
    fetch = []
    for module, requirement in LIBRARIES.items():
        distribution, version = requirement.split("==")
        try:
            installed = importlib.metadata.version(distribution)
        except importlib.metadata.PackageNotFoundError:
            installed = None
        if installed == version:
            folders[module] = _package_dir(module)
        else:
            fetch.append(module)
    if fetch:
        fetched = _fetched([LIBRARIES[m] for m in fetch])
        folders.update({m: fetched / m for m in fetch})
    return folders


def _fetched(requirements: list[str]) -> Path:
    """A cache folder holding ``requirements`` as pip installs them for OLDEST_PYTHON (once)."""
    key = hashlib.sha256(" ".join(sorted(requirements) + [OLDEST_PYTHON]).encode()).hexdigest()[:16]
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "roadmap-office"
    folder = cache / f"oxt-libraries-{key}"
    if folder.is_dir():
        return folder
    cache.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".oxt-libraries-", dir=cache))
    try:
        # --no-deps: every library is pinned above; wheels for 3.8 where there are, else the sdist
        command = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-deps",
                   "--no-compile", "--prefer-binary", "--python-version", OLDEST_PYTHON, "--target", str(staging),
                   *requirements]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=600)
        except (OSError, subprocess.TimeoutExpired) as exc:
            done = subprocess.CompletedProcess(command, 1, "", str(exc))
        if done.returncode != 0:
            raise ExtensionError(f"не удалось загрузить с PyPI библиотеки для расширения ({', '.join(requirements)}): "
                                 f"{(done.stderr or done.stdout).strip()[-500:]}")
        try:
            os.replace(staging, folder)
        except OSError:  # another build filled it meanwhile
            if not folder.is_dir():
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return folder


def oxt_is_shared(path: str | os.PathLike) -> bool:
    """Whether an .oxt was built for a shared install (its menu URLs say so)."""
    with zipfile.ZipFile(path) as archive:
        return f"location={LOCATIONS[True]}" in archive.read("Addons.xcu").decode("utf-8")


def install_oxt(path: str | os.PathLike, shared: bool = False) -> str:
    """Install with unopkg for the current user (or for all users with ``shared``)."""
    from .office import find_soffice

    unopkg = shutil.which("unopkg") or str(Path(find_soffice()).resolve().with_name("unopkg"))
    if not Path(unopkg).exists() and not shutil.which("unopkg"):
        raise ExtensionError("не найдена программа unopkg из состава LibreOffice")
    if hasattr(os, "geteuid") and os.geteuid() == 0 and not shared:
        raise ExtensionError("от имени root LibreOffice не устанавливает расширения для одного пользователя: "
                             "выполните команду от имени пользователя или добавьте --shared (для всех)")
    if oxt_is_shared(path) != shared:
        built_for = "для всех пользователей" if not shared else "для одного пользователя"
        raise ExtensionError(f"файл {Path(path).name} собран для установки {built_for}: соберите его командой "
                             f"«roadmap-office extension build{' --shared' if shared else ''}»")
    command = [unopkg, "add", "--force", "--suppress-license"] + (["--shared"] if shared else []) + [str(path)]
    process = subprocess.run(command, capture_output=True, text=True, timeout=300)
    if process.returncode != 0:
        raise ExtensionError(f"unopkg завершился с ошибкой: {(process.stderr or process.stdout).strip()}")
    return "для всех пользователей" if shared else "для текущего пользователя"
