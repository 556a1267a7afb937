"""Runs the plugin's Qt code (tests/plugin_qt/check_*.py) under PyQt5 (Krita 5) and PyQt6 (Krita 6).

Each binding gets its own process: PyQt5 and PyQt6 cannot live in one. Inside, tests/fake_krita.py is
`krita`, a fake v2 backend answers over real HTTP, and Qt runs offscreen. Skipped for a binding only
when it is not installed (pip install PyQt5 PyQt6) and CI is not "true".
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SUITE = ROOT / "tests" / "plugin_qt"


@pytest.mark.parametrize("binding", ["PyQt5", "PyQt6"])
def test_plugin_qt_code_under(binding: str, tmp_path: Path) -> None:
    if importlib.util.find_spec(binding) is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{binding} is not installed (pip install {binding})")
        pytest.skip(f"{binding} is not installed")
    env = {
        **os.environ,
        "LANGCOLORIZE_QT": binding,
        "QT_QPA_PLATFORM": "offscreen",
        "XDG_RUNTIME_DIR": str(tmp_path),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            str(SUITE),
            "-q",
            "-p",
            "no:cacheprovider",
            "-o",
            "python_files=check_*.py",
            "--confcutdir",
            str(SUITE),
            "--basetemp",
            str(tmp_path / "t"),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-3000:]
    assert " passed" in proc.stdout and "skipped" not in proc.stdout, proc.stdout[-2000:]
