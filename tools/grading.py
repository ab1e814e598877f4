"""Autograding the labs with nbgrader: the metadata the solutions carry, and a course directory.

    python tools/grading.py [--out build/grading] [--lab 01]   # make grading

The solutions are nbgrader's "source" versions. Their nbgrader metadata is derived from the
course's own cell tags (tools/normalize_notebooks.py writes it, tests/test_notebook_format.py
keeps it in step), so there is one place that says what an exercise is:

* a cell tagged ``exercise`` (it holds ``### BEGIN SOLUTION`` ... ``### END SOLUTION``) is an
  nbgrader *solution* cell: ``nbgrader generate_assignment`` replaces each block by the same
  stub ``tools/make_labs.py`` writes (``CODE_STUB``), so the released lab and ``labs/`` have the
  same exercise cells (tests/test_grading.py compares them);
* a cell tagged ``check`` is an *autograded test* cell worth :data:`POINTS_PER_CHECK` point: it
  calls the course's check, which raises ``CheckFailed`` with the message the student sees, and
  nbgrader gives the points only if the cell runs without an error;
* every markdown cell is *read-only*: it states the task, and nbgrader restores it if changed.

``main`` writes an nbgrader course directory (``nbgrader_config.py`` and ``source/<lab>/``) in
which an instructor runs nbgrader's own commands (README, "Teaching a class").
"""
from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_labs import BEGIN, END, STUB  # noqa: E402

CODE_STUB = "# YOUR CODE HERE\n" + STUB
POINTS_PER_CHECK = 1
SCHEMA_VERSION = 3  # nbgrader 0.9's cell metadata schema

CONFIG = '''"""nbgrader configuration of the RNN course (written by tools/grading.py)."""
import sys

sys.path.insert(0, {tools!r})   # the course's kernel manager (tools/course_kernel.py)

c = get_config()  # noqa: F821
c.CourseDirectory.root = {root!r}
c.CourseDirectory.course_id = "rnn-course"
# The stub of tools/make_labs.py, so a released lab has the exercise cells of labs/.
c.ClearSolutions.code_stub = {{"python": {stub!r}}}
c.ClearSolutions.begin_solution_delimeter = {begin!r}
c.ClearSolutions.end_solution_delimeter = {end!r}
# Execute every submission in the course's own Python (never another "python3" kernelspec),
# with the course's per-cell limit; a lab runs in at most 90 s on 2 cores.
c.Execute.kernel_manager_class = "course_kernel.CourseKernelManager"
c.Execute.timeout = 180
c.Execute.startup_timeout = 60
'''


def grade_id(kind: str, number: int) -> str:
    return f"{kind}-{number:02d}"


def nbgrader_cells(nb: nbformat.NotebookNode) -> bool:
    """Set the nbgrader metadata of a solution's cells from their tags; return whether any
    cell is graded (only labs with exercises are assignments)."""
    counts = {"exercise": 0, "check": 0, "text": 0}
    for cell in nb.cells:
        tags = cell.metadata.get("tags", [])
        cell.metadata.pop("nbgrader", None)
        if cell.cell_type == "code" and "exercise" in tags:
            kind, meta = "exercise", {"grade": False, "solution": True, "locked": False}
        elif cell.cell_type == "code" and "check" in tags:
            kind, meta = "check", {"grade": True, "solution": False, "locked": True,
                                   "points": POINTS_PER_CHECK}
        elif cell.cell_type == "markdown":
            kind, meta = "text", {"grade": False, "solution": False, "locked": True}
        else:
            continue
        counts[kind] += 1
        cell.metadata["nbgrader"] = {**meta, "grade_id": grade_id(kind, counts[kind]),
                                     "schema_version": SCHEMA_VERSION}
    return counts["check"] > 0


def total_points(nb: nbformat.NotebookNode) -> int:
    return sum(c.metadata.get("nbgrader", {}).get("points", 0) for c in nb.cells)


def write_course(out: Path, labs: list[Path]) -> Path:
    """An nbgrader course directory at ``out``: the config and each lab as an assignment
    (``source/<lab>/<lab>.ipynb``). Returns ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "nbgrader_config.py").write_text(CONFIG.format(
        tools=str(ROOT / "tools"), root=str(out.resolve()), stub=CODE_STUB, begin=BEGIN, end=END))
    for solution in labs:
        target = out / "source" / solution.stem
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir(parents=True)
        shutil.copy(solution, target / solution.name)
    return out


def assignments(lab: str | None = None) -> list[Path]:
    """The solutions that are graded labs (they have check cells), optionally those named NN*."""
    found = []
    for path in sorted((ROOT / "solutions").glob("[0-9]*.ipynb")):
        if lab and not path.name.startswith(lab):
            continue
        if total_points(nbformat.read(path, as_version=4)):
            found.append(path)
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "grading")
    parser.add_argument("--lab", help="only the lab(s) whose name starts with this, e.g. 01")
    args = parser.parse_args(argv)
    labs = assignments(args.lab)
    if not labs:
        print(f"error: no graded lab matches --lab {args.lab!r}", file=sys.stderr)
        return 2
    write_course(args.out, labs)
    print(f"nbgrader course directory: {args.out}")
    for path in labs:
        print(f"  {path.stem:32s} {total_points(nbformat.read(path, as_version=4)):3d} points")
    print(f"next: cd {args.out} && nbgrader generate_assignment <lab> (README, 'Teaching a class')")
    return 0


if __name__ == "__main__":
    sys.exit(main())
