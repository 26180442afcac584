"""Exercise benchmark (`make bench`): the built static site in headless Chromium, no
kernel.

For every chapter page of `_build/html`, served on 127.0.0.1 with every other request
blocked, it reports

* the page weight: the bytes of everything the page loads on a first visit, uncompressed
  (the HTML itself, with the exercises' stored frames, shown apart);
* the latency of a slider move: from the key press that moves a slider to the first
  animation frame after the page has changed, measured inside the page for every slider,
  stepped back and forth (median and 95th percentile per chapter).

This is a measurement, not a test: it prints a table. The budgets it is read against are
a p95 of 50 ms per slider move and at most 2 MB of extra page weight per chapter.
"""

import contextlib
import functools
import http.server
import pathlib
import shutil
import sys
import threading
from urllib.parse import urlparse

import numpy as np
from playwright.sync_api import sync_playwright

ROOT = pathlib.Path(__file__).resolve().parents[1]
SITE = ROOT / "_build" / "html"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
MOVES = 12  # key presses per slider

ARM = """() => {
    // t0: the key press (capture phase, before the slider handles it); t1: the first
    // animation frame after the page changed.
    window.__bench = {t0: null, t1: null};
    document.addEventListener('keydown',
        () => { window.__bench.t0 = performance.now(); }, {capture: true, once: true});
    const observer = new MutationObserver(() => {
        observer.disconnect();
        requestAnimationFrame(() => { window.__bench.t1 = performance.now(); });
    });
    observer.observe(document.querySelector('main'), {
        subtree: true, childList: true, characterData: true, attributes: true,
        attributeFilter: ['src', 'aria-label']});
}"""


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def _serve():
    handler = functools.partial(_Quiet, directory=str(SITE))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _only_local(route):
    url = route.request.url
    if url.startswith(("data:", "blob:")) or urlparse(url).hostname == "127.0.0.1":
        route.continue_()
    else:
        route.abort()


def measure(browser, url):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.route("**/*", _only_local)
    sizes = {}

    def record(response):
        with contextlib.suppress(Exception):  # a response without a body (a redirect)
            sizes[response.url] = len(response.body())

    page.on("response", record)
    page.goto(url, wait_until="load")
    page.wait_for_selector("main .widget-html-content", timeout=60_000)
    page.wait_for_timeout(1000)  # fonts and late requests
    html = sizes.get(url, 0)
    times = []
    handles = page.locator("main .widget-slider .noUi-handle")
    for k in range(handles.count()):
        handle = handles.nth(k)
        handle.scroll_into_view_if_needed()
        handle.focus()
        key = "ArrowRight"
        for _ in range(MOVES):  # back and forth between the ends
            now, low, high = (
                handle.get_attribute(a)
                for a in ("aria-valuenow", "aria-valuemin", "aria-valuemax")
            )
            key = "ArrowLeft" if now == high else "ArrowRight" if now == low else key
            page.evaluate(ARM)
            handle.press(key)
            page.wait_for_function("() => window.__bench.t1 !== null", timeout=10_000)
            t0, t1 = page.evaluate("() => [window.__bench.t0, window.__bench.t1]")
            times.append(t1 - t0)
    context.close()
    return sum(sizes.values()), html, np.array(times)


def main(pages):
    if not (SITE / "index.html").exists():
        sys.exit("the site is not built: run `make book` first")
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        sys.exit("Chromium is not installed: on Debian, `apt-get install chromium`")
    server = _serve()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    print(
        f"{'page':<32} {'weight MB':>9} {'HTML MB':>8} {'moves':>6} {'median ms':>10} "
        f"{'p95 ms':>7} {'<= 50 ms':>9}"
    )
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=ARGS)
        for name in pages:
            weight, html, t = measure(browser, f"{base}/{name}")
            cells = (
                (
                    f"{t.size:>6} {np.median(t):>10.1f} {np.percentile(t, 95):>7.1f} "
                    f"{100 * np.mean(t <= 50):>8.0f}%"
                )
                if t.size
                else f"{0:>6} {'-':>10} {'-':>7} {'-':>9}"
            )
            print(f"{name:<32} {weight / 1e6:>9.2f} {html / 1e6:>8.2f} {cells}")
        browser.close()
    server.shutdown()


if __name__ == "__main__":
    main(
        sys.argv[1:]
        or sorted(
            str(p.relative_to(SITE)) for p in (SITE / "book").glob("[0-9][0-9]_*.html")
        )
    )
