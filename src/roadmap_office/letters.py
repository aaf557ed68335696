"""Every school hears back: one Russian letter per school after a consolidation.

A letter is built from the :class:`~roadmap_office.merging.Consolidation` and holds only its own
school's data: what was received and when, accepted or refused and why, the findings by sheet and
cell, the school's own figures (completion, overdue items with their deadlines) or, for a school
that sent nothing, a reminder naming the period and the due date. This module decides what a
letter says (its fields and subject); its wording is in the Jinja2 texts of ``templates/letters``.
Sending and files are elsewhere (``mail/``).

A letter's ``state`` is a hash of what it says about the school (files, findings, overdue items,
whether the due date has passed), not of the day it was written: the batch sends a school a
letter only when its state changed.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from ._files import replacing
from .checking import CheckedSubmission
from .merging import Consolidation, SchoolSummary
from .model import School
from .presentation import day, figure, moment

ACCEPTED, FINDINGS, REFUSED, REMINDER, DISTRICT = "accepted", "findings", "refused", "reminder", "district"
ORGANISATION = "Отдел образования"  # when the master names no issuing body


@dataclass
class Letter:
    """One letter: to a school (``school`` set) or the district's summary."""

    kind: str
    subject: str
    body: str
    recipients: list[str] = field(default_factory=list)
    school: School | None = None
    state: str = ""  # what the letter says about the school, hashed; the same state is never sent twice
    resubmit: bool = False  # the school must send its report (again): its template goes with the letter
    about: str = ""  # for a letter to the sender of a refused file of no known school: the file's SHA-256

    @property
    def code(self) -> str:
        return self.school.code if self.school else ""

    @property
    def key(self) -> str:
        """Whom the state belongs to: a school, a refused file, or the district."""
        return self.code or (f"file:{self.about}" if self.about else self.kind)




def period_label(c: Consolidation) -> str:
    period = c.roadmap.period
    return period.label if period is not None else (c.roadmap.reporting_period or "текущий отчётный период")


def due_date(c: Consolidation) -> date | None:
    """The day a school's report is due: the last day of the reporting period."""
    period = c.roadmap.period
    return period.end if period is not None else None


def school_letters(c: Consolidation, senders: dict[str, list[str]] | None = None,
                   written: datetime | None = None) -> list[Letter]:
    """A letter for every school of the master, in the master's order.

    ``senders`` maps a school code to the addresses its files came from (the mailbox intake):
    the letter goes there as well as to the master's addresses.
    """
    senders = senders or {}
    written = written or datetime.now()
    used = {s.school: s for s in c.used}
    superseded: dict[str, list[CheckedSubmission]] = {}
    for s in c.superseded:
        superseded.setdefault(s.school, []).append(s)
    refused: dict[str, list[CheckedSubmission]] = {}
    for s in c.rejected:
        if s.school and (s.school not in used or _newer(s, used[s.school])):  # older refusals are history
            refused.setdefault(s.school, []).append(s)
    letters = []
    for summary in c.schools:
        code = summary.school.code
        letters.append(_school_letter(c, summary, used.get(code), superseded.get(code, []),
                                      refused.get(code, []), senders.get(code, []), written))
    return letters


def _school_letter(c: Consolidation, summary: SchoolSummary, used: CheckedSubmission | None,
                   superseded: list[CheckedSubmission], refused: list[CheckedSubmission],
                   senders: list[str], written: datetime) -> Letter:
    school = summary.school
    period = period_label(c)
    due = due_date(c)
    if used is not None:
        errors = [f for f in used.findings if f.severity == "error"]
        kind = FINDINGS if used.findings else ACCEPTED
    else:
        errors = []
        kind = REFUSED if refused else REMINDER
    items = {i.key: i for i in c.roadmap.items}
    overdue = [items[k] for k in summary.overdue_keys if k in items] if used is not None else []
    received = []
    if used is not None:
        verdict = (f"принят, замечаний: {len(used.findings)}" if used.findings else "принят без замечаний")
        received.append({"name": used.name, "when": moment(used.modified or used.saved_at), "verdict": verdict})
    received += [{"name": s.name, "when": moment(s.modified or s.saved_at), "verdict": "не принят"} for s in refused]
    context = {
        "kind": kind,
        "school_name": school.name,
        "school_full_name": school.full_name or school.name,
        "issuer": c.roadmap.issuer or ORGANISATION,
        "roadmap_title": c.roadmap.title,
        "period": period,
        "as_of": day(c.as_of),
        "received": received,
        "refused": [{"name": s.name, "reason": s.rejected.rstrip(".") + "."} for s in refused],
        "used_file": used.name if used is not None else "",
        "findings": [("предупреждение: " if f.severity != "error" else "") + str(f) for f in used.findings]
                    if used is not None else [],
        "figures": {
            "applicable": summary.applicable, "done": summary.done, "pct": figure(summary.completion_pct),
            "overdue": [{"number": i.number, "event": i.event, "deadline": i.deadline.text,
                         "end": day(i.deadline.end) if i.deadline.end else ""} for i in overdue],
        } if used is not None else None,
        "superseded": [f"«{s.name}»" for s in superseded],
        "due": day(due) if due else "",
        "due_passed": bool(due and written.date() > due),  # judged the day the letter is written
        "written": day(written),
    }
    body = _text("school.txt.j2", context)
    subject = {
        ACCEPTED: f"Отчёт по дорожной карте за {period} принят",
        FINDINGS: f"Отчёт по дорожной карте за {period} принят, замечаний: {len(used.findings) if used else 0}",
        REFUSED: f"Отчёт по дорожной карте за {period} не принят: направьте его повторно",
        REMINDER: f"Напоминание: отчёт по дорожной карте за {period} не представлен",
    }[kind] + f" — {school.name}"
    state = _state({
        "kind": kind, "period": period,
        "file": used.sha256 or used.name if used is not None else "",
        "findings": context["findings"], "errors": len(errors),
        "refused": [[s.name, s.sha256, s.rejected] for s in refused],
        "overdue": [i.key for i in overdue],
        "due_passed": context["due_passed"] if kind == REMINDER else None,
    })
    recipients = _merge_addresses(school.emails, senders)
    return Letter(kind, subject, body, recipients, school, state, resubmit=kind in (REFUSED, REMINDER))


def refused_letter(c: Consolidation, refused: CheckedSubmission, senders: list[str],
                   written: datetime | None = None) -> Letter:
    """To whoever sent a refused file whose school is not known: that file and its reason only."""
    written = written or datetime.now()
    due = due_date(c)
    context = {
        "issuer": c.roadmap.issuer or ORGANISATION, "name": refused.name, "when": moment(refused.modified),
        "roadmap_title": c.roadmap.title, "period": period_label(c), "reason": refused.rejected.rstrip(".") + ".",
        "due": day(due) if due else "", "written": day(written),
    }
    body = _text("refused.txt.j2", context)
    subject = f"Файл «{refused.name}» не принят в свод отчётов по дорожной карте"
    return Letter(REFUSED, subject, body, list(senders), None, _state({"refused": [refused.sha256, refused.rejected]}),
                  about=refused.sha256)


def district_letter(c: Consolidation, recipients: list[str], written: datetime | None = None) -> Letter:
    """The night's summary for the district; the report goes with it as an attachment."""
    written = written or datetime.now()
    submitted = sum(1 for s in c.schools if s.submitted)
    context = {
        "roadmap_title": c.roadmap.title, "period": period_label(c), "as_of": day(c.as_of),
        "written": moment(written), "expected": len(c.schools), "submitted": submitted,
        "missing": [s.name for s in c.missing], "pct": figure(c.completion_pct), "overdue": c.overdue,
        "problems": len(c.findings),
        "rejected": [{"name": r.name, "reason": r.rejected} for r in c.rejected],
    }
    body = _text("district.txt.j2", context)
    subject = f"Свод по дорожной карте за {context['period']}: данные на {context['as_of']}"
    state = _state({"district": [[s.school.code, s.file, s.done, s.applicable, s.overdue_keys, s.problems]
                                 for s in c.schools], "rejected": context["rejected"], "as_of": context["as_of"]})
    return Letter(DISTRICT, subject, body, list(recipients), None, state)


_TEXTS = None  # the Jinja2 environment of templates/letters, made on first use


def _text(template: str, context: dict) -> str:
    """A letter's text from its template in ``templates/letters`` (shipped as
    ``roadmap_office.templates``); a field the template names but the context lacks is an error,
    never an empty gap in a letter."""
    global _TEXTS
    if _TEXTS is None:
        import jinja2

        from . import templates

        folder = Path(templates.__file__).parent / "letters"
        _TEXTS = jinja2.Environment(loader=jinja2.FileSystemLoader(str(folder), encoding="utf-8"),
                                    undefined=jinja2.StrictUndefined, autoescape=False,
                                    trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    return _TEXTS.get_template(template).render(context)


def write_letter_odt(letter: Letter, path: str | os.PathLike) -> Path:
    """The letter as a one-page ODT (its subject as the heading, then its lines), written atomically."""
    from odf.opendocument import OpenDocumentText
    from odf.style import ParagraphProperties, Style, TextProperties
    from odf.text import P

    document = OpenDocumentText()
    base = {"fontname": "Liberation Serif", "fontsize": "12pt"}
    styles = {}
    for name, margin, bold in (("Заголовок письма", "0cm", True), ("Текст письма", "0cm", False),
                               ("Пункт письма", "0.75cm", False)):
        style = Style(name=name, family="paragraph")
        style.addElement(ParagraphProperties(marginleft=margin, margintop="0cm", marginbottom="0.1cm"))
        style.addElement(TextProperties(fontweight="bold" if bold else "normal", **base))
        document.styles.addElement(style)
        styles[name] = style
    document.text.addElement(P(stylename=styles["Заголовок письма"], text=letter.subject))
    for line in letter.body.splitlines():
        kind = "Пункт письма" if line.startswith(" ") else "Текст письма"
        document.text.addElement(P(stylename=styles[kind], text=line.strip()))
    path = Path(path)
    with replacing(path) as tmp:
        document.save(str(tmp))
    return path


def _newer(a: CheckedSubmission, b: CheckedSubmission) -> bool:
    return (a.modified or datetime.min) > (b.modified or b.saved_at or datetime.min)


def _merge_addresses(*groups: list[str]) -> list[str]:
    seen: list[str] = []
    for group in groups:
        for address in group:
            if address.lower() not in (a.lower() for a in seen):
                seen.append(address)
    return seen


def _state(content: dict) -> str:
    return hashlib.sha256(json.dumps(content, ensure_ascii=False, sort_keys=True).encode("utf-8")).hexdigest()[:16]
