"""The executed solutions, kept from the run that `make test` already makes (a pytest plugin).

nbval (`pytest --nbval-lax solutions`) executes every solution cell by cell and then forgets
the outputs. This plugin keeps them: after the last cell of a notebook it writes the notebook
with the outputs nbval collected to build/executed/solutions/NAME.ipynb, with the source's
SHA-256 and whether every code cell ran. The tests that read a solution's outputs (alternative
text, the lab page's accessibility: tests/test_lab_accessibility.py) run after it on the same
worker (conftest.py puts them in the notebook's work unit), so no solution runs twice. Outside
`make test` (no nbval run, or a stale copy), :func:`executed_solution` executes the notebook
once and keeps it the same way.
"""
from __future__ import annotations

import copy
import hashlib
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
EXECUTED = ROOT / "build" / "executed"
STAMP = "course_executed"  # notebook metadata: {"source_sha256": ..., "complete": bool}


def cache_path(notebook: Path) -> Path:
    """Where the executed copy of ``notebook`` (solutions/NAME.ipynb) is kept."""
    return EXECUTED / notebook.parent.name / notebook.name


def source_hash(notebook: Path) -> str:
    return hashlib.sha256(notebook.read_bytes()).hexdigest()


def _fresh(notebook: Path) -> nbformat.NotebookNode | None:
    path = cache_path(notebook)
    if not path.is_file():
        return None
    nb = nbformat.read(path, as_version=4)
    stamp = nb.metadata.get(STAMP, {})
    if stamp.get("complete") and stamp.get("source_sha256") == source_hash(notebook):
        return nb
    return None


def _save(nb: nbformat.NotebookNode, notebook: Path, complete: bool) -> None:
    nb.metadata[STAMP] = {"source_sha256": source_hash(notebook), "complete": complete}
    path = cache_path(notebook)
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)


def executed_solution(notebook: Path) -> nbformat.NotebookNode:
    """``notebook`` with its outputs: the copy this session's nbval run left, else executed
    now in the course's kernel (tools/course_kernel.py) and kept for the next call."""
    nb = _fresh(notebook)
    if nb is not None:
        return nb
    sys.path.insert(0, str(ROOT / "tools"))
    import course_kernel

    nb = nbformat.read(notebook, as_version=4)
    course_kernel.run_notebook(nb, notebook.parent, f"{notebook.parent.name}/{notebook.name}")
    _save(nb, notebook, complete=True)
    return nb


# --- the plugin: nbval's outputs, cell by cell ------------------------------------------------
_runs: dict[int, dict] = {}  # id(IPyNbFile) -> {"nb": copy, "cells": [code cells], "seen": n}


def _is_nbval(item) -> bool:
    return type(item).__name__ == "IPyNbCell"


def pytest_runtest_teardown(item, nextitem):
    if not _is_nbval(item):
        return
    notebook = Path(str(item.parent.fspath))
    run = _runs.get(id(item.parent))
    if run is None:
        nb = copy.deepcopy(item.parent.nb)
        for cell in nb.cells:
            if cell.cell_type == "code":
                cell.outputs, cell.execution_count = [], None
        run = _runs[id(item.parent)] = {
            "nb": nb, "cells": [c for c in nb.cells if c.cell_type == "code"], "seen": 0}
    run["seen"] += 1
    outputs = getattr(item, "test_outputs", None)
    if outputs is not None and item.cell_num < len(run["cells"]):
        cell = run["cells"][item.cell_num]
        cell.outputs = [nbformat.from_dict(dict(o)) for o in outputs]
        cell.execution_count = item.cell_num + 1
    if nextitem is None or nextitem.parent is not item.parent:
        _runs.pop(id(item.parent))
        try:
            _save(run["nb"], notebook, complete=run["seen"] == len(run["cells"]))
        except (OSError, ValueError) as error:  # never fail a notebook's test over its copy
            print(f"warning: could not keep the executed {notebook.name}: {error}", file=sys.stderr)
