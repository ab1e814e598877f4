"""The exported decks in a real browser, with every remote host blocked.

`make test` exports the decks to build/slides before running this file.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path
from urllib.parse import urlparse

import nbformat
import pytest

from tests import _decks
from tests._browser import server, browser  # noqa: F401  shared fixtures

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import export_slides  # noqa: E402
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
  // printed output whose lines the slide wraps: taller than the same text unwrapped
  const wrapped = [...s.querySelectorAll('.jp-OutputArea-output pre')].filter(pre => {
    const height = pre.getBoundingClientRect().height;
    pre.style.setProperty('white-space', 'pre', 'important');  // the template's rule is !important
    const unwrapped = pre.getBoundingClientRect().height;
    pre.style.removeProperty('white-space');
    return height > unwrapped + 1;
  }).map(pre => pre.textContent.split('\\n').reduce((a, b) => b.length > a.length ? b : a, '').slice(0, 60));
  return {index: h + (v ? '.' + v : ''), title: (s.querySelector('h1, h2, h3') || {}).innerText || '',
          height: s.scrollHeight, width: s.scrollWidth, clipped, wrapped};
})""" % WIDTH



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
        if route.request.url.startswith(("data:", "blob:", "about:", "file:")) or host in ("127.0.0.1", "localhost"):
            route.continue_()
        else:
            self.remote.append(route.request.url)
            route.abort()


def deck_url(server: str, notebook: Path) -> str:
    return f"{server}/{notebook.stem}.slides.html"


def has_widgets(notebook: Path) -> bool:
    return WIDGET_VIEW in (SLIDES / f"{notebook.stem}.slides.html").read_text()


WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"

# Runs in the page: every widget view's slide is shown in turn, and each widget is reported
# unless it is drawn with its first frame: controls and at least one image, every image loaded,
# at least 100x100 px on the slide, and not blank (more than one colour in its pixels).
UNDRAWN_WIDGETS = """async () => {
  const problems = [];
  const views = [...document.querySelectorAll('script[type="%s"]')];
  for (const [n, view] of views.entries()) {
    const slide = view.closest('section'), {h, v} = Reveal.getIndices(slide);
    Reveal.slide(h, v);
    await new Promise(r => setTimeout(r, 200));
    const where = `widget ${n + 1} (slide ${h + 1}${v ? '.' + v : ''})`;
    const area = view.previousElementSibling;
    if (!area || !area.matches('.widget-subarea:not(:empty)')) { problems.push(`${where}: not drawn`); continue; }
    const images = [...area.querySelectorAll('img')];
    if (!images.length) problems.push(`${where}: no image under its controls`);
    for (const img of images) {
      const box = img.getBoundingClientRect(), scale = Reveal.getScale();
      if (!img.complete || !img.naturalWidth) { problems.push(`${where}: its image did not load`); continue; }
      if (box.width / scale < 100 || box.height / scale < 100) {
        problems.push(`${where}: its image is ${Math.round(box.width / scale)}x${Math.round(box.height / scale)} px`);
        continue; }
      const canvas = document.createElement('canvas');
      canvas.width = img.naturalWidth; canvas.height = img.naturalHeight;
      const context = canvas.getContext('2d');
      context.drawImage(img, 0, 0);
      const pixels = context.getImageData(0, 0, canvas.width, canvas.height).data, colours = new Set();
      for (let i = 0; i < pixels.length && colours.size < 2; i += 4 * 97) colours.add(pixels.slice(i, i + 4).join());
      if (colours.size < 2) problems.push(`${where}: its image is blank`);
    }
  }
  return problems;
}""" % WIDGET_VIEW


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

        slides = page.evaluate(MEASURE_SLIDES)
        too_big = [s for s in slides if s["height"] > HEIGHT + 2 or s["width"] > WIDTH + 2 or s["clipped"]]
        assert too_big == [], "slides larger than 1280x720 or with clipped content:\n" + "\n".join(
            f"  slide {s['index']} '{s['title']}': {s['width']}x{s['height']} clipped={s['clipped']}"
            for s in too_big)
        wrapped = [f"  slide {s['index']} '{s['title']}': {line!r}" for s in slides for line in s["wrapped"]]
        assert wrapped == [], "printed lines wider than the slide, wrapped mid-line (print them on " \
            "two lines):\n" + "\n".join(wrapped)

        if WIDGET_VIEW in html:
            page.wait_for_function("document.querySelectorAll('.jupyter-widgets').length > 0",
                                   timeout=20_000)
        assert deck.errors == [], f"console errors while paging through: {deck.errors}"
    finally:
        deck.context.close()


@pytest.mark.parametrize("notebook", LECTURES, ids=[p.stem for p in LECTURES])
def test_deck_opens_from_disk(browser, server, notebook):
    """The README says to open build/slides/index.html in a browser: file://, no server. There
    too every widget must show its first frame."""
    deck = DeckPage(browser, (SLIDES / f"{notebook.stem}.slides.html").resolve().as_uri())
    try:
        page = deck.page
        assert deck.remote == [] and deck.failed == [], f"requests: {deck.remote + deck.failed}"
        sources = page.evaluate("document.querySelectorAll('script[type^=\"math/tex\"]').length")
        assert page.evaluate("document.querySelectorAll('.MathJax_CHTML').length") == sources, \
            "from disk, not every formula was typeset"
        broken = page.evaluate("[...document.images].filter(i => !i.complete || !i.naturalWidth).length")
        assert broken == 0, f"from disk, {broken} images did not load"
        if has_widgets(notebook):
            assert page.evaluate(UNDRAWN_WIDGETS) == []
        assert deck.errors == [], f"console errors from disk: {deck.errors}"
    finally:
        deck.context.close()


WIDGET_LECTURES = [p for p in LECTURES if re.search(r"\b\w+_widget\(", p.read_text())]


def test_some_lecture_has_a_widget():
    """test_deck_opens_from_disk checks every widget's first frame (UNDRAWN_WIDGETS): there must be one."""
    assert WIDGET_LECTURES, "no lecture shows a widget: no widget's first frame would be checked"
    _decks.require()
    assert all(has_widgets(p) for p in WIDGET_LECTURES), \
        "a lecture calls a widget but its deck holds none: was it exported executed?"


def test_an_empty_widget_image_is_caught(browser, tmp_path):
    """The check above, on a widget whose image never got a frame: it must say so."""
    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_code_cell(
        "import ipywidgets as w\nw.VBox([w.IntSlider(description='n'), w.Image(format='png')])",
        metadata={"slideshow": {"slide_type": "slide"}}))
    nbformat.write(nb, tmp_path / "97_empty.ipynb")
    _decks.assets()
    (tmp_path / "assets").symlink_to(SLIDES / "assets")
    name = export_slides.export(tmp_path / "97_empty.ipynb", tmp_path, run=True, timeout=60)
    with serve(tmp_path) as base:
        deck = DeckPage(browser, f"{base}/{name}")
        try:
            problems = deck.page.evaluate(UNDRAWN_WIDGETS)
        finally:
            deck.context.close()
    assert problems and "image" in problems[0], problems


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
