"""Browser tests: Playwright drives Debian's Chromium against the session app on a live server.

Without Chromium (or without Playwright) these tests are skipped with a message saying what to
install, so `make test` still works on a bare machine. CI sets REQUIRE_BROWSER=1: then a missing
browser is a failure, never a silent skip. When a test fails, a screenshot of its page is saved in
test-artifacts/ (git-ignored).
"""
import logging
import os
import re
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
DEFAULT_CHROMIUM = "/usr/bin/chromium"
# Flags for a headless Chromium on a machine without a network outside loopback: no sandbox (CI runs
# as root), no GPU, and none of the background connections Chromium would otherwise keep retrying.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
TIMEOUT_MS = 15_000


def chromium_path():
    return os.environ.get("CHROMIUM_PATH", "").strip() or DEFAULT_CHROMIUM


def browser_required():
    return os.environ.get("REQUIRE_BROWSER", "").strip().lower() in {"1", "true", "yes", "on"}


def _unavailable(message):
    """Skip on a developer machine without a browser; fail where the browser tests must run."""
    if browser_required():
        pytest.fail(f"{message} (REQUIRE_BROWSER=1, so this is a failure, not a skip)", pytrace=False)
    pytest.skip(message)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    # Keep each phase's report on the test item, so the page fixture knows whether the test failed.
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


@pytest.fixture(scope="session")
def live_server(app):
    """The session app served over real HTTP on 127.0.0.1 and a free port; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    port = server.socket.getsockname()[1]
    werkzeug_log = logging.getLogger("werkzeug")
    saved_level = werkzeug_log.level
    werkzeug_log.setLevel(logging.WARNING)  # no access-log line for every asset request
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        werkzeug_log.setLevel(saved_level)


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole run."""
    path = chromium_path()
    if not os.path.isfile(path) or not os.access(path, os.X_OK):
        _unavailable(
            f"Chromium not found at {path}; install Debian's chromium to run browser tests "
            "(apt-get install chromium), or point CHROMIUM_PATH at a Chromium binary"
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable(
            "Playwright for Python is not installed; `make test` installs it from "
            "requirements-dev.txt (or run .venv/bin/pip install -r requirements-dev.txt)"
        )
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS, headless=True)
    except Exception:
        playwright.stop()
        raise
    yield chromium
    chromium.close()
    playwright.stop()


class BrowserLog:
    """What a page reported while a test ran: console messages, script errors, CSP violations and
    every request it made."""

    def __init__(self):
        self.console = []  # (type, text)
        self.page_errors = []
        self.requests = []

    @property
    def errors(self):
        return [text for kind, text in self.console if kind == "error"] + self.page_errors

    def csp_violations(self, page):
        reported = page.evaluate("window.__cspViolations || []")
        logged = [text for _, text in self.console if "Content Security Policy" in text]
        return reported + logged


# Recorded from the first script of every document (an init script is not subject to the CSP).
CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__cspViolations.push(e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline'));
});
"""


@pytest.fixture
def browser_log():
    return BrowserLog()


@pytest.fixture
def viewport():
    """Override in a test (or parametrize) for another window size."""
    return {"width": 1280, "height": 800}


@pytest.fixture
def page(request, browser, live_server, browser_log, viewport):
    """A fresh page (own cookies) in a desktop-sized window; a screenshot is kept if the test fails."""
    context = browser.new_context(viewport=viewport, locale="nl-NL", base_url=live_server)
    context.set_default_timeout(TIMEOUT_MS)
    context.add_init_script(CSP_LISTENER)
    new_page = context.new_page()
    new_page.on("console", lambda msg: browser_log.console.append((msg.type, msg.text)))
    new_page.on("pageerror", lambda error: browser_log.page_errors.append(str(error)))
    new_page.on("request", lambda req: browser_log.requests.append(req.url))
    yield new_page
    failed = any(
        getattr(getattr(request.node, f"rep_{when}", None), "failed", False) for when in ("setup", "call")
    )
    if failed:
        ARTIFACTS.mkdir(exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid)[-150:]
        try:
            new_page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
        except Exception as exc:  # a crashed page must not hide the real failure
            print(f"no screenshot for {request.node.nodeid}: {exc}")
    context.close()
