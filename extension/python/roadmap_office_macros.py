"""The «Дорожная карта» menu of LibreOffice Calc: thin macros over the roadmap_office library.

This file runs inside LibreOffice's own Python. Everything it needs beyond the standard library
travels in ``pythonpath/`` beside it (the library and its pure-Python dependencies). Every
action shows Russian messages; errors never surface as a traceback.

The ``test_*`` entry points run the same code with paths instead of dialogs: headless
LibreOffice has no dialogs, and tests call them through the script provider.
"""

import json
import os
import sys
import tempfile
import traceback
from datetime import date

import uno
import unohelper  # noqa: F401  (keeps pyuno's helpers loaded for the script provider)

TITLE = "Дорожная карта"


def _prefer_bundled_packages():
    """LibreOffice appends our pythonpath/ to sys.path; put it first so that the bundled
    versions win over older system packages of the same name."""
    for entry in list(sys.path):
        if entry.rstrip("/\\").endswith("pythonpath") and os.path.isdir(os.path.join(entry, "roadmap_office")):
            sys.path.remove(entry)
            sys.path.insert(0, entry)


_prefer_bundled_packages()


class UserError(Exception):
    """A problem the user can fix; shown as a message, never as a traceback."""


def _library():
    try:
        import roadmap_office  # noqa: F401
        from roadmap_office import pipeline  # noqa: F401
    except ImportError as exc:
        raise UserError("Не удалось загрузить компонент расширения «%s». Переустановите расширение "
                        "«Дорожная карта» (Сервис → Управление расширениями)." % getattr(exc, "name", exc)) from None
    import roadmap_office

    return roadmap_office


# ---- LibreOffice helpers ---------------------------------------------------------------------


def _context():
    return XSCRIPTCONTEXT.getComponentContext()  # noqa: F821  (injected by LibreOffice)


def _desktop():
    return XSCRIPTCONTEXT.getDesktop()  # noqa: F821


def _service(name):
    ctx = _context()
    return ctx.ServiceManager.createInstanceWithContext(name, ctx)


def _props(**values):
    result = []
    for name, value in values.items():
        prop = uno.createUnoStruct("com.sun.star.beans.PropertyValue")
        prop.Name, prop.Value = name, value
        result.append(prop)
    return tuple(result)


def _window():
    frame = _desktop().getCurrentFrame()
    return frame.getContainerWindow() if frame else None


def _message(text, kind="infobox", buttons=1):
    """Show a message box; returns the button pressed (1 = OK/Yes, 3 = No). Headless: logs."""
    window = _window()
    if window is None:
        sys.stderr.write(text + "\n")
        return 1
    toolkit = _service("com.sun.star.awt.Toolkit")
    box_type = uno.Enum("com.sun.star.awt.MessageBoxType",
                        {"infobox": "INFOBOX", "error": "ERRORBOX", "query": "QUERYBOX", "warning": "WARNINGBOX"}[kind])
    box = toolkit.createMessageBox(window, box_type, buttons, TITLE, text)
    try:
        return box.execute()
    finally:
        box.dispose()


def _ask(text):
    return _message(text, "query", buttons=uno.getConstantByName(
        "com.sun.star.awt.MessageBoxButtons.BUTTONS_YES_NO")) == 2  # 2 = YES


def _pick_folder(title):
    picker = _service("com.sun.star.ui.dialogs.FolderPicker")
    picker.setTitle(title)
    if picker.execute() != 1:
        return None
    return uno.fileUrlToSystemPath(picker.getDirectory())


def _document_path(document, what):
    """The saved file of a document; library results must match the file on disk."""
    url = document.getURL()
    if not url:
        raise UserError("Сохраните %s в файл (ODS или XLSX), затем повторите действие." % what)
    if document.isModified():
        raise UserError("В %s есть несохранённые изменения. Сохраните файл, затем повторите действие." % what)
    return uno.fileUrlToSystemPath(url)


def _snapshot(document):
    """The document as it is now, unsaved changes included, in a temporary ODS file."""
    folder = tempfile.mkdtemp(prefix="roadmap-office-")
    path = os.path.join(folder, "проверка.ods")
    document.storeToURL(uno.systemPathToFileUrl(path), _props(FilterName="calc8"))
    return path


def _select(document, sheet_name, cell):
    controller = document.getCurrentController()
    sheets = document.getSheets()
    if not controller or not sheet_name or not cell or not sheets.hasByName(sheet_name):
        return ""
    sheet = sheets.getByName(sheet_name)
    controller.setActiveSheet(sheet)
    target = sheet.getCellRangeByName(cell)
    controller.select(target)
    return "%s.%s" % (sheet_name, cell)


class _Status:
    """Progress in the status bar of the document's window."""

    def __init__(self, document, text, total):
        self.indicator = None
        controller = document.getCurrentController() if document else None
        frame = controller.getFrame() if controller else None
        if frame is not None:
            self.indicator = frame.createStatusIndicator()
            self.indicator.start(text, max(total, 1))

    def __call__(self, n, total, name):
        if self.indicator is not None:
            self.indicator.setText("Проверка отчётов: %d из %d — %s" % (n, total, name))
            self.indicator.setValue(n)

    def end(self):
        if self.indicator is not None:
            self.indicator.end()


def _guarded(action):
    """Run an action; user errors become a message box, anything else a short report."""
    try:
        return action()
    except UserError as exc:
        _message(str(exc), "error")
    except Exception as exc:  # the last line of defence: no traceback dialogs for users
        roadmap_office = sys.modules.get("roadmap_office")
        if roadmap_office and isinstance(exc, roadmap_office.RoadmapError):
            _message("Ошибка: %s" % exc, "error")
        else:
            _message("Непредвиденная ошибка: %s\n\n%s" % (exc, traceback.format_exc(limit=3)), "error")
    return None


# ---- the actions (shared by menu entries and test entry points) ------------------------------------


def _check(path, shown_name):
    _library()
    from roadmap_office.pipeline import check_one

    result = check_one(path)
    lines = []
    if result.rejected:
        text = "Файл «%s» не является отчётом по дорожной карте или повреждён:\n%s" % (shown_name, result.rejected)
    elif result.findings:
        for finding in result.findings[:25]:
            lines.append("• " + str(finding))
        more = len(result.findings) - 25
        text = "Замечаний: %d. Исправьте их перед отправкой:\n\n%s%s" % (
            len(result.findings), "\n".join(lines), "\n… и ещё %d" % more if more > 0 else "")
    else:
        text = "Замечаний нет. Отчёт можно отправлять в департамент образования."
    first = next((f for f in result.findings if f.cell), None)
    return result, text, first


def _make_templates(master_path, folder, ask_overwrite):
    _library()
    from roadmap_office.forms import generate_templates
    from roadmap_office.master import read_master

    roadmap = read_master(master_path)
    existing = [n for n in os.listdir(folder) if n.startswith("Отчёт_")] if os.path.isdir(folder) else []
    if existing and not ask_overwrite("В папке уже есть шаблоны (%d). Заменить их?" % len(existing)):
        return None
    paths = generate_templates(master_path, folder)
    return roadmap, paths


def _consolidate(master_path, folder, outdir, progress, ask_overwrite):
    _library()
    from roadmap_office.pipeline import collect_inputs, run_consolidation

    if not collect_inputs([folder]):
        raise UserError("В папке «%s» нет отчётов школ (файлов ODS или XLSX)." % folder)
    if os.path.isdir(outdir) and os.listdir(outdir):
        if not ask_overwrite("Папка «%s» уже содержит результаты свода. Заменить их?" % outdir):
            return None
    return run_consolidation(master_path, [folder], outdir, ("xlsx", "ods", "odt"), jobs=1, progress=progress)


def _summary_text(result):
    c = result.consolidation
    submitted = sum(1 for s in c.schools if s.submitted)
    pct = "—" if c.completion_pct is None else ("%.1f" % c.completion_pct).replace(".", ",")
    text = ("Свод выполнен на %s.\nПредставили отчёт: %d из %d; выполнение мероприятий: %s %%; "
            "просрочено: %d; замечаний к файлам: %d; не принято файлов: %d.\n\nРезультаты:\n%s" % (
                c.as_of.strftime("%d.%m.%Y"), submitted, len(c.schools), pct, c.overdue, len(c.findings),
                len(c.rejected), "\n".join(str(p) for p in result.outputs)))
    if c.missing:
        text += "\n\nНе представили отчёт: " + ", ".join(s.name for s in c.missing)
    return text


# ---- menu entries ---------------------------------------------------------------------------


def check_current_file(*args):
    """«Проверить этот файл»: for schools, before sending."""
    def action():
        document = XSCRIPTCONTEXT.getDocument()  # noqa: F821
        if document is None or not document.supportsService("com.sun.star.sheet.SpreadsheetDocument"):
            raise UserError("Откройте заполненный отчёт школы в LibreOffice Calc.")
        result, text, first = _check(_snapshot(document), document.getTitle())
        if first is not None:
            _select(document, first.sheet, first.cell)
        _message(text, "warning" if result.findings or result.rejected else "infobox")
    _guarded(action)


def create_templates(*args):
    """«Создать шаблоны…» from the open master workbook."""
    def action():
        document = XSCRIPTCONTEXT.getDocument()  # noqa: F821
        master = _document_path(document, "мастер-книгу")
        folder = _pick_folder("Папка для шаблонов отчётов школ")
        if not folder:
            return
        made = _make_templates(master, folder, _ask)
        if made:
            roadmap, paths = made
            _message("Создано шаблонов: %d (школ: %d, форматы ODS и XLSX, а также бланк)\nв папке %s" % (
                len(paths), len(roadmap.schools), folder))
    _guarded(action)


def consolidate(*args):
    """«Консолидировать…»: all submissions of a folder into the workbook and the report."""
    def action():
        document = XSCRIPTCONTEXT.getDocument()  # noqa: F821
        master = _document_path(document, "мастер-книгу")
        folder = _pick_folder("Папка с отчётами школ")
        if not folder:
            return
        outdir = os.path.join(folder, "Свод_%s" % date.today().isoformat())
        status = _Status(document, "Свод отчётов", len(os.listdir(folder)))
        try:
            result = _consolidate(master, folder, outdir, status, _ask)
        finally:
            status.end()
        if result is None:
            return
        report = next((p for p in result.outputs if str(p).endswith(".odt")), None)
        if report is not None:
            _desktop().loadComponentFromURL(uno.systemPathToFileUrl(str(report)), "_blank", 0, ())
        _message(_summary_text(result))
    _guarded(action)


def about(*args):
    def action():
        roadmap_office = _library()
        _message("Дорожная карта — расширение roadmap-office, версия %s.\n\nПроверка отчётов школ, "
                 "создание шаблонов и свод отчётов по дорожной карте муниципальной системы образования.\n"
                 "Python %s" % (roadmap_office.__version__, sys.version.split()[0]))
    _guarded(action)


# ---- test entry points: the same work, paths instead of dialogs ---------------------------------------


def test_check(path, *args):
    result, text, first = _check(path, os.path.basename(path))
    return json.dumps({"school": result.school, "rejected": result.rejected, "message": text,
                       "problems": [f.to_json() for f in result.findings],
                       "first": [first.sheet, first.cell] if first else None}, ensure_ascii=False)


def test_check_document(path, *args):
    """Open a report hidden, check it like the menu entry does, and select the first bad cell."""
    document = _desktop().loadComponentFromURL(uno.systemPathToFileUrl(path), "_blank", 0, _props(Hidden=True))
    try:
        result, text, first = _check(_snapshot(document), document.getTitle())
        selected = _select(document, first.sheet, first.cell) if first else ""
        selection = document.getCurrentController().getSelection()
        address = selection.getCellAddress() if hasattr(selection, "getCellAddress") else None
        return json.dumps({"selected": selected, "message": text,
                           "selection": [address.Column, address.Row] if address else None}, ensure_ascii=False)
    finally:
        document.close(True)


def test_create_templates(master, folder, *args):
    made = _make_templates(master, folder, lambda question: True)
    return json.dumps({"files": [str(p) for p in made[1]]}, ensure_ascii=False)


def test_consolidate(master, folder, outdir, *args):
    result = _consolidate(master, folder, outdir, None, lambda question: True)
    report = next(p for p in result.outputs if str(p).endswith(".odt"))
    opened = _desktop().loadComponentFromURL(uno.systemPathToFileUrl(str(report)), "_blank", 0, _props(Hidden=True))
    try:
        first_line = opened.getText().getString().split("\n")[0]
    finally:
        opened.close(True)
    return json.dumps({"outputs": [str(p) for p in result.outputs], "report_first_line": first_line,
                       "summary": result.consolidation.summary_json(), "message": _summary_text(result)},
                      ensure_ascii=False)


def test_environment(*args):
    """What the macros see: where the library came from and which optional speed-ups are absent."""
    roadmap_office = _library()
    missing = []
    for name in ("lxml", "python_calamine", "click"):
        try:
            __import__(name)
        except ImportError:
            missing.append(name)
    return json.dumps({"version": roadmap_office.__version__, "library": roadmap_office.__file__,
                       "python": sys.version.split()[0], "missing_optional": missing}, ensure_ascii=False)


g_exportedScripts = (check_current_file, create_templates, consolidate, about, test_check, test_check_document,
                     test_create_templates, test_consolidate, test_environment)
