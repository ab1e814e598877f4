"""Shared helpers for the tests that drive headless Chromium."""
from __future__ import annotations

import os
import shutil

import pytest

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def unavailable(what: str, how: str) -> None:
    """Fail under CI (a test that cannot run must not pass); elsewhere skip, saying what to install."""
    message = f"{what} is not available: {how}"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def chromium_path() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        unavailable("Chromium", "install Debian's package: sudo apt-get install chromium (or `make chromium` as root)")
    return path


def launch(playwright):
    return playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)


def sync_playwright():
    try:
        from playwright.sync_api import sync_playwright as factory
    except ImportError:
        unavailable("playwright", "pip install playwright (it is in requirements.txt; run `make test`)")
    return factory()
