"""Execute lecture notebooks and export each as an offline reveal.js deck.

    python tools/export_slides.py [--out build/slides] [--no-execute] [NOTEBOOK ...]

Every script, style sheet and font a deck loads is copied from node_modules (installed from
the committed package.json) into OUT/assets. The export fails if a produced page still loads
anything from the network.
"""
from __future__ import annotations

import argparse
import base64
import html
import mimetypes
import re
import shutil
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbconvert import SlidesExporter
from nbconvert.preprocessors import TagRemovePreprocessor
from traitlets.config import Config

ROOT = Path(__file__).resolve().parents[1]
NODE = ROOT / "node_modules"
TEMPLATES = Path(__file__).resolve().parent / "templates"
LECTURES = ROOT / "lectures"
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
]

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


def execute(nb: nbformat.NotebookNode, cwd: Path, timeout: int) -> None:
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(cwd)}}, store_widget_state=True)
    client.execute()


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


def export(path: Path, out: Path, run: bool, timeout: int) -> str:
    nb = nbformat.read(path, as_version=4)
    nb.metadata["title"] = deck_title(nb, path.stem)
    inline_images(nb, path.parent)
    if run:
        execute(nb, path.parent, timeout)
    body, _ = exporter().from_notebook_node(nb, resources={"metadata": {"name": path.stem}})
    target = out / f"{path.stem}.slides.html"
    target.write_text(body, encoding="utf-8")
    return target.name


def write_index(out: Path) -> None:
    """Link every deck in ``out``, titled by its page title."""
    decks = []
    for page in sorted(out.glob("*.slides.html")):
        match = re.search(r"<title>(.*?)( slides)?</title>", page.read_text(encoding="utf-8"))
        decks.append((page.name, html.unescape(match.group(1)) if match else page.stem))
    items = "\n".join(f'    <li><a href="{html.escape(f)}">{html.escape(t)}</a></li>'
                      for f, t in decks)
    (out / "index.html").write_text(f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Recurrent Neural Networks: slides</title>
<style>body {{ font-family: sans-serif; max-width: 46em; margin: 3em auto; line-height: 1.5; }}</style>
</head><body>
  <h1>Recurrent Neural Networks: slides</h1>
  <p>Press <kbd>S</kbd> in a deck for the speaker view, <kbd>F</kbd> for full screen,
  <kbd>Esc</kbd> for the overview.</p>
  <ol>
{items}
  </ol>
</body></html>
""", encoding="utf-8")


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
    parser.add_argument("--timeout", type=int, default=300, help="seconds per cell")
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
        decks.append(export(path.resolve(), args.out, args.execute, args.timeout))
    write_index(args.out)
    problems = check_offline(args.out)
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    if problems:
        return 1
    print(f"wrote {len(decks)} deck(s) and index.html to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
