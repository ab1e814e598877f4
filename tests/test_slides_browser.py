"""The exported decks in a real browser, with every remote host blocked.

`make test` exports the decks to build/slides before running this file.
"""
from __future__ import annotations

import sys
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests._browser import launch, sync_playwright, unavailable

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
from make_handouts import RAW_TEX, serve  # noqa: E402  the handouts serve and check decks alike
SLIDES = ROOT / "build" / "slides"
LECTURES = sorted((ROOT / "lectures").glob("[0-9]*.ipynb"))
WIDTH, HEIGHT = 1280, 720
pytestmark = [pytest.mark.browser, pytest.mark.slow]

# Runs in the page: every slide's size, and any element whose content is clipped or scrolls.
MEASURE_SLIDES = """() => Reveal.getSlides().filter(s => !s.querySelector('section')).map(s => {
  const {h, v} = Reveal.getIndices(s);
  Reveal.slide(h, v);
  const clipped = [...s.querySelectorAll('pre, table, img, .jp-OutputArea-output, .jupyter-widgets')]
    .filter(e => e.scrollWidth > e.clientWidth + 2 || e.getBoundingClientRect().width / Reveal.getScale() > %d + 2)
    .map(e => e.tagName.toLowerCase() + '.' + (e.className || '').toString().split(' ')[0]);
  return {index: h + (v ? '.' + v : ''), title: (s.querySelector('h1, h2, h3') || {}).innerText || '',
          height: s.scrollHeight, width: s.scrollWidth, clipped};
})""" % WIDTH



@pytest.fixture(scope="module")
def server():
    if not SLIDES.joinpath("index.html").exists():
        unavailable("the exported slides", "run `make slides` first (`make test` does it)")
    with serve(SLIDES) as base:
        yield base


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        browser = launch(playwright)
        yield browser
        browser.close()


class DeckPage:
    """A deck opened with the network cut off, recording what went wrong."""

    def __init__(self, browser, url: str):
        self.context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT})
        self.page = self.context.new_page()
        self.remote, self.failed, self.errors = [], [], []
        self.context.route("**/*", self._route)
        self.page.on("requestfailed", lambda r: self.failed.append(f"{r.url} ({r.failure})"))
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.goto(url)
        self.page.wait_for_function("window.Reveal && Reveal.isReady()", timeout=30_000)
        self.page.wait_for_function(
            "window.MathJax && MathJax.Hub && MathJax.Hub.queue.pending === 0 && !MathJax.Hub.queue.running",
            timeout=30_000)

    def _route(self, route):
        host = urlparse(route.request.url).hostname
        if route.request.url.startswith(("data:", "blob:", "about:")) or host in ("127.0.0.1", "localhost"):
            route.continue_()
        else:
            self.remote.append(route.request.url)
            route.abort()


def deck_url(server: str, notebook: Path) -> str:
    return f"{server}/{notebook.stem}.slides.html"


def test_every_lecture_has_a_deck_and_the_index_links_it(server):
    index = (SLIDES / "index.html").read_text()
    assert LECTURES, "no lecture notebooks found"
    for notebook in LECTURES:
        deck = SLIDES / f"{notebook.stem}.slides.html"
        assert deck.exists(), f"{deck} is missing: run `make slides`"
        assert f'href="{deck.name}"' in index, f"index.html does not link {deck.name}"


@pytest.mark.parametrize("notebook", LECTURES, ids=[p.stem for p in LECTURES])
def test_deck_renders_offline(browser, server, notebook):
    deck = DeckPage(browser, deck_url(server, notebook))
    page = deck.page
    html = (SLIDES / f"{notebook.stem}.slides.html").read_text()
    try:
        assert deck.remote == [], f"the deck asked the network for: {deck.remote}"
        assert deck.failed == [], f"requests failed: {deck.failed}"
        assert deck.errors == [], f"console errors: {deck.errors}"

        broken = page.evaluate("""[...document.images].filter(i => !i.complete || i.naturalWidth === 0)
            .map(i => i.getAttribute('src').slice(0, 60))""")
        assert broken == [], f"images that did not load: {broken}"

        typeset = page.evaluate("document.querySelectorAll('.MathJax_CHTML').length")
        sources = page.evaluate("document.querySelectorAll('script[type^=\"math/tex\"]').length")
        assert page.evaluate("document.querySelectorAll('.MathJax_Error, merror').length") == 0
        assert typeset == sources, f"{sources - typeset} formulas were not typeset"
        if "$" in html:
            assert typeset > 0, "the deck has formulas but MathJax typeset none"
        raw = page.evaluate("""() => [...document.querySelectorAll('.jp-RenderedMarkdown')].map(e => {
            const copy = e.cloneNode(true);  // the text a reader sees, typeset math removed
            copy.querySelectorAll('script, .MathJax_CHTML, .MathJax_Preview, .MJX_Assistive_MathML, code')
                .forEach(m => m.remove());
            return copy.textContent; })""")
        leftovers = [t[:80] for t in raw if RAW_TEX.search(t)]
        assert leftovers == [], f"raw LaTeX left on slides: {leftovers}"

        too_big = [s for s in page.evaluate(MEASURE_SLIDES)
                   if s["height"] > HEIGHT + 2 or s["width"] > WIDTH + 2 or s["clipped"]]
        assert too_big == [], "slides larger than 1280x720 or with clipped content:\n" + "\n".join(
            f"  slide {s['index']} '{s['title']}': {s['width']}x{s['height']} clipped={s['clipped']}"
            for s in too_big)

        if "application/vnd.jupyter.widget-view+json" in html:
            page.wait_for_function("document.querySelectorAll('.jupyter-widgets').length > 0",
                                   timeout=20_000)
        assert deck.errors == [], f"console errors while paging through: {deck.errors}"
    finally:
        deck.context.close()


def test_speaker_notes_open_with_s(browser, server):
    notebook = next((p for p in LECTURES
                     if 'class="notes"' in (SLIDES / f"{p.stem}.slides.html").read_text()), None)
    if notebook is None:
        pytest.fail("no lecture has speaker notes (markdown cells of slide type 'notes')")
    deck = DeckPage(browser, deck_url(server, notebook))
    try:
        note = deck.page.evaluate("""() => {
            const aside = document.querySelector('aside.notes');
            const slide = aside.closest('section');
            const {h, v} = Reveal.getIndices(slide); Reveal.slide(h, v);
            return aside.innerText.trim(); }""")
        with deck.context.expect_page() as popup_info:
            deck.page.keyboard.press("s")
        popup = popup_info.value
        popup.wait_for_load_state()
        popup.wait_for_function("document.body && document.body.innerText.length > 0", timeout=10_000)
        words = note.split()[:4]
        popup.wait_for_function(
            "w => document.body.innerText.includes(w)", arg=" ".join(words), timeout=10_000)
    finally:
        deck.context.close()


def test_screenshot_of_a_slide(browser, server):
    deck = DeckPage(browser, deck_url(server, LECTURES[0]))
    try:
        deck.page.evaluate("Reveal.slide(1, 0)")
        deck.page.wait_for_timeout(300)
        target = ROOT / "build" / "slide-screenshot.png"
        deck.page.screenshot(path=str(target))
        assert target.stat().st_size > 10_000, "the screenshot is suspiciously small (blank slide?)"
    finally:
        deck.context.close()
