"""The course on a real JupyterHub (issue 21): three users, the course pulled into each home
with nbgitpuller from a local repository, lab 01's solution run in each user's own server, and
an update that keeps a student's edit and brings the new files."""
from __future__ import annotations

import asyncio
import json
import sys
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import nbformat
import pytest
from tornado.httpclient import HTTPRequest
from tornado.websocket import websocket_connect

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import hub as course_hub  # noqa: E402
from tests._course_copy import copy_course, git  # noqa: E402

USERS = ("ada", "bo", "cy")
TARGET = "rnn-course"
LAB = "labs/03_sequence_classification.ipynb"
SOLUTION = f"{TARGET}/solutions/01_rnn_from_scratch.ipynb"


def api(hub, method: str, path: str, body=None, token=None, timeout=120):
    request = urllib.request.Request(
        f"{hub.url}{path}", method=method, data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": f"token {token or hub.token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        text = response.read().decode()
    return json.loads(text) if text.strip().startswith(("{", "[")) else text


def pull(hub, user: str, token: str, repo: str) -> list[dict]:
    """nbgitpuller's own sync endpoint (what the course link's page calls); its events."""
    query = urllib.parse.urlencode({"repo": repo, "branch": "main", "targetpath": TARGET})
    events = [json.loads(line[len("data:"):]) for line in
              api(hub, "GET", f"/user/{user}/git-pull/api?{query}", token=token, timeout=300)
              .splitlines() if line.startswith("data:")]
    assert events and events[-1].get("phase") == "finished", f"{user}: the pull failed: {events}"
    return events


async def run_notebook(hub, user: str, token: str, path: str) -> list[str]:
    """Run every code cell of ``path`` in a kernel of ``user``'s server; return the errors."""
    session = api(hub, "POST", f"/user/{user}/api/sessions", token=token,
                  body={"path": path, "type": "notebook", "kernel": {"name": "python3"}})
    kernel = session["kernel"]["id"]
    ws = await websocket_connect(HTTPRequest(    # JupyterHub takes no token in a URL
        f"{hub.url.replace('http', 'ws')}/user/{user}/api/kernels/{kernel}/channels",
        headers={"Authorization": f"token {token}"}))
    cells = [c.source for c in nbformat.reads(
        api(hub, "GET", f"/user/{user}/api/contents/{path}?content=1&format=text&type=file",
            token=token)["content"], as_version=4).cells if c.cell_type == "code"]
    errors = []
    try:
        for source in cells:
            msg_id = uuid.uuid4().hex
            await ws.write_message(json.dumps({
                "header": {"msg_id": msg_id, "msg_type": "execute_request", "username": user,
                           "session": uuid.uuid4().hex, "version": "5.3"},
                "parent_header": {}, "metadata": {}, "channel": "shell",
                "content": {"code": source, "silent": False, "store_history": False,
                            "user_expressions": {}, "allow_stdin": False}}))
            while True:
                message = json.loads(await asyncio.wait_for(ws.read_message(), 300))
                if message.get("parent_header", {}).get("msg_id") != msg_id:
                    continue
                if message["msg_type"] == "error":
                    errors.append(f"{source.splitlines()[0]}: {message['content']['evalue']}")
                if message["msg_type"] == "execute_reply":
                    break
    finally:
        ws.close()
        api(hub, "DELETE", f"/user/{user}/api/sessions/{session['id']}", token=token)
    return errors


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    base = tmp_path_factory.mktemp("hub")
    author = copy_course(base / "author")                 # the course as its authors publish it
    git(author, "init", "-q", "-b", "main")
    git(author, "add", "-A")
    git(author, "commit", "-qm", "version 1")
    git(base, "clone", "-q", "--bare", str(author), "course.git")
    git(author, "remote", "add", "origin", str(base / "course.git"))
    running = course_hub.start(base / "state")
    running.author, running.repo = author, f"file://{base / 'course.git'}"
    try:
        yield running
    finally:
        running.stop()


def test_three_students_get_the_course_run_a_lab_and_keep_their_work_across_an_update(hub):
    tokens = {}
    for user in USERS:
        api(hub, "POST", f"/hub/api/users/{user}")
        api(hub, "POST", f"/hub/api/users/{user}/server")
        tokens[user] = api(hub, "POST", f"/hub/api/users/{user}/tokens",
                           body={"note": "test", "expires_in": 3600})["token"]
    for user in USERS:                                    # the server answers once it is up
        for _ in range(120):
            if api(hub, "GET", f"/hub/api/users/{user}")["servers"].get("", {}).get("ready"):
                break
            asyncio.run(asyncio.sleep(1))
        else:
            pytest.fail(f"{user}'s server never became ready; see {hub.state}/jupyterhub.log")
        pull(hub, user, tokens[user], hub.repo)
        home = hub.state / "home" / user / TARGET
        assert (home / LAB).exists() and (home / "course_utils").is_dir(), f"{user}: no course"

    async def all_run():
        return await asyncio.gather(*(run_notebook(hub, u, tokens[u], SOLUTION) for u in USERS))
    for user, errors in zip(USERS, asyncio.run(all_run())):
        assert errors == [], f"lab 01's solution failed in {user}'s server: {errors}"

    lab = hub.state / "home" / "ada" / TARGET / LAB      # ada edits a lab ...
    mine = nbformat.read(lab, as_version=4)
    mine.cells.append(nbformat.v4.new_code_cell("my_answer = 42"))
    nbformat.write(mine, lab)
    edited = lab.read_bytes()
    author = hub.author                                   # ... the authors publish version 2
    theirs = nbformat.read(author / LAB, as_version=4)
    theirs.cells.insert(1, nbformat.v4.new_markdown_cell("Revised for version 2."))
    nbformat.write(theirs, author / LAB)
    (author / "NEWS.md").write_text("Version 2.\n")
    git(author, "add", "-A")
    git(author, "commit", "-qm", "version 2")
    git(author, "push", "-q", "origin", "main")

    for user in ("ada", "bo"):
        pull(hub, user, tokens[user], hub.repo)
    home = hub.state / "home"
    assert lab.read_bytes() == edited, "nbgitpuller changed ada's edited lab"
    nbformat.read(lab, as_version=4)                      # still one valid notebook
    assert (home / "ada" / TARGET / "NEWS.md").exists(), "the new files did not reach ada"
    assert (home / "bo" / TARGET / LAB).read_bytes() == (author / LAB).read_bytes(), \
        "bo, who did not edit the lab, did not get its new version"
