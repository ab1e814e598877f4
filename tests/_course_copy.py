"""A throwaway copy of the course for tests that run `make` or `git` on it, never on the real
repository: its files as they are in this working tree, with `.venv` linked to this one's."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GIT_ENV = {"GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.org",
           "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "test@example.org",
           "GIT_CONFIG_NOSYSTEM": "1", "GIT_TERMINAL_PROMPT": "0"}


def course_files() -> list[str]:
    """The repository's files (tracked, and new ones git does not ignore) that exist."""
    out = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                         cwd=ROOT, capture_output=True, text=True, check=True).stdout
    return sorted(p for p in set(out.split("\0")) if p and (ROOT / p).is_file())


def link_environment(copy: Path) -> None:
    """Use this repository's installed environment in ``copy`` without reinstalling it: the
    stamp make checks must stay newer than the copy's requirements."""
    (copy / ".venv").symlink_to(ROOT / ".venv")
    if (ROOT / "node_modules").exists():
        (copy / "node_modules").symlink_to(ROOT / "node_modules")
    for name in ("requirements.txt", "pyproject.toml", "package.json", "package-lock.json"):
        if (copy / name).exists():
            os.utime(copy / name, (0, 0))


def copy_course(dest: Path, environment: bool = True) -> Path:
    for path in course_files():
        (dest / path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / path, dest / path)
    if environment:
        link_environment(dest)
    return dest


def git(cwd: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=check,
                          env={**os.environ, **GIT_ENV})


def make(cwd: Path, *args: str, timeout: float = 300, env: dict | None = None,
         **kwargs) -> subprocess.CompletedProcess:
    if shutil.which("make") is None:
        from tests._browser import unavailable
        unavailable("make", "install it (sudo apt-get install make)")
    return subprocess.run(["make", "--no-print-directory", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=timeout, env=env or {**os.environ, **GIT_ENV}, **kwargs)


def stop(process: subprocess.Popen, sig: int = signal.SIGTERM, timeout: float = 60) -> None:
    """Send ``sig`` to the process group this test started with ``process`` (as a terminal's
    Ctrl-C does with SIGINT); kill the group if it has not ended within ``timeout``."""
    os.killpg(process.pid, sig)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
