"""Text extracts of a roadmap -> blocks, for each way districts get the text of a table.

- tab-separated rows (copy-paste, Word's "save as text"), a row broken over several lines when a
  cell holds several paragraphs;
- one cell per line led by a tab (extracts of published documents), section lines led by a tab;
- ГАРАНТ's text export: cells ending in ``|``, rows separated by a line of ``|`` (or a
  pseudographic table whose rows span several lines);
- paragraph per cell (document portals): one cell a paragraph, blank lines between, no tabs;
- line per cell (LibreOffice's "save as text" of a table): one cell a line, an empty cell an empty
  line, a cell's own line breaks as more lines.

Whatever the family, the result is the same blocks; a row the reader could not split for sure
carries ``problem``, which the import summary names.
"""

from __future__ import annotations

import re

from .blocks import ITEM_NUMBER, Block, Para, Row, clean_cell

# a section heading: "1. Организационные меры", "1.Нормативно-правовое", "II Мероприятия", "3 Меры ..."
HEADING_LINE = re.compile(r"^(?:\d{1,2}(?:\.\d{1,2})*|[IVXХ]{1,5})(?:\.\s*|\s+(?!" + r"(?:[Яя]нвар|[Фф]еврал|[Мм]арт|[Аа]прел|[Мм]а[йяе]|[Ии]юн|[Ии]юл|[Аа]вгуст|[Сс]ентябр|[Оо]ктябр|[Нн]оябр|[Дд]екабр)))"
                          r"[А-ЯЁA-Z«\"]")
# a line closing a row: "||||", "|----+----|" (a lone "|" is an empty cell)
_PIPE_SEPARATOR = re.compile(r"^[|+\-=─┼│\s]*(?:\|[|+\-=─┼│\s]*\||[+\-=─┼])[|+\-=─┼│\s]*$")
# words a deadline cell is made of (a cell of only these anchors the columns of a row)
_DEADLINE_WORDS = re.compile(
    r"^(?:(?:с|по|до|не позднее|в течение|в|во|на|к|ежегодно|ежемесячно|ежеквартально|еженедельно|постоянно|"
    r"по мере необходимости|по отдельному (?:плану|графику)|январ\w*|феврал\w*|март\w*|апрел\w*|ма[йяе]|июн\w*|"
    r"июл\w*|август\w*|сентябр\w*|октябр\w*|ноябр\w*|декабр\w*|квартал\w*|полугоди\w*|год\w*|гг?|учебн\w*|уч|"
    r"раз|числа|течение|итог\w*|четверт\w*|каникул\w*|месяц\w*|недел\w*|декад\w*|весь|период\w*|реализации|"
    r"кажд\w*|начал\w*|конц\w*|середин\w*|перв\w*|втор\w*|трет\w*|понедельник\w*|сред\w*|четверг\w*|"
    r"пятниц\w*|суббот\w*|воскресень\w*|"
    r"[IV]{1,3}|\d{1,4}|и)[\s.,\-–—/()*]*)+$", re.IGNORECASE)
# the start of an executor's name: a line that continues an executor cell, not a heading
_EXECUTOR_START = re.compile(
    r"^(?:М[БАК]ОУ|М[БАК]ДОУ|М[БАК]У|ГБ|ГА|ГК|БУ|АУ|ОО|ДОО|УО|ИМО|ИМЦ|Отдел|Управлени|Комитет|Департамент|"
    r"Администрац|Центр|Школ|Руководител|Педагог|Классн|Заместител|Советник|Учител|Специалист|Общеобразовательн|"
    r"Образовательн|Муниципальн|Дошкольн|Учреждени|Организаци|Родител|Координатор|Служб|Сектор|Методист|"
    r"Директор|Библиотек|Совет|Инспектор|КДН)", re.IGNORECASE)


def text_blocks(text: str) -> list[Block]:
    """The blocks of a text extract, read by the family its layout shows."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if sum(1 for line in lines if line.rstrip().endswith("|") or _PIPE_SEPARATOR.match(line.strip())) >= 3:
        return _piped(lines)
    if any(line.count("\t") >= 2 for line in lines):
        if re.search(r'(?:^|\t)"[^"\t\n]*\n', text.replace("\r\n", "\n"), re.MULTILINE):
            return _clipboard(text.replace("\r\n", "\n").replace("\r", "\n"))
        return _tabbed(lines)
    if any(line.startswith("\t") for line in lines):
        return _cell_per_line(lines)
    return _untabbed(lines)


# ---- tabs ----------------------------------------------------------------------------------------


def _tabbed(lines: list[str]) -> list[Block]:
    """Tab-separated rows. A row with fewer cells than the header goes on on the next line: a
    cell holding several paragraphs breaks the row there (Word's "save as text", copy-paste)."""
    from .parser import find_header

    blocks: list[Block] = []
    width = 0
    open_row: Row | None = None  # a row still short of cells
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        parts = [clean_cell(c) for c in line.split("\t")]
        if open_row is not None and not (len(parts) > 1 and ITEM_NUMBER.match(parts[0].strip())):
            open_row.cells[-1] = continue_cell(open_row.cells[-1], parts[0]) if parts[0] else open_row.cells[-1]
            open_row.cells += parts[1:]
            if len(open_row.cells) >= width:
                open_row = None
            continue
        if open_row is not None:  # the next numbered row starts while this one is short
            open_row.problem = f"в строке {len(open_row.cells)} ячеек из {width}"
            open_row = None
        if "\t" not in line:
            blocks.append(Para(clean_cell(line), number))  # lines of a list in one paragraph stay lines
            continue
        if width and len(parts) < width and _SIGNATURE.search(line) and number >= 2 and not lines[number - 2].strip():
            # after a blank line, a signature with tabs is no table row
            blocks.append(Para(" ".join(p for p in parts if p), number))
            continue
        row = Row(parts, number)
        blocks.append(row)
        if not width and find_header(parts):
            width = len(parts)
        elif width and len(parts) < width and ITEM_NUMBER.match(parts[0].strip()):
            open_row = row
    if open_row is not None:
        open_row.problem = f"в строке {len(open_row.cells)} ячеек из {width}"
    return blocks


def mark_short(blocks: list[Block]) -> list[Block]:
    """A numbered row with fewer cells than its table's header: a cell lost (deleted in a table,
    the others shifted left) or two cells run together. Its values may sit in the wrong columns."""
    from .parser import find_header

    width, number = 0, 0
    for block in blocks:
        if not isinstance(block, Row):
            continue
        roles = find_header(block.cells)
        if roles:
            width, number = len(block.cells), roles.get("number", 0)
        elif width and not block.problem and len(block.cells) < width and number < len(block.cells) \
                and ITEM_NUMBER.match(block.cells[number].strip()):
            block.problem = f"в строке {len(block.cells)} ячеек из {width}: значения могли сдвинуться в чужие столбцы"
    return blocks


def _clipboard(text: str) -> list[Block]:
    """Cells copied from a spreadsheet: tabs between cells, a cell with line breaks in quotes."""
    import csv
    import io

    blocks: list[Block] = []
    reader = csv.reader(io.StringIO(text), delimiter="\t", quotechar='"')
    line = 1
    for cells in reader:
        if any(c.strip() for c in cells):
            if len(cells) == 1:
                blocks.append(Para(clean_cell(cells[0]).replace("\n", " "), line))
            else:
                blocks.append(Row([clean_cell(c) for c in cells], line))
        line = reader.line_num + 1
    return mark_short(blocks)


def _cell_per_line(lines: list[str]) -> list[Block]:
    """Rows written one cell per line: a cell starts on a line led by a tab.

    The header (the first run of tab-led lines) tells how many cells a row has; lines without a
    tab continue the cell before them (an executor list, a deadline over two lines), so a blank
    line may sit inside a row. A number alone on a line starts a row whose cells follow.
    A line without a tab right after a complete row still continues its last cell unless it is
    a numbered heading; after a blank line it is a paragraph (a section heading, a note). A
    numbered heading led by a tab after a complete row or a blank line is a section line.
    """
    width = _header_width(lines)
    blocks: list[Block] = []
    current: Row | None = None

    def complete() -> bool:
        return current is None or (width > 0 and len(current.cells) >= width)

    for number, line in enumerate(lines, start=1):
        after_blank = number >= 2 and lines[number - 2].strip() == ""
        if line.startswith("\t") and HEADING_LINE.match(line.strip()) and (complete() or after_blank):
            current = None  # a section line led by a tab, as some extracts write them
            blocks.append(Para(clean_cell(line.strip()).replace("\n", " "), number))
            continue
        if line.startswith("\t"):
            if complete():
                current = Row([], number)
                blocks.append(current)
            current.cells.append(clean_cell(line.strip("\t")))
            continue
        stripped = line.strip()
        if not stripped:
            continue
        right_after = not after_blank and number >= 2
        if current is not None and current.cells and (not complete() or right_after and not HEADING_LINE.match(stripped)):
            current.cells[-1] = continue_cell(current.cells[-1], clean_cell(stripped))
            continue
        if ITEM_NUMBER.match(stripped):
            current = Row([stripped], number)  # the number cell, its row follows on tab lines
            blocks.append(current)
            continue
        current = None
        blocks.append(Para(clean_cell(stripped).replace("\n", " "), number))
    return blocks


def _header_width(lines: list[str]) -> int:
    """Cells in the first run of tab-led lines that reads as a table header (0 if none)."""
    from .parser import find_header

    run: list[str] = []
    for line in lines + [""]:
        if line.startswith("\t"):
            run.append(line.strip("\t"))
        elif run:
            if find_header(run):
                return len(run)
            run = []
    return 0


def continue_cell(cell: str, more: str) -> str:
    """A line going on in lower case continues the sentence; others start a new line of the cell."""
    if not cell:
        return more
    if not more:
        return cell
    return f"{cell} {more}" if more[:1].islower() else f"{cell}\n{more}"


# ---- ГАРАНТ: pipes ---------------------------------------------------------------------------------


def _piped(lines: list[str]) -> list[Block]:
    """ГАРАНТ's text export: each cell ends in ``|``, a line of pipes closes a row.

    A row's lines either hold one cell each (a cell going on over lines until its ``|``), or all
    the row's cells side by side, wrapped over several lines of the same columns (pseudographics).
    """
    blocks: list[Block] = []
    group: list[tuple[int, str]] = []

    def flush() -> None:
        if group:
            blocks.append(_piped_row(group))
            group.clear()

    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if _PIPE_SEPARATOR.match(stripped) or (not stripped and group and group[-1][1].endswith("|")):
            flush()
        elif "|" in stripped or group:
            if stripped:
                group.append((number, stripped))
        elif stripped:
            blocks.append(Para(clean_cell(stripped), number))
    flush()
    return mark_short(blocks)


def _piped_row(group: list[tuple[int, str]]) -> Row:
    texts = [text for _, text in group]
    if all(text.strip("|").count("|") >= 1 for text in texts):  # side by side, wrapped over lines
        columns: list[list[str]] = []
        for text in texts:
            for index, part in enumerate(text.strip().strip("|").split("|")):
                while len(columns) <= index:
                    columns.append([])
                if part.strip():
                    columns[index].append(part.strip())
        cells = [clean_cell(join_wrapped(parts)) for parts in columns]
    else:  # one cell after another, each ending in "|"
        joined = "\n".join(texts)
        cells = [clean_cell(join_wrapped(part.split("\n"))) for part in joined.split("|")]
        if cells and not cells[-1]:
            cells.pop()
    row = Row(cells, group[0][0])
    row.spanning = sum(1 for c in cells if c) == 1 and len(cells) <= 1
    return row


def join_wrapped(parts: list[str]) -> str:
    text = ""
    for part in parts:
        text = continue_cell(text, part.strip())
    return text


# ---- no tabs: paragraph per cell, line per cell ---------------------------------------------------


def _untabbed(lines: list[str]) -> list[Block]:
    """Text with no tabs: a table copied one cell a paragraph, or saved one cell a line; else
    paragraphs (a numbered list, read by the parser)."""
    paragraphs = _paragraphs(lines)
    header = _header_run([text for _, text in paragraphs])
    if header:
        start, width = header
        units = paragraphs[start + width:]
        return ([Para(text.replace("\n", " "), line) for line, text in paragraphs[:start]]
                + [Row([text for _, text in paragraphs[start:start + width]], paragraphs[start][0])]
                + _rows_from_units(units, width, [t for _, t in paragraphs[start:start + width]], blank_is_cell=False))
    numbered = [(n, line.strip()) for n, line in enumerate(lines, start=1)]
    header = _header_run([text for _, text in numbered])
    if header:
        start, width = header
        before = [Para(text, line) for line, text in numbered[:start] if text]
        units = numbered[start + width:]
        while units and not units[-1][1]:
            units.pop()
        return (before + [Row([text for _, text in numbered[start:start + width]], numbered[start][0])]
                + _rows_from_units(units, width, [t for _, t in numbered[start:start + width]], blank_is_cell=True))
    return _cell_per_line(lines)


def _paragraphs(lines: list[str]) -> list[tuple[int, str]]:
    result: list[tuple[int, str]] = []
    current: list[str] = []
    first = 0
    for number, line in enumerate(lines + [""], start=1):
        if line.strip():
            if not current:
                first = number
            current.append(line.strip())
        elif current:
            result.append((first, join_wrapped(current)))
            current = []
    return result


def _header_run(texts: list[str]) -> tuple[int, int] | None:
    """(start, width) of the first run of short texts that reads as a table header."""
    from .parser import HEADER_PATTERNS, find_header

    def header_like(text: str) -> bool:
        low = text.lower().replace("\n", " ")
        return 0 < len(low) <= 60 and any(re.search(p, low) for _, p in HEADER_PATTERNS)

    for start in range(len(texts)):
        width = 0
        while start + width < len(texts) and header_like(texts[start + width]):
            width += 1
        if width >= 3 and find_header(texts[start:start + width]):
            return start, width
    return None


def _rows_from_units(units: list[tuple[int, str]], width: int, header: list[str], blank_is_cell: bool) -> list[Block]:
    """Cells in reading order -> rows: a number alone starts a row (the number column first);
    between rows, a heading or a note is a paragraph. A row with more cells than columns is
    fitted around its deadline cell; one that still does not fit is marked for the summary."""
    from .parser import find_header

    roles = find_header(header) or {}
    if roles.get("number") != 0:
        return _rows_fixed(units, width)
    blocks: list[Block] = []
    pending: list[tuple[int, str]] = []

    def flush() -> None:
        if pending:
            row, trailing = _fit(pending, width, roles, last=False)
            blocks.append(row)
            blocks.extend(trailing)
            pending.clear()

    for line, text in units:
        if not text and not blank_is_cell:
            continue
        if ITEM_NUMBER.match(text) and (not pending or len(pending) >= 2):
            flush()
            pending.append((line, text))
        elif not pending:
            if text:
                blocks.append(Para(text.replace("\n", " "), line))
        elif HEADING_LINE.match(text) and len(pending) >= width:
            flush()
            blocks.append(Para(text.replace("\n", " "), line))
        else:
            pending.append((line, text))
    if pending:
        row, trailing = _fit(pending, width, roles, last=True)
        blocks.append(row)
        blocks.extend(trailing)
    return blocks


def _rows_fixed(units: list[tuple[int, str]], width: int) -> list[Block]:
    blocks: list[Block] = []
    for index in range(0, len(units), width):
        chunk = units[index:index + width]
        row = Row([text for _, text in chunk], chunk[0][0])
        if len(chunk) < width:
            row.problem = f"в строке {len(chunk)} ячеек из {width}"
        blocks.append(row)
    return blocks


def _fit(pending: list[tuple[int, str]], width: int, roles: dict[str, int], last: bool) -> tuple[Row, list[Block]]:
    """One row's cells: exact when they match the columns; else placed around the deadline cell.

    Lines after the last column are more lines of an executor list when they read as names; a
    heading, or (after the last row) a note, when they read as such; otherwise the row is marked.
    """
    line = pending[0][0]
    units = list(pending)
    while len(units) > width and not units[-1][1]:
        units.pop()  # blank lines after the row
    if len(units) > width:  # a cell's second line in lower case goes on with its first
        merged = units[:2]
        for unit in units[2:]:
            if unit[1][:1].islower() and merged[-1][1] and not _DEADLINE_WORDS.match(unit[1]):
                merged[-1] = (merged[-1][0], continue_cell(merged[-1][1], unit[1]))
            else:
                merged.append(unit)
        units = merged
    texts = [text for _, text in units]
    if len(texts) == width:
        return Row(texts, line), []
    deadline = roles.get("deadline")
    anchor = next((i for i, t in enumerate(texts) if i and t and _DEADLINE_WORDS.match(t)), None)
    if deadline is None or anchor is None or len(texts) < width or anchor < deadline:
        row = Row((texts + [""] * width)[:max(width, len(texts))], line)
        row.problem = f"в строке {len(texts)} ячеек из {width}: ячейки не сопоставить со столбцами"
        return row, []
    row = Row([texts[0]], line)
    before = texts[1:anchor]
    if len(before) > deadline - 1 and deadline - 1 == 1:
        before = [join_wrapped(before)]
    elif len(before) != deadline - 1:
        row.problem = "ячейки до срока не сопоставить со столбцами"
    row.cells += before + [texts[anchor]]
    rest = width - 1 - deadline
    after, extra = units[anchor + 1:anchor + 1 + rest], units[anchor + 1 + rest:]
    last_role = next((r for r, i in roles.items() if i == width - 1), "")
    names = 0
    if last_role == "executors":
        while names < len(extra) and (not extra[names][1] or _executor_like(extra[names][1])):
            names += 1
    if after and names:
        after[-1] = (after[-1][0], "\n".join(t for _, t in [after[-1]] + extra[:names] if t))
    extra = extra[names:]
    trailing: list[Block] = []
    if extra and (last or all(HEADING_LINE.match(t) or _SECTION_WORD.match(t) for _, t in extra if t)):
        trailing = [Para(t.replace("\n", " "), n) for n, t in extra if t]
    elif extra:
        row.problem = row.problem or "после последнего столбца остались строки: строка прочитана неоднозначно"
        after += extra
    row.cells += [t for _, t in after]
    return row, trailing


_SECTION_WORD = re.compile(r"^(?:Раздел|Направление|Блок|Часть|Подраздел|Работа|Мероприяти|Меры|Развитие|"
                           r"Обеспечение|Информационн|Методическ|Кадров|Нормативн|Профилактик)")
_ORGANISATION = re.compile(r"(?:техникум|колледж|университет|институт|библиотек|музе|станци|клуб|центр|совет|"
                           r"комисси|инспекци|отдел|управлени|комитет|организаци|учреждени|школ|гимнази|лице|"
                           r"детский сад|администраци)", re.IGNORECASE)
# a signature: initials and a surname ("Т.Н. Лаптева", "Лаптева Т.Н.")
_SIGNATURE = re.compile(r"\b[А-ЯЁ]\.\s?[А-ЯЁ]\.\s?[А-ЯЁ][а-яё]+|[А-ЯЁ][а-яё]+\s[А-ЯЁ]\.\s?[А-ЯЁ]\.")


def _executor_like(text: str) -> bool:
    """A line going on an executor list: a body's or a person's role, not a heading or a signature."""
    if _SIGNATURE.search(text) or _SECTION_WORD.match(text) or HEADING_LINE.match(text):
        return False
    return bool("(по согласованию)" in text or _EXECUTOR_START.match(text) or _ORGANISATION.search(text))
