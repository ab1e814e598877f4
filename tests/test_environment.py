"""The pip requirements, environment.yml and package.json agree and pin what must be pinned."""
from __future__ import annotations

import json
import platform
import re
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _requirements() -> list[str]:
    lines = (ROOT / "requirements.txt").read_text().splitlines()
    return [line.split("#")[0].strip() for line in lines if line.split("#")[0].strip()]


def _name(spec: str) -> str:
    return re.split(r"[<>=!~ \[]", spec, maxsplit=1)[0].lower().replace("_", "-")


def test_environment_yml_names_the_same_packages_as_requirements():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d)
    conda = [d for d in env["dependencies"] if isinstance(d, str)]
    assert sorted(pip_section) == sorted(_requirements()), \
        "environment.yml's pip list and requirements.txt differ"
    assert any(d.startswith("python") for d in conda) and any(d.startswith("nodejs") for d in conda)


def test_torch_is_pinned_to_the_local_cpu_wheel_and_widgets_to_7():
    specs = {_name(s): s for s in _requirements()}
    assert specs["torch"] == "torch==2.13.0"
    assert specs["ipywidgets"].startswith("ipywidgets==7.")  # 8 does not render in RISE
    assert "tensorflow" not in specs and "keras" not in specs


def test_front_end_assets_are_locked():
    package = json.loads((ROOT / "package.json").read_text())
    lock = json.loads((ROOT / "package-lock.json").read_text())
    for name, version in package["dependencies"].items():
        locked = lock["packages"][f"node_modules/{name}"]["version"]
        assert locked == version, f"{name}: package.json says {version}, the lock {locked}"
    assert package["dependencies"]["reveal.js"].startswith("4.")
    assert package["dependencies"]["mathjax"].startswith("2.")


def test_the_readme_names_exactly_the_python_the_tests_run_on():
    """Issue 16: the README once accepted 'Python 3.10 or newer' while only 3.11 was tested."""
    readme = (ROOT / "README.md").read_text()
    tested = re.search(r"the course is tested on CPython (\d+)\.(\d+) only\*\* \((\d+\.\d+\.\d+)", readme)
    assert tested, "the README must say which Python the course is tested on"
    assert (int(tested.group(1)), int(tested.group(2))) == sys.version_info[:2]
    assert tested.group(3) == platform.python_version()
    assert "or newer" not in readme.split("## Presenting")[0]
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert f"python={tested.group(1)}.{tested.group(2)}" in env["dependencies"]
    makefile = (ROOT / "Makefile").read_text()
    assert f"TESTED_PYTHON := ({tested.group(1)}, {tested.group(2)})" in makefile


def test_students_jupyterlab_has_no_nbgrader_extensions():
    # the Makefile disables them at install: nbgrader is the instructor's command line only
    listing = subprocess.run([sys.executable, "-m", "jupyter", "server", "extension", "list"],
                             capture_output=True, text=True, check=True)
    text = re.sub(r"\x1b\[[0-9;]*m", "", listing.stdout + listing.stderr)
    for name in ("formgrader", "validate_assignment", "assignment_list", "course_list"):
        assert re.search(rf"nbgrader\.server_extensions\.{name} +disabled", text), \
            f"nbgrader's {name} server extension is enabled in the students' JupyterLab"
