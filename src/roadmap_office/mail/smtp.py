"""Sending queued ``.eml`` files with the standard library's ``smtplib``.

One connection a night. A message leaves the queue only after the server accepted it; a server
that cannot be reached, refuses the login or breaks the connection ends the sending for the
night and leaves the rest queued for the next one.
"""

from __future__ import annotations

import base64
import email
import email.utils
import smtplib
from dataclasses import dataclass, field
from email.policy import SMTP
from pathlib import Path

from .settings import MailSettings, certificate_problem

TIMEOUT = 60.0  # seconds for connecting and for each command


@dataclass
class Sent:
    path: Path
    message_id: str
    recipients: list[str]
    subject: str


@dataclass
class SendReport:
    sent: list[Sent] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)  # file name -> why this message was refused
    error: str = ""  # why sending stopped for the night (the server); the rest stays queued


def connect(settings: MailSettings) -> smtplib.SMTP:
    context = settings.tls()
    if settings.security == "ssl":
        server: smtplib.SMTP = smtplib.SMTP_SSL(settings.smtp_host, settings.smtp_port, timeout=TIMEOUT,
                                                context=context)
    else:
        server = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=TIMEOUT)
    try:
        if settings.security == "starttls":
            server.starttls(context=context)
        if settings.user:
            _login(server, settings.user, settings.password())
    except BaseException:  # a refused login or TLS leaves no connection open
        server.close()
        raise
    return server


def _login(server: smtplib.SMTP, user: str, password: str) -> None:
    """``login`` for ASCII credentials; smtplib encodes them as ASCII only, so others go as AUTH PLAIN
    in UTF-8 (RFC 4616), which is what servers expect."""
    if user.isascii() and password.isascii():
        server.login(user, password)
        return
    server.ehlo_or_helo_if_needed()
    token = base64.b64encode(f"\0{user}\0{password}".encode("utf-8")).decode("ascii")
    code, answer = server.docmd("AUTH", "PLAIN " + token)
    if code != 235:
        raise smtplib.SMTPAuthenticationError(code, answer)


def send_queued(settings: MailSettings, paths: list[Path], on_sent) -> SendReport:
    """Send each file; ``on_sent(Sent)`` is called right after the server accepted one (it moves
    the file out of the queue and logs it)."""
    report = SendReport()
    if not paths:
        return report
    try:
        server = connect(settings)
    except (OSError, smtplib.SMTPException) as exc:
        report.error = describe(exc, settings)
        return report
    try:
        for path in paths:
            message = email.message_from_bytes(path.read_bytes(), policy=SMTP)
            recipients = [a for _, a in email.utils.getaddresses(message.get_all("To", []))]
            try:
                server.send_message(message, from_addr=settings.sender, to_addrs=recipients)
            except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError, smtplib.SMTPSenderRefused) as exc:
                report.failed[path.name] = describe(exc, settings)
                continue
            sent = Sent(path, str(message["Message-ID"]), recipients, str(message["Subject"]))
            report.sent.append(sent)
            on_sent(sent)
    except (OSError, smtplib.SMTPException) as exc:
        report.error = describe(exc, settings)
    finally:
        try:
            server.quit()
        except (OSError, smtplib.SMTPException):
            server.close()
    return report


def describe(exc: BaseException, settings: MailSettings) -> str:
    """A Russian sentence for the log; the server's own words follow."""
    where = f"{settings.smtp_host}:{settings.smtp_port}"
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return f"почтовый сервер {where} не принял имя пользователя или пароль"
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "почтовый сервер отклонил адреса: " + ", ".join(exc.recipients)
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return f"почтовый сервер {where} разорвал соединение"
    if isinstance(exc, smtplib.SMTPException):
        return f"почтовый сервер {where} отказал: {exc}"
    certificate = certificate_problem(exc, "mail.ca_file")
    if certificate:
        return f"почтовый сервер {where}: {certificate}"
    why = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return f"почтовый сервер {where} недоступен ({why})"
