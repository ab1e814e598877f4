"""Going back a slide and running a cell again gives the same result (issue 13).

In RISE an instructor runs the deck top to bottom, then goes back a slide and runs a cell
again. That cell must not fail, nor give other numbers, because a later cell redefined a
name it reads or drew from a generator it uses; and running it must not change later slides.

Two tests per deck: a static one (every name a cell reads from another cell is assigned in
exactly one cell), and a live one: run every cell once, then run each again and compare its
output with the first run, first from the last cell back to the first (going back through
the deck), then forward again. Add decks to ``DECKS`` as their units adopt this.
"""
from __future__ import annotations

import ast
import builtins
import copy
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
from course_kernel import CELL_TIMEOUT, CourseKernelManager  # noqa: E402
DECKS = ["lectures/01_sequences_and_the_recurrent_neuron.ipynb"]
WIDGET = "application/vnd.jupyter.widget-view+json"


def _code(cell) -> str:
    """The cell's Python, IPython magics and shell lines left out."""
    return "\n".join(line for line in cell.source.splitlines()
                     if not line.lstrip().startswith(("%", "!")))


def _names(tree: ast.AST) -> tuple[dict[str, str], set[str]]:
    """(names the cell binds at top level -> what binds them, names it reads from outside)."""
    bound: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                name = (alias.asname or alias.name).split(".")[0]
                bound[name] = f"import {getattr(node, 'module', None) or ''}.{alias.name}"
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node in tree.body:
            bound[node.name] = "definition"
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            bound.setdefault(node.id, "assignment")
    local = {arg.arg for node in ast.walk(tree) if isinstance(node, ast.arguments)
             for arg in node.args + node.kwonlyargs + node.posonlyargs}
    read = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)
            and isinstance(node.ctx, ast.Load)}
    return bound, read - set(bound) - local - set(dir(builtins))


@pytest.mark.parametrize("deck", DECKS)
def test_every_name_a_cell_reads_from_another_cell_is_defined_once(deck):
    nb = nbformat.read(ROOT / deck, as_version=4)
    cells = [(i, _names(ast.parse(_code(c)))) for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    problems = []
    for index, (_, read) in cells:
        for name in sorted(read):
            binders = {(i, how) for i, (bound, _) in cells if name in bound
                       for how in [bound[name]]}
            kinds = {how for _, how in binders}
            if not binders:
                problems.append(f"cell {index} reads {name!r}, which no cell defines")
            elif len(binders) > 1 and not (len(kinds) == 1 and next(iter(kinds)).startswith("import")):
                where = sorted(i for i, _ in binders)
                problems.append(f"cell {index} reads {name!r}, which cells {where} all assign: "
                                "going back to it after a later cell ran gives it another value")
            elif any(i > index for i, _ in binders):
                problems.append(f"cell {index} reads {name!r} before the cell that defines it")
    assert problems == []


def _seen(outputs) -> list:
    """What a viewer sees of a cell's outputs: text, images, errors (widget ids left out)."""
    seen = []
    for out in outputs:
        if out.output_type == "stream":          # a busy kernel may send one print in pieces
            if seen and isinstance(seen[-1], tuple) and seen[-1][0] == out.name:
                seen[-1] = (out.name, seen[-1][1] + out.text)
            else:
                seen.append((out.name, out.text))
        elif out.output_type == "error":
            seen.append(("error", out.ename, out.evalue))
        else:
            data = out.get("data", {})
            seen.append({k: v for k, v in data.items()
                         if k in ("image/png", "text/html", "text/markdown")
                         or (k == "text/plain" and WIDGET not in data)})
    return seen


@pytest.mark.slow
@pytest.mark.parametrize("deck", DECKS)
def test_each_cell_gives_the_same_output_when_run_again(deck):
    nb = nbformat.read(ROOT / deck, as_version=4)
    client = NotebookClient(nb, timeout=CELL_TIMEOUT, kernel_name="python3", allow_errors=True,
                            kernel_manager_class=CourseKernelManager,
                            resources={"metadata": {"path": str((ROOT / deck).parent)}})
    code = [(i, cell) for i, cell in enumerate(nb.cells) if cell.cell_type == "code"]
    with client.setup_kernel():
        for index, cell in code:
            client.execute_cell(cell, index)
        first = {index: _seen(copy.deepcopy(cell.outputs)) for index, cell in code}
        errors = {i: s for i, s in first.items() if any(isinstance(o, tuple) and o[0] == "error" for o in s)}
        assert errors == {}, f"cells fail on the first run: {errors}"
        going_back, going_forward = [], []
        for index, cell in reversed(code):            # from the last slide back, each run again
            client.execute_cell(cell, index)
            if _seen(cell.outputs) != first[index]:
                going_back.append(index)
        for index, cell in code:                      # then forward again through the deck
            client.execute_cell(cell, index)
            if _seen(cell.outputs) != first[index]:
                going_forward.append(index)
    assert going_back == [], f"cells {sorted(going_back)} give another output when run again " \
        "after the later cells ran"
    assert going_forward == [], f"cells {going_forward} change after earlier cells were run again"
