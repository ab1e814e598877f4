"""labs/ is generated from solutions/, hides every solution, and fails only where students write."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from tests._browser import unavailable

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import course_kernel  # noqa: E402
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
    course_kernel.run_notebook(lab, tmp_path, f"labs/{solution.name}", allow_errors=True)
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
        unavailable("make", "install it (sudo apt-get install make)")
    labs = tmp_path / "labs"
    shutil.copytree(LABS, labs)
    edited = labs / SOLUTIONS[0].name
    edited.write_text(edited.read_text().replace("YOUR CODE HERE", "my answer"))
    before = edited.read_text()
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "make_labs.py"), "--out", str(labs)],
                            capture_output=True, text=True, check=True)
    assert f"kept {edited}" in result.stdout
    assert edited.read_text() == before


def _generated(tmp_path, *names):
    """solutions/ and labs/ of tiny labs, generated once; returns (solutions, labs)."""
    solutions, labs = tmp_path / "solutions", tmp_path / "labs"
    solutions.mkdir()
    for name in names:
        nbformat.write(_solution_notebook(), solutions / f"{name}.ipynb")
    assert make_labs.generate(solutions, labs, course=tmp_path / "course.yml") == 0
    return solutions, labs


def _revise(solutions, name, title="# Tiny lab, revised"):
    changed = _solution_notebook()
    changed.cells[0].source = title
    nbformat.write(changed, solutions / f"{name}.ipynb")


def test_opening_or_running_a_lab_does_not_count_as_editing_it(tmp_path, capsys):
    """What JupyterLab changes by itself (kernel display name, language_info, outputs,
    execution counts) leaves a lab unedited: the new version replaces it."""
    solutions, labs = _generated(tmp_path, "01_tiny")
    lab = labs / "01_tiny.ipynb"
    nb = nbformat.read(lab, as_version=4)
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    nb.metadata["language_info"] = {"name": "python", "version": "3.12.1"}
    nb.cells[2].outputs = [nbformat.v4.new_output("stream", text="4\n")]
    nb.cells[2].execution_count = 3
    nbformat.write(nb, lab)
    _revise(solutions, "01_tiny")
    assert make_labs.generate(solutions, labs, course=tmp_path / "course.yml") == 0
    assert "revised" in lab.read_text() and "kept" not in capsys.readouterr().out


@pytest.mark.parametrize("edit", ["source", "cell type", "order", "new cell"])
def test_what_a_student_writes_counts_as_editing(tmp_path, capsys, edit):
    solutions, labs = _generated(tmp_path, "01_tiny")
    lab = labs / "01_tiny.ipynb"
    nb = nbformat.read(lab, as_version=4)
    if edit == "source":
        nb.cells[1].source = nb.cells[1].source.replace("raise NotImplementedError", "return 2 * x  #")
    elif edit == "cell type":
        nb.cells[2] = nbformat.v4.new_markdown_cell(nb.cells[2].source)
    elif edit == "order":
        nb.cells[1], nb.cells[2] = nb.cells[2], nb.cells[1]
    else:
        nb.cells.append(nbformat.v4.new_code_cell("my_notes = 1"))
    nbformat.write(nb, lab)
    before = lab.read_bytes()
    _revise(solutions, "01_tiny")
    assert make_labs.generate(solutions, labs, course=tmp_path / "course.yml") == 1
    assert lab.read_bytes() == before and "kept" in capsys.readouterr().out


def test_one_lab_is_refreshed_alone_with_a_warning_about_open_tabs(tmp_path, capsys):
    solutions, labs = _generated(tmp_path, "02_a", "03_b")
    for name in ("02_a", "03_b"):
        path = labs / f"{name}.ipynb"
        path.write_text(path.read_text().replace("# YOUR CODE HERE", "# my answer"))
        _revise(solutions, name)
    mine = (labs / "02_a.ipynb").read_bytes()
    capsys.readouterr()
    assert make_labs.main(["--solutions", str(solutions), "--out", str(labs), "--course",
                           str(tmp_path / "course.yml"), "--force", "--lab", "03"]) == 0
    said = capsys.readouterr().out
    assert "revised" in (labs / "03_b.ipynb").read_text()
    assert (labs / "02_a.ipynb").read_bytes() == mine, "FORCE=1 LAB=03 replaced lab 02 too"
    assert [p.name.split(".")[0] for p in (labs / "backup").iterdir()] == ["03_b"]
    assert "close its tab without saving" in said and "Reload Notebook from Disk" in said


def test_an_unknown_lab_is_named(tmp_path):
    solutions, labs = _generated(tmp_path, "02_a")
    with pytest.raises(SystemExit, match="no lab is called '09'; the labs are 02_a"):
        make_labs.generate(solutions, labs, lab="09", course=tmp_path / "course.yml")


def test_make_labs_passes_force_and_lab():
    if shutil.which("make") is None:
        unavailable("make", "install it (sudo apt-get install make)")
    dry = subprocess.run(["make", "-n", "-o", ".venv/.installed", "labs", "FORCE=1", "LAB=03"],
                         cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert "tools/make_labs.py --force --lab 03" in dry


def _course(tmp_path, lab, renamed_from):
    (tmp_path / "course.yml").write_text(
        f"units:\n  - {{number: 9, title: T, lecture: null, lab: {lab}, outcomes: [a],\n"
        f"     renamed_from: [{renamed_from}]}}\n")
    return tmp_path / "course.yml"


@pytest.mark.parametrize("edited", [True, False])
def test_a_renamed_lab_never_loses_the_students_copy(tmp_path, capsys, edited):
    """The capstone renumbered from 07 to 09: an edited labs/07 stays, and make labs says
    what it is now called; an unedited one goes."""
    solutions, labs = _generated(tmp_path, "07_capstone")
    old = labs / "07_capstone.ipynb"
    if edited:
        old.write_text(old.read_text().replace("# YOUR CODE HERE", "# my answer"))
    before = old.read_bytes()
    (solutions / "07_capstone.ipynb").rename(solutions / "09_capstone.ipynb")
    course = _course(tmp_path, "09_capstone", "07_capstone")
    capsys.readouterr()
    assert make_labs.generate(solutions, labs, course=course) == int(edited)
    said = capsys.readouterr().out
    assert (labs / "09_capstone.ipynb").exists()
    if edited:
        assert old.read_bytes() == before
        assert "kept" in said and "now called 09_capstone" in said
    else:
        assert not old.exists() and "it is now labs/09_capstone.ipynb" in said


def test_an_interrupted_write_leaves_the_old_lab_whole(tmp_path, monkeypatch):
    solutions, labs = _generated(tmp_path, "01_tiny")
    lab = labs / "01_tiny.ipynb"
    before = lab.read_bytes()
    _revise(solutions, "01_tiny")

    def interrupted(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(make_labs.os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        make_labs.generate(solutions, labs, course=tmp_path / "course.yml")
    assert lab.read_bytes() == before
    assert sorted(p.name for p in labs.iterdir()) == [".generated.json", "01_tiny.ipynb"]


def test_a_manifest_of_an_older_version_still_recognises_untouched_labs(tmp_path):
    solutions, labs = _generated(tmp_path, "01_tiny")
    lab = labs / "01_tiny.ipynb"
    (labs / ".generated.json").write_text(json.dumps({"01_tiny.ipynb": make_labs.digest(lab.read_text())}))
    _revise(solutions, "01_tiny")
    assert make_labs.generate(solutions, labs, course=tmp_path / "course.yml") == 0
    assert "revised" in lab.read_text()
