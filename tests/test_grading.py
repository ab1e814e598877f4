"""Autograding with the real nbgrader (issue 21): the solutions' metadata, the released labs,
and a term in miniature: release, three submissions, autograde, feedback."""
from __future__ import annotations

import copy
import html
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import grading  # noqa: E402

from nbgrader import api as nbgrader_api  # noqa: E402  (requirements.txt: never skipped)

LAB = "01_rnn_from_scratch"
SOLUTIONS = sorted((ROOT / "solutions").glob("[0-9]*.ipynb"))
# Two planted mistakes in lab 01 and the checks that must fail because of them: numerical
# gradients twice too large (their own check, and the gradient check that compares them
# with BPTT), and training that logs the fraction of right bits instead of right sums.
MISTAKES = {
    "grad[i] = (f_plus - f_minus) / (2 * eps)": "grad[i] = (f_plus - f_minus) / eps",
    "np.all((ys > 0.5) == (Y > 0.5), axis=(0, 2))": "(ys > 0.5) == (Y > 0.5)",
}
FAILS = {"check_numerical_gradient": "It is twice the right value: divide by 2 * eps",
         "check_gradients_agree": "numerical_gradient is the one that is off",
         "check_training": "log the fraction of SUMS"}


def nbgrader(course: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    result = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, env=env,
                            capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{result.stderr[-3000:]}"
    return result


@pytest.mark.parametrize("path", SOLUTIONS, ids=[p.stem for p in SOLUTIONS])
def test_solutions_carry_the_nbgrader_metadata_of_their_tags(path):
    nb = nbformat.read(path, as_version=4)
    derived = copy.deepcopy(nb)
    grading.nbgrader_cells(derived)
    assert [c.metadata.get("nbgrader") for c in nb.cells] == \
        [c.metadata.get("nbgrader") for c in derived.cells], \
        f"{path.name}: run `python tools/normalize_notebooks.py`, then `make labs`"
    graded = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")]
    assert graded and all("check" in c.metadata["tags"] for c in graded)
    ids = [c.metadata["nbgrader"]["grade_id"] for c in nb.cells if "nbgrader" in c.metadata]
    assert len(ids) == len(set(ids)), f"{path.name}: grade ids repeat"


def test_nbgrader_releases_exactly_the_labs_that_make_labs_writes(tmp_path):
    course = grading.write_course(tmp_path / "course", grading.assignments())
    nbgrader(course, "generate_assignment", "*", "--force")  # every lab, one start of nbgrader
    for solution in grading.assignments():
        released = nbformat.read(course / "release" / solution.stem / solution.name, as_version=4)
        lab = nbformat.read(ROOT / "labs" / solution.name, as_version=4)
        assert [(c.cell_type, c.source) for c in released.cells] == \
            [(c.cell_type, c.source) for c in lab.cells], \
            f"{solution.stem}: nbgrader's student version and labs/ differ"


@pytest.fixture(scope="module")
def term(tmp_path_factory):
    """Lab 01 released, three submissions autograded, feedback generated."""
    course = grading.write_course(tmp_path_factory.mktemp("term") / "course",
                                  grading.assignments("01"))
    nbgrader(course, "generate_assignment", LAB, "--force")
    solution = nbformat.read(course / "source" / LAB / f"{LAB}.ipynb", as_version=4)
    untouched = nbformat.read(course / "release" / LAB / f"{LAB}.ipynb", as_version=4)
    planted = copy.deepcopy(solution)
    for right, wrong in MISTAKES.items():
        cells = [c for c in planted.cells if right in c.source]
        assert len(cells) == 1, f"the solution of lab 01 no longer contains {right!r}"
        cells[0].source = cells[0].source.replace(right, wrong)
    for student, nb in (("ada", solution), ("bo", untouched), ("cy", planted)):
        folder = course / "submitted" / student / LAB
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / f"{LAB}.ipynb")
    nbgrader(course, "autograde", LAB, "--create")
    nbgrader(course, "generate_feedback", LAB)
    return course


def _failed(course: Path, student: str) -> tuple[float, float, list[str]]:
    autograded = nbformat.read(course / "autograded" / student / LAB / f"{LAB}.ipynb", as_version=4)
    by_id = {c.metadata["nbgrader"]["grade_id"]: c.source for c in autograded.cells
             if c.metadata.get("nbgrader", {}).get("grade")}
    with nbgrader_api.Gradebook(f"sqlite:///{course / 'gradebook.db'}") as book:
        submission = book.find_submission(LAB, student)
        failed = [by_id[g.name] for g in submission.notebooks[0].grades if g.score < g.max_score]
        return submission.score, submission.max_score, failed


def test_the_solution_gets_full_marks(term):
    score, max_score, failed = _failed(term, "ada")
    assert (score, failed) == (max_score, []) and max_score == grading.total_points(
        nbformat.read(ROOT / "solutions" / f"{LAB}.ipynb", as_version=4)) == 8


def test_the_untouched_lab_gets_zero(term):
    score, max_score, failed = _failed(term, "bo")
    assert score == 0 and len(failed) == max_score


def test_two_planted_mistakes_cost_exactly_the_points_of_the_checks_they_fail(term):
    score, max_score, failed = _failed(term, "cy")
    names = sorted(re.search(r"check_\w+", source).group(0) for source in failed)
    assert names == sorted(FAILS), f"failed cells: {failed}"
    assert score == max_score - len(FAILS) * grading.POINTS_PER_CHECK


def test_the_feedback_page_names_the_failed_checks_and_the_mistakes(term):
    page = (term / "feedback" / "cy" / LAB / f"{LAB}.html").read_text()
    text = re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))
    assert "Score: 5.0 / 8.0" in text
    for check, words in FAILS.items():
        assert check in text and words in text, f"the feedback page does not show {check}: {words}"
