"""Real mail servers on 127.0.0.1 for the tests: Dovecot (IMAP) with a throwaway configuration,
and aiosmtpd (SMTP) keeping every message it accepts. Nothing of the system's mail setup is
used or changed; both stop when the test ends."""

from __future__ import annotations

import email
import imaplib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from email.policy import default as DEFAULT_POLICY
from pathlib import Path

USER, PASSWORD = "roadmap", "пароль-для-теста"


class Certificates:
    """A throwaway certificate authority (``ca``) and a server certificate it signed for 127.0.0.1,
    made with the system's ``openssl``: the servers present it, the product trusts it only through
    its ``ca_file`` setting."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.ca, self.cert, self.key = folder / "ca.pem", folder / "server.pem", folder / "server.key"
        ca_key, request, extensions = folder / "ca.key", folder / "server.csr", folder / "server.ext"
        extensions.write_text("basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n"
                              "extendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n"
                              "subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid,issuer\n", encoding="ascii")
        for command in (
            ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", ca_key, "-out", self.ca, "-days", "2",
             "-subj", "/CN=Roadmap test authority", "-addext", "basicConstraints=critical,CA:TRUE",
             "-addext", "keyUsage=critical,keyCertSign,cRLSign"],
            ["req", "-newkey", "rsa:2048", "-nodes", "-keyout", self.key, "-out", request, "-subj", "/CN=127.0.0.1"],
            ["x509", "-req", "-in", request, "-CA", self.ca, "-CAkey", ca_key, "-CAcreateserial", "-out", self.cert,
             "-days", "2", "-extfile", extensions],
        ):
            subprocess.run(["openssl", *map(str, command)], check=True, capture_output=True)

    def server_context(self):
        import ssl

        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert, self.key)
        return context


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Dovecot:
    """``dovecot -F`` with its own configuration, one passwd-file user and mail in a temporary folder."""

    def __init__(self, certificates: Certificates | None = None) -> None:
        binary = shutil.which("dovecot") or "/usr/sbin/dovecot"
        if not os.path.exists(binary):
            raise RuntimeError("Dovecot is not installed: run scripts/setup.sh --dev (package dovecot-imapd)")
        self.port = free_port()
        self.ssl_port = free_port() if certificates else 0  # IMAP over TLS; the plain port offers STARTTLS
        # a folder of its own under the system's temporary folder: the mail user must reach it
        self.folder = Path(tempfile.mkdtemp(prefix="roadmap-dovecot-"))
        os.chmod(self.folder, 0o755)
        mail = self.folder / "mail"
        mail.mkdir()
        if os.geteuid() == 0:
            owner, internal, login = pwd.getpwnam("nobody"), "dovecot", "dovenull"
            os.chown(mail, owner.pw_uid, owner.pw_gid)
            userdb = f"uid={owner.pw_uid} gid={owner.pw_gid}"
        else:
            me = pwd.getpwuid(os.getuid()).pw_name
            internal = login = me
            userdb = f"uid={os.getuid()} gid={os.getgid()}"
        (self.folder / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n", encoding="utf-8")
        tls = (f"ssl = yes\nssl_cert = <{certificates.cert}\nssl_key = <{certificates.key}" if certificates
               else "ssl = no")
        self.config = self.folder / "dovecot.conf"
        self.config.write_text(f"""
base_dir = {self.folder}/run
state_dir = {self.folder}/state
log_path = {self.folder}/dovecot.log
protocols = imap
listen = 127.0.0.1
{tls}
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:{mail}/%u
default_internal_user = {internal}
default_login_user = {login}
first_valid_uid = 0
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {self.folder}/passwd
}}
userdb {{
  driver = static
  args = {userdb} home={mail}/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {self.ssl_port}
    ssl = {"yes" if certificates else "no"}
  }}
}}
""", encoding="utf-8")
        self.process = subprocess.Popen([binary, "-F", "-c", str(self.config)], stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL)
        try:
            for _ in range(200):
                try:
                    self.client().logout()
                    return
                except OSError:
                    time.sleep(0.05)
            raise RuntimeError("Dovecot did not start: " + (self.folder / "dovecot.log").read_text(errors="replace"))
        except BaseException:
            self.stop()
            raise

    def client(self) -> imaplib.IMAP4:
        box = imaplib.IMAP4("127.0.0.1", self.port)
        box.authenticate("PLAIN", lambda _: f"\0{USER}\0{PASSWORD}".encode("utf-8"))
        return box

    def deliver(self, message: bytes, when: str = '"28-Jun-2022 10:15:00 +0300"', folder: str = "INBOX") -> None:
        """A message arrives in a folder (IMAP APPEND; the folder is made when missing) at the given time."""
        from roadmap_office.mail.imap import folder_name

        box = self.client()
        try:
            box.create(folder_name(folder))
            assert box.append(folder_name(folder), None, when, message)[0] == "OK"
        finally:
            box.logout()

    def messages(self, folder: str) -> list[tuple[set, email.message.EmailMessage]]:
        """The messages of a folder with their flags (read without marking anything)."""
        box = self.client()
        try:
            from roadmap_office.mail.imap import folder_name

            if box.select(folder_name(folder), readonly=True)[0] != "OK":
                return []
            found = []
            for uid in box.uid("SEARCH", None, "ALL")[1][0].split():
                data = box.uid("FETCH", uid, "(FLAGS BODY.PEEK[])")[1]
                head, raw = data[0]
                flags = {f.decode("ascii") for f in imaplib.ParseFlags(head)}
                found.append((flags, email.message_from_bytes(raw, policy=DEFAULT_POLICY)))
            return found
        finally:
            box.logout()

    def stop(self) -> None:
        self.process.kill()  # a throwaway server: nothing of it is kept, so no orderly shutdown (a second)
        self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)


@dataclass
class Received:
    sender: str
    recipients: list[str]
    message: email.message.EmailMessage
    login: str = ""  # the user the client logged in as

    @property
    def text(self) -> str:
        return self.message.get_body(("plain",)).get_content()

    @property
    def attachments(self) -> list[str]:
        return [part.get_filename() for part in self.message.iter_attachments()]


@dataclass
class SmtpServer:
    """aiosmtpd keeping every message it accepts from a client that logged in as ``USER`` with
    ``PASSWORD``; ``stop()`` and ``start()`` again on the same port."""

    port: int = field(default_factory=free_port)
    received: list[Received] = field(default_factory=list)
    controller: object = None
    certificates: Certificates | None = None
    tls: str = "none"  # "starttls" (required before the login) or "ssl" (TLS from the first byte)

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's handler hook
        message = email.message_from_bytes(envelope.original_content or envelope.content, policy=DEFAULT_POLICY)
        login = session.auth_data.decode("utf-8") if session.authenticated and session.auth_data else ""
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message, login))
        return "250 Message accepted for delivery"

    @staticmethod
    def authenticate(server, session, envelope, mechanism, data):
        from aiosmtpd.smtp import AuthResult

        good = data.login == USER.encode() and data.password == PASSWORD.encode("utf-8")
        return AuthResult(success=good, handled=False, auth_data=data.login if good else None)

    def start(self) -> None:
        from aiosmtpd.controller import Controller

        tls: dict = {"auth_require_tls": False}
        if self.tls == "starttls":
            tls = {"tls_context": self.certificates.server_context(), "require_starttls": True, "auth_require_tls": True}
        elif self.tls == "ssl":
            tls = {"ssl_context": self.certificates.server_context(), "auth_require_tls": False}
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port, auth_required=True,
                                     authenticator=self.authenticate, **tls)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def to(self, address: str) -> list[Received]:
        return [r for r in self.received if address in r.recipients]


def batch_config(root: Path, master: Path, smtp_port: int, imap_port: int, security: str = "none",
                 ca_file: str = "") -> Path:
    """A batch tree for the mail tests: XLSX and ODT only, a fixed as-of date, no settling time, and
    [mail] and [mailbox] on the test servers (passwords in smtp-password.txt and imap-password.txt)."""
    from roadmap_office.batch import init_tree

    config = init_tree(root, master)
    text = config.read_text(encoding="utf-8")
    text = text.replace('formats = ["xlsx", "ods", "odt", "pdf"]', 'formats = ["xlsx", "odt"]')
    text = text.replace('as_of = "period"', 'as_of = "2022-06-30"').replace("settle_seconds = 60", "settle_seconds = 0")
    for name in ("imap-password.txt", "smtp-password.txt"):
        (config.parent / name).write_text(PASSWORD + "\n", encoding="utf-8")
    ca = f'ca_file = "{ca_file}"\n' if ca_file else ""
    text += f"""
[mail]
smtp_host = "127.0.0.1"
smtp_port = {smtp_port}
security = "{security}"
user = "{USER}"
password_file = "smtp-password.txt"
sender = "roadmap@example.org"
district_to = ["specialist@example.org"]
{ca}
[mailbox]
imap_host = "127.0.0.1"
imap_port = {imap_port}
security = "{security}"
user = "{USER}"
password_file = "imap-password.txt"
{ca}"""
    config.write_text(text, encoding="utf-8")
    return config
