"""`make lab` as a student runs it, on a copy of the course (issue 16).

Its kernels are the course's Python even with a decoy `python3` kernelspec on the Jupyter
path; its banner names the real URL when the port asked for is taken; a second `make lab`
finds the running server instead of starting another on the next port; and opening a lab
in it does not mark the lab changed (so autosave never rewrites a lab a student only read).
"""
from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import time
import urllib.request

import pytest
from jupyter_client import BlockingKernelClient

from tests._browser import launch, sync_playwright
from tests._course_copy import GIT_ENV, copy_course, make, stop
from tests.test_course_kernel import plant_decoy

pytestmark = pytest.mark.slow
BANNER = re.compile(r"JupyterLab is starting on the course: (http://127\.0\.0\.1:(\d+)/lab\?token=(\w+))")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.loads(response.read())


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """`make lab PORT=P` on a copy of the course, P taken by another program, a decoy
    kernelspec planted; yields what the test needs and stops the server afterwards."""
    tmp = tmp_path_factory.mktemp("make-lab")
    course = copy_course(tmp / "course")
    marker, decoy_env = plant_decoy(tmp, "JUPYTER_PATH")
    runtime = tmp / "runtime"
    env = {**os.environ, **GIT_ENV, **decoy_env, "JUPYTER_RUNTIME_DIR": str(runtime),
           "JUPYTER_PREFER_ENV_PATH": "0", "BROWSER": "true"}
    env.pop("JUPYTER_TOKEN", None)
    squatter = socket.socket()
    squatter.bind(("127.0.0.1", 0))
    squatter.listen()
    wanted = squatter.getsockname()[1]
    server = subprocess.Popen(["make", "--no-print-directory", "-o", ".venv/.installed", "lab",
                               f"PORT={wanted}"], cwd=course, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, start_new_session=True)
    lines, match, deadline = [], None, time.time() + 180
    while match is None and time.time() < deadline and server.poll() is None:
        line = server.stdout.readline()
        lines.append(line)
        match = BANNER.search(line)
    while match is not None and "Ctrl-C" not in lines[-1] and server.poll() is None:
        lines.append(server.stdout.readline())   # the rest of the banner
    try:
        if match is None:
            pytest.fail("`make lab` printed no banner with the server's URL:\n" + "".join(lines)[-3000:])
        url, port, token = match.group(1), int(match.group(2)), match.group(3)
        base = f"http://127.0.0.1:{port}"
        while True:
            try:
                _get(f"{base}/api/status?token={token}")
                break
            except OSError:
                if time.time() > deadline or server.poll() is not None:
                    pytest.fail("JupyterLab did not answer at the URL of the banner:\n" + "".join(lines))
                time.sleep(0.5)
        yield {"course": course, "env": env, "url": url, "base": base, "port": port,
               "token": token, "wanted": wanted, "marker": marker, "runtime": runtime,
               "banner": "".join(lines)}
    finally:
        stop(server)
        squatter.close()


def test_the_banner_names_the_real_url_when_the_port_is_taken(lab):
    assert lab["port"] != lab["wanted"]
    assert f"port {lab['wanted']} is taken" in lab["banner"]
    assert _get(f"{lab['base']}/api/status?token={lab['token']}")["started"]


def test_kernels_are_the_course_python_despite_a_decoy_kernelspec(lab):
    spec = _get(f"{lab['base']}/api/kernelspecs?token={lab['token']}")["kernelspecs"]["python3"]
    assert "other-python" not in spec["spec"]["argv"][0], spec["spec"]["argv"]
    request = urllib.request.Request(f"{lab['base']}/api/kernels?token={lab['token']}",
                                     data=b'{"name": "python3"}', method="POST",
                                     headers={"Content-Type": "application/json"})
    kernel = json.loads(urllib.request.urlopen(request, timeout=60).read())
    # The server reports a kernel "idle" only once it has seen the kernel answer a request on
    # its iopub channel (the kernel's own "starting" goes out before the server listens), so
    # ask the kernel for its info until the server has seen an answer.
    client = BlockingKernelClient(connection_file=str(lab["runtime"] / f"kernel-{kernel['id']}.json"))
    client.load_connection_file()
    client.start_channels(hb=False)
    try:
        deadline = time.time() + 60
        while _get(f"{lab['base']}/api/kernels/{kernel['id']}?token={lab['token']}")[
                "execution_state"] not in ("idle", "busy") and time.time() < deadline:
            client.kernel_info()
            time.sleep(0.5)
    finally:
        client.stop_channels()
    state = _get(f"{lab['base']}/api/kernels/{kernel['id']}?token={lab['token']}")["execution_state"]
    assert state in ("idle", "busy"), f"the kernel never started (state {state!r} after 60 s)"
    assert not lab["marker"].exists(), "JupyterLab started the decoy kernelspec's interpreter"


def test_a_second_make_lab_reuses_the_running_server(lab):
    again = make(lab["course"], "-o", ".venv/.installed", "lab", f"PORT={lab['wanted']}",
                 timeout=120, env=lab["env"])
    assert again.returncode == 0, again.stdout + again.stderr
    assert "already running on this course" in again.stdout
    assert f"127.0.0.1:{lab['port']}/lab?token={lab['token']}" in again.stdout
    assert len(list(lab["runtime"].glob("jpserver-*.json"))) == 1, "a second server started"


def test_opening_a_lab_or_a_lecture_does_not_mark_it_changed(lab):
    """JupyterLab marks a notebook changed (and autosave then writes it) when the kernel's
    metadata differs from the file's; the lab's bytes must survive being opened."""
    lab_file = lab["course"] / "labs" / "02_char_rnn.ipynb"
    before = lab_file.read_bytes()
    paths = ("labs/02_char_rnn.ipynb", "lectures/03_rnns_in_pytorch.ipynb")
    with sync_playwright() as playwright:
        browser = launch(playwright)
        pages = [browser.new_page(viewport={"width": 1280, "height": 720}) for _ in paths]
        for index, (path, page) in enumerate(zip(paths, pages)):   # both open at once
            page.goto(f"{lab['base']}/lab/workspaces/w{index}/tree/{path}?token={lab['token']}&reset")
        for page in pages:
            page.wait_for_selector(".jp-NotebookPanel:visible .jp-Notebook", timeout=120_000)
            page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=120_000)
        pages[-1].wait_for_timeout(3_000)                 # each page 3 s after its kernel is idle
        for path, page in zip(paths, pages):
            dirty = page.locator(".lm-TabBar-tab.jp-mod-current.jp-mod-dirty").count()
            assert dirty == 0, f"opening {path} marked it changed: autosave would rewrite it"
        browser.close()
    assert lab_file.read_bytes() == before
