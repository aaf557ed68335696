"""The mailbox intake with the standard library's ``imaplib``: attachments into the inbox.

For each message of the folder that has ODS/XLSX attachments: every attachment is written into
the inbox (a hidden temporary name, synced, then renamed; its file time is the message's arrival
time), the sender's address is recorded with the file's SHA-256, the state is saved, and only
then is the message marked as read and moved into the folder ``PROCESSED``. A run killed at any
point loses nothing: a message not yet moved is imported again, unless its Message-ID says it
already was. Messages without a report are left where they are for people to read.
"""

from __future__ import annotations

import base64
import email
import email.utils
import hashlib
import imaplib
import os
import re
import sys
from dataclasses import dataclass, field
from datetime import datetime
from email.policy import default as DEFAULT_POLICY
from pathlib import Path

from .._files import sync_folder
from ..errors import RoadmapError
from ..pipeline import is_submission_name
from .settings import MailboxSettings, certificate_problem
from .state import MailState

PROCESSED = "roadmap-office-processed"
MAX_MESSAGE = 50 * 1024 * 1024  # bytes; a larger message is left alone and reported
TIMEOUT = 60.0


@dataclass
class Imported:
    file: Path
    sender: str
    received: datetime
    message_id: str


@dataclass
class IntakeReport:
    imported: list[Imported] = field(default_factory=list)
    left: list[str] = field(default_factory=list)  # messages left in the folder, with the reason
    error: str = ""  # why the mailbox could not be read tonight


class MailboxError(RoadmapError):
    """The IMAP server refused a step; the night logs it and reads the mailbox again next time."""


def connect(settings: MailboxSettings) -> imaplib.IMAP4:
    context = settings.tls()
    timeout = {"timeout": TIMEOUT} if sys.version_info >= (3, 9) else {}
    if settings.security == "ssl":
        box: imaplib.IMAP4 = imaplib.IMAP4_SSL(settings.imap_host, settings.imap_port, ssl_context=context,
                                               **timeout)
    else:
        box = imaplib.IMAP4(settings.imap_host, settings.imap_port, **timeout)
    try:
        if settings.security == "starttls":
            box.starttls(ssl_context=context)
        password = settings.password()
        if password.isascii() and settings.user.isascii():
            box.login(settings.user, password)
        else:  # LOGIN takes ASCII only; SASL PLAIN carries UTF-8
            box.authenticate("PLAIN", lambda _: f"\0{settings.user}\0{password}".encode("utf-8"))
        answer = _ok(box.capability(), "сервер не сообщил свои возможности")  # they grow after the login
        box.capabilities = tuple(_text(answer).upper().split())
    except BaseException:  # a refused login or TLS leaves no connection open
        try:
            box.shutdown()
        except OSError:  # already closed by the failed handshake: the first fault is the one to report
            pass
        raise
    return box


def _ok(answer, what: str):
    kind, data = answer
    if kind != "OK":
        raise MailboxError(f"{what}: {_text(data)}")
    return data


def _text(data) -> str:
    return " ".join(d.decode("utf-8", "replace") if isinstance(d, bytes) else str(d) for d in data or [] if d)


def folder_name(name: str) -> str:
    """A folder name as IMAP wants it: modified UTF-7 (RFC 3501: «Отчёты» is «&BB4EQgRHBFEEQgRL-»), quoted."""
    out, run = [], []

    def flush() -> None:
        if run:
            packed = base64.b64encode("".join(run).encode("utf-16-be")).decode("ascii").rstrip("=")
            out.append("&" + packed.replace("/", ",") + "-")
            run.clear()

    for ch in name:
        if 0x20 <= ord(ch) <= 0x7E:
            flush()
            out.append("&-" if ch == "&" else ch)
        else:
            run.append(ch)
    flush()
    return '"' + "".join(out).replace("\\", "\\\\").replace('"', '\\"') + '"'


def take_mailbox(settings: MailboxSettings, inbox: Path, state: MailState) -> IntakeReport:
    """Import the attachments of the folder's messages into ``inbox`` (see the module's text)."""
    report = IntakeReport()
    try:
        box = connect(settings)
    except (OSError, imaplib.IMAP4.error) as exc:
        where = f"почтовый ящик {settings.imap_host}:{settings.imap_port}"
        certificate = certificate_problem(exc, "mailbox.ca_file")
        report.error = f"{where}: {certificate}" if certificate else f"{where} недоступен ({_why(exc)})"
        return report
    try:
        _ok(box.select(folder_name(settings.folder)), f"папка «{settings.folder}» не открывается")
        uids = _ok(box.uid("SEARCH", None, "ALL"), "поиск писем не выполнен")[0].split()
        moved_any = False
        for uid in uids:
            try:
                moved_any |= _take_message(box, uid.decode("ascii"), inbox, state, report)
            except (OSError, imaplib.IMAP4.error, MailboxError):
                raise
            except Exception as exc:  # a message that cannot be understood is left for people
                report.left.append(f"письмо {uid.decode('ascii')} не разобрано ({type(exc).__name__}: {exc})")
        if moved_any and not _can_move(box):
            _ok(box.expunge(), "письма не удалены из папки")
    except (OSError, imaplib.IMAP4.error, MailboxError) as exc:
        report.error = f"почтовый ящик {settings.imap_host}:{settings.imap_port}: {_why(exc)}"
    finally:
        try:
            box.logout()
        except (OSError, imaplib.IMAP4.error):
            pass
    return report


def _why(exc: BaseException) -> str:
    return getattr(exc, "strerror", None) or str(exc) or type(exc).__name__


def _can_move(box: imaplib.IMAP4) -> bool:
    return "MOVE" in box.capabilities


def _take_message(box: imaplib.IMAP4, uid: str, inbox: Path, state: MailState, report: IntakeReport) -> bool:
    """Import one message; True when it was moved out of the folder."""
    data = _ok(box.uid("FETCH", uid, "(RFC822.SIZE INTERNALDATE)"), "письмо не читается")
    head = data[0] if isinstance(data[0], bytes) else data[0][0]
    size = int(re.search(rb"RFC822\.SIZE (\d+)", head).group(1))
    received = _arrival(head)
    if size > MAX_MESSAGE:
        report.left.append(f"письмо {uid}: размер {size // (1024 * 1024)} МБ больше допустимого")
        return False
    data = _ok(box.uid("FETCH", uid, "(BODY.PEEK[])"), "письмо не читается")
    raw = next(part[1] for part in data if isinstance(part, tuple))
    message = email.message_from_bytes(raw, policy=DEFAULT_POLICY)
    message_id = str(message.get("Message-ID", "")).strip() or f"<uid-{uid}-{hashlib.sha256(raw).hexdigest()[:16]}>"
    sender = email.utils.parseaddr(str(message.get("From", "")))[1]
    attachments = [(part.get_filename(), part.get_payload(decode=True)) for part in message.iter_attachments()]
    attachments = [(name, payload) for name, payload in attachments
                   if name and payload and is_submission_name(os.path.basename(name))]
    if not attachments:
        if message_id not in state.ignored:
            state.ignored.append(message_id)
            report.left.append(f"письмо от {sender or 'неизвестного отправителя'} «{message.get('Subject', '')}»: "
                               "нет вложений ODS или XLSX")
        return False
    if message_id not in state.imported:
        for name, payload in attachments:
            path = _deliver(inbox, os.path.basename(name), payload, received)
            state.senders[hashlib.sha256(payload).hexdigest()] = {
                "from": sender, "received": received.isoformat(timespec="seconds"), "message_id": message_id}
            report.imported.append(Imported(path, sender, received, message_id))
        state.imported.append(message_id)
        state.save()  # the files are in the inbox and their senders known: only now may the message go
    _done(box, uid)
    return True


def _arrival(head: bytes) -> datetime:
    found = re.search(rb'INTERNALDATE "([^"]+)"', head)
    if found:
        moment = imaplib.Internaldate2tuple(b'INTERNALDATE "' + found.group(1) + b'"')
        if moment is not None:
            return datetime(*moment[:6])
    return datetime.now().replace(microsecond=0)


def _deliver(inbox: Path, name: str, payload: bytes, received: datetime) -> Path:
    """Write a file into the inbox under a free name: hidden while written, synced, then renamed."""
    from ..batch import usable_name

    name = usable_name(name)
    stem, suffix = os.path.splitext(name)
    target, n = inbox / name, 1
    while os.path.lexists(target):
        target = inbox / f"{stem}_{n}{suffix}"
        n += 1
    tmp = inbox / f".~mail-{os.getpid()}-{target.name}"
    try:
        with open(tmp, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        stamp = received.timestamp()
        os.utime(tmp, (stamp, stamp))
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()
    sync_folder(inbox)
    return target


def _done(box: imaplib.IMAP4, uid: str) -> None:
    """Mark the message as read and move it into PROCESSED (MOVE, or copy and delete)."""
    _ok(box.uid("STORE", uid, "+FLAGS", "(\\Seen)"), "письмо не отмечено прочитанным")
    box.create(folder_name(PROCESSED))  # answers NO when the folder exists: that is fine
    if _can_move(box):
        _ok(box.uid("MOVE", uid, folder_name(PROCESSED)), "письмо не перемещено")
    else:
        _ok(box.uid("COPY", uid, folder_name(PROCESSED)), "письмо не скопировано")
        _ok(box.uid("STORE", uid, "+FLAGS", "(\\Deleted)"), "письмо не отмечено к удалению")
