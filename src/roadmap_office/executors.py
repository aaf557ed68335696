"""Executors: split executor cells into names, and the catalogue that resolves short forms.

The names written in a roadmap are its catalogue: «Управление образования», «Отдел образования»,
«Комитет по образованию», «Департамент образования» are different bodies of different districts
and are never replaced by one another. Abbreviations (ДО, УО, ОО, ИМО ...) resolve to the full
name the same document uses; the default catalogue only supplies the forms. Comparisons ignore
case, spaces, quotes and ё/е.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from .model import Executor, ExecutorKind

_BY_AGREEMENT = re.compile(r"\(?\s*по\s+согласовани[юя]\s*\)?", re.IGNORECASE)
_AGREED = "\x01"
# a part after a comma that continues the name before it: "школы, демонстрирующие высокий уровень ..."
_CONTINUES = re.compile(r"^(?:[а-яё]+(?:ющ|ящ|ащ|вш|ем|им|нн)[а-яё]*|(?:на базе |в |при |у )?котор\w*|в том числе|"
                        r"в т\.\s*ч\.|включая|где|"
                        r"из них|а также|расположенн\w*)\b")
# "Отдел культуры, спорта и молодёжной политики": a body's name going on after a comma in lower case
_BODY = re.compile(r"^(?:Отдел|Управление|Комитет|Департамент|Министерство|Центр|Служба|Сектор)\s+[^,]+$")
_NAME_GOES_ON = re.compile(r"^[а-яё]+(?:а|ы|и|я|ой|ого|ых)\b")
# organisational-legal forms that start a new name when glued to the previous one
_ORG_FORMS = ("МБОУ", "МАОУ", "МКОУ", "МБДОУ", "МАДОУ", "МКДОУ", "МБУ", "МАУ", "МКУ", "МБУДО", "МАУДО", "ГБОУ",
              "ГАОУ", "ГКОУ", "ГБУДО", "ГАУДО", "ГБУ", "ГАУ", "ГКУ", "ГБПОУ", "ГАПОУ", "ФГБОУ", "ФГАОУ", "АНО", "ЧОУ")


@lru_cache(maxsize=1 << 16)
def fold(text: str) -> str:
    """The comparison key of a name: case, ё/е, quotes, dashes and spaces do not matter.
    Cached: a check folds the same statuses and names in every file."""
    s = text.replace("\xa0", " ").lower().replace("ё", "е")
    s = re.sub(r"[«»\"'“”„]", "", s)
    s = re.sub(r"\s*[‐‑‒–—−-]\s*", "-", s)
    s = re.sub(r"\s*№\s*", " № ", s)
    return re.sub(r"\s+", " ", s).strip(" ,.;")


def is_abbreviation(name: str) -> bool:
    """"ДО", "ОбОО", "МОНиМП": one word with at least two capitals."""
    word = name.strip()
    return bool(re.fullmatch(r"[А-ЯЁA-Z][А-ЯЁA-Zа-яё]{0,9}", word)) and sum(ch.isupper() for ch in word) >= 2


def split_executors(cell: str) -> tuple[list[str], list[str]]:
    """Split an executor cell into names; returns (names, names marked «(по согласованию)»).

    Names are separated by line breaks, semicolons and commas, "совместно с", "при участии"; a
    comma inside a name does not split it ("МБОУ Школы №№ 10, 17" names two schools, "школы,
    демонстрирующие высокий уровень ..." and "Отдел культуры, спорта и молодёжной политики" are one
    executor each); nor does a line that goes on in lower
    case. «(по согласованию)» marks the name it follows.
    """
    text = re.sub(r"<[^>]+>", "\n", cell).replace("\xa0", " ")
    text = _BY_AGREEMENT.sub(_AGREED, text)
    # "МБОУ Школы №№ 10, 17" names two schools: "МБОУ Школа № 10", "МБОУ Школа № 17"
    text = re.sub(r"([^,;\n]*?)\s*№№\s*(\d+(?:\s*,\s*\d+)+)", _expand_numbered, text)
    # a comma inside quotes belongs to the name: МБУ «Центр психолого-педагогической, медицинской ... помощи»
    text = re.sub(r"«[^»\n]*»|\"[^\"\n]*\"", lambda m: m.group(0).replace(",", "\x00"), text)
    names: list[str] = []
    agreed: list[str] = []
    for line_number, line in enumerate(re.split(r"\n|;", text)):
        parts = re.split(r",|\s+совместно\s+с\s+|\s+при\s+участии\s+", line)
        for index, part in enumerate(parts):
            name = re.sub(r"\s+", " ", part.replace("\x00", ",")).strip(" .-–")
            marked = _AGREED in name
            name = name.replace(_AGREED, "").strip(" .-–")
            glue_comma = index > 0 and (_CONTINUES.match(name) or _NAME_GOES_ON.match(name) and names
                                        and _BODY.match(names[-1]) and not _known_start(name))
            glue_line = index == 0 and line_number > 0 and name[:1].islower() and names and not _known_start(name)
            if names and (glue_comma or glue_line) and name:
                names[-1] = names[-1] + (", " if glue_comma else " ") + name
                name = ""
            if name:
                names.append(name)
            if marked and names and names[-1] not in agreed:
                agreed.append(names[-1])
    return names, agreed


def _names(name: str, form: str) -> bool:
    """True when ``name`` is ``form`` or ``form`` with a lower-case tail ("... администрации г. Сарова")."""
    key = fold(name)
    return key == form or key.startswith(form + " ") and name.split()[len(form.split())][:1].islower()


def _known_start(name: str) -> bool:
    """Lower-case names that start a new executor in lists ("руководители ОО", "школы ...")."""
    return bool(re.match(r"(?:руководител|педагог|учител|классн|школ|заместител|родител|обучающ|специалист|"
                         r"(?:обще)?образовательн\w* (?:организац|учрежден)|муниципальн|предприяти|социальн|субъект|"
                         r"орган|учрежден|директор|волонт|советник|специалист|сотрудник|представител|член)",
                         name))


_SINGULAR = {"школы": "Школа", "гимназии": "Гимназия", "лицеи": "Лицей", "лицеев": "Лицей", "школ": "Школа"}


def _expand_numbered(match: re.Match) -> str:
    words = match.group(1).split()
    if words and words[-1].lower() in _SINGULAR:
        words[-1] = _SINGULAR[words[-1].lower()]
    prefix = " ".join(words)
    numbers = re.findall(r"\d+", match.group(2))
    return ", ".join(f"{prefix} № {n}".strip() for n in numbers)


@dataclass
class Catalogue:
    """Lookup of canonical executors by any of their spellings."""

    executors: list[Executor] = field(default_factory=list)
    # True for the default catalogue: it supplies forms, the document supplies the names
    forms_only: bool = False
    # a document's catalogue: the names written alone in it, and the catalogue of forms it came from
    standalone: set[str] = field(default_factory=set, repr=False)
    forms: Catalogue | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self._index: dict[str, Executor] = {}
        for executor in self.executors:
            self._add_keys(executor)

    def _add_keys(self, executor: Executor) -> None:
        for spelling in [executor.name, *executor.aliases]:
            self._index.setdefault(fold(spelling), executor)

    def find(self, name: str) -> Executor | None:
        return self._index.get(fold(name))

    def resolve(self, name: str, add_unknown: bool = False) -> str:
        """Canonical name for a spelling; unknown names are kept as written (and learnt)."""
        found = self.find(name)
        if found:
            return found.name
        entry = self.forms.find(name) if self.forms is not None else None
        if entry is not None:  # met only inside a glued cell: the default form, as in for_document
            self.executors.append(Executor(entry.name, list(entry.aliases), entry.kind))
            self._add_keys(self.executors[-1])
            return entry.name
        if add_unknown:
            executor = Executor(name.strip(), [], guess_kind(name))
            self.executors.append(executor)
            self._add_keys(executor)
        return name.strip()

    def read_cell(self, cell: str) -> tuple[list[str], list[str]]:
        """(executors, by agreement) of a master cell: one name a line as written by the import;
        a line that is not a catalogue name (typed by hand) is split like a document's cell."""
        names: list[str] = []
        agreed: list[str] = []
        for line in cell.split("\n"):
            bare = _BY_AGREEMENT.sub("", line).strip()
            found = self.find(bare) if bare else None
            if found:
                line_names, line_agreed = [found.name], [found.name] if bare != line.strip() else []
            else:
                line_names, line_agreed = split_executors(line)
                line_names = [self.resolve(n) for n in line_names]
                line_agreed = [self.resolve(n) for n in line_agreed]
            names += [n for n in line_names if n not in names]
            agreed += [n for n in line_agreed if n not in agreed]
        return names, agreed

    def resolve_cell(self, cell: str, add_unknown: bool = False) -> tuple[list[str], list[str]]:
        """(executors, those marked «(по согласованию)») of a cell, as canonical names."""
        names, agreed = split_executors(cell)
        resolved: list[str] = []
        resolved_agreed: list[str] = []
        for name, marked in self._split_run_together(names, agreed):
            canonical = self.resolve(name, add_unknown)
            if canonical not in resolved:
                resolved.append(canonical)
            if marked and canonical not in resolved_agreed:
                resolved_agreed.append(canonical)
        return resolved, resolved_agreed

    def for_document(self, cells: list[str]) -> Catalogue:
        """The catalogue of one document: its own names, with the short forms this one supplies.

        A default entry is used only when the document names it (in any form); its canonical
        name becomes the full name the document writes ("Департамент образования администрации
        г. Сарова"), or stays the default one when the document only uses the abbreviation.
        """
        if not self.forms_only:
            return self  # a district's own catalogue: its canonical names stand
        written = [name for cell in cells for name in split_executors(cell)[0]]
        known = {fold(name) for name in written}
        document = Catalogue([], standalone=known, forms=self)
        for entry in self.executors:
            forms = [entry.name, *entry.aliases]
            full_forms = [fold(f) for f in forms if not is_abbreviation(f)]
            full = next((name for name in written if not is_abbreviation(name) and any(
                _names(name, f) for f in full_forms)), None)
            used = full is not None or any(fold(f) in known for f in forms) or any(
                key.startswith(f + " ") for key in known for f in full_forms)
            if not used:
                continue
            canonical = full or entry.name
            aliases = [f for f in forms if fold(f) != fold(canonical)]
            document.executors.append(Executor(canonical, aliases, entry.kind))
            document._add_keys(document.executors[-1])
        return document

    def _known(self, name: str) -> bool:
        return self.find(name) is not None or fold(name) in self.standalone or (
            self.forms is not None and self.forms.find(name) is not None)

    def _split_run_together(self, names: list[str], agreed: list[str]) -> list[tuple[str, bool]]:
        """"ИМО Руководители ОО" (a comma lost in the document) -> two known executors."""
        result = []
        for name in names:
            parts = self._cut(name) if not self.find(name) else [name]
            for index, part in enumerate(parts):
                result.append((part, name in agreed and index == len(parts) - 1))
        return result

    def _cut(self, name: str) -> list[str]:
        """Cut a name between two names glued by a space; never inside quotes or one name.

        A cut needs a known name on the left and, on the right, a known name, an abbreviation
        after a known name ("Департамент образования МОНиМП"), or a new legal form after a
        capitalised word ("ГБОУ ДПО НИРО ГБУДО РЦ «Вега»"; not "на базе МБОУ СШ № 8").
        """
        words = name.split()
        for cut in range(1, len(words)):
            left, right = " ".join(words[:cut]), " ".join(words[cut:])
            if left.count("«") != left.count("»") or left.count("(") != left.count(")"):
                continue
            previous = words[cut - 1]
            boundary = words[cut] in _ORG_FORMS and previous not in _ORG_FORMS and (
                previous[:1].isupper() or previous.endswith(("»", ")", '"')))
            if boundary:
                return [left, *self._cut(right)]
            if not self._known(left):
                continue
            if self._known(right) or (is_abbreviation(right) and len(right) >= 4):
                return [left, right]
            rest = self._cut(right)
            if len(rest) > 1:
                return [left, *rest]
        return [name]


def guess_kind(name: str) -> ExecutorKind:
    """Kind of a newly met executor, from the usual Russian abbreviations."""
    key = fold(name)
    if re.search(r"\b(мбоу|моу|гимнази|лице|школ|оо|обоо|обоу|оу)\b", key) and "дпо" not in key:
        return ExecutorKind.SCHOOL
    if re.search(r"(департамент|управлени|отдел|сектор|комитет) (образовани|дополнительного образовани|по образовани)"
                 r"|\bдо\b|\bимо\b|\bдпо\b|\bмц\b", key):
        return ExecutorKind.DISTRICT
    return ExecutorKind.PARTNER
