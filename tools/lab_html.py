"""Render a lab (an executed notebook) as one self-contained HTML page.

    python tools/lab_html.py NOTEBOOK [--out build/labs_html]

The page is what a student sees of the lab in JupyterLab, as HTML: nbconvert's `lab` template
with the course's template on top (tools/templates/lab_html): every figure's alternative text
(output.metadata["image/png"]["alt"]) in its <img alt>, the page's language declared, and the
accessibility fixes of tools/templates/offline_reveal/a11y.css. tests/test_lab_accessibility.py
runs axe-core on these pages.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import nbformat
from nbconvert import HTMLExporter

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = Path(__file__).resolve().parent / "templates"
SHARED = TEMPLATES / "offline_reveal"  # a11y.css and a11y_png.html.j2, shared with the decks
NODE = ROOT / "node_modules"


def exporter(folder: Path | None = None) -> HTMLExporter:
    """nbconvert's HTML exporter with the course's lab page template. For a page written to
    ``folder``, MathJax, require.js and jQuery load from node_modules (relative links: the page
    stays offline and works inside this repository); without it, from nbconvert's CDNs."""
    options = {}
    if folder is not None:
        local = lambda path: os.path.relpath(NODE / path, folder).replace(os.sep, "/")  # noqa: E731
        options = {"mathjax_url": local("mathjax/MathJax.js") + "?config=TeX-AMS_CHTML-full,Safe",
                   "require_js_url": local("requirejs/require.js"),
                   "jquery_url": local("jquery/dist/jquery.min.js")}
    return HTMLExporter(template_name="lab_html", extra_template_basedirs=[str(TEMPLATES)],
                        extra_template_paths=[str(SHARED)], embed_images=True, **options)


def render(nb: nbformat.NotebookNode, title: str, folder: Path | None = None) -> str:
    """The HTML page of the notebook ``nb`` (with its outputs), titled ``title``, to be
    written to ``folder`` (see :func:`exporter`)."""
    nb.metadata["title"] = title
    body, _ = exporter(folder).from_notebook_node(nb, resources={"metadata": {"name": title}})
    return body


def write(path: Path, out: Path) -> Path:
    """Render the notebook at ``path`` to out/<name>.html; return the page's path."""
    nb = nbformat.read(path, as_version=4)
    out.mkdir(parents=True, exist_ok=True)
    target = out / f"{path.stem}.html"
    target.write_text(render(nb, path.stem, out.resolve()), encoding="utf-8")
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "labs_html")
    args = parser.parse_args(argv)
    for path in args.notebooks:
        if not path.is_file():
            print(f"error: {path} does not exist", file=sys.stderr)
            return 2
        print(write(path, args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
