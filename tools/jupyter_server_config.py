"""JupyterLab's server settings for the course: `make lab` and the live RISE test load this file
(`jupyter lab --config=tools/jupyter_server_config.py`).

RISE's slideshow (/rise/...) is a JupyterLab 4.3 app of its own that loads every installed lab
extension. The extension of notebook 7.6 (installed because ipywidgets 7 needs `notebook`) is
built for JupyterLab 4.6 and cannot load there: a console error in every slideshow. The
slideshow gets every installed extension but that one, through a folder of links made here.
"""
import sys
from pathlib import Path

from jupyter_core.paths import jupyter_path

NOT_IN_RISE = {"@jupyter-notebook/lab-extension"}


def rise_labextensions(folder: Path) -> Path:
    """Make folder hold links to every installed lab extension RISE can load; return it.
    Only wrong or missing links change, so that two servers may start at once."""
    wanted = {}
    for root in map(Path, jupyter_path("labextensions")):  # the first install of a name wins
        for package in [*root.glob("[!@]*/package.json"), *root.glob("@*/*/package.json")]:
            name = package.parent.relative_to(root).as_posix()
            if name not in NOT_IN_RISE:
                wanted.setdefault(name, package.parent)
    for link in [*folder.glob("[!@]*"), *folder.glob("@*/*")]:
        name = link.relative_to(folder).as_posix()
        if link.is_symlink() and (name not in wanted or link.resolve() != wanted[name].resolve()):
            link.unlink()
    for name, target in wanted.items():
        link = folder / name
        if not link.is_symlink():
            link.parent.mkdir(parents=True, exist_ok=True)
            link.symlink_to(target, target_is_directory=True)
    return folder


c = get_config()  # noqa: F821  (defined by Jupyter when it loads this file)
c.RiseApp.labextensions_path = [str(rise_labextensions(Path(sys.prefix) / "share" / "jupyter" / "rise-labextensions"))]
