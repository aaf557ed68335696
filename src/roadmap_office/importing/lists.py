"""A roadmap written as a numbered list, not a table -> the same draft a table gives.

"1.2. Проведение семинара для классных руководителей (срок: октябрь 2024 г.; ответственный:
отдел образования)." The deadline, the executors and the result sit inside the item's
paragraph after their labels, in any order; sections are numbered or Roman headings between
items. Each item becomes a row of the usual columns, so the parser reads it like a table.
"""

from __future__ import annotations

import re

from .blocks import Block, Para, Row
from .parser import Draft, find_header

COLUMNS = ["№ п/п", "Наименование мероприятия", "Срок исполнения", "Ответственные исполнители", "Ожидаемый результат"]
_ROLE_OF_LABEL = [
    ("deadline", r"срок(?:и)?(?:\s+(?:исполнения|реализации|проведения))?|период\s+реализации|дата\s+проведения"),
    ("executors", r"ответственн\w*(?:\s+исполнител\w*)?|исполнител\w*"),
    ("result", r"(?:ожидаемый\s+|планируемый\s+)?результат\w*"),
]
_LABEL = re.compile(r"(?:^|[\s(;,.])(?P<label>" + "|".join(f"(?P<{role}>{pattern})" for role, pattern in _ROLE_OF_LABEL)
                    + r")\s*[:—–-]\s*", re.IGNORECASE)
_ITEM = re.compile(r"^(?P<number>\d{1,2}(?:\.\d{1,2})*\.?)\s*\)?\s+(?P<text>\S.*)$", re.DOTALL)
_SECTION = re.compile(r"^(?:раздел\s+)?(?P<number>[IVXХ]{1,5}|\d{1,2})(?:\.|\s)\s*(?P<title>[А-ЯЁA-Z«\"].*)$",
                      re.IGNORECASE | re.DOTALL)


def list_draft(blocks: list[Block]) -> Draft | None:
    """The draft of a numbered list with labelled deadlines, or None when the text is not one."""
    paras = [b for b in blocks if isinstance(b, Para)]
    first = next((i for i, p in enumerate(paras) if _labelled(p.text)), None)
    if first is None or sum(1 for p in paras if _labelled(p.text)) < 2:
        return None
    # the preamble ends where the first section or item starts
    start = first
    while start > 0 and (_SECTION.match(paras[start - 1].text) or _ITEM.match(paras[start - 1].text)):
        start -= 1
    header = Row(list(COLUMNS), paras[start].line if paras else 0)
    draft = Draft(paras[:start], header, find_header(COLUMNS) or {})
    current: Row | None = None
    current_text = ""
    for para in paras[start:]:
        text = para.text.strip()
        item = _ITEM.match(text)
        if item and (_labelled(text) or not _SECTION.match(text)):
            current, current_text = _item_row(item.group("number"), item.group("text"), para.line), item.group("text")
            draft.body.append(current)
        elif _SECTION.match(text) and not _labelled(text):
            current = None
            draft.body.append(Para(text, para.line))
        elif _labelled(text) and not _SECTION.match(text):  # an item whose number was lost: never a heading
            current, current_text = _item_row("", text, para.line), text
            draft.body.append(current)
        elif current is not None and not (current.cells[2] and current.cells[3]):
            current_text += " " + text  # a paragraph wrapped over lines: the item goes on
            joined = _item_row(current.cells[0], current_text, current.line)
            current.cells, current.problem = joined.cells, joined.problem
        else:
            current = None
            draft.body.append(Para(text, para.line))
    return draft


def _labelled(text: str) -> bool:
    return any(m.group("deadline") for m in _LABEL.finditer(text))


def _item_row(number: str, text: str, line: int) -> Row:
    """"Проведение семинара (срок: октябрь 2024 г.; ответственный: отдел образования)" -> cells."""
    labels = list(_LABEL.finditer(text))
    cells = [number, "", "", "", ""]
    index = {"deadline": 2, "executors": 3, "result": 4}
    event_end = labels[0].start() if labels else len(text)
    cells[1] = text[:event_end].strip(" ;,.(—–-")
    for position, label in enumerate(labels):
        end = labels[position + 1].start() if position + 1 < len(labels) else len(text)
        role = next(r for r, _ in _ROLE_OF_LABEL if label.group(r))
        value = text[label.end():end].strip().rstrip(" ;,")
        if position + 1 == len(labels):
            value = value.rstrip(".")  # the full stop of the item
        while value.endswith(")") and value.count(")") > value.count("("):
            value = value[:-1].rstrip(" ;,")  # the bracket closing the whole note
        cells[index[role]] = value
    row = Row(cells, line)
    if not cells[2]:
        row.problem = "у мероприятия нет срока («срок: …»)"
    return row
