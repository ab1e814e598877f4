"""Unit 5's notebooks: what the lab and the lecture state about statsmodels, notation and
warnings, checked against the notebooks' own cells (the review of unit 5, findings W1, W2, W8,
C10, C12)."""
from __future__ import annotations

import re
import warnings
from pathlib import Path

import nbformat
import numpy as np
import pytest

from course_utils import series as S

ROOT = Path(__file__).resolve().parents[1]
LAB = ROOT / "solutions" / "05_forecasting.ipynb"
LECTURE = ROOT / "lectures" / "05_deep_rnns_and_time_series.ipynb"


def cells(path: Path) -> list[nbformat.NotebookNode]:
    return nbformat.read(path, as_version=4).cells


def plain(text: str) -> str:
    return " ".join(text.split())


def lab_text(kind: str) -> str:
    return "\n".join(cell.source for cell in cells(LAB) if cell.cell_type == kind)


def test_the_lab_names_the_information_criterion_it_asks_statsmodels_for():
    """W1: ar_select_order defaults to BIC; every call in the lab passes ic, and the printed
    name is the criterion passed."""
    code = lab_text("code")
    calls = re.findall(r"ar_select_order\(([^)]*)\)", code)
    assert calls and all("ic=" in call for call in calls), calls
    assert "AIC would choose p = {by_ic[name]['aic']}" in code
    assert "BIC p = {by_ic[name]['bic']}" in code


def test_the_lab_says_what_autoreg_apply_does():
    """W2: apply keeps the fitted parameters; it fails on a window shorter than 2p + 1 values
    (tests/test_series.py checks both facts against statsmodels)."""
    text = plain(lab_text("markdown"))
    assert "fits the model again" not in text
    assert "keeps the fitted coefficients but builds a new `AutoReg` on each window" in text
    assert "fewer than $2p + 1$ values: for $p \\ge 10$ on windows of 20 values" in text
    assert 2 * 10 + 1 > 20 >= 2 * 9 + 1    # p >= 10 is exactly where windows of 20 fail


@pytest.mark.parametrize("retired", [r"\lambda\lVert", r"$\lambda$", "= b + w_1", "$b$ `const`",
                                     "[b, w_1", "deviation $\\sigma = ", "$\\sigma = 0.3$",
                                     "S.iterate_forecast"])
def test_the_lab_follows_the_notation_table(retired):
    """W8, C11: sigma_eps, w_0 and lambda_ridge from NOTATION.md; one name for the iterated
    forecast."""
    everything = lab_text("markdown") + lab_text("code")
    assert retired not in everything


def test_the_lab_shows_statsmodels_rank_deficiency_warning_once():
    """C10: statsmodels sets its model warnings to "always" (and its fits clear the registry that
    a "once" filter relies on), so with NOISE = 0.0 the lab printed one block per AR fit. The
    first code cell silences it; section 8 counts it and prints it once."""
    lab = [cell for cell in cells(LAB) if cell.cell_type == "code"]
    setup = "\n".join(line for line in lab[0].source.splitlines()
                      if "warnings" in line or "SingularMatrixWarning" in line)
    _, clean = S.synthetic_series()
    train = S.MinMaxScaler(-1.0, 1.0).fit(clean[:181]).transform(clean[:181])
    with warnings.catch_warnings(record=True) as shown:
        warnings.resetwarnings()
        import statsmodels.tools.sm_exceptions as sm_exceptions
        warnings.simplefilter("always", sm_exceptions.ModelWarning)   # what statsmodels sets
        exec(compile(setup, "the lab's first code cell", "exec"), {})
        for p in range(7, 12):          # more than 6 lags of a noise-free AR(6): collinear
            S.fit_ar(train, p)
    assert shown == [], [str(w.message) for w in shown]
    baselines = next(cell.source for cell in lab if "base = {name: baselines(p)" in cell.source)
    assert 'warnings.simplefilter("always", SingularMatrixWarning)' in baselines
    assert "statsmodels warned {len(rank_deficient)} times" in baselines


def _slides(path: Path) -> list[list[nbformat.NotebookNode]]:
    slides: list[list[nbformat.NotebookNode]] = []
    for cell in cells(path):
        kind = cell.metadata.get("slideshow", {}).get("slide_type", "-")
        if kind in ("slide", "subslide") or not slides:
            slides.append([])
        slides[-1].append(cell)
    return slides


def test_lecture_05_one_output_per_step_has_its_own_speaker_notes():
    """C12: the slide's notes follow it, and the next slide's notes point back at its check."""
    slides = {slide[0].source.splitlines()[0]: slide for slide in _slides(LECTURE)}
    for title in ("## One output per step: one `nn.Linear` shared by all steps",
                  "## The same thing as the reshape trick"):
        kinds = [c.metadata.get("slideshow", {}).get("slide_type") for c in slides[title]]
        assert "notes" in kinds, title
    notes = [c.source for c in slides["## The same thing as the reshape trick"]
             if c.metadata["slideshow"]["slide_type"] == "notes"]
    assert "the next cell checks" not in " ".join(notes) and "The cell prints `True`" in notes[0]


def test_lecture_05_compares_ar6_and_the_rnn_on_the_same_test_targets():
    """C12: the AR(6) slide scores the RNN on the targets it scores the AR on (asserted in the
    cell), not the RMSE of the horizon slide's 21 starts."""
    code = next(c.source for c in cells(LECTURE) if c.source.startswith("Xw, Yw = make_windows"))
    assert "horizon_rmse" not in code
    assert "assert np.allclose(targets, truth)" in code and "rmse(pred, truth)" in code
    t, x = S.synthetic_series()
    cut = int(0.7 * len(x))
    _, Y = S.make_windows(x, 6, 1)
    _, Y_test = S.shifted_windows(x[cut - 20:], 20)
    assert np.array_equal(Y[cut - 6:, 0], Y_test[:, -1])   # the same 91 targets
