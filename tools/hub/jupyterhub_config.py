"""JupyterHub for a small class on one machine (make hub; tests/test_hub.py).

Every setting a deployment would change comes from the environment (tools/hub.py sets them):

COURSE_HUB_STATE   folder for the hub's database, cookie secret and the users' homes
COURSE_HUB_PORT    the port students open (the proxy); COURSE_HUB_API_PORT, COURSE_HUB_PROXY_PORT
                   the hub's and the proxy's internal ports
COURSE_HUB_TOKEN   the API token of the course's admin service (creates users, starts servers)
COURSE_HUB_PASSWORD  the one password of the local test authenticator

Each user's server is ``jupyterhub-singleuser`` from the course's own environment, so every
kernel is the course's Python; nbgitpuller (a server extension) puts the course into the
user's home. Notebooks are merged whole (``*.ipynb -merge`` in tools/hub/gitattributes):
nbgitpuller's ``git merge -Xours`` then keeps a student's edited notebook as the student left it
instead of splicing two versions of its JSON together.

Not for the internet as it is: the authenticator accepts any user name with the shared
password. A real class uses an institutional authenticator and, beyond one machine, Zero to
JupyterHub on Kubernetes (README, "Teaching a class").
"""
import os
import sys
from pathlib import Path

c = get_config()  # noqa: F821

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
STATE = Path(os.environ["COURSE_HUB_STATE"])

c.JupyterHub.bind_url = f"http://127.0.0.1:{os.environ['COURSE_HUB_PORT']}"
c.JupyterHub.hub_bind_url = f"http://127.0.0.1:{os.environ['COURSE_HUB_API_PORT']}"
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{os.environ['COURSE_HUB_PROXY_PORT']}"
c.ConfigurableHTTPProxy.command = [str(ROOT / "node_modules" / ".bin" / "configurable-http-proxy")]
c.JupyterHub.db_url = f"sqlite:///{STATE / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(STATE / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(STATE / "jupyterhub.pid")
c.JupyterHub.cleanup_servers = True
c.JupyterHub.check_running_servers = False

c.JupyterHub.authenticator_class = "dummy"
c.DummyAuthenticator.password = os.environ["COURSE_HUB_PASSWORD"]
c.Authenticator.allow_all = True
c.Authenticator.admin_users = {"instructor"}

c.JupyterHub.services = [{"name": "course-admin", "api_token": os.environ["COURSE_HUB_TOKEN"]}]
c.JupyterHub.load_roles = [{
    "name": "course-admin",
    "scopes": ["admin:users", "admin:servers", "access:servers", "tokens"],
    "services": ["course-admin"],
}]

c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = str(STATE / "home" / "{username}")
c.Spawner.cmd = [str(VENV_BIN / "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab"
if os.geteuid() == 0:      # a container or a test machine running as root
    c.Spawner.args = ["--allow-root"]
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120
c.Spawner.environment = {
    "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}",
    # nbgitpuller merges with git: notebooks whole, never spliced (see the docstring)
    "GIT_CONFIG_COUNT": "1",
    "GIT_CONFIG_KEY_0": "core.attributesFile",
    "GIT_CONFIG_VALUE_0": str(ROOT / "tools" / "hub" / "gitattributes"),
    # the whole history (the course is small): each update merges against it
    "NBGITPULLER_DEPTH": "0",
}
