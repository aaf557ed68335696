"""Streaming XML parsing that refuses DTDs and entities by the parser itself.

lxml is used when it is installed (fast): entities are never resolved, no network, no DTD
loading, and a document type declaration anywhere before the root element (after a long
comment, in UTF-16 ...) is refused from the parsed document info. Inside LibreOffice's own
Python, where lxml is absent, defusedxml's expat parser refuses the same declarations.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

from ..errors import FileReadError

try:
    from lxml import etree as _lxml
except ImportError:  # pragma: no cover - inside LibreOffice
    _lxml = None


class UnsafeXml(FileReadError):
    """The part declares a document type or entities (a possible attack)."""

    def __init__(self, detail: str = "") -> None:
        super().__init__("XML-часть документа содержит объявления DOCTYPE/ENTITY (возможная атака)")
        self.detail = detail


class BrokenXml(FileReadError):
    """The part is not well-formed XML; ``line`` is where the parser stopped (0 if unknown)."""

    def __init__(self, detail: str, line: int = 0) -> None:
        super().__init__("XML-часть документа повреждена: нарушена разметка" + (f" (строка {line})" if line else ""))
        self.detail = detail
        self.line = line


def iterparse(stream: IO[bytes], events: tuple[str, ...] = ("end",), pure: bool = False,
              tags: tuple[str, ...] | None = None) -> Iterator[tuple[str, Any]]:
    """(event, element) pairs like ``ElementTree.iterparse``; raises UnsafeXml or BrokenXml.

    ``pure`` forces the standard-library parser (what runs inside LibreOffice). ``tags`` lets
    lxml skip the events of other elements in C; the standard-library parser still gives them
    all, so a handler must ignore tags it does not know.
    """
    if _lxml is not None and not pure:
        return _lxml_events(stream, events, tags)
    return _expat_events(stream, events)


def walk(data: bytes, events: tuple[str, ...] = ("end",), tags: tuple[str, ...] | None = None
         ) -> Iterator[tuple[str, Any]]:
    """The events of :func:`iterparse` for a part already in memory (lxml only).

    The whole part is parsed in C and then walked: about twice as fast as parsing with
    events, for parts small enough to hold (the caller decides; a school's sheet is < 1 MB).
    """
    parser = _lxml.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                             remove_comments=True, remove_pis=True)
    try:
        root = _lxml.fromstring(data, parser)
    except _lxml.XMLSyntaxError as exc:
        raise BrokenXml(str(exc), exc.lineno or 0) from None
    _refuse_dtd(root.getroottree())
    return _lxml.iterwalk(root, events=events, tag=tags)


def can_walk(pure: bool = False) -> bool:
    return _lxml is not None and not pure


def check_part(stream: IO[bytes], pure: bool = False) -> None:
    """Parse a whole part for well-formedness and DTDs only, building nothing.

    With lxml no Python code runs per element (a parser target without element callbacks).
    """
    if _lxml is None or pure:
        for _, element in _expat_events(stream, ("end",)):
            element.clear()
        return
    parser = _lxml.XMLParser(target=_DoctypeAlarm(), resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=False)
    try:
        while True:
            chunk = stream.read(1 << 16)
            if not chunk:
                break
            parser.feed(chunk)
        parser.close()
    except _lxml.XMLSyntaxError as exc:
        raise BrokenXml(str(exc), exc.lineno or 0) from None


class _DoctypeAlarm:
    """lxml parser target: a document type declaration anywhere stops the parse."""

    def doctype(self, name, public_id, system_url) -> None:
        raise UnsafeXml(name or "DOCTYPE")

    def close(self) -> None:
        return None


def _refuse_dtd(tree) -> None:
    info = tree.docinfo
    if info.doctype or info.internalDTD is not None or info.externalDTD is not None:
        raise UnsafeXml(info.doctype or "DOCTYPE")


def _lxml_events(stream, events, tags):
    parser = _lxml.iterparse(stream, events=events, tag=tags, resolve_entities=False, no_network=True,
                             load_dtd=False, huge_tree=False, remove_comments=True, remove_pis=True)
    first = True
    try:
        for event, element in parser:
            if first:
                first = False
                _refuse_dtd(element.getroottree())
            yield event, element
        if first and parser.root is not None:  # no element of ``tags``: the declaration is still refused
            _refuse_dtd(parser.root.getroottree())
    except _lxml.XMLSyntaxError as exc:
        raise BrokenXml(str(exc), exc.lineno or 0) from None


def _expat_events(stream, events):
    import xml.etree.ElementTree as ET

    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import iterparse as defused_iterparse

    try:
        yield from defused_iterparse(stream, events=events, forbid_dtd=True, forbid_entities=True,
                                     forbid_external=True)
    except DefusedXmlException as exc:
        raise UnsafeXml(repr(exc)) from None
    except ET.ParseError as exc:
        raise BrokenXml(str(exc), exc.position[0] if exc.position else 0) from None
