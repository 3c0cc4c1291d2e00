"""Browser tests: Playwright for Python driving Debian's chromium against a real server.

The session builds the tiny demo city into its own SQLite database (whatever SHIAN_DATABASE_URL says:
these tests check what the browser shows; the suite covers PostgreSQL), starts `shian serve --production`
(gunicorn + WhiteNoise, the worker beside it) on a free loopback port, and every test logs in as a demo
user in a fresh browser context, on a desktop (1366×900) or a phone (390×844) viewport.

They run when a browser is present (`chromium` on PATH or SHIAN_CHROMIUM) and the playwright package is
installed; otherwise they are skipped — unless SHIAN_BROWSER_TESTS=required (as `.ci/run` sets), when a
missing browser is an error. Playwright cannot download browsers here, so it is pointed at the system's.
All browser tests run in one xdist worker (group "browser"), sharing one server.

Screenshots of each main page land in var/screenshots/ (SHIAN_SCREENSHOTS overrides), a CI artifact.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

from shian.cli import _die_with_parent

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = Path(os.environ.get("SHIAN_SCREENSHOTS") or ROOT / "var" / "screenshots")
PASSWORD = "shian-demo-2026"
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
REQUIRED = os.environ.get("SHIAN_BROWSER_TESTS") == "required"


def chromium_path() -> str | None:
    return os.environ.get("SHIAN_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


def _unavailable() -> str | None:
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install -e '.[dev]')"
    if not chromium_path():
        return "no chromium on PATH (apt-get install chromium fonts-noto-cjk, or set SHIAN_CHROMIUM)"
    return None


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    reason = _unavailable()
    for item in items:
        if here not in Path(item.fspath).parents:
            continue
        item.add_marker(pytest.mark.xdist_group("browser"))
        item.add_marker(pytest.mark.browser)
        if reason and not REQUIRED:
            item.add_marker(pytest.mark.skip(reason=f"browser tests skipped: {reason}"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _server_env(data_dir: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHIAN_") or k == "SHIAN_CHROMIUM"}
    env.update(SHIAN_DATA_DIR=data_dir, PYTHONUNBUFFERED="1", SHIAN_WEB_WORKERS="2", SHIAN_WEB_THREADS="4")
    return env


class Server:
    def __init__(self, url: str, data_dir: str, process: subprocess.Popen, log: Path):
        self.url, self.data_dir, self.process, self.log = url, data_dir, process, log

    def shian(self, *args: str) -> str:
        """Run a `shian` command against the server's database (e.g. to set up a case); returns stdout."""
        done = subprocess.run(
            [sys.executable, "-m", "shian", *args],
            env=_server_env(self.data_dir),
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        )
        return done.stdout


@pytest.fixture(scope="session")
def server():
    reason = _unavailable()
    if reason:
        pytest.fail(f"SHIAN_BROWSER_TESTS=required but {reason}")
    data_dir = tempfile.mkdtemp(prefix="shian-browser-")
    env = _server_env(data_dir)
    build = subprocess.run(
        [sys.executable, "-m", "shian", "demo", "--size", "tiny", "--no-serve", "--reset"],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert build.returncode == 0, build.stderr[-3000:]
    port = _free_port()
    log = Path(data_dir) / "server.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "shian", "serve", "--production", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_die_with_parent,  # a killed test run leaves no server behind
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            urllib.request.urlopen(url + "/login/", timeout=2)  # noqa: S310 (our own http:// server)
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the server did not start:\n{log.read_text()[-3000:]}") from None
            time.sleep(0.3)
    yield Server(url, data_dir, process, log)
    os.killpg(process.pid, 15)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, 9)
    shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def browser(server):
    from playwright.sync_api import sync_playwright

    pw = sync_playwright().start()
    browser = pw.chromium.launch(executable_path=chromium_path(), args=["--no-sandbox", "--disable-dev-shm-usage"])
    yield browser
    browser.close()
    pw.stop()


_SESSIONS: dict[tuple[str, str], dict] = {}


class Visitor:
    """One demo user in a browser context: `.page`, `.go(path)`, `.shot(name)`, `.lang`."""

    def __init__(self, server, browser, username: str | None, *, phone: bool = False, lang: str = "zh-hans"):
        self.server, self.username, self.phone, self.lang = server, username, phone, lang
        state = _SESSIONS.get((username, lang)) if username else None
        self.context = browser.new_context(
            viewport=PHONE if phone else DESKTOP,
            is_mobile=phone,
            has_touch=phone,
            locale="zh-CN" if lang == "zh-hans" else "en-US",
            storage_state=state,
            accept_downloads=True,
        )
        self.context.set_default_timeout(15_000)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.page.on("console", lambda msg: msg.type == "error" and self.errors.append(msg.text))
        if username and state is None:
            self._log_in()

    def _log_in(self) -> None:
        page = self.page
        page.goto(self.server.url + "/login/")
        if self.lang == "en":
            page.locator("form.lang-form button[value=en]").click()
            page.wait_for_load_state()
        page.fill("input[name=username]", self.username)
        page.fill("input[name=password]", PASSWORD)
        page.locator("form.form button.primary").click()
        page.wait_for_load_state()
        assert "/login/" not in page.url, f"{self.username} could not log in"
        _SESSIONS[(self.username, self.lang)] = self.context.storage_state()

    def go(self, path: str, *, status: int = 200):
        response = self.page.goto(self.server.url + path)
        assert response is not None and response.status == status, f"{path}: {response and response.status}"
        return response

    def shot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}-{'phone' if self.phone else 'desktop'}.png"
        self.page.screenshot(path=str(path), full_page=not self.phone)
        return path

    def text(self, selector: str = "main") -> str:
        return self.page.locator(selector).first.inner_text()

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def visit(server, browser):
    """`visit("shop", phone=True)` → a logged-in Visitor; closed after the test."""
    opened: list[Visitor] = []

    def open_as(username: str | None, *, phone: bool = False, lang: str = "zh-hans") -> Visitor:
        v = Visitor(server, browser, username, phone=phone, lang=lang)
        opened.append(v)
        return v

    yield open_as
    for v in opened:
        v.close()
