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
    """The full Calc on the virtual screen, Russian interface, a fresh profile: the .oxt installed,
    then LibreOffice started again — the first start after the installation, as a user has it."""
    oxt = build_oxt(tmp_path_factory.mktemp("oxt"))
    profile = tmp_path_factory.mktemp("profile")
    with Office(env=screen.env, ui_language="ru", profile=profile) as installer:
        installer.install_extension(oxt)
    with Office(env=screen.env, headless=False, ui_language="ru", start_timeout=120, profile=profile) as office:
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


TOOLBAR = "private:resource/toolbar/addon_org.roadmapoffice.toolbar"


def _accessible(context, role, name, depth=0):
    """The first accessible element of ``role`` named ``name`` under ``context``; the sheet's
    grid (a million cells) is not walked."""
    if context is None or depth > 8:
        return None
    if context.getAccessibleRole() == role and context.getAccessibleName() == name:
        return context
    if context.getAccessibleChildCount() > 200:
        return None
    for n in range(context.getAccessibleChildCount()):
        child = context.getAccessibleChild(n)
        found = _accessible(child.getAccessibleContext() if child else None, role, name, depth + 1)
        if found is not None:
            return found
    return None


def test_the_toolbar_is_on_screen_at_the_first_start(calc, screen, desk):
    """Not only registered: on the screen, with its two buttons drawn where the toolbar is."""
    from PIL import Image

    document, window = _open(calc, screen, desk / "master.ods")
    assert document.CurrentController.Frame.LayoutManager.isElementVisible(TOOLBAR)
    frame_window = document.CurrentController.Frame.ContainerWindow
    import uno

    tool_bar = uno.getConstantByName("com.sun.star.accessibility.AccessibleRole.TOOL_BAR")
    bar = _accessible(frame_window.getAccessibleContext(), tool_bar, "Дорожная карта")
    assert bar is not None, "no toolbar «Дорожная карта» in the window"
    buttons = [bar.getAccessibleChild(n).getAccessibleContext().getAccessibleName()
               for n in range(bar.getAccessibleChildCount())]
    assert buttons == ["Консолидировать", "Проверить"]
    place, size = bar.getLocationOnScreen(), bar.getSize()
    assert size.Width >= 2 * 16 and size.Height >= 16 and place.X >= 0 and place.Y >= 0
    shot = screen.shot("toolbar")
    image = Image.open(shot).convert("RGB").crop((place.X, place.Y, place.X + size.Width, place.Y + size.Height))
    image.save(shot.with_name(shot.stem + "-crop.png"))
    colours = [colour for _, colour in image.getcolors(maxcolors=100000) or ()]
    # the icons are drawn there: the blue sheet of «Консолидировать» and the green tick of «Проверить»
    assert any(b > 120 and r < 80 and g < 120 for r, g, b in colours), "no blue of the consolidate icon"
    assert any(g > 100 and r < 80 and b < 100 for r, g, b in colours), "no green of the check icon"


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


def test_a_date_outside_the_period_is_told_before_anything_runs(calc, screen, desk):
    """31.12.2200 (what typing after the old date used to give): a Russian warning, the dialog
    again, nothing written and no history row."""
    window = screen.wait_window("master.ods")
    before = _menu(screen, window, "Консолидировать…")
    dialog = screen.wait_new_window(before, title="Свод отчётов школ")
    screen.type("31.12.2200")  # the date field has the focus, its text selected
    screen.keys("Tab", "ctrl+a")
    screen.type(str(desk / "submissions"))
    screen.keys("Return")
    box = screen.wait_new_window({**before, dialog: ""}, title=BOX, timeout=60)
    screen.shot("as-of-refused")
    text = _box_text(calc)
    assert "Дата «31.12.2200», на которую составляется свод, не относится к отчётному периоду" in text
    _close_box(screen, box)
    again = screen.wait_window("Свод отчётов школ")
    screen.keys("Escape")
    screen.wait_closed(again)
    assert not (desk / "Свод").exists() and not (desk / "history.sqlite").exists()


def test_consolidation_dialog_writes_outputs_and_names_the_damaged_file(calc, screen, desk):
    master = next(c for c in _components(calc) if c.getURL().endswith("/master.ods"))
    window = screen.wait_window("master.ods")
    before = _menu(screen, window, "Консолидировать…")
    dialog = screen.wait_new_window(before, title="Свод отчётов школ")
    screen.type("31.05.2022")  # typed over the date offered (30.06.2022): its text is selected on focus
    screen.keys("Tab", "ctrl+a")  # then the folder
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
    assert "по состоянию на 31.05.2022" in text and "Представили отчёт: 11 из 12" in text
    assert "«Отчёт_повреждённый.ods»" in text
    opened = {c.getURL().rsplit("/", 1)[1]: c for c in _components(calc) if "/out/" in c.getURL()}
    assert len(opened) == 2  # the workbook and the report, beside each other
    for document in opened.values():
        assert not document.isModified()
    report = next(d for name, d in opened.items() if name.endswith(".odt"))
    assert "Данные по состоянию на 31.05.2022." in report.Text.String
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


def test_a_long_check_fits_the_screen_and_shows_every_remark(calc, screen, demo_run):
    """An unfilled template: 52 remarks. The window fits a 768-pixel screen, and its field scrolls
    (the text it holds, every remark, is checked through the macro in test_extension.py)."""
    path = demo_run.outdir / "templates" / "Отчёт_S10_МБОУ_Школа_N_10_I_полугодие_2022_г.ods"
    document, window = _open(calc, screen, path)
    box = None
    try:
        before = _menu(screen, window, "Проверить этот файл")
        box = screen.wait_new_window(before, title=BOX, timeout=120)
        screen.shot("check-long")
        geometry = dict(line.strip().split(": ", 1) for line in screen.xdotool("getwindowgeometry", box).splitlines()
                        if ": " in line)
        assert int(geometry["Geometry"].split("x")[1]) <= 700  # a 768-pixel screen has a panel and a title bar too
        text = _box_text(calc)
        assert "Замечаний: 52. Исправьте их перед отправкой:" in text and "Вертикальная полоса прокрутки" in text
    finally:
        if box is not None:
            _close_box(screen, box)
        document.close(True)
