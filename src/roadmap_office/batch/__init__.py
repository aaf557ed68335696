"""The nightly headless merge: inbox → check → archive or quarantine → consolidate → out/.

Safety rules, in order of importance:
- a file leaves the inbox only by an atomic rename into the archive or the quarantine, so a
  run killed at any moment loses nothing (the next run simply finds it where it is);
- which file is current for a school is derived from the archive every run, never from a
  state file that a crash could leave half-written;
- every output file is written beside its target and renamed over it, so the previous report
  stays readable until the new one is complete;
- one run at a time (an OS lock on a lock file, released by the OS when a run dies).

One job per module: ``config`` (the settings file), ``lock`` (one run at a time), ``log``
(text and JSON lines), ``files`` (names, moves, atomic writes), ``retention`` (what is
removed), ``run`` (one night, in order).
"""

from __future__ import annotations

from ..errors import Exit
from .config import (CONFIG_KEYS, CONFIG_NAME, CONFIG_SCHEMA, CONFIG_TABLES, BatchConfig, ConfigError, init_tree,
                     load_config)
from .files import NAME_MAX, REASON_SUFFIX, usable_name
from .lock import LOCK_NAME, LockHeld, RunLock
from .run import CACHE_DIR, RunSummary, run_batch

EXIT_OK, EXIT_REJECTED, EXIT_CONFIG, EXIT_LOCKED, EXIT_CONVERSION = Exit.OK, Exit.FILES, Exit.USAGE, Exit.LOCKED, Exit.PDF

__all__ = ["BatchConfig", "CACHE_DIR", "CONFIG_KEYS", "CONFIG_NAME", "CONFIG_SCHEMA", "CONFIG_TABLES", "ConfigError", "EXIT_CONFIG",
           "EXIT_CONVERSION", "EXIT_LOCKED", "EXIT_OK", "EXIT_REJECTED", "LOCK_NAME", "LockHeld", "NAME_MAX",
           "REASON_SUFFIX", "RunLock", "RunSummary", "init_tree", "load_config", "run_batch", "usable_name"]
