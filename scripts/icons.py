"""Draw the toolbar icons of the extension (extension/icons/*.png, 16 and 26 pixels).

The PNGs are committed (a few hundred bytes each); run this only to change them.
Usage: .venv/bin/python scripts/icons.py        (needs Pillow, a dev dependency)
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

OUT = Path(__file__).resolve().parents[1] / "extension" / "icons"
BLUE, GREEN, PAPER, LINE = (31, 84, 158, 255), (40, 140, 60, 255), (255, 255, 255, 255), (90, 90, 90, 255)


def sheet(draw: ImageDraw.ImageDraw, box, s: float) -> None:
    x0, y0, x1, y1 = box
    draw.rectangle(box, fill=PAPER, outline=LINE, width=max(1, round(s)))
    for y in range(int(y0 + 3 * s), int(y1 - s), max(2, round(2.5 * s))):
        draw.line((x0 + 2 * s, y, x1 - 2 * s, y), fill=LINE, width=1)


def consolidate(size: int) -> Image.Image:
    """Three schools' sheets gathered into one: stacked pages and an arrow into a blue sheet."""
    s = size / 16
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    for n in range(3):
        sheet(draw, (n * 2 * s, n * 2 * s, n * 2 * s + 7 * s, n * 2 * s + 8 * s), s)
    draw.rectangle((8 * s, 6 * s, 15 * s, 15 * s), fill=BLUE)
    for y in (8.5, 11, 13.5):
        draw.line((9.5 * s, y * s, 13.5 * s, y * s), fill=PAPER, width=max(1, round(s)))
    return image


def check(size: int) -> Image.Image:
    """A school's sheet with a green tick."""
    s = size / 16
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    sheet(draw, (1 * s, 0.5 * s, 11 * s, 14 * s), s)
    draw.line((6 * s, 10 * s, 9 * s, 13.5 * s, 15 * s, 4 * s), fill=GREEN, width=max(2, round(2.2 * s)), joint="curve")
    return image


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, draw in (("consolidate", consolidate), ("check", check)):
        for size in (16, 26):
            draw(size).save(OUT / f"{name}_{size}.png", optimize=True)
            print(OUT / f"{name}_{size}.png")


if __name__ == "__main__":
    main()
