"""A virtual screen (Xvfb) with a keyboard (xdotool) and a camera (Pillow), for tests that use
LibreOffice's real windows as a person does. Every wait polls with a timeout; nothing sleeps blind
except the short pauses a person's keystrokes have between them."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path


class ScreenError(AssertionError):
    pass


class Screen:
    def __init__(self, artifacts: Path, size: str = "1400x900") -> None:
        self.artifacts = artifacts
        self.size = size
        self.process: subprocess.Popen | None = None
        self.display = ""
        self.shots = 0

    @staticmethod
    def available() -> bool:
        return bool(shutil.which("Xvfb") and shutil.which("xdotool"))

    def __enter__(self) -> Screen:
        read, write = os.pipe()
        self.process = subprocess.Popen(["Xvfb", "-displayfd", str(write), "-screen", "0", f"{self.size}x24",
                                         "-nolisten", "tcp"], pass_fds=(write,), stderr=subprocess.DEVNULL,
                                        start_new_session=True)
        os.close(write)
        with os.fdopen(read) as stream:
            number = stream.readline().strip()
        if not number:
            raise ScreenError("Xvfb did not start")
        self.display = f":{number}"
        self.artifacts.mkdir(parents=True, exist_ok=True)
        return self

    def __exit__(self, *exc) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()

    @property
    def env(self) -> dict[str, str]:
        return {**os.environ, "DISPLAY": self.display, "SAL_USE_VCLPLUGIN": "gen"}

    def xdotool(self, *args: str, check: bool = True) -> str:
        done = subprocess.run(["xdotool", *args], env=self.env, capture_output=True, timeout=30)
        if check and done.returncode != 0:
            raise ScreenError(f"xdotool {' '.join(args)}: {done.stderr.decode(errors='replace').strip()}")
        return _decode(done.stdout).strip()

    def keys(self, *keys: str, pause: float = 0.25) -> None:
        for key in keys:
            self.xdotool("key", "--clearmodifiers", key)
            time.sleep(pause)

    def type(self, text: str) -> None:
        self.xdotool("type", "--delay", "30", "--clearmodifiers", text)
        time.sleep(0.3)

    def visible(self) -> dict[str, str]:
        """Visible top-level windows: id -> title."""
        ids = self.xdotool("search", "--onlyvisible", "--name", "", check=False).split()
        return {w: self.xdotool("getwindowname", w, check=False) for w in ids}

    def wait(self, predicate, what: str, timeout: float = 60.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = predicate()
            if found:
                return found
            time.sleep(0.3)
        self.shot("timeout")
        raise ScreenError(f"{what}: not within {timeout:.0f} s; windows: {self.visible()}")

    def wait_window(self, title: str, timeout: float = 60.0) -> str:
        """A visible window whose title contains ``title``; it gets the keyboard."""
        window = self.wait(lambda: next((w for w, name in self.visible().items() if title in name), None),
                           f"window «{title}»", timeout)
        self.focus(window)
        return window

    def wait_new_window(self, before: dict[str, str], timeout: float = 60.0, title: str = "") -> str:
        """A window that was not there before (a dialog, a message box); it gets the keyboard."""
        def new():
            return next((w for w, name in self.visible().items() if w not in before and title in name), None)
        window = self.wait(new, f"a new window «{title}»", timeout)
        self.focus(window)
        return window

    def wait_closed(self, window: str, timeout: float = 60.0) -> None:
        self.wait(lambda: window not in self.visible(), f"window {window} to close", timeout)

    def focus(self, window: str) -> None:
        """No window manager runs here: give the keyboard to a window ourselves."""
        time.sleep(0.6)  # let it map and draw
        self.xdotool("windowfocus", "--sync", window, check=False)
        time.sleep(0.3)

    def shot(self, name: str, crop: tuple[int, int, int, int] | None = None) -> Path:
        from PIL import ImageGrab

        self.shots += 1
        path = self.artifacts / f"{self.shots:02d}-{name}.png"
        image = ImageGrab.grab(xdisplay=self.display)
        if crop:
            image = image.crop(crop)
        image.save(path)
        return path


def _decode(raw: bytes) -> str:
    """xdotool prints titles as X stores them: UTF-8, or COMPOUND_TEXT with a Cyrillic escape."""
    if raw.startswith(b"\x1b-L"):
        return raw[3:].decode("iso8859_5", errors="replace")
    return raw.decode("utf-8", errors="replace")
