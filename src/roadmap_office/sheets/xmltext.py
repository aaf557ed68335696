"""XML text for both writers: one escaping rule, and a buffer that hands UTF-8 blocks to a zip stream.

The writers stream their large parts as text, so escaping is ours: characters XML 1.0 forbids
or discourages (control characters, lone surrogates) become U+FFFD, a visible mark that the
source held something no spreadsheet can store, and ``& < >`` (and quotes in attributes) are
escaped.
"""

from __future__ import annotations

import re
from functools import lru_cache

_UNREPRESENTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")
REPLACEMENT = "\ufffd"


@lru_cache(maxsize=1 << 16)  # the consolidated records repeat the same texts for every school
def text(value: str) -> str:
    """``value`` as XML character data."""
    value = _UNREPRESENTABLE.sub(REPLACEMENT, value)
    if "&" in value:
        value = value.replace("&", "&amp;")
    if "<" in value:
        value = value.replace("<", "&lt;")
    if ">" in value:
        value = value.replace(">", "&gt;")
    return value


def attr(value: str) -> str:
    """``value`` as a double-quoted XML attribute value, quotes included; line breaks are kept."""
    escaped = text(str(value)).replace('"', "&quot;").replace("\n", "&#10;").replace("\r", "&#13;")
    return f'"{escaped.replace(chr(9), "&#9;")}"'


class Buffered:
    """Collects text and hands it to a binary stream in large UTF-8 blocks."""

    def __init__(self, stream, size: int = 1 << 20) -> None:
        self.stream, self.size, self.parts, self.length = stream, size, [], 0

    def write(self, chunk: str) -> None:
        self.parts.append(chunk)
        self.length += len(chunk)
        if self.length >= self.size:
            self.flush()

    def flush(self) -> None:
        self.stream.write("".join(self.parts).encode("utf-8"))
        self.parts, self.length = [], 0
