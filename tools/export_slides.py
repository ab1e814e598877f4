"""Execute lecture notebooks and export each as an offline reveal.js deck.

    python tools/export_slides.py [--out build/slides] [--no-execute] [NOTEBOOK ...]

Every script, style sheet and font a deck loads is copied from node_modules (installed from
the committed package.json) into OUT/assets, and so is the deck template's stylesheet,
lectures/rise.css, the one RISE shows the lectures with (the typeface beside it,
lectures/fonts/, is the npm package's; tests/test_deck_template.py checks they are the same). Each executed lecture is also kept, with its
outputs, as OUT/executed/NN_name.ipynb. The export fails if a produced page still loads
anything from the network. Lectures run in the course's own Python (tools/course_kernel.py),
each cell for at most --timeout seconds.
"""
from __future__ import annotations

import argparse
import base64
import html
import mimetypes
import re
import shutil
import string
import sys
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import nbformat
import yaml
from nbconvert import SlidesExporter
from nbconvert.preprocessors import TagRemovePreprocessor
from traitlets.config import Config

sys.path.insert(0, str(Path(__file__).resolve().parent))
from course_kernel import (CELL_TIMEOUT, Execution, KernelDidNotAnswer,  # noqa: E402
                           NotebookFailed, run_notebook)

ROOT = Path(__file__).resolve().parents[1]
NODE = ROOT / "node_modules"
TEMPLATES = Path(__file__).resolve().parent / "templates"
LECTURES = ROOT / "lectures"
COURSE = ROOT / "course.yml"
HANDOUTS = "handouts"  # the handout PDFs' folder inside the slides folder (tools/make_handouts.py)
HTML_MANAGER_CDN = re.compile(r'"https://unpkg\.com/@jupyter-widgets/html-manager@[^"/]+/dist/"')

# (source under node_modules, destination under assets, files or folders to skip)
ASSETS = [
    ("reveal.js/dist", "reveal.js/dist", ()),
    ("reveal.js/plugin/notes", "reveal.js/plugin/notes", ()),
    ("requirejs/require.js", "require.js", ()),
    ("jquery/dist/jquery.min.js", "jquery.min.js", ()),
    ("@jupyter-widgets/html-manager/dist", "html-manager", ("*.map", "embed.js", "*.txt")),
    ("mathjax/MathJax.js", "mathjax/MathJax.js", ()),
    ("mathjax/config/TeX-AMS_CHTML-full.js", "mathjax/config/TeX-AMS_CHTML-full.js", ()),
    ("mathjax/config/Safe.js", "mathjax/config/Safe.js", ()),
    ("mathjax/extensions", "mathjax/extensions", ()),
    ("mathjax/jax/input/TeX", "mathjax/jax/input/TeX", ()),
    ("mathjax/jax/output/CommonHTML", "mathjax/jax/output/CommonHTML", ()),
    ("mathjax/jax/element", "mathjax/jax/element", ()),
    ("mathjax/fonts/HTML-CSS/TeX/woff", "mathjax/fonts/HTML-CSS/TeX/woff", ()),
    ("mathjax/localization/en", "mathjax/localization/en", ()),
] + [(f"@fontsource/atkinson-hyperlegible/files/{name}", f"fonts/{name}", ()) for name in (
    "atkinson-hyperlegible-latin-400-normal.woff2", "atkinson-hyperlegible-latin-400-italic.woff2",
    "atkinson-hyperlegible-latin-700-normal.woff2", "atkinson-hyperlegible-latin-700-italic.woff2")]
DECK_CSS = LECTURES / "rise.css"  # the deck template's look, shared with RISE (assets/rise.css)

# What a page may not load from the network: src/href of scripts, styles and images,
# CSS url() and @import, ES module imports and require() paths. Links (<a href>) may.
REMOTE_LOAD = re.compile(
    r"""<(?:script|link|img|iframe|source|video|audio)\b[^>]*?\b(?:src|href)\s*=\s*["']?(?:https?:)?//"""
    r"""|url\(\s*["']?(?:https?:)?//|@import\s+(?:url\()?\s*["']?(?:https?:)?//"""
    r"""|\bimport\b[^;\n]*?from\s*["'](?:https?:)?//|import\(\s*["'](?:https?:)?//""",
    re.IGNORECASE)


def copy_assets(out: Path) -> None:
    """Copy the front-end files into out/assets, patching the widget manager's CDN path."""
    if not NODE.is_dir():
        sys.exit(f"error: {NODE} is missing; run `npm ci` (make does it for you).")
    assets = out / "assets"
    for source, dest, skip in ASSETS:
        src, dst = NODE / source, assets / dest
        if not src.exists():
            sys.exit(f"error: {src} is missing; run `npm ci` to install package.json.")
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, dst, dirs_exist_ok=True, ignore=shutil.ignore_patterns(*skip))
        else:
            shutil.copy2(src, dst)
    shutil.copy2(DECK_CSS, assets / DECK_CSS.name)
    shutil.copy2(LECTURES / "fonts" / "OFL.txt", assets / "fonts" / "OFL.txt")
    # The widget manager fetches its icon fonts from unpkg unless told where it lives.
    for name in ("embed-amd.js", "libembed-amd.js"):
        path = assets / "html-manager" / name
        path.write_text(HTML_MANAGER_CDN.sub('"assets/html-manager/"', path.read_text()))


MARKDOWN_IMAGE = re.compile(r"(!\[[^\]]*\]\()([^)\s]+)(\))")


def inline_images(nb: nbformat.NotebookNode, folder: Path) -> None:
    """Embed local markdown images as data URIs (nbconvert embeds only those beside the notebook)."""
    def embed(match: re.Match) -> str:
        path = (folder / match.group(2)).resolve()
        if match.group(2).startswith(("data:", "http:", "https:")) or not path.is_file():
            return match.group(0)
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        data = base64.b64encode(path.read_bytes()).decode()
        return f"{match.group(1)}data:{mime};base64,{data}{match.group(3)}"

    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = MARKDOWN_IMAGE.sub(embed, cell.source)


def execute(nb: nbformat.NotebookNode, cwd: Path, timeout: int = CELL_TIMEOUT,
            name: str = "the lecture") -> Execution:
    """Run ``nb`` in place in the course's own kernel, keeping the widgets' state for the deck."""
    return run_notebook(nb, cwd, name, cell_timeout=timeout, store_widget_state=True)


def exporter() -> SlidesExporter:
    config = Config()
    config.SlidesExporter.reveal_url_prefix = "assets/reveal.js"
    config.SlidesExporter.reveal_theme = "white"
    config.SlidesExporter.reveal_transition = "none"
    config.SlidesExporter.reveal_number = "c/t"
    config.SlidesExporter.reveal_width = "1280"
    config.SlidesExporter.reveal_height = "720"
    config.SlidesExporter.require_js_url = "assets/require.js"
    config.SlidesExporter.jquery_url = "assets/jquery.min.js"
    config.SlidesExporter.mathjax_url = "assets/mathjax/MathJax.js?config=TeX-AMS_CHTML-full,Safe"
    config.SlidesExporter.widget_renderer_url = "assets/html-manager/embed-amd.js"
    config.SlidesExporter.embed_images = True
    config.SlidesExporter.exclude_input_prompt = True
    config.SlidesExporter.exclude_output_prompt = True
    config.TagRemovePreprocessor.remove_input_tags = {"hide-input"}
    config.TagRemovePreprocessor.remove_cell_tags = {"remove-cell"}
    config.TagRemovePreprocessor.enabled = True
    exp = SlidesExporter(config=config, template_name="offline_reveal",
                         extra_template_basedirs=[str(TEMPLATES)])
    exp.register_preprocessor(TagRemovePreprocessor(config=config), enabled=True)
    return exp


def remote_loads(text: str) -> list[str]:
    """The snippets of ``text`` that load something from the network."""
    return [text[max(m.start() - 40, 0):m.end() + 60] for m in REMOTE_LOAD.finditer(text)]


def deck_title(nb: nbformat.NotebookNode, fallback: str) -> str:
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            match = re.search(r"^#\s+(.+)$", cell.source, re.MULTILINE)
            if match:
                return match.group(1).strip()
    return fallback


def page_title(nb: nbformat.NotebookNode, path: Path) -> str:
    """A deck's page title: "Lecture N: <unit title>" when course.yml lists the lecture, else
    the notebook's first level-1 heading."""
    unit = next((u for u in load_course().units if u.lecture == path.stem), None) \
        if COURSE.exists() else None
    return f"Lecture {unit.number}: {unit.title}" if unit else deck_title(nb, path.stem)


EXECUTED = "executed"  # the executed lectures' folder inside the slides folder


def export(path: Path, out: Path, run: bool, timeout: int = CELL_TIMEOUT) -> str:
    """Export the lecture at path to out/NN_name.slides.html (executing it first when run, and
    then also keeping the executed notebook as out/executed/NN_name.ipynb, which the
    live RISE test presents); return the deck's
    file name."""
    return run_and_export(path, out, run, timeout)[0]


def run_and_export(path: Path, out: Path, run: bool = True, timeout: int = CELL_TIMEOUT
                   ) -> tuple[str, Execution | None]:
    """:func:`export`, also returning what the execution measured (None without ``run``)."""
    nb = nbformat.read(path, as_version=4)
    execution = None
    if run:
        execution = execute(nb, path.parent, timeout, f"{path.parent.name}/{path.name}")
        (out / EXECUTED).mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, out / EXECUTED / path.name)
    nb.metadata["title"] = page_title(nb, path)
    inline_images(nb, path.parent)
    body, _ = exporter().from_notebook_node(nb, resources={"metadata": {"name": path.stem}})
    target = out / f"{path.stem}.slides.html"
    target.write_text(body, encoding="utf-8")
    return target.name, execution


@dataclass(frozen=True)
class Unit:
    """One unit of course.yml: a lecture (None for a lab-only unit), a lab and its outcomes."""
    number: int
    title: str
    lecture: str | None
    lab: str
    outcomes: tuple[str, ...]


@dataclass(frozen=True)
class Course:
    """course.yml: the course's title, a one-line summary and its units in order."""
    title: str
    summary: str
    units: tuple[Unit, ...]


def load_course(path: Path = COURSE) -> Course:
    """Read course.yml; a missing field raises ValueError naming the unit and the field."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    units = []
    for position, entry in enumerate(data.get("units") or [], start=1):
        missing = [k for k in ("number", "title", "lecture", "lab", "outcomes") if k not in entry]
        if missing:
            raise ValueError(f"{path.name}: unit {position} has no {', '.join(missing)}")
        units.append(Unit(int(entry["number"]), str(entry["title"]), entry["lecture"],
                          str(entry["lab"]), tuple(str(o) for o in entry["outcomes"] or ())))
    return Course(str(data.get("title", "")), str(data.get("summary", "")), tuple(units))


def handout_name(stem: str, notes: bool = False) -> str:
    """A deck's handout, relative to the slides folder: handouts/NN_name.pdf (.notes.pdf with notes)."""
    return f"{HANDOUTS}/{stem}{'.notes' if notes else ''}.pdf"


def notebook_title(path: Path) -> str:
    """The notebook's first level-1 heading (its file stem if it has none)."""
    return deck_title(nbformat.read(path, as_version=4), path.stem)


def _inline(text: str) -> str:
    """Escape text for HTML, setting `backticked` spans as code."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(text))


def _deck_html(unit: Unit, out: Path) -> str:
    """The unit's deck, linked when it has been exported to out."""
    if unit.lecture is None:
        return '<span class="quiet">none: this unit is a lab, built on the units before it</span>'
    title = html.escape(notebook_title(LECTURES / f"{unit.lecture}.ipynb"))
    deck = f"{unit.lecture}.slides.html"
    if not (out / deck).exists():
        return f'{title} <span class="quiet">(not exported: <code>make slides</code>)</span>'
    return f'<a class="deck" href="{deck}">{title}</a>'


def _handout_html(lecture: str, out: Path) -> str:
    """Links to the lecture's handouts that exist in out, or how to build them."""
    links = []
    for notes, label in ((False, "PDF"), (True, "with speaker notes")):
        pdf = out / handout_name(lecture, notes)
        if pdf.exists():
            links.append(f'<a href="{handout_name(lecture, notes)}">{label}</a> '
                         f'<span class="quiet">({pdf.stat().st_size / 1e6:.1f} MB)</span>')
    return " &middot; ".join(links) or '<span class="quiet"><code>make handouts</code> builds it</span>'


def _unit_html(unit: Unit, out: Path) -> str:
    """One unit of the course home: title, outcomes, slides, handout, lab and solution."""
    rows = [("Slides", _deck_html(unit, out))]
    if unit.lecture is not None:
        rows.append(("Handout", _handout_html(unit.lecture, out)))
    rows += [("Lab", f"{html.escape(notebook_title(ROOT / 'solutions' / f'{unit.lab}.ipynb'))} "
                     f"&middot; <code>labs/{unit.lab}.ipynb</code>"),
             ("Solution", f"<code>solutions/{unit.lab}.ipynb</code>")]
    outcomes = "\n".join(f"      <li>{_inline(o)}</li>" for o in unit.outcomes)
    details = "\n".join(f"      <dt>{k}</dt><dd>{v}</dd>" for k, v in rows)
    return f"""  <section class="unit" id="unit-{unit.number}">
    <h2><span class="number">{unit.number}</span> {_inline(unit.title)}</h2>
    <p class="lead">After this unit you can</p>
    <ul class="outcomes">
{outcomes}
    </ul>
    <dl>
{details}
    </dl>
  </section>"""


INDEX_PAGE = string.Template("""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>$title: course home</title>
<link rel="icon" href="data:,">
<style>
@font-face { font-family: "Atkinson Hyperlegible"; font-weight: 400; font-display: swap;
  src: url("assets/fonts/atkinson-hyperlegible-latin-400-normal.woff2") format("woff2"); }
@font-face { font-family: "Atkinson Hyperlegible"; font-weight: 700; font-display: swap;
  src: url("assets/fonts/atkinson-hyperlegible-latin-700-normal.woff2") format("woff2"); }
body { font: 17px/1.55 "Atkinson Hyperlegible", system-ui, -apple-system, "Segoe UI", Roboto,
       "DejaVu Sans", sans-serif;
       color: #1f2328; background: #f6f7f9; margin: 0; }
main { max-width: 58em; margin: 0 auto; padding: 2.5em 1.5em 4em; }
h1 { font-size: 2.1em; margin: 0 0 0.2em; }
.summary { color: #4b5563; font-size: 1.1em; margin: 0 0 1.5em; }
.howto { display: grid; grid-template-columns: 1fr 1fr; gap: 1em; margin-bottom: 2em; }
.howto div { background: #fff; border: 1px solid #dfe3e8; border-radius: 8px; padding: 0.8em 1.2em; }
.howto h2 { font-size: 1em; margin: 0 0 0.4em; text-transform: uppercase; letter-spacing: 0.04em;
            color: #4b5563; }
.howto ul { margin: 0; padding-left: 1.1em; }
.unit { background: #fff; border: 1px solid #dfe3e8; border-left: 5px solid #2563eb;
        border-radius: 8px; padding: 1em 1.5em 1.1em; margin: 0 0 1.2em; }
.unit h2 { font-size: 1.35em; margin: 0 0 0.5em; }
.number { display: inline-block; min-width: 1.6em; height: 1.6em; line-height: 1.6em;
          border-radius: 50%; background: #2563eb; color: #fff; text-align: center;
          font-size: 0.8em; margin-right: 0.4em; vertical-align: 0.12em; }
.lead { margin: 0; font-weight: 600; }
.outcomes { margin: 0.2em 0 0.8em; padding-left: 1.3em; }
dl { display: grid; grid-template-columns: 5.5em 1fr; gap: 0.35em 0.8em; margin: 0;
     border-top: 1px solid #eef0f3; padding-top: 0.7em; }
dt { font-weight: 600; color: #4b5563; }
dd { margin: 0; }
a { color: #1d4ed8; }
a.deck { font-weight: 600; }
code, kbd { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 0.88em; }
code { background: #f1f3f5; padding: 0.05em 0.3em; border-radius: 4px; }
kbd { border: 1px solid #c8cdd3; border-bottom-width: 2px; border-radius: 4px;
      padding: 0 0.35em; background: #fff; white-space: nowrap; }
.quiet { color: #4b5563; }
@media (max-width: 44em) { .howto { grid-template-columns: 1fr; } }
</style>
</head><body><main>
<h1>$title</h1>
<p class="summary">$summary</p>
<div class="howto">
  <div>
    <h2>In a deck</h2>
    <ul>
      <li><kbd>Space</kbd> next, <kbd>Shift</kbd>+<kbd>Space</kbd> back, through every slide</li>
      <li><kbd>&larr;</kbd> <kbd>&rarr;</kbd> between topics, <kbd>&uarr;</kbd> <kbd>&darr;</kbd> within one</li>
      <li><kbd>Esc</kbd> overview, <kbd>G</kbd> go to a slide number</li>
      <li><kbd>S</kbd> speaker view with notes, <kbd>F</kbd> full screen</li>
      <li><kbd>B</kbd> black screen, <kbd>?</kbd> every shortcut</li>
    </ul>
  </div>
  <div>
    <h2>Labs and handouts</h2>
    <ul>
      <li>Labs are Jupyter notebooks: <code>make lab</code> starts JupyterLab on the course;
        open the lab's path there. Try before reading its solution.</li>
      <li>Handouts: one PDF per deck, one slide a page (<code>make handouts</code>;
        <code>NOTES=1</code> adds the speaker notes).</li>
    </ul>
  </div>
</div>
$units
</main></body></html>
""")


def write_index(out: Path, course_file: Path = COURSE) -> None:
    """Write out/index.html, the course home: every unit of course_file in order with its
    outcomes, its deck and handouts (linked when built) and its lab."""
    course = load_course(course_file)
    units = "\n".join(_unit_html(unit, out) for unit in course.units)
    page = INDEX_PAGE.substitute(title=html.escape(course.title),
                                 summary=_inline(course.summary), units=units)
    partial = out / "index.html.part"   # replaced in one step: a reader never sees half a page
    partial.write_text(page, encoding="utf-8")
    partial.replace(out / "index.html")


class _Links(HTMLParser):
    """Collects every href and src of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.targets: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.targets += [value for name, value in attrs if name in ("href", "src") and value]


def broken_links(page: Path) -> list[str]:
    """The links and sources of page that name a local file which does not exist."""
    parser = _Links()
    parser.feed(page.read_text(encoding="utf-8"))
    local = [urlsplit(t).path for t in parser.targets if not urlsplit(t).scheme and not urlsplit(t).netloc]
    return [path for path in local if path and not (page.parent / unquote(path)).exists()]


def check_offline(out: Path) -> list[str]:
    problems = []
    for page in sorted(out.glob("*.html")):
        for snippet in remote_loads(page.read_text(encoding="utf-8")):
            problems.append(f"{page.name}: loads from the network: ...{snippet}...")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "slides")
    parser.add_argument("--no-execute", dest="execute", action="store_false")
    parser.add_argument("--timeout", type=int, default=CELL_TIMEOUT, help="seconds per cell")
    args = parser.parse_args(argv)
    notebooks = args.notebooks or sorted(LECTURES.glob("[0-9]*.ipynb"))
    if not notebooks:
        print("error: no lecture notebooks found", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    copy_assets(args.out)
    decks = []
    for path in notebooks:
        print(f"exporting {path.name} ...", flush=True)
        try:
            decks.append(export(path.resolve(), args.out, args.execute, args.timeout))
        except (NotebookFailed, KernelDidNotAnswer) as error:
            print(f"error: {error}", file=sys.stderr)
            return 1
    return finish(args.out, decks)


def finish(out: Path, decks: list[str]) -> int:
    """Write the course home, then check that no page loads anything from the network and that
    every link of the home resolves; print what is wrong and return 1, or 0."""
    write_index(out)
    problems = offline_problems(out)
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    if problems:
        return 1
    print(f"wrote {len(decks)} deck(s) and index.html to {out}")
    return 0


def offline_problems(out: Path) -> list[str]:
    """What is wrong with the exported folder: pages that load from the network, and links of
    the course home to missing files."""
    problems = check_offline(out)
    problems += [f"index.html: links to a missing file: {link}"
                 for link in broken_links(out / "index.html")]
    return problems


if __name__ == "__main__":
    sys.exit(main())
