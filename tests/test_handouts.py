"""The PDF handouts (tools/make_handouts.py): one page per slide, in order, notes where asked.

`make test` exports the decks to build/slides first; this file prints them to
build/slides/handouts, as `make handouts` does.
"""
from __future__ import annotations

import re
import sys
import unicodedata
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest
from pypdf import PdfReader

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
    """A deck's slides (sections without sections inside) in order: each one's first heading
    and speaker notes, as text with their TeX still in it."""

    def __init__(self) -> None:
        super().__init__()
        self.slides: list[dict[str, str]] = []
        self._open: list[dict[str, str]] = []  # the sections we are in, innermost last
        self._into: str | None = None  # "heading" or "notes" while reading one

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "section":
            for outer in self._open:
                outer["stack"] = "yes"
            self._open.append({"heading": "", "notes": "", "stack": ""})
        elif tag in ("h1", "h2", "h3") and self._open and not self._open[-1]["heading"] and not self._into:
            self._into = "heading"
        elif tag == "aside" and ("class", "notes") in attrs:
            self._into = "notes"

    def handle_endtag(self, tag: str) -> None:
        if tag == "section":
            section = self._open.pop()
            if not section["stack"]:
                self.slides.append(section)
        elif self._into == {"h1": "heading", "h2": "heading", "h3": "heading", "aside": "notes"}.get(tag):
            self._into = None

    def handle_data(self, data: str) -> None:
        if self._into and self._open:
            self._open[-1][self._into] += data.replace("\u00b6", "")


def deck_slides(deck: Path) -> list[dict[str, str]]:
    """The slides of an exported deck, as _Slides reads them."""
    parser = _Slides()
    parser.feed(deck.read_text(encoding="utf-8"))
    return parser.slides


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


def first_words(text: str, n: int = 6) -> str:
    """The first n words of text before its first formula."""
    return " ".join(re.split(r"\$", text)[0].split()[:n])


@pytest.fixture(scope="module")
def printer():
    """Skips (fails under CI) without the exported decks, Chromium or playwright."""
    if not (SLIDES / "index.html").exists():
        unavailable("the exported slides", "run `make slides` first (`make test` does it)")
    chromium_path()
    sync_playwright()
    return make_handouts


@pytest.fixture(scope="module")
def handouts(printer) -> Path:
    """Every deck printed to build/slides/handouts, the course home rewritten, as `make handouts` does."""
    assert printer.main(["--slides", str(SLIDES)]) == 0
    return SLIDES / export_slides.HANDOUTS


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
