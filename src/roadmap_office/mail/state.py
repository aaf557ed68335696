"""What the batch's mail has done, kept in the tree (``mail/state.json``), and its queue.

- the state of the last letter queued for each school (and the district), so the same state is
  never sent twice;
- who sent each file (by the SHA-256 of its bytes, so renaming or moving the file into the
  archive keeps the link), so a school's letter goes back to that address too;
- the Message-IDs of the mailbox messages already imported, so a message whose move failed is
  never imported twice.

The queue is a folder of ``.eml`` files (``mail/outbox``): a letter is written there before it is
sent and moved into ``mail/sent/YYYY-MM-DD/`` after the server accepted it, so a server that
cannot be reached loses nothing.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from .._files import replacing

MAIL_DIR = "mail"


class MailState:
    @staticmethod
    def sent_folder(root: Path) -> Path:
        """Letters the server accepted, in dated folders (pruned after ``keep_days``)."""
        return root / MAIL_DIR / "sent"

    def __init__(self, root: Path) -> None:
        self.folder = root / MAIL_DIR
        self.outbox = self.folder / "outbox"
        self.sent = self.sent_folder(root)
        self.path = self.folder / "state.json"
        data = {}
        if self.path.exists():
            try:
                data = json.loads(self.path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                data = {}  # a damaged state only risks a letter sent again, never one lost
        self.letters: dict[str, str] = dict(data.get("letters", {}))
        self.senders: dict[str, dict] = dict(data.get("senders", {}))
        self.imported: list[str] = list(data.get("imported", []))
        self.ignored: list[str] = list(data.get("ignored", []))

    def save(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        data = {"letters": self.letters, "senders": self.senders, "imported": self.imported[-5000:],
                "ignored": self.ignored[-5000:]}
        with replacing(self.path) as tmp:
            tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
            with open(tmp, "rb") as handle:
                os.fsync(handle.fileno())

    def addresses_of(self, sha256: str) -> list[str]:
        """Who sent a file with these bytes (empty when it did not come by mail)."""
        entry = self.senders.get(sha256)
        return [entry["from"]] if entry and entry.get("from") else []

    def queued(self) -> list[Path]:
        return sorted(self.outbox.glob("*.eml")) if self.outbox.is_dir() else []
