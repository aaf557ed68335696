"""Screenshots of a real LibreOffice window on a virtual screen: a school template, the
«Дорожная карта» menu with the extension installed, and a dropdown of the template open.

Needs the full LibreOffice Calc (the Debian package libreoffice-calc; the -nogui build cannot
open windows) and xvfb, xdotool, imagemagick. The pictures go to OUTDIR for the user guide.
Usage: .venv/bin/python scripts/screenshots.py [OUTDIR]
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from roadmap_office.demo import run_demo
from roadmap_office.extension import build_oxt
from roadmap_office.forms.layout import COL, ITEMS_SHEET
from roadmap_office.office import Office
from roadmap_office.sheets.spec import column_letter

DISPLAY = ":91"


def run(*command: str) -> None:
    subprocess.run(command, env={**os.environ, "DISPLAY": DISPLAY}, check=True)


def shot(path: Path, crop: str | None = None) -> None:
    run("import", "-window", "root", str(path))
    if crop:
        run("convert", str(path), "-crop", crop, "+repage", str(path))
    print(f"  {path}")


def main(outdir: Path) -> None:
    outdir.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="roadmap-shots-"))
    demo = run_demo(work / "demo", formats=("xlsx",))
    oxt = build_oxt(work)
    template = work / "school-10.ods"  # an ASCII name: LANG names a locale the machine may lack
    shutil.copy(next((demo.outdir / "templates").glob("Отчёт_S10_*.ods")), template)
    xvfb = subprocess.Popen(["Xvfb", DISPLAY, "-screen", "0", "1400x900x24"], stderr=subprocess.DEVNULL)
    env = {**os.environ, "DISPLAY": DISPLAY, "SAL_USE_VCLPLUGIN": "gen", "LANG": "ru_RU.UTF-8"}
    try:
        with Office(env=env, headless=False) as office:
            office.install_extension(oxt)
            document = office.open(template, read_only=False)  # a new window: it gets the new menu
            frame = document.CurrentController.Frame
            frame.ContainerWindow.setPosSize(0, 0, 1400, 900, 15)
            sheet = document.Sheets.getByName(ITEMS_SHEET)
            status = sheet.getCellRangeByName(f"{column_letter(COL['status'])}5")
            document.CurrentController.select(status)
            time.sleep(4)
            shot(outdir / "шаблон.png")
            # LibreOffice puts add-on menus before «Окно»: Calc's menu bar has nine menus before it
            position = 9
            run("xdotool", "key", "F10")
            for _ in range(position):
                run("xdotool", "key", "Right")
            run("xdotool", "key", "Down")
            time.sleep(1.5)
            shot(outdir / "меню.png", "900x400+0+0")
            run("xdotool", "key", "Escape", "Escape", "Escape")
            time.sleep(1)
            run("xdotool", "key", "alt+Down")  # open the dropdown of the selected status cell
            time.sleep(1.5)
            shot(outdir / "список.png", "1400x520+0+0")
            document.close(True)
    finally:
        xvfb.terminate()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots"))
