"""A letter per school after a consolidation: what each school is told, and only about itself."""

from __future__ import annotations

import email
import zipfile
from email.policy import default as DEFAULT_POLICY
from pathlib import Path

import pytest
from click.testing import CliRunner

from roadmap_office.batch import EXIT_CONFIG, init_tree
from roadmap_office.cli import main
from roadmap_office.errors import MasterError
from roadmap_office.master import read_master, write_master


def read_eml(path: Path) -> email.message.EmailMessage:
    return email.message_from_bytes(path.read_bytes(), policy=DEFAULT_POLICY)


@pytest.fixture(scope="module")
def letters(demo_run, tmp_path_factory):
    """``consolidate --letters`` over the demo's first period: the letters by school code."""
    folder = tmp_path_factory.mktemp("letters")
    result = CliRunner().invoke(main, ["consolidate", str(demo_run.master), str(demo_run.outdir / "submissions"),
                                       "-o", str(folder / "out"), "--format", "xlsx", "--as-of", "2022-06-30",
                                       "--letters", str(folder / "letters")])
    assert result.exit_code == 0, result.output
    assert f"Письма школам: 12 в папке {folder / 'letters'}" in result.output
    by_code = {}
    for path in sorted((folder / "letters").iterdir()):
        assert path.suffix == ".eml"
        by_code[path.name.split("_")[1]] = read_eml(path)
    return by_code


def body(message) -> str:
    return message.get_body(("plain",)).get_content()


def test_one_letter_per_school_of_the_master(letters, demo_run):
    schools = read_master(demo_run.master).schools
    assert sorted(letters) == sorted(s.code for s in schools)
    for school in schools:
        message = letters[school.code]
        assert message["To"] == f"school-{school.code.lower()}@example.org"
        assert message["X-Unsent"] == "1" and message["From"] is None  # a draft for any mail program
        assert message.get_body(("plain",))["Content-Type"].params["charset"] == "utf-8"
        assert message["Subject"].endswith(f" — {school.name}")


def test_findings_by_sheet_and_cell_with_what_to_do(letters):
    text = body(letters["L03"])
    assert letters["L03"]["Subject"] == ("Отчёт по дорожной карте за I полугодие 2022 г. принят, замечаний: 2 "
                                         "— МБОУ Лицей № 3")
    assert "1. лист «Мероприятия», ячейка H5: дата 15.03.2023 вне периода реализации" in text
    assert "ячейка F7: недопустимый статус «сделали»; выберите из списка" in text
    assert "Исправьте указанные ячейки в своём файле" in text
    assert "отмечено выполненными: 25 (51,0 %)" in text
    assert "13.10. Участие педагогов в Всероссийском форуме классных руководителей — срок: Октябрь 2021" in text


def test_a_school_that_sent_nothing_gets_a_reminder_and_its_template(letters):
    message = letters["S17"]  # it sent a self-made table, which names no school
    assert message["Subject"].startswith("Напоминание: отчёт по дорожной карте за I полугодие 2022 г. не представлен")
    # written today, long after the period: the due date has passed (before it: «не позднее», see test_mail)
    assert "Срок его представления (30.06.2022) истёк: направьте отчёт безотлагательно." in body(message)
    names = [part.get_filename() for part in message.iter_attachments()]
    assert names == ["Письмо_S17_МБОУ_Школа_N_17.odt", "Отчёт_S17_МБОУ_Школа_N_17_I_полугодие_2022_г.ods",
                     "Отчёт_S17_МБОУ_Школа_N_17_I_полугодие_2022_г.xlsx"]
    template = next(p for p in message.iter_attachments() if p.get_filename().endswith(".xlsx")).get_content()
    assert template[:2] == b"PK"


def test_the_attached_document_is_the_letter(letters):
    odt = next(letters["S05"].iter_attachments())
    assert odt.get_content_type() == "application/vnd.oasis.opendocument.text"
    import io

    with zipfile.ZipFile(io.BytesIO(odt.get_content())) as archive:
        content = archive.read("content.xml").decode("utf-8")
    assert "Отчёт по дорожной карте за I полугодие 2022 г. принят — МБОУ Школа № 5" in content
    assert "учтён последний, не учтены: «Отчёт_S05_МБОУ_Школа_N_5_I_полугодие_2022_г.ods»" in content


def test_a_letter_never_holds_another_schools_data(letters, demo_run):
    schools = read_master(demo_run.master).schools
    for school in schools:
        message = letters[school.code]
        text = body(message) + "".join(p.get_filename() for p in message.iter_attachments())
        for other in schools:
            if other.code != school.code:
                assert other.full_name not in text and f"_{other.code}_" not in text, (school.code, other.code)


def test_addresses_in_the_master(demo_roadmap, tmp_path):
    roadmap = demo_roadmap
    path = write_master(roadmap, tmp_path / "master.ods")
    assert read_master(path).schools[0].emails == ["school-g02@example.org"]

    from roadmap_office.master import SCHOOLS
    from roadmap_office.sheets.reading import read_workbook

    assert read_workbook(path)[SCHOOLS][0][-1] == "Эл. почта"
    import copy

    several = copy.deepcopy(roadmap)
    several.schools[0].emails = ["zam@school2.example", "Директор <director@school2.example>"]
    back = read_master(write_master(several, tmp_path / "several.xlsx")).schools[0].emails
    assert back == ["zam@school2.example", "director@school2.example"]
    several.schools[1].emails = ["лицей три"]
    with pytest.raises(MasterError) as error:
        read_master(write_master(several, tmp_path / "bad.ods"))
    assert "«Школы»" in str(error.value) and "F3" in str(error.value)
    assert "«лицей три» не является адресом электронной почты" in str(error.value)


@pytest.mark.parametrize("table, message", [
    ('[mail]\nsmtp_host = "smtp.example.org"\nsender = "roadmap@example.org"\nsecurity = "tls"\n',
     "параметр «mail.security» в roadmap-office.toml: ожидается одно из: starttls, ssl, none"),
    ('[mail]\nsmtp_host = "smtp.example.org"\nsender = "roadmap@example.org"\npassword = "secret"\n',
     "параметр «mail.password»"),
    ('[mail]\nsmtp_host = "smtp.example.org"\nsender = "roadmap@example.org"\npassword_file = "нет.txt"\n',
     "параметр «mail.password_file» в roadmap-office.toml: файл с паролем не читается"),
    ('[mail]\nsmtp_host = "smtp.example.org"\nsender = "не адрес"\n', "параметр «mail.sender»"),
    ('[mail]\nsmtp_host = "smtp.example.org"\nsender = "a@example.org"\nsend_to_schools = "да"\n',
     "«mail.send_to_schools» в roadmap-office.toml: ожидается true или false"),
    ('[mailbox]\nimap_host = "imap.example.org"\nuser = "roadmap"\nimap_port = 0\npassword_file = "x"\n',
     "«mailbox.imap_port» в roadmap-office.toml: ожидается номер порта от 1 до 65535"),
])
def test_mail_configuration_errors_exit_2(demo_run, tmp_path, table, message):
    config = init_tree(tmp_path / "srv", demo_run.master)
    config.write_text(config.read_text(encoding="utf-8") + table, encoding="utf-8")
    result = CliRunner().invoke(main, ["batch", "run", "--config", str(config)])
    assert result.exit_code == EXIT_CONFIG
    assert message in result.output
