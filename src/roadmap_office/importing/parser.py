"""Blocks of a roadmap document -> roadmaps: header by meaning, sections, items, continuations.

One document may hold several roadmaps (an order with appendices): each table header starts
one, and the paragraphs before it (appendix line, title, passport) describe it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from ..deadlines import Timeline
from ..executors import Catalogue
from ..model import Aggregation, Indicator, IndicatorKind, Item, Roadmap, Section
from .sources import Block, Para, Row

# column roles recognised in header cells, by meaning, in any order and wording
_HEADER_PATTERNS = [
    ("number", r"^№|номер|^п/п"),
    ("deadline", r"срок"),
    ("executors", r"исполнител|ответственн"),
    ("result", r"результат|планируем\w*\s|показател"),
    ("event", r"мероприяти|наименование|содержание"),
]
_ITEM_NUMBER = re.compile(r"^(?:\d{1,3}(?:\.\d{1,3})*\.?|[IVXХ]{1,5}\.?)$")
_ROMAN = re.compile(r"^[IVXХ]{1,5}\.?$")
_SECTION_IN_CELL = re.compile(r"^(?P<number>(?:\d{1,2}|[IVXХ]{1,5})\.)\s*(?P<title>[А-ЯЁA-Z«\"].*)$", re.DOTALL)
_PERIOD = re.compile(r"на\s+(\d{4})\s*[-–—]\s*(\d{4})\s*(?:гг\.?|годы|года)?", re.IGNORECASE)
_ROADMAP_NUMBER = re.compile(r"дорожн\w*\s+карт\w*\W{0,3}\s*(\d+(?:\.\d+)*)", re.IGNORECASE)
_APPENDIX = re.compile(r"^\**\s*ПРИЛОЖЕНИЕ\s*№?\s*(\d+)", re.IGNORECASE)
_PERCENT = re.compile(r"(\d+(?:[.,]\d+)?)\s*%")


@dataclass
class Draft:
    """One roadmap table found in a document, before interpretation."""

    preamble: list[Para]
    header: Row
    roles: dict[str, int]
    body: list[Block] = field(default_factory=list)

    @property
    def title(self) -> str:
        paras = [p.text for p in self.preamble]
        start = max((i for i, t in enumerate(paras) if re.match(r"^\W*План\b", t)), default=None)
        if start is None:
            lines = [t for t in paras if not _APPENDIX.match(t) and not re.match(r"^(к приказу|от\s|админист|муниц)", t, re.I)]
            lines = lines[-2:]
        else:
            lines = []
            for text in paras[start:]:
                if lines and (_PERCENT.search(text) or re.match(r"^(цел|задач|паспорт|показател)", text, re.I)):
                    break
                lines.append(text)
        return re.sub(r"\s+", " ", " ".join(lines).replace("*", "")).strip()

    @property
    def number(self) -> str:
        match = _ROADMAP_NUMBER.search(self.title)
        return match.group(1).rstrip(".") if match else ""

    @property
    def appendix(self) -> str:
        found = [m.group(1) for p in self.preamble if (m := _APPENDIX.match(p.text))]
        return found[-1] if found else ""

    @property
    def issuer(self) -> str:
        """The body whose order approves the roadmap: "к приказу департамента образования ..."."""
        paras = [p.text for p in self.preamble]
        start = next((i for i, t in enumerate(paras) if re.match(r"^к\s+(приказу|постановлению|распоряжению)", t, re.I)),
                     None)
        if start is None:
            return ""
        words = []
        for text in paras[start:]:
            if re.match(r"^от\s", text) or re.match(r"^\W*План\b", text):
                break
            words.append(text)
        body = re.sub(r"^к\s+\w+\s+", "", " ".join(words), flags=re.I)
        nominative = {"департамента": "Департамент", "министерства": "Министерство", "управления": "Управление",
                      "отдела": "Отдел", "комитета": "Комитет", "администрации": "Администрация"}
        first, _, rest = body.partition(" ")
        return (nominative.get(first.lower(), first[:1].upper() + first[1:]) + " " + rest).strip()

    @property
    def passport(self) -> list[Para]:
        """Paragraphs after the title with target values ("70 % учащихся ...")."""
        paras = self.preamble
        start = max((i for i, p in enumerate(paras) if re.match(r"^\W*План\b", p.text)), default=-1)
        return [p for p in paras[start + 1:] if _PERCENT.search(p.text)]


@dataclass
class ImportReport:
    """What an import found, for the Russian summary printed after it."""

    warnings: list[str] = field(default_factory=list)

    def warn(self, line: int, message: str) -> None:
        self.warnings.append(f"строка {line}: {message}")


def find_header(cells: list[str]) -> dict[str, int] | None:
    """Column index per role if ``cells`` is a table header row, else None."""
    roles: dict[str, int] = {}
    for index, cell in enumerate(cells):
        text = re.sub(r"\s+", " ", cell.lower().replace("*", ""))
        if not text or len(text) > 60:
            continue
        for role, pattern in _HEADER_PATTERNS:
            if role not in roles and re.search(pattern, text):
                roles[role] = index
                break
    if {"event", "deadline"} <= roles.keys() and len(roles) >= 4:
        return roles
    return None


def split_roadmaps(blocks: list[Block]) -> list[Draft]:
    drafts: list[Draft] = []
    pending: list[Para] = []
    for block in blocks:
        roles = find_header(block.cells) if isinstance(block, Row) else None
        if roles:
            if drafts:
                # paragraphs after the previous table's last row introduce this one
                body = drafts[-1].body
                while body and isinstance(body[-1], Para):
                    pending.insert(0, body.pop())
            drafts.append(Draft(pending, block, roles))
            pending = []
        elif drafts:
            drafts[-1].body.append(block)
        elif isinstance(block, Para):
            pending.append(block)
    return drafts


def _value(row: Row, roles: dict[str, int], role: str) -> str:
    index = roles.get(role)
    return row.cells[index].strip() if index is not None and index < len(row.cells) else ""


def _join(previous: str, continuation: str) -> str:
    if not previous or not continuation:
        return previous or continuation
    # a list item continues on a new line; a sentence cut by a page break goes on with a space
    return previous + ("\n" if continuation.startswith(("-", "•", "–")) else " ") + continuation


def _section_value(number: str) -> int | None:
    number = number.rstrip(".").replace("Х", "X")
    if number.isdigit():
        return int(number)
    if re.fullmatch(r"[IVX]+", number):
        values = {"I": 1, "V": 5, "X": 10}
        total = 0
        for i, ch in enumerate(number):
            value = values[ch]
            total += -value if i + 1 < len(number) and values[number[i + 1]] > value else value
        return total
    return None


def _levels(number: str) -> int:
    return len([p for p in number.rstrip(".").split(".") if p])


def build_roadmap(draft: Draft, catalogue: Catalogue, report: ImportReport) -> Roadmap:
    title = draft.title
    period_start = period_end = None
    match = _PERIOD.search(title)
    if match:
        period_start, period_end = date(int(match.group(1)), 1, 1), date(int(match.group(2)), 12, 31)
    roadmap = Roadmap(title=title, issuer=draft.issuer, period_start=period_start, period_end=period_end)

    rows = [b for b in draft.body if isinstance(b, Row)]
    numbered = [(i, _value(r, draft.roles, "number")) for i, r in enumerate(rows)]
    entries: list[tuple[Section, list[tuple[int, dict[str, str]]]]] = []
    last_item: dict[str, str] | None = None

    def section(number: str, text: str) -> None:
        nonlocal last_item
        entries.append((Section(number, text), []))
        last_item = None

    def next_number(index: int) -> str:
        for _, number in numbered[index + 1:]:
            if _ITEM_NUMBER.match(number):
                return number
        return ""

    row_index = -1
    for block in draft.body:
        if isinstance(block, Para):
            heading = re.match(r"^(?P<number>(?:\d{1,2}(?:\.\d{1,2})*|[IVXХ]{1,5})\.)\s*(?P<title>\S.*)$", block.text)
            if heading:
                section(heading.group("number"), heading.group("title"))
            else:
                report.warn(block.line, f"текст между строками таблицы пропущен: «{block.text[:60]}»")
            continue
        row_index += 1
        row = block
        if not any(c.strip() for c in row.cells) or all(set(c.strip()) <= set("-–—") for c in row.cells):
            continue
        if find_header(row.cells) or all(c.strip().isdigit() for c in row.cells if c.strip()):
            continue  # a header repeated on a new page, or the row of column numbers
        values = {role: _value(row, draft.roles, role) for role in draft.roles}
        number = values.get("number", "")
        content = any(values.get(r) for r in ("deadline", "executors", "result"))
        if number and not values.get("event") and not content and _SECTION_IN_CELL.match(number):
            m = _SECTION_IN_CELL.match(number)
            section(m.group("number"), re.sub(r"\s+", " ", m.group("title")))
            continue
        if _ITEM_NUMBER.match(number):
            has_children = _levels(next_number(row_index)) > _levels(number)
            if values.get("event") and not content and (_levels(number) == 1 or has_children):
                section(number, values["event"].replace("\n", " "))
                continue
            if not entries:
                section("", "")
            last_item = values
            entries[-1][1].append((row.line, values))
            continue
        if number and not content and not values.get("event"):
            section("", number.replace("\n", " "))  # a section title written across the table
            continue
        if last_item is not None:
            for role, value in values.items():
                if role != "number":
                    last_item[role] = _join(last_item.get(role, ""), value)
            continue
        report.warn(row.line, "строка без номера до первого мероприятия добавлена как мероприятие без номера")
        if not entries:
            section("", "")
        entries[-1][1].append((row.line, values))

    timeline = Timeline(period_start, period_end)
    for sec, items in entries:
        _check_numbers(sec, items, report)
        for line, values in items:
            executors, note = catalogue.resolve_cell(values.get("executors", ""), add_unknown=True)
            deadline = timeline.parse(values.get("deadline", ""))
            if deadline.flagged:
                report.warn(line, f"срок «{deadline.text}» не распознан (мероприятие {values.get('number', '')})")
            sec.items.append(Item(values.get("number", ""), values.get("event", ""), deadline, executors,
                                  values.get("result", ""), note=note))
        roadmap.sections.append(sec)
    _unique_keys(roadmap)
    roadmap.executors = catalogue.executors
    roadmap.deadline_vocabulary = sorted({i.deadline.text for i in roadmap.items if i.deadline.text}, key=str.lower)
    roadmap.indicators = passport_indicators(draft.passport)
    return roadmap


def _check_numbers(section: Section, items: list[tuple[int, dict[str, str]]], report: ImportReport) -> None:
    """Numbering stays as printed; probable typos and gaps become warnings."""
    expected = _section_value(section.number)
    previous: list[int] | None = None
    for line, values in items:
        number = values.get("number", "")
        parts = [int(p) for p in number.rstrip(".").split(".") if p.isdigit()]
        if not parts:
            continue
        if expected and len(parts) == 1 and parts[0] > 9 and str(parts[0]).startswith(str(expected)):
            rest = str(parts[0])[len(str(expected)):]
            report.warn(line, f"номер «{number}» в разделе {section.number} похож на опечатку: "
                              f"вероятно, «{expected}.{rest}.»")
            parts = [expected, int(rest)]
        elif expected and len(parts) > 1 and parts[0] != expected:
            report.warn(line, f"номер «{number}» не соответствует разделу {section.number}")
        if previous and len(parts) == len(previous) and parts[:-1] == previous[:-1] and parts[-1] > previous[-1] + 1:
            report.warn(line, f"после мероприятия {'.'.join(map(str, previous))} идёт {number}: пропущен номер?")
        previous = parts


def _unique_keys(roadmap: Roadmap) -> None:
    """Item keys must be unique; a number printed twice (or a typo) gets a suffix."""
    seen: dict[str, int] = {}
    for item in roadmap.items:
        key = item.key or "б/н"
        if key in seen:
            seen[key] += 1
            item.key = f"{key}-{seen[key]}"
        else:
            seen[key] = 1
            item.key = key


def passport_indicators(paras: list[Para]) -> list[Indicator]:
    """Target values in a passport: "70 % учащихся принимают участие в олимпиадах"."""
    indicators = []
    for para in paras:
        for sentence in re.split(r";\s*|\n", para.text):
            sentence = re.sub(r"^[^:%]{0,40}:\s*", "", sentence)  # "Целевые показатели: ..."
            match = _PERCENT.search(sentence)
            if not match:
                continue
            value = match.group(1).replace(".", ",")
            name = re.sub(r"^\W*(?:в|во)?\s*$", "", sentence[: match.start()]).strip(" -–—:,")
            rest = sentence[match.end():].strip(" .;:,")
            schools = re.match(r"^(ОУ|ОО|ОбОО|школ\w*|образовательных организаци\w*)\s+(.*)$", rest, re.IGNORECASE)
            if schools:
                indicators.append(Indicator(f"П{len(indicators) + 1}", _capital(schools.group(2)), "да/нет",
                                            IndicatorKind.YESNO, aggregation=Aggregation.SHARE_YES,
                                            target=f"{value} % ОО"))
            else:
                text = (name + " " + rest).strip() if name and not re.fullmatch(r"(не менее|до|в)", name) else rest
                indicators.append(Indicator(f"П{len(indicators) + 1}", _capital(text), "%", IndicatorKind.PERCENT,
                                            0, 100, Aggregation.WEIGHTED_MEAN,
                                            target=(f"{name} {value} %" if name in ("не менее", "до") else f"{value} %")))
    return indicators


def _capital(text: str) -> str:
    text = re.sub(r"\s+", " ", text).strip(" .;")
    return text[:1].upper() + text[1:]
