"""Fetch other artists' emoji of our categories from the npm registry, for training only.

    python scripts/fetch_emoji.py        (needs npm; writes out/emoji/sets/STYLE/CODE.svg)

Pinned packages: Twemoji (@twemoji/svg, graphics CC BY 4.0), Noto Emoji (@svgmoji/noto's sprite,
Apache 2.0), Fluent Emoji flat (@lobehub/fluent-emoji-flat, by code) and high-contrast
(fluentui-emoji, by name; MIT). The codes are OpenMoji's for our categories
(../shared/data/openmoji/index.json) and sketchgen.emoji_lineart.EXTRA_CODES;
sketchgen/emoji_lineart.py turns them into line art. The backend never reads them.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tarfile
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sketchgen.emoji_lineart import EXTRA_CODES, SETS_DIR  # noqa: E402
from sketchgen.real_drawings import DATA  # noqa: E402

PACKAGES = {
    "twemoji": "@twemoji/svg@15.0.0",
    "noto": "@svgmoji/noto@3.2.0",
    "fluent-flat": "@lobehub/fluent-emoji-flat@1.1.0",
    "fluent-high-contrast": "fluentui-emoji@1.3.0",
}
# Fluent names (fluentui-emoji's file names) where the Unicode name is not the file's name
FLUENT_NAMES = {
    "1F411": "ewe",
    "1F3E0": "house",
    "1F3D8": "houses",
    "1F3DA": "derelict-house",
    "1F54A": "dove",
    "1F325": "sun-behind-large-cloud",
    "1F326": "sun-behind-rain-cloud",
    "1F312": "waxing-crescent-moon",
    "1F318": "waning-crescent-moon",
    "1F31B": "first-quarter-moon-face",
    "1F31C": "last-quarter-moon-face",
}
XLINK = 'xmlns:xlink="http://www.w3.org/1999/xlink"'


def _unpack(spec: str, into: Path) -> dict[str, bytes]:
    """{path inside the package: bytes} of an npm package's tarball."""
    into.mkdir(parents=True, exist_ok=True)
    name = subprocess.run(
        ["npm", "pack", spec, "--silent"], cwd=into, check=True, capture_output=True, text=True
    ).stdout.split()[-1]
    with tarfile.open(into / name) as tar:
        return {
            m.name.removeprefix("package/"): tar.extractfile(m).read()  # type: ignore[union-attr]
            for m in tar.getmembers()
            if m.isfile() and m.name.endswith(".svg")
        }


def _fluent_name(code: str) -> str | None:
    if code in FLUENT_NAMES:
        return FLUENT_NAMES[code]
    if "-" in code:
        return None
    try:
        return "-".join(unicodedata.name(chr(int(code, 16))).lower().split())
    except ValueError:
        return None


def main() -> None:
    index = json.loads((DATA / "openmoji" / "index.json").read_text())
    codes = sorted({c for cs in [*index.values(), *EXTRA_CODES.values()] for c in cs})
    cache = SETS_DIR.parent / "packages"
    files = {style: _unpack(spec, cache) for style, spec in PACKAGES.items()}
    sprite = files["noto"]["sprites/all.svg"].decode()
    noto = {
        m.group(1).upper(): m.group(0)
        for m in re.finditer(r'<svg [^>]*id="([^"]+)"[^>]*>.*?</svg>', sprite[100:], re.S)
    }
    flat = files["fluent-flat"]
    hc = files["fluent-high-contrast"]
    found: dict[str, int] = {}
    for code in codes:
        low = code.lower()
        flat_svg = flat.get(f"assets/{low}.svg") or flat.get(f"assets/{low}-fe0f.svg")
        name = _fluent_name(code)
        hc_svg = None
        if name:
            hc_dir = "icons/high-contrast/"
            hc_svg = hc.get(f"{hc_dir}{name}.svg") or hc.get(f"{hc_dir}{name}-default.svg")
        note = noto.get(code.upper()) or noto.get(code.upper().replace("-FE0F", ""))
        if note and "xlink:" in note and "xmlns:xlink" not in note:
            note = note.replace("<svg ", f"<svg {XLINK} ", 1)
        for style, svg in (
            ("twemoji", files["twemoji"].get(f"{low}.svg")),
            ("noto", note.encode() if note else None),
            ("fluent-flat", flat_svg),
            ("fluent-high-contrast", hc_svg),
        ):
            if svg:
                (SETS_DIR / style).mkdir(parents=True, exist_ok=True)
                (SETS_DIR / style / f"{code}.svg").write_bytes(svg)
                found[style] = found.get(style, 0) + 1
    print(json.dumps({"codes": len(codes), "found": found}))


if __name__ == "__main__":
    main()
