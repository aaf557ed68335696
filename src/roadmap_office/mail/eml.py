"""Letters as RFC 5322 messages (the standard library's ``email`` package), one ``.eml`` file a school.

A message has a Russian subject, the letter as UTF-8 plain text, the same letter attached as a
PDF (when PDF is among the formats asked for and LibreOffice makes it) or else as an ODT, and, when the school must send its
report (again), its own template in ODS and XLSX. A message written without a sender carries
``X-Unsent: 1``, so a mail program opens it as a draft to send.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid
from pathlib import Path

from .._files import replacing
from ..forms import generate_templates, safe_name
from ..letters import Letter, letter_odt_content
from ..merging import Consolidation

MIME = {".pdf": ("application", "pdf"), ".odt": ("application", "vnd.oasis.opendocument.text"),
        ".ods": ("application", "vnd.oasis.opendocument.spreadsheet"),
        ".xlsx": ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")}
PDF_SECONDS_PER_LETTER = 10.0  # on top of a minute for LibreOffice to start


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


@dataclass
class WrittenLetters:
    files: list[Path] = field(default_factory=list)  # one .eml per letter, in the letters' order
    pdf_error: str = ""  # why the letters carry ODT instead of PDF, when PDF was wanted


def letter_documents(letters: list[Letter], folder: Path, pdf: bool,
                     pdf_timeout: float | None = None) -> tuple[dict[str, Path], str]:
    """Each letter as a document in ``folder``: PDF when ``pdf`` and LibreOffice makes it, else
    ODT. Returns the documents by letter stem and why PDF was not made (empty when it was or
    was not wanted)."""
    from ..rendering import write_odt

    odts = {letter_stem(l): write_odt(folder / f"{letter_stem(l)}.odt", letter_odt_content(l), l.subject)
            for l in letters}
    if not pdf or not odts:
        return odts, ""
    from ..office import OfficeError, convert_all_to_pdf

    timeout = pdf_timeout or 60.0 + PDF_SECONDS_PER_LETTER * len(odts)
    try:
        made = convert_all_to_pdf(list(odts.values()), folder / "pdf", timeout, workdir=folder)
    except OfficeError as exc:
        return odts, str(exc)
    documents = {stem: made.get(odt.resolve(), odt) for stem, odt in odts.items()}
    missing = [odt.name for odt in odts.values() if odt.resolve() not in made]
    return documents, (f"LibreOffice не создал PDF писем: {', '.join(missing)}; приложены ODT" if missing else "")


def school_templates(master: Path, codes: list[str], folder: Path) -> dict[str, list[Path]]:
    """Each school's own template again (ODS and XLSX), for the letters that ask to resubmit."""
    if not codes:
        return {}
    paths = generate_templates(master, folder, ("ods", "xlsx"), codes, blank=False)
    prefix = {code: f"Отчёт_{code}_" for code in codes}
    return {code: [p for p in paths if p.name.startswith(prefix[code])] for code in codes}


def write_letters(letters: list[Letter], master: str | os.PathLike, folder: str | os.PathLike,
                  sender: str = "", pdf: bool = False, now: datetime | None = None) -> WrittenLetters:
    """Write one ``.eml`` file per letter into ``folder`` (the CLI's and the macro's ``--letters``,
    the batch's queue)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".letters-", dir=folder))
    try:
        documents, pdf_error = letter_documents(letters, work, pdf)
        templates = school_templates(Path(master), [l.code for l in letters if l.resubmit and l.school], work)
        written = WrittenLetters(pdf_error=pdf_error)
        for letter in letters:
            stem = letter_stem(letter)
            message = compose(letter, [documents[stem], *templates.get(letter.code, [])], sender, now)
            written.files.append(write_message(message, folder / f"{stem}.eml"))
        return written
    finally:
        shutil.rmtree(work, ignore_errors=True)


def write_school_letters(c: Consolidation, master: str | os.PathLike, folder: str | os.PathLike,
                         pdf: bool = False) -> WrittenLetters:
    """Every school's letter of a consolidation as ``.eml`` files (CLI, macro, demo)."""
    from ..letters import school_letters

    return write_letters(school_letters(c), master, folder, pdf=pdf)
