#!/usr/bin/env python3
"""Install the Language Colorize plugin into Krita (Linux, Windows, macOS, Flatpak).

    python install.py                      # find Krita's resource folder, install, enable, pip deps
    python install.py --pykrita DIR        # Krita's pykrita folder given explicitly
    python install.py --no-deps            # skip `pip install -r requirements.txt`
    python install.py --uninstall          # remove the plugin, its shortcuts file and the kritarc entry
    python install.py --zip OUT.zip        # build the zip for Tools > Scripts > Import Python Plugin

This folder (and the Python running this script) are written to pykrita/language_colorize/backend.json,
from which the plugin starts the backend: `<this folder>/.venv/bin/python -m backend serve` when the
project's virtual environment exists, else with the Python that ran install.py. Restart Krita afterwards.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
import zipfile

NAME = "language_colorize"
ROOT = os.path.dirname(os.path.abspath(__file__))
PLUGIN_SRC = os.path.join(ROOT, "plugin")
PACKAGE_SRC = os.path.join(PLUGIN_SRC, NAME)
DESKTOP_SRC = os.path.join(PLUGIN_SRC, NAME + ".desktop")
ACTION_SRC = os.path.join(PLUGIN_SRC, "actions", NAME + ".action")
FLATPAK_ID = "org.kde.krita"
IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", "*.pyo", "backend.json")


def platform_name(platform=None):
    platform = platform or sys.platform
    if platform.startswith("win"):
        return "windows"
    if platform == "darwin":
        return "macos"
    return "linux"


def resource_dirs(platform=None, env=None, home=None):
    """Candidate Krita resource folders, most likely first: [(kind, resources, kritarc)]."""
    env = os.environ if env is None else env
    home = home or env.get("HOME") or os.path.expanduser("~")
    kind = platform_name(platform)
    if kind == "windows":
        appdata = env.get("APPDATA") or os.path.join(home, "AppData", "Roaming")
        local = env.get("LOCALAPPDATA") or os.path.join(home, "AppData", "Local")
        return [("windows", os.path.join(appdata, "krita"), os.path.join(local, "kritarc"))]
    if kind == "macos":
        return [
            (
                "macos",
                os.path.join(home, "Library", "Application Support", "krita"),
                os.path.join(home, "Library", "Preferences", "kritarc"),
            )
        ]
    data = env.get("XDG_DATA_HOME") or os.path.join(home, ".local", "share")
    config = env.get("XDG_CONFIG_HOME") or os.path.join(home, ".config")
    flatpak = os.path.join(home, ".var", "app", FLATPAK_ID)
    return [
        ("linux", os.path.join(data, "krita"), os.path.join(config, "kritarc")),
        ("flatpak", os.path.join(flatpak, "data", "krita"), os.path.join(flatpak, "config", "kritarc")),
    ]


def choose_target(args, platform=None, env=None, home=None):
    """(resources folder, pykrita folder, kritarc path) for this run."""
    candidates = resource_dirs(platform, env, home)
    if args.flatpak:
        candidates = [c for c in candidates if c[0] == "flatpak"] or candidates
    chosen = candidates[0]
    if not args.flatpak and len(candidates) > 1:
        native, flat = candidates[0], candidates[1]
        if not os.path.isdir(native[1]) and os.path.isdir(flat[1]):
            chosen = flat  # only the Flatpak Krita has been run on this machine
    _kind, resources, kritarc = chosen
    if args.pykrita:
        pykrita = os.path.abspath(args.pykrita)
        resources = os.path.dirname(pykrita)
    else:
        pykrita = os.path.join(resources, "pykrita")
    if args.kritarc:
        kritarc = os.path.abspath(args.kritarc)
    return resources, pykrita, kritarc


# --- kritarc (KConfig INI: edited line by line so everything else stays byte-identical) ----------------


def set_kritarc_entry(path, group, key, value):
    """Set (or with value None remove) `key` in `[group]` of an INI file, keeping all other lines."""
    lines = []
    if os.path.exists(path):
        with open(path, encoding="utf-8", errors="surrogateescape") as handle:
            lines = handle.read().splitlines()
    header = f"[{group}]"
    out, in_group, found, group_seen = [], False, False, False
    for line in lines:
        stripped = line.strip()
        if stripped.startswith("[") and stripped.endswith("]"):
            if in_group and not found and value is not None:
                while out and not out[-1].strip():
                    out.pop()
                out.append(f"{key}={value}")
                out.append("")
                found = True
            in_group = stripped == header
            group_seen = group_seen or in_group
        elif in_group and stripped.split("=", 1)[0].strip() == key:
            found = True
            if value is not None:
                out.append(f"{key}={value}")
            continue
        out.append(line)
    if value is not None and not found:
        if in_group:
            out.append(f"{key}={value}")
        else:
            if out and out[-1].strip():
                out.append("")
            out.extend([header, f"{key}={value}"])
    if value is None and header in (line.strip() for line in out):
        start = [line.strip() for line in out].index(header)
        end = start + 1
        while end < len(out) and not (out[end].strip().startswith("[") and out[end].strip().endswith("]")):
            end += 1
        if not any(line.strip() for line in out[start + 1 : end]):  # the group is empty now: drop it
            del out[start:end]
            while (
                start > 0
                and start - 1 < len(out)
                and not out[start - 1].strip()
                and (start == len(out) or not out[start].strip())
            ):
                del out[start - 1]
                start -= 1
            while out and not out[-1].strip():
                out.pop()
    parent = os.path.dirname(path)
    if parent:
        os.makedirs(parent, exist_ok=True)
    with open(path, "w", encoding="utf-8", errors="surrogateescape") as handle:
        handle.write("\n".join(out) + "\n")


def read_kritarc_entry(path, group, key):
    if not os.path.exists(path):
        return None
    in_group = False
    with open(path, encoding="utf-8", errors="surrogateescape") as handle:
        for line in handle:
            stripped = line.strip()
            if stripped.startswith("[") and stripped.endswith("]"):
                in_group = stripped == f"[{group}]"
            elif in_group and "=" in stripped:
                k, v = stripped.split("=", 1)
                if k.strip() == key:
                    return v.strip()
    return None


# --- install / uninstall ------------------------------------------------------------------------------


def server_command(config):
    """How the installed plugin will start the backend (the plugin's own rule, core/config.py)."""
    sys.path.insert(0, PLUGIN_SRC)
    try:
        from language_colorize.core.config import server_command as plugin_rule
    finally:
        sys.path.remove(PLUGIN_SRC)
    return plugin_rule(config, "127.0.0.1", 8765)


def install(resources, pykrita, kritarc, python=None, backend_dir=ROOT, log=print):
    os.makedirs(pykrita, exist_ok=True)
    package_dst = os.path.join(pykrita, NAME)
    if os.path.isdir(package_dst):
        shutil.rmtree(package_dst)
    shutil.copytree(PACKAGE_SRC, package_dst, ignore=IGNORE)
    shutil.copy2(DESKTOP_SRC, os.path.join(pykrita, NAME + ".desktop"))
    config = {
        "python": python or sys.executable,
        "backend_dir": backend_dir,
        "installed": time.strftime("%Y-%m-%d %H:%M:%S"),
    }
    with open(os.path.join(package_dst, "backend.json"), "w", encoding="utf-8") as handle:
        json.dump(config, handle, indent=2)
    actions = os.path.join(resources, "actions")
    os.makedirs(actions, exist_ok=True)
    shutil.copy2(ACTION_SRC, os.path.join(actions, NAME + ".action"))
    set_kritarc_entry(kritarc, "python", "enable_" + NAME, "true")
    log(f"Installed the plugin into {package_dst}")
    log("Shortcuts: {}".format(os.path.join(actions, NAME + ".action")))
    log(f"Enabled it in {kritarc}")
    command = server_command(config)
    if command:
        log(f"Backend (started on demand): {command[0]} -m backend serve (in {backend_dir})")
    return package_dst


def uninstall(resources, pykrita, kritarc, log=print):
    removed = []
    for path in (
        os.path.join(pykrita, NAME),
        os.path.join(pykrita, NAME + ".desktop"),
        os.path.join(resources, "actions", NAME + ".action"),
    ):
        if os.path.isdir(path):
            shutil.rmtree(path)
            removed.append(path)
        elif os.path.exists(path):
            os.remove(path)
            removed.append(path)
    if read_kritarc_entry(kritarc, "python", "enable_" + NAME) is not None:
        set_kritarc_entry(kritarc, "python", "enable_" + NAME, None)
        removed.append(f"{kritarc}: [python] enable_{NAME}")
    for path in removed:
        log(f"Removed {path}")
    if not removed:
        log(f"Nothing to remove: the plugin is not installed in {pykrita}")
    return removed


def build_zip(out_path, log=print):
    """The layout Krita's importer expects: NAME.desktop, NAME/ with __init__.py, NAME.action."""
    out_path = os.path.abspath(out_path)
    if os.path.dirname(out_path):
        os.makedirs(os.path.dirname(out_path), exist_ok=True)
    with zipfile.ZipFile(out_path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(DESKTOP_SRC, NAME + ".desktop")
        archive.write(ACTION_SRC, NAME + ".action")
        for folder, dirs, files in os.walk(PACKAGE_SRC):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            # directory entries too: Krita's importer finds the package by its "NAME/" entry
            archive.write(
                folder, os.path.join(NAME, os.path.relpath(folder, PACKAGE_SRC)).replace(os.sep, "/")
            )
            for filename in sorted(files):
                if filename.endswith((".pyc", ".pyo")) or filename == "backend.json":
                    continue
                path = os.path.join(folder, filename)
                archive.write(
                    path, os.path.join(NAME, os.path.relpath(path, PACKAGE_SRC)).replace(os.sep, "/")
                )
    log(f"Wrote {out_path} (Krita: Tools > Scripts > Import Python Plugin from File, then restart Krita)")
    return out_path


def install_requirements(python=None, log=print):
    requirements = os.path.join(ROOT, "requirements.txt")
    command = [python or sys.executable, "-m", "pip", "install", "-r", requirements]
    log("Installing the backend's Python packages: {}".format(" ".join(command)))
    return subprocess.call(command)


def main(argv=None):
    parser = argparse.ArgumentParser(description="Install the Language Colorize plugin into Krita.")
    parser.add_argument("--pykrita", help="Krita's pykrita folder (default: found for this system)")
    parser.add_argument("--kritarc", help="Krita's settings file (default: found for this system)")
    parser.add_argument("--flatpak", action="store_true", help="install into the Flatpak Krita's folders")
    parser.add_argument(
        "--no-deps", action="store_true", help="do not pip install the backend's requirements"
    )
    parser.add_argument("--uninstall", action="store_true", help="remove the plugin")
    parser.add_argument("--zip", metavar="OUT.zip", help="only build the zip for Krita's plugin importer")
    args = parser.parse_args(argv)

    if args.zip:
        build_zip(args.zip)
        return 0
    resources, pykrita, kritarc = choose_target(args)
    if args.uninstall:
        uninstall(resources, pykrita, kritarc)
        return 0
    install(resources, pykrita, kritarc)
    if not args.no_deps:
        code = install_requirements()
        if code != 0:
            print(f"pip failed (exit code {code}); the plugin is installed, the backend may not run.")
            return code
    print("Done. Restart Krita; the docker is under Settings > Dockers > Language Colorize.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
