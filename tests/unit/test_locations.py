"""The extension's path rules with the paths districts have: drive letters, \\\\server\\share folders,
Cyrillic names; tested on any machine (uno.fileUrlToSystemPath converts only for its own system)."""

from __future__ import annotations

from pathlib import PurePosixPath, PureWindowsPath

import pytest

from roadmap_office import locations as L

WINDOWS_URLS = [
    ("file:///C:/%D0%9E%D1%82%D1%87%D1%91%D1%82%D1%8B/master.ods", r"C:\Отчёты\master.ods"),
    ("file:///D:/%D0%A3%D0%BF%D1%80%D0%B0%D0%B2%D0%BB%D0%B5%D0%BD%D0%B8%D0%B5%20%D0%BE%D0%B1%D1%80%D0%B0%D0%B7%D0%BE"
     "%D0%B2%D0%B0%D0%BD%D0%B8%D1%8F/%D0%A1%D0%B2%D0%BE%D0%B4",
     r"D:\Управление образования\Свод"),
    ("file://fileserver/%D0%BE%D0%B1%D1%89%D0%B0%D1%8F/2022/master.xlsx", r"\\fileserver\общая\2022\master.xlsx"),
    ("file:///C:/a%20b/%23%25.ods", r"C:\a b\#%.ods"),
]


@pytest.mark.parametrize("url, path", WINDOWS_URLS)
def test_windows_urls_and_paths(url, path):
    assert L.url_to_path(url, windows=True) == path
    assert L.path_to_url(path, windows=True) == url
    assert PureWindowsPath(L.url_to_path(url, windows=True)).is_absolute()


def test_linux_urls_and_paths():
    path = "/home/методист/Дорожная карта/master.ods"
    url = L.path_to_url(path, windows=False)
    assert url == PurePosixPath(path).as_uri()
    assert L.url_to_path(url, windows=False) == path
    assert L.url_to_path("file://localhost/srv/a.ods", windows=False) == "/srv/a.ods"
    with pytest.raises(ValueError):
        L.url_to_path("vnd.sun.star.tdoc:/1/a.ods", windows=False)


def test_folders_offered_beside_the_master():
    assert L.offered_folders(r"\\fileserver\общая\2022\master.ods", windows=True) == (
        r"\\fileserver\общая\2022\submissions", r"\\fileserver\общая\2022\Свод")
    assert L.offered_folders(r"C:\Отчёты\master.ods", windows=True) == (r"C:\Отчёты\submissions", r"C:\Отчёты\Свод")
    assert L.offered_folders("/srv/карта/master.ods", windows=False) == ("/srv/карта/submissions", "/srv/карта/Свод")


@pytest.mark.parametrize("master, setting, expected", [
    (r"C:\Отчёты\2022\master.ods", "", r"C:\Отчёты\2022\history.sqlite"),
    (r"C:\Отчёты\2022\II\master.ods", "../history.sqlite", r"C:\Отчёты\2022\history.sqlite"),
    (r"C:\Отчёты\2022\II\master.ods", r"..\history.sqlite", r"C:\Отчёты\2022\history.sqlite"),
    (r"\\fileserver\общая\II\master.ods", "../история.sqlite", r"\\fileserver\общая\история.sqlite"),
    (r"C:\Отчёты\master.ods", r"\\fileserver\общая\history.sqlite", r"\\fileserver\общая\history.sqlite"),
    (r"C:\Отчёты\master.ods", r"D:\История\history.sqlite", r"D:\История\history.sqlite"),
])
def test_the_history_file_on_windows(master, setting, expected):
    assert L.history_path(master, setting, windows=True) == expected


def test_the_history_file_on_linux_and_how_a_choice_is_written_back():
    assert L.history_path("/srv/к/II/master.ods", "../history.sqlite", windows=False) == "/srv/к/history.sqlite"
    assert L.history_path("/srv/к/master.ods", " ", windows=False) == "/srv/к/history.sqlite"
    assert L.history_setting("/srv/к/II/master.ods", "/srv/к/history.sqlite", windows=False) == "../history.sqlite"
    assert L.history_setting("/srv/к/master.ods", "/srv/к/history.sqlite", windows=False) == ""
    assert L.history_setting("/srv/к/a/b/master.ods", "/srv/history.sqlite", windows=False) == "/srv/history.sqlite"
    assert L.history_setting(r"C:\Отчёты\II\master.ods", r"C:\Отчёты\history.sqlite", windows=True) == "../history.sqlite"
    assert L.history_setting(r"C:\Отчёты\master.ods", r"\\srv\общая\h.sqlite", windows=True) == r"\\srv\общая\h.sqlite"
    assert L.history_setting(r"C:\Отчёты\master.ods", r"D:\h.sqlite", windows=True) == r"D:\h.sqlite"
    for master, chosen, windows in ((r"C:\Отчёты\II\master.ods", r"C:\Отчёты\history.sqlite", True),
                                    ("/srv/к/II/master.ods", "/srv/к/история.sqlite", False)):
        assert L.history_path(master, L.history_setting(master, chosen, windows), windows) == chosen


def test_the_master_keeps_its_history_setting(tmp_path, demo_roadmap):
    from roadmap_office.history import history_for_master
    from roadmap_office.master import read_master, write_master

    from dataclasses import replace

    master = write_master(replace(demo_roadmap, history_file="../история.sqlite"), tmp_path / "II" / "master.xlsx")
    assert read_master(master).history_file == "../история.sqlite"
    assert history_for_master(master) == tmp_path / "история.sqlite"
