"""The plugin's code in real, headless Krita (kritarunner) against a real v2 backend server.

tests/krita_scripts/colorize_in_krita.py opens a SketchyScene sketch in Krita, colorizes it through
the plugin's Controller (real QNetworkAccessManager requests to `python -m backend serve`, API v2),
re-colours, undoes, saves and reopens the .kra, and records every check in a verdict file, because
kritarunner's exit code says nothing about the script. Skipped only when Krita is not installed and
CI is not "true".

LANGCOLORIZE_TEST_BACKEND_URL=http://... uses a server you started; =fake uses
tests/plugin_qt/fake_backend.py (the plugin in real Krita without the model).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SKETCH = ROOT / "tests" / "data" / "sketchyscene-scenes" / "9996" / "sketch.png"
SCRIPTS = Path(__file__).resolve().parent / "krita_scripts"
FAKE_BACKEND = Path(__file__).resolve().parent / "plugin_qt" / "fake_backend.py"
IN_CI = os.environ.get("CI") == "true"

pytestmark = pytest.mark.skipif(
    shutil.which("kritarunner") is None and not IN_CI, reason="Krita (kritarunner) is not installed"
)


def krita_path(env_path: str, program: str = "kritarunner") -> str:
    """PATH with Krita's own folder first. Krita's embedded Python takes its prefix from the first
    `python3` on PATH: a pyenv/venv python there (as under pytest) breaks `import PyQt5` in Krita."""
    found = shutil.which(program) or f"/usr/bin/{program}"
    first = os.path.dirname(os.path.realpath(found))
    rest = [p for p in env_path.split(os.pathsep) if p and ".pyenv" not in p and p != first]
    return os.pathsep.join([first, "/usr/bin", "/bin", *rest])


def isolated_env(tmp: Path, program: str = "kritarunner") -> dict[str, str]:
    """Krita with a throw-away HOME and XDG folders: the user's kritarc and resources stay untouched."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("PYTHONHOME", "VIRTUAL_ENV", "QT_QPA_PLATFORM")
        and not k.startswith(("PYENV", "LANGCOLORIZE_"))
    }  # the fake-Krita tests' settings (offscreen Qt, no docker registration) must not reach Krita
    env["PATH"] = krita_path(os.environ.get("PATH", ""), program)
    for name in ("HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_RUNTIME_DIR"):
        path = tmp / name.lower()
        path.mkdir(parents=True, exist_ok=True)
        if name == "XDG_RUNTIME_DIR":
            path.chmod(0o700)
        env[name] = str(path)
    return env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def krita_backend(request: pytest.FixtureRequest) -> Iterator[str]:
    """LANGCOLORIZE_TEST_BACKEND_URL: a server you started, or "fake" for the fake v2 server (it knows
    sky, ground and sun); unset: the real backend from conftest."""
    url = os.environ.get("LANGCOLORIZE_TEST_BACKEND_URL", "")
    if url == "fake":
        port = free_port()
        proc = subprocess.Popen(
            [sys.executable, str(FAKE_BACKEND), "--port", str(port), "--only", "sky,ground,sun"],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert proc.stdout is not None and "fake v2 backend" in proc.stdout.readline()
        yield f"http://127.0.0.1:{port}"
        proc.terminate()
        proc.wait(timeout=10)
    elif url:
        yield url.rstrip("/")
    else:
        yield request.getfixturevalue("backend_url")


def test_colorize_in_real_krita(krita_backend: str, tmp_path: Path) -> None:
    assert SKETCH.is_file(), f"test sketch not found at {SKETCH}"
    verdict_path = tmp_path / "verdict.json"
    cfg = {
        "backend_url": krita_backend,
        "sketch": str(SKETCH),
        "verdict": str(verdict_path),
        "workdir": str(tmp_path),
    }
    cfg_path = tmp_path / "cfg.json"
    cfg_path.write_text(json.dumps(cfg))
    env = isolated_env(tmp_path / "home")
    env.update(
        {
            "QT_QPA_PLATFORM": "offscreen",
            "PYTHONPATH": os.pathsep.join([str(ROOT / "plugin"), str(SCRIPTS)]),
            "LANGCOLORIZE_TEST_CONFIG": str(cfg_path),
            "LANGCOLORIZE_NO_REGISTER": "1",
            "PYTHONDONTWRITEBYTECODE": "1",
        }
    )
    proc = subprocess.run(
        ["kritarunner", "-s", "colorize_in_krita", "-f", "main"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
    )
    log = (proc.stdout + proc.stderr)[-4000:]
    assert verdict_path.exists(), f"kritarunner wrote no verdict (exit {proc.returncode}):\n{log}"
    verdict = json.loads(verdict_path.read_text())
    assert verdict.get("error") is None, verdict["error"] + "\n" + log
    failed = [c for c in verdict["checks"] if not c["ok"]]
    report = "\n".join(
        f"{'ok ' if c['ok'] else 'FAIL'} {c['name']}  {c['detail'] if not c['ok'] else ''}"
        for c in verdict["checks"]
    )
    print(report)
    assert len(verdict["checks"]) >= 50, report
    assert not failed, report
    artifacts = ROOT / "tests" / "artifacts"
    artifacts.mkdir(parents=True, exist_ok=True)
    if (tmp_path / "colorized.png").exists():
        shutil.copy(tmp_path / "colorized.png", artifacts / "krita_headless_colorized.png")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(pytest.main([__file__, "-v", "-s"]))
