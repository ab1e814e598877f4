"""Run the course on a JupyterHub on this machine, for a small class or a test.

    python tools/hub.py [--port 8000] [--repo URL] [--state build/hub]   # make hub

Starts JupyterHub (tools/hub/jupyterhub_config.py) with configurable-http-proxy from
node_modules, a local test authenticator (any user name, one shared password) and each user's
server from the course's environment, then prints the nbgitpuller link that puts the course
into a user's home. Ctrl-C stops the hub and every user's server.
"""
from __future__ import annotations

import argparse
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "tools" / "hub" / "jupyterhub_config.py"
PROXY = ROOT / "node_modules" / ".bin" / "configurable-http-proxy"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pull_link(base: str, repo: str, branch: str = "main", target: str = "rnn-course") -> str:
    """The nbgitpuller link that clones (first time) or merges (later) ``repo`` into the
    user's ``target`` folder and opens the course's README in JupyterLab."""
    query = urllib.parse.urlencode({"repo": repo, "branch": branch, "targetpath": target,
                                    "urlpath": f"lab/tree/{target}/README.md"})
    return f"{base}/hub/user-redirect/git-pull?{query}"


@dataclass
class Hub:
    process: subprocess.Popen
    url: str
    token: str
    password: str
    state: Path

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)      # the hub stops the users' servers too
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                self.process.kill()


def start(state: Path, port: int | None = None, log=None, timeout: float = 120) -> Hub:
    """Start the hub with its state (database, secret, homes) in ``state``; wait until it
    answers. Raises RuntimeError naming what is missing or the hub's last log lines."""
    if not PROXY.exists():
        raise RuntimeError(f"{PROXY} is missing: run `npm ci` (make installs it)")
    state.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    token, password = secrets.token_hex(16), secrets.token_hex(8)
    env = {**os.environ, "COURSE_HUB_STATE": str(state.resolve()), "COURSE_HUB_PORT": str(port),
           "COURSE_HUB_API_PORT": str(free_port()), "COURSE_HUB_PROXY_PORT": str(free_port()),
           "COURSE_HUB_TOKEN": token, "COURSE_HUB_PASSWORD": password,
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    log_path = state / "jupyterhub.log"
    process = subprocess.Popen([sys.executable, "-m", "jupyterhub", "-f", str(CONFIG)],
                               cwd=state, env=env, stdout=log or open(log_path, "w"),
                               stderr=subprocess.STDOUT)
    hub = Hub(process, f"http://127.0.0.1:{port}", token, password, state)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"JupyterHub exited ({process.returncode}); see {log_path}")
        try:
            urllib.request.urlopen(f"{hub.url}/hub/api", timeout=5)
            return hub
        except OSError:
            time.sleep(1)
    hub.stop()
    raise RuntimeError(f"JupyterHub did not answer within {timeout:.0f} s; see {log_path}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--repo", default=f"file://{ROOT}",
                        help="the course's git repository (default: this checkout)")
    parser.add_argument("--state", type=Path, default=ROOT / "build" / "hub")
    args = parser.parse_args(argv)
    try:
        hub = start(args.state, args.port, log=sys.stderr)
    except RuntimeError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"\nJupyterHub: {hub.url}  (any user name; password: {hub.password})")
    print(f"course link (send it to the class): {pull_link(hub.url, args.repo)}")
    print("Ctrl-C stops the hub and every user's server.", flush=True)
    try:
        hub.process.wait()
    except KeyboardInterrupt:
        hub.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
