"""Every notebook follows CONTRIBUTING.md: slide metadata, no stray outputs, local images only."""
from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import normalize_notebooks  # noqa: E402

LECTURES = sorted((ROOT / "lectures").glob("*.ipynb"))
SOLUTIONS = sorted((ROOT / "solutions").glob("*.ipynb"))
NOTEBOOKS = LECTURES + SOLUTIONS + sorted((ROOT / "labs").glob("*.ipynb"))
CHECK_TAG = "nbval-check-output"
SLIDE_TYPES = {"slide", "subslide", "fragment", "-", "skip", "notes"}
IMAGE = re.compile(r"!\[([^\]]*)\]\(([^)\s]+)\)|<img\b[^>]*\bsrc=[\"']([^\"']+)")


def _ids(paths):
    return [f"{p.parent.name}/{p.stem}" for p in paths]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_only_check_output_cells_keep_outputs(path):
    nb = nbformat.read(path, as_version=4)
    checked = [c for c in nb.cells if CHECK_TAG in c.metadata.get("tags", [])]
    kept = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and c.outputs and c not in checked]
    assert kept == [], f"cells {kept} are committed with outputs (only {CHECK_TAG} cells may be)"
    assert not any("NBVAL_CHECK_OUTPUT" in c.source for c in nb.cells), \
        f"mark checked cells with the {CHECK_TAG} tag, not a comment students would read"
    for cell in checked:
        if path.parent.name != "labs":
            assert cell.outputs and cell.execution_count, \
                f"a {CHECK_TAG} cell needs its expected output and an execution count committed"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_metadata_is_what_jupyterlab_stores_so_opening_changes_nothing(path):
    """JupyterLab rewrites kernelspec and language_info with the running kernel's on open (the
    tab is then marked changed and autosave writes the file): store exactly those."""
    nb = nbformat.read(path, as_version=4)
    fix = "run `python tools/normalize_notebooks.py`, then `make labs`"
    assert nb.metadata.get("kernelspec") == normalize_notebooks.kernelspec(), fix
    assert nb.metadata.get("language_info") == normalize_notebooks.language_info(), fix
    assert "widgets" not in nb.metadata, f"saved widget state is an output: {fix}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_images_are_local_exist_and_have_alt_text(path):
    nb = nbformat.read(path, as_version=4)
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "markdown":
            continue
        for alt, src_md, src_html in IMAGE.findall(cell.source):
            src = src_md or src_html
            assert not re.match(r"(https?:)?//", src), f"cell {index}: image from the network: {src}"
            if src.startswith("data:") or src.startswith("attachment:"):
                continue
            assert (path.parent / src).resolve().exists(), f"cell {index}: missing image {src}"
            if src_md:
                assert alt.strip(), f"cell {index}: image {src} has no alt text"


@pytest.mark.parametrize("path", LECTURES, ids=_ids(LECTURES))
def test_lecture_cells_have_slide_metadata_and_rise_settings(path):
    nb = nbformat.read(path, as_version=4)
    missing = [i for i, c in enumerate(nb.cells)
               if c.metadata.get("slideshow", {}).get("slide_type") not in SLIDE_TYPES]
    assert missing == [], f"cells {missing} have no valid slideshow.slide_type"
    assert nb.cells[0].metadata["slideshow"]["slide_type"] == "slide"
    rise = nb.metadata.get("rise", {})
    assert (rise.get("width"), rise.get("height")) == (1280, 720), "rise width/height must be 1280x720"
    assert rise.get("theme") == "white", "RISE's default theme 'simple' loads Google Fonts"
    for i, c in enumerate(nb.cells):
        if "hide-input" in c.metadata.get("tags", []):
            assert c.metadata.get("jupyter", {}).get("source_hidden"), \
                f"cell {i} is tagged hide-input but its source shows in JupyterLab and RISE"
    assert any(c.metadata["slideshow"]["slide_type"] == "notes" for c in nb.cells), \
        "a lecture needs speaker notes (markdown cells of slide type 'notes')"


@pytest.mark.parametrize("path", SOLUTIONS, ids=_ids(SOLUTIONS))
def test_solutions_tag_exercises_and_checks(path):
    nb = nbformat.read(path, as_version=4)
    exercises = [c for c in nb.cells if "### BEGIN SOLUTION" in c.source]
    assert exercises, "no exercise"
    assert all("exercise" in c.metadata.get("tags", []) for c in exercises), \
        "every cell with a solution block is tagged 'exercise'"
    assert any("check" in c.metadata.get("tags", []) for c in nb.cells)


RUN_TIME_CLAIM = re.compile(r"\b(?:runs?|trains?|takes?)\b[^.]{0,40}?\b(?:a|one|\d+)\s+(?:minutes?|seconds?)\b"
                            r"|\bunder a minute\b", re.IGNORECASE)


@pytest.mark.parametrize("path", LECTURES + SOLUTIONS, ids=_ids(LECTURES + SOLUTIONS))
def test_no_text_states_how_long_a_notebook_runs(path):
    # a run time depends on the machine: BENCHMARKS.md measures it, a cell prints it
    nb = nbformat.read(path, as_version=4)
    claims = [(i, m.group(0)) for i, c in enumerate(nb.cells) if c.cell_type == "markdown"
              for m in RUN_TIME_CLAIM.finditer(c.source.replace("\n", " "))]
    assert claims == [], f"run times stated in text (cite BENCHMARKS.md instead): {claims}"
