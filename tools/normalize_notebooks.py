"""Give every notebook the metadata JupyterLab itself stores, so that opening one changes nothing.

    python tools/normalize_notebooks.py [--check] [NOTEBOOK ...]   # default: lectures/ solutions/

When a kernel starts, JupyterLab writes that kernel's ``kernelspec`` and ``language_info``
into the notebook; if the file held anything else (the display name "Python 3" instead of
"Python 3 (ipykernel)", a shortened ``language_info``), the notebook is marked changed as soon
as it is opened and autosave rewrites it. This tool stores exactly what the course's kernel
reports, and drops saved widget state (an output, which notebooks are committed without). In
solutions it also writes each cell's nbgrader metadata, derived from its tags
(tools/grading.py); it touches no cell's source or outputs. ``--check`` writes nothing and exits 1 if a notebook would change;
tests/test_notebook_format.py enforces the same, and tools/make_labs.py applies it to labs.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import ipykernel.kernelspec
import nbformat
from ipykernel.ipkernel import IPythonKernel

ROOT = Path(__file__).resolve().parents[1]


def kernelspec() -> dict:
    """The kernelspec JupyterLab stores for the course's kernel (ipykernel's own)."""
    spec = ipykernel.kernelspec.get_kernel_dict()
    return {"display_name": spec["display_name"], "language": spec["language"], "name": "python3"}


def language_info() -> dict:
    """The language_info the course's kernel reports (and JupyterLab then stores)."""
    return dict(IPythonKernel.language_info)


def normalize(nb: nbformat.NotebookNode, graded: bool = False) -> bool:
    """Set ``nb``'s kernelspec and language_info to the course kernel's and drop saved widget
    state; with ``graded`` (a solution), also set its cells' nbgrader metadata from their tags
    (tools/grading.py). Return whether anything changed."""
    before = nbformat.writes(nb)
    if graded:
        from grading import nbgrader_cells
        nbgrader_cells(nb)
    nb.metadata["kernelspec"] = kernelspec()
    nb.metadata["language_info"] = language_info()
    nb.metadata.pop("widgets", None)
    return nbformat.writes(nb) != before


def render(nb: nbformat.NotebookNode) -> str:
    """A notebook's text exactly as JupyterLab (and nbformat.write) saves it."""
    return nbformat.writes(nb) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--check", action="store_true", help="only report; write nothing")
    args = parser.parse_args(argv)
    paths = args.notebooks or sorted((ROOT / "lectures").glob("*.ipynb")) + sorted(
        (ROOT / "solutions").glob("*.ipynb"))
    changed = []
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        if normalize(nb, graded=path.resolve().parent == ROOT / "solutions"):
            changed.append(path)
            if not args.check:
                path.write_text(render(nb), encoding="utf-8")
    verb = "would change" if args.check else "normalized"
    for path in changed:
        print(f"{verb} {path}")
    if args.check and changed:
        print("run `python tools/normalize_notebooks.py` (then `make labs`)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
