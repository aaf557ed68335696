"""The batch's ``[mail]`` (sending) and ``[mailbox]`` (intake) tables: keys, defaults, checks.

The configuration names a ``password_file``, never a password: the file's first line is read
when a server is contacted, so the secret stays out of the config and the logs.
"""

from __future__ import annotations

import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import os_reason
from .addresses import parse_addresses

SECURITY = ("starttls", "ssl", "none")
DEFAULT_PORTS = {"smtp": {"starttls": 587, "ssl": 465, "none": 25}, "imap": {"starttls": 143, "ssl": 993, "none": 143}}

# ``bad(key, expected, value=None)`` below builds the configuration error that names the key


@dataclass
class MailSettings:
    """``[mail]``: letters go out through this SMTP server."""

    smtp_host: str
    smtp_port: int
    security: str
    user: str
    password_file: Path | None
    sender: str
    district_to: list[str] = field(default_factory=list)
    send_to_schools: bool = True
    ca_file: Path | None = None  # the district's own certificate authority (PEM), when the server's is not public

    def password(self) -> str:
        return read_password(self.password_file)

    def tls(self) -> ssl.SSLContext:
        return tls_context(self.ca_file)


@dataclass
class MailboxSettings:
    """``[mailbox]``: attachments of new messages in this IMAP folder go into the inbox."""

    imap_host: str
    imap_port: int
    security: str
    user: str
    password_file: Path | None
    folder: str = "INBOX"
    ca_file: Path | None = None

    def password(self) -> str:
        return read_password(self.password_file)

    def tls(self) -> ssl.SSLContext:
        return tls_context(self.ca_file)


def tls_context(ca_file: Path | None) -> ssl.SSLContext:
    """A mail connection's TLS: the server's certificate and name are always verified, against the
    system's authorities or, with ``ca_file``, against the district's own authority only."""
    return ssl.create_default_context(cafile=str(ca_file) if ca_file else None)


def certificate_problem(exc: BaseException, key: str) -> str:
    """A Russian sentence for a server certificate that failed verification ('' for other faults)."""
    if not isinstance(exc, ssl.SSLCertVerificationError):
        return ""
    return (f"сертификат сервера не прошёл проверку ({exc.verify_message or exc.reason}); если сервер использует "
            f"сертификат собственного удостоверяющего центра, укажите файл сертификата этого центра (PEM) "
            f"в параметре {key}")


def read_password(path: Path | None) -> str:
    if path is None:
        return ""
    return path.read_text(encoding="utf-8").splitlines()[0].strip() if path.stat().st_size else ""


def _text(key, value, bad: Callable[..., Exception], required=True) -> str:
    if not isinstance(value, str) or (required and not value.strip()):
        raise bad(key, "ожидается текст в кавычках", value)
    return value.strip()


def _port(key, value, bad: Callable[..., Exception]) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 65535:
        raise bad(key, "ожидается номер порта от 1 до 65535", value)
    return value


def _security(key, value, bad: Callable[..., Exception]) -> str:
    if value not in SECURITY:
        raise bad(key, f"ожидается одно из: {', '.join(SECURITY)}", value)
    return value


def _addresses(key, value, bad: Callable[..., Exception], many: bool) -> list[str]:
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise bad(key, "ожидается адрес электронной почты в кавычках" + (" или список адресов" if many else ""), value)
    try:
        found = [a for v in values for a in parse_addresses(v)]
    except ValueError as exc:
        raise bad(key, str(exc)) from None
    if not many and len(found) != 1:
        raise bad(key, "ожидается один адрес электронной почты", value)
    return found


def _password_file(key, value, bad: Callable[..., Exception], base: Path) -> Path:
    path = (base / _text(key, value, bad)).resolve()
    try:
        path.read_bytes()
    except OSError as exc:
        raise bad(key, f"файл с паролем не читается ({os_reason(exc)})", value) from None
    return path


def _ca_file(key, value, bad: Callable[..., Exception], base: Path) -> Path:
    path = (base / _text(key, value, bad)).resolve()
    try:
        tls_context(path)
    except OSError as exc:  # ssl.SSLError is one: a file that holds no PEM certificate
        why = os_reason(exc) if exc.errno and not isinstance(exc, ssl.SSLError) else "в нём нет сертификата в формате PEM"
        raise bad(key, f"файл сертификатов не читается ({why})", value) from None
    return path


def _table(name: str, table, bad: Callable[..., Exception], keys: tuple[str, ...]) -> dict:
    if not isinstance(table, dict):
        raise bad(name, "ожидается таблица [" + name + "]", table)
    unknown = sorted(set(table) - set(keys))
    if unknown:
        raise bad(f"{name}.{unknown[0]}", f"неизвестный параметр; допустимые в [{name}]: {', '.join(keys)}")
    return table


MAIL_KEYS = ("smtp_host", "smtp_port", "security", "user", "password_file", "sender", "district_to", "send_to_schools",
             "ca_file")
MAILBOX_KEYS = ("imap_host", "imap_port", "security", "user", "password_file", "folder", "ca_file")


def parse_mail(table, bad: Callable[..., Exception], base: Path) -> MailSettings:
    """``[mail]`` checked key by key; ``bad`` builds the error that names the key."""
    t = _table("mail", table, bad, MAIL_KEYS)
    at = lambda key: f"mail.{key}"  # noqa: E731
    security = _security(at("security"), t.get("security", "starttls"), bad)
    if not isinstance(t.get("send_to_schools", True), bool):
        raise bad(at("send_to_schools"), "ожидается true или false", t.get("send_to_schools"))
    return MailSettings(
        smtp_host=_text(at("smtp_host"), t.get("smtp_host"), bad),
        smtp_port=_port(at("smtp_port"), t.get("smtp_port", DEFAULT_PORTS["smtp"][security]), bad),
        security=security,
        user=_text(at("user"), t.get("user", ""), bad, required=False),
        password_file=_password_file(at("password_file"), t["password_file"], bad, base) if "password_file" in t
        else None,
        sender=_addresses(at("sender"), t.get("sender"), bad, many=False)[0],
        district_to=_addresses(at("district_to"), t.get("district_to", []), bad, many=True),
        send_to_schools=t.get("send_to_schools", True),
        ca_file=_ca_file(at("ca_file"), t["ca_file"], bad, base) if "ca_file" in t else None,
    )


def parse_mailbox(table, bad: Callable[..., Exception], base: Path) -> MailboxSettings:
    """``[mailbox]`` checked key by key."""
    t = _table("mailbox", table, bad, MAILBOX_KEYS)
    at = lambda key: f"mailbox.{key}"  # noqa: E731
    security = _security(at("security"), t.get("security", "ssl"), bad)
    return MailboxSettings(
        imap_host=_text(at("imap_host"), t.get("imap_host"), bad),
        imap_port=_port(at("imap_port"), t.get("imap_port", DEFAULT_PORTS["imap"][security]), bad),
        security=security,
        user=_text(at("user"), t.get("user"), bad),
        password_file=_password_file(at("password_file"), t.get("password_file"), bad, base),
        folder=_text(at("folder"), t.get("folder", "INBOX"), bad),
        ca_file=_ca_file(at("ca_file"), t["ca_file"], bad, base) if "ca_file" in t else None,
    )
