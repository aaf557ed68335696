"""The batch's letters of one night: queue what changed, then send the queue.

A school's letter is queued only when its state differs from the last one queued for it (a new
file, new findings, a newly overdue item, the due date passed), so nothing goes twice; a
newer letter replaces an older one still waiting in the queue. The district's summary is queued
when the night wrote new outputs. Sending happens after the outputs are published, and a server
that cannot be reached only leaves the queue for the next night.
"""

from __future__ import annotations

import hashlib
import shutil
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from ..letters import Letter, district_letter, refused_letter, school_letters
from ..merging import Consolidation
from .addresses import same_address
from .eml import compose, write_letters, write_message
from .settings import MailSettings
from .smtp import SendReport, Sent, send_queued
from .state import MailState

DISTRICT_KEY = "district"


@dataclass
class Night:
    queued: list[Letter] = field(default_factory=list)
    no_address: list[str] = field(default_factory=list)  # schools whose letter has nowhere to go
    sent: list[Sent] = field(default_factory=list)
    report: SendReport | None = None


def _file_sha(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return ""


def letters_for_night(c: Consolidation, state: MailState, now: datetime) -> list[Letter]:
    """Every school's letter, and one for each refused file that came by mail from an address
    of no school. Refused files are given to a school by their sender's address."""
    by_address = {a.lower(): s.school.code for s in c.schools for a in s.school.emails}
    strangers = []
    for refused in c.rejected:
        refused.sha256 = refused.sha256 or _file_sha(refused.path)
        senders = state.addresses_of(refused.sha256)
        if not refused.school:
            refused.school = next((by_address[a.lower()] for a in senders if a.lower() in by_address), "")
        if not refused.school and senders:
            strangers.append((refused, senders))
    senders_by_school: dict[str, list[str]] = {}
    for s in [*c.used, *c.superseded, *c.rejected]:
        received = state.senders.get(s.sha256, {}).get("received")
        if received:  # a file that came by mail: the letter says when the message arrived
            s.modified = datetime.fromisoformat(received)
    for s in [*c.used, *c.rejected]:
        if s.school:
            for address in state.addresses_of(s.sha256):
                known = senders_by_school.setdefault(s.school, [])
                if not any(same_address(address, k) for k in known):
                    known.append(address)
    letters = school_letters(c, senders_by_school, now)
    letters += [refused_letter(c, refused, senders, now) for refused, senders in strangers]
    return letters


def queue_night(c: Consolidation, settings: MailSettings, state: MailState, master: Path,
                report_files: list[Path] | None, now: datetime) -> Night:
    """Queue the letters whose state changed and, with ``report_files`` (a night that wrote
    outputs), the district's summary with the report attached."""
    night = Night()
    for leftover in state.outbox.glob(".letters-*"):  # the work folder of a run that was killed
        shutil.rmtree(leftover, ignore_errors=True)
    if settings.send_to_schools:
        for letter in letters_for_night(c, state, now):
            if state.letters.get(letter.key) == letter.state:
                continue
            if not letter.recipients:
                night.no_address.append(letter.code)
                continue
            night.queued.append(letter)
        if night.queued:
            write_letters(night.queued, master, state.outbox, settings.sender, now)
            for letter in night.queued:
                state.letters[letter.key] = letter.state
    if report_files is not None and settings.district_to:
        summary = district_letter(c, settings.district_to, now)
        message = compose(summary, report_files, settings.sender, now)
        write_message(message, state.outbox / f"Свод_{now:%Y-%m-%d}.eml")
        state.letters[DISTRICT_KEY] = summary.state
        night.queued.append(summary)
    state.save()
    return night


def send_night(settings: MailSettings, state: MailState, now: datetime, on_sent) -> SendReport:
    """Send the queue; each accepted letter moves to ``mail/sent/YYYY-MM-DD/`` and ``on_sent`` logs it."""
    target = state.sent / f"{now:%Y-%m-%d}"

    def sent(letter: Sent) -> None:
        target.mkdir(parents=True, exist_ok=True)
        name, n = target / letter.path.name, 1
        while name.exists():  # the same school twice in a day: both letters are kept
            name, n = target / f"{letter.path.stem}_{n}.eml", n + 1
        letter.path.replace(name)
        on_sent(letter)

    return send_queued(settings, state.queued(), sent)
