"""The .oxt installed into a real headless LibreOffice: its macros run with the bundled library."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
import zipfile

import pytest

from roadmap_office import __version__
from roadmap_office.extension import build_oxt, description_version, sources_dir
from roadmap_office.office import Office, find_soffice

pytestmark = pytest.mark.libreoffice


@pytest.fixture(scope="module")
def oxt(tmp_path_factory):
    return build_oxt(tmp_path_factory.mktemp("oxt"))


@pytest.fixture(scope="module")
def office_with_extension(oxt):
    """A LibreOffice of its own (clean profile), the extension installed as a user would."""
    with Office() as office:
        office.install_extension(oxt)
        yield office


def test_oxt_contents(oxt):
    with zipfile.ZipFile(oxt) as archive:
        names = set(archive.namelist())
    assert {"description.xml", "META-INF/manifest.xml", "Addons.xcu", "python/roadmap_office_macros.py",
            "python/pythonpath/roadmap_office/__init__.py",
            "python/pythonpath/roadmap_office/rendering/odt_template.py",
            "python/pythonpath/odf/opendocument.py",
            "python/pythonpath/defusedxml/__init__.py"} <= names
    # only what the office path imports: not openpyxl, the command line, the batch or the importer
    assert not [n for n in names if n.startswith(("python/pythonpath/openpyxl/", "python/pythonpath/roadmap_office/batch",
                                                  "python/pythonpath/roadmap_office/cli",
                                                  "python/pythonpath/roadmap_office/importing"))]
    assert not [n for n in names if n.endswith((".so", ".pyd", ".pyc"))]  # nothing compiled inside
    assert description_version(sources_dir()) == __version__


def test_macros_use_the_bundled_library(office_with_extension):
    env = json.loads(office_with_extension.script("test_environment"))
    assert env["version"] == __version__
    assert "/uno_packages/" in env["library"]  # the copy inside the extension, not the project's
    assert {"lxml", "python_calamine", "click"} <= set(env["missing_optional"])
    # every module the macros may reach imports with what the extension carries (the CLI needs click)
    assert [m for m in env["unimportable"] if not m.startswith(("roadmap_office.cli:", "roadmap_office.__main__:"))] == []


def _entry_urls(office):
    """The script URLs of every registered menu entry and toolbar button."""
    menubar = office.configuration("/org.openoffice.Office.Addons/AddonUI/OfficeMenuBar")
    menu = menubar.getByName("org.roadmapoffice.menubar").Submenu
    toolbar = office.configuration("/org.openoffice.Office.Addons/AddonUI/OfficeToolBar")
    bar = toolbar.getByName("org.roadmapoffice.toolbar")
    urls = [node.getByName(name).URL for node in (menu, bar) for name in node.ElementNames]
    return [url for url in urls if url.startswith("vnd.sun.star.script:")]


def _run_every_entry(office):
    """Run each entry's URL as a click would: the macro must be found where it was installed.
    With no document open, each one answers with its Russian message (in headless mode on stderr)."""
    factory = office.context.getValueByName("/singletons/com.sun.star.script.provider.theMasterScriptProviderFactory")
    provider = factory.createScriptProvider("")
    urls = _entry_urls(office)
    for url in urls:
        provider.getScript(url).invoke((), (), ())  # ScriptFrameworkErrorException when not found
    return {url.split("$")[1].split("?")[0] for url in urls}


ENTRIES = {"check_current_file", "create_templates", "consolidate", "about"}


def test_every_entry_runs_in_a_per_user_install(office_with_extension):
    assert _run_every_entry(office_with_extension) == ENTRIES


def test_every_entry_runs_in_a_shared_install(tmp_path):
    """`unopkg add --shared` as an administrator runs it, into a throwaway shared folder (the
    system one untouched), then a user's LibreOffice: every menu entry finds its macro."""
    oxt = build_oxt(tmp_path / "shared", shared=True)
    shared = f"-env:UNO_SHARED_PACKAGES_CACHE={(tmp_path / 'share' / 'cache').as_uri()}"
    admin = f"-env:UserInstallation={(tmp_path / 'admin').as_uri()}"
    unopkg = str(Path(find_soffice()).resolve().with_name("unopkg"))
    done = subprocess.run([unopkg, "add", "--shared", "--suppress-license", shared, admin, str(oxt)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert list((tmp_path / "share" / "cache" / "uno_packages").glob("*/roadmap-office.oxt"))
    with Office(args=(shared,)) as office:
        assert _run_every_entry(office) == ENTRIES
        env = json.loads(office.script("test_environment", location="share:uno_packages"))
        assert env["library"].startswith(str(tmp_path / "share"))


def test_menu_and_toolbar_are_registered(office_with_extension):
    menubar = office_with_extension.configuration("/org.openoffice.Office.Addons/AddonUI/OfficeMenuBar")
    menu = menubar.getByName("org.roadmapoffice.menubar")
    assert menu.Title == "Дорожная карта" or menu.Title == "Roadmap"
    assert menu.Context == "com.sun.star.sheet.SpreadsheetDocument"
    entries = [menu.Submenu.getByName(name) for name in menu.Submenu.ElementNames]
    urls = [e.URL for e in entries]
    for function in ("check_current_file", "create_templates", "consolidate", "about"):
        assert any(url.endswith(f"${function}?language=Python&location=user:uno_packages") for url in urls)
    toolbar = office_with_extension.configuration("/org.openoffice.Office.Addons/AddonUI/OfficeToolBar")
    bar = toolbar.getByName("org.roadmapoffice.toolbar")
    first = bar.getByName(sorted(bar.ElementNames)[0])
    assert first.URL.split("$")[1].startswith("consolidate?")
    images = office_with_extension.configuration("/org.openoffice.Office.Addons/AddonUI/Images")
    icons = {images.getByName(n).URL.split("$")[1].split("?")[0]:
             images.getByName(n).UserDefinedImages.ImageSmallURL for n in images.ElementNames if "roadmapoffice" in n}
    assert set(icons) == {"consolidate", "check_current_file"}  # the toolbar buttons have icons
    assert all(url.endswith("_16.png") and "uno_packages" in url for url in icons.values())
    states = office_with_extension.configuration("/org.openoffice.Office.UI.CalcWindowState/UIElements/States")
    state = states.getByName("private:resource/toolbar/addon_org.roadmapoffice.toolbar")
    assert state.UIName in ("Дорожная карта", "Roadmap") and state.Docked


def test_check_action(office_with_extension, demo_run):
    sub = demo_run.outdir / "submissions"
    result = json.loads(office_with_extension.script(
        "test_check", str(sub / "Отчёт_S11_МБОУ_Школа_N_11_I_полугодие_2022_г.ods")))
    assert result["school"] == "S11"
    assert {(p["sheet"], p["cell"]) for p in result["problems"]} == {("Мероприятия", "K5"), ("Мероприятия", "H6")}
    assert result["message"].startswith("Замечаний: 2.")
    clean = json.loads(office_with_extension.script(
        "test_check", str(sub / "Отчёт_G02_МБОУ_Гимназия_N_2_I_полугодие_2022_г.ods")))
    assert clean["message"] == "Замечаний нет. Отчёт можно отправлять в департамент образования."
    foreign = json.loads(office_with_extension.script("test_check", str(sub / "Отчёт_школы_17_по_дорожной_карте.xlsx")))
    assert "не является отчётом по дорожной карте" in foreign["message"]


def test_check_selects_the_first_bad_cell_and_keeps_no_copy(office_with_extension, demo_run):
    path = demo_run.outdir / "submissions" / "Отчёт_L03_МБОУ_Лицей_N_3_I_полугодие_2022_г.xlsx"
    result = json.loads(office_with_extension.script("test_check_document", str(path)))
    assert result["selected"] == "Мероприятия.H5"
    assert result["selection"] == [7, 4]  # column H (the date), row 5 (0-based)
    assert result["temporary_left"] == []  # the school's data copied for the check is gone


def test_check_of_an_unfilled_template_names_the_empty_statuses(office_with_extension, demo_run):
    path = demo_run.outdir / "templates" / "Отчёт_S10_МБОУ_Школа_N_10_I_полугодие_2022_г.ods"
    result = json.loads(office_with_extension.script("test_check_document", str(path)))
    assert result["message"].startswith("Замечаний: 52.")
    assert result["message"].count("\n• ") == 52  # every remark: the window shows them in a field that scrolls
    assert "не указан статус мероприятия 1.1;" in result["message"]
    assert result["selected"] == "Мероприятия.F5"


def test_create_templates_action(office_with_extension, demo_run, tmp_path):
    result = json.loads(office_with_extension.script("test_create_templates", str(demo_run.master),
                                                     str(tmp_path / "templates")))
    assert len(result["files"]) == 26  # 12 schools + a blank, ODS and XLSX
    assert (tmp_path / "templates" / "Отчёт_S10_МБОУ_Школа_N_10_I_полугодие_2022_г.xlsx").is_file()


@pytest.fixture()
def folder_with_a_damaged_file(demo_run, tmp_path):
    folder = tmp_path / "in"
    shutil.copytree(demo_run.outdir / "submissions", folder)
    good = folder / "Отчёт_G02_МБОУ_Гимназия_N_2_I_полугодие_2022_г.ods"
    (folder / "Отчёт_повреждённый.ods").write_bytes(good.read_bytes()[:4000])  # cut short in transfer
    return folder


def _master_copy(demo_run, tmp_path):
    """The demo master in a folder of its own: the macro keeps the history beside the master."""
    return shutil.copy(demo_run.master, tmp_path / "master.ods")


def test_consolidate_action(office_with_extension, demo_run, folder_with_a_damaged_file, tmp_path):
    (folder_with_a_damaged_file / "Отчёт_S17.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    (folder_with_a_damaged_file / "Thumbs.db").write_bytes(b"x")
    result = json.loads(office_with_extension.script(
        "test_consolidate_document", str(_master_copy(demo_run, tmp_path)), str(folder_with_a_damaged_file),
        str(tmp_path / "out")))
    assert (tmp_path / "history.sqlite").is_file()
    assert result["asked"] == ["2022-06-30"]  # the end of the passed reporting period is offered
    assert sorted(p.rsplit("/", 1)[1] for p in result["outputs"]) == [
        "Свод_по_дорожной_карте.ods", "Свод_по_дорожной_карте.xlsx", "Сводный_отчёт.odt"]
    assert [(url.rsplit("/", 1)[1], modified) for url, modified in result["opened"]] == [
        ("%D0%A1%D0%B2%D0%BE%D0%B4_%D0%BF%D0%BE_%D0%B4%D0%BE%D1%80%D0%BE%D0%B6%D0%BD%D0%BE%D0%B9_%D0%BA%D0%B0"
         "%D1%80%D1%82%D0%B5.ods", False),
        ("%D0%A1%D0%B2%D0%BE%D0%B4%D0%BD%D1%8B%D0%B9_%D0%BE%D1%82%D1%87%D1%91%D1%82.odt", False)]
    assert result["report_first_line"] == "СВОДНЫЙ ОТЧЁТ"
    summary = result["summary"]
    assert (summary["schools_submitted"], summary["records"], summary["problems"], summary["overdue"]) == (
        11, 549, 10, 49)
    assert "«Отчёт_повреждённый.ods»" in result["message"] and "Не приняты файлы" in result["message"]
    assert "по состоянию на 30.06.2022" in result["message"]
    assert "Не представили отчёт: МБОУ Школа № 17" in result["message"]
    # the same folder policy and the same warnings as the CLI, the warnings first
    assert result["message"].startswith("ВНИМАНИЕ! От МБОУ Школа № 5 (S05) получено несколько файлов")
    assert "«Отчёт_S17.xls»: файл в старом формате Excel 97–2003 (XLS)" in result["message"]
    assert "Пропущены служебные файлы: «Thumbs.db»." in result["message"]


def test_consolidate_action_writes_the_schools_letters(office_with_extension, demo_run, tmp_path):
    """The dialog's «Подготовить письма школам»: one .eml per school in «Письма» beside the results."""
    result = json.loads(office_with_extension.script(
        "test_consolidate_document", str(_master_copy(demo_run, tmp_path)), str(demo_run.outdir / "submissions"),
        str(tmp_path / "out"), "", "yes"))
    letters = sorted((tmp_path / "out" / "Письма").iterdir())
    assert sorted(p.rsplit("/", 1)[1] for p in result["letters"]) == [p.name for p in letters]
    assert len(letters) == 12 and all(p.suffix == ".eml" for p in letters)
    assert f"Письма школам (12) — файлы .eml для отправки из почтовой программы:\n{tmp_path / 'out' / 'Письма'}" \
        in result["message"]
    import email
    from email.policy import default

    message = email.message_from_bytes((tmp_path / "out" / "Письма" / "Письмо_L03_МБОУ_Лицей_N_3.eml").read_bytes(),
                                       policy=default)
    assert "ячейка F7: недопустимый статус «сделали»" in message.get_body(("plain",)).get_content()
    assert [p.get_filename() for p in message.iter_attachments()] == ["Письмо_L03_МБОУ_Лицей_N_3.odt"]


def test_consolidate_fills_the_masters_report_template(office_with_extension, demo_run, tmp_path):
    """«Шаблон отчёта» on the master's sheet «Настройки», a path beside the master: the macro fills it,
    and a misspelt field in it is told before anything is written."""
    from odf import opendocument, teletype
    from odf import text as odftext

    from roadmap_office.master import read_master, write_master
    from roadmap_office.rendering.odt_template import field_name
    from roadmap_office.rendering.report import write_report_template

    roadmap = read_master(demo_run.master)
    roadmap.report_template = "бланк/отчёт.odt"
    master = write_master(roadmap, tmp_path / "master.ods")
    template = opendocument.load(str(write_report_template(tmp_path / "исходный.odt")))
    template.getElementsByType(odftext.H)[0].childNodes[0].data = "1. Итоги отчётного периода"
    (tmp_path / "бланк").mkdir()
    template.save(str(tmp_path / "бланк" / "отчёт.odt"))
    result = json.loads(office_with_extension.script(
        "test_consolidate_document", str(master), str(demo_run.outdir / "submissions"), str(tmp_path / "out")))
    report = opendocument.load(str(tmp_path / "out" / "Сводный_отчёт.odt"))
    assert "error" not in result
    assert teletype.extractText(report.text.getElementsByType(odftext.H)[0]) == "1. Итоги отчётного периода"

    for placeholder in template.getElementsByType(odftext.Placeholder):
        if field_name(placeholder) == "Школа: код":
            placeholder.childNodes[0].data = "<Школа: кот>"
    template.save(str(tmp_path / "бланк" / "отчёт.odt"))
    result = json.loads(office_with_extension.script(
        "test_consolidate_document", str(master), str(demo_run.outdir / "submissions"), str(tmp_path / "again")))
    assert "неизвестное поле «<Школа: кот>»" in result["error"]
    assert not (tmp_path / "again").exists()


def test_consolidate_refuses_a_document_that_is_not_a_master_before_asking(office_with_extension, demo_run,
                                                                           tmp_path):
    school_file = demo_run.outdir / "submissions" / "Отчёт_G02_МБОУ_Гимназия_N_2_I_полугодие_2022_г.ods"
    result = json.loads(office_with_extension.script(
        "test_consolidate_document", str(school_file), str(demo_run.outdir / "submissions"), str(tmp_path / "out")))
    assert result["asked"] == []  # no dialog was shown
    assert "это не мастер-книга дорожной карты" in result["error"]
    assert not (tmp_path / "out").exists()


def test_rerun_replaces_the_open_results_instead_of_duplicating(office_with_extension, demo_run, tmp_path):
    counts = json.loads(office_with_extension.script(
        "test_rerun_with_results_open", str(_master_copy(demo_run, tmp_path)), str(demo_run.outdir / "submissions"),
        str(tmp_path / "out")))
    assert counts == {"Свод_по_дорожной_карте.ods": 1, "Сводный_отчёт.odt": 1}


def test_internal_error_is_told_politely_and_logged(office_with_extension):
    result = json.loads(office_with_extension.script("test_internal_error"))
    (shown,) = result["shown"]
    assert shown.startswith("Внутренняя ошибка расширения «Дорожная карта»: действие не выполнено")
    assert "Traceback" not in shown and "KeyError" not in shown and result["log"] in shown
    with open(result["log"], encoding="utf-8") as log:
        assert "KeyError: 'nothing'" in log.read()


def test_the_dialog_lists_other_files_as_not_reports_and_never_the_master(office_with_extension, demo_run, tmp_path):
    """No submissions folder: the master's own folder is offered; the master and a .docx are listed
    as not reports (a lock file not at all) and only the schools' files are read."""
    shutil.copytree(demo_run.outdir / "submissions", tmp_path / "папка")
    master = shutil.copy(demo_run.master, tmp_path / "папка" / "master.ods")
    (tmp_path / "папка" / "Письмо в школы.docx").write_bytes(b"PK\x03\x04 not a report")
    (tmp_path / "папка" / ".~lock.Отчёт_G02.ods#").write_text("lock", encoding="utf-8")  # a school file open
    result = json.loads(office_with_extension.script(
        "test_consolidate_document", str(master), str(tmp_path / "папка"), str(tmp_path / "out")))
    listed = result["listed"]
    assert "master.ods — мастер-книга, не отчёт школы" in listed
    assert "Письмо в школы.docx — текстовый документ не является отчётом; заполните шаблон отчёта (ODS или XLSX), " \
           "полученный от органа управления образованием" in listed
    schools = len(list((demo_run.outdir / "submissions").iterdir()))
    assert not [line for line in listed if "lock" in line] and len(listed) == schools + 2
    assert "master.ods" not in json.dumps(result["summary"]["files_rejected"], ensure_ascii=False)
    assert result["summary"]["schools_submitted"] == 11


def test_an_as_of_outside_the_period_is_refused_before_anything_runs(office_with_extension, demo_run, tmp_path):
    master = _master_copy(demo_run, tmp_path)
    result = json.loads(office_with_extension.script(
        "test_consolidate_document", str(master), str(demo_run.outdir / "submissions"), str(tmp_path / "out"),
        "31.12.2200"))
    assert result["problem"].startswith("Дата «31.12.2200», на которую составляется свод, не относится к отчётному "
                                        "периоду «I полугодие 2022 г.»")
    assert not (tmp_path / "out").exists() and not (tmp_path / "history.sqlite").exists()


def test_the_history_file_is_the_masters_setting_and_the_dialogs(office_with_extension, demo_run, tmp_path):
    """The demo's second period, in its own folder, names the store of both («../history.sqlite»):
    its report has the dynamics; a file chosen in the dialog becomes the master's setting."""
    shutil.copy(demo_run.history, tmp_path / "history.sqlite")
    (tmp_path / "II").mkdir()
    second = shutil.copy(demo_run.second.master, tmp_path / "II" / "master.ods")
    result = json.loads(office_with_extension.script(
        "test_consolidate_document", str(second), str(demo_run.second.outdir / "submissions"), str(tmp_path / "out")))
    assert result["history"] == str(tmp_path / "history.sqlite")
    assert result["history_periods"] == ["I полугодие 2022 г.", "II полугодие 2022 г."]
    assert ["Файл истории", "../history.sqlite"] in result["settings"]
    (tmp_path / "другая").mkdir()
    chosen = tmp_path / "другая" / "история.sqlite"
    result = json.loads(office_with_extension.script(
        "test_consolidate_document", str(second), str(demo_run.second.outdir / "submissions"), str(tmp_path / "out"),
        "", "", str(chosen)))
    assert chosen.is_file() and result["history_periods"] == ["II полугодие 2022 г."]
    assert ["Файл истории", "../другая/история.sqlite"] in result["settings"]
