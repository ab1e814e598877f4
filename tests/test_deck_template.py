"""The deck template (lectures/rise.css, tools/templates/offline_reveal): one typeface shipped
with the decks, text and code sizes, inline math no larger than its text, the lecture at the foot
of every slide clear of the content, title slide, outcomes slide and section dividers.

The first tests read files only; the browser tests export a small deck of every kind of slide
(and, where `make slides` has exported them, measure the real decks in build/slides).
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat
import pytest

from tests import _decks
from tests._browser import browser  # noqa: F401  shared fixtures

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import export_slides  # noqa: E402
import title_slides  # noqa: E402
from make_handouts import serve  # noqa: E402

SLIDES = ROOT / "build" / "slides"
CSS = ROOT / "lectures" / "rise.css"
FONTS = ROOT / "lectures" / "fonts"
NPM_FONTS = ROOT / "node_modules" / "@fontsource" / "atkinson-hyperlegible" / "files"
LECTURES = sorted((ROOT / "lectures").glob("[0-9]*.ipynb"))
WIDTH, HEIGHT = 1280, 720
MIN_BODY_PX, MIN_CODE_PX, MIN_OUTCOMES_PX = 24, 20, 22
MAX_INLINE_MATH = 1.2  # an inline formula's height, in multiples of its line's font size
FONT = "Atkinson Hyperlegible"


# ---------------------------------------------------------------------------------------------
# Files

def test_the_typeface_is_the_npm_packages_and_rise_css_loads_nothing_remote():
    urls = re.findall(r"url\(\s*[\"']?([^\"')]+)", CSS.read_text())
    assert urls, "rise.css declares no font"
    for url in urls:
        assert not re.match(r"(https?:)?//", url), f"rise.css loads {url} from the network"
        local = CSS.parent / url
        assert local.is_file(), f"rise.css names {url}, which lectures/ does not hold"
        npm = NPM_FONTS / local.name
        if NPM_FONTS.is_dir():
            assert local.read_bytes() == npm.read_bytes(), \
                f"lectures/fonts/{local.name} differs from @fontsource/atkinson-hyperlegible's"
    assert "@import" not in CSS.read_text(), "rise.css imports a stylesheet"
    assert export_slides.remote_loads(CSS.read_text()) == []
    assert (FONTS / "OFL.txt").is_file(), "the font's licence (SIL OFL 1.1) ships with it"


def test_title_slides_check_mode_agrees(capsys):
    assert title_slides.main(["--check"]) == 0, capsys.readouterr().err


def test_title_slides_check_mode_names_a_stale_lecture(tmp_path, monkeypatch):
    course = export_slides.load_course()
    unit = next(u for u in course.units if u.lecture)
    nb = nbformat.read(export_slides.LECTURES / f"{unit.lecture}.ipynb", as_version=4)
    nb.cells[1].source = nb.cells[1].source.replace("- ", "- (edited) ", 1)
    assert title_slides.problems(nb, unit, course) == ["cell 1 is not the outcomes slide course.yml gives"]
    title_slides.update(nb, unit, course)
    assert title_slides.problems(nb, unit, course) == []


def test_a_hand_written_title_keeps_its_outline_as_the_agenda():
    course = export_slides.load_course()
    unit = next(u for u in course.units if u.lecture)
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Lecture 01: Old\n### A subtitle\n\n1. First\n2. Second",
                                              metadata={"slideshow": {"slide_type": "slide"}}),
                nbformat.v4.new_markdown_cell("## Next", metadata={"slideshow": {"slide_type": "slide"}})]
    title_slides.update(nb, unit, course)
    assert [c.source.splitlines()[0] for c in nb.cells] == [
        f"Lecture {unit.number}", "## What you will be able to do", "## Outline", "## Next"]
    assert nb.cells[2].source == "## Outline\n\n*A subtitle*\n\n1. First\n2. Second"
    title_slides.update(nb, unit, course)  # a second run changes nothing
    assert len(nb.cells) == 4


# ---------------------------------------------------------------------------------------------
# In a browser



def longest_titled(course: export_slides.Course) -> export_slides.Unit:
    return max((u for u in course.units if u.lecture), key=lambda u: len(u.title))


def _md(source: str, kind: str = "slide", tags=()) -> nbformat.NotebookNode:
    return nbformat.v4.new_markdown_cell(source, metadata={"slideshow": {"slide_type": kind},
                                                           "tags": list(tags)})


@pytest.fixture(scope="module")
def sample_deck(tmp_path_factory) -> Path:
    """A deck with a slide of every kind, exported with the course's template and assets."""
    folder = tmp_path_factory.mktemp("deck")
    course = export_slides.load_course()
    unit = longest_titled(course)  # the title slide that must still keep its title on one line
    nb = nbformat.v4.new_notebook()
    title, outcomes = title_slides.expected_cells(unit, course)
    nb.cells = [
        title, outcomes,
        _md("## Part 1: The recurrent neuron", tags=["section"]),
        _md("## A content slide\n\nThe state $\\mathbf{h}_t$ of shape $(H)$ reads $\\mathbf{x}_t$ "
            "through $\\mathbf{W}_{xh}$, and $\\mathbf{W}_{hh}\\mathbf{h}_{t-1}$ carries the past.\n\n"
            "- a bullet with $y_t$ in it"),
        nbformat.v4.new_code_cell("print('code at twenty pixels')",
                                  metadata={"slideshow": {"slide_type": "-"}}),
    ]
    nb.metadata["rise"] = {"footer": title_slides.footer(unit)}
    path = folder / f"{unit.lecture}.ipynb"
    nbformat.write(nb, path)
    export_slides.copy_assets(folder)
    export_slides.export(path, folder, run=False)
    return folder / f"{unit.lecture}.slides.html"


# Runs in the page: every (sub)slide shown in turn and measured in slide pixels (the template
# lays a slide's formulas out again when it shows: measured once MathJax's queue is done).
MEASURE = """async () => { const all = [];
for (const s of Reveal.getSlides().filter(s => !s.querySelector('section'))) {
  const {h, v} = Reveal.getIndices(s); Reveal.slide(h, v);
  await new Promise(done => MathJax.Hub.Queue(() => done()));  // formulas laid out again
  const scale = Reveal.getScale(), px = e => parseFloat(getComputedStyle(e).fontSize);
  const footer = document.getElementById('rise-footer');
  const fbox = footer && footer.getBoundingClientRect();
  const texts = document.createTreeWalker(s, NodeFilter.SHOW_TEXT), hits = [];
  while (texts.nextNode()) {
    const n = texts.currentNode; if (!n.textContent.trim() || n.parentElement.closest('aside.notes')) continue;
    const range = document.createRange(); range.selectNodeContents(n);
    for (const r of range.getClientRects())
      if (fbox && r.width && r.bottom > fbox.top && r.top < fbox.bottom && r.right > fbox.left && r.left < fbox.right)
        hits.push(n.textContent.trim().slice(0, 40)); }
  s.querySelectorAll('img, canvas, svg, .jupyter-widgets').forEach(e => { const r = e.getBoundingClientRect();
    if (fbox && r.width && r.bottom > fbox.top && r.top < fbox.bottom && r.right > fbox.left && r.left < fbox.right)
      hits.push(e.tagName.toLowerCase()); });
  const inline = [...s.querySelectorAll('script[type="math/tex"]')].filter(m => !m.closest('aside.notes'))
    .map(m => { const box = document.getElementById(m.id + '-Frame'); const line = m.parentElement;
      return {tex: m.textContent, ratio: box ? box.getBoundingClientRect().height / scale / px(line) : null}; });
  const heading = s.querySelector('h1, h2, h3');
  all.push({index: h + (v ? '.' + v : ''), title: heading ? heading.textContent.replace('\\u00b6', '').trim() : '',
    footer: footer ? footer.innerText.trim() : '', footerShown: !!fbox && fbox.height > 0, hits, inline,
    prose: [...s.querySelectorAll('.jp-RenderedMarkdown p, .jp-RenderedMarkdown li')]
      .filter(e => !e.closest('aside.notes')).map(px),
    code: [...s.querySelectorAll('.jp-InputArea-editor pre, .jp-OutputArea-output pre')].map(px),
    fonts: [...s.querySelectorAll('h1, h2, h3, p, li, td')].filter(e => !e.closest('aside.notes'))
      .map(e => getComputedStyle(e).fontFamily.split(',')[0].replace(/["']/g, '').trim()),
    background: getComputedStyle(s).backgroundColor,
    h1Lines: (() => { const t = s.querySelector('h1'); return t ? t.getBoundingClientRect().height / scale /
      parseFloat(getComputedStyle(t).lineHeight) : 0; })()});
} return all; }"""


def open_deck(browser, url: str):
    context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT})
    remote = []

    def route(r):
        if r.request.url.startswith(("http://127.0.0.1", "http://localhost", "data:", "blob:", "file:")):
            r.continue_()
        else:
            remote.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.goto(url)
    page.wait_for_function("window.Reveal && Reveal.isReady() && window.mathTypeset === true", timeout=60_000)
    page.wait_for_function("document.fonts.status === 'loaded'", timeout=30_000)
    return context, page, remote


@pytest.mark.browser
@pytest.mark.slow
def test_the_template_on_a_deck_of_every_kind_of_slide(browser, sample_deck):
    with serve(sample_deck.parent) as base:
        context, page, remote = open_deck(browser, f"{base}/{sample_deck.name}")
        try:
            slides = page.evaluate(MEASURE)
            loaded = page.evaluate(f"document.fonts.check('26px \"{FONT}\"') && "
                                   f"[...document.fonts].some(f => f.family.replace(/\"/g, '') === '{FONT}' "
                                   "&& f.status === 'loaded')")
        finally:
            context.close()
    assert remote == [], f"the deck asked the network for {remote}"
    assert loaded, f"{FONT} did not load from assets/fonts"
    title, outcomes, divider, content = slides
    unit = longest_titled(export_slides.load_course())
    for slide in slides:
        assert set(slide["fonts"]) == {FONT}, f"slide {slide['index']}: typefaces {set(slide['fonts'])}"
        assert slide["footer"] == f"Lecture {unit.number} · {unit.title}" and slide["footerShown"]
        assert slide["hits"] == [], f"slide {slide['index']}: the footer covers {slide['hits']}"
    assert title["h1Lines"] < 1.5, f"the title {unit.title!r} wraps"
    assert min(content["prose"]) >= MIN_BODY_PX and min(content["code"]) >= MIN_CODE_PX, content
    assert min(outcomes["prose"]) >= MIN_OUTCOMES_PX, outcomes
    assert divider["background"] not in ("rgba(0, 0, 0, 0)", content["background"]), \
        "a section divider looks like any other slide"
    ratios = {m["tex"]: m["ratio"] for m in content["inline"]}
    assert ratios and all(r is not None and r <= MAX_INLINE_MATH for r in ratios.values()), \
        f"inline formulas taller than {MAX_INLINE_MATH} x their line's font size: {ratios}"


# A formula of letters, bold and subscripts only (no superscript, fraction, sum, accent, big
# delimiter): it must sit within its line like a word.
TALL_TEX = re.compile(r"\\(?:[dt]?frac|sum|prod|int|sqrt|[bB]igg?[lr]?|left|right|begin|over\w+|under\w+"
                      r"|hat|widehat|tilde|widetilde|bar|vec|binom|stackrel|displaystyle|[lr][vV]ert)(?![A-Za-z])"
                      r"|\^|\|")


def simple(tex: str) -> bool:
    return not TALL_TEX.search(tex)


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("notebook", LECTURES, ids=[p.stem for p in LECTURES])
def test_built_decks_footer_and_inline_math(browser, notebook):
    """On the exported deck: the footer on every slide, covering nothing; every simple inline
    formula at most MAX_INLINE_MATH times its line's font size; one typeface."""
    _decks.require(notebook)
    deck = SLIDES / f"{notebook.stem}.slides.html"
    with serve(SLIDES) as base:
        context, page, _ = open_deck(browser, f"{base}/{deck.name}")
        try:
            slides = page.evaluate(MEASURE)
        finally:
            context.close()
    problems = [f"slide {s['index']} '{s['title'][:40]}': the footer covers {s['hits'][:3]}"
                for s in slides if s["hits"]]
    problems += [f"slide {s['index']}: no footer" for s in slides if not s["footerShown"]]
    problems += [f"slide {s['index']}: inline ${m['tex'][:40]}$ is {m['ratio']:.2f} x the font size"
                 for s in slides for m in s["inline"]
                 if simple(m["tex"].strip()) and m["ratio"] is not None and m["ratio"] > MAX_INLINE_MATH]
    problems += [f"slide {s['index']}: typefaces {sorted(set(s['fonts']))}"
                 for s in slides if set(s["fonts"]) - {FONT}]
    assert problems == [], "\n".join(problems)


MIN_HANDOUT_PT = 11  # body text of a handout page printed at 100%


def printed_sizes(pdf: Path) -> list[list[tuple[float, str]]]:
    """For each page of pdf: (size in pt as printed, text) of every text run."""
    from pypdf import PdfReader

    pages = []
    for page in PdfReader(pdf).pages:
        runs: list[tuple[float, str]] = []

        def visit(text, cm, tm, font, size, runs=runs):
            scale = (abs(tm[3]) or abs(tm[0])) * (abs(cm[3]) or abs(cm[0]))
            if text.strip():
                runs.append((size * scale, text.strip()))

        page.extract_text(visitor_text=visit)
        pages.append(runs)
    return pages


@pytest.mark.parametrize("notebook", LECTURES, ids=[p.stem for p in LECTURES])
def test_built_decks_handouts_are_readable_at_100_percent(notebook):
    """Every word of a handout (a run of four letters or more: sub- and superscripts and the slide
    number aside) prints at MIN_HANDOUT_PT or more on its 960x540 pt page."""
    _decks.handouts()
    pdf = SLIDES / export_slides.handout_name(notebook.stem)
    small = [f"page {n}: {size:.1f} pt {text[:40]!r}" for n, runs in enumerate(printed_sizes(pdf), 1)
             for size, text in runs if size < MIN_HANDOUT_PT and re.search(r"[A-Za-z]{4,}", text)]
    assert small == [], f"{len(small)} runs of text under {MIN_HANDOUT_PT} pt:\n" + "\n".join(small[:20])
