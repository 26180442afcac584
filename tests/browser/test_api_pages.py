"""The API reference pages (book/api/) and the chapters' code captions, in a browser.

Every public module of lessons_py has a page; every name in a module's ``__all__`` and
every documented public member of those classes has an entry with its signature and
docstring; the docstrings' math is typeset by the site's own MathJax, with no error and
no formula wider than the text column; no page asks another host for anything; and the
caption above every ``show_source`` block of a chapter links to an entry that exists.

The site is ``_build/html`` (``make book``); ``BOOK_SITE=/path/to/html`` tests another
build, e.g. one with only some chapters and the API part.
"""

import ast
import functools
import http.server
import importlib
import inspect
import json
import os
import pathlib
import pkgutil
import re
import threading
from urllib.parse import unquote, urljoin, urlparse

import pytest

import lessons_py
from lessons_py import source

from .conftest import ROOT, SITE, _QuietHandler, open_watched

SITE_DIR = pathlib.Path(os.environ.get("BOOK_SITE", SITE)).resolve()
API = "book/api"
MODULES = sorted(
    m.name
    for m in pkgutil.iter_modules(lessons_py.__path__)
    if not m.name.startswith("_")
)
CHAPTERS = (
    sorted(str(p.relative_to(SITE_DIR)) for p in (SITE_DIR / "book").glob("0*.html"))
    if (SITE_DIR / "book").exists()
    else []
)
API_PAGES = [f"{API}/index.html", *(f"{API}/{m}.html" for m in MODULES)]


@pytest.fixture(scope="module")
def api_site_url():
    """Serve SITE_DIR on 127.0.0.1 (a free port)."""
    if not (SITE_DIR / API / "index.html").exists():
        pytest.fail(f"the API pages are not built in {SITE_DIR}: run `make book` first")
    handler = functools.partial(_QuietHandler, directory=str(SITE_DIR))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


COLLECT = """() => {
  const main = document.querySelector('main');
  const skip = 'code, pre, mjx-container, script, style, .highlight';
  const walker = document.createTreeWalker(main, NodeFilter.SHOW_TEXT);
  const leftover = [];
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (n.parentElement.closest(skip)) continue;
    if (/\\\\[()\\[\\]]|\\$|:math:|\\\\begin\\{/.test(n.textContent))
      leftover.push(n.textContent.trim().slice(0, 80));
  }
  const items = window.MathJax && MathJax.startup && MathJax.startup.document
    ? [...MathJax.startup.document.math] : [];
  const mml = items.map(m => MathJax.startup.toMML(m.root));
  return {
    ids: [...document.querySelectorAll('[id]')].map(e => e.id),
    nav: [...document.querySelectorAll('nav a[href]')].map(a => a.href),
    entries: [...main.querySelectorAll('dl.py > dt[id]')].map(dt => ({
      id: dt.id,
      signature: dt.querySelector('.sig-paren') !== null,
      doc: (dt.nextElementSibling?.textContent || '').trim().length,
    })),
    raw_math: [...main.querySelectorAll('.math')]
      .filter(e => !e.querySelector('mjx-container'))
      .map(e => e.textContent.slice(0, 60)),
    typeset: main.querySelectorAll('mjx-container').length,
    // an unknown macro is drawn in red; a backslash left in a text box means a missing
    // textmacros package
    math_errors: mml.filter(s => s.includes('<merror') || s.includes('mathcolor="red"')
                                 || /<mtext[^>]*>[^<]*\\\\/.test(s))
      .map(s => s.slice(0, 120)),
    too_wide: [...main.querySelectorAll('div.math mjx-container')]
      .filter(m => m.scrollWidth > m.clientWidth + 1)
      .map(m => [(m.closest('dd') || main).previousElementSibling?.id || '',
                 m.scrollWidth, m.clientWidth]),
    leftover: leftover,
    captions: [...main.querySelectorAll('p.source-caption')].map(p => ({
      text: p.textContent,
      api: p.querySelector('a.reference.internal')?.href || null,
      github: p.querySelector('a.reference.external')?.href || null,
    })),
  };
}"""


@pytest.fixture(scope="module")
def loaded(browser, api_site_url):
    """Load every API page and every chapter page once, at the book's usual width."""
    results = {}
    for page_path in API_PAGES + CHAPTERS:
        if not (SITE_DIR / page_path).exists():
            continue
        page, info = open_watched(browser, f"{api_site_url}/{page_path}")
        info.update(page.evaluate(COLLECT))
        info["url"] = f"{api_site_url}/{page_path}"
        page.close()
        results[page_path] = info
    return results


def module_of(name):
    return importlib.import_module(f"lessons_py.{name}")


def public_entries(name):
    """The ids autodoc gives the module's names and its classes' documented members."""
    module = module_of(name)
    ids = []
    for attr in module.__all__:
        obj = getattr(module, attr)
        ids.append(f"{module.__name__}.{attr}")
        if inspect.isclass(obj) and obj.__module__ == module.__name__:
            for member, raw in vars(obj).items():
                if member.startswith("_"):
                    continue
                if not (
                    inspect.isfunction(raw)
                    or isinstance(raw, (property, classmethod, staticmethod))
                ):
                    continue
                if inspect.getdoc(getattr(obj, member)):
                    ids.append(f"{module.__name__}.{attr}.{member}")
    return ids


@pytest.mark.parametrize("name", MODULES)
def test_every_module_has_a_page(name):
    page = SITE_DIR / API / f"{name}.html"
    assert page.exists(), f"no API page for lessons_py.{name}: add book/api/{name}.rst"
    assert f'id="module-lessons_py.{name}"' in page.read_text("utf-8")


def test_the_api_pages_are_in_the_navigation(loaded):
    nav = {urlparse(href).path for href in loaded[f"{API}/index.html"]["nav"]}
    for name in MODULES:
        assert f"/{API}/{name}.html" in nav, name


@pytest.mark.parametrize("page_path", API_PAGES)
def test_api_page_makes_no_outside_request_and_no_error(loaded, page_path):
    info = loaded[page_path]
    assert info["external"] == []
    assert info["bad_status"] == [] and info["errors"] == []


@pytest.mark.parametrize("name", MODULES)
def test_every_public_object_has_an_entry_with_signature_and_docstring(loaded, name):
    info = loaded[f"{API}/{name}.html"]
    entries = {e["id"]: e for e in info["entries"]}
    module = module_of(name)
    for wanted in public_entries(name):
        assert wanted in entries, f"{wanted} has no entry"
        obj = getattr(module, wanted.split(".")[2])
        takes_arguments = inspect.isfunction(obj) or (
            inspect.isclass(obj) and obj.__init__ is not object.__init__
        )
        if wanted.count(".") == 2 and takes_arguments:
            assert entries[wanted]["signature"], f"{wanted} has no signature"
        assert entries[wanted]["doc"] > 0, f"{wanted} has no docstring"


@pytest.mark.parametrize("page_path", API_PAGES)
def test_the_docstrings_math_is_typeset(loaded, page_path):
    info = loaded[page_path]
    assert info["raw_math"] == []
    assert info["math_errors"] == []
    assert info["leftover"] == [], "TeX or RST markup left as text"


@pytest.mark.parametrize("name", MODULES)
def test_a_module_with_math_in_its_docstrings_shows_it(loaded, name):
    text = inspect.getsource(module_of(name))
    if ":math:" in text or ".. math::" in text:
        assert loaded[f"{API}/{name}.html"]["typeset"] > 0


@pytest.mark.parametrize("page_path", API_PAGES)
def test_every_formula_fits_the_text_column(loaded, page_path):
    """An algorithm box cut at the right edge (or scrolled) hides part of the rule."""
    assert loaded[page_path]["too_wide"] == []


def show_source_calls(chapter_html):
    """How many ``show_source(...)`` calls the chapter's notebook makes."""
    notebook = ROOT / "book" / pathlib.Path(chapter_html).with_suffix(".ipynb").name
    cells = json.loads(notebook.read_text("utf-8"))["cells"]
    count = 0
    for cell in cells:
        if cell["cell_type"] != "code":
            continue
        for node in ast.walk(ast.parse("".join(cell["source"]))):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", "") == "show_source"
            ):
                count += 1
    return count


def test_some_chapter_is_built():
    assert CHAPTERS, f"no chapter page in {SITE_DIR / 'book'}"


@pytest.mark.parametrize("page_path", CHAPTERS)
def test_every_code_block_has_a_caption(loaded, page_path):
    assert len(loaded[page_path]["captions"]) == show_source_calls(page_path)


@pytest.mark.parametrize("page_path", CHAPTERS)
def test_every_caption_links_to_an_existing_api_entry(loaded, page_path):
    info = loaded[page_path]
    by_url = {loaded[p]["url"]: loaded[p] for p in API_PAGES if p in loaded}
    caption = re.compile(r"(lessons_py/\S+\.py), lines? (\d+)(?:\u2013(\d+))? · GitHub")
    for cap in info["captions"]:
        match = caption.fullmatch(cap["text"])
        assert match, cap["text"]
        path, first, last = match[1], match[2], match[3] or match[2]
        assert cap["api"], cap["text"]
        target, _, anchor = cap["api"].partition("#")
        assert target.startswith(urljoin(info["url"], "api/")), cap["api"]
        assert target in by_url, f"{cap['api']}: no such page"
        assert unquote(anchor) in by_url[target]["ids"], f"{cap['api']}: no such anchor"
        lines = f"#L{first}" + (f"-L{last}" if last != first else "")
        assert cap["github"] == f"{source.REPOSITORY}{path}{lines}"


@pytest.mark.parametrize("page_path", CHAPTERS)
def test_following_a_caption_link_lands_on_the_entry(browser, api_site_url, page_path):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.route(
        "**/*",
        lambda route: (
            route.continue_()
            if urlparse(route.request.url).hostname in (None, "127.0.0.1")
            else route.abort()
        ),
    )
    page.goto(f"{api_site_url}/{page_path}", wait_until="load")
    link = page.locator("main p.source-caption a.reference.internal").first
    href = link.get_attribute("href")
    link.click()
    page.wait_for_url(f"**/{href.split('/')[-1]}")
    target = page.evaluate(
        "() => { const e = document.getElementById("
        "decodeURIComponent(location.hash.slice(1))); "
        "return e && e.closest('dl.py') !== null "
        "&& e.getBoundingClientRect().top < 900; }"
    )
    page.close()
    assert target, href
