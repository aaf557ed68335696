"""The blocks every source becomes: paragraphs and table rows, in reading order."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Union

# a cell holding only an item or section number: "1", "2.3.", "IV."
ITEM_NUMBER = re.compile(r"^(?:\d{1,3}(?:\.\d{1,3})*\.?|[IVXХ]{1,5}\.?)$")


@dataclass
class Para:
    text: str
    line: int  # 1-based line (text) or paragraph/row position (documents)


@dataclass
class Row:
    cells: list[str] = field(default_factory=list)
    line: int = 0
    merged: set[int] = field(default_factory=set)  # columns merged with the cell above (vertical merge)
    spanning: bool = False  # one cell spans the row: a title written across the table
    problem: str = ""  # what the reader could not settle about this row (named in the import summary)


Block = Union[Para, Row]


def clean_cell(raw: str) -> str:
    """Cell text without HTML: paragraphs and list items become lines, entities decoded."""
    s = re.sub(r"<a\b[^>]*>(.*?)</a>", r"\1", raw, flags=re.IGNORECASE | re.DOTALL)
    s = re.sub(r"<li\b[^>]*>", "\n", s, flags=re.IGNORECASE)
    s = re.sub(r"</p>\s*<p\b[^>]*>|<br\s*/?>|</?(?:ul|ol|p|div)\b[^>]*>", "\n", s, flags=re.IGNORECASE)
    s = re.sub(r"<[^>]+>", "", s)
    s = html.unescape(s).replace("\xa0", " ").replace("****", "\n").replace("**", "")
    lines = [re.sub(r"[ \t]+", " ", line).strip() for line in s.split("\n")]
    return "\n".join(line for line in lines if line)
