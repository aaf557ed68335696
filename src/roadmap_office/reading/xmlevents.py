"""The tokenizer: one part of the zip parsed once into (event, element) pairs, and the XML policy.

Two tokenizers give the same events: lxml where it is installed, the standard library's
``ElementTree`` inside LibreOffice. A reader names *containers* (``("start", element)`` and
``("end", element)``, e.g. a table) and *leaves* (only ``("end", element)`` once the element is
complete, e.g. a row, and no event from inside it); elements answer the ElementTree interface
both share (``tag``, ``get``, ``text``, ``tail``, iteration, ``len``, ``clear``). Everything
above this module — limits, values, cells — is written once. A part up to
:data:`~.limits.WALK_BYTES` is parsed whole in C and walked; a larger one is parsed as a stream.

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
from typing import Any, Iterator, Optional, Tuple

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


def attributes(pure: bool = False):
    """The function that gives an element's attributes as a dict, for the tokenizer in use: the
    standard library's elements hold one; lxml answers one ``get`` slower than a dict copy of
    all of them."""
    return _lxml_attributes if lxml_available(pure) else _stdlib_attributes


def _lxml_attributes(element) -> dict:
    return dict(element.items())


def _stdlib_attributes(element) -> dict:
    return element.attrib


def children(pure: bool = False):
    """The function that gives an element's children of some tags, in order, for the tokenizer
    in use (lxml picks them in C)."""
    return _lxml_children if lxml_available(pure) else _stdlib_children


def _lxml_children(element, tags: tuple):
    return element.iterchildren(*tags)


def _stdlib_children(element, tags: tuple):
    return [child for child in element if child.tag in tags]


def part_events(archive: Archive, name: str, containers: tuple = (), leaves: tuple = (),
                pure: bool = False) -> Iterator[Event]:
    """The events of part ``name`` (no containers or leaves: the part is only checked). Faults
    become a Russian :class:`ContainerError` naming the part."""
    try:
        with archive.unpacking(name):
            tokens = _lxml_events if lxml_available(pure) else _stdlib_events
            yield from tokens(archive, name, frozenset(containers), frozenset(leaves))
    except UnsafeXml:
        raise _unsafe(name) from None
    except BrokenXml as exc:
        where = f" (строка {exc.line})" if exc.line else ""
        raise ContainerError(f"часть «{name}» повреждена: нарушена разметка XML{where}") from None


def _unsafe(name: str) -> ContainerError:
    return ContainerError(f"часть «{name}» содержит объявления DOCTYPE/ENTITY (возможная атака); файл не обработан")


def _whole(archive: Archive, name: str) -> Optional[bytes]:
    """The part's bytes when it is small enough to parse whole (every real part), else None."""
    with archive.open(name) as stream:
        data = stream.read_up_to(L.WALK_BYTES + 1)
    if len(data) <= L.WALK_BYTES:
        return data
    archive.inflated -= len(data)  # read again below, as a stream
    return None


def _streamed(events, containers, leaves) -> Iterator[Event]:
    """The events of a streaming parser (start and end of every element it reports) as
    containers' and leaves' events: nothing from inside a leaf."""
    inside = 0  # leaves open around the current element
    for event, element in events:
        tag = element.tag
        if tag in leaves:
            if event == "start":
                inside += 1
                continue
            inside -= 1
            if inside == 0:
                yield event, element
                element.clear()  # read: its memory is given back while the stream goes on
        elif inside == 0 and tag in containers:
            yield event, element


def check_policy(archive: Archive, name: str) -> None:
    """A part whose content nothing reads: inflated (counted, its checksum checked) and its
    prolog held to the policy; its elements are not parsed, as no figure comes from them."""
    prolog = _Prolog()
    with archive.unpacking(name), archive.open(name) as stream:
        while True:
            chunk = stream.read(1 << 16)
            try:
                prolog.feed(chunk, not chunk)
            except UnsafeXml:
                raise _unsafe(name) from None
            if not chunk:
                return
            if prolog.done:
                stream.drain()


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


def _lxml_events(archive: Archive, name: str, containers, leaves) -> Iterator[Event]:
    data = _whole(archive, name)
    if data is not None:
        _Prolog().feed(data[:1 << 20], len(data) <= 1 << 20)
        try:
            root = _lxml.fromstring(data, _lxml.XMLParser(**_SAFE))
        except _lxml.XMLSyntaxError as exc:
            raise BrokenXml(str(exc), exc.lineno or 0) from None
        _lxml_policy(root)
        if not (containers or leaves):
            return
        walk = _lxml.iterwalk(root, events=("start", "end"), tag=tuple(containers | leaves))
        for event, element in walk:
            if element.tag in leaves:
                if event == "start":
                    walk.skip_subtree()
                    continue
            yield event, element
        return
    prolog = _Prolog()
    with archive.open(name) as stream:
        reader = io.BufferedReader(stream, 1 << 16)
        prolog.feed(reader.peek(1 << 16)[:1 << 16])
        parser = _lxml.iterparse(reader, events=("start", "end"), tag=tuple(containers | leaves) or _NONE, **_SAFE)
        try:
            checked = False
            for event, element in _streamed(parser, containers, leaves):
                if not checked:
                    checked = True
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
_DELIMITERS = bytes.maketrans(b" \t\r\n\v\f<>=\"'/", b"<" * 12)


def _long_run(data: bytes) -> bool:
    """Whether ``data`` holds MAX_NAME bytes in a row without markup or space: the only way a name
    can be over libxml2's limit, so only a part holding such a run has its names measured."""
    if len(data) < MAX_NAME:
        return False
    marked = data.translate(_DELIMITERS)
    step = MAX_NAME // 2
    for at in range(step, len(marked), step):  # a run that long covers one of these positions
        start = marked.rfind(b"<", 0, at) + 1
        end = marked.find(b"<", at)
        if (len(marked) if end < 0 else end) - start >= MAX_NAME:
            return True
    return False


def _stdlib_events(archive: Archive, name: str, containers, leaves) -> Iterator[Event]:
    import xml.etree.ElementTree as ET

    data = _whole(archive, name)
    try:
        if data is not None:
            _Prolog().feed(data, True)
            root = _stdlib_whole(ET, data)
            if containers or leaves:
                yield from _tree_events(root, containers, leaves)
            return
        with archive.open(name) as stream:
            yield from _streamed(_stdlib_stream(ET, io.BufferedReader(stream, 1 << 16)), containers, leaves)
    except ET.ParseError as exc:
        raise BrokenXml(str(exc), exc.position[0] if exc.position else 0) from None


def _stdlib_whole(ET, data: bytes):
    """A part parsed whole in C; libxml2's limits kept (a part this small cannot hold a text
    node or an attribute over MAX_TEXT_NODE characters)."""
    parsed = ET.iterparse(io.BytesIO(data), events=("start-ns",))
    for _, (prefix, uri) in parsed:
        _check_namespace(prefix, uri)
    root = parsed.root
    level, depth = [root], 1
    while level:  # the tree level by level: its depth with little Python per element
        if depth > MAX_DEPTH:
            raise BrokenXml(f"Excessive depth in document: {MAX_DEPTH}")
        level = [child for element in level for child in element]
        depth += 1
    if _long_run(data):
        for element in root.iter():
            _check_names(element)
    return root


def _tree_events(root, containers, leaves) -> Iterator[Event]:
    """A parsed tree's events in document order, as lxml's ``iterwalk`` gives them."""
    if root.tag in leaves:
        yield "end", root
        return
    if root.tag in containers:
        yield "start", root
    stack = [(root, iter(root))]
    while stack:
        parent, children = stack[-1]
        for child in children:
            tag = child.tag
            if tag in leaves:
                yield "end", child
            elif len(child):
                if tag in containers:
                    yield "start", child
                stack.append((child, iter(child)))
                break
            elif tag in containers:
                yield "start", child
                yield "end", child
        else:
            stack.pop()
            if parent.tag in containers:
                yield "end", parent


def _stdlib_stream(ET, reader) -> Iterator[Event]:
    """Start and end events of a part too large to hold, with libxml2's limits kept."""
    prolog = _Prolog()
    parser = ET.XMLPullParser(events=("start-ns", "start", "end"))
    depth = 0
    long_names = False
    seen, tail = 0, b""
    ended = None  # the element that ended last: its tail is complete at the next event
    while True:
        chunk = reader.read(1 << 16)
        last = not chunk
        prolog.feed(chunk, last)
        seen += len(chunk)
        # a long name may lie across two chunks; past MAX_TEXT_NODE bytes any value may be too long
        long_names = long_names or seen > MAX_TEXT_NODE or _long_run(tail + chunk)
        tail = chunk[-MAX_NAME:]
        parser.close() if last else parser.feed(chunk)
        for event, element in parser.read_events():
            if event == "start-ns":
                _check_namespace(*element)
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
            yield event, element
        if last:
            return


def _check_namespace(prefix: str, uri: str) -> None:
    if len(prefix) > MAX_NAME or len(uri) > MAX_TEXT_NODE:
        raise BrokenXml("Name or value too long")
    if (uri or prefix) and not _URI_REFERENCE.fullmatch(uri):
        raise BrokenXml(f"xmlns: {uri[:100]!r} is not a valid URI")


def _check_names(element) -> None:
    tag = element.tag
    if len(tag) > MAX_NAME and len(tag.rpartition("}")[2]) > MAX_NAME:
        raise BrokenXml("Name too long")
    for key, value in element.attrib.items():
        if len(value) > MAX_TEXT_NODE or (len(key) > MAX_NAME and len(key.rpartition("}")[2]) > MAX_NAME):
            raise BrokenXml("Name or value too long")
