"""The executors catalogue: split executor cells and map aliases to canonical names.

Documents write the same body many ways ("ДО", "Департамент образования", "ОбоО", "ОБОУ",
"Руководители ОО"); comparisons ignore case, spaces, quotes and ё/е.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .model import Executor, ExecutorKind

_BY_AGREEMENT = re.compile(r"\(?\s*по\s+согласовани[юя]\s*\)?", re.IGNORECASE)


def fold(text: str) -> str:
    """The comparison key of a name: case, ё/е, quotes, dashes and spaces do not matter."""
    s = text.replace("\xa0", " ").lower().replace("ё", "е")
    s = re.sub(r"[«»\"'“”„]", "", s)
    s = re.sub(r"\s*[‐‑‒–—−-]\s*", "-", s)
    s = re.sub(r"\s*№\s*", " № ", s)
    return re.sub(r"\s+", " ", s).strip(" ,.;")


def split_executors(cell: str) -> tuple[list[str], str]:
    """Split an executor cell into names; returns (names, note).

    "Департамент образования, МБОУ Школы №№ 10, 17 (по согласованию)" ->
    (["Департамент образования", "МБОУ Школы №№ 10, 17"], "по согласованию").
    The comma inside "№№ 10, 17" does not split; "совместно с" does.
    """
    text = re.sub(r"<[^>]+>", "\n", cell).replace("\xa0", " ")
    note = ""
    if _BY_AGREEMENT.search(text):
        note = "по согласованию"
        text = _BY_AGREEMENT.sub("", text)
    # "МБОУ Школы №№ 10, 17" names two schools: "МБОУ Школа № 10", "МБОУ Школа № 17"
    text = re.sub(r"([^,;\n]*?)\s*№№\s*(\d+(?:\s*,\s*\d+)+)", _expand_numbered, text)
    parts = re.split(r"[,;\n]|\s+совместно\s+с\s+|\s+при\s+участии\s+", text)
    names = []
    for part in parts:
        name = re.sub(r"\s+", " ", part.replace("\x00", ",")).strip(" .-–")
        if name:
            names.append(name)
    return names, note


_SINGULAR = {"школы": "Школа", "гимназии": "Гимназия", "лицеи": "Лицей", "лицеев": "Лицей", "школ": "Школа"}


def _expand_numbered(match: re.Match) -> str:
    words = match.group(1).split()
    if words and words[-1].lower() in _SINGULAR:
        words[-1] = _SINGULAR[words[-1].lower()]
    prefix = " ".join(words)
    numbers = re.findall(r"\d+", match.group(2))
    return ", ".join(f"{prefix} № {n}".strip() for n in numbers)


@dataclass
class Catalogue:
    """Lookup of canonical executors by any of their spellings."""

    executors: list[Executor] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._index: dict[str, Executor] = {}
        for executor in self.executors:
            self._add_keys(executor)

    def _add_keys(self, executor: Executor) -> None:
        for spelling in [executor.name, *executor.aliases]:
            self._index.setdefault(fold(spelling), executor)

    def find(self, name: str) -> Executor | None:
        return self._index.get(fold(name))

    def resolve(self, name: str, add_unknown: bool = False) -> str:
        """Canonical name for a spelling; unknown names are kept as written (and learnt)."""
        found = self.find(name)
        if found:
            return found.name
        if add_unknown:
            executor = Executor(name.strip(), [], guess_kind(name))
            self.executors.append(executor)
            self._add_keys(executor)
        return name.strip()

    def resolve_cell(self, cell: str, add_unknown: bool = False) -> tuple[list[str], str]:
        names, note = split_executors(cell)
        resolved: list[str] = []
        for name in self._split_run_together(names):
            canonical = self.resolve(name, add_unknown)
            if canonical not in resolved:
                resolved.append(canonical)
        return resolved, note


    def _split_run_together(self, names: list[str]) -> list[str]:
        """"ИМО Руководители ОО" (a comma lost in the document) -> two known executors."""
        result = []
        for name in names:
            words = name.split()
            if not self.find(name):
                for cut in range(1, len(words)):
                    left, right = " ".join(words[:cut]), " ".join(words[cut:])
                    if self.find(left) and self.find(right):
                        result += [left, right]
                        break
                else:
                    result.append(name)
            else:
                result.append(name)
        return result


def guess_kind(name: str) -> ExecutorKind:
    """Kind of a newly met executor, from the usual Russian abbreviations."""
    key = fold(name)
    if re.search(r"\b(мбоу|моу|гимнази|лице|школ|оо|обоо|обоу|оу)\b", key) and "дпо" not in key:
        return ExecutorKind.SCHOOL
    if re.search(r"(департамент|управлени|отдел|сектор|комитет) (образовани|дополнительного образовани)"
                 r"|\bдо\b|\bимо\b|\bдпо\b|\bмц\b", key):
        return ExecutorKind.DISTRICT
    return ExecutorKind.PARTNER
