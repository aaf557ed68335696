"""One night's run: inbox → check → archive or quarantine → consolidate → out/."""

from __future__ import annotations

import errno
import hashlib
import json
import logging
import os
import shutil
import signal
import sqlite3
import time
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from .. import __version__
from ..cache import ResultCache, rules_digest
from ..checking import CheckedSubmission, refused
from ..errors import Exit, OutputError, RoadmapError, os_reason, unwritable_reason
from ..history import record_history
from ..inputs import IGNORED, REPORT, classify_entry, classify_name
from ..master import read_master, roadmap_fingerprint
from ..merging import consolidate
from ..pipeline import (OUTPUTS, STAGING_PREFIX, Selection, check_files, files_to_consolidate, is_submission_name,
                        pick_current, publish, render_outputs, report_template_for, writing_to)
from ..presentation import moment
from ..selection import other_period
from .config import BatchConfig, load_config
from .files import REASON_SUFFIX, copy_across, file_signature, usable_name, write_atomic
from .lock import LOCK_NAME, RunLock
from .log import log, log_event, printable, setup_logging
from .retention import cleanup, remove_leftovers

CACHE_DIR = ".cache"


@dataclass
class RunSummary:
    accepted: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    other_period: list[str] = field(default_factory=list)  # archived for their own period, not merged now
    waiting: list[str] = field(default_factory=list)  # still being copied: left for the next run
    skipped: list[str] = field(default_factory=list)  # links, folders, pipes: reported, never followed
    ignored: list[str] = field(default_factory=list)  # lock files and other system junk of the inbox
    schools_missing: list[str] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)
    unchanged: bool = False
    conversion_error: str = ""
    fetched: list[str] = field(default_factory=list)  # files taken from the mailbox into the inbox
    letters_queued: list[str] = field(default_factory=list)  # school codes ("district" for the summary)
    letters_sent: list[str] = field(default_factory=list)  # Message-IDs

    @property
    def exit_code(self) -> int:
        if self.conversion_error:
            return Exit.PDF
        return Exit.FILES if self.rejected else Exit.OK

    def to_json(self) -> dict:
        return {"accepted": self.accepted, "rejected": self.rejected, "replaced": self.replaced,
                "other_period": self.other_period, "waiting": self.waiting, "skipped": self.skipped,
                "ignored": self.ignored,
                "schools_missing": self.schools_missing, "outputs": self.outputs, "unchanged": self.unchanged,
                "conversion_error": self.conversion_error or None, "fetched": self.fetched,
                "letters_queued": self.letters_queued, "letters_sent": self.letters_sent, "exit_code": self.exit_code}


def run_batch(config_path: str | os.PathLike, now: datetime | None = None, quiet: bool = False) -> RunSummary:
    """One night's run. Raises RoadmapError with its exit code: ConfigError (2), LockHeld (3),
    OutputError (5); anything else is a bug (the CLI exits 70), logged with its traceback."""
    config = load_config(config_path)
    with writing_to(config.root):  # a full disk or a read-only tree before the log exists: exit 5 all the same
        with RunLock(config.root / LOCK_NAME):
            handlers = setup_logging(config, quiet)
            previous = _stop_on_sigterm()
            try:
                with writing_to(config.root):
                    return _Night(config, now or datetime.now()).run()
            except RoadmapError as exc:
                log_event(logging.ERROR, f"Свод прерван: {exc}", event="failed", exit_code=int(exc.exit_code))
                raise
            except Exception as exc:
                log.exception(printable(f"Внутренняя ошибка программы: {type(exc).__name__}: {exc}"),
                              extra={"data": {"event": "crashed", "exit_code": int(Exit.INTERNAL)}})
                raise
            finally:
                if previous is not None:
                    signal.signal(signal.SIGTERM, previous)
                for handler in handlers:
                    log.removeHandler(handler)
                    handler.close()


def _stop_on_sigterm():
    """SIGTERM (systemctl stop, a cron timeout) unwinds the run like an error, so the staging
    folder, a running LibreOffice and its profile are cleaned up on the way out."""
    import threading

    if threading.current_thread() is not threading.main_thread():
        return None

    def stop(signum, frame):
        raise SystemExit(128 + signum)

    return signal.signal(signal.SIGTERM, stop)


def _pause(stage: str) -> None:
    """Test hook: ROADMAP_OFFICE_BATCH_PAUSE=<stage>:<seconds> holds the run at a stage."""
    wanted = os.environ.get("ROADMAP_OFFICE_BATCH_PAUSE", "")
    if wanted.split(":")[0] == stage:
        time.sleep(float(wanted.split(":")[1]) if ":" in wanted else 60)


class _Night:
    def __init__(self, config: BatchConfig, now: datetime) -> None:
        self.config = config
        self.now = now
        self.today = now.date()
        self.summary = RunSummary()
        self.roadmap = read_master(config.master)
        self.roadmap_fingerprint = roadmap_fingerprint(self.roadmap)  # what templates are tied to
        # cached checks and the run signature also depend on the schools: the master's bytes
        self.checksum = hashlib.sha256(config.master.read_bytes()).hexdigest()
        self.cache = ResultCache(config.root / CACHE_DIR, self.checksum)
        # the report's template (the master's «Шаблон отчёта»), checked before any file is moved
        self.template = report_template_for(config.master.parent, self.roadmap)

    def run(self) -> RunSummary:
        log_event(logging.INFO, f"Начат ночной свод: мастер-книга {self.config.master.name}", event="start")
        remove_leftovers(self.config)
        self.retake_unexplained_refusals()
        if self.config.mailbox is not None:
            self.take_mailbox()
        self.take_inbox()
        _pause("after_inbox")
        rejected_tonight = self.quarantined_today()
        selection = self.current_files()
        current = [s for s in selection.for_period(None) if not s.rejected]
        fingerprint = self.fingerprint(current, rejected_tonight)
        state = self.config.output / "latest" / ".fingerprint"
        older = [f for files in selection.superseded.values() for f in files if not f.rejected]
        if state.exists() and state.read_text(encoding="utf-8") == fingerprint:
            self.summary.unchanged = True
            log_event(logging.INFO, "Новых файлов нет, результаты не изменились", event="unchanged")
        else:
            self.render(current + older, rejected_tonight, fingerprint)  # older files: named, never counted
        if self.config.mail is not None:
            self.letters(current + older)
        cleanup(self.config, self.today, selection.for_period(None))
        self.cache.prune()
        self.cache.save()
        codes = {s.school for s in files_to_consolidate(self.roadmap, current).current.values()}
        self.summary.schools_missing = [s.code for s in self.roadmap.schools if s.code not in codes]
        log_event(logging.INFO if not self.summary.rejected else logging.WARNING,
                  f"Итог: принято {len(self.summary.accepted)}, не принято {len(self.summary.rejected)}, "
                  f"не представили отчёт: {', '.join(self.summary.schools_missing) or 'нет'}",
                  event="summary", **self.summary.to_json())
        return self.summary

    # -- inbox --------------------------------------------------------------------------
    def quarantined_today(self) -> list[CheckedSubmission]:
        """Files refused today (this run or an earlier one today): the report names them."""
        return self.quarantined(self.today)

    def quarantined(self, since: date) -> list[CheckedSubmission]:
        """Files refused from ``since`` on, with their reasons (and their school, when known)."""
        refused = []
        for folder in sorted(self.config.quarantine.iterdir()):
            try:
                if not folder.is_dir() or date.fromisoformat(folder.name) < since:
                    continue
            except ValueError:
                continue
            for reason in sorted(folder.glob(f"*{REASON_SUFFIX}")):
                path = reason.with_name(reason.name[: -len(REASON_SUFFIX)])
                lines = reason.read_text(encoding="utf-8", errors="replace").splitlines()
                fields = {line.split(":", 1)[0]: line.split(":", 1)[1].strip() for line in lines if ":" in line}
                result = CheckedSubmission(path, rejected=fields.get("Причина") or "\n".join(lines).strip(),
                                           school=fields.get("Школа", ""))
                try:
                    result.modified = datetime.fromtimestamp(path.stat().st_mtime)
                except OSError:
                    pass
                refused.append(result)
        return refused

    def retake_unexplained_refusals(self) -> None:
        """A run killed between moving a refused file into the quarantine and writing its reason
        leaves it there unexplained, and the report could not name it: it goes back to the inbox
        and is checked again tonight like any new file."""
        for path in sorted(self.config.quarantine.glob("*/*")):
            if (path.is_file() and not path.is_symlink() and not path.name.endswith(REASON_SUFFIX)
                    and not path.with_name(path.name + REASON_SUFFIX).exists()):
                self.move(path, self.config.inbox)
                log_event(logging.WARNING, f"Файл «{path.name}» остался в карантине без причины (запуск был "
                          "прерван) и проверяется заново", event="retaken", file=path.name)

    def inbox_files(self) -> list[tuple[Path, tuple]]:
        """Regular files of the inbox that are complete; anything else is reported and left."""
        ready = []
        now = time.time()
        with os.scandir(self.config.inbox) as entries:
            for entry in sorted(entries, key=lambda e: e.name):
                path = Path(entry.path)
                verdict = classify_entry(path)  # the one folder policy (CLI, macros, batch)
                if verdict.verdict == IGNORED:  # hidden files, office lock files, Thumbs.db…
                    self.summary.ignored.append(path.name)
                    continue
                if not entry.is_file(follow_symlinks=False) or entry.is_symlink():
                    self.skip(path, verdict.reason)  # links, folders, pipes: reported, left in place
                else:
                    st = entry.stat(follow_symlinks=False)
                    # written within settle_seconds of now (a little ahead too: a share's clock may run
                    # fast); a time far in the future is a school PC's clock, not a copy in progress
                    if abs(now - st.st_mtime) < self.config.settle_seconds:
                        self.wait(path)
                    else:
                        ready.append((path, file_signature(st)))
        return ready

    def skip(self, path: Path, why: str) -> None:
        self.summary.skipped.append(path.name)
        log_event(logging.WARNING, f"Пропущен «{path.name}»: {why}", event="skipped", file=path.name, reason=why)

    def wait(self, path: Path) -> None:
        self.summary.waiting.append(path.name)
        log_event(logging.INFO, f"Файл «{path.name}» ещё копируется; он будет обработан при следующем запуске",
                  event="waiting", file=path.name)

    def take_inbox(self) -> None:
        ready = self.inbox_files()
        paths = [path for path, _ in ready]
        verdicts = [classify_name(path.name) for path in paths]  # another format: refused by name
        checked = iter(check_files([p for p, v in zip(paths, verdicts) if v.verdict == REPORT], self.roadmap,
                                   self.roadmap_fingerprint, cache=self.cache))
        results = [next(checked) if v.verdict == REPORT else refused(p, v.reason) for p, v in zip(paths, verdicts)]
        for (path, signature), result in zip(ready, results):
            try:
                st = path.lstat()
                unchanged = file_signature(st) == signature
            except OSError:
                unchanged = False
            if not unchanged:  # written to while it was being checked: take it next time
                self.wait(path)
                continue
            if result.rejected and not other_period(result, self.roadmap):
                target = self.move(path, self.config.quarantine / self.today.isoformat(), len(REASON_SUFFIX.encode()))
                reason = target.with_name(target.name + REASON_SUFFIX)
                with writing_to(reason.parent):
                    write_atomic(reason, f"Файл: {printable(path.name)}\nДата: {moment(self.now)}\n"
                                          f"Причина: {printable(result.rejected)}\n"
                                          + (f"Школа: {result.school}\n" if result.school else ""))
                self.summary.rejected.append(path.name)
                log_event(logging.WARNING, f"Не принят «{path.name}»: {result.rejected}", event="rejected",
                          file=path.name, reason=result.rejected, stored_as=target.name,
                          **({"detail": result.detail} if result.detail else {}))
            else:
                # arrival is recorded as the archived file's time: when it reached the inbox by this
                # server's clock (ctime; a copy may keep the school's file time as its mtime)
                self.move(path, self.config.archive / self.today.isoformat() / result.school, arrived=st.st_ctime)
                if result.rejected:
                    self.summary.other_period.append(path.name)
                    log_event(logging.WARNING, f"Файл «{path.name}» ({result.school}) относится к другому отчётному "
                              f"периоду: сохранён в архиве и войдёт в свод за свой период. {result.rejected}",
                              event="other_period", file=path.name, school=result.school)
                    continue
                self.summary.accepted.append(path.name)
                log_event(logging.INFO, f"Принят «{path.name}» ({result.school}), замечаний: {len(result.findings)}",
                          event="accepted", file=path.name, school=result.school, problems=len(result.findings))
        self.cache.save()

    def move(self, path: Path, folder: Path, reserve: int = 0, arrived: float | None = None) -> Path:
        """Move a file into ``folder`` under a usable name, atomically on one file system and
        by copy, sync, rename, unlink across file systems; the file is never lost. ``arrived``
        becomes the moved file's modification time (what picks a school's current file)."""
        with writing_to(folder):
            folder.mkdir(parents=True, exist_ok=True)
            name = usable_name(path.name, reserve)
            stem, suffix = os.path.splitext(name)
            target = folder / name
            n = 1
            while os.path.lexists(target):
                target = folder / f"{stem}_{n}{suffix}"
                n += 1
            if arrived is not None:  # set before the move, so a run killed just after it keeps it
                os.utime(path, (arrived, arrived))
            try:
                os.rename(path, target)
            except OSError as exc:
                if exc.errno != errno.EXDEV:
                    raise
                copy_across(path, target)  # keeps the modification time
        self.cache.moved(path, target)
        return target

    # -- archive ------------------------------------------------------------------------
    def current_files(self) -> Selection:
        """Each school's current file per period, from the archive (cached results: only files
        never checked before are read). Files of another period than the master's stay current
        for their own period."""
        paths = [p for p in sorted(self.config.archive.rglob("*"))
                 if p.is_file() and not p.is_symlink() and is_submission_name(p.name)]
        results = check_files(paths, self.roadmap, self.roadmap_fingerprint, cache=self.cache)
        selection = pick_current(r for r in results if not r.rejected or other_period(r, self.roadmap))
        tonight = set(self.summary.accepted)
        for (school, period), newest in sorted(selection.current.items()):
            if newest.name in tonight and selection.superseded.get((school, period)):
                self.summary.replaced.append(school)
                log_event(logging.INFO, f"{school}: новый файл «{newest.name}» заменил ранее принятый",
                          event="replaced", school=school, file=newest.name, period=period)
        return selection

    def fingerprint(self, current: list[CheckedSubmission], rejected: list[CheckedSubmission]) -> str:
        # the library's own sources too: a changed rule or writer makes the outputs again
        parts = [__version__, rules_digest() or "", self.checksum,
                 self.config.as_of_date(self.today, self.roadmap).isoformat(), ",".join(self.config.formats),
                 self.template.identity]
        parts += [f"{r.school}:{r.sha256}" for r in current]
        parts += [f"rejected:{r.name}" for r in rejected]
        return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()

    # -- outputs ------------------------------------------------------------------------
    def render(self, current: list[CheckedSubmission], rejected: list[CheckedSubmission], fingerprint: str) -> None:
        consolidation = consolidate(self.roadmap, current + rejected, self.config.as_of_date(self.today, self.roadmap))
        try:
            consolidation.history = record_history(consolidation, self.config.history if self.roadmap.period else None)
        except sqlite3.OperationalError as exc:  # the store shares the disk with the outputs
            why = unwritable_reason(exc)
            if why is None:
                raise
            raise OutputError(f"не удалось записать историю сводов {self.config.history}: {why}; "
                              "прежние результаты сохранены") from None
        staging = self.config.output / f"{STAGING_PREFIX}{os.getpid()}"
        shutil.rmtree(staging, ignore_errors=True)
        try:
            with writing_to(self.config.output):
                self._render_into(staging, consolidation, fingerprint)
        finally:
            shutil.rmtree(staging, ignore_errors=True)

    def _render_into(self, staging: Path, consolidation, fingerprint: str) -> None:
        rendered = render_outputs(consolidation, staging, self.config.formats, self.config.pdf_timeout,
                                  self.template)
        for error in rendered.errors:
            self.summary.conversion_error = error
            log_event(logging.ERROR, f"PDF не создан: {error}", event="conversion_failed", reason=error)
        made = [p.name for p in rendered.outputs]
        _pause("before_publish")
        write_atomic(staging / "run.json", json.dumps(
            {"finished": datetime.now().isoformat(timespec="seconds"), "as_of": consolidation.as_of.isoformat(),
             **consolidation.summary_json(made)}, ensure_ascii=False, indent=2))
        write_atomic(staging / ".fingerprint", fingerprint)
        names = [*made, "run.json", ".fingerprint"]  # the fingerprint last: it marks a complete set
        for target in (self.config.output / self.today.isoformat(), self.config.output / "latest"):
            publish(staging, target, names)
            for output in OUTPUTS.values():  # an earlier run's PDF beside tonight's ODT would be a stale report
                if output.filename not in made:
                    (target / output.filename).unlink(missing_ok=True)
        self.summary.outputs = [str(self.config.output / "latest" / name) for name in made]
        log_event(logging.INFO, f"Записаны результаты: {', '.join(made)}", event="outputs", files=made)

    # -- mail (roadmap_office.mail does the work; the night only logs) -------------------
    def take_mailbox(self) -> None:
        from ..mail.imap import take_mailbox
        from ..mail.state import MailState

        report = take_mailbox(self.config.mailbox, self.config.inbox, MailState(self.config.root))
        for item in report.imported:
            self.summary.fetched.append(item.file.name)
            log_event(logging.INFO, f"Из почты получен «{item.file.name}» от {item.sender} "
                      f"({moment(item.received)})", event="fetched", file=item.file.name, sender=item.sender,
                      message_id=item.message_id)
        for why in report.left:
            log_event(logging.INFO, f"Письмо оставлено в почтовом ящике: {why}", event="mail_left", reason=why)
        if report.error:
            log_event(logging.WARNING, f"Почта не получена: {report.error}; отчёты будут взяты при следующем запуске",
                      event="mailbox_failed", reason=report.error)

    def letters(self, current: list[CheckedSubmission]) -> None:
        """Queue and send the letters; they know every refusal of the period, not only tonight's."""
        from ..mail.outbox import queue_night, send_night
        from ..mail.state import MailState

        since = self.roadmap.period.start if self.roadmap.period else self.today
        consolidation = consolidate(self.roadmap, current + self.quarantined(since),
                                    self.config.as_of_date(self.today, self.roadmap))
        mail, state = self.config.mail, MailState(self.config.root)
        latest = self.config.output / "latest"
        report = next(([latest / OUTPUTS[f].filename] for f in ("pdf", "odt", "xlsx", "ods")
                       if (latest / OUTPUTS[f].filename).exists()), [])  # the report the district reads
        try:
            night = queue_night(consolidation, mail, state, self.config.master,
                                None if self.summary.unchanged else report, self.now)
        except OSError as exc:  # the outputs are published; the letters wait for a night with room
            log_event(logging.ERROR, f"Письма не подготовлены: {os_reason(exc)}; они будут подготовлены при "
                      "следующем запуске", event="letters_failed", reason=str(exc))
            return
        self.summary.letters_queued = [letter.key for letter in night.queued]
        for code in night.no_address:
            log_event(logging.WARNING, f"{code}: письмо не отправлено — в мастер-книге не указан адрес эл. почты школы",
                      event="no_address", school=code)

        def sent(letter) -> None:
            self.summary.letters_sent.append(letter.message_id)
            log_event(logging.INFO, f"Отправлено письмо «{letter.subject}»: {', '.join(letter.recipients)}, "
                      f"Message-ID {letter.message_id}", event="mail_sent", message_id=letter.message_id,
                      to=letter.recipients, subject=letter.subject, file=letter.path.name)

        outcome = send_night(mail, state, self.now, sent)
        for name, why in outcome.failed.items():
            log_event(logging.WARNING, f"Письмо «{name}» не принято сервером: {why}; оно остаётся в очереди",
                      event="mail_refused", file=name, reason=why)
        if outcome.error:
            left = len(state.queued())
            log_event(logging.WARNING, f"Письма не отправлены: {outcome.error}; в очереди писем: {left}, они будут "
                      "отправлены при следующем запуске", event="mail_failed", reason=outcome.error, queued=left)
