"""Fill a Writer document used as a template, through odfpy's public API.

Fields are Writer's placeholders (Вставка → Поле → Другие поля → Функции → Поле-заполнитель),
shown as ``<Район>`` with a grey background: Writer keeps them whole through every edit and
save, so text typed around them, restyled or moved never splits a field. The rules:

* ``<Имя>`` is replaced by its value (text, or a picture or table for the fields that are one).
* A table row (outside a table: a paragraph) holding a field of a list, ``<Школа: код>``, is
  repeated for every element of that list («Школы»).
* Paragraphs between ``<Начало: Имя>`` and ``<Конец: Имя>`` are repeated for every element of the
  list «Имя»; a list of no elements drops them (this is how conditional parts are written).
* A paragraph whose fields all came out empty is dropped.

This runs inside LibreOffice's own Python too (pure Python, 3.8+): odfpy parses with the
standard library's expat. The template is checked before anything is filled: the same walk
runs over the names alone (every list with one element), so a misspelt field is found even
where the data would have left its row out, and is named with where it is.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Union

from odf import draw, style, table, teletype, text
from odf.element import Element, Text
from odf.namespaces import OFFICENS, STYLENS, TABLENS, TEXTNS
from odf.opendocument import OpenDocument, load

from ..errors import RoadmapError

BLOCK_START = "Начало: "
BLOCK_END = "Конец: "
MAX_PROBLEMS = 5  # named in one message; more would hide the first behind a wall of text


class TemplateError(RoadmapError):
    """The report template cannot be used: not a Writer document, or a field is not known."""


@dataclass
class Picture:
    """A field's value that is an image (SVG), set in the text as a character."""

    name: str  # file name inside the document, "schools.svg"
    data: bytes
    width_cm: float
    height_cm: float
    mediatype: str = "image/svg+xml"


@dataclass
class TableValue:
    """A field's value that is a whole table (its columns vary with the data): the paragraph
    holding the field is replaced by it."""

    name: str
    widths_cm: List[float]
    header: List[str]
    rows: List[List[str]]
    numeric: frozenset = frozenset()


Context = Dict[str, Any]


# ---- reading ------------------------------------------------------------------------------


def load_template(source: Union[str, os.PathLike, bytes], label: str) -> OpenDocument:
    """A template as an odfpy document; ``label`` names it in messages."""
    try:
        document = load(io.BytesIO(source) if isinstance(source, bytes) else os.fspath(source))
    except Exception:  # odfpy raises zip, XML and key errors alike
        raise TemplateError(f"шаблон отчёта «{label}» не читается: это не документ Writer (ODT) "
                            "или файл повреждён") from None
    if document.mimetype != "application/vnd.oasis.opendocument.text":
        raise TemplateError(f"шаблон отчёта «{label}» — не текстовый документ Writer (ODT)")
    return document


def field_name(placeholder: Element) -> str:
    """``<Школа: код>`` -> ``Школа: код`` (Writer stores the angle brackets in the text)."""
    name = " ".join(teletype.extractText(placeholder).split())
    if name.startswith("<") and name.endswith(">"):
        name = name[1:-1].strip()
    return name


def _is(node: Any, ns: str, local: str) -> bool:
    return getattr(node, "qname", None) == (ns, local)


def _placeholders(node: Element) -> List[Element]:
    return list(node.getElementsByType(text.Placeholder))


# ---- the walk -----------------------------------------------------------------------------


Scope = tuple  # (values, schema): a dict of values and the dict of the same names' descriptions


class _Walk:
    """One walk over a template: fills it, or (when checking) fills a throwaway copy with the
    descriptions, every list holding one element, and collects the problems."""

    def __init__(self, document: OpenDocument, schema: Context) -> None:
        self.document = document
        self.schema = schema
        self.problems: List[str] = []
        self.copies: Dict[str, int] = {}

    # -- names
    @staticmethod
    def lookup(name: str, scopes: List[Scope]) -> tuple:
        """(the value, None) of a field, or (None, list name) for a field of a list in scope."""
        for values, schema in reversed(scopes):
            if name in schema and not isinstance(schema[name], list):
                return values.get(name), None
        for values, schema in reversed(scopes):
            for key, sub in schema.items():
                if isinstance(sub, list) and name in sub[0]:
                    return None, key
        raise KeyError(name)

    @staticmethod
    def items(name: str, scopes: List[Scope]) -> Optional[List[Scope]]:
        """The elements of list ``name`` as scopes, None when no list has that name."""
        for values, schema in reversed(scopes):
            if isinstance(schema.get(name), list):
                return [(item, schema[name][0]) for item in values.get(name) or []]
        return None

    def problem(self, node: Element, message: str) -> None:
        message += _where(node)
        if message not in self.problems:
            self.problems.append(message)

    # -- containers
    def children(self, parent: Element, scopes: List[Scope], nodes: Optional[list] = None) -> None:
        nodes = list(parent.childNodes) if nodes is None else nodes
        i = 0
        while i < len(nodes):
            node = nodes[i]
            marker = _marker(node)
            if marker is not None:
                i = self.block(parent, nodes, i, marker, scopes)
                continue
            if _is(node, TABLENS, "table-row"):
                self.repeated(parent, node, scopes)
            elif _is(node, TEXTNS, "p") or _is(node, TEXTNS, "h"):
                self.repeated(parent, node, scopes, paragraph=True)
            elif hasattr(node, "childNodes") and not _is(node, TEXTNS, "placeholder"):
                self.children(node, scopes)
            i += 1

    def block(self, parent: Element, nodes: list, i: int, marker: tuple, scopes: List[Scope]) -> int:
        """Repeat the nodes between a start marker and its end marker; returns the index after the end."""
        kind, name = marker
        if kind == "end":
            self.problem(nodes[i], f"поле «<{BLOCK_END}{name}>» стоит без парного «<{BLOCK_START}{name}>»")
            parent.removeChild(nodes[i])
            return i + 1
        depth, end = 0, None
        for j in range(i + 1, len(nodes)):
            other = _marker(nodes[j])
            if other == ("start", name):
                depth += 1
            elif other == ("end", name):
                if depth == 0:
                    end = j
                    break
                depth -= 1
        if end is None:
            self.problem(nodes[i], f"у поля «<{BLOCK_START}{name}>» нет парного «<{BLOCK_END}{name}>» "
                                   "(оба должны стоять отдельными абзацами на одном уровне, вне таблиц)")
            parent.removeChild(nodes[i])
            return i + 1
        items = self.items(name, scopes)
        if items is None:
            self.problem(nodes[i], f"неизвестный повторяемый блок «<{BLOCK_START}{name}>»")
            items = []
        body = nodes[i + 1:end]
        for item in items:
            copies = [_clone(node) for node in body]
            for copy in copies:
                self.rename_tables(copy)
                self.insert(parent, copy, nodes[i])
            self.children(parent, scopes + [item], copies)
        for node in nodes[i:end + 1]:
            _remove(parent, node)
        return end + 1

    def repeated(self, parent: Element, node: Element, scopes: List[Scope], paragraph: bool = False) -> None:
        """A row or paragraph: filled once, or once per element of the list its fields belong to."""
        lists = []
        for placeholder in _placeholders(node):
            try:
                _, owner = self.lookup(field_name(placeholder), scopes)
            except KeyError:
                continue  # named by fill() below
            if owner and owner not in lists:
                lists.append(owner)
        if len(lists) > 1:
            self.problem(node, "в одной строке таблицы (абзаце) поля разных перечней: «" + "», «".join(lists) + "»")
        if len(lists) != 1:
            self.fill(parent, node, scopes, paragraph)
            return
        for item in self.items(lists[0], scopes):
            copy = _clone(node)
            self.insert(parent, copy, node)
            self.fill(parent, copy, scopes + [item], paragraph)
        parent.removeChild(node)

    def fill(self, parent: Element, node: Element, scopes: List[Scope], paragraph: bool) -> None:
        placeholders = _placeholders(node)
        if not placeholders:
            if not paragraph:  # a row: its cells may hold tables of their own
                self.children(node, scopes)
            return
        values = []
        for placeholder in placeholders:  # all named before any is replaced, so messages quote the template
            name = field_name(placeholder)
            try:
                value, owner = self.lookup(name, scopes)
            except KeyError:
                value, owner = None, None
                self.problem(placeholder, self.unknown(name))
            if owner:  # a field of a list outside the row that repeats it
                self.problem(placeholder, f"поле «<{name}>» относится к перечню «{owner}»: оно должно стоять в "
                                          f"строке таблицы или между «<{BLOCK_START}{owner}>» и «<{BLOCK_END}{owner}>»")
            if isinstance(value, TableValue) and not (paragraph and len(placeholders) == 1):
                self.problem(placeholder, f"поле-таблица «<{name}>» должно стоять отдельным абзацем вне таблиц")
                value = None
            values.append(value)
        if isinstance(values[0], TableValue):
            if values[0].rows:
                self.insert(parent, self.table(values[0]), node)
            parent.removeChild(node)
            return
        shown = False
        for placeholder, value in zip(placeholders, values):
            shown = self.replace(placeholder, value) or shown
        if paragraph and not shown and not teletype.extractText(node).strip() and not _has_frames(node):
            parent.removeChild(node)

    def unknown(self, name: str) -> str:
        """Why a name is not a field here: misspelt, or a field of a list used outside it."""
        owner = _owner(name, self.schema)
        if owner:
            return (f"поле «<{name}>» здесь недоступно: оно относится к перечню «{owner}» и должно стоять в его "
                    f"строке таблицы или между «<{BLOCK_START}{owner}>» и «<{BLOCK_END}{owner}>»")
        return f"неизвестное поле «<{name}>»"

    def replace(self, placeholder: Element, value: Any) -> bool:
        """Put ``value`` where the placeholder was; True if something visible was put."""
        holder = placeholder.parentNode
        if isinstance(value, Picture):
            self.insert(holder, self.picture(value), placeholder)
            holder.removeChild(placeholder)
            return True
        value = "" if value is None else str(value)
        if value:
            span = text.Span()
            teletype.addTextToElement(span, value)
            self.insert(holder, span, placeholder)
        holder.removeChild(placeholder)
        return bool(value.strip())

    def insert(self, parent: Element, new: Element, before: Element) -> None:
        """Insert ``new`` and register it with the document as odfpy's addElement does, so that
        it can be found and removed like the template's own elements."""
        parent.insertBefore(new, before)
        for element in [new] + list(_elements(new)):
            element.ownerDocument = self.document
        self.document.rebuild_caches(new)

    # -- values that are elements
    def picture(self, picture: Picture) -> Element:
        name = self.unique(picture.name)
        href = self.document.addPicture(f"Pictures/{name}", picture.mediatype, picture.data)
        frame = draw.Frame(anchortype="as-char", width=f"{picture.width_cm}cm", height=f"{picture.height_cm}cm",
                           name=name.rsplit(".", 1)[0], zindex="0")
        frame.addElement(draw.Image(href=href, type="simple", show="embed", actuate="onLoad"))
        return frame

    def table(self, value: TableValue) -> Element:
        return new_table(self.document, self.unique(value.name), value.widths_cm, value.header, value.rows,
                         value.numeric)

    def unique(self, name: str) -> str:
        count = self.copies.get(name, 0) + 1
        self.copies[name] = count
        if count == 1:
            return name
        stem, dot, suffix = name.rpartition(".")
        return f"{stem}_{count}.{suffix}" if dot and len(suffix) <= 4 else f"{name}_{count}"

    def rename_tables(self, node: Element) -> None:
        """Copies of a table keep distinct names (Writer renames duplicates, another reader may not)."""
        found = list(node.getElementsByType(table.Table)) if hasattr(node, "qname") else []
        if _is(node, TABLENS, "table") and node not in found:
            found.insert(0, node)
        for element in found:
            name = element.getAttrNS(TABLENS, "name")
            if name:
                element.setAttrNS(TABLENS, "name", self.unique(name))


def new_table(doc: OpenDocument, name: str, widths: List[float], header: list, rows: list,
              numeric=(), row_style: Optional[str] = None) -> Element:
    """A bordered table of ``widths`` (cm) with a repeated header row; a cell's value is text or
    an element (a field). The look the built-in template has always had."""
    table_style = style.Style(name=name, family="table")
    table_style.addElement(style.TableProperties(width=f"{sum(widths):.2f}cm", align="margins",
                                                 margintop="0.1cm", marginbottom="0.3cm"))
    doc.automaticstyles.addElement(table_style)
    result = table.Table(name=name, stylename=table_style)
    for n, width in enumerate(widths, start=1):
        column_style = style.Style(name=f"{name}.C{n}", family="table-column")
        column_style.addElement(style.TableColumnProperties(columnwidth=f"{width}cm",
                                                            relcolumnwidth=f"{int(width * 1000)}*"))
        doc.automaticstyles.addElement(column_style)
        result.addElement(table.TableColumn(stylename=column_style))
    head = table.TableHeaderRows()
    head.addElement(_row(cell_style(doc, "cellh", "#e6e6e6"), header, lambda n: "Table_20_Heading", row_style))
    result.addElement(head)
    plain = cell_style(doc, "cell", None)
    for values in rows:
        result.addElement(_row(plain, values, lambda n: "Table_20_Number" if n in numeric else "Table_20_Contents",
                               row_style))
    return result


def _row(cell: str, values: list, paragraph_style, row_style: Optional[str]) -> Element:
    row = table.TableRow(**({"stylename": row_style} if row_style else {}))
    for n, value in enumerate(values):
        element = table.TableCell(stylename=cell, valuetype="string")
        paragraph = text.P(stylename=paragraph_style(n))
        if isinstance(value, str):
            teletype.addTextToElement(paragraph, value)
        else:
            paragraph.addElement(value)
        element.addElement(paragraph)
        row.addElement(element)
    return row


def cell_style(doc: OpenDocument, name: str, background: Optional[str]) -> str:
    """A bordered table-cell style (shaded with ``background``), made unless the document has it."""
    for existing in doc.automaticstyles.getElementsByType(style.Style):
        if existing.getAttribute("name") == name:
            return name
    cell = style.Style(name=name, family="table-cell")
    props = {"padding": "0.06cm", "border": "0.5pt solid #000000"}
    if background:
        props["backgroundcolor"] = background
    cell.addElement(style.TableCellProperties(**props))
    doc.automaticstyles.addElement(cell)
    return name


def _owner(name: str, schema: Context) -> str:
    """The list anywhere in ``schema`` whose elements have field ``name`` ("" if none)."""
    for key, sub in schema.items():
        if isinstance(sub, list):
            if name in sub[0]:
                return key
            found = _owner(name, sub[0])
            if found:
                return found
    return ""


def _remove(parent: Element, node: Any) -> None:
    """Remove an element; a text node (odfpy keeps no cache of them to update) is emptied."""
    if hasattr(node, "qname"):
        parent.removeChild(node)
    else:
        node.data = ""


def _elements(node: Element):
    for child in node.childNodes:
        if hasattr(child, "qname"):
            yield child
            yield from _elements(child)


def _has_frames(node: Element) -> bool:
    return bool(node.getElementsByType(draw.Frame))


def _marker(node: Any) -> Optional[tuple]:
    """("start"|"end", name) for a paragraph holding a block marker field."""
    if not (_is(node, TEXTNS, "p") or _is(node, TEXTNS, "h")):
        return None
    for placeholder in node.getElementsByType(text.Placeholder):
        name = field_name(placeholder)
        if name.startswith(BLOCK_START.strip()) and ":" in name:
            return "start", name.split(":", 1)[1].strip()
        if name.startswith(BLOCK_END.strip()) and ":" in name:
            return "end", name.split(":", 1)[1].strip()
    return None


def _clone(node: Any) -> Any:
    if isinstance(node, Text) or not hasattr(node, "qname"):
        return Text(node.data)
    copy = Element(qname=node.qname, check_grammar=False)
    copy.attributes.update(node.attributes)  # values as loaded: converting each again costs a third of a fill
    for child in node.childNodes:
        copy.appendChild(_clone(child))
    return copy


def _where(node: Any) -> str:
    """«(раздел «…», таблица «…», строка N)» or «(раздел «…», абзац «…»)» for a message."""
    parts = []
    row = cell_table = paragraph = None
    top = node
    while getattr(top, "parentNode", None) is not None and not _is(top.parentNode, OFFICENS, "text"):
        if getattr(top, "qname", (None, None))[0] == STYLENS:  # a header or footer of a page style
            return f" (колонтитул, абзац «{_short(teletype.extractText(paragraph or node))}»)"
        if _is(top, TABLENS, "table-row") and row is None:
            row = top
        if _is(top, TABLENS, "table") and cell_table is None:
            cell_table = top
        if (_is(top, TEXTNS, "p") or _is(top, TEXTNS, "h")) and paragraph is None:
            paragraph = top
        top = top.parentNode
    if (_is(top, TEXTNS, "p") or _is(top, TEXTNS, "h")) and paragraph is None:
        paragraph = top
    if _is(top, TABLENS, "table") and cell_table is None:
        cell_table = top
    heading = _heading_before(top)
    parts.append(f"раздел «{heading}»" if heading else "в начале документа")
    if cell_table is not None:
        rows = list(cell_table.getElementsByType(table.TableRow))
        number = next((n for n, r in enumerate(rows, start=1) if r is row), None)
        parts.append(f"таблица «{cell_table.getAttrNS(TABLENS, 'name')}»" + (f", строка {number}" if number else ""))
    elif paragraph is not None:
        parts.append(f"абзац «{_short(teletype.extractText(paragraph))}»")
    return " (" + ", ".join(parts) + ")"


def _heading_before(top: Any) -> str:
    parent = getattr(top, "parentNode", None)
    if parent is None:
        return ""
    heading = ""
    for sibling in parent.childNodes:
        if sibling is top:
            break
        if _is(sibling, TEXTNS, "h"):
            heading = _short(teletype.extractText(sibling))
    if _is(top, TEXTNS, "h"):
        heading = heading or ""
    return heading


def _short(value: str, limit: int = 60) -> str:
    value = " ".join(value.split())
    return value if len(value) <= limit else value[:limit - 1] + "…"


# ---- the two entry points -------------------------------------------------------------------


def check_template(document: OpenDocument, schema: Context, label: str) -> None:
    """Raise TemplateError naming every unknown field (and where it is) of ``document``.

    ``schema`` has the shape of the values: a description per field, a list of one dict per
    list of fields. The walk fills a throwaway copy with it, so each part is visited once."""
    copy = load_template(_bytes(document), label)
    walk = _Walk(copy, schema)
    for part in _parts(copy):
        walk.children(part, [(schema, schema)])
    if walk.problems:
        shown = walk.problems[:MAX_PROBLEMS]
        more = len(walk.problems) - len(shown)
        raise TemplateError(
            f"шаблон отчёта «{label}»: " + "; ".join(shown) + (f"; и ещё {more}" if more > 0 else "")
            + ". Исправьте поле в Writer (Правка → Поля) или вставьте его заново; перечень полей — "
              "в руководстве, раздел «Шаблон отчёта»")


def fill_template(document: OpenDocument, values: Context, schema: Context) -> OpenDocument:
    """Fill ``document`` in place with ``values`` (checked first with :func:`check_template`)."""
    for soft in list(document.text.getElementsByType(text.SoftPageBreak)):
        soft.parentNode.removeChild(soft)  # page breaks of the template's layout, stale once filled
    walk = _Walk(document, schema)
    for part in _parts(document):
        walk.children(part, [(values, schema)])
    return document


def _parts(document: OpenDocument) -> list:
    """Where fields may stand: the text, and the headers and footers of the page styles (a
    district and period at the head of every page)."""
    kinds = (style.Header, style.HeaderLeft, style.Footer, style.FooterLeft)
    return [document.text] + [part for kind in kinds for part in document.masterstyles.getElementsByType(kind)]


def template_bytes(document: OpenDocument) -> bytes:
    return _bytes(document)


def _bytes(document: OpenDocument) -> bytes:
    buffer = io.BytesIO()
    document.write(buffer)
    return buffer.getvalue()
