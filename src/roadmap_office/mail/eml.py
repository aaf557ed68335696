"""Letters as RFC 5322 messages (the standard library's ``email`` package), one ``.eml`` file a school.

A message has a Russian subject, the letter as UTF-8 plain text, the same letter attached as an
ODT page, and, when the school must send its report (again), its own template in ODS and XLSX.
A message written without a sender carries ``X-Unsent: 1``, so a mail program opens it as a
draft to send.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from datetime import datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid
from pathlib import Path

from .._files import replacing
from ..forms import generate_templates, safe_name
from ..letters import Letter, write_letter_odt
from ..merging import Consolidation

MIME = {".pdf": ("application", "pdf"), ".odt": ("application", "vnd.oasis.opendocument.text"),
        ".ods": ("application", "vnd.oasis.opendocument.spreadsheet"),
        ".xlsx": ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")}


def letter_stem(letter: Letter) -> str:
    """The file name of a letter and its document, without suffix: safe on every system."""
    if letter.school is None:
        return f"Письмо_отправителю_{letter.about[:12]}" if letter.about else "Письмо_району"
    return f"Письмо_{safe_name(letter.school.code, 20)}_{safe_name(letter.school.name, 40)}"


def compose(letter: Letter, attachments: list[Path], sender: str = "", now: datetime | None = None) -> EmailMessage:
    """The message of a letter; the Message-ID is new (``message["Message-ID"]``)."""
    message = EmailMessage(policy=SMTP)
    message["Subject"] = letter.subject
    if sender:
        message["From"] = sender
    else:
        message["X-Unsent"] = "1"
    if letter.recipients:
        message["To"] = ", ".join(letter.recipients)
    message["Date"] = format_datetime((now or datetime.now()).astimezone())
    domain = sender.rpartition("@")[2] if "@" in sender else "roadmap-office.invalid"
    message["Message-ID"] = make_msgid("roadmap-office", domain=domain)
    message.set_content(letter.body, subtype="plain", charset="utf-8")
    for path in attachments:
        maintype, subtype = MIME.get(path.suffix.lower(), ("application", "octet-stream"))
        message.add_attachment(path.read_bytes(), maintype=maintype, subtype=subtype, filename=path.name)
    return message


def write_message(message: EmailMessage, path: Path) -> Path:
    """The message as an ``.eml`` file, written atomically."""
    with replacing(path) as tmp:
        tmp.write_bytes(message.as_bytes())
    return path


def school_templates(master: Path, codes: list[str], folder: Path) -> dict[str, list[Path]]:
    """Each school's own template again (ODS and XLSX), for the letters that ask to resubmit."""
    if not codes:
        return {}
    paths = generate_templates(master, folder, ("ods", "xlsx"), codes, blank=False)
    prefix = {code: f"Отчёт_{code}_" for code in codes}
    return {code: [p for p in paths if p.name.startswith(prefix[code])] for code in codes}


def write_letters(letters: list[Letter], master: str | os.PathLike, folder: str | os.PathLike,
                  sender: str = "", now: datetime | None = None) -> list[Path]:
    """Write one ``.eml`` file per letter into ``folder`` (the CLI's and the macro's letters, the
    batch's queue); returns them in the letters' order."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".letters-", dir=folder))
    try:
        templates = school_templates(Path(master), [l.code for l in letters if l.resubmit and l.school], work)
        written = []
        for letter in letters:
            stem = letter_stem(letter)
            document = write_letter_odt(letter, work / f"{stem}.odt")
            message = compose(letter, [document, *templates.get(letter.code, [])], sender, now)
            written.append(write_message(message, folder / f"{stem}.eml"))
        return written
    finally:
        shutil.rmtree(work, ignore_errors=True)


def write_school_letters(c: Consolidation, master: str | os.PathLike, folder: str | os.PathLike) -> list[Path]:
    """Every school's letter of a consolidation as ``.eml`` files (CLI, macro, demo)."""
    from ..letters import school_letters

    return write_letters(school_letters(c), master, folder)
