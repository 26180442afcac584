"""The widget exercises, live: each chapter served by Voilà on 127.0.0.1 with a real
kernel, driven in headless Chromium. Moving a slider must change the figure; choosing a
wrong and then the right answer of a question must each get their feedback; no traceback
may appear. The server is stopped by the fixture.

A loaded machine (CI runners share their cores) makes every step slower, never wrong:
the timeouts below are generous, a kernel that does not come up is retried, and an
output message that is late fails loudly instead of silently dropping the cell's
widget."""

import os
import pathlib
import signal
import socket
import subprocess
import sys
import time

import pytest

from .conftest import ROOT, SITE

CHAPTERS = sorted(p.name for p in (ROOT / "book").glob("[0-9][0-9]_*.ipynb"))
SHOTS = ROOT / "_build" / "screenshots"


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def voila_url():
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}
    voila = pathlib.Path(sys.executable).with_name("voila")
    proc = subprocess.Popen(
        [
            str(voila),
            str(ROOT / "book"),
            "--no-browser",
            f"--port={port}",
            "--Voila.ip=127.0.0.1",
            "--VoilaConfiguration.show_tracebacks=True",
            "--VoilaExecutor.timeout=300",  # seconds per cell
            "--VoilaExecutor.startup_timeout=300",  # kernel start
            # nbclient waits 4 s for a cell's output messages and then skips the cell
            # without an error: a widget would silently be missing on a busy machine
            "--VoilaExecutor.iopub_timeout=120",
            "--VoilaExecutor.raise_on_iopub_timeout=True",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            if proc.poll() is not None:
                pytest.fail(f"voila exited: {proc.stderr.read().decode()[-2000:]}")
            time.sleep(0.2)
        else:
            pytest.fail("voila did not start within 60 s")
        yield f"http://127.0.0.1:{port}"
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


WIDGET_OUTPUTS = """() => [...document.querySelectorAll('.jp-OutputArea-output')]
    .filter(e => e.querySelector('.jupyter-widgets')).length"""
SEEN = """() => [...document.querySelectorAll('.widget-html-content')]
    .map(e => e.innerHTML).join('|')"""


def _widget_outputs(chapter):
    """How many outputs of ``chapter`` are widgets, counted on its built static page."""
    page = SITE / "book" / chapter.replace(".ipynb", ".html")
    if not page.exists():
        pytest.fail(f"{page} is not built: run `make book` first")
    text = page.read_text(encoding="utf-8")
    return text.count('type="application/vnd.jupyter.widget-view+json"')


def _open_chapter(browser, voila_url, chapter, attempts=3):
    """Open a chapter in Voilà and wait until every widget output is on the page (as
    many as its static page embeds: Voilà renders them one by one, and a test that
    looked for the last question too early would find another control). A kernel that
    fails to start is retried with a fresh page; the failure message shows what the
    page said."""
    expected = _widget_outputs(chapter)
    for attempt in range(1, attempts + 1):
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        errors = []
        page.on("pageerror", lambda exc, errors=errors: errors.append(str(exc)))
        try:
            page.goto(f"{voila_url}/voila/render/{chapter}", timeout=300_000)
            page.wait_for_selector(".widget-slider .noUi-handle", timeout=300_000)
            page.wait_for_selector(
                ".widget-html svg, .widget-html img", timeout=120_000
            )
            page.wait_for_function(
                f"n => ({WIDGET_OUTPUTS})() >= n", arg=expected, timeout=120_000
            )
            return page, errors
        except Exception:
            shot = SHOTS / f"voila_{chapter}_attempt{attempt}.png"
            SHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(shot), full_page=True)
            said = page.inner_text("body")[:1500]
            page.close()
            if attempt == attempts:
                pytest.fail(
                    f"{chapter}: no live widget after {attempts} attempts; "
                    f"screenshot {shot}; the page said:\n{said}"
                )


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_slider_redraws_and_answers_get_feedback(browser, voila_url, chapter):
    page, errors = _open_chapter(browser, voila_url, chapter)
    try:
        before = page.evaluate(SEEN)
        handle = page.locator(".widget-slider .noUi-handle").first
        handle.focus()
        for _ in range(3):
            handle.press("ArrowRight")
        page.wait_for_function(
            f"before => ({SEEN})() !== before", arg=before, timeout=120_000
        )

        question = page.locator(".widget-toggle-buttons, .widget-radio-box").last
        options = question.locator("button, input")
        for i in range(options.count()):  # each option shows its own feedback
            before = page.evaluate(SEEN)
            options.nth(i).click()
            page.wait_for_function(
                f"before => ({SEEN})() !== before", arg=before, timeout=120_000
            )
            said = page.evaluate("""() => [...document.querySelectorAll(
                '.widget-html-content')].map(e => e.textContent.trim())""")
            assert any(t.startswith(("Correct", "Not ")) for t in said), said[-5:]
        text = page.inner_text("body")
        assert "Traceback" not in text and "Could not draw" not in text
        assert errors == []
    finally:
        page.close()
