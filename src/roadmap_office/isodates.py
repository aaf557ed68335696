"""ISO 8601 date-times as Python 3.11 reads them, on Python 3.8 too.

Before 3.11 ``datetime.fromisoformat`` reads only what ``isoformat`` writes: an XLSX's save time
«2022-06-29T16:45:00Z» or a nine-digit fraction of a second fails there. Inside LibreOffice's
own Python (3.8, 3.9) a file's save time would then be lost and another duplicate chosen than
on the command line; every date-time read from a file goes through :func:`parse_datetime`.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

_EXTENDED = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2})(?::(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?"
                       r"(Z|[+-]\d{2}(?::?\d{2})?)?)?")


def parse_datetime(text: str) -> datetime:
    """``datetime.fromisoformat`` of Python 3.11: a zone («Z», «+03:00») gives an aware value,
    a fraction is cut to microseconds. Raises ValueError for what is not such a date-time."""
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return extended_datetime(text)


def extended_datetime(text: str) -> datetime:
    """The ISO 8601 extended format that Python 3.11 reads and 3.8 does not."""
    match = _EXTENDED.fullmatch(text)
    if match is None:
        raise ValueError(f"Invalid isoformat string: {text!r}")
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    micro = int((fraction or "0")[:6].ljust(6, "0"))
    tz = None
    if zone == "Z":
        tz = timezone.utc
    elif zone:
        digits = zone[1:].replace(":", "")
        offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:] or 0))
        tz = timezone(offset if zone[0] == "+" else -offset)
    return datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0), micro, tz)
