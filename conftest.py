"""Repository-wide pytest hooks.

- The notebook budget: every notebook (solutions through nbval, lectures through
  tests/test_lectures.py) within NOTEBOOK_BUDGET_S, measured as its kernel's CPU time (user +
  sys, which other work on the machine does not inflate; the wall time where /proc is
  missing). The summary lists both.
- Parallel runs (`make test`: pytest-xdist, `--dist loadscope --no-loadscope-reorder`): the
  scheduler below keeps the cells of one notebook on one worker, and each deck-test module
  (DECKS) on one worker, where its browser or JupyterLab server is started once; every other
  test is a unit of its own. Work is queued longest first: deck modules, notebooks, slow
  tests, the rest. The lecture decks those modules read are exported once per run by whichever
  worker needs one first (tests/_decks.py; every worker shares the run id set here).
  (xdist's own xdist_group marks do not group anything under pytest 9, whose node ids they
  can no longer change.)
- `make test` never changes labs/: the session fails if a file there changed.
- The solutions nbval executes are kept with their outputs (tests/_executed.py); the tests that
  read them (FOLLOW_NOTEBOOK, parametrized by the notebook's name) join that notebook's unit and
  run after its cells.
"""
from __future__ import annotations

import hashlib
import os
import sys
import uuid
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT / "tools"))
from course_kernel import kernel_cpu_seconds  # noqa: E402
from tests._decks import RUN_ENV  # noqa: E402

NOTEBOOK_BUDGET_S = float(os.environ.get("NOTEBOOK_BUDGET_S", "90"))
# The deck-test modules, longest first (a full run's seconds: 200, 105, 96, 69, 55, 52, 1).
DECKS = ("tests/test_rise_live.py", "tests/test_lectures.py", "tests/test_handouts.py",
         "tests/test_deck_template.py", "tests/test_accessibility.py", "tests/test_slides_browser.py",
         "tests/test_export_slides.py")
FOLLOW_NOTEBOOK = {"tests/test_lab_accessibility.py": "solutions"}  # test file -> notebooks' folder
pytest_plugins = ["tests._executed"]
WHOLE_MODULES = ("tests/test_make_lab.py", "tests/test_grading.py", "tests/test_hub.py")  # module-scoped
# servers or courses: one per module, not one per worker
WORKER = os.environ.get("PYTEST_XDIST_WORKER")
if WORKER:   # several workers on two cores: one thread each
    for variable in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ.setdefault(variable, "1")

_wall: dict[str, float] = defaultdict(float)
_cpu: dict[str, float] = {}


def _is_nbval(item) -> bool:
    return type(item).__name__ == "IPyNbCell"


def _rank(item) -> tuple[int, int]:
    """Queue order: deck modules (longest first), notebooks, other slow tests, the rest."""
    if item.nodeid.startswith(DECKS):
        return 0, next(i for i, prefix in enumerate(DECKS) if item.nodeid.startswith(prefix))
    if _is_nbval(item):
        return 1, 0
    return (2, 0) if item.get_closest_marker("slow") else (3, 0)


def pytest_configure(config):
    """One run id for the controller and every xdist worker (tests/_decks.py reads it)."""
    workerinput = getattr(config, "workerinput", None)
    os.environ[RUN_ENV] = workerinput["testrunuid"] if workerinput else uuid.uuid4().hex


def pytest_collection_modifyitems(config, items):
    items.sort(key=_rank)


def work_unit(nodeid: str) -> str:
    """What must run on one worker, in order, with ``nodeid``."""
    path = nodeid.split("::")[0]
    if path in FOLLOW_NOTEBOOK and nodeid.endswith("]"):
        return f"{FOLLOW_NOTEBOOK[path]}/{nodeid[nodeid.rindex('[') + 1:-1]}.ipynb"
    if path.endswith(".ipynb") or path.startswith(WHOLE_MODULES + DECKS):
        return path
    return nodeid


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    from xdist.scheduler import LoadScopeScheduling

    class CourseScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return work_unit(nodeid)

    return CourseScheduling(config, log)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    if _is_nbval(item) and call.when == "call":
        kernel = getattr(item.parent, "kernel", None)
        cpu = kernel_cpu_seconds(getattr(kernel, "km", None))
        if cpu is not None:
            outcome.get_result().user_properties.append(("kernel_cpu_s", cpu))


def notebook_of(report) -> str | None:
    """The notebook a test report measures, if any."""
    path = report.nodeid.split("::")[0]
    return dict(report.user_properties).get("notebook") or (path if path.endswith(".ipynb") else None)


def pytest_runtest_logreport(report):
    path = notebook_of(report)
    if path is None:
        return
    properties = dict(report.user_properties)
    if path.endswith(".ipynb") and path == report.nodeid.split("::")[0]:
        _wall[path] += report.duration                      # nbval: the cells' own times
    elif report.when == "call" and "notebook_wall_s" in properties:
        _wall[path] = properties["notebook_wall_s"]
    if properties.get("kernel_cpu_s") is not None:
        _cpu[path] = max(_cpu.get(path, 0.0), properties["kernel_cpu_s"])


def _spent(path: str) -> float:
    return _cpu.get(path, _wall.get(path, 0.0))


def pytest_terminal_summary(terminalreporter):
    if not _wall:
        return
    terminalreporter.section(f"notebook execution (budget {NOTEBOOK_BUDGET_S:.0f} s each, "
                             "counted as the kernel's CPU time)")
    for path in sorted(_wall):
        cpu = f"{_cpu[path]:6.1f} s CPU" if path in _cpu else "   (no CPU)"
        flag = "  OVER BUDGET" if _spent(path) > NOTEBOOK_BUDGET_S else ""
        terminalreporter.write_line(f"{cpu}  {_wall[path]:6.1f} s wall  {path}{flag}")


def _labs_snapshot() -> dict[str, str]:
    labs = ROOT / "labs"
    return {str(p.relative_to(ROOT)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(labs.rglob("*")) if p.is_file()} if labs.is_dir() else {}


_LABS = pytest.StashKey[dict]()


def pytest_sessionstart(session):
    if not WORKER:
        session.config.stash[_LABS] = _labs_snapshot()


def pytest_sessionfinish(session, exitstatus):
    if WORKER:
        return
    over = [p for p in _wall if _spent(p) > NOTEBOOK_BUDGET_S]
    before = session.config.stash.get(_LABS, None)
    after = _labs_snapshot()
    changed = sorted(p for p in set(before or {}) | set(after)
                     if before is not None and before.get(p) != after.get(p))
    if changed:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line(f"error: the tests changed files in labs/ (students' work lives "
                                f"there): {', '.join(changed)}", red=True)
    if (over or changed) and session.exitstatus == 0:
        session.exitstatus = 1
