"""The «Дорожная карта» menu of LibreOffice Calc: thin macros over the roadmap_office library.

This file runs inside LibreOffice's own Python. Everything it needs beyond the standard library
travels in ``pythonpath/`` beside it (the library and its pure-Python dependencies). Every
action shows Russian messages; errors never surface as a traceback.

The ``test_*`` entry points run the same code with paths instead of dialogs: headless
LibreOffice has no dialogs, and tests call them through the script provider.
"""

import json
import os
import shutil
import sys
import tempfile
import traceback
from contextlib import contextmanager
from datetime import date, datetime

import uno
import unohelper
from com.sun.star.awt import XActionListener, XFocusListener, XTextListener

TITLE = "Дорожная карта"
SETTINGS_FILE = "roadmap-office.json"  # in the profile's config folder: folders chosen last time
LOG_FILE = "roadmap-office.log"  # in the profile: details of internal errors
LETTERS_FOLDER = "Письма"  # in the output folder: one .eml per school when letters are asked for


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


def _to_path(url):
    """A file URL as this system's path (drive letters and \\\\server\\share folders on Windows)."""
    from roadmap_office.locations import url_to_path

    return url_to_path(url)


def _to_url(path):
    from roadmap_office.locations import path_to_url

    return path_to_url(os.path.abspath(path))


def _same_file(url, path):
    """Whether a document's URL names ``path`` (spelled by LibreOffice, compared as paths)."""
    try:
        return os.path.normcase(os.path.abspath(_to_path(url))) == os.path.normcase(os.path.abspath(path))
    except ValueError:  # not a file URL (an unsaved document)
        return False


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


LONG_MESSAGE_LINES = 20  # a message box of more lines outgrows a 768-pixel screen


def _long_message(text):
    """A long text (every remark of a check) in a window of fixed size that fits a 768-pixel
    screen: the first line above, the rest in a read-only field that scrolls, «OK» below."""
    window = _window()
    if window is None:
        sys.stderr.write(text + "\n")
        return
    ctx = _context()
    smgr = ctx.ServiceManager
    model = smgr.createInstanceWithContext("com.sun.star.awt.UnoControlDialogModel", ctx)
    model.Title = TITLE
    model.Width, model.Height = 330, 226  # dialog units: about 660 × 450 pixels
    head, _, rest = text.partition("\n")
    label = model.createInstance("com.sun.star.awt.UnoControlFixedTextModel")
    label.PositionX, label.PositionY, label.Width, label.Height, label.Label = 8, 6, 314, 12, head
    model.insertByName("head", label)
    field = model.createInstance("com.sun.star.awt.UnoControlEditModel")
    field.PositionX, field.PositionY, field.Width, field.Height = 8, 20, 314, 178
    field.MultiLine, field.ReadOnly, field.VScroll, field.Text = True, True, True, rest.strip("\n")
    model.insertByName("remarks", field)
    ok = model.createInstance("com.sun.star.awt.UnoControlButtonModel")
    ok.PositionX, ok.PositionY, ok.Width, ok.Height, ok.Label = 262, 204, 60, 14, "OK"
    _set(ok, "PushButtonType", 1, "short")
    ok.DefaultButton = True
    model.insertByName("ok", ok)
    dialog = smgr.createInstanceWithContext("com.sun.star.awt.UnoControlDialog", ctx)
    dialog.setModel(model)
    dialog.createPeer(_service("com.sun.star.awt.Toolkit"), window)
    try:
        dialog.execute()
    finally:
        dialog.dispose()


def _ask(text):
    return _message(text, "query", buttons=uno.getConstantByName(
        "com.sun.star.awt.MessageBoxButtons.BUTTONS_YES_NO")) == 2  # 2 = YES


def _pick_folder(title, start=None):
    picker = _service("com.sun.star.ui.dialogs.FolderPicker")
    picker.setTitle(title)
    if start and os.path.isdir(start):
        picker.setDisplayDirectory(_to_url(start))
    if picker.execute() != 1:
        return None
    return _to_path(picker.getDirectory())


def _profile_dir():
    """The user's LibreOffice profile folder (…/user), where settings and the log are kept."""
    url = _service("com.sun.star.util.PathSubstitution").substituteVariables("$(user)", True)
    return _to_path(url)


def _load_settings():
    try:
        with open(os.path.join(_profile_dir(), "config", SETTINGS_FILE), encoding="utf-8") as stream:
            data = json.load(stream)
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def _save_settings(data):
    folder = os.path.join(_profile_dir(), "config")
    try:
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, SETTINGS_FILE), "w", encoding="utf-8") as stream:
            json.dump(data, stream, ensure_ascii=False, indent=1)
    except OSError:
        pass  # not remembering the folders is no reason to fail the work


def _log_internal_error():
    """Write the traceback of an unexpected error to a file; returns its path (or "")."""
    try:
        path = os.path.join(_profile_dir(), LOG_FILE)
        with open(path, "a", encoding="utf-8") as stream:
            stream.write("---- %s\n%s\n" % (datetime.now().isoformat(timespec="seconds"), traceback.format_exc()))
        return path
    except Exception:
        return ""


@contextmanager
def _snapshot(document, name="проверка.ods"):
    """The document as it is now, unsaved changes included, in a temporary ODS file that is
    deleted afterwards: no copy of a school's data outlives the action."""
    folder = tempfile.mkdtemp(prefix="roadmap-office-")
    try:
        path = os.path.join(folder, name)
        document.storeToURL(_to_url(path), _props(FilterName="calc8"))
        yield path
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _is_spreadsheet(document):
    return document is not None and document.supportsService("com.sun.star.sheet.SpreadsheetDocument")


def _saved_path(document):
    url = document.getURL()
    return _to_path(url) if url else ""


@contextmanager
def _master_file(document):
    """The open master workbook as a file, read and validated before anything is asked.

    The saved file when it matches what is on screen, otherwise a temporary copy of it.
    Yields (path, roadmap); a document that is not a master raises its Russian reason.
    """
    if not _is_spreadsheet(document):
        raise UserError("Откройте мастер-книгу дорожной карты (файл ODS или XLSX) в LibreOffice Calc, "
                        "затем повторите действие.")
    _library()
    from roadmap_office.master import read_master

    path = _saved_path(document)
    if path and not document.isModified():
        yield path, read_master(path)
        return
    with _snapshot(document, os.path.basename(path) or "мастер-книга.ods") as copy:
        yield copy, read_master(copy)


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
    """Progress in the status bar of the document's window, the window kept responsive."""

    def __init__(self, document, text, total):
        self.indicator = None
        self.toolkit = None
        controller = document.getCurrentController() if document else None
        frame = controller.getFrame() if controller else None
        if frame is not None:
            self.indicator = frame.createStatusIndicator()
            self.indicator.start(text, max(total, 1))
            self.toolkit = _service("com.sun.star.awt.Toolkit")
        self.idle()

    def idle(self):
        """Let LibreOffice redraw and handle input between two files."""
        if self.toolkit is None:
            return
        try:
            self.toolkit.processEventsToIdle()
        except Exception:
            try:
                self.toolkit.reschedule()
            except Exception:
                pass

    def __call__(self, n, total, name):
        if self.indicator is not None:
            self.indicator.setText("Прочитано отчётов: %d из %d%s" % (n, total, " — " + name if name else ""))
            self.indicator.setValue(n)
        self.idle()

    def end(self):
        if self.indicator is not None:
            self.indicator.end()


def _guarded(action):
    """Run an action: a user's problem becomes one Russian message, a bug a polite one (the details
    go to a log file), never a traceback on screen."""
    try:
        return action()
    except UserError as exc:
        _message(str(exc), "error")
    except Exception as exc:  # the last line of defence
        roadmap_office = sys.modules.get("roadmap_office")
        if roadmap_office and isinstance(exc, roadmap_office.RoadmapError):
            _message(str(exc), "error")
        else:
            log = _log_internal_error()
            _message("Внутренняя ошибка расширения «Дорожная карта»: действие не выполнено, ваши файлы "
                     "не изменены.%s\nПовторите действие; если ошибка повторится, сообщите о ней разработчикам."
                     % ("\nПодробности записаны в файл %s." % log if log else ""), "error")
    return None


# ---- the consolidation dialog ---------------------------------------------------------------


def _set(model, name, value, uno_type=None):
    if uno_type:
        uno.invoke(model, "setPropertyValue", (name, uno.Any(uno_type, value)))
    else:
        setattr(model, name, value)


class _Browse(unohelper.Base, XActionListener):
    """«Обзор…»: a folder picker that starts at the folder typed in the field beside it."""

    def __init__(self, dialog, field, title, changed):
        self.dialog, self.field, self.title, self.changed = dialog, field, title, changed

    def actionPerformed(self, event):
        edit = self.dialog.getControl(self.field)
        chosen = _pick_folder(self.title, edit.getText().strip())
        if chosen:
            edit.setText(chosen)
            self.changed()

    def disposing(self, source):
        pass


class _Typed(unohelper.Base, XTextListener):
    def __init__(self, changed):
        self.changed = changed

    def textChanged(self, event):
        self.changed()

    def disposing(self, source):
        pass


class _SelectAll(unohelper.Base, XFocusListener):
    """A field whose whole text is selected when it gets the focus: what is typed replaces it
    (a date typed into the as-of field no longer lands after the old one)."""

    def focusGained(self, event):
        text = event.Source.getText()
        selection = uno.createUnoStruct("com.sun.star.awt.Selection")
        selection.Min, selection.Max = 0, len(text)
        event.Source.setSelection(selection)

    def focusLost(self, event):
        pass

    def disposing(self, source):
        pass


def _folder_files(folder, master_path):
    """(the reports, the other files to name in the summary, the lines of the dialog's list) of a
    submissions folder; the master itself is never a school's report (with no submissions
    folder its own folder is offered), lock and hidden files are not listed."""
    from roadmap_office.inputs import IGNORED, REPORT, classify_folder

    reports, others, lines, below = [], [], [], []
    for entry in classify_folder(folder):
        path = str(entry.path)
        if master_path and os.path.normcase(os.path.abspath(path)) == os.path.normcase(os.path.abspath(master_path)):
            below.append("%s — мастер-книга, не отчёт школы" % entry.name)
        elif entry.verdict == REPORT:
            reports.append(path)
            lines.append(entry.name)
        else:
            if entry.verdict != IGNORED:
                below.append("%s — %s" % (entry.name, entry.reason))
            if os.path.isfile(path) and not os.path.islink(path):
                others.append(path)  # named in the summary as the command line names them
    return reports, others, lines + below


def _files_label(folder, reports, listed):
    if not os.path.isdir(folder):
        return "Папка не найдена."
    if not reports:
        return "В папке нет отчётов школ (файлов ODS и XLSX)."
    text = "Будут прочитаны файлы (%d)" % len(reports)
    if len(listed) > len(reports):
        text += "; не отчёты (%d) не будут прочитаны" % (len(listed) - len(reports))
    return text + ":"


def _parse_day(text):
    """ДД.ММ.ГГГГ as typed; None when it is not such a date."""
    import re

    match = re.fullmatch(r"\s*(\d{1,2})\.(\d{1,2})\.(\d{4})\s*", text or "")
    if not match:
        return None
    try:
        return date(int(match.group(3)), int(match.group(2)), int(match.group(1)))
    except ValueError:
        return None


class ConsolidationDialog:
    """One dialog: the as-of date, the submissions folder (with the files it will read and those it
    will not), the output folder and the history file. Built in code, so it needs no dialog file
    and reads the same in every locale; 254 units high, it fits a 768-pixel screen."""

    def __init__(self, as_of, folder, outdir, history, master_path=""):
        self.master_path = master_path
        ctx = _context()
        smgr = ctx.ServiceManager
        self.model = smgr.createInstanceWithContext("com.sun.star.awt.UnoControlDialogModel", ctx)
        self.model.Title = "Свод отчётов школ"
        self.model.Width, self.model.Height = 290, 254
        self._label("lbl_date", 8, 9, 110, "Данные по состоянию на:")
        # a plain field in ДД.ММ.ГГГГ, read by _parse_day: a DateField reformats its text after
        # taking the focus, so what is typed lands beside the old date instead of replacing it
        self._control("Edit", "as_of", 120, 7, 70, 13).Text = as_of.strftime("%d.%m.%Y")
        self._label("lbl_folder", 8, 28, 270, "Папка с отчётами школ (файлы ODS и XLSX):")
        self._control("Edit", "folder", 8, 40, 222, 13).Text = folder
        self._button("browse_folder", 234, 39, 48, "Обзор…")
        self._label("lbl_files", 8, 58, 274, "")
        files = self._control("ListBox", "files", 8, 70, 274, 62)
        files.ReadOnly = True
        self._label("lbl_outdir", 8, 140, 270, "Папка для результатов (свод и отчёт):")
        self._control("Edit", "outdir", 8, 152, 222, 13).Text = outdir
        self._button("browse_outdir", 234, 151, 48, "Обзор…")
        self._label("lbl_history", 8, 172, 274, "Файл истории (динамика по отчётным периодам, лист «Настройки»):")
        self._control("Edit", "history", 8, 184, 274, 13).Text = history
        letters = self._control("CheckBox", "letters", 8, 204, 274, 12)
        letters.Label = "Подготовить письма школам (папка «%s» в папке результатов)" % LETTERS_FOLDER
        letters.State = 1 if _load_settings().get("letters") else 0
        ok = self._button("ok", 160, 232, 70, "Консолидировать")
        _set(ok, "PushButtonType", 1, "short")  # OK
        ok.DefaultButton = True
        _set(self._button("cancel", 234, 232, 48, "Отмена"), "PushButtonType", 2, "short")  # CANCEL
        self.dialog = smgr.createInstanceWithContext("com.sun.star.awt.UnoControlDialog", ctx)
        self.dialog.setModel(self.model)
        self.dialog.createPeer(_service("com.sun.star.awt.Toolkit"), _window())  # modal over Calc
        self.dialog.getControl("browse_folder").addActionListener(
            _Browse(self.dialog, "folder", "Папка с отчётами школ", self.refresh))
        self.dialog.getControl("browse_outdir").addActionListener(
            _Browse(self.dialog, "outdir", "Папка для результатов", lambda: None))
        self.dialog.getControl("folder").addTextListener(_Typed(self.refresh))
        for name in ("as_of", "folder", "outdir", "history"):
            self.dialog.getControl(name).addFocusListener(_SelectAll())
        self.refresh()

    def _control(self, kind, name, x, y, width, height):
        model = self.model.createInstance("com.sun.star.awt.UnoControl%sModel" % kind)
        model.PositionX, model.PositionY, model.Width, model.Height = x, y, width, height
        self.model.insertByName(name, model)
        return model

    def _label(self, name, x, y, width, text):
        self._control("FixedText", name, x, y, width, 10).Label = text

    def _button(self, name, x, y, width, text):
        model = self._control("Button", name, x, y, width, 14)
        model.Label = text
        return model

    def refresh(self):
        """Show which files of the folder will be read, and which are not reports."""
        folder = self.dialog.getControl("folder").getText().strip()
        try:
            reports, _, listed = _folder_files(folder, self.master_path) if os.path.isdir(folder) else ([], [], [])
        except OSError:
            reports, listed = [], []
        self.model.getByName("files").StringItemList = tuple(listed)
        self.model.getByName("lbl_files").Label = _files_label(folder, reports, listed)

    def execute(self):
        """(as-of text, folder, outdir, history, letters) when the user pressed «Консолидировать», else None."""
        try:
            if self.dialog.execute() != 1:
                return None
            return tuple(self.dialog.getControl(name).getText().strip()
                         for name in ("as_of", "folder", "outdir", "history")) + (
                self.model.getByName("letters").State == 1,)
        finally:
            self.dialog.dispose()


def _dialog_choices(master_path, roadmap):
    """Ask for the date, the folders and the history file; starts beside the master or where the
    user was last time. A choice that cannot be right is told and asked again."""
    from roadmap_office.locations import history_path, offered_folders
    from roadmap_office.pipeline import default_as_of

    settings = _load_settings()
    remembered = settings.get("folders", {}).get(master_path, {})
    guess, offered_out = offered_folders(master_path or os.path.join(os.path.expanduser("~"), "-"))
    folder = remembered.get("submissions") or (guess if os.path.isdir(guess) else os.path.dirname(guess))
    outdir = remembered.get("output") or offered_out
    history = history_path(master_path, roadmap.history_file) if master_path else ""
    as_of = default_as_of(roadmap)
    while True:
        chosen = ConsolidationDialog(as_of, folder, outdir, history, master_path).execute()
        if chosen is None:
            return None
        typed, folder, outdir, history, letters = chosen
        as_of = _parse_day(typed) or as_of
        problem = _choice_problem(roadmap, typed, folder, outdir, history, master_path)
        if not problem:
            break
        _message(problem, "warning")
    settings.setdefault("folders", {})[master_path] = {"submissions": folder, "output": outdir}
    settings["letters"] = letters
    _save_settings(settings)
    return as_of, folder, outdir, history, letters


def _choice_problem(roadmap, typed, folder, outdir, history, master_path=""):
    """The Russian reason a choice of the dialog cannot be run, or ""; nothing runs before it is ""."""
    from roadmap_office.pipeline import as_of_problem

    day = _parse_day(typed)
    if day is None:
        return "Дата «%s» не распознана: укажите дату в виде ДД.ММ.ГГГГ, например 30.06.2022." % typed
    problem = as_of_problem(roadmap, day)
    if problem:
        return problem[0].upper() + problem[1:] + "."
    if not folder or not os.path.isdir(folder):
        return "Папка с отчётами школ «%s» не найдена. Укажите существующую папку." % folder
    if not _folder_files(folder, master_path)[0]:
        return "В папке «%s» нет отчётов школ (файлов ODS или XLSX)." % folder
    if not outdir:
        return "Укажите папку для результатов."
    if history and not os.path.isdir(os.path.dirname(os.path.abspath(history))):
        return "Папка файла истории «%s» не найдена. Укажите файл в существующей папке." % history
    return ""


def _write_history_setting(document, master_path, history):
    """A history file chosen in the dialog becomes the master's «Файл истории» (on screen; the
    user saves the master as usual). Returns whether the setting changed."""
    from roadmap_office.locations import history_setting
    from roadmap_office.master import SETTINGS, setting_label

    value = history_setting(master_path, history)
    sheets = document.getSheets()
    if not sheets.hasByName(SETTINGS):
        return False
    sheet = sheets.getByName(SETTINGS)
    label = setting_label("history_file")
    labels = []  # the settings stand in one block under the header
    while len(labels) < 100 and sheet.getCellByPosition(0, len(labels)).getString().strip():
        labels.append(sheet.getCellByPosition(0, len(labels)).getString().strip().lower())
    row = labels.index(label.lower()) if label.lower() in labels else len(labels)
    if row == len(labels):  # a master made before the setting existed: a row of its own after the others
        sheet.getRows().insertByIndex(row, 1)
        sheet.getCellByPosition(0, row).setString(label)
    target = sheet.getCellByPosition(1, row)
    if target.getString() == value:
        return False
    target.setString(value)
    return True


# ---- the actions (shared by menu entries and test entry points) ------------------------------------


def _check(path, shown_name):
    _library()
    from roadmap_office.pipeline import check_one

    result = check_one(path)
    lines = []
    if result.rejected:
        text = "Файл «%s» не является отчётом по дорожной карте или повреждён:\n%s" % (shown_name, result.rejected)
    elif result.findings:  # every remark: a long list is shown in a window that scrolls
        for finding in result.findings:
            lines.append("• " + str(finding))
        text = "Замечаний: %d. Исправьте их перед отправкой:\n\n%s" % (len(result.findings), "\n".join(lines))
    else:
        text = "Замечаний нет. Отчёт можно отправлять в департамент образования."
    first = next((f for f in result.findings if f.cell), None)
    return result, text, first


def _check_document(document):
    """Check what is on screen (unsaved changes included) and select the first bad cell."""
    if not _is_spreadsheet(document):
        raise UserError("Откройте заполненный отчёт школы в LibreOffice Calc.")
    with _snapshot(document) as path:
        result, text, first = _check(path, document.getTitle())
    selected = _select(document, first.sheet, first.cell) if first is not None else ""
    return result, text, selected


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


def _output_names():
    from roadmap_office.pipeline import REPORT_NAME, WORKBOOK_NAME

    return ("%s.xlsx" % WORKBOOK_NAME, "%s.ods" % WORKBOOK_NAME, "%s.odt" % REPORT_NAME)


def _close_open_outputs(outdir):
    """Close the previous results still open in LibreOffice before they are replaced on disk, so a
    re-run never writes under an open window nor opens a second one."""
    targets = [os.path.join(outdir, name) for name in _output_names()]
    components = _desktop().getComponents().createEnumeration()
    found = []
    while components.hasMoreElements():
        component = components.nextElement()
        if hasattr(component, "getURL") and any(_same_file(component.getURL(), t) for t in targets):
            found.append(component)
    for component in found:
        try:
            component.close(True)
        except Exception:
            component.dispose()
    return len(found)


def _open_results(result, hidden=False):
    """Open the consolidated workbook and the report side by side, unmodified."""
    opened = []
    wanted = [p for p in result.outputs if str(p).endswith((".ods", ".odt"))]
    if not any(str(p).endswith(".ods") for p in wanted):
        wanted += [p for p in result.outputs if str(p).endswith(".xlsx")]
    for path in wanted:
        document = _desktop().loadComponentFromURL(_to_url(str(path)), "_blank", 0,
                                                   _props(Hidden=hidden))
        if document is not None:
            document.setModified(False)
            opened.append(document)
    return opened


def _consolidate(master_path, files, outdir, as_of, progress, ask_overwrite, history=None, master_folder=None,
                 letters=False):
    """``files``: the folder's files chosen in the dialog (the reports, and the files that are
    not, to be named in the summary); ``history``: the history file, or None."""
    _library()
    from roadmap_office.pipeline import run_consolidation

    if not files:
        raise UserError("Нет отчётов школ (файлов ODS или XLSX) для свода.")
    if any(os.path.exists(os.path.join(outdir, name)) for name in _output_names()):
        if not ask_overwrite("Папка «%s» уже содержит результаты свода. Заменить их?" % outdir):
            return None
    _close_open_outputs(outdir)
    # the master's relative settings («Шаблон отчёта») start from its own folder, not from a copy's
    return run_consolidation(master_path, files, outdir, ("xlsx", "ods", "odt"), as_of=as_of, jobs=1,
                             progress=progress, history=history or None, master_folder=master_folder,
                             letters=os.path.join(outdir, LETTERS_FOLDER) if letters else None)


def _summary_text(result):
    from roadmap_office.presentation import run_summary

    text = run_summary(result.consolidation)
    text += "\n\nРезультаты:\n" + "\n".join(str(p) for p in result.outputs)
    if result.letters:
        text += "\n\nПисьма школам (%d) — файлы .eml для отправки из почтовой программы:\n%s" % (
            len(result.letters), os.path.dirname(str(result.letters[0])))
    for error in result.errors:
        text += "\n" + error
    return text


def _consolidate_document(document, choose, progress_for, ask_overwrite):
    """«Консолидировать…» on an open document: the master first, then one dialog, then the run."""
    with _master_file(document) as (master, roadmap):
        saved = _saved_path(document)
        chosen = choose(saved, roadmap)
        if chosen is None:
            return None
        as_of, folder, outdir, history, letters = chosen
        if saved and history and roadmap.period is not None:
            _write_history_setting(document, saved, history)
        elif roadmap.period is None:
            history = None  # no period, no history (the command line says the same)
        reports, others, _ = _folder_files(folder, saved)
        status = progress_for(len(reports))
        try:
            result = _consolidate(master, reports + others, outdir, as_of, status, ask_overwrite, history,
                                  os.path.dirname(saved) if saved else None, letters)
        finally:
            if status is not None:
                status.end()
    return result


# ---- menu entries ---------------------------------------------------------------------------


def check_current_file(*args):
    """«Проверить этот файл»: for schools, before sending."""
    def action():
        result, text, selected = _check_document(XSCRIPTCONTEXT.getDocument())  # noqa: F821
        if text.count("\n") > LONG_MESSAGE_LINES:
            _long_message(text)
        else:
            _message(text, "warning" if result.findings or result.rejected else "infobox")
    _guarded(action)


def create_templates(*args):
    """«Создать шаблоны…» from the open master workbook."""
    def action():
        document = XSCRIPTCONTEXT.getDocument()  # noqa: F821
        with _master_file(document):  # a document that is not a master is told so first
            pass
        master = _saved_path(document)
        if not master:
            raise UserError("Сохраните мастер-книгу в файл (ODS или XLSX), затем повторите действие.")
        if document.isModified():
            raise UserError("В мастер-книге есть несохранённые изменения. Сохраните файл, затем повторите действие.")
        folder = _pick_folder("Папка для шаблонов отчётов школ", os.path.dirname(master))
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

        def progress_for(count):
            return _Status(document, "Свод отчётов школ", count)

        result = _consolidate_document(document, _dialog_choices, progress_for, _ask)
        if result is not None:
            _message(_summary_text(result))  # over the master, then the results open beside it
            _open_results(result)
            if result.letters:  # the letters' folder in the file manager, to send them from a mail program
                _service("com.sun.star.system.SystemShellExecute").execute(
                    _to_url(os.path.dirname(str(result.letters[0]))), "", 0)
    _guarded(action)


def about(*args):
    def action():
        roadmap_office = _library()
        _message("Дорожная карта — расширение roadmap-office, версия %s.\n\nПроверка отчётов школ, "
                 "создание шаблонов и свод отчётов по дорожной карте муниципальной системы образования.\n"
                 "Python %s" % (roadmap_office.__version__, sys.version.split()[0]))
    _guarded(action)


# ---- test entry points: the same work, paths instead of dialogs ---------------------------------------


def _open_hidden(path):
    return _desktop().loadComponentFromURL(_to_url(path), "_blank", 0, _props(Hidden=True))


def test_check(path, *args):
    result, text, first = _check(path, os.path.basename(path))
    return json.dumps({"school": result.school, "rejected": result.rejected, "message": text,
                       "problems": [f.to_json() for f in result.findings],
                       "first": [first.sheet, first.cell] if first else None}, ensure_ascii=False)


def test_check_document(path, *args):
    """Open a report hidden, check it like the menu entry does, and select the first bad cell."""
    before = set(os.listdir(tempfile.gettempdir()))
    document = _open_hidden(path)
    try:
        result, text, selected = _check_document(document)
        selection = document.getCurrentController().getSelection()
        address = selection.getCellAddress() if hasattr(selection, "getCellAddress") else None
        left = sorted(n for n in set(os.listdir(tempfile.gettempdir())) - before if n.startswith("roadmap-office-"))
        return json.dumps({"selected": selected, "message": text, "temporary_left": left,
                           "selection": [address.Column, address.Row] if address else None}, ensure_ascii=False)
    finally:
        document.close(True)


def test_create_templates(master, folder, *args):
    made = _make_templates(master, folder, lambda question: True)
    return json.dumps({"files": [str(p) for p in made[1]]}, ensure_ascii=False)


def test_consolidate_document(path, folder, outdir, as_of="", letters="", history="", *args):
    """«Консолидировать…» on a document opened hidden, the dialog answered with the given values
    (``as_of`` as typed, ДД.ММ.ГГГГ) and checked as the dialog checks them; says whether the dialog
    was reached, what its list showed and which documents the results opened."""
    from roadmap_office.locations import history_path
    from roadmap_office.pipeline import default_as_of

    asked, shown = [], {}

    def choose(master_path, roadmap):
        asked.append(default_as_of(roadmap).isoformat())
        typed = as_of or default_as_of(roadmap).strftime("%d.%m.%Y")
        chosen = history or (history_path(master_path, roadmap.history_file) if master_path else "")
        shown.update(history=chosen, listed=_folder_files(folder, master_path)[2],
                     problem=_choice_problem(roadmap, typed, folder, outdir, chosen, master_path))
        return None if shown["problem"] else (_parse_day(typed), folder, outdir, chosen, bool(letters))

    document = _open_hidden(path)
    opened = []
    try:
        try:
            result = _consolidate_document(document, choose, lambda count: None, lambda question: True)
        except Exception as exc:
            roadmap_office = sys.modules.get("roadmap_office")
            if isinstance(exc, UserError) or (roadmap_office and isinstance(exc, roadmap_office.RoadmapError)):
                return json.dumps(dict(shown, asked=asked, error=str(exc)), ensure_ascii=False)
            raise
        if result is None:
            return json.dumps(dict(shown, asked=asked), ensure_ascii=False)
        opened = _open_results(result, hidden=True)
        settings = document.getSheets().getByName("Настройки")
        return json.dumps(dict(shown, asked=asked, outputs=[str(p) for p in result.outputs],
                               opened=[(d.getURL(), d.isModified()) for d in opened],
                               summary=result.consolidation.summary_json(), message=_summary_text(result),
                               letters=[str(p) for p in result.letters],
                               history_periods=[s.period.label for s in result.consolidation.history],
                               settings=[[settings.getCellByPosition(c, r).getString() for c in range(2)]
                                         for r in range(12)],
                               report_first_line=next((d.getText().getString().split("\n")[0] for d in opened
                                                       if d.getURL().endswith(".odt")), "")),
                          ensure_ascii=False)
    finally:
        for d in opened:
            d.close(True)
        document.close(True)


def test_rerun_with_results_open(path, folder, outdir, *args):
    """Consolidate twice while the first results are still open: how many windows show each file."""
    document = _open_hidden(path)
    opened = []
    try:
        for _ in range(2):
            result = _consolidate_document(document, lambda master, roadmap: (None, folder, outdir, "", False),
                                           lambda count: None, lambda question: True)
            opened += _open_results(result, hidden=True)
        counts = {}
        components = _desktop().getComponents().createEnumeration()
        while components.hasMoreElements():
            component = components.nextElement()
            url = component.getURL() if hasattr(component, "getURL") else ""
            name = next((n for n in _output_names() if _same_file(url, os.path.join(outdir, n))), None)
            if name:
                counts[name] = counts.get(name, 0) + 1
        return json.dumps(counts, ensure_ascii=False)
    finally:
        for d in opened:
            try:
                d.close(True)
            except Exception:
                pass
        document.close(True)


def test_environment(*args):
    """What the macros see: where the library came from and which optional speed-ups are absent."""
    roadmap_office = _library()
    missing = []
    for name in ("lxml", "python_calamine", "click"):
        try:
            __import__(name)
        except ImportError:
            missing.append(name)
    import importlib
    import pkgutil

    broken = []
    for module in pkgutil.walk_packages(roadmap_office.__path__, "roadmap_office."):
        try:
            importlib.import_module(module.name)
        except ImportError as exc:
            broken.append("%s: %s" % (module.name, exc))
    return json.dumps({"version": roadmap_office.__version__, "library": roadmap_office.__file__,
                       "python": sys.version.split()[0], "missing_optional": missing, "unimportable": broken},
                      ensure_ascii=False)


def test_internal_error(*args):
    """An unexpected error inside an action: what the user is shown instead of a traceback."""
    shown = []
    global _message
    original = _message
    _message = lambda text, kind="infobox", buttons=1: shown.append(text)  # noqa: E731
    try:
        _guarded(lambda: {}["nothing"])
    finally:
        _message = original
    return json.dumps({"shown": shown, "log": os.path.join(_profile_dir(), LOG_FILE)}, ensure_ascii=False)


g_exportedScripts = (check_current_file, create_templates, consolidate, about, test_check, test_check_document,
                     test_create_templates, test_consolidate_document, test_rerun_with_results_open, test_environment,
                     test_internal_error)
