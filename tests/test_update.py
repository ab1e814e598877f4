"""Updating the course never blocks on, and never loses, a student's work (issue 16).

A bare repository plays the course's remote. The student clones it, edits labs, runs a
lecture; the authors push a new version (a lab and a lecture changed, the capstone renumbered
from 07 to 09, a new file). `git pull` stops; `make update` brings everything in and keeps
every edit. The last test shows what nbgitpuller (JupyterHub, issue 21) does with the same
clone: its `git merge -Xours` mixes a notebook's JSON hunk by hunk, unless the hub marks
notebooks `-merge`.
"""
from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from tests._course_copy import copy_course, git, link_environment, make

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow
LAB, RUN_LAB, CAPSTONE, LECTURE = ("labs/03_sequence_classification.ipynb",
                                   "labs/01_rnn_from_scratch.ipynb", "labs/09_ecg_capstone.ipynb",
                                   "lectures/02_training_rnns.ipynb")
NEW_LECTURE_TEXT = "A slide the authors added in version 2"


def _edit_lab(path: Path) -> bytes:
    """A student's answer in the first exercise (a source change), as JupyterLab saves it."""
    nb = nbformat.read(path, as_version=4)
    cell = next(c for c in nb.cells if "# YOUR CODE HERE" in c.source)
    cell.source = cell.source.replace("# YOUR CODE HERE", "# my answer, worked out at home", 1)
    nb.metadata["kernelspec"]["display_name"] = "Python 3"
    nbformat.write(nb, path)
    return path.read_bytes()


def _run(path: Path) -> None:
    """What running a notebook and saving it changes: outputs, execution counts."""
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    for count, cell in enumerate(code[:3], start=1):
        cell.execution_count = count
        cell.outputs = [nbformat.v4.new_output("stream", text=f"output {count}\n")]
    nbformat.write(nb, path)


def _version_two(author: Path) -> None:
    """The authors' next version, committed: lab 03 and 01 revised, lecture 02 gets a slide, the
    capstone renumbered 09 -> 10 (course.yml records the old names), a new file."""
    for stem in ("03_sequence_classification", "01_rnn_from_scratch"):
        solution = author / "solutions" / f"{stem}.ipynb"
        nb = nbformat.read(solution, as_version=4)
        nb.cells.append(nbformat.v4.new_markdown_cell("Revised for version 2."))
        nbformat.write(nb, solution)
    lecture = author / LECTURE
    nb = nbformat.read(lecture, as_version=4)
    nb.cells.insert(1, nbformat.v4.new_markdown_cell(f"## {NEW_LECTURE_TEXT}",
                                                     metadata={"slideshow": {"slide_type": "slide"}}))
    nbformat.write(nb, lecture)
    git(author, "mv", "solutions/09_ecg_capstone.ipynb", "solutions/10_ecg_capstone.ipynb")
    git(author, "mv", CAPSTONE, "labs/10_ecg_capstone.ipynb")
    course = author / "course.yml"
    before = "    lab: 09_ecg_capstone\n    renamed_from: [07_ecg_capstone]\n"
    assert before in course.read_text(), "course.yml no longer names the capstone as this test expects"
    course.write_text(course.read_text().replace(
        before, "    lab: 10_ecg_capstone\n    renamed_from: [07_ecg_capstone, 09_ecg_capstone]\n"))
    (author / "NEWS.md").write_text("Version 2.\n")
    result = make(author, "labs")
    assert result.returncode == 0, result.stdout + result.stderr
    git(author, "add", "-A")
    git(author, "commit", "-qm", "version 2")


@pytest.fixture(scope="module")
def versions(tmp_path_factory):
    """The authors' copy with both versions committed (made once; no test changes it) and
    the two commits."""
    author = copy_course(tmp_path_factory.mktemp("update") / "author")
    git(author, "init", "-q", "-b", "main")
    git(author, "add", "-A")
    git(author, "commit", "-qm", "version 1")
    one = git(author, "rev-parse", "HEAD").stdout.strip()
    _version_two(author)
    return author, one, git(author, "rev-parse", "HEAD").stdout.strip()


@pytest.fixture
def course(tmp_path, versions):
    """(student clone of version 1, the author's copy at version 2, publish) around a bare
    repository of this test's own; publish() pushes version 2 to it, as the authors do."""
    author, one, two = versions
    remote = tmp_path / "course.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", "course.git")
    git(author, "push", "-q", str(remote), f"{one}:refs/heads/main")
    git(tmp_path, "clone", "-q", str(remote), "student")
    student = tmp_path / "student"
    link_environment(student)
    return student, author, lambda: git(author, "push", "-q", str(remote), f"{two}:refs/heads/main")


def test_make_update_keeps_every_edit_and_brings_the_new_version(course):
    student, author, publish = course
    mine = {LAB: _edit_lab(student / LAB), CAPSTONE: _edit_lab(student / CAPSTONE)}
    _run(student / LECTURE)
    _run(student / RUN_LAB)
    (student / "my_notes.md").write_text("mine\n")
    publish()                                             # the authors push version 2

    pulled = git(student, "pull", "--ff-only", check=False)      # what students had before
    assert pulled.returncode != 0 and "would be overwritten" in pulled.stderr

    result = make(student, "-o", ".venv/.installed", "update")
    said = result.stdout + result.stderr
    assert result.returncode == 0, said
    head = git(student, "log", "-1", "--format=%s").stdout.strip()
    assert head == "version 2", said
    for path, content in mine.items():
        assert (student / path).read_bytes() == content, f"{path}: the student's edit was lost"
    assert NEW_LECTURE_TEXT in (student / LECTURE).read_text(), "the new lecture did not arrive"
    assert (student / RUN_LAB).read_bytes() == (author / RUN_LAB).read_bytes(), \
        "a lab the student only ran did not get the new version"
    assert (student / "labs/10_ecg_capstone.ipynb").exists() and (student / "NEWS.md").exists()
    assert (student / "my_notes.md").read_text() == "mine\n"
    assert f"kept {student / LAB}" in said and "make labs FORCE=1 LAB=03" in said
    assert "now called 10_ecg_capstone" in said
    assert f"dropped the outputs of {LECTURE}" in said
    assert sorted(p.name.split(".")[0] for p in (student / "labs/backup").iterdir()) == \
        ["03_sequence_classification", "09_ecg_capstone"]

    again = make(student, "-o", ".venv/.installed", "update")
    assert again.returncode == 0 and "already up to date" in again.stdout
    for path, content in mine.items():
        assert (student / path).read_bytes() == content


def test_a_changed_file_the_update_replaces_is_backed_up_first(course):
    student, author, publish = course
    (student / LECTURE).write_text((student / LECTURE).read_text().replace(
        '"cells": [', '"cells": [\n  {"cell_type": "markdown", "id": "mine", "metadata": {}, '
        '"source": ["my notes on this lecture"]},', 1))
    publish()                                             # the authors push version 2
    result = make(student, "-o", ".venv/.installed", "update")
    assert result.returncode == 0, result.stdout + result.stderr
    backups = list((student / "backup" / "lectures").glob("02_training_rnns.*.ipynb"))
    assert len(backups) == 1 and "my notes on this lecture" in backups[0].read_text()
    assert NEW_LECTURE_TEXT in (student / LECTURE).read_text()
    assert f"your changed {LECTURE} is now backup/lectures/" in result.stdout


def _nbgitpuller_update(clone: Path) -> None:
    """nbgitpuller's GitPuller.update (read from its source, jupyterhub/nbgitpuller pull.py):
    fetch, commit local changes as WIP, then `git merge -Xours origin/<branch>`."""
    git(clone, "fetch", "-q")
    git(clone, "commit", "-qam", "WIP", "--allow-empty")
    git(clone, "merge", "-q", "-Xours", "--no-edit", "origin/main")


@pytest.mark.parametrize("attributes", [None, "*.ipynb -merge\n"])
def test_how_nbgitpullers_merge_treats_an_edited_lab(course, attributes):
    """For issue 21's hub: without `-merge` the edited lab becomes a mix of both versions (the
    student's answer under the authors' new text: no longer either file); with it, the
    student's lab is kept whole and an unedited one still updates."""
    student, author, publish = course
    if attributes:
        (student / ".git" / "info" / "attributes").write_text(attributes)
    mine = _edit_lab(student / LAB)
    publish()                                             # the authors push version 2
    _nbgitpuller_update(student)
    merged = (student / LAB).read_bytes()
    if attributes:
        assert merged == mine
    else:
        assert merged != mine and merged != (author / LAB).read_bytes()
        assert b"Revised for version 2" in merged and b"worked out at home" in merged
    assert (student / RUN_LAB).read_bytes() == (author / RUN_LAB).read_bytes()
