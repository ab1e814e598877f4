"""tools/patch_rise.py: the two mends of jupyterlab-rise's built app, on copies of its text."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import patch_rise  # noqa: E402


@pytest.fixture
def app(tmp_path) -> Path:
    """A folder with the two built files, each holding its text to mend once amid other code."""
    for mend in patch_rise.MENDS:
        (tmp_path / mend.file).write_text(f"var a=1;{mend.old}var b=2;", encoding="utf-8")
    return tmp_path


def test_both_mends_apply_once_and_leave_the_rest(app):
    assert len(patch_rise.unmended(app)) == 2
    patch_rise.apply(app)
    assert patch_rise.unmended(app) == []
    for mend in patch_rise.MENDS:
        text = (app / mend.file).read_text()
        assert text == f"var a=1;{mend.new}var b=2;"
    patch_rise.apply(app)  # again: nothing changes
    assert all((app / m.file).read_text().count(m.new) == 1 for m in patch_rise.MENDS)


def test_a_mend_writes_a_new_file_so_hard_links_keep_the_old_text(app):
    mend = patch_rise.MENDS[0]
    os.link(app / mend.file, app / "elsewhere.js")
    patch_rise.apply(app)
    assert mend.old in (app / "elsewhere.js").read_text()
    assert mend.new in (app / mend.file).read_text()


def test_a_file_without_the_text_to_mend_is_refused(app):
    (app / patch_rise.MENDS[1].file).write_text("something else entirely")
    with pytest.raises(RuntimeError, match="does not hold the text to mend"):
        patch_rise.apply(app)


def test_the_speaker_view_mend_keeps_the_string_it_sits_in_intact():
    """The speaker view's page is a double-quoted JavaScript string: no double quote, backslash
    or line break may enter it, and a // comment would swallow the rest of the line."""
    inserted = patch_rise.MENDS[1].new.removeprefix(patch_rise.MENDS[1].old)
    assert not set(inserted) & {'"', "\\", "\n"} and "//" not in inserted.replace("/*", "").replace("*/", "")


def test_the_installed_app_is_mended_or_a_clear_error_says_why():
    try:
        missing = patch_rise.unmended()
    except RuntimeError as error:
        assert "jupyterlab-rise" in str(error)
    else:
        assert missing == [], f"run `make` (tools/patch_rise.py): {missing}"
