"""Alternative text of figures in notebooks (issue 18): what counts as real alt text."""
from __future__ import annotations

import re

import nbformat

MIN_ALT = 15  # characters: shorter than this cannot say what a figure shows
# Alt texts that say nothing: nbconvert's fill-in, JupyterLab's, and the generic words.
PLACEHOLDERS = {"image", "figure", "plot", "chart", "graph", "picture", "img", "png", "alt",
                "no description has been provided for this image"}
MARKDOWN_IMAGE = re.compile(r"!\[([^\]]*)\]\(([^)\s]*)")
HTML_IMAGE = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
HTML_ALT = re.compile(r"""\balt\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)


def is_real_alt(alt) -> bool:
    """True when ``alt`` could describe a figure: a string of at least MIN_ALT characters that
    is not a placeholder such as "Image" or "Figure"."""
    if not isinstance(alt, str):
        return False
    text = " ".join(alt.split())
    return len(text) >= MIN_ALT and text.lower().strip(" .:") not in PLACEHOLDERS


def _first_line(cell) -> str:
    lines = [line for line in cell.source.splitlines() if line.strip()]
    return (lines[0][:70] if lines else "(empty)")


def figures_without_alt(nb: nbformat.NotebookNode, name: str) -> list[str]:
    """One line per figure of ``nb`` without real alternative text: image/png outputs whose
    output.metadata["image/png"]["alt"] is missing or a placeholder, and markdown images
    (``![alt](src)`` or ``<img>``) with an empty, short or placeholder alt. Each line names the
    notebook, the cell index and the cell's first line."""
    problems = []
    for index, cell in enumerate(nb.cells):
        where = f"{name} cell {index} ({_first_line(cell)!r})"
        if cell.cell_type == "code":
            for output in cell.get("outputs", []):
                if "image/png" not in output.get("data", {}):
                    continue
                alt = output.get("metadata", {}).get("image/png", {}).get("alt")
                if not is_real_alt(alt):
                    problems.append(f"{where}: a figure output without alt text"
                                    + (f" (alt={alt!r})" if alt else
                                       ": style.set_alt(fig, ...) or style.show(fig, ...)"))
        elif cell.cell_type == "markdown":
            alts = [(m.group(1), m.group(2)) for m in MARKDOWN_IMAGE.finditer(cell.source)]
            for tag in HTML_IMAGE.findall(cell.source):
                found = HTML_ALT.search(tag)
                alts.append((found.group(1) or found.group(2) if found else None, tag[:40]))
            for alt, src in alts:
                if not is_real_alt(alt):
                    problems.append(f"{where}: image {src[:50]!r} has alt {alt!r}: say what it shows")
    return problems
