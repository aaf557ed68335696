"""Where the extension's files are, on Windows and Linux alike: file URLs and paths, the folders
offered beside the master, the outputs, the history file.

LibreOffice hands the macros file URLs, and ``uno.fileUrlToSystemPath`` converts them only the
way of the system it runs on; districts keep their files on drive letters and on ``\\\\server\\share``
folders with Cyrillic names. So the rules are plain functions of strings here, with the system's
flavour an argument (``windows``), and are tested with Windows paths on any machine.
"""

from __future__ import annotations

import ntpath
import os
import posixpath
import re
from urllib.parse import quote, unquote, urlsplit

HISTORY_NAME = "history.sqlite"  # the history file beside the master unless the master names another
SUBMISSIONS_FOLDER = "submissions"  # the schools' files, when kept in a folder of that name beside the master
OUTPUT_FOLDER = "Свод"  # offered for the results, beside the master
WINDOWS = os.name == "nt"


def _flavour(windows: bool):
    return ntpath if windows else posixpath


def url_to_path(url: str, windows: bool = WINDOWS) -> str:
    """``file:///C:/Отчёты/…`` → ``C:\\Отчёты\\…``; ``file://server/share/…`` → ``\\\\server\\share\\…``;
    ``file:///home/…`` → ``/home/…``. Raises ValueError for what is not a file URL."""
    parts = urlsplit(url)
    if parts.scheme.lower() != "file":
        raise ValueError(f"not a file URL: {url}")
    path = unquote(parts.path, encoding="utf-8", errors="strict")
    host = "" if parts.netloc.lower() == "localhost" else parts.netloc
    if not windows:
        return ("//" + host + path) if host else path
    if host:
        return "\\\\" + host + path.replace("/", "\\")
    if re.match(r"/[A-Za-z]:", path):
        path = path[1:]
    return path.replace("/", "\\")


def path_to_url(path: str, windows: bool = WINDOWS) -> str:
    """The file URL LibreOffice uses for an absolute path (the inverse of :func:`url_to_path`)."""
    if windows:
        path = path.replace("/", "\\")
        if path.startswith("\\\\"):
            host, _, rest = path[2:].partition("\\")
            return "file://" + host + quote("/" + rest.replace("\\", "/"), safe="/")
        return "file:///" + quote(path.replace("\\", "/"), safe="/:")
    if path.startswith("//") and not path.startswith("///"):
        host, _, rest = path[2:].partition("/")
        return "file://" + host + quote("/" + rest, safe="/")
    return "file://" + quote(path, safe="/")


def folder_of(path: str, windows: bool = WINDOWS) -> str:
    return _flavour(windows).dirname(path)


def join(folder: str, *names: str, windows: bool = WINDOWS) -> str:
    return _flavour(windows).join(folder, *names)


def offered_folders(master: str, windows: bool = WINDOWS) -> tuple[str, str]:
    """(the submissions folder, the output folder) offered for a master never consolidated
    before: ``submissions`` and ``Свод`` beside it."""
    beside = folder_of(master, windows)
    return join(beside, SUBMISSIONS_FOLDER, windows=windows), join(beside, OUTPUT_FOLDER, windows=windows)


def history_path(master: str, setting: str = "", windows: bool = WINDOWS) -> str:
    """The history file of a master: its «Файл истории» setting, relative to the master's folder
    unless absolute (a drive, a share), or ``history.sqlite`` beside it when the setting is empty."""
    flavour = _flavour(windows)
    setting = (setting or "").strip()
    if not setting:
        return flavour.join(flavour.dirname(master), HISTORY_NAME)
    if windows:
        setting = setting.replace("/", "\\")
    if flavour.isabs(setting) or (windows and ntpath.splitdrive(setting)[0]):
        return flavour.normpath(setting)
    return flavour.normpath(flavour.join(flavour.dirname(master), setting))


def history_setting(master: str, chosen: str, windows: bool = WINDOWS) -> str:
    """How a history file chosen in the dialog is written into the master's settings: empty for
    the default, relative to the master's folder when inside it or one level up (the periods'
    folders of one district move together), else as it is."""
    flavour = _flavour(windows)
    chosen = flavour.normpath(chosen)
    beside = flavour.dirname(master)
    if chosen == flavour.normpath(flavour.join(beside, HISTORY_NAME)):
        return ""  # the default
    try:
        relative = flavour.relpath(chosen, beside)
    except ValueError:  # another drive or share
        return chosen
    if relative.split(flavour.sep)[:2] == ["..", ".."]:
        return chosen  # far away: written as it is
    return relative.replace("\\", "/")  # one spelling in the workbook, read back on either system
