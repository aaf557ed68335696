"""PDF roadmaps with a text layer -> blocks, through pdfminer.six (pure Python).

A table is read from its ruling when it has one: the horizontal rules cut rows, the vertical
rules present in each row cut its cells (a title written across the table is one cell).
Without rules, the columns come from the header's words and a number alone in the first column
starts a row. A PDF with no text (a scan) is refused with the reason. Imported lazily: only the
command line reads PDFs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import DocumentImportError
from .blocks import ITEM_NUMBER, Block, Para, Row, clean_cell
from .text import continue_cell, join_wrapped

_TOLERANCE = 1.5  # points: double rules, rounding of coordinates
_FUNCTION_WORD = re.compile(r"(?:^|\s)(?:в|во|на|с|со|к|ко|по|и|для|о|об|от|до|из|за|при|через|между)$", re.IGNORECASE)
# a name goes on after these words («…администрации» / «Усть-Илгинского района»), and a place's
# adjective in the genitive never starts a name of its own («Усть-Илгинского», «Кстовской»)
_NEEDS_OWNER = re.compile(r"(?:^|\s)(?:администрации|администрация|муниципального|муниципальной|городского|"
                          r"городской|сельского|сельской)$", re.IGNORECASE)
_PLACE_GENITIVE = re.compile(r"^[А-ЯЁ][а-яё]*(?:-[А-ЯЁа-яё][а-яё]*)*(?:ского|цкого|ской|цкой)(?:\s|$)")


@dataclass
class _Char:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float


@dataclass
class _Page:
    chars: list[_Char]
    horizontal: list[tuple[float, float, float]]  # (y, x0, x1), y growing downwards
    vertical: list[tuple[float, float, float]]  # (x, top, bottom)


def pdf_blocks(path: Path) -> list[Block]:
    pages = _pages(path)
    if not any(page.chars for page in pages):
        raise DocumentImportError("в PDF-файле нет текстового слоя (похоже, это скан): текст не прочитать. "
                                  "Распознайте текст (OCR) или возьмите документ в формате ODT, DOCX или текст")
    blocks: list[Block] = []
    columns: list[float] | None = None  # left edges of the table's columns, once the header is seen
    position = 0
    for page in pages:
        if columns is None:
            columns = _header_columns(page)
        for kind, _, payload in _page_items(page, columns):
            position += 1
            if kind == "para":
                blocks.append(Para(payload, position))
            else:
                cells, spanning = payload
                blocks.append(Row(cells, position, spanning=spanning))
    return blocks


def _pages(path: Path) -> list[_Page]:
    try:
        from pdfminer.high_level import extract_pages
        from pdfminer.layout import LAParams, LTChar, LTCurve, LTLine, LTRect
        from pdfminer.pdfparser import PDFSyntaxError
    except ImportError:
        raise DocumentImportError("для чтения PDF нужна библиотека pdfminer.six: pip install pdfminer.six") from None
    pages: list[_Page] = []
    try:
        for layout in extract_pages(str(path), laparams=LAParams()):
            height = layout.height
            page = _Page([], [], [])

            def walk(node) -> None:
                for child in node:
                    if isinstance(child, LTChar):
                        page.chars.append(_Char(child.get_text(), child.x0, child.x1, height - child.y1,
                                                height - child.y0, child.size))
                    elif isinstance(child, (LTLine, LTRect, LTCurve)):
                        x0, y0, x1, y1 = child.bbox
                        if abs(y1 - y0) <= _TOLERANCE * 2 and x1 - x0 > 5:
                            page.horizontal.append((height - (y0 + y1) / 2, x0, x1))
                        if abs(x1 - x0) <= _TOLERANCE * 2 and y1 - y0 > 5:
                            page.vertical.append(((x0 + x1) / 2, height - y1, height - y0))
                        if isinstance(child, LTRect) and x1 - x0 > 5 and y1 - y0 > 5:  # a cell's box
                            page.horizontal += [(height - y1, x0, x1), (height - y0, x0, x1)]
                            page.vertical += [(x0, height - y1, height - y0), (x1, height - y1, height - y0)]
                    elif hasattr(child, "__iter__"):
                        walk(child)

            walk(layout)
            pages.append(page)
    except PDFSyntaxError:
        raise DocumentImportError("файл PDF повреждён: его структура не читается") from None
    except Exception:  # pdfminer raises many kinds for a broken or encrypted file
        raise DocumentImportError("файл PDF не читается: он повреждён или защищён паролем") from None
    return pages


def _lines(chars: list[_Char]) -> list[list[_Char]]:
    """Characters grouped into text lines, top to bottom, each left to right."""
    lines: list[list[_Char]] = []
    for char in sorted(chars, key=lambda c: (round(c.bottom), c.x0)):
        if lines and abs(lines[-1][0].bottom - char.bottom) <= max(2.0, char.size * 0.3):
            lines[-1].append(char)
        else:
            lines.append([char])
    return [sorted(line, key=lambda c: c.x0) for line in lines]


def _text(chars: list[_Char]) -> str:
    """Text of characters on one line; a gap wider than a space is a space."""
    parts: list[str] = []
    previous: _Char | None = None
    for char in chars:
        if previous is not None and char.x0 - previous.x1 > previous.size * 0.2 and parts[-1] != " " \
                and char.text != " ":
            parts.append(" ")
        parts.append(char.text)
        previous = char
    return "".join(parts).strip()


def _runs(line: list[_Char]) -> list[list[_Char]]:
    """A line cut where the gap between characters is wider than a word space (table columns)."""
    runs: list[list[_Char]] = []
    for char in line:
        if runs and char.x0 - runs[-1][-1].x1 <= max(runs[-1][-1].size * 0.6, 2.0):
            runs[-1].append(char)
        elif char.text.strip():
            runs.append([char])
    return runs


def _cell_text(chars: list[_Char], right: float | None = None) -> str:
    """A cell's lines: a line wrapped at the cell's edge goes on with a space, a line ending short
    of the edge (a paragraph, one name of a list) ends there."""
    lines = _lines(chars)
    if right is None:
        return clean_cell(join_wrapped([_text(line) for line in lines]))
    text = ""
    for index, line in enumerate(lines):
        words = _text(line)
        if not text:
            text = words
            continue
        previous = lines[index - 1]
        first_word = words.split(" ")[0]
        word_width = sum(c.x1 - c.x0 for c in line[:len(first_word)])
        wrapped = right - previous[-1].x1 < word_width + previous[-1].size * 0.6
        # a capital after a full word starts a new name or paragraph ("...округа" / "Отдел ...")
        if wrapped and words[:1].isupper() and not (_FUNCTION_WORD.search(text) or _NEEDS_OWNER.search(text)
                                                     or _PLACE_GENITIVE.match(words)):
            wrapped = False
        if wrapped and text.endswith("-") and words[:1].islower():
            text += words  # "педагогов-" / "навигаторов"
        else:
            text += (" " if wrapped else "\n") + words
    return clean_cell(text)


def _page_items(page: _Page, columns: list[float] | None):
    """(kind, top, payload) of a page in reading order: paragraphs outside the table, table rows."""
    table = _ruled_rows(page)
    inside: set[int] = set()
    items = []
    for top, bottom, cells in table:
        texts = []
        for x0, x1 in cells:
            chars = _inside(page.chars, x0, x1, top, bottom)
            inside.update(id(c) for c in chars)
            texts.append((x0, _cell_text(chars, x1 - 2 * _TOLERANCE)))
        if not any(text for _, text in texts):
            continue
        row_cells = _place(texts, columns) if columns else [text for _, text in texts]
        spanning = columns is not None and len(cells) < len(columns) and sum(1 for _, t in texts if t) == 1
        items.append(("row", top, (row_cells, spanning)))
    rest = [c for c in page.chars if id(c) not in inside and c.text.strip()]
    if table:
        for line in _lines(rest):
            items.append(("para", line[0].top, _text(line)))
    else:
        items += _stream_items(rest, columns)
    items.sort(key=lambda item: item[1])
    return items


def _ruled_rows(page: _Page) -> list[tuple[float, float, list[tuple[float, float]]]]:
    """Rows of a ruled table: bands between horizontal rules, cut by the vertical rules crossing them."""
    if len(page.vertical) < 2 or len(page.horizontal) < 2:
        return []
    ys = _merge(sorted(y for y, _, _ in page.horizontal))
    rows = []
    for top, bottom in zip(ys, ys[1:]):
        if bottom - top < 3:
            continue
        middle = (top + bottom) / 2
        xs = _merge(sorted(x for x, t, b in page.vertical if t - _TOLERANCE <= middle <= b + _TOLERANCE))
        if len(xs) < 2:
            continue
        rows.append((top, bottom, list(zip(xs, xs[1:]))))
    return rows


def _merge(values: list[float]) -> list[float]:
    """Coordinates closer than a double rule are one."""
    merged: list[float] = []
    for value in values:
        if not merged or value - merged[-1] > 3 * _TOLERANCE:
            merged.append(value)
    return merged


def _place(texts: list[tuple[float, str]], columns: list[float]) -> list[str]:
    """Cells of a row at the columns their left edges fall in (a cell spanning columns fills the first)."""
    cells = [""] * len(columns)
    for x0, text in texts:
        index = max((i for i, left in enumerate(columns) if left - 3 * _TOLERANCE <= x0), default=0)
        cells[index] = _join(cells[index], text)
    return cells


def _join(a: str, b: str) -> str:
    return "\n".join(t for t in (a, b) if t)


def _header_columns(page: _Page) -> list[float] | None:
    """Left edges of the columns of the table header found on this page, if any."""
    from .parser import find_header

    for top, bottom, cells in _ruled_rows(page):
        texts = [_cell_text(_inside(page.chars, x0, x1, top, bottom)) for x0, x1 in cells]
        if find_header(texts):
            return [x0 for x0, _ in cells]
    for line in _lines(page.chars):
        runs = _runs(line)
        if find_header([_text(run) for run in runs]):
            return [run[0].x0 for run in runs]
    return None


def _inside(chars: list[_Char], x0: float, x1: float, top: float, bottom: float) -> list[_Char]:
    return [c for c in chars if x0 - _TOLERANCE <= (c.x0 + c.x1) / 2 <= x1 + _TOLERANCE
            and top - _TOLERANCE <= (c.top + c.bottom) / 2 <= bottom + _TOLERANCE]


def _stream_items(chars: list[_Char], columns: list[float] | None):
    """A table without rules: the header's words give the columns, blank space between lines
    separates rows (cells may be centred vertically, so a row is a band of lines, not a line)."""
    from .parser import find_header

    items = []
    lines = _lines(chars)
    index = 0
    while index < len(lines) and columns is None or index < len(lines) and not find_header(
            [_text(run) for run in _runs(lines[index])]):
        texts = [_text(run) for run in _runs(lines[index])]
        if columns is None and find_header(texts):
            columns = [run[0].x0 for run in _runs(lines[index])]
            break
        items.append(("para", lines[index][0].top, " ".join(texts)))
        index += 1
    if index >= len(lines) or columns is None:
        return items
    header = lines[index]
    header_cells = _place([(run[0].x0, _text(run)) for run in _runs(header)], columns)
    bands = _bands(lines[index + 1:])
    # a header written over two lines: its second line joins the header's cells
    while bands and len(bands[0]) == 1 and not ITEM_NUMBER.match(_place_band(bands[0], columns)[0] or "x") \
            and sum(1 for t in _place_band(bands[0], columns) if t) >= 3:
        header_cells = [continue_cell(a, b) for a, b in zip(header_cells, _place_band(bands.pop(0), columns))]
    items.append(("row", header[0].top, (header_cells, False)))
    for band in bands:
        cells = _place_band(band, columns)
        runs = [run for line in band for run in _runs(line)]
        across = len(runs) == 1 and len(columns) > 1 and runs[0][-1].x1 > columns[1] + 3 * _TOLERANCE
        if across or sum(1 for c in cells if c) == 1 and not ITEM_NUMBER.match(cells[0]):
            items.append(("para", band[0][0].top, " ".join(_text(line) for line in band)))
            continue
        items.append(("row", band[0][0].top, (cells, False)))
    return items


def _bands(lines: list[list[_Char]]) -> list[list[list[_Char]]]:
    """Lines grouped where the space between them is no wider than within a paragraph."""
    bands: list[list[list[_Char]]] = []
    bottom = 0.0
    for line in lines:
        top, size = min(c.top for c in line), max(c.size for c in line)
        if bands and top - bottom <= size * 0.6:
            bands[-1].append(line)
            bottom = max(bottom, max(c.bottom for c in line))
        else:
            bands.append([line])
            bottom = max(c.bottom for c in line)
    return bands


def _place_band(band: list[list[_Char]], columns: list[float]) -> list[str]:
    """The cells of a band of lines: each column's runs top to bottom, a wrapped line going on."""
    parts: list[list[str]] = [[] for _ in columns]
    for line in sorted(band, key=lambda l: l[0].top):
        for run in _runs(line):
            index = max((i for i, left in enumerate(columns) if left - 3 * _TOLERANCE <= run[0].x0), default=0)
            parts[index].append(_text(run))
    return [join_wrapped(p) for p in parts]
