"""Every page of the built site, loaded in a real browser: self-contained and fully
rendered.

With SCREENSHOTS=1 in the environment a full-page screenshot of each page is written to
_build/screenshots/ for review (2-3 s a page, so not by default).
"""

import contextlib
import os
import posixpath
import re

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from .conftest import ROOT, SITE, open_watched

REFRESH = re.compile(r'<meta http-equiv="Refresh" content="0; url=([^"]+)"', re.I)


def _site_files():
    if not SITE.exists():
        return []
    return sorted(
        p
        for p in SITE.rglob("*.html")
        if "_static" not in p.parts and p.name not in {"genindex.html", "search.html"}
    )


def _refresh_target(path):
    """Where a redirect stub (the site's index.html) sends the reader, or None."""
    found = REFRESH.match(path.read_text(encoding="utf-8")[:500].strip())
    return found and found.group(1)


# Redirect stubs hold no content: checking one would inspect whatever page the browser
# is halfway through loading when the redirect fires. They get a test of their own.
_TARGETS = {str(p.relative_to(SITE)): _refresh_target(p) for p in _site_files()}
REDIRECTS = {page: target for page, target in _TARGETS.items() if target}
PAGES = [page for page, target in _TARGETS.items() if not target]
SHOTS = (
    ROOT / "_build" / "screenshots" if os.environ.get("SCREENSHOTS") == "1" else None
)
VIEWS = """document.querySelectorAll(
    'script[type="application/vnd.jupyter.widget-view+json"]').length"""
RENDERED = """document.querySelectorAll('main .jupyter-widgets.widget-container, '
    + 'main .widget-hbox, main .widget-vbox, main .jupyter-widgets').length"""
WIDGETS_SHOWN = f"() => {RENDERED} >= {VIEWS}"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"


def test_the_site_has_the_book_pages():
    assert "book/intro.html" in PAGES and "book/01_sgd.html" in PAGES
    assert "index.html" in REDIRECTS


@pytest.mark.parametrize("stub", sorted(REDIRECTS))
def test_redirect_lands_on_a_checked_page(browser, site_url, stub):
    target = posixpath.normpath(
        posixpath.join(posixpath.dirname(stub), REDIRECTS[stub])
    )
    assert target in PAGES
    page = browser.new_page()
    page.goto(f"{site_url}/{stub}")
    page.wait_for_url(f"{site_url}/{target}")
    page.wait_for_load_state("load")
    assert page.title()
    page.close()


@pytest.fixture(scope="module")
def loaded(browser, site_url):
    """Load each page once; keep what the tests below inspect."""
    if SHOTS:
        SHOTS.mkdir(parents=True, exist_ok=True)
    results = {}
    for page_path in PAGES:
        page, info = open_watched(browser, f"{site_url}/{page_path}")
        # the widget manager renders every embedded view, then a moment to settle; on a
        # timeout test_every_embedded_widget_is_rendered reports the counts
        with contextlib.suppress(PlaywrightTimeout):
            page.wait_for_function(WIDGETS_SHOWN, timeout=30_000)
        page.wait_for_timeout(300)
        info["images"] = (
            page.evaluate("""() => [...document.querySelectorAll('main img')].map(
            i => ({src: i.src, ok: i.complete && i.naturalWidth > 0,
                   alt: i.getAttribute('alt'), content: i.closest('article') !== null,
                   layer: i.getAttribute('aria-hidden') === 'true'}))""")
        )
        info["svg_labels"] = page.evaluate("""() => [...document.querySelectorAll(
            'main .widget-html svg[role=img]')]
            .map(s => s.getAttribute('aria-label') || '')""")
        info["raw_math"] = (
            page.evaluate("""() => [...document.querySelectorAll('main .math')]
            .filter(e => !e.querySelector('mjx-container'))
            .map(e => e.textContent.slice(0, 60))""")
        )
        info["math"] = page.evaluate(
            "() => document.querySelectorAll('main mjx-container').length"
        )
        info["widget_views"] = page.evaluate(f"() => {VIEWS}")
        info["widgets_rendered"] = page.evaluate(f"() => {RENDERED}")
        info["overflowing_code"] = page.evaluate("""() => [...document.querySelectorAll(
            'main div.highlight pre, main div.cell_output pre')]
            .filter(p => p.scrollWidth > p.clientWidth + 1)
            .map(p => p.textContent.split('\\n')
                 .reduce((a, b) => a.length >= b.length ? a : b))""")
        info["headings"] = page.evaluate(
            "() => [...document.querySelectorAll('main h1, main h2, main h3, main h4')]"
            ".map(h => Number(h.tagName[1]))"
        )
        if AXE.exists():
            page.add_script_tag(path=str(AXE))
            info["axe"] = page.evaluate("""async () => (await axe.run(
                    document.querySelector('main'), {runOnly: [
                    'image-alt', 'heading-order', 'color-contrast', 'document-title',
                    'html-has-lang', 'link-name', 'button-name', 'label']})).violations
                .map(v => ({id: v.id, nodes: v.nodes.length,
                    targets: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))""")
        if SHOTS:
            page.screenshot(
                path=str(SHOTS / (page_path.replace("/", "_") + ".png")), full_page=True
            )
        page.close()
        results[page_path] = info
    return results


@pytest.mark.parametrize("page_path", PAGES)
def test_page_makes_no_third_party_request(loaded, page_path):
    assert loaded[page_path]["external"] == []


@pytest.mark.parametrize("page_path", PAGES)
def test_page_loads_without_http_or_javascript_errors(loaded, page_path):
    info = loaded[page_path]
    assert info["bad_status"] == [] and info["failed"] == []
    assert info["errors"] == []


@pytest.mark.parametrize("page_path", PAGES)
def test_every_image_loads_and_has_alt_text(loaded, page_path):
    """Figures in the text need a description; interface icons (launch buttons) a name.
    The fixed layer of an explorer's figure is hidden from screen readers: the SVG drawn
    over it
    carries the description of the whole figure for the setting on show."""
    for image in loaded[page_path]["images"]:
        assert image["ok"], image["src"][:80]
        if image["layer"]:
            assert image["alt"] == "", image["src"][:80]
            continue
        assert image["alt"], image["src"][:80]
        if image["content"]:
            assert len(image["alt"]) > 20, image["src"][:80]


@pytest.mark.parametrize("page_path", PAGES)
def test_every_drawn_figure_layer_is_described(loaded, page_path):
    info = loaded[page_path]
    assert all(len(label) > 20 for label in info["svg_labels"]), info["svg_labels"]
    assert len(info["svg_labels"]) >= sum(image["layer"] for image in info["images"])


@pytest.mark.parametrize("page_path", PAGES)
def test_every_formula_is_typeset(loaded, page_path):
    assert loaded[page_path]["raw_math"] == []


@pytest.mark.parametrize("page_path", [p for p in PAGES if p.startswith("book/0")])
def test_chapter_has_typeset_math(loaded, page_path):
    assert loaded[page_path]["math"] > 0


@pytest.mark.parametrize("page_path", PAGES)
def test_every_embedded_widget_is_rendered(loaded, page_path):
    info = loaded[page_path]
    if info["widget_views"]:
        assert info["widgets_rendered"] >= info["widget_views"]


@pytest.mark.parametrize("page_path", PAGES)
def test_headings_do_not_skip_levels(loaded, page_path):
    levels = loaded[page_path]["headings"]
    assert levels and levels[0] == 1
    assert all(b <= a + 1 for a, b in zip(levels, levels[1:])), levels


@pytest.mark.parametrize("page_path", PAGES)
def test_basic_accessibility_rules_pass(loaded, page_path):
    assert AXE.exists(), "axe-core missing: run `make book` (npm ci)"
    assert loaded[page_path]["axe"] == []


@pytest.mark.parametrize("page_path", PAGES)
def test_code_and_its_output_fit_the_text_column(loaded, page_path):
    """At 1280 x 900 no code cell, shown source or printed output scrolls sideways: code
    is formatted to 88 columns, printed tables as narrow (the longest line shows)."""
    assert loaded[page_path]["overflowing_code"] == []
