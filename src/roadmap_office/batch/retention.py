"""What the batch removes: temporary files of a killed run, and dated folders past ``keep_days``
(archive, quarantine, outputs, letters sent)."""

from __future__ import annotations

import logging
import shutil
from datetime import date, timedelta

from ..checking import CheckedSubmission
from ..mail.state import MailState
from ..pipeline import STAGING_PREFIX
from .config import BatchConfig
from .log import log_event


def remove_leftovers(config: BatchConfig) -> None:
    """Temporary files of a run that was killed: never visible results, safe to delete."""
    from ..office import stop_leftover_conversions

    for leftover in config.output.glob(f"{STAGING_PREFIX}*"):
        stop_leftover_conversions(leftover)  # a LibreOffice never outlives the run that started it
        shutil.rmtree(leftover, ignore_errors=True)
    for folder in [config.output, *config.output.iterdir()]:
        if folder.is_dir():
            for tmp in folder.glob(".~*"):
                tmp.unlink(missing_ok=True)
    for base in (config.archive, config.quarantine):  # half-copied moves across disks
        for tmp in base.rglob(".~*"):
            if tmp.is_file() and not tmp.is_symlink():
                tmp.unlink(missing_ok=True)


def cleanup(config: BatchConfig, today: date, current: list[CheckedSubmission]) -> None:
    """Dated folders older than ``keep_days`` go, except each school's current file of every period."""
    limit = today - timedelta(days=config.keep_days)
    keep = {r.path.resolve() for r in current}
    for base in (config.archive, config.quarantine, config.output, MailState.sent_folder(config.root)):
        if not base.is_dir():
            continue
        for folder in base.iterdir():
            try:
                day = date.fromisoformat(folder.name)
            except ValueError:
                continue
            if day >= limit or not folder.is_dir():
                continue
            if base == config.archive and any(p.resolve() in keep for p in folder.rglob("*")):
                for path in folder.rglob("*"):
                    if path.is_file() and path.resolve() not in keep:
                        path.unlink()
                continue
            shutil.rmtree(folder)
            log_event(logging.INFO, f"Удалена устаревшая папка {folder.relative_to(config.root)}",
                      event="cleanup", folder=str(folder))
