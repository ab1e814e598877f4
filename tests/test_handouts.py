"""The PDF handouts (tools/make_handouts.py): one page per slide, in order, notes where asked.

The decks are exported to build/slides once per run (tests/_decks.py); this file prints them
to build/slides/handouts, as `make handouts` does.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
import unicodedata
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest
from pypdf import PdfReader

from tests import _decks
from tests._browser import chromium_path, sync_playwright, unavailable

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import export_slides  # noqa: E402
import make_handouts  # noqa: E402

SLIDES = ROOT / "build" / "slides"
LECTURES = sorted((ROOT / "lectures").glob("[0-9]*.ipynb"))
NOTES_DECK = "04_gated_cells"  # notes with formulas, fragments and a widget
pytestmark = [pytest.mark.browser, pytest.mark.slow]


class _Slides(HTMLParser):
    """A deck's slides (sections without sections inside) in order: each one's first heading,
    its speaker notes, and its markdown prose (code left out), as text with TeX still in it."""

    def __init__(self) -> None:
        super().__init__()
        self.slides: list[dict[str, str]] = []
        self._open: list[dict[str, str]] = []  # the sections we are in, innermost last
        self._into: str | None = None  # "heading" or "notes" while reading one
        self._divs = 0  # how deep in <div>s we are
        self._markdown: int | None = None  # the depth of the markdown cell's <div> we are in
        self._code = 0  # how deep in <code> and <pre>

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = (dict(attrs).get("class") or "").split()
        if tag == "section":
            for outer in self._open:
                outer["stack"] = "yes"
            self._open.append({"heading": "", "notes": "", "prose": "", "stack": ""})
        elif tag in ("h1", "h2", "h3") and self._open and not self._open[-1]["heading"] and not self._into:
            self._into = "heading"
        elif tag == "aside" and "notes" in classes:
            self._into = "notes"
        elif tag == "div":
            self._divs += 1
            if "jp-RenderedMarkdown" in classes and self._markdown is None:
                self._markdown = self._divs
        elif tag in ("code", "pre"):
            self._code += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "section":
            section = self._open.pop()
            if not section["stack"]:
                self.slides.append(section)
        elif tag == "div":
            if self._markdown == self._divs:
                self._markdown = None
            self._divs -= 1
        elif tag in ("code", "pre"):
            self._code -= 1
        elif self._into == {"h1": "heading", "h2": "heading", "h3": "heading", "aside": "notes"}.get(tag):
            self._into = None

    def handle_data(self, data: str) -> None:
        if not self._open:
            return
        if self._into:
            self._open[-1][self._into] += data.replace("\u00b6", "")
        if self._into != "notes" and self._markdown is not None and not self._code:
            self._open[-1]["prose"] += data.replace("\u00b6", "") + " "


def deck_slides(deck: Path) -> list[dict[str, str]]:
    """The slides of an exported deck, as _Slides reads them."""
    parser = _Slides()
    parser.feed(deck.read_text(encoding="utf-8"))
    return parser.slides


def page_texts(pdf: Path) -> list[str]:
    """The text of each page of pdf, as pdftotext (poppler) reads it."""
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True,
                         text=True, check=True).stdout
    return out.split("\f")[:-1]


def letters(text: str) -> Counter:
    """How often each letter and digit occurs in text (lower case, ligatures undone)."""
    return Counter(_letters(text))


def _letters(text: str) -> str:
    """Letters and digits only, lower case, ligatures undone: what survives PDF text extraction."""
    return re.sub(r"[\W_]+", "", unicodedata.normalize("NFKC", text).lower())


def shows(page_text: str, source: str) -> bool:
    """Whether page_text holds source's words, in order, its formulas ($...$) aside."""
    page, start = _letters(page_text), 0
    for part in filter(None, map(_letters, re.split(r"\$[^$]*\$", source))):
        start = page.find(part, start)
        if start < 0:
            return False
    return True


FORMULA = re.compile(r"\$\$(.+?)\$\$|\$(.+?)\$|\\\((.+?)\\\)|\\\[(.+?)\\\]", re.DOTALL)
# TeX whose arguments typeset as nothing: environment names, array column specs, spacing, colour.
SILENT = re.compile(r"\\begin\{array\}\{[^}]*\}|\\(?:begin|end|label|color|hspace|vspace|phantom)\{[^}]*\}"
                    r"|\\\\\[[^\]]*\]")


def formulas(prose: str) -> list[str]:
    r"""The TeX of every formula in prose ($...$, $$...$$, \(...\), \[...\])."""
    return [next(g for g in m.groups() if g is not None) for m in FORMULA.finditer(prose)]


def tex_letters(tex: str) -> Counter:
    r"""The letters and digits a typeset formula shows for sure: those of its TeX outside command
    names (\tanh prints as 'tanh', but \sigma as a glyph, so command names count for none)."""
    return letters(re.sub(r"\\[A-Za-z]+", " ", SILENT.sub(" ", tex)))


def prose_letters(prose: str) -> Counter:
    """The letters and digits of markdown prose, its formulas counted by tex_letters."""
    return letters(FORMULA.sub(" ", prose)) + sum(map(tex_letters, formulas(prose)), Counter())


def lost_on_pages(pages: list[str], slides: list[dict[str, str]]) -> list[str]:
    """One line for each page that lacks letters of its slide's prose or formulas."""
    problems = []
    for number, (page, slide) in enumerate(zip(pages, slides), start=1):
        lost = prose_letters(slide["prose"]) - letters(page)
        if lost:
            missing = [f for f in formulas(slide["prose"]) if tex_letters(f) - letters(page)]
            problems.append(f"page {number} ('{slide['heading'].strip()}') lacks "
                            f"{''.join(sorted(lost.elements()))[:30]!r}; formulas not printed: {missing[:4]}")
    return problems


def first_words(text: str, n: int = 6) -> str:
    """The first n words of text before its first formula."""
    return " ".join(re.split(r"\$", text)[0].split()[:n])


@pytest.fixture(scope="module")
def printer():
    """Skips (fails under CI) without the exported decks, Chromium, pdftotext or playwright."""
    chromium_path()
    if shutil.which("pdftotext") is None:
        unavailable("pdftotext", "install poppler-utils: sudo apt-get install poppler-utils "
                    "(`make chromium` does it as root)")
    sync_playwright()
    _decks.require()
    return make_handouts


@pytest.fixture(scope="module")
def handouts(printer) -> Path:
    """Every deck printed to build/slides/handouts, the course home rewritten, as `make handouts` does."""
    return _decks.handouts()


@pytest.mark.parametrize("notebook", LECTURES, ids=[p.stem for p in LECTURES])
def test_one_page_per_slide_in_order(handouts, notebook):
    slides = deck_slides(SLIDES / f"{notebook.stem}.slides.html")
    reader = PdfReader(handouts / f"{notebook.stem}.pdf")
    assert len(reader.pages) == len(slides), \
        f"{len(reader.pages)} pages for {len(slides)} slides: fragments or a long slide add pages"
    for number, (slide, page) in enumerate(zip(slides, reader.pages), start=1):
        assert (round(page.mediabox.width), round(page.mediabox.height)) == (960, 540), \
            f"page {number} is not 1280x720 px (960x540 pt)"
        if slide["heading"]:
            assert shows(page.extract_text(), slide["heading"]), \
                f"page {number} does not show slide {number}'s heading {slide['heading']!r}"


@pytest.mark.parametrize("notebook", LECTURES, ids=[p.stem for p in LECTURES])
def test_every_page_prints_its_slides_prose_and_formulas(handouts, notebook):
    """pdftotext's reading of each page against its slide's markdown in the deck's source."""
    pages = page_texts(handouts / f"{notebook.stem}.pdf")
    assert lost_on_pages(pages, deck_slides(SLIDES / f"{notebook.stem}.slides.html")) == []


def test_the_course_home_links_every_handout(handouts):
    index = SLIDES / "index.html"
    for notebook in LECTURES:
        assert f'href="handouts/{notebook.stem}.pdf"' in index.read_text()
    assert export_slides.broken_links(index) == []


def test_notes_follow_each_slide_that_has_them(printer, tmp_path):
    slides = deck_slides(SLIDES / f"{NOTES_DECK}.slides.html")
    noted = [s for s in slides if s["notes"].strip()]
    assert noted, f"{NOTES_DECK} has no speaker notes to print"
    printer.make_handouts(SLIDES, [SLIDES / f"{NOTES_DECK}.slides.html"], tmp_path, notes=True)
    reader = PdfReader(tmp_path / f"{NOTES_DECK}.notes.pdf")
    assert len(reader.pages) == len(slides) + len(noted), "not one notes page per slide with notes"
    pages = iter(reader.pages)
    for number, slide in enumerate(slides, start=1):
        page = next(pages).extract_text()
        if slide["heading"]:
            assert shows(page, slide["heading"]), f"slide {number} is not where it belongs"
        if slide["notes"].strip():
            notes = next(pages).extract_text()
            assert shows(notes, first_words(slide["notes"])), \
                f"the page after slide {number} does not hold its notes"
            unprinted = [f for f in formulas(slide["notes"])
                         if tex_letters(f) - letters(notes)]
            assert unprinted == [], f"the notes of slide {number} printed without {unprinted}"


def test_a_long_slide_is_clipped_to_its_page_and_fragments_add_none(printer, tmp_path, capsys):
    nb = nbformat.v4.new_notebook()
    lines = "\n".join(f"- line {i}" for i in range(60))
    for source, kind in [("# Long slide", "slide"), ("a fragment", "fragment"), (lines, "-"),
                         ("## Second slide", "slide")]:
        nb.cells.append(nbformat.v4.new_markdown_cell(source, metadata={"slideshow": {"slide_type": kind}}))
    nbformat.write(nb, tmp_path / "99_long.ipynb")
    (tmp_path / "assets").symlink_to(SLIDES / "assets")
    deck = tmp_path / export_slides.export(tmp_path / "99_long.ipynb", tmp_path, run=False, timeout=60)
    printer.make_handouts(tmp_path, [deck], tmp_path)
    pages = [p.extract_text() for p in PdfReader(tmp_path / "99_long.pdf").pages]
    assert len(pages) == 2, f"{len(pages)} pages for 2 slides"
    assert shows(pages[0], "Long slide a fragment line 0") and not shows(pages[0], "line 59")
    assert shows(pages[1], "Second slide")
    assert "slide 1 'Long slide'" in capsys.readouterr().err, "no warning that slide 1 is cut off"


def math_deck(folder: Path, slides: int = 10) -> Path:
    """A deck of `slides` slides of LSTM-like equations, exported (not executed) into folder."""
    nb = nbformat.v4.new_notebook()
    for i in range(1, slides + 1):
        lines = [f"## Equations {i}", f"For $t = 1, \\dots, T_{i}$, starting from $h_0 = {i}$:"]
        lines += [f"$$ g^{{({i})}}_{k} = \\sigma(W_{{x{k}}} x_t + W_{{h{k}}} h_{{t-{k}}} + b_{k}) $$"
                  for k in range(1, 7)]
        nb.cells.append(nbformat.v4.new_markdown_cell("\n\n".join(lines),
                                                      metadata={"slideshow": {"slide_type": "slide"}}))
    nbformat.write(nb, folder / "98_math.ipynb")
    if not (folder / "assets").exists():
        (folder / "assets").symlink_to(SLIDES / "assets")
    return folder / export_slides.export(folder / "98_math.ipynb", folder, run=False, timeout=60)


# A page of a busy machine: its animation frames come 0.7 s late (reveal.js awaits four of them
# while it lays the deck out as pages), and its CPU runs four times slower (the DevTools
# protocol's throttling), so that MathJax is still typesetting while reveal.js lays out.
# Both are needed: without the throttling, the old template (MathJax typesetting at once) printed
# three clean runs; with it, two runs of three printed pages without their formulas.
LATE_FRAMES = """(() => { const frame = window.requestAnimationFrame.bind(window);
  window.requestAnimationFrame = f => frame(() => setTimeout(() => frame(f), 700)); })();"""


class _BusyMachine:
    """Stands in for a browser (and its contexts) for make_handouts.print_deck: every page it
    opens is a page of a busy machine."""

    def __init__(self, target):
        self._target = target

    def __getattr__(self, name):
        return getattr(self._target, name)

    def new_context(self, **options):
        return _BusyMachine(self._target.new_context(**options))

    def new_page(self):
        page = self._target.new_page()
        page.add_init_script(LATE_FRAMES)
        self._target.new_cdp_session(page).send("Emulation.setCPUThrottlingRate", {"rate": 4})
        return page


def test_formulas_print_on_a_busy_machine_run_after_run(printer, tmp_path):
    """Printed three times on a busy machine, every page of a deck of equations holds every
    formula (on a busy machine they used to print empty, on a different page each time)."""
    deck = math_deck(tmp_path)
    slides = deck_slides(deck)
    with make_handouts.serve(tmp_path) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(),
                                             args=make_handouts.CHROMIUM_ARGS)
        try:
            for run in range(3):
                pdf = tmp_path / f"98_math.{run}.pdf"
                make_handouts.print_deck(_BusyMachine(browser), f"{base}/{deck.name}?print-pdf", pdf)
                lost = lost_on_pages(page_texts(pdf), slides)
                assert lost == [], f"run {run + 1}: {lost}"
        finally:
            browser.close()


# Records, in the page, every formula MathJax typesets before reveal.js has laid out the pages.
EARLY_MATH = """window.earlyMath = 0; window.laidOut = false;
document.addEventListener('pdf-ready', () => { window.laidOut = true; });
const hook = setInterval(() => {
  if (!(window.MathJax && MathJax.Hub && MathJax.Hub.Register)) return;
  clearInterval(hook);
  MathJax.Hub.Register.MessageHook('New Math', () => { if (!window.laidOut) window.earlyMath++; });
}, 1);"""


def test_a_print_view_typesets_no_formula_before_reveal_lays_out_its_pages(printer, tmp_path):
    """reveal.js detaches every slide for a moment while it makes the pages; a formula MathJax
    typesets then stays an empty box. So a print view typesets only once the pages exist."""
    deck = math_deck(tmp_path, slides=4)
    with make_handouts.serve(tmp_path) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(),
                                             args=make_handouts.CHROMIUM_ARGS)
        try:
            page = _BusyMachine(browser.new_context(viewport={"width": 1280, "height": 720})).new_page()
            page.add_init_script(EARLY_MATH)
            page.goto(f"{base}/{deck.name}?print-pdf")
            page.wait_for_function("window.laidOut && document.querySelectorAll('.MathJax_CHTML').length"
                                   " && MathJax.Hub.queue.pending === 0 && !MathJax.Hub.queue.running",
                                   timeout=30_000)
            assert page.evaluate("window.earlyMath") == 0, \
                f"{page.evaluate('window.earlyMath')} formulas were typeset before the pages existed"
        finally:
            browser.close()
