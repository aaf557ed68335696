"""The tokenizer: one part of the zip parsed once into (event, element) pairs, and the XML policy.

Two tokenizers give the same events: lxml where it is installed, the standard library's
``ElementTree.XMLPullParser`` inside LibreOffice. Events are ``("start", element)`` and
``("end", element)`` for the elements of ``tags`` (lxml filters in C; the handlers above
ignore tags they do not know), and elements answer the ElementTree interface both share
(``tag``, ``get``, ``text``, ``tail``, iteration, ``len``, ``clear``). Everything above this
module — limits, values, cells — is written once.

The XML policy is decided here, once for both: a document type declaration is accepted only
as a bare public identifier (``<!DOCTYPE x PUBLIC "…" "…">``, as LibreOffice writes into a
Basic library and older producers into ``manifest.xml``); it is never loaded. An internal
subset (entity or attribute declarations) or a system-only identifier is refused. The
standard library's path keeps libxml2's own limits (nesting 256, names 50,000 characters,
text nodes 10,000,000, namespace names that are URI references), so a crafted file gets one
verdict on both.
"""

from __future__ import annotations

import io
import re
from typing import Any, Iterator, Tuple

from ..errors import FileReadError
from . import limits as L
from .zipsafe import Archive, ContainerError

try:
    from lxml import etree as _lxml
except ImportError:  # pragma: no cover - inside LibreOffice
    _lxml = None

Event = Tuple[str, Any]


class UnsafeXml(FileReadError):
    """The part declares a document type other than a bare public identifier."""

    def __init__(self, detail: str = "") -> None:
        super().__init__("XML-часть документа содержит объявления DOCTYPE/ENTITY (возможная атака)")
        self.detail = detail


class BrokenXml(FileReadError):
    """The part is not well-formed XML; ``line`` is where the parser stopped (0 if unknown)."""

    def __init__(self, detail: str, line: int = 0) -> None:
        super().__init__("XML-часть документа повреждена: нарушена разметка" + (f" (строка {line})" if line else ""))
        self.detail = detail
        self.line = line


def lxml_available(pure: bool = False) -> bool:
    """True when lxml tokenizes (everywhere but inside LibreOffice, or with ``pure``)."""
    return _lxml is not None and not pure


def part_events(archive: Archive, name: str, tags: tuple, pure: bool = False,
                starts: bool = False) -> Iterator[Event]:
    """The events of part ``name`` for the elements of ``tags``: their ends, and with ``starts``
    their starts too (no tags: the part is only checked). Faults become a Russian
    :class:`ContainerError` naming the part."""
    kinds = ("start", "end") if starts else ("end",)
    try:
        with archive.unpacking(name):
            if lxml_available(pure):
                yield from _lxml_events(archive, name, tags, kinds)
            else:
                yield from _stdlib_events(archive, name, tags, kinds)
    except UnsafeXml:
        raise ContainerError(f"часть «{name}» содержит объявления DOCTYPE/ENTITY (возможная атака); "
                             "файл не обработан") from None
    except BrokenXml as exc:
        where = f" (строка {exc.line})" if exc.line else ""
        raise ContainerError(f"часть «{name}» повреждена: нарушена разметка XML{where}") from None


def check_part(archive: Archive, name: str, pure: bool = False) -> None:
    """Parse a part for well-formedness and the policy only."""
    for _ in part_events(archive, name, (), pure):
        pass


# ---- the policy, seen by expat on the prolog for both tokenizers ------------------------------

class _Root(FileReadError):
    """Not a fault: stops the prolog's parser at the root element."""


class _Prolog:
    """Watches a part's prolog (up to the root element) for a document type declaration."""

    def __init__(self) -> None:
        import xml.parsers.expat as expat

        self.parser = expat.ParserCreate()
        self.parser.StartDoctypeDeclHandler = self.doctype
        self.parser.EntityDeclHandler = self.entity
        self.parser.StartElementHandler = self.root
        self.done = False

    def doctype(self, name, system_id, public_id, has_internal_subset) -> None:
        if has_internal_subset or not public_id:
            raise UnsafeXml(name)

    def entity(self, *args) -> None:
        raise UnsafeXml("ENTITY")

    def root(self, *args) -> None:
        raise _Root

    def feed(self, chunk: bytes, last: bool = False) -> None:
        if self.done:
            return
        try:
            self.parser.Parse(chunk, last)
        except _Root:
            self.done = True
        except Exception as exc:  # noqa: BLE001 - a syntax error: the tokenizer reports it
            if isinstance(exc, UnsafeXml):
                raise
            self.done = True
        if last:
            self.done = True


# ---- lxml ------------------------------------------------------------------------------------

# what every lxml parse is told: no entities, no network, no DTD, libxml2's size limits
_SAFE = {"resolve_entities": False, "no_network": True, "load_dtd": False, "huge_tree": False,
         "remove_comments": True, "remove_pis": True}
_NONE = "{urn:x-roadmap-office}none"  # a tag no part holds: lxml then gives no events


def _lxml_events(archive: Archive, name: str, tags: tuple, kinds: tuple) -> Iterator[Event]:
    with archive.open(name) as stream:
        data = stream.read_up_to(L.WALK_BYTES + 1)
    prolog = _Prolog()
    prolog.feed(data[:1 << 20], len(data) <= 1 << 20)
    if len(data) <= L.WALK_BYTES:  # every real part: parsed whole in C, then walked
        try:
            root = _lxml.fromstring(data, _lxml.XMLParser(**_SAFE))
        except _lxml.XMLSyntaxError as exc:
            raise BrokenXml(str(exc), exc.lineno or 0) from None
        _lxml_policy(root)
        if tags:
            yield from _lxml.iterwalk(root, events=kinds, tag=tags)
        return
    archive.inflated -= len(data)  # too large to hold: parsed again, as a stream
    with archive.open(name) as stream:
        parser = _lxml.iterparse(io.BufferedReader(stream, 1 << 16), events=kinds, tag=tags or _NONE, **_SAFE)
        first = True
        try:
            for event, element in parser:
                if first:
                    first = False
                    _lxml_policy(element)
                yield event, element
                if event == "end" and element.getparent() is not None:
                    _release(element)
            if parser.root is not None:
                _lxml_policy(parser.root)
        except _lxml.XMLSyntaxError as exc:
            raise BrokenXml(str(exc), exc.lineno or 0) from None


def _lxml_policy(element) -> None:
    """The policy once more from libxml2's view, for a prolog expat could not read."""
    info = element.getroottree().docinfo
    if info.doctype and not info.public_id:
        raise UnsafeXml(info.doctype)
    dtd = info.internalDTD
    if dtd is not None and (any(True for _ in dtd.iterentities()) or any(True for _ in dtd.iterelements())):
        raise UnsafeXml(info.doctype)


def _release(el) -> None:
    """Free a finished element and the finished siblings before it (a streamed part only)."""
    el.clear()
    parent = el.getparent()
    previous = el.getprevious()
    while previous is not None and previous.tag == el.tag:
        parent.remove(previous)
        previous = el.getprevious()


# ---- the standard library ---------------------------------------------------------------------

# a namespace name must be a URI reference (RFC 3986), as libxml2 checks it
_PCHAR = r"(?:[A-Za-z0-9\-._~!$&'()*+,;=:@]|%[0-9A-Fa-f]{2})"
_QUERY = rf"(?:{_PCHAR}|[/?])*"
_HOST = r"(?:\[[0-9A-Fa-f:.vV]+\]|(?:[A-Za-z0-9\-._~!$&'()*+,;=]|%[0-9A-Fa-f]{2})*)"
_AUTHORITY = rf"(?:(?:[A-Za-z0-9\-._~!$&'()*+,;=:]|%[0-9A-Fa-f]{{2}})*@)?{_HOST}(?::[0-9]*)?"
_PATHS = rf"//{_AUTHORITY}(?:/{_PCHAR}*)*|/(?:{_PCHAR}+(?:/{_PCHAR}*)*)?"
_FIRST_NO_COLON = r"(?:[A-Za-z0-9\-._~!$&'()*+,;=@]|%[0-9A-Fa-f]{2})+"
_URI_REFERENCE = re.compile(
    rf"(?:[A-Za-z][A-Za-z0-9+\-.]*:(?:{_PATHS}|{_PCHAR}+(?:/{_PCHAR}*)*)?"
    rf"|(?:{_PATHS}|{_FIRST_NO_COLON}(?:/{_PCHAR}*)*)?)(?:\?{_QUERY})?(?:#{_QUERY})?")
MAX_DEPTH = 256
MAX_NAME = 50_000
MAX_TEXT_NODE = 10_000_000
# a run this long without markup is the only way a name can be over libxml2's limit: only a part
# holding one has its names measured element by element
_LONG_RUN = re.compile(rb"[^\s<>=\"'/]{%d}" % MAX_NAME)


def _stdlib_events(archive: Archive, name: str, tags: tuple, kinds: tuple) -> Iterator[Event]:
    import xml.etree.ElementTree as ET

    wanted = frozenset(tags)
    prolog = _Prolog()
    parser = ET.XMLPullParser(events=("start-ns", "start", "end"))
    depth = 0
    long_names = False
    seen, tail = 0, b""
    ended = None  # the element that ended last: its tail is complete at the next event
    with archive.open(name) as stream:
        reader = io.BufferedReader(stream, 1 << 16)
        try:
            while True:
                chunk = reader.read(1 << 16)
                last = not chunk
                prolog.feed(chunk, last)
                seen += len(chunk)
                # a long name may lie across two chunks; past MAX_TEXT_NODE bytes any value may be too long
                long_names = long_names or seen > MAX_TEXT_NODE or _LONG_RUN.search(tail + chunk) is not None
                tail = chunk[-MAX_NAME:]
                parser.close() if last else parser.feed(chunk)
                for event, element in parser.read_events():
                    if event == "start-ns":
                        prefix, uri = element
                        if len(prefix) > MAX_NAME or len(uri) > MAX_TEXT_NODE:
                            raise BrokenXml("Name or value too long")
                        if (uri or prefix) and not _URI_REFERENCE.fullmatch(uri):
                            raise BrokenXml(f"xmlns: {uri[:100]!r} is not a valid URI")
                        continue
                    if ended is not None and ended.tail and len(ended.tail) > MAX_TEXT_NODE:
                        raise BrokenXml("Text node too long")
                    if event == "start":
                        depth += 1
                        if depth > MAX_DEPTH:
                            raise BrokenXml(f"Excessive depth in document: {MAX_DEPTH}")
                        if long_names:
                            _check_names(element)
                        ended = None
                    else:
                        depth -= 1
                        if element.text and len(element.text) > MAX_TEXT_NODE:
                            raise BrokenXml("Text node too long")
                        ended = element
                    if element.tag in wanted and event in kinds:
                        yield event, element
                if last:
                    return
        except ET.ParseError as exc:
            raise BrokenXml(str(exc), exc.position[0] if exc.position else 0) from None


def _check_names(element) -> None:
    tag = element.tag
    if len(tag) > MAX_NAME and len(tag.rpartition("}")[2]) > MAX_NAME:
        raise BrokenXml("Name too long")
    for key, value in element.attrib.items():
        if len(value) > MAX_TEXT_NODE or (len(key) > MAX_NAME and len(key.rpartition("}")[2]) > MAX_NAME):
            raise BrokenXml("Name or value too long")
