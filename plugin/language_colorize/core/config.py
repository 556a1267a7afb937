"""backend.json beside the plugin: where install.py found the backend, to start it on demand.

{"python": "/path/to/python3", "backend_dir": "/path/to/repo", "installed": "..."}
"""

import json
import os

FILENAME = "backend.json"


def config_path(package_dir):
    return os.path.join(package_dir, FILENAME)


def load(package_dir):
    """The config dict, or {} when the plugin was installed without it (e.g. from the zip)."""
    try:
        with open(config_path(package_dir), "r", encoding="utf-8") as handle:
            data = json.load(handle)
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def server_command(config, host, port):
    """(program, arguments, working directory) for `python -m backend serve`, or None if unknown."""
    python = config.get("python")
    workdir = config.get("backend_dir")
    if not python or not workdir or not os.path.isdir(os.path.join(workdir, "backend")):
        return None
    return python, ["-m", "backend", "serve", "--host", host, "--port", str(port)], workdir
