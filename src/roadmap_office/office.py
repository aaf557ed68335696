"""Headless LibreOffice: the only module that imports ``uno``.

An :class:`Office` starts its own ``soffice`` with a throwaway profile, is ready when a UNO
connection succeeds (polled, not slept), opens documents hidden, converts to PDF with a
timeout, and on exit terminates → waits → kills, leaving no process behind.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from .errors import Exit, RoadmapError


class OfficeError(RoadmapError):
    """LibreOffice is missing, did not start, hung or failed to convert."""

    exit_code = Exit.PDF


def _uno():
    try:
        import uno  # noqa: F401
    except ImportError as exc:  # pragma: no cover - depends on the machine
        raise OfficeError(
            "не найден модуль uno: установите пакет python3-uno (Debian/Ubuntu) "
            "и используйте системный Python 3 или окружение, созданное с --system-site-packages"
        ) from exc
    return uno


def find_soffice() -> str:
    override = os.environ.get("ROADMAP_OFFICE_SOFFICE")  # a specific LibreOffice build (or a test double)
    if override:
        return override
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    for candidate in ("/usr/lib/libreoffice/program/soffice", "/opt/libreoffice/program/soffice"):
        if os.path.exists(candidate):
            return candidate
    raise OfficeError("не найден LibreOffice (soffice): установите пакеты libreoffice-calc и libreoffice-writer")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def soffice_command(soffice: str, profile_url: str, port: int, headless: bool = True) -> list[str]:
    return [
        soffice,
        *(["--headless", "--invisible"] if headless else []),
        "--nologo",
        "--norestore",
        "--nodefault",
        "--nolockcheck",
        f"-env:UserInstallation={profile_url}",
        f"--accept=socket,host=127.0.0.1,port={port};urp;StarOffice.ComponentContext",
    ]


class Office:
    """A private headless LibreOffice reachable through UNO; use as a context manager."""

    def __init__(self, start_timeout: float = 60.0, env: dict[str, str] | None = None,
                 headless: bool = True, args: tuple[str, ...] = (), ui_language: str | None = None) -> None:
        self.start_timeout = start_timeout
        self.env = env
        self.args = tuple(args)  # more soffice arguments, e.g. -env: bootstrap variables
        self.ui_language = ui_language  # e.g. "ru": the menus of a window in that language
        self.headless = headless  # False: a real window on $DISPLAY (screenshots, manual checks)
        self.process: subprocess.Popen | None = None
        self.port: int | None = None  # where UNO clients (and pyoo) reach this office
        self.context: Any = None
        self.desktop: Any = None
        self._profile: tempfile.TemporaryDirectory | None = None

    def __enter__(self) -> Office:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self) -> None:
        uno = _uno()
        soffice = find_soffice()
        self._profile = tempfile.TemporaryDirectory(prefix="roadmap-office-profile-")
        _seed_profile(Path(self._profile.name), self.ui_language)
        port = self.port = _free_port()
        env = dict(os.environ if self.env is None else self.env)
        self.process = subprocess.Popen(
            soffice_command(soffice, Path(self._profile.name).as_uri(), port, self.headless) + list(self.args),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
            start_new_session=True,  # so that stop() can kill soffice.bin with its wrapper
        )
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
        deadline = time.monotonic() + self.start_timeout
        url = f"uno:socket,host=127.0.0.1,port={port};urp;StarOffice.ComponentContext"
        while True:
            if self.process.poll() is not None:
                self.stop()
                raise OfficeError(f"LibreOffice завершился при запуске (код {self.process.returncode})")
            try:
                self.context = resolver.resolve(url)
                break
            except Exception:
                if time.monotonic() > deadline:
                    self.stop()
                    raise OfficeError(f"LibreOffice не ответил за {self.start_timeout:.0f} с") from None
                time.sleep(0.2)
        self.desktop = self.context.ServiceManager.createInstanceWithContext(
            "com.sun.star.frame.Desktop", self.context
        )

    def stop(self, timeout: float = 10.0) -> None:
        if self.desktop is not None:
            try:
                self.desktop.terminate()
            except Exception:  # DisposedException when it is already going away
                pass
            self.desktop = None
        if self.process is not None:
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                _kill_group(self.process)
            self.process = None
        if self._profile is not None:
            self._profile.cleanup()
            self._profile = None

    # ---- documents ----------------------------------------------------------------------
    def service(self, name: str) -> Any:
        return self.context.ServiceManager.createInstanceWithContext(name, self.context)

    def open(self, path: str | os.PathLike, read_only: bool = True) -> Any:
        """Open a document hidden; raises OfficeError when LibreOffice cannot load it."""
        path = Path(path).resolve()
        if not path.exists():
            raise OfficeError(f"файл не найден: {path.name}")
        document = self.desktop.loadComponentFromURL(
            path.as_uri(), "_blank", 0,
            properties(Hidden=self.headless, ReadOnly=read_only,
                       MacroExecutionMode=_uno().Any("short", 0)),  # NEVER_EXECUTE, typed as UNO expects
        )
        if document is None:
            raise OfficeError(f"LibreOffice не смог открыть файл {path.name}")
        return document

    def convert(self, source: str | os.PathLike, target: str | os.PathLike, filter_name: str) -> Path:
        """Open ``source`` and store it as ``target`` with an export filter."""
        target = Path(target).resolve()
        document = self.open(source)
        try:
            document.storeToURL(target.as_uri(), properties(FilterName=filter_name))
        finally:
            document.close(True)
        if not target.exists() or target.stat().st_size == 0:
            raise OfficeError(f"LibreOffice не записал файл {target.name}")
        return target


    # ---- extensions and macros ------------------------------------------------------------
    def install_extension(self, path: str | os.PathLike, repository: str = "user") -> None:
        """Install an .oxt into this office's private profile, approving its license.

        Goes through the running office's ExtensionManager (no restart needed), which also
        works as root, where ``unopkg add`` refuses per-user installs. ``repository="shared"``
        installs for all users (into the shared packages folder this office was started with).
        """
        manager = self.context.getValueByName("/singletons/com.sun.star.deployment.ExtensionManager")
        url = Path(path).resolve().as_uri()
        manager.addExtension(url, (), repository, manager.createAbortChannel(), _command_environment())

    def script(self, function: str, *args: Any, module: str = "roadmap_office_macros.py",
               oxt: str = "roadmap-office.oxt", location: str = "user:uno_packages") -> Any:
        """Invoke a Python macro of an installed extension, as a menu entry would."""
        url = (f"vnd.sun.star.script:{oxt}|python|{module}${function}"
               f"?language=Python&location={location}")
        factory = self.context.getValueByName(
            "/singletons/com.sun.star.script.provider.theMasterScriptProviderFactory")
        provider = factory.createScriptProvider("")
        result = provider.getScript(url).invoke(tuple(args), (), ())
        return result[0] if isinstance(result, tuple) else result

    def configuration(self, node_path: str) -> Any:
        """Read-only access to a configuration node, e.g. what an extension registered."""
        provider = self.service("com.sun.star.configuration.ConfigurationProvider")
        return provider.createInstanceWithArguments(
            "com.sun.star.configuration.ConfigurationAccess", properties(nodepath=node_path))


_FIRST_START = {  # what a new profile would show on the first start: nothing, for a window driven by tests
    ("/org.openoffice.Office.Common/Misc", "ShowTipOfTheDay"): ("xs:boolean", "false"),
    ("/org.openoffice.Office.Common/Misc", "FirstRun"): ("xs:boolean", "false"),
    ("/org.openoffice.Setup/Product", "ooSetupLastVersion"): ("xs:string", "99.0"),  # no "what's new" bar
}


def _seed_profile(profile: Path, ui_language: str | None) -> None:
    """Settings a new profile starts with: no first-start dialogs, and the interface language."""
    values = dict(_FIRST_START)
    if ui_language:  # the interface language, and the country's dates and numbers (ru -> ru-RU)
        values[("/org.openoffice.Office.Linguistic/General", "UILocale")] = ("xs:string", ui_language)
        locale = {"ru": "ru-RU"}.get(ui_language, ui_language)
        values[("/org.openoffice.Setup/L10N", "ooSetupSystemLocale")] = ("xs:string", locale)
    items = "".join(
        f'<item oor:path="{path}"><prop oor:name="{name}" oor:op="fuse" oor:type="{kind}"><value>{value}</value>'
        f"</prop></item>\n" for (path, name), (kind, value) in values.items())
    user = profile / "user"
    user.mkdir(parents=True, exist_ok=True)
    (user / "registrymodifications.xcu").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<oor:items xmlns:oor="http://openoffice.org/2001/registry" '
        'xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
        f"{items}</oor:items>\n", encoding="utf-8")


def _command_environment():
    import unohelper
    from com.sun.star.task import XInteractionHandler
    from com.sun.star.ucb import XCommandEnvironment, XProgressHandler

    uno = _uno()
    approve = uno.getTypeByName("com.sun.star.task.XInteractionApprove")

    class Approve(unohelper.Base, XInteractionHandler):
        def handle(self, request):
            for continuation in request.getContinuations():
                if continuation.queryInterface(approve) is not None:
                    continuation.select()
                    return

    class Quiet(unohelper.Base, XProgressHandler):
        def push(self, status):
            pass

        def update(self, status):
            pass

        def pop(self):
            pass

    class Environment(unohelper.Base, XCommandEnvironment):
        def getInteractionHandler(self):
            return Approve()

        def getProgressHandler(self):
            return Quiet()

    return Environment()


def properties(**values: Any) -> tuple:
    """UNO PropertyValue tuple from keyword arguments."""
    uno = _uno()
    result = []
    for name, value in values.items():
        prop = uno.createUnoStruct("com.sun.star.beans.PropertyValue")
        prop.Name = name
        prop.Value = value
        result.append(prop)
    return tuple(result)


PDF_FILTERS = {".ods": "calc_pdf_Export", ".xlsx": "calc_pdf_Export", ".odt": "writer_pdf_Export"}


# what ``soffice --convert-to`` is given for each target format: the suffix and its export filter
CONVERSIONS = {"pdf": "pdf", "docx": "docx:MS Word 2007 XML"}


def convert_to_pdf(source: str | os.PathLike, target: str | os.PathLike | None = None,
                   timeout: float = 120.0, workdir: str | os.PathLike | None = None) -> Path:
    """Convert one document to PDF (see :func:`convert_document`)."""
    return convert_document(source, target, "pdf", timeout, workdir)


def convert_document(source: str | os.PathLike, target: str | os.PathLike | None = None, kind: str = "pdf",
                     timeout: float = 120.0, workdir: str | os.PathLike | None = None) -> Path:
    """Convert one document to ``kind`` (PDF, DOCX) with ``soffice --convert-to`` in a private profile.

    The command gets ``timeout`` seconds; a hung soffice is killed with its process group and
    reported. The result is checked, since soffice returns 0 even when nothing was written.
    The profile lives in ``workdir`` (default: the system's temporary folder) beside a
    ``soffice.pid`` file, so a caller killed outright can stop the process next time
    (:func:`stop_leftover_conversions`); on Linux soffice also dies with its parent.
    """
    source = Path(source).resolve()
    target = Path(target).resolve() if target else source.with_suffix(f".{kind}")
    if not source.exists():
        raise OfficeError(f"файл для преобразования в {kind.upper()} не найден: {source.name}")
    soffice = find_soffice()
    with tempfile.TemporaryDirectory(prefix=PDF_WORK_PREFIX, dir=workdir) as folder:
        work = Path(folder).resolve()  # a relative output folder still gives the profile a file URL
        out_dir = work / "out"
        command = [
            soffice, "--headless", "--invisible", "--nologo", "--norestore", "--nolockcheck",
            f"-env:UserInstallation={(work / 'profile').as_uri()}",
            "--convert-to", CONVERSIONS[kind], "--outdir", str(out_dir), str(source),
        ]
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                   start_new_session=True, preexec_fn=_die_with_parent)
        (work / "soffice.pid").write_text(str(process.pid), encoding="ascii")
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_group(process)
            raise OfficeError(
                f"LibreOffice не завершил преобразование {source.name} в {kind.upper()} за {timeout:.0f} с "
                "и был остановлен"
            ) from None
        except BaseException:  # interrupted or stopped: never leave soffice behind
            _kill_group(process)
            raise
        produced = out_dir / f"{source.stem}.{kind}"
        if not produced.exists() or produced.stat().st_size == 0:
            raise OfficeError(f"LibreOffice не создал {kind.upper()} из {source.name} (код {process.returncode})")
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(".~" + target.name)
        shutil.move(str(produced), tmp)
        os.replace(tmp, target)
    return target


PDF_WORK_PREFIX = "roadmap-office-pdf-"


def _die_with_parent() -> None:
    """In the child before exec: on Linux the kernel kills it when its parent dies."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def stop_leftover_conversions(folder: str | os.PathLike) -> None:
    """Kill the soffice of a conversion whose caller was killed (its work folder is in
    ``folder``): only a process whose command line names that work folder is touched."""
    for pid_file in Path(folder).glob(f"{PDF_WORK_PREFIX}*/soffice.pid"):
        try:
            pid = int(pid_file.read_text(encoding="ascii"))
            command = Path(f"/proc/{pid}/cmdline").read_bytes()
        except (OSError, ValueError):
            continue
        if str(pid_file.parent).encode() in command:
            try:
                os.killpg(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass


def _kill_group(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        process.kill()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:  # pragma: no cover
        pass
