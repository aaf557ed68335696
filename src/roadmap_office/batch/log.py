"""The batch's logs: a text log and JSON lines in out/logs/, one event per line, never forged by a file name."""

from __future__ import annotations

import json
import logging
import sys
from datetime import datetime

log = logging.getLogger("roadmap_office.batch")


UNSAFE = {0x85, 0x2028, 0x2029}


def printable(text: str) -> str:
    """Text safe for one log line: control characters, line separators and bytes that are not
    UTF-8 (in file names) are shown as escapes, so a file name cannot forge a log line."""
    if text.isprintable() and text.isascii():
        return text
    out = []
    for ch in text:
        code = ord(ch)
        if code < 0x20 or code == 0x7F or code in UNSAFE or 0xD800 <= code <= 0xDFFF:
            out.append(f"\\x{code & 0xFF:02x}" if 0xDC80 <= code <= 0xDCFF else
                       f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        else:
            out.append(ch)
    return "".join(out)


def printable_data(value):
    if isinstance(value, str):
        return printable(value)
    if isinstance(value, list):
        return [printable_data(v) for v in value]
    if isinstance(value, dict):
        return {k: printable_data(v) for k, v in value.items()}
    return value


class JsonLines(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {"time": datetime.fromtimestamp(record.created).isoformat(timespec="seconds"),
                 "level": record.levelname.lower(), "message": record.getMessage()}
        entry.update(getattr(record, "data", {}))
        return json.dumps(entry, ensure_ascii=False)


class QuietFileHandler(logging.FileHandler):
    """A log that cannot be written (disk full) must not print tracebacks or stop the run."""

    def handleError(self, record: logging.LogRecord) -> None:
        pass


def setup_logging(config, quiet: bool) -> list[logging.Handler]:
    logs = config.output / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    text = QuietFileHandler(logs / "roadmap-office.log", encoding="utf-8")
    text.setFormatter(logging.Formatter("%(asctime)s %(levelname)-7s %(message)s", "%Y-%m-%d %H:%M:%S"))
    lines = QuietFileHandler(logs / "roadmap-office.jsonl", encoding="utf-8")
    lines.setFormatter(JsonLines())
    handlers: list[logging.Handler] = [text, lines]
    if not quiet:
        console = logging.StreamHandler(sys.stderr)
        console.setFormatter(logging.Formatter("%(message)s"))
        handlers.append(console)
    for handler in handlers:
        log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False
    return handlers


def log_event(level: int, message: str, **data) -> None:
    data = printable_data({"event": data.pop("event", "info"), **data})
    log.log(level, printable(message), extra={"data": data})
