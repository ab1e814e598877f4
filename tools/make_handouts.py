"""Print the exported lecture decks to PDF handouts, offline, with headless Chromium.

    python tools/make_handouts.py [--slides build/slides] [--out DIR] [--notes] [DECK ...]

Each deck (default: every SLIDES/NN_name.slides.html; the lectures are exported first when
there is none) becomes SLIDES/handouts/NN_name.pdf: one 1280x720 page a slide, backgrounds
printed, every fragment shown. A slide taller than the page is clipped at the page's edge
(and named in a warning) rather than spilled onto a second page. With --notes the deck becomes
NN_name.notes.pdf instead, in which every slide that has speaker notes is followed by a page
with its notes (reveal.js's showNotes: "separate-page"). The decks are served from 127.0.0.1
and every other request is aborted. Last, the course home SLIDES/index.html is rewritten so
that it links the handouts.
"""
from __future__ import annotations

import argparse
import contextlib
import functools
import http.server
import re
import shutil
import sys
import threading
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

# What must be true before printing; on a timeout the error shows which is not.
READINESS = """() => ({
  laidOut: window.pdfLaidOut === true,
  mathTypeset: !!(window.MathJax && MathJax.Hub) && MathJax.Hub.queue.pending === 0
               && !MathJax.Hub.queue.running,
  imagesLoaded: [...document.images].every(i => i.complete),
  widgetsDrawn: [...document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]')]
    .every(s => !!s.previousElementSibling && s.previousElementSibling.matches('.widget-subarea:not(:empty)'))
})"""
READY = f"() => Object.values(({READINESS})()).every(Boolean)"

# reveal.js copies each slide's notes onto its notes page while laying out, perhaps before
# or while MathJax typesets them: drop any typeset copy, give every formula a fresh script
# element, and typeset the notes pages again.
RETYPESET_NOTES = """() => {
  const pages = [...document.querySelectorAll('.speaker-notes-pdf')];
  pages.forEach(p => {
    p.querySelectorAll('.MathJax_Preview, .mjx-chtml, .MathJax_CHTML').forEach(e => e.remove());
    p.querySelectorAll('script[type^="math/tex"]').forEach(s => {
      const fresh = document.createElement('script');
      fresh.type = s.type; fresh.text = s.text; s.replaceWith(fresh); });
  });
  if (pages.length) MathJax.Hub.Queue(['Typeset', MathJax.Hub, pages]);
  return pages.length; }"""

# The text a reader sees on slides and notes pages, with typeset math and code left out.
VISIBLE_TEXT = """() => [...document.querySelectorAll('.jp-RenderedMarkdown, .speaker-notes-pdf')]
  .map(e => { const copy = e.cloneNode(true);
    copy.querySelectorAll('script, .MathJax_Preview, .mjx-chtml, .MathJax_CHTML, code')
      .forEach(m => m.remove());
    return copy.textContent; })"""

# The number of printed pages reveal.js laid out, and reveal.js's page width (slide + margin).
PAGES = "document.querySelectorAll('.reveal .slides > .pdf-page, .reveal .slides > .speaker-notes-pdf').length"
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


def wait_until_ready(page, url: str) -> None:
    """Wait for READY; on a timeout raise RuntimeError naming what is missing."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_function(READY, timeout=TIMEOUT_MS)
    except PlaywrightTimeout:
        missing = ", ".join(k for k, ok in page.evaluate(READINESS).items() if not ok)
        raise RuntimeError(f"{url}: not ready to print after {TIMEOUT_MS // 1000} s: {missing}") from None


def open_print_view(context, url: str):
    """Open url in context (its network cut off); return the page, ready to print."""
    context.route("**/*", local_only)
    page = context.new_page()
    page.add_init_script(MARK_LAID_OUT)
    page.goto(url)
    wait_until_ready(page, url)
    if page.evaluate(RETYPESET_NOTES):
        wait_until_ready(page, url)
    raw = [t.strip()[:80] for t in page.evaluate(VISIBLE_TEXT) if RAW_TEX.search(t)]
    if raw:
        raise RuntimeError(f"{url}: MathJax left raw TeX: {raw}")
    return page


def print_deck(browser, url: str, target: Path) -> int:
    """Print the deck at url (its query included) to target; return the number of pages.

    Warns about slides whose content the page clips. Raises RuntimeError when the PDF's
    page count is not the number of pages reveal.js laid out."""
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
    finally:
        context.close()
    pages = len(PdfReader(target).pages)
    if pages != expected:
        raise RuntimeError(f"{target.name}: {pages} pages, but reveal.js laid out {expected}")
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
