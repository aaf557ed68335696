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


def iterparse(stream: IO[bytes], events: tuple[str, ...] = ("end",), pure: bool = False) -> Iterator[tuple[str, Any]]:
    """(event, element) pairs like ``ElementTree.iterparse``; raises UnsafeXml or BrokenXml.

    ``pure`` forces the standard-library parser (what runs inside LibreOffice).
    """
    if _lxml is not None and not pure:
        return _lxml_events(stream, events)
    return _expat_events(stream, events)


def _lxml_events(stream, events):
    parser = _lxml.iterparse(stream, events=events, resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=False, remove_comments=True, remove_pis=True)
    first = True
    try:
        for event, element in parser:
            if first:
                first = False
                info = element.getroottree().docinfo
                if info.doctype or info.internalDTD is not None or info.externalDTD is not None:
                    raise UnsafeXml(info.doctype or "DOCTYPE")
            yield event, element
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
