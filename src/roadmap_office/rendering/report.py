"""The ODT report «Сводный отчёт о ходе реализации дорожной карты»: a Writer template, filled.

The template is the district's own ODT (``consolidate --report-template``, the master's setting
«Шаблон отчёта») or the built-in one (:mod:`.report_default`); its fields are listed in
:mod:`.report_fields` and filled by :mod:`.odt_template`. A template is checked whole before
anything is written, so a misspelt field stops the run with its name and place, never leaving a
half-filled report.
"""

from __future__ import annotations

import hashlib

import os
from dataclasses import dataclass
from functools import lru_cache
from datetime import datetime
from pathlib import Path
from typing import Optional, Union

from odf import dc, meta

from .._files import replacing
from ..merging import Consolidation
from . import texts as T
from .odt_template import check_template, fill_template, load_template, template_bytes
from .report_default import default_template
from .report_fields import SCHEMA, report_values

DEFAULT_TEMPLATE_LABEL = "встроенный шаблон"


@dataclass(frozen=True)
class ReportTemplate:
    """A checked template: its bytes (kept, so that a file changed during the run changes nothing)."""

    data: bytes
    label: str  # the file name, for messages
    # what makes the template what it is, for «nothing changed»: a file's digest; the built-in one
    # is made anew by each process with other zip times, so the library's sources say it instead
    identity: str


def report_template(path: Optional[Union[str, os.PathLike]] = None) -> ReportTemplate:
    """Read and check a template (the built-in one without ``path``); raises TemplateError."""
    if path is None:
        return ReportTemplate(_default_bytes(), DEFAULT_TEMPLATE_LABEL, identity="built-in")
    path = Path(path)
    label = path.name
    try:
        data = path.read_bytes()
    except OSError:
        from .odt_template import TemplateError

        raise TemplateError(f"шаблон отчёта «{label}» не найден или не читается") from None
    check_template(load_template(data, label), SCHEMA, label)
    return ReportTemplate(data, label, hashlib.sha256(data).hexdigest())


@lru_cache(maxsize=1)
def _default_bytes() -> bytes:
    return template_bytes(default_template())


def write_report_template(path: Union[str, os.PathLike]) -> Path:
    """Write the built-in template for a specialist to edit in Writer."""
    path = Path(path)
    document = default_template()
    _set_meta(document, "Шаблон сводного отчёта о ходе реализации дорожной карты", datetime.now())
    with replacing(path) as tmp:
        tmp.write_bytes(template_bytes(document))
    return path


def write_report(c: Consolidation, path: Union[str, os.PathLike], now: Optional[datetime] = None,
                 template: Optional[ReportTemplate] = None) -> Path:
    """Write the ODT report atomically (a previous report is never left half-overwritten)."""
    path = Path(path)
    template = template or report_template()
    document = load_template(template.data, template.label)
    if template.label != DEFAULT_TEMPLATE_LABEL:
        check_template(document, SCHEMA, template.label)
    fill_template(document, report_values(c), SCHEMA)
    _set_meta(document, T.report_title(c.roadmap), now or datetime.now())
    with replacing(path) as tmp:
        tmp.write_bytes(template_bytes(document))
    return path


def _set_meta(document, title: str, now: datetime) -> None:
    """Title and dates of the report, not of its template."""
    stamp = now.replace(microsecond=0).isoformat()
    for kind in (dc.Title, dc.Date, meta.CreationDate, dc.Language):  # odfpy writes its own generator
        for element in list(document.meta.getElementsByType(kind)):
            element.parentNode.removeChild(element)
    document.meta.addElement(dc.Title(text=title))
    document.meta.addElement(dc.Language(text="ru-RU"))
    document.meta.addElement(meta.CreationDate(text=stamp))
    document.meta.addElement(dc.Date(text=stamp))
