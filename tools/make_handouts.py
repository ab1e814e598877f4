"""Print the exported lecture decks to PDF handouts, offline, with headless Chromium.

    python tools/make_handouts.py [--slides build/slides] [--out DIR] [--notes] [DECK ...]

Each deck (default: every SLIDES/NN_name.slides.html; the lectures are exported first when
there is none) becomes SLIDES/handouts/NN_name.pdf: one 1280x720 page a slide, backgrounds
printed, every fragment shown. A slide taller than the page is clipped at the page's edge
(and named in a warning) rather than spilled onto a second page. With --notes the deck becomes
NN_name.notes.pdf instead, in which every slide that has speaker notes is followed by a page
with its notes (reveal.js's showNotes: "separate-page"). The decks are served from 127.0.0.1
and every other request is aborted. A deck prints only once every formula on every page has
been laid out (MathJax typesets a print view after reveal.js has made its pages), and each page
of the PDF must then hold, in pdftotext's reading, every letter its page showed on screen: a
formula that printed empty fails the command. Last, the course home SLIDES/index.html is
rewritten so that it links the handouts.
"""
from __future__ import annotations

import argparse
import contextlib
import functools
import http.server
import re
import shutil
import subprocess
import sys
import threading
import unicodedata
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

from pypdf import PdfReader

import export_slides

ROOT = Path(__file__).resolve().parents[1]
WIDTH, HEIGHT = 1280, 720
TIMEOUT_MS = 30_000
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update"]
RAW_TEX = re.compile(r"\$\$|\$[^$\s][^$]*\\[A-Za-z]+[^$]*\$|\\\[|\\begin\{")

# Runs before the deck's own scripts: note when reveal.js has laid the deck out as pages.
MARK_LAID_OUT = "document.addEventListener('pdf-ready', () => { window.pdfLaidOut = true; });"

# The printed pages, in order: one per slide, and with --notes one after each slide with notes.
PAGE_ELEMENTS = "document.querySelectorAll('.reveal .slides > .pdf-page, .reveal .slides > .speaker-notes-pdf')"

# Formulas on the printed pages that MathJax has not laid out: no output box, or one of zero
# width or height (what prints as nothing). The notes kept inside each slide are hidden.
UNLAID_FORMULAS = """() => {
  const pages = [...%s];
  return [...document.querySelectorAll('script[type^="math/tex"]')]
    .filter(s => !s.closest('aside.notes'))
    .map(s => ({script: s, page: pages.findIndex(p => p.contains(s)) + 1}))
    .filter(({page}) => page > 0)
    .filter(({script}) => {
      const box = script.id && document.getElementById(script.id + '-Frame');
      const r = box && box.getBoundingClientRect();
      return !r || r.width === 0 || r.height === 0 || !box.textContent.trim(); })
    .map(({script, page}) => ({page, tex: script.textContent.trim().slice(0, 60)}));
}""" % PAGE_ELEMENTS

# What must be true before printing; on a timeout the error shows which is not. MathJax's queue
# has typeset the page (the deck's template sets mathTypeset after its typeset), every formula
# has width, the web fonts have arrived, every image has loaded, every widget has been drawn.
READINESS = """() => ({
  laidOut: window.pdfLaidOut === true,
  mathTypeset: window.mathTypeset === true && MathJax.Hub.queue.pending === 0
               && !MathJax.Hub.queue.running,
  formulasLaidOut: (%s)().length === 0,
  fontsLoaded: document.fonts.status === 'loaded',
  imagesLoaded: [...document.images].every(i => i.complete),
  widgetsDrawn: [...document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]')]
    .every(s => !!s.previousElementSibling && s.previousElementSibling.matches('.widget-subarea:not(:empty)'))
})""" % UNLAID_FORMULAS
READY = f"() => Object.values(({READINESS})()).every(Boolean)"

# The text each printed page shows, page by page: every text node with a size that lies whole
# inside the page and inside every box that clips or scrolls it, typeset formulas included,
# hidden notes and MathJax's screen-reader copy left out. The PDF's text must hold all of it.
PAGE_TEXTS = """() => [...%s].map(page => {
  const clips = new Map();
  const clipOf = el => {  // the visible box of el: its scrolling or clipping ancestors, intersected
    if (clips.has(el)) return clips.get(el);
    let box = el === page ? page.getBoundingClientRect() : clipOf(el.parentElement);
    if (el !== page && getComputedStyle(el).overflow !== 'visible') {
      const r = el.getBoundingClientRect();
      box = {left: Math.max(box.left, r.left), right: Math.min(box.right, r.right),
             top: Math.max(box.top, r.top), bottom: Math.min(box.bottom, r.bottom)};
    }
    clips.set(el, box);
    return box;
  };
  const texts = document.createTreeWalker(page, NodeFilter.SHOW_TEXT);
  let shown = '';
  while (texts.nextNode()) {
    const node = texts.currentNode, parent = node.parentElement;
    if (!node.textContent.trim()
        || parent.closest('script, style, aside.notes, .MJX_Assistive_MathML, .MathJax_Preview')
        || getComputedStyle(parent).visibility !== 'visible') continue;
    const clip = clipOf(parent), range = document.createRange();
    range.selectNodeContents(node);
    // whole inside its visible box: text a box cuts (an ellipsis, a scrolled line) counts for nothing
    const rects = [...range.getClientRects()].filter(r => r.width > 0 && r.height > 0);
    const visible = rects.length > 0 && rects.every(r => r.left >= clip.left - 1
      && r.right <= clip.right + 1 && r.top >= clip.top - 1 && r.bottom <= clip.bottom + 1);
    if (visible) shown += node.textContent + ' ';
  }
  const heading = page.querySelector('h1, h2, h3');
  return {text: shown, title: heading ? heading.textContent.replace('\\u00b6', '').trim() : ''};
})""" % PAGE_ELEMENTS

# The prose a reader sees on slides and notes pages, typeset math and code left out: raw TeX in
# it is a formula MathJax did not recognise.
VISIBLE_TEXT = """() => [...document.querySelectorAll('.jp-RenderedMarkdown, .speaker-notes-pdf')]
  .map(e => { const copy = e.cloneNode(true);
    copy.querySelectorAll('script, .MathJax_Preview, .mjx-chtml, .MathJax_CHTML, code')
      .forEach(m => m.remove());
    return copy.textContent; })"""

# The number of printed pages reveal.js laid out, and reveal.js's page width (slide + margin).
PAGES = f"{PAGE_ELEMENTS}.length"
PAGE_WIDTH = "(() => { const c = Reveal.getConfig(); return Math.floor(c.width * (1 + c.margin)); })()"

# Slides with text or an image below the slide's bottom edge, which the page clips.
CLIPPED = """(height) => [...document.querySelectorAll('.pdf-page > section')].map((s, i) => {
  const top = s.getBoundingClientRect().top; let bottom = 0;
  const texts = document.createTreeWalker(s, NodeFilter.SHOW_TEXT);
  while (texts.nextNode()) {
    if (!texts.currentNode.textContent.trim()) continue;
    const range = document.createRange(); range.selectNodeContents(texts.currentNode);
    for (const r of range.getClientRects()) bottom = Math.max(bottom, r.bottom - top); }
  s.querySelectorAll('img, canvas, svg, input').forEach(e =>
    bottom = Math.max(bottom, e.getBoundingClientRect().bottom - top));
  const heading = s.querySelector('h1, h2, h3');
  return {slide: i + 1, below: Math.round(bottom - height),
          title: heading ? heading.textContent.replace('\u00b6', '').trim() : ''};
}).filter(s => s.below > 1)"""


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@contextlib.contextmanager
def serve(folder: Path) -> Iterator[str]:
    """Serve folder on a free port of 127.0.0.1; yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def local_only(route) -> None:
    """A playwright route handler: let data:, blob: and 127.0.0.1 through, abort the rest."""
    url = route.request.url
    if url.startswith(("data:", "blob:", "about:")) or urlparse(url).hostname in ("127.0.0.1", "localhost"):
        route.continue_()
    else:
        route.abort()


def chromium_path() -> str:
    """Debian's Chromium, or exit saying how to install it."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        sys.exit("error: Chromium is needed: sudo apt-get install chromium (or `make chromium` as root)")
    return path


def pdftotext_path() -> str:
    """poppler's pdftotext, or exit saying how to install it."""
    path = shutil.which("pdftotext")
    if path is None:
        sys.exit("error: pdftotext is needed to check the handouts' text: sudo apt-get install "
                 "poppler-utils (or `make chromium` as root)")
    return path


def pdf_page_texts(pdf: Path) -> list[str]:
    """The text of each page of pdf, as pdftotext reads it."""
    result = subprocess.run([pdftotext_path(), "-enc", "UTF-8", str(pdf), "-"],
                            capture_output=True, text=True, check=True)
    return result.stdout.split("\f")[:-1]


def letters(text: str) -> Counter:
    """The letters and digits of text, lower case, ligatures undone and accents (a formula's bar
    over a letter may print as one accented character) dropped: what text extraction keeps."""
    plain = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text))
    return Counter(c for c in plain.lower() if c.isalnum() and not unicodedata.combining(c))


def missing_text(shown: list[dict], printed: list[str]) -> list[str]:
    """One line for each page whose printed text lacks letters the page showed on screen."""
    problems = []
    for number, (page, text) in enumerate(zip(shown, printed), start=1):
        lost = letters(page["text"]) - letters(text)
        if lost:
            sample = "".join(sorted(lost.elements()))[:40]
            problems.append(f"page {number} '{page['title']}' lacks {sum(lost.values())} "
                            f"letters it shows on screen ({sample}): a formula or text did not print")
    return problems


def wait_until_ready(page, url: str) -> None:
    """Wait for READY; on a timeout raise RuntimeError naming what is missing."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_function(READY, timeout=TIMEOUT_MS)
    except PlaywrightTimeout:
        missing = ", ".join(k for k, ok in page.evaluate(READINESS).items() if not ok)
        unlaid = [f"page {f['page']}: {f['tex']}" for f in page.evaluate(UNLAID_FORMULAS)[:5]]
        raise RuntimeError(f"{url}: not ready to print after {TIMEOUT_MS // 1000} s: {missing}"
                           + (f"; formulas without width: {unlaid}" if unlaid else "")) from None


def open_print_view(context, url: str):
    """Open url in context (its network cut off); return the page, ready to print."""
    context.route("**/*", local_only)
    page = context.new_page()
    page.add_init_script(MARK_LAID_OUT)
    page.goto(url)
    wait_until_ready(page, url)
    raw = [t.strip()[:80] for t in page.evaluate(VISIBLE_TEXT) if RAW_TEX.search(t)]
    if raw:
        raise RuntimeError(f"{url}: MathJax left raw TeX: {raw}")
    return page


def print_deck(browser, url: str, target: Path) -> int:
    """Print the deck at url (its query included) to target; return the number of pages.

    Warns about slides whose content the page clips. Raises RuntimeError when the PDF's
    page count is not the number of pages reveal.js laid out, or when a page of the PDF lacks
    text (a formula, a word) that the page showed on screen."""
    context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT})
    try:
        page = open_print_view(context, url)
        for s in page.evaluate(CLIPPED, HEIGHT):
            print(f"warning: {target.name}: slide {s['slide']} '{s['title']}' runs {s['below']} px "
                  "past the page's edge, which cuts it off", file=sys.stderr)
        expected = page.evaluate(PAGES)
        target.parent.mkdir(parents=True, exist_ok=True)
        # Each page (the slide and reveal.js's margin around it) shrunk onto WIDTH x HEIGHT.
        page.pdf(path=str(target), width=f"{WIDTH}px", height=f"{HEIGHT}px",
                 scale=WIDTH / page.evaluate(PAGE_WIDTH), print_background=True,
                 margin={"top": "0", "right": "0", "bottom": "0", "left": "0"})
        shown = page.evaluate(PAGE_TEXTS)
    finally:
        context.close()
    pages = len(PdfReader(target).pages)
    if pages != expected:
        raise RuntimeError(f"{target.name}: {pages} pages, but reveal.js laid out {expected}")
    problems = missing_text(shown, pdf_page_texts(target))
    if problems:
        raise RuntimeError(f"{target.name}: " + "; ".join(problems))
    return pages


def make_handouts(slides: Path, decks: list[Path], out: Path, notes: bool = False) -> dict[Path, int]:
    """Print each deck (a file in slides) to out/NN_name[.notes].pdf; return {pdf: pages}.

    playwright is imported here, so that this module loads without it."""
    from playwright.sync_api import sync_playwright

    query = "?print-pdf" + ("&showNotes=separate-page" if notes else "")
    results = {}
    with serve(slides) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            for deck in decks:
                stem = deck.name.removesuffix(".slides.html")
                target = out / Path(export_slides.handout_name(stem, notes)).name
                results[target] = print_deck(browser, f"{base}/{deck.name}{query}", target)
                print(f"{target}: {results[target]} pages", flush=True)
        finally:
            browser.close()
    return results


def find_decks(slides: Path, names: list[str]) -> list[Path]:
    """The decks named (deck files or lecture names), or every deck in slides."""
    if not names:
        return sorted(slides.glob("*.slides.html"))
    decks = [slides / f"{Path(n).name.removesuffix('.slides.html').removesuffix('.ipynb')}.slides.html"
             for n in names]
    missing = [d.name for d in decks if not d.exists()]
    if missing:
        sys.exit(f"error: not in {slides}: {', '.join(missing)} (`make slides` exports the decks)")
    return decks


def main(argv: list[str] | None = None) -> int:
    """The command line: export the decks if there are none, print them, rewrite the course home."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("decks", nargs="*", help="deck files or lecture names (default: every deck)")
    parser.add_argument("--slides", type=Path, default=ROOT / "build" / "slides",
                        help="the exported decks (default: build/slides)")
    parser.add_argument("--out", type=Path, help="where the PDFs go (default: SLIDES/handouts)")
    parser.add_argument("--notes", action="store_true",
                        help="follow each slide that has speaker notes with a page of its notes")
    args = parser.parse_args(argv)
    if not any(args.slides.glob("*.slides.html")):
        print(f"no decks in {args.slides}: exporting the lectures first", flush=True)
        if export_slides.main(["--out", str(args.slides)]) != 0:
            return 1
    out = args.out or args.slides / export_slides.HANDOUTS
    try:
        make_handouts(args.slides, find_decks(args.slides, args.decks), out, args.notes)
    except RuntimeError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    export_slides.write_index(args.slides)
    print(f"updated {args.slides / 'index.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
