"""Start JupyterLab on the course (`make lab` runs this), or say where it already runs.

    python tools/serve_lab.py [--port 8888] [JupyterLab options ...]

- One server per course folder: if a JupyterLab already serves this folder (Jupyter's runtime
  folder lists it, as `jupyter server list` does), no second one starts, since two servers
  on one folder save over each other's files; its URL is printed instead, to reuse it.
- The banner names the real URL, token included: the port asked for if it is free, else the
  next free one (JupyterLab is told not to move by itself).
- Kernels run the course's own Python: JUPYTER_PATH starts with this environment's
  share/jupyter, whose python3 kernelspec runs this interpreter, so that a kernelspec of the
  same name elsewhere (conda, a system Jupyter, ~/.local/share/jupyter) is not used instead.
"""
from __future__ import annotations

import argparse
import os
import secrets
import socket
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIRST_LECTURE = "lectures/01_sequences_and_the_recurrent_neuron.ipynb"
PORTS_TRIED = 50


def running_servers(root: Path = ROOT) -> list[dict]:
    """The live Jupyter servers (from the runtime folder) whose root is ``root``."""
    from jupyter_server.serverapp import list_running_servers

    found = []
    for info in list_running_servers():
        try:
            same = Path(info.get("root_dir", "")).resolve() == root.resolve()
        except OSError:
            same = False
        if same:
            found.append(info)
    return found


def server_url(info: dict, path: str = "lab") -> str:
    base = info.get("url", f"http://127.0.0.1:{info.get('port')}/").rstrip("/")
    base = base.replace("://localhost:", "://127.0.0.1:")
    token = info.get("token")
    return f"{base}/{path}" + (f"?token={token}" if token else "")


def free_port(wanted: int, host: str = "127.0.0.1") -> int:
    """``wanted`` if nothing listens there, else the next port that is free."""
    for port in range(wanted, wanted + PORTS_TRIED):
        with socket.socket() as probe:
            try:
                probe.bind((host, port))
            except OSError:
                continue
            return port
    raise SystemExit(f"error: ports {wanted} to {wanted + PORTS_TRIED - 1} are all taken; "
                     "run `make lab PORT=...` with another one")


def course_jupyter_path() -> str:
    """JUPYTER_PATH with this environment's share/jupyter first, its python3 kernelspec
    (this interpreter) written there if missing."""
    import ipykernel.kernelspec

    data = Path(sys.prefix) / "share" / "jupyter"
    if not (data / "kernels" / "python3" / "kernel.json").exists():
        ipykernel.kernelspec.install(prefix=sys.prefix, kernel_name="python3")
    rest = os.environ.get("JUPYTER_PATH", "")
    return os.pathsep.join([str(data)] + ([rest] if rest else []))


def banner(url: str, wanted: int, port: int) -> str:
    moved = f"\n  (port {wanted} is taken by another program, so it uses {port}.)" if port != wanted else ""
    return (f"\n  JupyterLab is starting on the course: {url}{moved}\n"
            "  Present a lecture: open it in lectures/, then press Alt+R "
            "(or View > Open as Reveal Slideshow).\n"
            "  Stop it with Ctrl-C in this terminal.\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", 8888)))
    args, jupyter_options = parser.parse_known_args(argv)
    servers = running_servers()
    if servers:
        info = servers[0]
        print(f"\n  JupyterLab is already running on this course (process {info.get('pid')}): "
              f"{server_url(info)}\n"
              "  Open that URL instead of starting a second server: two servers on one folder "
              "save over each other's files.\n"
              f"  To restart it, stop it first (Ctrl-C in its terminal, or "
              f"`.venv/bin/jupyter server stop {info.get('port')}`).\n", flush=True)
        return 0
    port = free_port(args.port)
    token = os.environ.get("JUPYTER_TOKEN") or secrets.token_hex(24)
    env = dict(os.environ, JUPYTER_TOKEN=token, JUPYTER_PATH=course_jupyter_path())
    print(banner(f"http://127.0.0.1:{port}/lab?token={token}", args.port, port), flush=True)
    command = [sys.executable, "-m", "jupyter", "lab", f"--port={port}", "--ServerApp.port_retries=0",
               "--ServerApp.ip=127.0.0.1", f"--ServerApp.root_dir={ROOT}",
               f"--LabApp.default_url=/lab/tree/{FIRST_LECTURE}",
               "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate", *jupyter_options]
    os.execvpe(command[0], command, env)
    return 0  # not reached: JupyterLab replaced this process


if __name__ == "__main__":
    sys.exit(main())
