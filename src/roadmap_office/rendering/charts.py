"""Charts a person reads at 12, 100 and 1,000 schools, as SVG pictures for the report.

Few entries: every entry named, in horizontal bars sorted by value. Many: a distribution of
completion (how many schools fall in each tenth), with the weakest and the strongest named
beside it. The same choice (``NAMED_UP_TO``) makes the workbook's native charts.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import List, Optional, Tuple

from ..presentation import NONE, figure

NAMED_UP_TO = 30  # entries drawn one bar each; more become a distribution
NAMED_ENDS = 5  # the weakest and the strongest named beside a distribution
BINS = 10  # tenths of 0–100 %
WIDTH = 620  # picture units; printed 16.5 cm wide
WIDTH_CM = 16.5
FONT = "Liberation Serif, Times New Roman, serif"
BAR = "#4472c4"
WEAK = "#c0504d"


@dataclass
class Chart:
    """An SVG picture and the height it is printed at for ``WIDTH_CM``."""

    svg: bytes
    height_cm: float


Entry = Tuple[str, Optional[float]]  # (label, percent)


def pct(value: Optional[float]) -> str:
    return NONE if value is None else figure(float(value))


def completion_chart(title: str, entries: List[Entry]) -> Chart:
    """Sorted bars for few entries, a distribution with both ends named for many."""
    known = [(label, value) for label, value in entries if value is not None]
    if len(known) <= NAMED_UP_TO:
        return bars(title, known)
    return distribution(title, known)


def bars(title: str, entries: List[Entry], high: float = 100.0, sort: bool = True, unit: str = " %") -> Chart:
    """One bar per entry (with ``sort``, the highest on top), each named and labelled with its value."""
    if sort:
        entries = sorted(entries, key=lambda e: (-(e[1] or 0), e[0]))
    step, top = 22, 40
    longest = max((len(label) for label, _ in entries), default=4)
    left = min(300, 16 + 6.4 * min(longest, 46))
    height = top + step * max(len(entries), 1) + 34
    svg = _svg(height)
    _text(svg, WIDTH / 2, 22, title, 15, bold=True, anchor="middle")
    scale = (WIDTH - left - 56) / high
    bottom = top + step * len(entries)
    for k in range(6):
        tick = high * k / 5
        x = left + tick * scale
        ET.SubElement(svg, "line", x1=_n(x), y1=_n(top), x2=_n(x), y2=_n(bottom), stroke="#d0d0d0")
        _text(svg, x, bottom + 16, _number(tick), 11, anchor="middle")
    for n, (label, value) in enumerate(entries):
        y = top + n * step
        _text(svg, left - 6, y + step * 0.68, cut(label, 46), 11, anchor="end")
        ET.SubElement(svg, "rect", x=_n(left), y=_n(y + step * 0.15), width=_n((value or 0) * scale),
                      height=_n(step * 0.7), fill=BAR)
        _text(svg, left + (value or 0) * scale + 4, y + step * 0.68, (pct(value) if unit.strip() == "%" else _number(value)) + unit, 10)
    ET.SubElement(svg, "line", x1=_n(left), y1=_n(top), x2=_n(left), y2=_n(bottom), stroke="#000000")
    if not entries:
        _text(svg, WIDTH / 2, top + 20, "нет данных", 12, anchor="middle")
    return _chart(svg, height)


def bins(values: List[float]) -> List[int]:
    """How many values fall in each tenth of 0–100 (100 counts in the last)."""
    counts = [0] * BINS
    for value in values:
        counts[min(BINS - 1, max(0, int(value // (100 / BINS))))] += 1
    return counts


def bin_labels() -> List[str]:
    size = 100 // BINS
    return [f"{k * size}–{(k + 1) * size}" for k in range(BINS)]


def ends(entries: List[Entry], count: int = NAMED_ENDS) -> Tuple[List[Entry], List[Entry]]:
    """The weakest and the strongest ``count`` entries (lowest first, highest first)."""
    ordered = sorted(entries, key=lambda e: (e[1], e[0]))
    return ordered[:count], ordered[::-1][:count]


def distribution(title: str, entries: List[Entry]) -> Chart:
    """Columns: schools per tenth of completion; the mean marked; both ends named below."""
    values = [value for _, value in entries]
    counts = bins(values)
    top, plot_h, left, right = 44, 170, 50, WIDTH - 16
    weakest, strongest = ends(entries)
    rows = max(len(weakest), len(strongest))
    height = top + plot_h + 44 + 20 + 16 * rows + 14
    svg = _svg(height)
    _text(svg, WIDTH / 2, 22, title, 15, bold=True, anchor="middle")
    mean = sum(values) / len(values) if values else None
    _text(svg, WIDTH / 2, 38, f"Образовательных организаций: {len(values)}; среднее выполнение {pct(mean)} %",
          11, anchor="middle")
    high = max(counts) or 1
    step = _nice_step(high)
    high = step * (high // step + 1)  # room above the highest column for its count
    slot = (right - left) / BINS
    bottom = top + plot_h
    for tick in range(0, high + 1, step):
        y = bottom - tick * plot_h / high
        ET.SubElement(svg, "line", x1=_n(left), y1=_n(y), x2=_n(right), y2=_n(y), stroke="#d0d0d0")
        _text(svg, left - 6, y + 4, str(tick), 10, anchor="end")
    for k, (count, label) in enumerate(zip(counts, bin_labels())):
        x = left + k * slot
        h = count * plot_h / high
        ET.SubElement(svg, "rect", x=_n(x + slot * 0.1), y=_n(bottom - h), width=_n(slot * 0.8), height=_n(h),
                      fill=BAR)
        if count:
            _text(svg, x + slot / 2, bottom - h - 4, str(count), 10, anchor="middle")
        _text(svg, x + slot / 2, bottom + 15, label, 10, anchor="middle")
    if mean is not None:
        x = left + mean / 100 * (right - left)
        ET.SubElement(svg, "line", x1=_n(x), y1=_n(top - 2), x2=_n(x), y2=_n(bottom), stroke=WEAK,
                      **{"stroke-width": "2", "stroke-dasharray": "5,3"})
    ET.SubElement(svg, "line", x1=_n(left), y1=_n(bottom), x2=_n(right), y2=_n(bottom), stroke="#000000")
    _text(svg, (left + right) / 2, bottom + 31, "Выполнение мероприятий, % (по десяткам процентов); "
                                                 "пунктир — среднее", 10, anchor="middle")
    y0 = bottom + 58
    _text(svg, 10, y0, f"Наименьшее выполнение ({len(weakest)}):", 11, bold=True)
    _text(svg, WIDTH / 2 + 6, y0, f"Наибольшее выполнение ({len(strongest)}):", 11, bold=True)
    for n in range(rows):
        y = y0 + 16 * (n + 1)
        if n < len(weakest):
            _text(svg, 10, y, f"{cut(weakest[n][0], 40)} — {pct(weakest[n][1])} %", 10)
        if n < len(strongest):
            _text(svg, WIDTH / 2 + 6, y, f"{cut(strongest[n][0], 40)} — {pct(strongest[n][1])} %", 10)
    return _chart(svg, height)


def _number(value: Optional[float]) -> str:
    if value is None:
        return "—"
    return str(int(value)) if float(value).is_integer() else pct(value)


def _nice_step(high: int) -> int:
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000):
        if high / step <= 6:
            return step
    return max(1, high // 5)


def _svg(height: float) -> ET.Element:
    svg = ET.Element("svg", xmlns="http://www.w3.org/2000/svg", width=str(WIDTH), height=_n(height),
                     viewBox=f"0 0 {WIDTH} {_n(height)}")
    svg.set("font-family", FONT)
    ET.SubElement(svg, "rect", x="0", y="0", width=str(WIDTH), height=_n(height), fill="#ffffff")
    return svg


def _text(svg: ET.Element, x: float, y: float, value: str, size: int, bold: bool = False,
          anchor: str = "start") -> None:
    element = ET.SubElement(svg, "text", x=_n(x), y=_n(y))
    element.set("font-size", str(size))
    element.set("text-anchor", anchor)
    if bold:
        element.set("font-weight", "bold")
    element.text = value


def _chart(svg: ET.Element, height: float) -> Chart:
    data = b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(svg, encoding="utf-8", xml_declaration=False)
    return Chart(data, round(WIDTH_CM * height / WIDTH, 2))


def _n(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def cut(value: str, limit: int) -> str:
    """A label shortened to ``limit`` characters with an ellipsis."""
    value = " ".join(value.split())
    return value if len(value) <= limit else value[:limit - 1] + "…"
