"""Live presenting, as the README tells an instructor to: every lecture in JupyterLab's RISE
slideshow (jupyterlab-rise), driven by real key presses, with every remote host blocked.

The lectures shown are the ones `make test` executed for the offline decks
(build/slides/executed/), so every slide is measured after its cells have run; the widget
cells run again here, live, with Shift+Enter. JupyterLab runs with the course's own settings
(tools/jupyterlab-overrides.json, tools/jupyter_server_config.py) on a copy of the course.
"""
from __future__ import annotations

import importlib.util
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import nbformat
import pytest

from tests import _decks
from tests._browser import unavailable
from tests._browser import browser  # noqa: F401  shared fixtures

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import export_slides  # noqa: E402
import patch_rise  # noqa: E402

EXECUTED = ROOT / "build" / "slides" / "executed"
LECTURES = sorted(p.name for p in (ROOT / "lectures").glob("[0-9]*.ipynb"))
WIDGET_CALL = re.compile(r"\b\w+_widget\(")
WITH_WIDGETS = [n for n in LECTURES if WIDGET_CALL.search((ROOT / "lectures" / n).read_text())]
# Widget cells that read what earlier cells made cannot run alone on their slide: the presenter
# runs the notebook first (Run > Run All Cells). Their widget is tested in their module's tests
# and its first frame in the static deck (tests/test_slides_browser.py); each is named here.
NEEDS_EARLIER_CELLS = {"07_attention.ipynb": "attention_step_widget reads the model trained on earlier slides"}
NOTES_LECTURE = "02_training_rnns.ipynb"  # where pressing T was seen to move the deck
WIDTH, HEIGHT = 1280, 720
pytestmark = [pytest.mark.browser, pytest.mark.slow]


def expected_markdown(notebook: Path) -> dict[str, list[str | None]]:
    """{RISE's section id: the first word of each markdown cell it holds (None for a cell of
    formulas or images only)}, following the rules jupyterlab-rise 0.43.1 uses to cut a
    notebook into slides (markupSlides in its rise.ts)."""
    slide, subslide, started = 0, 0, False
    sections: dict[str, list[str]] = {}
    for cell in nbformat.read(notebook, as_version=4).cells:
        kind = cell.metadata.get("slideshow", {}).get("slide_type", "-")
        if started and kind == "slide":
            slide, subslide = slide + 1, 0
        elif started and kind == "subslide":
            subslide += 1
        elif kind not in ("notes", "skip"):
            started = True
        prose = re.sub(r"!\[[^\]]*\]\([^)]*\)|\]\([^)]*\)|\$\$.*?\$\$|\$[^$]*\$|`[^`]*`|<[^>]*>", " ",
                       cell.source, flags=re.DOTALL)
        words = re.findall(r"[A-Za-z]{3,}", prose)  # images, link targets, math, code left out
        if cell.cell_type == "markdown" and kind not in ("notes", "skip") and cell.source.strip():
            sections.setdefault(f"slide-{slide}-{subslide}", []).append(words[0] if words else None)
    return sections


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    """A copy of the course for JupyterLab to serve; each test puts in the executed lecture it
    presents (:func:`executed_lecture`), so that it waits for that lecture's export only."""
    root = tmp_path_factory.mktemp("course")
    shutil.copytree(ROOT / "images", root / "images")
    (root / "lectures").mkdir()
    shutil.copy(ROOT / "lectures" / "rise.css", root / "lectures")
    shutil.copytree(ROOT / "lectures" / "fonts", root / "lectures" / "fonts")  # rise.css's typeface
    return root


def executed_lecture(course: Path, name: str) -> Path:
    """lectures/<name> in the copy, as this run executed it (with its outputs)."""
    _decks.require(ROOT / "lectures" / name)
    shutil.copy(EXECUTED / name, course / "lectures" / name)
    return course / "lectures" / name


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _lab_dir(folder: Path) -> Path:
    """JupyterLab's application folder as `make` installs it: the environment's, with the
    course's settings (tools/jupyterlab-overrides.json) as the defaults."""
    from jupyterlab.commands import get_app_dir

    installed = Path(get_app_dir())
    for part in ("static", "schemas", "themes"):
        (folder / part).symlink_to(installed / part, target_is_directory=True)
    (folder / "settings").mkdir()
    shutil.copy(ROOT / "tools" / "jupyterlab-overrides.json", folder / "settings" / "overrides.json")
    return folder


@pytest.fixture(scope="module")
def jupyter(course, tmp_path_factory):
    """JupyterLab on the copy, with the course's settings and nobody's user settings."""
    for package in ("jupyterlab", "jupyterlab_rise", "ipywidgets"):
        if importlib.util.find_spec(package) is None:
            unavailable(package, "pip install -r requirements.txt (`make lab` and `make test` do it)")
    try:
        not_mended = patch_rise.unmended()
    except RuntimeError as error:
        pytest.fail(str(error))
    if not_mended:
        pytest.fail(f"jupyterlab-rise is not mended ({not_mended}): run `make` "
                    "(it runs tools/patch_rise.py after installing the packages)")
    state = tmp_path_factory.mktemp("jupyter")
    (state / "lab").mkdir()
    port, token = _free_port(), secrets.token_hex(8)
    command = [sys.executable, "-m", "jupyter", "lab", "--no-browser", f"--port={port}",
               "--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={token}",
               f"--ServerApp.root_dir={course}", f"--config={ROOT / 'tools' / 'jupyter_server_config.py'}",
               "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    if os.geteuid() == 0:
        command.append("--allow-root")
    env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(state / "runtime"),
               JUPYTERLAB_DIR=str(_lab_dir(state / "lab")),
               JUPYTERLAB_SETTINGS_DIR=str(state / "user-settings"),
               JUPYTERLAB_WORKSPACES_DIR=str(state / "workspaces"))
    log = open(state / "jupyter.log", "w")
    server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 90
    while True:
        try:
            urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
            break
        except OSError:
            if server.poll() is not None or time.time() > deadline:
                server.kill()
                pytest.fail(f"JupyterLab did not start:\n{(state / 'jupyter.log').read_text()[-2000:]}")
            time.sleep(0.5)
    yield base, token
    server.terminate()
    server.wait(timeout=30)
    log.close()


@pytest.fixture(scope="module")
def shared(browser):
    """One browser context for every test here: its HTTP and code caches spare each slideshow
    compiling JupyterLab's scripts again."""
    session = Session(browser)
    yield session
    session.close()


@pytest.fixture
def session(shared):
    """The shared context, with this test's problems only; its pages closed after it."""
    shared.remote.clear()
    shared.errors.clear()
    yield shared
    for page in shared.context.pages:
        page.close()


# RISE asks for NN_name.css beside every deck, after rise.css; the course styles every deck in
# rise.css and has none, and Chromium reports the 404 as a console error. Nothing else is let off.
OPTIONAL_DECK_CSS = re.compile(r"Refused to apply style from '[^']*/files/lectures/\d\d_\w+\.css'")


class Session:
    """A browser context with every remote host blocked, recording the console errors of the
    slideshow and of the speaker notes window. (JupyterLab's own page, where Alt+R is pressed,
    is left out: once the slideshow's tab shares the notebook's kernel, ipywidgets 7's manager
    there logs "Comm not found" for the slideshow's widgets.)"""

    def __init__(self, browser):
        self.context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT})
        self.remote: list[str] = []
        self.errors: list[str] = []
        self.context.route("**/*", self._route)
        self.context.on("page", self._watch)

    def _route(self, route):
        url = route.request.url
        if url.startswith(("data:", "blob:", "about:")) or urlparse(url).hostname in ("127.0.0.1", "localhost"):
            route.continue_()
        else:
            self.remote.append(url)
            route.abort()

    def _watch(self, page):
        def record(text: str) -> None:
            if urlparse(page.url).path.startswith("/lab"):
                return  # JupyterLab's own page: see above
            if not OPTIONAL_DECK_CSS.search(text):
                self.errors.append(f"{page.url.split('?')[0]}: {text[:300]}")

        page.on("console", lambda message: message.type == "error" and record(message.text))
        page.on("pageerror", lambda error: record(str(error)))

    def deck(self, base: str, token: str, lecture: str):
        """The slideshow of a lecture as Alt+R opens it (/rise/...), once RISE has laid it out."""
        page = self.context.new_page()
        page.goto(f"{base}/rise/lectures/{lecture}?token={token}")
        wait_for_deck(page)
        return page

    def close(self):
        self.context.close()


def wait_for_deck(page) -> None:
    page.wait_for_selector(".reveal.ready .slides > section > section.present", timeout=90_000)
    page.wait_for_function("document.querySelectorAll('.jp-Cell .jp-InputArea').length > 0")
    page.wait_for_timeout(1_000)  # RISE re-syncs reveal.js 250 ms after starting


# Runs in the slideshow: the present (sub)slide, measured in slide pixels. `bottom` and `right`:
# the furthest text, image or control; `scrolls`: RISE has given the slide a scroll bar (it does
# so when a slide is taller than 95% of its 720 px); `markdown`: the markdown cells drawn on it.
PRESENT = """() => {
  const frame = document.querySelector('.reveal .slides').getBoundingClientRect();
  const scale = frame.width / %d;
  const slide = document.querySelector('.reveal .slides > section.present > section.present');
  let bottom = 0, right = 0, lowest = '';
  const reach = (r, what) => { if (!r.width || !r.height) return;
    const b = (r.bottom - frame.top) / scale;
    if (b > bottom) { bottom = b; lowest = what; }
    right = Math.max(right, (r.right - frame.left) / scale); };
  const texts = document.createTreeWalker(slide, NodeFilter.SHOW_TEXT);
  while (texts.nextNode()) {
    const node = texts.currentNode;
    if (!node.textContent.trim() || node.parentElement.closest('aside.notes')) continue;
    const range = document.createRange(); range.selectNodeContents(node);
    for (const r of range.getClientRects()) reach(r, node.textContent.trim().slice(0, 50));
  }
  slide.querySelectorAll('img, canvas, svg, input, .jupyter-widgets').forEach(e =>
    reach(e.getBoundingClientRect(), e.tagName.toLowerCase()));
  const heading = slide.querySelector('h1, h2, h3');
  return {id: slide.id, fragments: slide.querySelectorAll('.fragment.visible').length,
          title: heading ? heading.textContent.replace('\\u00b6', '').trim().slice(0, 60) : '',
          bottom: Math.round(bottom), right: Math.round(right), lowest,
          scrolls: getComputedStyle(slide).overflowY === 'scroll' && slide.scrollHeight > slide.clientHeight + 1,
          over: Math.round(slide.scrollHeight - slide.clientHeight),
          markdown: [...slide.querySelectorAll('.jp-MarkdownCell')]
            .filter(c => !c.closest('aside.notes') && c.getBoundingClientRect().height > 0)
            .map(c => (c.querySelector('.jp-RenderedMarkdown') || {innerText: ''}).innerText.trim())};
}""" % WIDTH


def overflow(slide: dict) -> str:
    """What is wrong with the size of a measured slide ('' when it fits 1280x720)."""
    problems = []
    if slide["bottom"] > HEIGHT + 1:
        problems.append(f"'{slide['lowest']}' ends {slide['bottom'] - HEIGHT} px below the slide")
    if slide["right"] > WIDTH + 1:
        problems.append(f"reaches {slide['right'] - WIDTH} px past the right edge")
    if slide["scrolls"]:
        problems.append(f"RISE gives it a scroll bar ({slide['over']} px too tall for 95% of 720 px)")
    return f"{slide['id']} '{slide['title']}': {'; '.join(problems)}" if problems else ""


# The present slide and how many of its fragments show, as a string that changes with each step.
WHERE = ("() => { const s = document.querySelector('.reveal .slides > section.present > section.present');"
         " return s.id + '/' + s.querySelectorAll('.fragment.visible').length; }")


def step(deck, key: str) -> bool:
    """Press key in the slideshow; whether the slideshow moved (waits up to 3 s for it to)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    before = deck.evaluate(WHERE)
    deck.keyboard.press(key)
    try:
        deck.wait_for_function(f"was => ({WHERE})() !== was", arg=before, timeout=3_000)
    except PlaywrightTimeout:
        return False
    deck.wait_for_timeout(100)  # let reveal.js and RISE lay the slide out
    return True


def page_through(deck) -> list[dict]:
    """Press Space until the slideshow stops moving; the present slide measured at each step."""
    steps = [deck.evaluate(PRESENT)]
    for _ in range(400):
        if not step(deck, "Space"):
            return steps
        steps.append(deck.evaluate(PRESENT))
    pytest.fail("Space never reached the end of the slideshow")


def go_to(deck, slide_id: str, order: list[str]) -> None:
    """Page to the first step of a (sub)slide with the keys: Shift+Space back to the step before
    it (if it lies behind), then Space. ``order``: the id of each step as :func:`page_through`
    met them."""
    def here() -> int:   # the last step of the present slide
        present = deck.evaluate(PRESENT)["id"]
        return max(i for i, s in enumerate(order) if s == present)

    target = order.index(slide_id)
    while here() >= target and step(deck, "Shift+Space"):
        pass
    while deck.evaluate(PRESENT)["id"] != slide_id:
        assert step(deck, "Space"), f"Space never reached {slide_id}"


def press_shift_enter_on(deck, cell) -> None:
    """Click into a code cell on the present slide and run it with Shift+Enter, as a presenter does."""
    cell.locator(".jp-InputArea-editor").click()
    deck.keyboard.press("Shift+Enter")


def test_every_lecture_is_presented_with_rise():
    assert LECTURES and WITH_WIDGETS, "no lecture, or no lecture with a widget, to present"


def test_alt_r_opens_the_deck_full_size_and_t_leaves_it_where_it_is(jupyter, session, course):
    """Alt+R in JupyterLab opens the slideshow in its own tab at 1280x720, scaled to the window,
    its title on one line; the View menu names it as the README does. In that slideshow, with no
    click, W and ? work, and T opens the speaker notes: the notes window shows the slide's notes
    and the deck stays where it was while that window loads."""
    base, token = jupyter
    executed_lecture(course, NOTES_LECTURE)
    lab = session.context.new_page()
    lab.goto(f"{base}/lab/tree/lectures/{NOTES_LECTURE}?token={token}")
    lab.wait_for_selector(".jp-NotebookPanel .jp-Notebook .jp-Cell", timeout=90_000)
    lab.get_by_role("menuitem", name="View").click()
    assert lab.locator(".lm-Menu-itemLabel", has_text="Open as Reveal Slideshow").count() == 1, \
        "the View menu has no 'Open as Reveal Slideshow' (README: View > Open as Reveal Slideshow)"
    lab.keyboard.press("Escape")
    lab.locator(".jp-Notebook .jp-Cell").first.click()
    lab.keyboard.press("Escape")  # command mode, as after clicking a cell's margin
    with session.context.expect_page(timeout=60_000) as opened:
        lab.keyboard.press("Alt+r")
    deck = opened.value
    wait_for_deck(deck)
    assert f"/rise/lectures/{NOTES_LECTURE}" in deck.url
    frame = deck.evaluate("""() => { const r = document.querySelector('.reveal .slides').getBoundingClientRect();
        return [r.left, r.top, r.width, r.height]; }""")
    assert [round(v) for v in frame] == [0, 0, WIDTH, HEIGHT], f"the slide is at {frame}, not 1280x720"
    lines = deck.evaluate("""() => { const h = document.querySelector('section.present section.present h1');
        return h.getBoundingClientRect().height / parseFloat(getComputedStyle(h).lineHeight); }""")
    assert lines < 1.5, f"the title wraps over {lines:.1f} lines"

    # A slide with notes past the title (a deck sent back to the title must be seen to move).
    assert step(deck, "Space"), "Space did not move the slideshow"
    while (deck.evaluate(PRESENT)["id"] == "slide-0-0"
           or not deck.evaluate("!!document.querySelector('section.present section.present aside.notes')")):
        assert step(deck, "Space"), f"{NOTES_LECTURE} has no slide with speaker notes past its title"
    here = deck.evaluate(PRESENT)["id"]
    deck.keyboard.press("w")  # W: the overview, and back
    deck.wait_for_selector(".reveal.overview", timeout=5_000)
    deck.keyboard.press("w")
    deck.wait_for_selector(".reveal:not(.overview)", timeout=5_000)
    deck.keyboard.press("Shift+Slash")  # ? (Shift+/ on a US keyboard): every shortcut
    deck.get_by_text("Reveal Shortcuts Help").wait_for(timeout=5_000)
    deck.keyboard.press("Escape")
    note = deck.evaluate("document.querySelector('section.present section.present aside.notes "
                         ".jp-RenderedMarkdown').textContent")
    assert here != "slide-0-0" and note.strip(), f"{NOTES_LECTURE} has no speaker notes past its title"
    with session.context.expect_page(timeout=30_000) as opened:
        deck.keyboard.press("t")
    notes = opened.value
    words = " ".join(note.split()[:4])
    notes.wait_for_function("w => document.body.innerText.includes(w)", arg=words, timeout=30_000)
    # Whatever the notes window loads (reveal.js's speaker view loads the deck twice more, in
    # preview frames): wait until it has, then a little longer, and see where the deck is.
    deadline = time.time() + 60
    while time.time() < deadline and any(
            f.url.startswith("http") and not f.evaluate("!!document.querySelector('.reveal.ready')")
            for f in notes.frames[1:]):
        deck.wait_for_timeout(500)
    deck.wait_for_timeout(4_000)
    assert deck.evaluate(PRESENT)["id"] == here, "the deck moved after T opened the speaker notes"
    notes.keyboard.press("Space")  # a key pressed in the notes window moves the deck on
    deck.wait_for_function(f"here => ({WHERE})().split('/')[0] !== here", arg=here, timeout=5_000)
    assert session.remote == [], f"asked the network for {session.remote}"
    assert session.errors == [], f"console errors: {session.errors}"


@pytest.mark.parametrize("lecture", LECTURES, ids=lambda n: n[:2])
def test_lecture_presents_live(jupyter, session, course, lecture):
    """Every markdown cell on its slide, every slide within 1280x720 after its cells ran, Space
    and Shift+Space move, widget cells run with Shift+Enter and react; no console error."""
    base, token = jupyter
    expected = expected_markdown(executed_lecture(course, lecture))
    deck = session.deck(base, token, lecture)
    steps = page_through(deck)
    visited = {s["id"] for s in steps}
    assert visited >= set(expected), f"Space never showed {sorted(set(expected) - visited)}"
    shown: dict[str, str] = {}  # each slide's markdown text, all its fragments shown
    cells: dict[str, int] = {}  # the most markdown cells each slide drew at once
    for measured in steps:
        shown[measured["id"]] = shown.get(measured["id"], "") + " ".join(measured["markdown"])
        cells[measured["id"]] = max(cells.get(measured["id"], 0), len(measured["markdown"]))
    absent = [f"{slide}: {word}" for slide, words in expected.items() for word in words
              if word is not None and word not in shown.get(slide, "")]
    absent += [f"{slide}: {cells.get(slide, 0)} of its {len(words)} markdown cells drawn"
               for slide, words in expected.items() if cells.get(slide, 0) < len(words)]
    assert absent == [], f"markdown cells missing from their slides: {sorted(set(absent))}"

    assert step(deck, "Shift+Space"), "Shift+Space did not move the slideshow"
    back = deck.evaluate(PRESENT)
    assert (back["id"], back["fragments"]) == (steps[-2]["id"], steps[-2]["fragments"]), \
        "Shift+Space did not go back one step"

    too_big = [overflow(s) for s in steps if overflow(s)]
    if lecture in WITH_WIDGETS and lecture not in NEEDS_EARLIER_CELLS:
        too_big += run_widgets(deck, [s["id"] for s in steps])
    assert sorted(set(too_big)) == [], "slides that do not fit 1280x720 live:\n  " + "\n  ".join(sorted(set(too_big)))
    assert session.remote == [], f"asked the network for {session.remote}"
    assert session.errors == [], f"console errors: {session.errors}"


REDRAW_S = 10   # how long a widget may take to redraw after its slider moved


def changes(look, before: bytes, seconds: float = REDRAW_S) -> bool:
    """Whether look() returns something other than ``before`` within ``seconds``. A look that
    fails because the widget is swapping its image for the new one is tried again."""
    from playwright.sync_api import Error as PlaywrightError

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if look() != before:
                return True
        except PlaywrightError:   # "not attached to the DOM": the redraw is under way
            pass
        time.sleep(0.25)
    return False


def run_widgets(deck, order: list[str]) -> list[str]:
    """Run each widget cell of the deck with Shift+Enter on its slide: the widget must appear as
    a control (not its text), react to its slider, and its slide still fit. Returns the slides
    that do not fit once the widget is drawn. ``order``: the steps' slide ids (:func:`go_to`)."""
    too_big = []
    cells = deck.locator(".reveal .jp-CodeCell").filter(has_text=WIDGET_CALL)
    for n in range(cells.count()):
        cell = cells.nth(n)
        slide_id = cell.evaluate("c => c.closest('section').id")
        go_to(deck, slide_id, order)
        press_shift_enter_on(deck, cell)
        control = cell.locator(".jupyter-widgets .ui-slider-handle").first
        control.wait_for(state="visible", timeout=90_000)
        output = cell.locator(".jp-Cell-outputArea").inner_text()
        assert not re.search(r"\w+\(children=|Loading widget", output), f"the widget shows as text: {output[:200]}"
        deck.wait_for_timeout(1_000)  # Shift+Enter runs the cell and selects the next one,
        if deck.evaluate(PRESENT)["id"] != slide_id:  # perhaps on the next slide: come back
            go_to(deck, slide_id, order)
        deck.wait_for_timeout(1_000)
        measured = deck.evaluate(PRESENT)
        if overflow(measured):
            too_big.append(overflow(measured) + " (after its widget cell ran)")
        figure = cell.locator(".jp-Cell-outputArea .jupyter-widgets img").first  # what it draws
        before = figure.screenshot()
        box = control.bounding_box()
        deck.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        deck.mouse.down()
        deck.mouse.move(box["x"] + box["width"] / 2 + 60, box["y"] + box["height"] / 2, steps=5)
        deck.mouse.up()
        assert changes(figure.screenshot, before), \
            f"dragging the slider of widget {n + 1} did not redraw its figure within {REDRAW_S} s"
    return too_big


# Runs in the slideshow: the deck template as RISE draws it (lectures/rise.css, rise.footer).
TEMPLATE = """() => {
  const slide = document.querySelector('.reveal .slides > section.present > section.present');
  const scale = document.querySelector('.reveal .slides').getBoundingClientRect().width / %d;
  const px = e => parseFloat(getComputedStyle(e).fontSize);
  const footer = document.getElementById('rise-footer');
  return {
    footer: footer ? footer.innerText.trim() : '',
    fonts: [...slide.querySelectorAll('h1, h2, h3, p, li')].filter(e => !e.closest('aside.notes'))
      .map(e => getComputedStyle(e).fontFamily.split(',')[0].replace(/["']/g, '').trim()),
    loaded: document.fonts.check('26px "Atkinson Hyperlegible"')
      && [...document.fonts].some(f => f.family.replace(/"/g, '') === 'Atkinson Hyperlegible' && f.status === 'loaded'),
    prose: [...slide.querySelectorAll('.jp-RenderedMarkdown p, .jp-RenderedMarkdown li')]
      .filter(e => !e.closest('aside.notes')).map(px),
    inline: [...slide.querySelectorAll('mjx-container[jax="CHTML"]:not([display="true"])')]
      .filter(m => !m.closest('aside.notes'))
      .map(m => ({size: px(m) / px(m.parentElement),  // the formula's font size over its line's
                  height: m.querySelector('mjx-math').getBoundingClientRect().height / scale / px(m.parentElement)})),
  };
}""" % WIDTH


def test_the_deck_template_shows_live(jupyter, session, course):
    """RISE shows a lecture with the course's template: the lecture named in the footer of every
    slide, Atkinson Hyperlegible (from lectures/fonts, nothing remote) for every heading and
    paragraph, body text of at least 24 px, inline formulas set at their line's font size (MathJax
    3 would scale them up to the typeface's x-height) and, the median one, no taller than 1.2
    times it."""
    base, token = jupyter
    lecture = "04_gated_cells.ipynb"  # inline formulas from its fourth slide on
    executed_lecture(course, lecture)
    deck = session.deck(base, token, lecture)
    seen = [deck.evaluate(TEMPLATE)]
    deck.screenshot(path=str(ROOT / "build" / "rise-title-slide.png"))  # to look at
    while step(deck, "Space") and len(seen) < 8:
        seen.append(deck.evaluate(TEMPLATE))
        if len(seen) == 4:
            deck.screenshot(path=str(ROOT / "build" / "rise-content-slide.png"))
    unit = next(u for u in export_slides.load_course().units if u.lecture == lecture[:-6])
    assert all(s["footer"] == f"Lecture {unit.number} · {unit.title}" for s in seen), \
        f"footers: {sorted({s['footer'] for s in seen})}"
    assert all(s["loaded"] for s in seen), "Atkinson Hyperlegible did not load from lectures/fonts"
    fonts = {f for s in seen for f in s["fonts"]}
    assert fonts == {"Atkinson Hyperlegible"}, f"typefaces on the slides: {fonts}"
    assert min(p for s in seen for p in s["prose"]) >= 24, "body text under 24 px"
    formulas = [m for s in seen for m in s["inline"]]
    assert formulas, "no inline formula on the first slides to measure"
    assert max(m["size"] for m in formulas) <= 1.0, "inline math set larger than its text"
    heights = sorted(m["height"] for m in formulas)
    assert heights[len(heights) // 2] <= 1.2, f"inline formulas taller than their text: {heights}"
    assert session.remote == [], f"asked the network for {session.remote}"
