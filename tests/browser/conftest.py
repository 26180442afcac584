"""Fixtures for tests that drive headless Chromium (Debian's) with Playwright."""

import functools
import http.server
import pathlib
import shutil
import sys
import threading
from urllib.parse import urlparse

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
SITE = ROOT / "_build" / "html"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    pytest.fail(
        "Chromium is not installed: on Debian, `apt-get install chromium` "
        "(.ci/run does it)"
    )


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield b
        b.close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


class _QuietServer(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        """A page closed while a file was on its way (BrokenPipe, reset) is normal in
        these tests; anything else is printed as usual."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@pytest.fixture(scope="session")
def site_url():
    """Serve the built site on 127.0.0.1 (a free port) for the whole session."""
    if not (SITE / "index.html").exists():
        pytest.fail("the site is not built: run `make book` first")
    handler = functools.partial(_QuietHandler, directory=str(SITE))
    server = _QuietServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def open_watched(browser, url):
    """Open ``url`` at 1280 x 900 and wait for MathJax; return the page and what it did:
    JavaScript errors, requests to other hosts, failed requests and HTTP errors."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    info = {"errors": [], "external": [], "failed": [], "bad_status": []}
    page.on("pageerror", lambda exc: info["errors"].append(str(exc)))
    page.on(
        "console",
        lambda msg: info["errors"].append(msg.text) if msg.type == "error" else None,
    )
    page.on(
        "request",
        lambda req: (
            info["external"].append(req.url)
            if urlparse(req.url).hostname not in (None, "127.0.0.1")
            and not req.url.startswith(("data:", "blob:", "about:"))
            else None
        ),
    )
    page.on("requestfailed", lambda req: info["failed"].append(req.url))
    page.on(
        "response",
        lambda r: (
            info["bad_status"].append(f"{r.status} {r.url}")
            if r.status >= 400
            else None
        ),
    )
    page.goto(url, wait_until="load")
    page.wait_for_function(
        "() => !window.MathJax || !window.MathJax.startup || "
        "window.MathJax.startup.promise !== undefined"
    )
    page.evaluate(
        "() => window.MathJax && MathJax.startup ? MathJax.startup.promise : null"
    )
    return page, info
