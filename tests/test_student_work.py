"""A student's edited lab survives every command the README gives (issue 16).

On a copy of the course (never the real labs/): `make labs`, `make labs FORCE=1 LAB=` for
another lab, `make clean`, `make test` and a `make lab` interrupted with Ctrl-C during its
install each leave the edited lab byte for byte as it was. (conftest.py also fails any
`make test` session that changes a file in labs/.)
"""
from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests._course_copy import GIT_ENV, copy_course, make, stop

pytestmark = pytest.mark.slow
LAB = "labs/03_sequence_classification.ipynb"


def _edit(course: Path) -> bytes:
    path = course / LAB
    path.write_text(path.read_text().replace("# YOUR CODE HERE", "# my answer", 1))
    return path.read_bytes()


@pytest.fixture
def course(tmp_path):
    course = copy_course(tmp_path / "course")
    return course, _edit(course)


STAMPS = ("-o", ".venv/.installed", "-o", "node_modules/.installed", "-o", "chromium")


@pytest.mark.parametrize("command", [
    ("labs",), ("labs", "FORCE=1", "LAB=04"), ("clean",),
    ("test", "JOBS=1", "TESTS=tests/test_labs.py -k up_to_date"),
], ids=["make labs", "make labs FORCE=1 LAB=04", "make clean", "make test"])
def test_the_edited_lab_survives(course, command):
    course, mine = course
    (course / "build").mkdir(exist_ok=True)
    result = make(course, *STAMPS, *command, timeout=600)
    assert (course / LAB).read_bytes() == mine, f"`make {' '.join(command)}` changed the edited lab"
    if command[0] == "labs" and len(command) == 1:
        assert f"kept {course / LAB}" in result.stdout
    if command[0] == "clean":
        assert result.returncode == 0 and not (course / "build").exists()
    if command[0] == "test":   # it reports the edited lab as differing, and touches nothing
        assert "03_sequence_classification.ipynb: differs from what `make labs` generates" in result.stdout


def test_the_edited_lab_survives_ctrl_c_during_make_labs_install(tmp_path):
    """A fresh copy (no .venv): `make lab` creates the environment; Ctrl-C (SIGINT to the
    foreground process group, as a terminal sends it) arrives during the install."""
    course = copy_course(tmp_path / "course", environment=False)
    mine = _edit(course)
    run = subprocess.Popen(["make", "--no-print-directory", "lab"], cwd=course,
                           env={**os.environ, **GIT_ENV}, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True, start_new_session=True)
    seen, deadline = [], time.time() + 240
    while time.time() < deadline:
        line = run.stdout.readline()
        seen.append(line)
        if "pip install" in line or not line:
            break
    stop(run, signal.SIGINT, timeout=120)
    assert any("pip install" in line for line in seen), "".join(seen)[-2000:]
    assert (course / LAB).read_bytes() == mine
    assert not (course / ".venv" / ".installed").exists(), \
        "an interrupted install left the stamp: the next `make lab` would not finish it"
