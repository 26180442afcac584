"""The exercises on the static site: every control of every chapter page responds in the
browser with no kernel and no network.

Each chapter page is served from 127.0.0.1 with every other request blocked. Every
control is driven the way a reader drives it (sliders with the keyboard, dropdowns,
toggle buttons and radio buttons with the mouse), in page order, and what the reader
sees (the figure, its caption and description, the feedback) must change each time,
with no JavaScript error.
"""

import hashlib
from urllib.parse import urlparse

import pytest

from .conftest import SITE

CHAPTERS = (
    sorted(str(p.relative_to(SITE)) for p in (SITE / "book").glob("[0-9][0-9]_*.html"))
    if (SITE / "book").exists()
    else []
)
# What the reader sees of the exercises: every widget HTML on show (figures, captions,
# descriptions, feedback), and which controls are selected.
SEEN = """() => [...document.querySelectorAll('main .widget-html-content')]
    .map(e => e.innerHTML).join('\\u0000')"""
CONTROLS = """() => {
    const all = [...document.querySelectorAll('main .widget-slider .noUi-handle, ' +
        'main .widget-dropdown select, main .widget-toggle-buttons, ' +
        'main .widget-radio-box')];
    return all.map(e => e.matches('.noUi-handle') ? 'slider'
                      : e.matches('select') ? 'dropdown'
                      : e.matches('.widget-toggle-buttons') ? 'toggle' : 'radio');
}"""
# Every learning-rate or momentum slider (label η…, lr, β or β₁, as the chapters name
# them) spans its regimes in at least this many positions.
SLIDERS = """() => [...document.querySelectorAll('main .widget-slider')].map(s => [
    (s.querySelector('.widget-label') || {innerText: ''}).innerText,
    1 + Number(s.querySelector('.noUi-handle').getAttribute('aria-valuemax'))
      - Number(s.querySelector('.noUi-handle').getAttribute('aria-valuemin'))])"""
MIN_POSITIONS = 15
LIMIT_MB = (
    2.5  # a chapter page was at most 0.51 MB before its exercises were stored in it
)


def test_the_site_has_chapter_pages():
    assert len(CHAPTERS) >= 7, "the site is not built: run `make book` first"


def _digest(text):
    return hashlib.sha1(text.encode()).hexdigest()


def _open(browser, site_url, chapter):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    info = {"errors": [], "blocked": []}
    page.on("pageerror", lambda exc: info["errors"].append(str(exc)))
    page.on(
        "console",
        lambda msg: info["errors"].append(msg.text) if msg.type == "error" else None,
    )

    def only_local(route):
        url = route.request.url
        if url.startswith(("data:", "blob:")) or urlparse(url).hostname == "127.0.0.1":
            route.continue_()
        else:
            info["blocked"].append(url)
            route.abort()

    page.route("**/*", only_local)
    page.goto(f"{site_url}/{chapter}", wait_until="load")
    page.wait_for_selector("main .widget-html-content", timeout=60_000)
    page.wait_for_timeout(300)  # the widget manager renders every embedded view
    return page, info


def _options(page, kind, k):
    """How many separate actions control ``k`` offers: every option of a question."""
    if kind in ("toggle", "radio"):
        group = (
            "main .widget-toggle-buttons"
            if kind == "toggle"
            else "main .widget-radio-box"
        )
        inputs = "button" if kind == "toggle" else "input"
        return page.locator(group).nth(k).locator(inputs).count()
    return 1


def _selected(page, kind, k, option):
    """Whether option ``option`` of a toggle or radio control ``k`` is the selected
    one."""
    if kind == "toggle":
        button = (
            page.locator("main .widget-toggle-buttons")
            .nth(k)
            .locator("button")
            .nth(option)
        )
        return "mod-active" in (button.get_attribute("class") or "")
    if kind == "radio":
        return (
            page.locator("main .widget-radio-box")
            .nth(k)
            .locator("input")
            .nth(option)
            .is_checked()
        )
    return False


def _act(page, kind, k, option=0):
    """Drive control number ``k`` of its kind as a reader would (for toggle and radio
    buttons: choose ``option``); return a description."""
    if kind == "slider":
        handle = page.locator("main .widget-slider .noUi-handle").nth(k)
        handle.scroll_into_view_if_needed()
        handle.focus()
        at_max = handle.get_attribute("aria-valuenow") == handle.get_attribute(
            "aria-valuemax"
        )
        key = "ArrowLeft" if at_max else "ArrowRight"
        handle.press(key)
        return f"slider {k}: {key}"
    if kind == "dropdown":
        select = page.locator("main .widget-dropdown select").nth(k)
        options = select.locator("option").all_inner_texts()
        current = select.evaluate("s => s.selectedIndex")
        choice = (current + 1) % len(options)
        select.select_option(index=choice)
        return f"dropdown {k}: {options[choice]!r}"
    if kind == "toggle":
        button = (
            page.locator("main .widget-toggle-buttons")
            .nth(k)
            .locator("button")
            .nth(option)
        )
        button.scroll_into_view_if_needed()
        button.click()
        return f"toggle buttons {k}: {button.inner_text()!r}"
    radio = page.locator("main .widget-radio-box").nth(k).locator("input").nth(option)
    radio.scroll_into_view_if_needed()
    radio.check()
    return f"radio buttons {k}: option {option}"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_every_control_changes_what_the_reader_sees(browser, site_url, chapter):
    page, info = _open(browser, site_url, chapter)
    try:
        kinds = page.evaluate(CONTROLS)
        assert "slider" in kinds or "dropdown" in kinds, f"{chapter} has no explorer"
        assert kinds.count("toggle") + kinds.count("radio") >= 2, (
            f"{chapter} has no questions"
        )
        coarse = [
            (label, n)
            for label, n in page.evaluate(SLIDERS)
            if ("η" in label or label.strip() in ("β", "β₁", "lr"))
            and n < MIN_POSITIONS
        ]
        assert coarse == [], f"{chapter}: learning-rate/momentum sliders too coarse"
        counters, dead = {}, []
        for kind in kinds:
            k = counters[kind] = counters.get(kind, -1) + 1
            for option in range(_options(page, kind, k)):
                if _selected(page, kind, k, option):
                    continue  # choosing it again changes nothing, as it should
                before = _digest(page.evaluate(SEEN))
                what = _act(page, kind, k, option)
                for _ in range(250):  # up to 5 s
                    if _digest(page.evaluate(SEEN)) != before:
                        break
                    page.wait_for_timeout(20)
                else:
                    dead.append(what)
        assert dead == [], (
            f"{chapter}: these controls changed nothing on the page: {dead}"
        )
        assert info["errors"] == [] and info["blocked"] == []
    finally:
        page.close()


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_the_explorer_layers_line_up(browser, site_url, chapter):
    """The curves (SVG) of a setting are drawn exactly over the rest of the figure."""
    page, _ = _open(browser, site_url, chapter)
    try:
        boxes = page.evaluate("""() => [
            ...document.querySelectorAll('main .widget-gridbox')]
            .filter(g => g.querySelector('img[aria-hidden]')).map(g => {
                const a = g.querySelector('img[aria-hidden]').getBoundingClientRect();
                const b = g.querySelector('svg[role=img]').getBoundingClientRect();
                return [a.x, a.y, a.width, a.height, b.x, b.y, b.width, b.height];
            })""")
        for box in boxes:
            assert all(abs(u - v) < 0.5 for u, v in zip(box[:4], box[4:])), box
            assert box[2] > 300
    finally:
        page.close()


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_page_stays_light(chapter):
    size = (SITE / chapter).stat().st_size / 1e6
    assert size < LIMIT_MB, f"{chapter} is {size:.2f} MB"
