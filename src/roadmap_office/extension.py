"""Build and install the LibreOffice extension (.oxt).

The .oxt carries the macros (extension/python), the menu and toolbar (Addons.xcu), the
description, and in ``python/pythonpath/`` this library with its pure-Python dependencies:
LibreOffice's own Python (on Windows it ships its own) has none of them. Compiled modules are
never packed; the library falls back to pure-Python readers when they are absent.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

from . import __version__
from ._files import replacing
from .errors import RoadmapError

OXT_NAME = "roadmap-office.oxt"  # the script URLs in Addons.xcu name this file
BUNDLED = ("roadmap_office", "odf", "defusedxml", "openpyxl", "et_xmlfile", "jinja2", "markupsafe")
_COMPILED = (".so", ".pyd", ".dll", ".dylib", ".c", ".pyc", ".pyi")


class ExtensionError(RoadmapError):
    pass


def project_root() -> Path:
    root = Path(__file__).resolve().parents[2]
    if not (root / "description.xml").is_file() or not (root / "extension").is_dir():
        raise ExtensionError("не найдены исходные файлы расширения (description.xml, extension/): "
                             "выполните команду в папке проекта roadmap-office")
    return root


def description_version(root: Path) -> str:
    text = (root / "description.xml").read_text(encoding="utf-8")
    match = re.search(r'<version\s+value="([^"]+)"', text)
    if not match:
        raise ExtensionError("в description.xml не указана версия")
    return match.group(1)


def _package_dir(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise ExtensionError(f"не установлен пакет Python «{name}», необходимый расширению")
    return Path(list(spec.submodule_search_locations)[0])


def _add_tree(archive: zipfile.ZipFile, source: Path, target: str) -> int:
    count = 0
    for path in sorted(source.rglob("*")):
        if path.is_dir() or "__pycache__" in path.parts or path.suffix in _COMPILED:
            continue
        archive.write(path, f"{target}/{path.relative_to(source).as_posix()}")
        count += 1
    return count


def build_oxt(output: str | os.PathLike | None = None) -> Path:
    """Build the .oxt; returns its path (default: dist/roadmap-office.oxt in the project)."""
    root = project_root()
    version = description_version(root)
    if version != __version__:
        raise ExtensionError(f"версия в description.xml ({version}) не совпадает с версией пакета ({__version__})")
    output = Path(output) if output else root / "dist" / OXT_NAME
    if output.is_dir():
        output = output / OXT_NAME
    if output.name != OXT_NAME:
        raise ExtensionError(f"файл расширения должен называться {OXT_NAME}: на это имя ссылаются команды меню")
    with replacing(output) as tmp, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(root / "description.xml", "description.xml")
        _add_tree(archive, root / "extension", "")
        for name in BUNDLED:
            source = _package_dir(name)
            if _add_tree(archive, source, f"python/pythonpath/{name}") == 0:
                raise ExtensionError(f"в пакете «{name}» нет модулей на чистом Python")
        # the report templates: a separate folder in the project, a subpackage in the extension
        _add_tree(archive, root / "templates", "python/pythonpath/roadmap_office/templates")
    return output


def install_oxt(path: str | os.PathLike, shared: bool = False) -> str:
    """Install with unopkg for the current user (or for all users with ``shared``)."""
    from .office import find_soffice

    unopkg = shutil.which("unopkg") or str(Path(find_soffice()).resolve().with_name("unopkg"))
    if not Path(unopkg).exists() and not shutil.which("unopkg"):
        raise ExtensionError("не найдена программа unopkg из состава LibreOffice")
    if hasattr(os, "geteuid") and os.geteuid() == 0 and not shared:
        raise ExtensionError("от имени root LibreOffice не устанавливает расширения для одного пользователя: "
                             "выполните команду от имени пользователя или добавьте --shared (для всех)")
    command = [unopkg, "add", "--force", "--suppress-license"] + (["--shared"] if shared else []) + [str(path)]
    process = subprocess.run(command, capture_output=True, text=True, timeout=300)
    if process.returncode != 0:
        raise ExtensionError(f"unopkg завершился с ошибкой: {(process.stderr or process.stdout).strip()}")
    return "для всех пользователей" if shared else "для текущего пользователя"
