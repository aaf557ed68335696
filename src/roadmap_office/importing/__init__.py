"""Roadmap documents (ODT, DOCX, ODS/XLSX tables, PDF, text extracts) -> the model.

``read_blocks`` turns any source into paragraphs and table rows; ``split_roadmaps`` finds the
roadmaps (one per table header); ``build_roadmap`` interprets one of them.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from importlib import resources

from ..errors import DocumentImportError
from ..executors import Catalogue
from ..model import Executor, ExecutorKind, Roadmap
from .lists import list_draft
from .parser import Draft, ImportReport, build_roadmap, find_header, split_roadmaps
from .sources import clean_cell, read_blocks, text_blocks

__all__ = ["Draft", "ImportReport", "RoadmapInfo", "clean_cell", "default_catalogue", "find_header",
           "import_roadmap", "import_text", "list_roadmaps"]


def default_catalogue() -> Catalogue:
    """Executors every district has, with the abbreviations documents use for them."""
    data = json.loads(resources.files("roadmap_office").joinpath("data", "default_executors.json")
                      .read_text(encoding="utf-8"))
    return Catalogue([Executor(e["name"], list(e["aliases"]), ExecutorKind(e["kind"])) for e in data], forms_only=True)


@dataclass
class RoadmapInfo:
    index: int  # 1-based position in the document
    number: str  # as in the title: "2.3"
    appendix: str
    title: str
    sections: int
    items: int


def _drafts(source) -> list[Draft]:
    blocks = text_blocks(source) if isinstance(source, str) and "\n" in source else read_blocks(source)
    drafts = split_roadmaps(blocks)
    if not drafts:
        listed = list_draft(blocks)
        drafts = [listed] if listed else []
    if not drafts:
        raise DocumentImportError("в документе не найдена таблица дорожной карты (нет строки заголовка "
                                  "со столбцами «№», «Наименование мероприятия», «Сроки», «Исполнитель») "
                                  "и нет нумерованного списка мероприятий со сроками («срок: …»)")
    return drafts


def list_roadmaps(source: str | os.PathLike) -> list[RoadmapInfo]:
    result = []
    for index, draft in enumerate(_drafts(source), start=1):
        roadmap = build_roadmap(draft, default_catalogue(), ImportReport())
        result.append(RoadmapInfo(index, draft.number, draft.appendix, draft.title, len(roadmap.sections),
                                  len(roadmap.items)))
    return result


def _choose(drafts: list[Draft], choice: str | None) -> Draft:
    if choice:
        wanted = choice.strip().rstrip(".")
        for draft in drafts:
            if draft.number == wanted:
                return draft
        if wanted.isdigit() and 1 <= int(wanted) <= len(drafts) and not any(d.number for d in drafts):
            return drafts[int(wanted) - 1]
        raise DocumentImportError(f"в документе нет дорожной карты «{choice}»; номера: "
                                  + ", ".join(d.number or str(i) for i, d in enumerate(drafts, start=1)))
    if len(drafts) == 1:
        return drafts[0]
    upbringing = [d for d in drafts if re.search(r"воспитани", d.title, re.IGNORECASE)]
    if len(upbringing) == 1:
        return upbringing[0]
    raise DocumentImportError("в документе несколько дорожных карт; выберите одну параметром --roadmap "
                              "(список: --list): " + ", ".join(d.number or str(i) for i, d in enumerate(drafts, start=1)))


def import_roadmap(source: str | os.PathLike, choice: str | None = None, catalogue: Catalogue | None = None,
                   report: ImportReport | None = None) -> Roadmap:
    """Import one roadmap from a document (a path, or the text of an extract)."""
    return _build(_drafts(source), choice, catalogue, report)


def import_text(text: str, catalogue: Catalogue | None = None, report: ImportReport | None = None,
                choice: str | None = None) -> Roadmap:
    """Import from the text of an extract (tab-separated or one cell per line)."""
    return _build(_drafts(text if "\n" in text else text + "\n"), choice, catalogue, report)


def _build(drafts: list[Draft], choice: str | None, catalogue: Catalogue | None,
           report: ImportReport | None) -> Roadmap:
    """The chosen roadmap; the reconciliation also names the document's other roadmaps, left out."""
    report = report if report is not None else ImportReport()
    chosen = _choose(drafts, choice)
    roadmap = build_roadmap(chosen, catalogue or default_catalogue(), report)
    report.reconciliation["other_roadmaps"] = [
        " ".join(f"{d.number or i} {d.title}".split()) for i, d in enumerate(drafts, start=1) if d is not chosen]
    return roadmap
