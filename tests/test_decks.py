"""tests/_decks.py: each lecture is executed and exported once per test run, whichever test on
whichever xdist worker asks first; a deck from an earlier run is never taken for this one's, and
a failed execution is reported to every test that reads the deck."""
from __future__ import annotations

import multiprocessing
import os
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests import _decks


def _fake_export(lecture: Path, out: Path, run: bool = True):
    """Stands for export_slides.run_and_export: logs the call and takes a moment, as an
    execution does, so that concurrent callers overlap."""
    with open(out / "exports.log", "a") as log:
        log.write(f"{lecture.stem} {os.getpid()}\n")
    time.sleep(1.0)
    if lecture.stem.startswith("99"):
        raise RuntimeError("cell 3 raised ValueError")
    (out / f"{lecture.stem}.slides.html").write_text("deck")
    return f"{lecture.stem}.slides.html", SimpleNamespace(cpu_seconds=1.5, wall_seconds=2.0,
                                                          attempts=1, messages=[])


@pytest.fixture
def decks(tmp_path, monkeypatch):
    """_decks on a folder of its own, three lectures, the export faked, one run id."""
    lectures = [tmp_path / "lectures" / f"0{n}_x.ipynb" for n in (1, 2, 3)]
    monkeypatch.setattr(_decks, "SLIDES", tmp_path / "slides")
    monkeypatch.setattr(_decks, "STATE", tmp_path / "slides" / ".tests")
    monkeypatch.setattr(_decks, "LECTURES", lectures)
    monkeypatch.setattr(_decks.export_slides, "run_and_export", _fake_export)
    monkeypatch.setattr(_decks.export_slides, "copy_assets", lambda out: None)
    monkeypatch.setattr(_decks.export_slides, "write_index", lambda out: (out / "index.html").write_text("home"))
    monkeypatch.setenv(_decks.RUN_ENV, "run-1")
    (tmp_path / "slides").mkdir()
    return _decks


def _exports(decks) -> list[str]:
    log = decks.SLIDES / "exports.log"
    return sorted(line.split()[0] for line in log.read_text().splitlines()) if log.exists() else []


def _together(start) -> None:
    """In a forked process (where the fixture's patches hold): wait for the others, then ask."""
    start.wait()
    _decks.all_decks()


def test_a_lecture_is_exported_once_a_run(decks):
    first = decks.deck(decks.LECTURES[0])
    assert first["deck"] == "01_x.slides.html" and first["cpu_s"] == 1.5 and first["error"] is None
    assert decks.deck(decks.LECTURES[0]) == first
    assert _exports(decks) == ["01_x"]


def test_a_deck_from_an_earlier_run_is_made_again(decks, monkeypatch):
    decks.deck(decks.LECTURES[0])
    monkeypatch.setenv(decks.RUN_ENV, "run-2")
    assert decks.deck(decks.LECTURES[0])["run"] == "run-2"
    assert _exports(decks) == ["01_x", "01_x"]


def test_workers_that_all_need_every_deck_share_the_work(decks):
    """Three processes (as three xdist workers) ask for every deck at once: each lecture is
    exported exactly once, each by a different process (a lecture another one is exporting is
    left to it), and a later call gets every record without exporting anything."""
    context = multiprocessing.get_context("fork")
    start = context.Barrier(3)   # all three ask at the same moment, however loaded the machine
    workers = [context.Process(target=_together, args=(start,)) for _ in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
        assert worker.exitcode == 0
    assert _exports(decks) == ["01_x", "02_x", "03_x"]
    exporters = {line.split()[1] for line in (decks.SLIDES / "exports.log").read_text().splitlines()}
    assert len(exporters) == 3, "a worker waited for another's export instead of taking the next lecture"
    assert [r["deck"] for r in decks.all_decks()] == ["01_x.slides.html", "02_x.slides.html", "03_x.slides.html"]
    assert _exports(decks) == ["01_x", "02_x", "03_x"], "a finished export was run again"


def test_a_failed_execution_fails_every_test_that_needs_the_deck(decks):
    broken = decks.LECTURES[0].with_name("99_broken.ipynb")
    record = decks.deck(broken)
    assert record["deck"] is None and "cell 3 raised ValueError" in record["error"]
    with pytest.raises(pytest.fail.Exception, match="cell 3 raised ValueError"):
        decks.require(broken)
    assert _exports(decks) == ["99_broken"], "the failed export was run again"
