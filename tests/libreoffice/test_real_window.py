"""The extension in the full LibreOffice Calc, in real windows with the Russian interface, driven
from the keyboard as a person drives it: the «Дорожная карта» menu, the folder picker, the
consolidation dialog and the message boxes. Screenshots of every step are kept as artefacts
(artifacts/real-window/ in the project, or $ROADMAP_OFFICE_ARTIFACTS).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from roadmap_office.extension import build_oxt
from roadmap_office.office import Office

from .screen import Screen, ScreenError

pytestmark = [pytest.mark.libreoffice, pytest.mark.gui]

ARTIFACTS = Path(os.environ.get("ROADMAP_OFFICE_ARTIFACTS", Path(__file__).parents[2] / "artifacts")) / "real-window"
MENU = ["Проверить этот файл", "Создать шаблоны…", "Консолидировать…"]
BOX = "Дорожная карта"  # the title of the extension's message boxes


@pytest.fixture(scope="module")
def screen():
    if not Screen.available():
        pytest.skip("Xvfb and xdotool are needed (scripts/setup.sh --dev installs them)")
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    with Screen(ARTIFACTS) as running:
        yield running


@pytest.fixture(scope="module")
def calc(screen, tmp_path_factory):
    """The full Calc on the virtual screen, Russian interface, a private profile, the .oxt installed."""
    oxt = build_oxt(tmp_path_factory.mktemp("oxt"))
    with Office(env=screen.env, headless=False, ui_language="ru", start_timeout=120) as office:
        office.install_extension(oxt)
        yield office


@pytest.fixture(scope="module")
def desk(demo_run):
    """A district specialist's folder: the master, a folder for templates, the schools' files with
    a damaged one among them, and one school's report with mistakes. (A short path: it is typed.)"""
    work = Path(tempfile.mkdtemp(prefix="district-"))
    yield from _filled(work, demo_run)
    shutil.rmtree(work, ignore_errors=True)


def _filled(work: Path, demo_run):
    shutil.copy(demo_run.master, work / "master.ods")
    (work / "templates").mkdir()
    shutil.copytree(demo_run.outdir / "submissions", work / "submissions")
    good = work / "submissions" / "Отчёт_G02_МБОУ_Гимназия_N_2_I_полугодие_2022_г.ods"
    (work / "submissions" / "Отчёт_повреждённый.ods").write_bytes(good.read_bytes()[:5000])
    shutil.copy(demo_run.outdir / "submissions" / "Отчёт_L03_МБОУ_Лицей_N_3_I_полугодие_2022_г.xlsx",
                work / "school-L03.xlsx")
    yield work


def _open(calc, screen, path: Path):
    """Open a document in a window of its own, full screen, with the keyboard."""
    document = calc.open(path, read_only=False)
    window = screen.wait_window(path.name)
    document.CurrentController.Frame.ContainerWindow.setPosSize(0, 0, 1400, 900, 15)
    screen.focus(window)
    return document, window


def _menu(screen, window: str, entry: str, shot: str | None = None) -> dict[str, str]:
    """Choose an entry of «Дорожная карта» from the keyboard: F10, to the tenth menu, down.
    The entry is chosen only once the menu is seen open (a new window); otherwise try again."""
    for attempt in range(3):
        screen.focus(window)
        before = screen.visible()
        screen.keys("F10", *["Right"] * 9, "Down")  # add-on menus stand before «Окно»
        try:
            screen.wait(lambda: set(screen.visible()) - set(before), "the menu to open", timeout=8)
            break
        except ScreenError:
            screen.keys("Escape", "Escape", "Escape")
    if shot:
        screen.shot(shot)
    screen.keys(*["Down"] * MENU.index(entry), "Return")
    return before


def _box_text(calc) -> str:
    """What the message box on screen says, read through its accessibility tree."""
    toolkit = calc.service("com.sun.star.awt.Toolkit")
    window = toolkit.getActiveTopWindow()
    texts = []

    def walk(context, depth=0):
        if context is None or depth > 6:
            return
        name = context.getAccessibleName()
        if name:
            texts.append(name)
        if hasattr(context, "getText"):
            texts.append(context.getText())
        for n in range(context.getAccessibleChildCount()):
            child = context.getAccessibleChild(n)
            walk(child.getAccessibleContext() if child else None, depth + 1)

    if window is not None and hasattr(window, "getAccessibleContext"):
        walk(window.getAccessibleContext())
    return "\n".join(texts)


def _close_box(screen, box: str) -> None:
    screen.focus(box)
    screen.keys("Return")
    screen.wait_closed(box)


def test_templates_written_from_the_menu(calc, screen, desk):
    master, window = _open(calc, screen, desk / "master.ods")
    before = _menu(screen, window, "Создать шаблоны…", shot="menu")
    picker = screen.wait_new_window(before, title="Папка для шаблонов")
    screen.shot("templates-folder")
    screen.keys("ctrl+a")  # the path field has the keyboard; it starts beside the master
    screen.type(str(desk / "templates"))
    screen.keys("Return")
    screen.wait_closed(picker)
    box = screen.wait_new_window(before, title=BOX, timeout=120)
    screen.shot("templates-done")
    assert "Создано шаблонов: 26" in _box_text(calc)
    _close_box(screen, box)
    written = sorted(p.name for p in (desk / "templates").iterdir())
    assert len(written) == 26 and "Отчёт_S10_МБОУ_Школа_N_10_I_полугодие_2022_г.xlsx" in written
    assert not master.isModified()


def test_check_shows_the_mistakes_and_selects_the_first_bad_cell(calc, screen, desk):
    document, window = _open(calc, screen, desk / "school-L03.xlsx")
    try:
        before = _menu(screen, window, "Проверить этот файл")
        box = screen.wait_new_window(before, title=BOX, timeout=120)
        screen.shot("check-findings")
        text = _box_text(calc)
        assert "Замечаний: 2." in text and "недопустимый статус «сделали»" in text
        _close_box(screen, box)
        selection = document.CurrentController.Selection
        assert selection.Spreadsheet.Name == "Мероприятия"
        address = selection.getCellAddress()
        assert (address.Column, address.Row) == (7, 4)  # H5: the date outside the roadmap's period
        screen.shot("check-selected")
        screen.focus(window)
        screen.keys("Left", "Left", "alt+Down")  # the status, left of «Контроль»: its dropdown list
        screen.shot("check-dropdown")
        screen.keys("Escape")
    finally:
        document.close(True)


def test_consolidation_dialog_writes_outputs_and_names_the_damaged_file(calc, screen, desk):
    master = next(c for c in _components(calc) if c.getURL().endswith("/master.ods"))
    window = screen.wait_window("master.ods")
    before = _menu(screen, window, "Консолидировать…")
    dialog = screen.wait_new_window(before, title="Свод отчётов школ")
    screen.keys("Tab", "ctrl+a")  # the date field first (the end of the period offered), then the folder
    screen.type(str(desk / "submissions"))
    screen.keys("Tab", "Tab", "Tab", "ctrl+a")  # «Обзор…», the list of files, the output folder
    screen.type(str(desk / "out"))
    screen.shot("consolidate-dialog")
    screen.keys("Return")  # «Консолидировать» is the default button
    screen.wait_closed(dialog)
    box = screen.wait_new_window({**before, dialog: ""}, title=BOX, timeout=300)
    screen.shot("consolidate-done")
    text = _box_text(calc)
    _close_box(screen, box)
    screen.wait_window("Сводный_отчёт.odt", timeout=120)  # the results open once the summary is read
    screen.wait_window("Свод_по_дорожной_карте.ods", timeout=120)
    out = desk / "out"
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".~lock")) == [
        "Свод_по_дорожной_карте.ods", "Свод_по_дорожной_карте.xlsx", "Сводный_отчёт.odt"]
    assert "по состоянию на 30.06.2022" in text and "Представили отчёт: 11 из 12" in text
    assert "«Отчёт_повреждённый.ods»" in text
    opened = {c.getURL().rsplit("/", 1)[1]: c for c in _components(calc) if "/out/" in c.getURL()}
    assert len(opened) == 2  # the workbook and the report, beside each other
    for document in opened.values():
        assert not document.isModified()
    report = next(d for name, d in opened.items() if name.endswith(".odt"))
    assert "Данные по состоянию на 30.06.2022." in report.Text.String
    screen.shot("consolidate-opened")
    assert not master.isModified()


def _components(calc):
    found = []
    enumeration = calc.desktop.getComponents().createEnumeration()
    while enumeration.hasMoreElements():
        component = enumeration.nextElement()
        if hasattr(component, "getURL"):
            found.append(component)
    return found
