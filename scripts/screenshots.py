"""Screenshots for the user guide, from the real-window test: it drives the full LibreOffice Calc
on a virtual screen (templates, check, consolidation) and keeps a picture of every step; this
script runs it and cuts the pictures the guide shows into small PNGs in OUTDIR.

Needs what `scripts/setup.sh --dev` installs (the full libreoffice-calc, xvfb, xdotool, Pillow).
Usage: .venv/bin/python scripts/screenshots.py [OUTDIR]        (default docs/screenshots)
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
# guide picture: (step of the real-window test, crop box on the 1400x900 screen)
PICTURES = {
    "меню.png": ("menu", (0, 0, 760, 120)),
    "шаблоны.png": ("templates-folder", (350, 255, 1050, 640)),
    "проверка.png": ("check-findings", (0, 100, 1400, 560)),
    "список.png": ("check-dropdown", (0, 100, 1400, 560)),
    "свод-диалог.png": ("consolidate-dialog", (0, 0, 560, 405)),
    "свод-итог.png": ("consolidate-done", (440, 262, 960, 636)),
    "свод-отчёт.png": ("consolidate-opened", (200, 90, 1120, 860)),
}


def main(outdir: Path) -> None:
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="roadmap-shots-") as artifacts:
        env = {**os.environ, "ROADMAP_OFFICE_ARTIFACTS": artifacts}
        subprocess.run([sys.executable, "-m", "pytest", "-q", "tests/libreoffice/test_real_window.py"],
                       cwd=ROOT, env=env, check=True)
        shots = sorted((Path(artifacts) / "real-window").glob("*.png"))
        for name, (step, box) in PICTURES.items():
            source = next(p for p in shots if p.stem.split("-", 1)[1] == step)
            picture = Image.open(source).convert("RGB").crop(box)
            picture.quantize(colors=64).save(outdir / name, optimize=True)  # a few tens of kilobytes
            print(f"  {outdir / name}")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "docs" / "screenshots"))
