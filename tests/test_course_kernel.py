"""Every notebook runs in the course's own Python, and nothing waits forever (issue 16).

A decoy kernelspec named ``python3`` (what a conda or system Jupyter leaves in JUPYTER_PATH or
``~/.local/share/jupyter``) points at a wrapper that leaves a mark and then runs Python: the
slide export, the benchmark, the lab test and nbval (with the options of ``make test``) must
never launch it. ``make lab``'s JupyterLab is tested the same way in tests/test_make_lab.py.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import bench  # noqa: E402
import course_kernel  # noqa: E402
import export_slides  # noqa: E402

pytestmark = pytest.mark.slow
WHERE = ("JUPYTER_PATH", "the user's data folder")


def _notebook(*sources: str) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"display_name": "Python 3 (ipykernel)", "language": "python",
                                 "name": "python3"}
    nb.cells = [nbformat.v4.new_code_cell(source) for source in sources]
    return nb


def plant_decoy(folder: Path, where: str) -> tuple[Path, dict[str, str]]:
    """A kernelspec named python3 that marks a file when launched; the environment that makes
    Jupyter find it before the course's own (as a conda or system Jupyter does)."""
    marker = folder / "decoy-was-launched"
    wrapper = folder / "other-python"
    wrapper.write_text(f'#!/bin/sh\ntouch "{marker}"\nexec "{sys.executable}" "$@"\n')
    wrapper.chmod(0o755)
    spec = {"argv": [str(wrapper), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            "display_name": "Python 3 (another interpreter)", "language": "python"}
    home = folder / "home"
    home.mkdir(exist_ok=True)
    data = folder / "jupyter-path" if where == "JUPYTER_PATH" else home / ".local/share/jupyter"
    (data / "kernels" / "python3").mkdir(parents=True)
    (data / "kernels" / "python3" / "kernel.json").write_text(json.dumps(spec))
    env = {"HOME": str(home), "JUPYTER_PREFER_ENV_PATH": "0"}
    if where == "JUPYTER_PATH":
        env["JUPYTER_PATH"] = str(data)
    return marker, env


@pytest.fixture(params=WHERE)
def decoy(request, tmp_path, monkeypatch):
    marker, env = plant_decoy(tmp_path, request.param)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return marker


WHO = "import sys; print(sys.executable)"


def test_the_decoy_is_what_plain_jupyter_would_start(decoy):
    """The test's premise: without the course's kernel manager, Jupyter picks the decoy."""
    from jupyter_client.kernelspec import KernelSpecManager

    assert "other-python" in KernelSpecManager().get_kernel_spec("python3").argv[0]


def test_the_slide_export_runs_in_the_course_python(decoy, tmp_path):
    nb = _notebook(WHO)
    export_slides.execute(nb, tmp_path, 60)
    assert nb.cells[0].outputs[0].text.strip() == sys.executable
    assert not decoy.exists(), "the export started the decoy kernelspec's interpreter"


def test_the_benchmark_runs_in_the_course_python(decoy, tmp_path):
    path = tmp_path / "decoy.ipynb"
    nbformat.write(_notebook(WHO, "assert sys.executable.endswith('python')"), path)
    bench.run_notebook(path, tmp_path / "results.json", 60)
    assert not decoy.exists(), "the benchmark started the decoy kernelspec's interpreter"


def test_nbval_as_make_test_runs_it_uses_the_course_python(tmp_path):
    marker, env = plant_decoy(tmp_path, "JUPYTER_PATH")
    notebook = tmp_path / "decoy.ipynb"
    nbformat.write(_notebook(WHO), notebook)
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                             "-c", str(ROOT / "pyproject.toml"), "--rootdir", str(tmp_path),
                             "--nbval-lax", str(notebook)],
                            capture_output=True, text=True, env={**os.environ, **env}, timeout=300)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert not marker.exists(), "nbval started the decoy kernelspec's interpreter"


def test_make_test_pins_nbvals_kernel_and_bounds_each_cell():
    addopts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]["addopts"]
    assert "--nbval-current-env" in addopts.split()
    assert f"--nbval-cell-timeout={course_kernel.CELL_TIMEOUT}" in addopts.split()
    assert course_kernel.CELL_TIMEOUT <= 300 and course_kernel.STARTUP_TIMEOUT <= 120


def test_a_hung_cell_fails_in_bounded_time_naming_the_cell(tmp_path):
    nb = _notebook("x = 1", "import time\nwhile True:\n    time.sleep(1)")
    start = time.monotonic()
    with pytest.raises(course_kernel.NotebookFailed) as failure:
        course_kernel.run_notebook(nb, tmp_path, "lectures/99_hangs.ipynb", cell_timeout=3)
    assert time.monotonic() - start < 60
    assert "lectures/99_hangs.ipynb, cell 1 (first line: import time): still running after 3 s" \
        in str(failure.value)


def test_a_hung_cell_under_nbval_fails_in_bounded_time_naming_the_cell(tmp_path):
    notebook = tmp_path / "hangs.ipynb"
    nbformat.write(_notebook("x = 1", "import time\nwhile True:\n    time.sleep(1)"), notebook)
    start = time.monotonic()
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                             "-c", str(ROOT / "pyproject.toml"), "--rootdir", str(tmp_path),
                             "--nbval-lax", "--nbval-cell-timeout=3", str(notebook)],
                            capture_output=True, text=True, timeout=300)
    assert time.monotonic() - start < 120
    assert result.returncode == 1
    assert "Timeout of 3 seconds exceeded" in result.stdout and "hangs.ipynb::Cell 1" in result.stdout
    assert "while True:" in result.stdout


def test_a_cell_error_names_the_notebook_and_cell(tmp_path):
    with pytest.raises(course_kernel.NotebookFailed, match=r"labs/x.ipynb, cell 1 \(first line: "
                       r"1 / 0\) failed:[\s\S]*ZeroDivisionError"):
        course_kernel.run_notebook(_notebook("y = 2", "1 / 0"), tmp_path, "labs/x.ipynb")


def _silent_first(tmp_path, monkeypatch) -> Path:
    marker = tmp_path / "first-kernel-was-silent"
    spec = course_kernel.course_kernel_spec()
    spec.argv = [sys.executable, str(ROOT / "tests" / "_silent_kernel.py"), str(marker),
                 "-f", "{connection_file}"]
    monkeypatch.setattr(course_kernel, "course_kernel_spec", lambda: spec)
    return marker


def test_a_kernel_that_never_answers_is_replaced_once_with_a_message(tmp_path, monkeypatch):
    marker = _silent_first(tmp_path, monkeypatch)
    said = []
    nb = _notebook("print(6 * 7)")
    result = course_kernel.run_notebook(nb, tmp_path, "lectures/01_x.ipynb", startup_timeout=5,
                                        log=said.append)
    assert marker.exists(), "the first kernel never got the request (the test proves nothing)"
    assert result.attempts == 2 and nb.cells[0].outputs[0].text == "42\n"
    assert said == ["lectures/01_x.ipynb: the kernel did not answer (no answer to a first request "
                    "within 5 s); starting a fresh kernel (attempt 2 of 2)"]


def test_the_slide_export_survives_a_silent_first_kernel(tmp_path, monkeypatch, capsys):
    _silent_first(tmp_path, monkeypatch)
    monkeypatch.setattr(course_kernel, "STARTUP_TIMEOUT", 5)
    nb = _notebook("print('deck')")
    execution = export_slides.execute(nb, tmp_path, 60, "lectures/01_x.ipynb")
    assert execution.attempts == 2 and "starting a fresh kernel" in capsys.readouterr().err
