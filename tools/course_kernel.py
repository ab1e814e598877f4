"""Execute notebooks in the course's own Python, with bounded waits.

Every tool and test that executes a notebook with nbclient goes through :func:`run_notebook`:

- The kernel is the interpreter running this code (the course's ``.venv``), whatever the
  notebook's kernelspec says. A kernelspec named ``python3`` elsewhere on the Jupyter path (a
  conda or system Jupyter often puts one in ``~/.local/share/jupyter`` or ``JUPYTER_PATH``)
  would otherwise replace the course's environment without a word.
- No cell runs longer than :data:`CELL_TIMEOUT` seconds: a hung cell fails, naming the
  notebook, the cell and its first line.
- A kernel that does not start, or does not answer a first trivial request, within
  :data:`STARTUP_TIMEOUT` seconds is replaced once by a fresh one, with a message.

nbval (``make test``) gets the same guarantees from its options in pyproject.toml
(``--nbval-current-env``, ``--nbval-cell-timeout``); ``make lab`` from ``tools/serve_lab.py``.
"""
from __future__ import annotations

import atexit
import copy
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import ipykernel.kernelspec
import nbformat
from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError
from traitlets import default

CELL_TIMEOUT = int(os.environ.get("COURSE_CELL_TIMEOUT", "180"))      # seconds per cell
STARTUP_TIMEOUT = int(os.environ.get("COURSE_STARTUP_TIMEOUT", "60"))  # seconds to a first answer
ATTEMPTS = 2


def course_kernel_spec() -> KernelSpec:
    """The kernelspec of the interpreter running this code: ``sys.executable -m ipykernel``."""
    return KernelSpec(resource_dir=ipykernel.kernelspec.RESOURCES,
                      **ipykernel.kernelspec.get_kernel_dict())


class CourseKernelSpecManager(KernelSpecManager):
    """Answers a request for any kernel name with the course's own interpreter."""

    def get_kernel_spec(self, kernel_name: str) -> KernelSpec:
        return course_kernel_spec()


class CourseKernelManager(AsyncKernelManager):
    """nbclient's kernel manager, starting only the course's own interpreter."""

    @default("kernel_spec_manager")
    def _course_spec_manager(self) -> KernelSpecManager:
        return CourseKernelSpecManager(data_dir=self.data_dir)


class KernelDidNotAnswer(RuntimeError):
    """The kernel did not start, or did not answer a first request, in time."""


class NotebookFailed(RuntimeError):
    """A cell raised an error or ran past its timeout; the message names the cell."""


@dataclass
class Execution:
    """What :func:`run_notebook` measured: the kernel's CPU seconds (user + sys, None where
    /proc is missing), the wall seconds and how many kernels it took (2 after a retry)."""

    cpu_seconds: float | None = None
    peak_rss_mb: float | None = None
    wall_seconds: float = 0.0
    attempts: int = 1
    messages: list[str] = field(default_factory=list)


def kernel_cpu_seconds(km) -> float | None:
    """CPU seconds (user + sys, its children included) the kernel of ``km`` has used so far."""
    pid = getattr(getattr(km, "provisioner", None), "pid", None)
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError, TypeError):
        return None
    utime, stime, cutime, cstime = (int(v) for v in fields[11:15])
    return (utime + stime + cutime + cstime) / os.sysconf("SC_CLK_TCK")


def kernel_peak_rss_mb(km) -> float | None:
    """The kernel's peak resident memory so far (VmHWM, MiB; None where /proc is missing)."""
    pid = getattr(getattr(km, "provisioner", None), "pid", None)
    try:
        line = next(l for l in Path(f"/proc/{pid}/status").read_text().splitlines()
                    if l.startswith("VmHWM:"))
    except (OSError, StopIteration, TypeError):
        return None
    return int(line.split()[1]) / 1024


def _first_line(source: str) -> str:
    return next((line.strip() for line in source.splitlines() if line.strip()), "(empty)")[:80]


def _client(nb, cwd: Path, cell_timeout: int, startup_timeout: int, state: dict,
            **options) -> NotebookClient:
    client = NotebookClient(nb, timeout=cell_timeout, startup_timeout=startup_timeout,
                            kernel_name="python3", kernel_manager_class=CourseKernelManager,
                            resources={"metadata": {"path": str(cwd)}}, record_timing=False,
                            **options)

    async def handshake(notebook) -> None:
        # A kernel has been seen to never answer its first execute request (both sides idle
        # in epoll): ask something trivial first, with a short deadline.
        try:
            await client.kc.execute_interactive("pass", silent=True, store_history=False,
                                                timeout=startup_timeout)
        except TimeoutError:
            atexit.unregister(client._cleanup_kernel)
            await client._async_cleanup_kernel()
            raise KernelDidNotAnswer(f"no answer to a first request within {startup_timeout} s") \
                from None

    def cell_started(cell, cell_index) -> None:
        state["cell"] = (cell_index, cell)

    def cell_executed(cell, cell_index, execute_reply) -> None:
        state["cpu"] = kernel_cpu_seconds(client.km)
        state["rss"] = kernel_peak_rss_mb(client.km)

    client.on_notebook_start = handshake
    client.on_cell_start = cell_started
    client.on_cell_executed = cell_executed
    return client


def run_notebook(nb: nbformat.NotebookNode, cwd: Path, name: str, *,
                 cell_timeout: int | None = None, startup_timeout: int | None = None,
                 log=None, **options) -> Execution:
    """Execute ``nb`` in place in the course's kernel, with ``cwd`` as its working folder.

    ``name`` (e.g. "lectures/02_training_rnns.ipynb") names the notebook in messages.
    ``options`` go to nbclient's NotebookClient (``allow_errors``, ``store_widget_state``).
    Raises :class:`NotebookFailed` naming the cell when a cell fails or times out, and
    :class:`KernelDidNotAnswer` when two kernels in a row never answered.
    """
    cell_timeout = CELL_TIMEOUT if cell_timeout is None else cell_timeout
    startup_timeout = STARTUP_TIMEOUT if startup_timeout is None else startup_timeout
    log = log or (lambda text: print(text, file=sys.stderr, flush=True))
    original = copy.deepcopy(nb)
    result = Execution()
    start = time.perf_counter()
    for attempt in range(1, ATTEMPTS + 1):
        state: dict = {}
        work = copy.deepcopy(original)
        client = _client(work, cwd, cell_timeout, startup_timeout, state, **options)
        try:
            client.execute()
        except (CellExecutionError, CellTimeoutError) as error:
            raise _named(error, name, state, cell_timeout) from None
        except (KernelDidNotAnswer, RuntimeError) as error:
            if not _is_startup_failure(error):
                raise _named(error, name, state, cell_timeout) from None
            message = (f"{name}: the kernel did not answer ({error}); "
                       + ("starting a fresh kernel (attempt 2 of 2)" if attempt < ATTEMPTS
                          else "giving up"))
            result.messages.append(message)
            log(message)
            if attempt == ATTEMPTS:
                raise KernelDidNotAnswer(message) from None
            continue
        nb.clear()
        nb.update(work)
        result.attempts = attempt
        result.cpu_seconds = state.get("cpu")
        result.peak_rss_mb = state.get("rss")
        result.wall_seconds = time.perf_counter() - start
        return result
    raise AssertionError("unreachable")


def _is_startup_failure(error: Exception) -> bool:
    return isinstance(error, KernelDidNotAnswer) or "didn't respond" in str(error) \
        or "Kernel died before replying to kernel_info" in str(error)


def _named(error: Exception, name: str, state: dict, cell_timeout: int) -> NotebookFailed:
    index, cell = state.get("cell", (None, None))
    where = f"{name}, cell {index}" if index is not None else name
    first = f" (first line: {_first_line(cell.source)})" if cell is not None else ""
    if isinstance(error, CellTimeoutError):
        return NotebookFailed(f"{where}{first}: still running after {cell_timeout} s, so it was "
                              "stopped. A cell that needs this long is over the course's budget "
                              "(90 s for a whole notebook); one that waits for input or loops "
                              "forever is a bug.")
    return NotebookFailed(f"{where}{first} failed:\n{error}")
