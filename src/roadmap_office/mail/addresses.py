"""E-mail addresses as people type them in a cell: one or several, separated by «;», «,»,
spaces or line breaks, optionally with a display name («Иванова И. И. <school@example.org>»)."""

from __future__ import annotations

import re
from email.utils import getaddresses

# deliberately plain: a local part and a domain with a dot; the server is the final judge
_ADDRESS = re.compile(r"^[^@\s<>()\[\],;:\"]+@[^@\s<>()\[\],;:\"]+\.[^@\s<>()\[\],;:\".]+$")


def parse_addresses(text: str) -> list[str]:
    """The addresses of a cell, without duplicates; ValueError (Russian) names one that is not
    an address."""
    found: list[str] = []
    for part in re.split(r"[;\n]+", text or ""):
        part = part.strip()
        if not part:
            continue
        pairs = getaddresses([part]) if "<" in part else [("", a) for a in re.split(r"[,\s]+", part) if a]
        for _, address in pairs:
            address = address.strip()
            if not _ADDRESS.match(address):
                raise ValueError(f"«{part}» не является адресом электронной почты "
                                 "(ожидается вид school@example.org; несколько адресов разделяются «;»)")
            if address.lower() not in (a.lower() for a in found):
                found.append(address)
    return found


def same_address(a: str, b: str) -> bool:
    return a.strip().lower() == b.strip().lower()
