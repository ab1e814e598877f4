"""The exported decks and handouts the deck tests read: made once per test run, by whichever
test needs them first, on whichever pytest-xdist worker it runs.

Each lecture is executed and exported (tools/export_slides.py, as `make slides` does) under a
file lock of its own; a record of the export (build/slides/.tests/NN_name.json) names the test
run that made it, so another worker, or a later test, reads the record instead of executing the
lecture again, and a deck from an earlier run is never taken for this run's. The handouts are
printed once per run in the same way. Tests can therefore run in any order and on any worker:
tests/test_lectures.py checks what the export of a lecture found, whoever ran it.
"""
from __future__ import annotations

import fcntl
import json
import os
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import export_slides  # noqa: E402
from tests._browser import chromium_path, sync_playwright, unavailable  # noqa: E402

SLIDES = ROOT / "build" / "slides"
STATE = SLIDES / ".tests"
LECTURES = sorted((ROOT / "lectures").glob("[0-9]*.ipynb"))
RUN_ENV = "COURSE_TEST_RUN"   # conftest.py sets it: one value shared by every xdist worker


def run_id() -> str:
    """This test run's id (conftest.py sets it; a run without conftest gets one of its own)."""
    return os.environ.setdefault(RUN_ENV, uuid.uuid4().hex)


@contextmanager
def _locked(name: str, wait: bool = True) -> Iterator[bool]:
    """Hold build/slides/.tests/<name>.lock; yields False at once if ``wait`` is False and
    another process holds it."""
    STATE.mkdir(parents=True, exist_ok=True)
    with open(STATE / f"{name}.lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _record(name: str) -> dict | None:
    """The record ``name`` if this run wrote it, else None."""
    path = STATE / f"{name}.json"
    if not path.exists():
        return None
    record = json.loads(path.read_text())
    return record if record.get("run") == run_id() else None


def _write(name: str, record: dict) -> dict:
    record = {"run": run_id(), **record}
    path = STATE / f"{name}.json"
    path.with_suffix(".tmp").write_text(json.dumps(record, indent=1))
    path.with_suffix(".tmp").replace(path)
    return record


def assets() -> None:
    """reveal.js, MathJax, the widget manager and the fonts in build/slides/assets (once a run)."""
    if not export_slides.NODE.is_dir():
        unavailable("node_modules (reveal.js, MathJax)", "run `make test`, which runs `npm ci`")
    with _locked("assets"):
        if _record("assets") is None:
            export_slides.copy_assets(SLIDES)
            _write("assets", {})


def deck(lecture: Path) -> dict:
    """Execute and export ``lecture`` (a path in lectures/) unless this run did already; return
    the export's record: ``deck`` (file name in build/slides), ``cpu_s`` and ``wall_s`` (the
    kernel's CPU time and the execution's wall time, seconds), ``error`` (why the execution
    failed, or None), ``by`` (the worker that ran it), ``kernels`` (2 when the first kernel never
    answered and was replaced) and ``messages`` (what the kernel runner said about that)."""
    assets()
    with _locked(lecture.stem):
        return _made(lecture)


def _made(lecture: Path) -> dict:
    """This run's record of ``lecture``, exporting it first if there is none (lock held)."""
    return _record(lecture.stem) or _export(lecture)


def _export(lecture: Path) -> dict:
    started = time.perf_counter()
    try:
        name, execution = export_slides.run_and_export(lecture, SLIDES)
    except Exception as error:  # noqa: BLE001  reported by every test that reads this deck
        return _write(lecture.stem, {"deck": None, "cpu_s": None, "wall_s": time.perf_counter() - started,
                                     "error": f"{type(error).__name__}: {error}", "by": _worker()})
    return _write(lecture.stem, {"deck": name, "cpu_s": execution.cpu_seconds,
                                 "wall_s": execution.wall_seconds, "error": None, "by": _worker(),
                                 "kernels": execution.attempts, "messages": execution.messages})


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


def all_decks() -> list[dict]:
    """Every lecture exported in this run, and the course home written; returns the records in
    lecture order. Lectures another worker is exporting now are left to it at first and waited
    for last, so two workers that both need every deck share the work."""
    assets()
    records: dict[Path, dict] = {}
    for lecture in LECTURES:
        with _locked(lecture.stem, wait=False) as mine:
            if mine:
                records[lecture] = _made(lecture)
    for lecture in LECTURES:
        if lecture not in records:
            records[lecture] = deck(lecture)
    with _locked("index"):
        if _record("index") is None:
            export_slides.write_index(SLIDES)
            _write("index", {})
    return [records[lecture] for lecture in LECTURES]


def failed(records: list[dict]) -> list[str]:
    """The errors of the exports in records (an empty list when each one ran)."""
    return [record["error"] for record in records if record["error"]]


def require(lecture: Path | None = None) -> None:
    """Export ``lecture`` (every lecture and the course home when None) unless this run did;
    fail the calling test, naming the lecture's error, if an execution failed."""
    problems = failed([deck(lecture)] if lecture else all_decks())
    if problems:
        pytest.fail("a lecture did not execute, so its deck is missing (tests/test_lectures.py "
                    "says more): " + "; ".join(problems))


def handouts() -> Path:
    """Every deck printed to build/slides/handouts and the course home rewritten to link them, as
    `make handouts` does, once a run; returns the handouts' folder."""
    import make_handouts

    require()
    chromium_path()     # skip, or fail under CI, without the browser (not sys.exit in make_handouts)
    sync_playwright()
    with _locked("handouts"):
        if _record("handouts") is None:
            assert make_handouts.main(["--slides", str(SLIDES)]) == 0, "make_handouts failed"
            _write("handouts", {})
    return SLIDES / export_slides.HANDOUTS
