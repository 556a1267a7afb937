"""backend.json beside the plugin: where install.py found the project, to start the backend on demand.

{"python": "/usr/bin/python3", "backend_dir": "/path/to/repo", "installed": "..."}

The backend runs in the project's own virtual environment when there is one (<repo>/.venv, made by
the project's setup scripts), because that is where its packages are; `python` (the interpreter that
ran install.py) is the fallback.
"""

import json
import os
from typing import Any, Dict, List, Optional, Tuple

FILENAME = "backend.json"


def config_path(package_dir: str) -> str:
    return os.path.join(package_dir, FILENAME)


def load(package_dir: str) -> Dict[str, Any]:
    """The config dict, or {} when the plugin was installed without it (e.g. from the zip)."""
    try:
        with open(config_path(package_dir), "r", encoding="utf-8") as handle:
            data = json.load(handle)
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def venv_python(project: str, windows: Optional[bool] = None) -> str:
    """Where the project's virtual environment keeps its interpreter."""
    windows = (os.name == "nt") if windows is None else windows
    if windows:
        return os.path.join(project, ".venv", "Scripts", "python.exe")
    return os.path.join(project, ".venv", "bin", "python")


def server_command(
    config: Dict[str, Any], host: str, port: int, windows: Optional[bool] = None
) -> Optional[Tuple[str, List[str], str]]:
    """(program, arguments, working directory) for `python -m backend serve`, or None if unknown."""
    project = config.get("backend_dir")
    if not project or not os.path.isdir(os.path.join(project, "backend")):
        return None
    python = venv_python(project, windows)
    if not os.path.isfile(python):
        python = config.get("python") or ""
    if not python:
        return None
    return python, ["-m", "backend", "serve", "--host", host, "--port", str(port)], project
