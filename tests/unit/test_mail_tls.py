"""Mail over TLS against real servers on 127.0.0.1 (Dovecot and aiosmtpd with a certificate of a
throwaway authority): STARTTLS and TLS from the first byte both carry the night's letters and the
mailbox's reports; the certificate is verified against the district's own authority (`ca_file`),
and one the product cannot verify stops nothing but the mail, with a Russian reason naming the
setting, the letters kept for the next night."""

from __future__ import annotations

import re
import shutil
import sys
from datetime import datetime
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[1]))
from mailservers import USER, Certificates, Dovecot, SmtpServer, batch_config  # noqa: E402

from roadmap_office.batch import load_config, run_batch  # noqa: E402
from roadmap_office.batch.config import ConfigError  # noqa: E402
from test_mail import G02, school_mail  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")
NIGHT1, NIGHT2 = datetime(2022, 6, 28, 2, 30), datetime(2022, 6, 29, 2, 30)


@pytest.fixture(scope="module")
def certificates(tmp_path_factory):
    return Certificates(tmp_path_factory.mktemp("tls"))


@pytest.fixture()
def servers(request, certificates):
    """An SMTP server and Dovecot speaking TLS the way the test's parameter says."""
    security = getattr(request, "param", "starttls")
    smtp = SmtpServer(certificates=certificates, tls=security)
    smtp.start()
    try:
        dovecot = Dovecot(certificates)
    except BaseException:
        smtp.stop()
        raise
    yield security, smtp, dovecot
    dovecot.stop()
    smtp.stop()


def configure(root: Path, master: Path, security: str, smtp: SmtpServer, dovecot: Dovecot, ca_file: str = "") -> Path:
    imap_port = dovecot.ssl_port if security == "ssl" else dovecot.port
    return batch_config(root, master, smtp.port, imap_port, security, ca_file)


@pytest.mark.parametrize("servers", ["starttls", "ssl"], indirect=True)
def test_letters_and_the_mailbox_over_tls_with_the_districts_own_authority(servers, certificates, demo_run, tmp_path):
    security, smtp, dovecot = servers
    root = tmp_path / "srv"
    root.mkdir()
    shutil.copy(certificates.ca, root / "district-ca.pem")
    config = configure(root, demo_run.master, security, smtp, dovecot, ca_file="district-ca.pem")
    dovecot.deliver(school_mail("school-g02@example.org", "Отчёт гимназии № 2", demo_run.outdir / "submissions" / G02))

    night = run_batch(config, now=NIGHT1, quiet=True)
    assert night.exit_code == 0 and night.fetched == [G02] and night.accepted == [G02]
    assert len(night.letters_sent) == 13 and len(smtp.received) == 13  # 12 schools and the district
    g02 = smtp.to("school-g02@example.org")
    assert len(g02) == 1 and G02 in g02[0].text and g02[0].login == USER


def test_a_certificate_the_product_cannot_verify_keeps_the_letters_and_the_mailbox(servers, demo_run, tmp_path):
    security, smtp, dovecot = servers
    root = tmp_path / "srv"
    config = configure(root, demo_run.master, security, smtp, dovecot)  # no ca_file: the system's authorities only
    dovecot.deliver(school_mail("school-g02@example.org", "Отчёт гимназии № 2", demo_run.outdir / "submissions" / G02))
    shutil.copy(demo_run.outdir / "submissions" / G02, root / "inbox" / G02)

    night = run_batch(config, now=NIGHT1, quiet=True)
    assert night.exit_code == 0 and night.accepted == [G02]  # the night's report is made all the same
    assert night.fetched == [] and ["\\Seen" in flags for flags, _ in dovecot.messages("INBOX")] == [False]
    assert night.letters_sent == [] and smtp.received == []
    assert len(list((root / "mail" / "outbox").iterdir())) == 13
    log = (root / "out" / "logs" / "roadmap-office.log").read_text(encoding="utf-8")
    assert f"почтовый сервер 127.0.0.1:{smtp.port}: сертификат сервера не прошёл проверку" in log
    assert "в параметре mail.ca_file" in log and "в параметре mailbox.ca_file" in log

    text = re.sub(r'^(password_file = ".*"\n)', r'\1ca_file = "ca.pem"\n', config.read_text(encoding="utf-8"), flags=re.M)
    config.write_text(text, encoding="utf-8")
    shutil.copy(smtp.certificates.ca, root / "ca.pem")
    again = run_batch(config, now=NIGHT2, quiet=True)
    assert again.exit_code == 0 and len(again.letters_sent) == 13 and len(smtp.received) == 13
    assert dovecot.messages("INBOX") == []  # read and moved once its attachment was in the inbox


def test_a_ca_file_that_holds_no_certificate_is_a_configuration_error(demo_run, tmp_path):
    config = batch_config(tmp_path / "srv", demo_run.master, 2525, 1143, "starttls", ca_file="ca.pem")
    (config.parent / "ca.pem").write_text("это не сертификат\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"mail\.ca_file.*нет сертификата в формате PEM"):
        load_config(config)
