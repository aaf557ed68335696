"""Russian wording of click's own messages (usage, help, argument errors).

click looks its messages up through ``gettext``; this installs a small catalogue into the click
modules so that every line a user sees from ``roadmap-office`` is Russian. Unknown messages
fall through unchanged.
"""

from __future__ import annotations

import sys

CATALOGUE = {
    "Usage:": "Использование:",
    "Options": "Параметры",
    "Commands": "Команды",
    "Show this message and exit.": "Показать эту справку и выйти.",
    "Show the version and exit.": "Показать версию и выйти.",
    "Error: {message}": "Ошибка: {message}",
    "Try '{command} {option}' for help.": "Справка: «{command} {option}».",
    "Missing argument": "Не указан аргумент",
    "Missing option": "Не указан параметр",
    "Missing parameter": "Не указан параметр",
    "Missing command.": "Не указана команда.",
    "Missing {param_type}": "Не указан {param_type}",
    "Missing parameter: {param_name}": "Не указан параметр: {param_name}",
    "No such command {name!r}.": "Нет команды {name!r}.",
    "No such option {name!r}.": "Нет параметра {name!r}.",
    "Invalid value for {param_hint}: {message}": "Недопустимое значение {param_hint}: {message}",
    "Invalid value: {message}": "Недопустимое значение: {message}",
    "Option {name!r} does not take a value.": "Параметр {name!r} не принимает значение.",
    "Argument {name!r} takes {nargs} values.": "Аргумент {name!r} принимает значений: {nargs}.",
    "{name} {filename!r} does not exist.": "{name} {filename!r} не существует.",
    "{name} {filename!r} is a directory.": "{name} {filename!r} — папка, а не файл.",
    "{name} {filename!r} is a file.": "{name} {filename!r} — файл, а не папка.",
    "{name} {filename!r} is not readable.": "{name} {filename!r} недоступен для чтения.",
    "{name} {filename!r} is not writable.": "{name} {filename!r} недоступен для записи.",
    "{value!r} is not a valid {number_type}.": "{value!r} не является числом ({number_type}).",
    "{value} is not in the range {range}.": "{value} вне допустимого диапазона {range}.",
    "file": "Файл",
    "directory": "Папка",
    "path": "Путь",
    "Aborted!": "Прервано.",
    "default: {default}": "по умолчанию: {default}",
    "Got unexpected extra argument ({args})": "Лишний аргумент ({args})",
    "Got unexpected extra arguments ({args})": "Лишние аргументы ({args})",
}


def _translate(message: str) -> str:
    return CATALOGUE.get(message, message)


def _ntranslate(singular: str, plural: str, n: int) -> str:
    return _translate(singular if n == 1 else plural)


def install() -> None:
    for name in ("click.core", "click.exceptions", "click.types", "click.formatting", "click.decorators",
                 "click.parser", "click.termui"):
        module = sys.modules.get(name)
        if module is None:
            continue
        if hasattr(module, "_"):
            module._ = _translate
        if hasattr(module, "ngettext"):
            module.ngettext = _ntranslate
