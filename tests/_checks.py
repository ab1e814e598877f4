"""Helpers shared by the tests of the exercise checks."""
from __future__ import annotations

import pytest

from course_utils import CheckFailed


def stub(*args, **kwargs):
    """An exercise as handed out."""
    raise NotImplementedError("not implemented yet: replace this line with your code")


def rejects(check, wrong, *words: str) -> str:
    """Assert ``check`` fails on ``wrong`` with a message naming the check and holding ``words``."""
    with pytest.raises(CheckFailed, match=check.__name__) as info:
        check(wrong)
    for word in words:
        assert word in info.value.message, info.value.message
    return info.value.message
