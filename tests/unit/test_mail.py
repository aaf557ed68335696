"""Letters by mail, against real servers on 127.0.0.1: Dovecot (IMAP) and aiosmtpd (SMTP).

Nights of the batch with a real mailbox and a real SMTP server: who got which letter, that each
school sees only its own data, that nothing goes twice, and that a stopped SMTP server loses
nothing.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
from datetime import datetime, timezone
from email.message import EmailMessage
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[1]))
from mailservers import PASSWORD, USER, Dovecot, SmtpServer, batch_config  # noqa: E402

from roadmap_office.batch import load_config, run_batch  # noqa: E402
from roadmap_office.mail.imap import PROCESSED  # noqa: E402
from roadmap_office.master import read_master  # noqa: E402

# the test server takes a login without TLS, which aiosmtpd warns about; the product never sends one so
# unless the configuration says `security = "none"`
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")

G02 = "Отчёт_G02_МБОУ_Гимназия_N_2_I_полугодие_2022_г.ods"
L03 = "Отчёт_L03_МБОУ_Лицей_N_3_I_полугодие_2022_г.xlsx"
S10 = "Отчёт_S10_МБОУ_Школа_N_10_I_полугодие_2022_г.xlsx"
FOREIGN = "Отчёт_школы_17_по_дорожной_карте.xlsx"
NIGHT1, NIGHT2, NIGHT3 = datetime(2022, 6, 28, 2, 30), datetime(2022, 6, 29, 2, 30), datetime(2022, 6, 30, 2, 30)
DISTRICT = "specialist@example.org"
L03_DEPUTY = "zam.l03@mail.example"  # the deputy head writes from her own address, not the master's


@pytest.fixture()
def dovecot():
    server = Dovecot()
    yield server
    server.stop()


@pytest.fixture()
def smtp():
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


def school_mail(sender: str, subject: str, *files: Path) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "roadmap@example.org"
    message["Subject"] = subject
    message["Message-ID"] = f"<{abs(hash((sender, subject)))}@school.example>"
    message.set_content("Направляем отчёт о реализации дорожной карты.")
    for path in files:
        message.add_attachment(path.read_bytes(), maintype="application", subtype="octet-stream", filename=path.name)
    return message.as_bytes()


@pytest.fixture()
def tree(tmp_path, demo_run, dovecot, smtp):
    config = batch_config(tmp_path / "srv", demo_run.master, smtp.port, dovecot.port)
    return config, config.parent, demo_run.outdir / "submissions"


def sent_events(root: Path) -> list[dict]:
    lines = (root / "out" / "logs" / "roadmap-office.jsonl").read_text(encoding="utf-8").splitlines()
    return [e for e in map(json.loads, lines) if e["event"] == "mail_sent"]


def test_nights_through_a_real_mailbox_and_smtp_server(tree, dovecot, smtp, demo_run):
    config, root, submissions = tree
    roadmap_schools = {s.code: s for s in read_master(demo_run.master).schools}
    dovecot.deliver(school_mail("school-g02@example.org", "Отчёт гимназии № 2", submissions / G02))
    dovecot.deliver(school_mail(f"Заместитель директора <{L03_DEPUTY}>", "Лицей № 3", submissions / L03))
    dovecot.deliver(school_mail("school-s17@example.org", "Отчёт школы 17", submissions / FOREIGN))
    dovecot.deliver(school_mail("parent@example.net", "Вопрос о мероприятии"))  # no report: for people

    # ---- night 1: the mailbox is read, every school hears back, the district gets its summary
    night1 = run_batch(config, now=NIGHT1, quiet=True)
    assert sorted(night1.fetched) == sorted([G02, L03, FOREIGN])
    assert sorted(night1.accepted) == sorted([G02, L03]) and night1.rejected == [FOREIGN]
    inbox_left = dovecot.messages("INBOX")
    assert [m["Subject"] for _, m in inbox_left] == ["Вопрос о мероприятии"]
    assert "\\Seen" not in inbox_left[0][0]  # a message for people is not touched
    processed = dovecot.messages(PROCESSED)
    assert len(processed) == 3 and all("\\Seen" in flags for flags, _ in processed)

    g02 = smtp.to("school-g02@example.org")
    assert len(g02) == 1 and "принят" in g02[0].message["Subject"]
    assert G02 in g02[0].text and "Замечаний к файлу" in g02[0].text
    assert g02[0].attachments == ["Письмо_G02_МБОУ_Гимназия_N_2.odt"]

    l03 = smtp.to("school-l03@example.org")
    assert len(l03) == 1 and l03[0].recipients == ["school-l03@example.org", L03_DEPUTY]  # the sender too
    assert "ячейка H5" in l03[0].text and "ячейка F7" in l03[0].text and "сделали" in l03[0].text

    s17 = smtp.to("school-s17@example.org")  # refused; known by its sender's address: the template again
    assert len(s17) == 1 and "не принят" in s17[0].message["Subject"]
    assert FOREIGN in s17[0].text and "Служебный" in s17[0].text
    assert s17[0].attachments == ["Письмо_S17_МБОУ_Школа_N_17.odt", "Отчёт_S17_МБОУ_Школа_N_17_I_полугодие_2022_г.ods",
                                  "Отчёт_S17_МБОУ_Школа_N_17_I_полугодие_2022_г.xlsx"]

    s10 = smtp.to("school-s10@example.org")  # sent nothing: a reminder with the period and the due date
    assert len(s10) == 1 and s10[0].message["Subject"].startswith("Напоминание")
    assert "I полугодие 2022 г." in s10[0].text and "не позднее 30.06.2022" in s10[0].text

    for code, school in roadmap_schools.items():  # each school its own data only
        (letter,) = smtp.to(school.emails[0])
        for other_code, other in roadmap_schools.items():
            if other_code != code:
                assert other.full_name not in letter.text and f"_{other_code}_" not in letter.text
                assert not any(f"_{other_code}_" in name for name in letter.attachments)

    (summary,) = smtp.to(DISTRICT)
    assert "представили отчёт: 2" in summary.text and summary.attachments == ["Сводный_отчёт.odt"]
    assert len(smtp.received) == 12 + 1 and {r.login for r in smtp.received} == {USER}
    assert PASSWORD not in (root / "out" / "logs" / "roadmap-office.log").read_text(encoding="utf-8")
    events = sent_events(root)
    assert sorted(e["message_id"] for e in events) == sorted(r.message["Message-ID"] for r in smtp.received)

    # ---- night 2: a new file arrives while the SMTP server is down: nothing is lost
    smtp.stop()
    dovecot.deliver(school_mail("school-s10@example.org", "Школа 10", submissions / S10), '"28-Jun-2022 18:40:00 +0300"')
    night2 = run_batch(config, now=NIGHT2, quiet=True)
    assert night2.exit_code == 0 and night2.fetched == [S10] and night2.accepted == [S10]
    assert sorted(night2.letters_queued) == ["S10", "district"] and night2.letters_sent == []
    assert sorted(p.name for p in (root / "mail" / "outbox").iterdir()) == [
        "Письмо_S10_МБОУ_Школа_N_10.eml", "Свод_2022-06-29.eml"]
    assert (root / "out" / "latest" / "Сводный_отчёт.odt").exists()  # the night's report is not lost either
    log = (root / "out" / "logs" / "roadmap-office.log").read_text(encoding="utf-8")
    assert "Письма не отправлены: почтовый сервер 127.0.0.1" in log and "в очереди писем: 2" in log

    # ---- night 3: the server is back: the queue goes out, and nothing already sent goes twice
    smtp.received.clear()
    smtp.start()
    night3 = run_batch(config, now=NIGHT3, quiet=True)
    assert night3.letters_queued == [] and len(night3.letters_sent) == 2
    assert sorted(r.recipients[0] for r in smtp.received) == sorted([DISTRICT, "school-s10@example.org"])
    (s10,) = smtp.to("school-s10@example.org")
    arrived = datetime(2022, 6, 28, 15, 40, tzinfo=timezone.utc).astimezone()  # 18:40 in Moscow
    assert "принят" in s10.message["Subject"] and f"«{S10}», {arrived:%d.%m.%Y %H:%M}: принят" in s10.text
    assert list((root / "mail" / "outbox").iterdir()) == []
    assert len(sent_events(root)) == 13 + 2


def test_a_message_leaves_the_mailbox_only_after_its_files_are_in_the_inbox(tree, dovecot, monkeypatch):
    from roadmap_office.mail import imap
    from roadmap_office.mail.state import MailState

    config, root, submissions = tree
    folder = "Отчёты школ"  # a folder of Cyrillic name: modified UTF-7 on the wire
    dovecot.deliver(school_mail("school-g02@example.org", "Отчёт", submissions / G02), folder=folder)
    settings = load_config(config).mailbox
    settings.folder = folder

    def disk_full(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(imap.os, "replace", disk_full)
    report = imap.take_mailbox(settings, root / "inbox", MailState(root))
    assert report.error and report.imported == []
    (flags, message), = dovecot.messages(folder)  # still there, still unread
    assert "\\Seen" not in flags and list((root / "inbox").iterdir()) == []

    monkeypatch.undo()
    report = imap.take_mailbox(settings, root / "inbox", MailState(root))
    assert [i.file.name for i in report.imported] == [G02] and report.error == ""
    assert dovecot.messages(folder) == [] and len(dovecot.messages(PROCESSED)) == 1
    assert (root / "inbox" / G02).read_bytes() == (submissions / G02).read_bytes()
    arrived = datetime(2022, 6, 28, 7, 15, tzinfo=timezone.utc).astimezone().replace(tzinfo=None)
    assert datetime.fromtimestamp((root / "inbox" / G02).stat().st_mtime) == arrived  # the arrival time
    digest = hashlib.sha256((submissions / G02).read_bytes()).hexdigest()
    assert MailState(root).addresses_of(digest) == ["school-g02@example.org"]


def test_a_refused_login_keeps_the_letters_queued(tree, smtp):
    config, root, submissions = tree
    (root / "smtp-password.txt").write_text("не тот пароль\n", encoding="utf-8")
    shutil.copy(submissions / G02, root / "inbox" / G02)
    night = run_batch(config, now=NIGHT1, quiet=True)
    assert night.exit_code == 0 and night.accepted == [G02] and night.letters_sent == []
    assert len(night.letters_queued) == 13 and len(list((root / "mail" / "outbox").iterdir())) == 13
    assert smtp.received == []
    log = (root / "out" / "logs" / "roadmap-office.log").read_text(encoding="utf-8")
    assert f"почтовый сервер 127.0.0.1:{smtp.port} не принял имя пользователя или пароль" in log
    assert "не тот пароль" not in log

    (root / "smtp-password.txt").write_text(PASSWORD + "\n", encoding="utf-8")
    again = run_batch(config, now=NIGHT2, quiet=True)
    assert again.letters_queued == [] and len(again.letters_sent) == 13 and len(smtp.received) == 13


def test_sent_letters_are_kept_for_keep_days_like_the_archive(tree, smtp):
    config, root, submissions = tree
    config.write_text(config.read_text(encoding="utf-8").replace("keep_days = 90", "keep_days = 1"), encoding="utf-8")
    shutil.copy(submissions / G02, root / "inbox" / G02)
    run_batch(config, now=NIGHT1, quiet=True)
    assert len(list((root / "mail" / "sent" / "2022-06-28").iterdir())) == 13
    shutil.copy(submissions / L03, root / "inbox" / L03)
    later = run_batch(config, now=datetime(2022, 7, 5, 2, 30), quiet=True)
    assert later.letters_sent and sorted(os.listdir(root / "mail" / "sent")) == ["2022-07-05"]
