"""A plain `pip install` of the wheel is enough to build the LibreOffice extension."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]


def test_wheel_installed_package_builds_the_extension(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
                    "-w", str(tmp_path / "wheel"), str(PROJECT)], check=True, capture_output=True)
    wheel = next((tmp_path / "wheel").glob("roadmap_office-*.whl"))
    # a fresh venv: the wheel installed without the project; the dependencies come from ours
    fresh = tmp_path / "fresh"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(fresh)], check=True)
    python = fresh / "bin" / "python"
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               check=True, capture_output=True, text=True).stdout.strip())
    ours = sysconfig.get_paths()["purelib"]
    (site / "dependencies.pth").write_text(ours + "\n", encoding="utf-8")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps",
                    str(wheel)], check=True, capture_output=True)
    work = tmp_path / "elsewhere"
    work.mkdir()
    for shared, name in ((False, "user"), (True, "shared")):
        out = work / name
        done = subprocess.run([str(python), "-m", "roadmap_office", "extension", "build", "-o", str(out)]
                              + (["--shared"] if shared else []),
                              cwd=work, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        assert "Расширение собрано" in done.stdout
        with zipfile.ZipFile(out / "roadmap-office.oxt") as archive:
            names = set(archive.namelist())
            addons = archive.read("Addons.xcu").decode("utf-8")
            library = archive.read("python/pythonpath/roadmap_office/__init__.py")
        assert {"description.xml", "META-INF/manifest.xml", "python/roadmap_office_macros.py", "icons/check_16.png",
                "python/pythonpath/roadmap_office/rendering/report_default.py"} <= names
        assert "__init__.py" not in names and not [n for n in names if "/oxt/" in n]
        assert library == (site / "roadmap_office" / "__init__.py").read_bytes()
        location = "share:uno_packages" if shared else "user:uno_packages"
        assert addons.count(f"location={location}") == 8 and "uno_packages" not in addons.replace(location, "")


def test_install_refuses_a_build_of_the_other_kind(tmp_path, monkeypatch):
    import pytest

    from roadmap_office import extension

    monkeypatch.setattr(extension.shutil, "which", lambda name: "/bin/true")
    monkeypatch.setattr(extension.os, "geteuid", lambda: 1000)
    per_user = extension.build_oxt(tmp_path / "user")
    with pytest.raises(extension.ExtensionError, match="собран для установки для одного пользователя"):
        extension.install_oxt(per_user, shared=True)
    shared = extension.build_oxt(tmp_path / "shared", shared=True)
    with pytest.raises(extension.ExtensionError, match="extension build»"):
        extension.install_oxt(shared, shared=False)

