"""Accessibility of the decks and the course home (issue 18, "accessible, and tested").

- axe-core (npm; node_modules/axe-core, injected from disk: the pages stay offline) on every
  slide of every deck and on the course home: no violation of the WCAG 2.0/2.1/2.2 level A and
  AA rules axe implements (tests/_browser.py: WCAG_TAGS).
- Every figure of every executed lecture has real alternative text (tests/_a11y.py), and the
  deck template puts it into <img alt>.
- The course home and a deck work from the keyboard alone; every page declares its language.

The decks are exported to build/slides once per run, by whichever test needs one first
(tests/_decks.py). The labs rendered to HTML are checked in tests/test_lab_accessibility.py.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat
import pytest

from tests._a11y import figures_without_alt, is_real_alt
from tests import _decks
from tests._browser import axe_violations, describe_violations
from tests._browser import server, browser  # noqa: F401  shared fixtures

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import export_slides  # noqa: E402
import lab_html  # noqa: E402
from make_handouts import serve  # noqa: E402

SLIDES = ROOT / "build" / "slides"
LECTURES = sorted((ROOT / "lectures").glob("[0-9]*.ipynb"))
WIDTH, HEIGHT = 1280, 720
LANG = re.compile(r"<html\b[^>]*\blang=[\"']en[\"']", re.IGNORECASE)


def _deck(notebook: Path) -> Path:
    _decks.require(notebook)
    return SLIDES / f"{notebook.stem}.slides.html"


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT})
    context.route("**/*", lambda route: route.abort()
                  if re.match(r"https?://(?!127\.0\.0\.1|localhost)", route.request.url)
                  else route.continue_())
    yield context.new_page()
    context.close()


def open_deck(page, url: str) -> None:
    page.goto(url)
    page.wait_for_function("window.Reveal && Reveal.isReady()", timeout=30_000)
    page.wait_for_function("window.MathJax && MathJax.Hub && window.mathTypeset === true"
                           " && MathJax.Hub.queue.pending === 0 && !MathJax.Hub.queue.running",
                           timeout=30_000)


# Runs in the page: every slide shown at once, in slide order, each 1280x720 as on screen, and
# reveal.js's controls, progress bar and slide number below them, on the page's own background
# as on screen; so that one axe run sees all of it (see test_deck_meets_wcag). Each slide is
# labelled with the number reveal.js shows on it (slideNumber "c/t": its position) and h.v.
SHOW_EVERY_SLIDE = """async () => {
  window.a11yShowEverySlide = true;  // a11y.html.j2 then leaves every slide's inert alone
  const slides = Reveal.getSlides();
  slides.forEach((s, i) => {
    const {h, v} = Reveal.getIndices(s);
    s.setAttribute('data-a11y-slide', `${i + 1} (${h + 1}${v ? '.' + v : ''})`);
  });
  const style = document.createElement('style');
  style.textContent = `
    html, body, .reveal-viewport, .reveal, .reveal .slides { overflow: visible !important;
      height: auto !important; }
    .reveal .slides { position: static !important; transform: none !important; zoom: 1 !important;
      width: ${Reveal.getConfig().width}px !important; margin: 0 !important; inset: auto !important; }
    .reveal .slides section { display: block !important; position: relative !important;
      visibility: visible !important; opacity: 1 !important; transform: none !important;
      top: auto !important; left: auto !important; pointer-events: auto !important; }
    .reveal .slides section[data-a11y-slide] { height: ${Reveal.getConfig().height}px !important;
      overflow: hidden !important; }
    .reveal .slides section.stack { height: auto !important; }
    .reveal .fragment { opacity: 1 !important; visibility: visible !important; }
    .reveal .controls, .reveal .progress, .reveal .slide-number, .reveal #rise-footer {
      position: static !important; display: block !important; }
    .reveal .backgrounds { display: none !important; }`;
  document.head.appendChild(style);
  document.querySelectorAll('.reveal .slides section').forEach(s => {
    s.removeAttribute('hidden'); s.removeAttribute('aria-hidden'); s.removeAttribute('inert');
    s.style.display = 'block';
    // reveal.js paints a slide's data-background-color in .backgrounds, hidden here: on the slide
    if (s.dataset.backgroundColor) s.style.backgroundColor = s.dataset.backgroundColor; });
  await new Promise(done => MathJax.Hub.Queue(['Rerender', MathJax.Hub], done));
  await new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)));
}"""

SLIDE_OF = "el => (el.closest('[data-a11y-slide]') || {dataset: {}}).dataset.a11ySlide || 'page'"


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("notebook", LECTURES, ids=[p.stem for p in LECTURES])
def test_deck_meets_wcag(page, server, notebook):
    """axe-core's WCAG 2.2 A/AA rules on every slide, one page load and one axe run per deck.

    The run sees every slide at once, each at 1280x720 with the deck's own style sheets and
    every fragment visible, and reveal.js's controls, progress bar and slide number, with the
    page-level rules (title, language). axe reads the DOM, ARIA and computed styles: showing a
    slide changes its position and visibility, never its colours, names, roles or structure,
    so one run reports what a run on each slide in turn (Reveal.slide, then axe on the shown
    section) would: on today's deck 01 both found the same 110 violations on the same slides,
    the one run in a fifth of the time. The slide number reported is the one reveal.js shows on
    the slide, then (h.v) for Reveal.slide(h - 1, v).
    """
    open_deck(page, f"{server}/{_deck(notebook).name}")
    page.evaluate(SHOW_EVERY_SLIDE)
    violations = axe_violations(page)
    for v in violations:
        where = page.eval_on_selector(v["target"], SLIDE_OF) if page.query_selector(v["target"]) else "?"
        v["where"] = f"slide {where}" if where != "page" else "page (controls, title, language)"
        if v["rule"] == "image-alt":  # nbconvert gives every static <img> an alt: a widget's
            v["summary"] = ("a figure a widget draws, without alt text: show it with "
                            "style.show(fig, alt) (in an Output widget) or give the widget a "
                            "status line (widgets._step_controls); " + v["summary"])
    violations.sort(key=lambda v: (v["where"], v["rule"]))
    assert violations == [], (f"{notebook.stem}: {len(violations)} WCAG violations (axe-core):\n"
                              + describe_violations(violations))


@pytest.mark.browser
def test_course_home_meets_wcag(page, server):
    _decks.handouts()   # the home as `make handouts` leaves it: with the handouts' links
    page.goto(f"{server}/index.html")
    violations = axe_violations(page)
    assert violations == [], "index.html: WCAG violations (axe-core):\n" + describe_violations(violations)


def test_every_page_declares_its_language():
    _decks.require()
    pages = [SLIDES / "index.html"] + [_deck(p) for p in LECTURES]
    undeclared = [p.name for p in pages if not LANG.search(p.read_text(encoding="utf-8")[:2000])]
    assert undeclared == [], f'pages without <html lang="en">: {undeclared}'


# --- the keyboard -----------------------------------------------------------------------------

# Runs in the page: what has the focus, and whether it shows (an outline or a box shadow).
FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const ids = window.a11yIds = window.a11yIds || new WeakMap();
  if (!ids.has(el)) ids.set(el, window.a11yNext = (window.a11yNext || 0) + 1);
  const style = getComputedStyle(el);
  const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
  const slides = document.querySelector('.reveal .slides');
  return {id: ids.get(el), tag: el.tagName.toLowerCase(), href: el.getAttribute('href'),
          text: el.textContent.trim().slice(0, 40), cls: (el.className || '').toString(),
          visible: outline || style.boxShadow !== 'none',
          // on a deck: outside the slides (controls) or on the slide shown, never on another
          shown: !slides || !slides.contains(el) || !!el.closest('section.present:not(.stack)')};
}"""


def tab_through_links(page) -> list[str]:
    """What goes wrong when Tab walks the page: a link it skips or reaches out of order, a
    focused element without a visible focus indicator."""
    links = page.evaluate("[...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href'))")
    problems, reached = ([] if links else ["the page has no links"]), []
    for _ in range(len(links) + 5):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused is None:
            break
        if not focused["visible"]:
            problems.append(f"the focused {focused['tag']} {focused['text']!r} shows no focus indicator")
        reached.append(focused["href"])
    if reached[:len(links)] != links:
        problems.append(f"Tab reached {reached}, the page's links are {links}")
    return problems


@pytest.mark.browser
def test_course_home_works_from_the_keyboard(page, server):
    """Tab reaches every link of the course home in order, each with a visible focus
    indicator, and Enter follows the focused link."""
    _decks.handouts()   # the home with the handouts' links, as `make handouts` leaves it
    page.goto(f"{server}/index.html")
    assert tab_through_links(page) == []
    page.goto(f"{server}/index.html")
    first_deck = page.evaluate("document.querySelector('a.deck').getAttribute('href')")
    for _ in range(50):
        if (page.evaluate(FOCUSED) or {}).get("href") == first_deck:
            break
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/{first_deck}*", timeout=10_000)


@pytest.mark.browser
def test_the_keyboard_check_catches_a_hidden_focus_and_a_skipped_link(page):
    page.set_content('<html lang="en"><body><a href="a.html">a</a> <a href="b.html" tabindex="-1">b</a>'
                     ' <a href="c.html" style="outline: none">c</a></body></html>')
    problems = tab_through_links(page)
    assert any("shows no focus indicator" in p for p in problems), problems
    assert any("Tab reached" in p for p in problems), problems


@pytest.mark.browser
def test_a_deck_works_from_the_keyboard(page, server):
    """Right/Left/Space move between slides; Tab reaches the deck's controls, never an element
    of a hidden slide, and moves on at every press (no focus trap); the slide keys still work
    while something on a slide has the focus."""
    open_deck(page, f"{server}/{_deck(LECTURES[0]).name}")
    index = "(() => { const {h, v} = Reveal.getIndices(); return [h, v || 0]; })()"
    assert page.evaluate(index) == [0, 0]
    page.keyboard.press("ArrowRight")
    assert page.evaluate(index) == [1, 0], "Right did not move to the next slide"
    page.keyboard.press("ArrowLeft")
    assert page.evaluate(index) == [0, 0], "Left did not move back"
    page.keyboard.press("Space")
    assert page.evaluate("Reveal.getSlidePastCount()") == 1, "Space did not move to the next slide"

    controls = page.evaluate("document.querySelectorAll('.reveal .controls button').length")
    assert controls, "the deck has no navigation controls"
    seen, previous, hidden, reached_controls = [], None, [], False
    for _ in range(60):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused is None:
            break
        assert focused["id"] != previous, f"Tab stays on {focused['tag']} {focused['text']!r}: a focus trap"
        previous = focused["id"]
        if not focused["shown"]:
            hidden.append(f"{focused['tag']}.{focused['cls'][:30]} {focused['text'][:30]!r}")
        assert focused["visible"], f"the focused {focused['tag']}.{focused['cls'][:30]} shows no focus indicator"
        reached_controls |= "navigate-" in focused["cls"]
        seen.append(focused)
    assert hidden == [], f"Tab focused elements of slides that are not shown: {hidden}"
    assert reached_controls, f"Tab never reached the deck's controls; it reached {[s['cls'][:30] for s in seen]}"
    before = page.evaluate("Reveal.getSlidePastCount()")
    page.keyboard.press("ArrowRight")
    assert page.evaluate("Reveal.getSlidePastCount()") > before, "with the focus on the deck, Right did nothing"


# --- alternative text ---------------------------------------------------------------------------

@pytest.mark.parametrize("notebook", LECTURES, ids=[p.stem for p in LECTURES])
def test_every_lecture_figure_has_alt_text(notebook):
    """Every figure output of the executed lecture (build/slides/executed, as this run executed
    it) and every markdown image carries alternative text saying what it shows."""
    _decks.require(notebook)
    executed = SLIDES / export_slides.EXECUTED / notebook.name
    problems = figures_without_alt(nbformat.read(executed, as_version=4), f"lectures/{notebook.name}")
    assert problems == [], f"{len(problems)} figures without alternative text:\n  " + "\n  ".join(problems)


def _figure_notebook(alt: str | None, markdown: str) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    output = nbformat.v4.new_output("display_data", data={"image/png": "iVBORw0KGgo=", "text/plain": "<Figure>"},
                                    metadata={"image/png": {"alt": alt}} if alt is not None else {})
    nb.cells = [nbformat.v4.new_markdown_cell(markdown, metadata={"slideshow": {"slide_type": "slide"}}),
                nbformat.v4.new_code_cell("fig  # the figure", outputs=[output],
                                          metadata={"slideshow": {"slide_type": "-"}})]
    return nb


def test_a_figure_without_alt_text_is_caught():
    good = "Two curves: the loss falls from 2.3 to 0.4 over 20 epochs"
    assert figures_without_alt(_figure_notebook(good, f"![{good}](x.png)"), "nb") == []
    for alt in (None, "", "Image", "Figure.", "a plot", "No description has been provided for this image"):
        problems = figures_without_alt(_figure_notebook(alt, "# t"), "nb")
        assert len(problems) == 1 and "nb cell 1 ('fig  # the figure')" in problems[0], (alt, problems)
    for markdown in ("![](x.png)", "![Image](x.png)", "![figure](../images/y.png)", '<img src="x.png">',
                     '<img alt="" src="x.png">'):
        problems = figures_without_alt(_figure_notebook(good, markdown), "nb")
        assert len(problems) == 1 and "nb cell 0" in problems[0], (markdown, problems)
    assert is_real_alt(good) and not is_real_alt(" Figure ") and not is_real_alt(7)


def test_the_templates_put_alt_text_and_language_into_the_pages():
    """The deck template and the lab page template write output.metadata["image/png"]["alt"]
    into <img alt> (escaped), keep a markdown image's alt, declare lang="en" and include the
    accessibility style sheet."""
    alt = 'Loss "before" & after <clipping>, falling from 2.3 to 0.4'
    nb = _figure_notebook(alt, "## A slide\n\n![A diagram of the unrolled network over four steps](data:image/png;base64,iVBORw0KGgo=)")
    deck, _ = export_slides.exporter().from_notebook_node(nb, resources={"metadata": {"name": "t"}})
    page = lab_html.render(nb, "t")
    for name, html in (("deck", deck), ("lab page", page)):
        images = re.findall(r"<img\b[^>]*>", html)
        assert any('alt=\'Loss "before" &amp; after &lt;clipping&gt;, falling from 2.3 to 0.4\'' in i
                   or 'alt="Loss &quot;before&quot; &amp; after &lt;clipping&gt;, falling from 2.3 to 0.4"' in i
                   for i in images), f"{name}: the figure's alt text is not in its <img>: {images}"
        assert any('alt="A diagram of the unrolled network over four steps"' in i for i in images), name
        assert "No description has been provided" not in html, name
        assert LANG.search(html) and not LANG.search('<html lang="de">'), f'{name}: no <html lang="en">'
        assert "--jp-mirror-editor-comment-color: #2f6868" in html, f"{name}: a11y.css is not included"


FIRST_ALT = "A line rising from 0 to 1 in one step"
SECOND_ALT = "Two bars of heights 3 and 1, the first taller"
WIDGET_ALT = "A line rising from 0 to 1, drawn inside an Output widget"


@pytest.fixture(scope="module")
def alt_deck(tmp_path_factory):
    """A small deck executed and exported as the lectures are: a pyplot figure given alt text
    with style.set_alt and shown by the inline backend at the cell's end, one shown with
    style.show, and a Play button over an Output widget showing a figure with style.show."""
    _decks.assets()
    folder = tmp_path_factory.mktemp("alt_deck")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source, metadata={"slideshow": {"slide_type": "slide"}}) for source in (
        "%matplotlib inline\nimport ipywidgets as w\nimport matplotlib.pyplot as plt\n"
        "from course_utils import style\n"
        f"fig, ax = plt.subplots()\nax.plot([0, 1])\nstyle.set_alt(fig, {FIRST_ALT!r});",
        f"fig, ax = plt.subplots()\nax.bar([0, 1], [3, 1])\nstyle.show(fig, {SECOND_ALT!r})",
        "out = w.Output()\nwith out:\n"
        f"    fig, ax = plt.subplots()\n    ax.plot([0, 1])\n    style.show(fig, {WIDGET_ALT!r})\n"
        "w.VBox([w.Play(min=0, max=3), out])")]
    nbformat.write(nb, folder / "95_alt.ipynb")
    (folder / "assets").symlink_to(SLIDES / "assets")
    return folder / export_slides.export(folder / "95_alt.ipynb", folder, run=True, timeout=60)


@pytest.mark.slow
def test_set_alt_reaches_the_deck_img(alt_deck):
    """End to end: the alt text given with course_utils.style (set_alt, show) is in the
    exported deck's <img alt>, each figure shown once."""
    images = re.findall(r"<img\b[^>]*>", alt_deck.read_text(encoding="utf-8"))
    assert len(images) == 2, f"expected the two figures once each, got {len(images)} images"
    assert [i for i in images if f'alt="{FIRST_ALT}"' in i] and [i for i in images if f'alt="{SECOND_ALT}"' in i], images


@pytest.mark.browser
@pytest.mark.slow
def test_widgets_in_a_deck_get_names_and_alt_text(page, alt_deck):
    """The widget manager draws Play buttons as bare icons and a figure in an Output widget
    without alt; the deck's a11y.html.j2 names the buttons and gives the figure the alt text
    its output carries (style.show), so axe finds neither unnamed."""
    with serve(alt_deck.parent) as base:
        open_deck(page, f"{base}/{alt_deck.name}")
        page.wait_for_function("document.querySelector('.jupyter-widgets img[alt]')"
                               " && document.querySelector('.jupyter-button[aria-label]')", timeout=20_000)
        labels = page.evaluate("[...document.querySelectorAll('.jupyter-button')].map(b => b.getAttribute('aria-label'))")
        alts = page.evaluate("[...document.querySelectorAll('.jupyter-widgets img')].map(i => i.getAttribute('alt'))")
        violations = [v for v in axe_violations(page) if v["rule"] in ("image-alt", "button-name")]
    assert labels[:3] == ["Play", "Pause", "Stop"], labels
    assert alts == [WIDGET_ALT], alts
    assert violations == [], describe_violations(violations)


# --- the checks can fail ------------------------------------------------------------------------

@pytest.mark.browser
def test_axe_reports_what_is_wrong(page):
    """The harness itself: axe, injected from disk, reports an image without alt, grey text on
    white, an unnamed button and a missing language, with selectors."""
    page.set_content('<html><head><title>t</title></head><body><main><img src="data:,x">'
                     '<p style="color:#aaa">faint</p><button><i class="fa fa-play"></i></button>'
                     '</main></body></html>')
    rules = {v["rule"]: v["target"] for v in axe_violations(page)}
    assert {"image-alt", "color-contrast", "button-name", "html-has-lang"} <= set(rules), rules
    assert rules["image-alt"] == "img"
