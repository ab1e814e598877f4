"""labs/ is generated from solutions/, hides every solution, and fails only where students write."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import make_labs  # noqa: E402

SOLUTIONS = sorted((ROOT / "solutions").glob("*.ipynb"))
LABS = ROOT / "labs"


def test_every_solution_has_a_lab_and_labs_are_up_to_date(capsys):
    assert SOLUTIONS, "no solution notebooks"
    assert make_labs.generate(ROOT / "solutions", LABS, check=True) == 0, capsys.readouterr().out
    assert {p.name for p in LABS.glob("*.ipynb")} == {p.name for p in SOLUTIONS}


@pytest.mark.parametrize("solution", SOLUTIONS, ids=[p.stem for p in SOLUTIONS])
def test_no_solution_text_survives(solution):
    lab = nbformat.read(LABS / solution.name, as_version=4)
    text = "\n".join(cell.source for cell in lab.cells)
    assert "BEGIN SOLUTION" not in text and "END SOLUTION" not in text
    secret = make_labs._solution_lines(nbformat.read(solution, as_version=4))
    assert secret, f"{solution.name} has no solution lines"
    assert not secret & {line.strip() for line in text.splitlines()}
    assert all(not c.get("outputs") for c in lab.cells if c.cell_type == "code")


def _error_of(cell):
    return next((o for o in cell.get("outputs", []) if o.output_type == "error"), None)


@pytest.mark.slow
@pytest.mark.parametrize("solution", SOLUTIONS, ids=[p.stem for p in SOLUTIONS])
def test_handed_out_lab_fails_only_at_exercises_and_says_not_implemented(solution, tmp_path):
    lab = nbformat.read(LABS / solution.name, as_version=4)
    NotebookClient(lab, timeout=120, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    failures, checks_run = [], 0
    for index, cell in enumerate(lab.cells):
        tags = set(cell.metadata.get("tags", []))
        checks_run += "check" in tags
        error = _error_of(cell) if cell.cell_type == "code" else None
        if error is None:
            continue
        if error.ename == "CheckFailed":
            if "check" not in tags or "not implemented yet" not in error.evalue:
                failures.append(f"cell {index}: check said {error.evalue!r}")
            elif len(error.traceback) > 2:
                failures.append(f"cell {index}: a check printed a traceback of {len(error.traceback)} lines")
        elif error.ename == "NotImplementedError" and "not implemented yet" in error.evalue:
            continue  # the stub itself, or code that calls it
        else:
            failures.append(f"cell {index} ({sorted(tags)}): {error.ename}: {error.evalue}")
    assert failures == [], "\n".join(failures)
    assert checks_run > 0, "the lab has no cell tagged 'check'"
    stubbed_checks = [c for c in lab.cells if "check" in c.metadata.get("tags", []) and _error_of(c)]
    assert stubbed_checks, "no check reported the unimplemented exercises"


# --- the generator itself, on a small notebook ---------------------------------------------

def _solution_notebook() -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Tiny lab"),
        nbformat.v4.new_code_cell("def double(x):\n    ### BEGIN SOLUTION\n    result = 2 * x\n"
                                  "    return result\n    ### END SOLUTION", metadata={"tags": ["exercise"]}),
        nbformat.v4.new_code_cell("print(double(2))"),
    ]
    nb.cells[2].outputs = [nbformat.v4.new_output("stream", text="4\n")]
    return nb


def test_make_lab_stubs_at_the_right_indentation_and_clears_outputs():
    lab = make_labs.make_lab(_solution_notebook(), "tiny")
    source = lab.cells[1].source
    assert "result = 2 * x" not in source
    assert '    # YOUR CODE HERE\n    raise NotImplementedError("not implemented yet' in source
    namespace = {}
    exec(source, namespace)
    with pytest.raises(NotImplementedError, match="not implemented yet"):
        namespace["double"](1)
    assert lab.cells[2].outputs == []


@pytest.mark.parametrize("source, match", [
    ("### BEGIN SOLUTION\nx = 1", "never closed"),
    ("x = 1\n### END SOLUTION", "without"),
    ("### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION", "inside another"),
])
def test_broken_markers_are_refused(source, match):
    with pytest.raises(make_labs.SolutionLeak, match=match):
        make_labs.strip_solutions(source, "tiny")


def test_a_notebook_without_exercises_is_refused():
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("x = 1")]
    with pytest.raises(make_labs.SolutionLeak, match="no ### BEGIN SOLUTION"):
        make_labs.make_lab(nb, "empty")


def test_student_edits_are_kept_unless_forced_and_then_backed_up(tmp_path, capsys):
    solutions, labs = tmp_path / "solutions", tmp_path / "labs"
    solutions.mkdir()
    nbformat.write(_solution_notebook(), solutions / "01_tiny.ipynb")
    assert make_labs.generate(solutions, labs) == 0
    lab = labs / "01_tiny.ipynb"
    student = lab.read_text().replace("# YOUR CODE HERE", "# my own work")
    lab.write_text(student)

    # the course changes; the student's edited lab must survive `make labs`
    changed = _solution_notebook()
    changed.cells[0].source = "# Tiny lab, revised"
    nbformat.write(changed, solutions / "01_tiny.ipynb")
    assert make_labs.generate(solutions, labs) == 1
    assert "kept" in capsys.readouterr().out and lab.read_text() == student

    assert make_labs.main(["--solutions", str(solutions), "--out", str(labs), "--force"]) == 0
    backups = list((labs / "backup").glob("01_tiny.*.ipynb"))
    assert len(backups) == 1 and backups[0].read_text() == student
    assert "revised" in lab.read_text()
    # unchanged since generation: regenerated silently
    assert make_labs.generate(solutions, labs) == 0
    assert json.loads((labs / ".generated.json").read_text())["01_tiny.ipynb"]


def test_make_labs_target_keeps_an_edited_lab(tmp_path):
    """`make labs` itself, on a copy of the repository's labs, leaves an edited lab alone."""
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    labs = tmp_path / "labs"
    shutil.copytree(LABS, labs)
    edited = labs / SOLUTIONS[0].name
    edited.write_text(edited.read_text().replace("YOUR CODE HERE", "my answer"))
    before = edited.read_text()
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "make_labs.py"), "--out", str(labs)],
                            capture_output=True, text=True, check=True)
    assert f"kept {edited}" in result.stdout
    assert edited.read_text() == before
