"""Import a roadmap from a text extract: table rows with cells separated by tabs.

The extract keeps what published documents look like: a title before the table, a header row
found by meaning, section rows ("<b>1. Мероприятия ...</b>" across the table), item rows
("2.10."), rows split by page breaks (no number: their cells continue the previous item), and
leftover HTML in cells.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from datetime import date

from ..deadlines import parse_deadline
from ..errors import DocumentImportError
from ..executors import Catalogue
from ..model import Item, Roadmap, Section

# column roles recognised in header cells, by meaning
_HEADER_PATTERNS = {
    "number": r"^№|номер|п/п",
    "event": r"мероприяти|наименование|содержание",
    "deadline": r"срок",
    "executors": r"исполнител|ответственн",
    "result": r"результат|планируем",
}
_ITEM_NUMBER = re.compile(r"^\d{1,3}(?:\.\d{1,3})*\.?$")
_SECTION_NUMBER = re.compile(r"^(?:\d{1,2}|[IVXХ]{1,5})\.?$")
_SECTION_IN_CELL = re.compile(r"^(?P<number>(?:\d{1,2}|[IVXХ]{1,5})\.?)\s*(?P<title>\S.*)$")
_PERIOD = re.compile(r"на\s+(\d{4})\s*[-–—]\s*(\d{4})\s*(?:гг\.?|годы|года)?", re.IGNORECASE)


@dataclass
class ImportReport:
    """What an import found, for the Russian summary printed after it."""

    warnings: list[str] = field(default_factory=list)


def clean_cell(raw: str) -> str:
    """Cell text without HTML: paragraphs and list items become lines, entities decoded."""
    s = re.sub(r"<a\b[^>]*>(.*?)</a>", r"\1", raw, flags=re.IGNORECASE | re.DOTALL)
    s = re.sub(r"<li\b[^>]*>", "\n", s, flags=re.IGNORECASE)
    s = re.sub(r"</p>\s*<p\b[^>]*>|<br\s*/?>|</?(?:ul|ol|p|div)\b[^>]*>", "\n", s, flags=re.IGNORECASE)
    s = re.sub(r"<[^>]+>", "", s)
    s = html.unescape(s).replace("\xa0", " ").replace("****", "\n").replace("**", "")
    lines = [re.sub(r"[ \t]+", " ", line).strip() for line in s.split("\n")]
    return "\n".join(line for line in lines if line)


def _join(previous: str, continuation: str) -> str:
    if not previous:
        return continuation
    if not continuation:
        return previous
    # a list item continues on a new line; a sentence cut by a page break goes on with a space
    return previous + ("\n" if continuation.startswith(("-", "•", "–")) else " ") + continuation


def find_header(cells: list[str]) -> dict[str, int] | None:
    """Column index per role if ``cells`` is a table header row, else None."""
    roles: dict[str, int] = {}
    for index, cell in enumerate(cells):
        text = cell.lower()
        for role, pattern in _HEADER_PATTERNS.items():
            if role not in roles and re.search(pattern, text):
                roles[role] = index
                break
    if {"event", "deadline"} <= roles.keys() and len(roles) >= 4:
        return roles
    return None


def import_text(text: str, catalogue: Catalogue | None = None, report: ImportReport | None = None) -> Roadmap:
    """Build a :class:`Roadmap` from a tab-separated extract of one roadmap table."""
    catalogue = catalogue if catalogue is not None else Catalogue()
    report = report if report is not None else ImportReport()
    lines = text.splitlines()
    title_lines: list[str] = []
    roles: dict[str, int] | None = None
    start = 0
    for number, line in enumerate(lines):
        cells = [clean_cell(c) for c in line.split("\t")]
        roles = find_header(cells) if len(cells) > 1 else None
        if roles:
            start = number + 1
            break
        if line.strip():
            title_lines.append(clean_cell(line).replace("\n", " "))
    if roles is None:
        raise DocumentImportError("не найдена строка заголовка таблицы (№, мероприятие, сроки, исполнители)")

    title = re.sub(r"\s+", " ", " ".join(title_lines)).strip()
    period_start = period_end = None
    match = _PERIOD.search(title)
    if match:
        period_start, period_end = date(int(match.group(1)), 1, 1), date(int(match.group(2)), 12, 31)

    raw_items: list[tuple[int, dict[str, str]]] = []
    sections: list[tuple[str, str, list[tuple[int, dict[str, str]]]]] = []
    for number, line in enumerate(lines[start:], start=start + 1):
        if not line.strip() or set(line.strip()) <= set("-\t "):
            continue
        cells = [clean_cell(c) for c in line.split("\t")]
        values = {role: cells[index] if index < len(cells) else "" for role, index in roles.items()}
        first = values.get("number", "")
        rest = [v for role, v in values.items() if role != "number"]
        filled_rest = [v for v in rest if v]
        if first and not filled_rest:
            match = _SECTION_IN_CELL.match(first)
            if match:
                sections.append((match.group("number"), match.group("title"), []))
                continue
        if (
            _SECTION_NUMBER.match(first)
            and values.get("event")
            and not any(values.get(r) for r in ("deadline", "executors", "result"))
        ):
            # "1." or "II." with a title and nothing else: a section heading
            sections.append((first, values["event"], []))
            continue
        if _ITEM_NUMBER.match(first):
            if not sections:
                sections.append(("", "", []))
            sections[-1][2].append((number, values))
            continue
        if not first and filled_rest:
            target = sections[-1][2][-1][1] if sections and sections[-1][2] else None
            if target is None:
                report.warnings.append(f"строка {number}: строка без номера до первого мероприятия "
                                       "добавлена как мероприятие без номера")
                if not sections:
                    sections.append(("", "", []))
                sections[-1][2].append((number, values))
                continue
            for role, value in values.items():
                if role != "number":
                    target[role] = _join(target.get(role, ""), value)
            continue
        report.warnings.append(f"строка {number}: не распознана, добавлена как мероприятие: {line[:60]!r}")
        if not sections:
            sections.append(("", "", []))
        sections[-1][2].append((number, values))

    roadmap = Roadmap(title=title, period_start=period_start, period_end=period_end)
    for section_number, section_title, entries in sections:
        section = Section(section_number, section_title)
        for _, values in entries:
            executors, note = catalogue.resolve_cell(values.get("executors", ""), add_unknown=True)
            section.items.append(
                Item(
                    number=values.get("number", ""),
                    event=values.get("event", ""),
                    deadline=parse_deadline(values.get("deadline", ""), period_start, period_end),
                    executors=executors,
                    result=values.get("result", ""),
                    note=note,
                )
            )
        roadmap.sections.append(section)
    roadmap.executors = catalogue.executors
    roadmap.deadline_vocabulary = sorted({i.deadline.text for i in roadmap.items if i.deadline.text},
                                         key=str.lower)
    return roadmap

