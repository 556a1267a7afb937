"""The contact sheet: every page's preview as a thumbnail on one PNG, to check a chapter at a glance.

Made from the previews on disk, so pages an earlier run coloured (skipped this time) are on it too;
a page without a preview (failed, or never reached) gets a grey cell with its status, so a gap in the
chapter shows.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont, UnidentifiedImageError

CELL = 256  # thumbnail side (px)
LABEL = 20  # label strip under each thumbnail (px)
GAP = 8
COLUMNS = 6
PAPER = (255, 255, 255)
MISSING = (215, 215, 215)
INK = (0, 0, 0)


def contact_sheet(pages: Sequence[tuple[str, str, Path]]) -> bytes:
    """(name, status, preview path) per page, in order -> PNG bytes of a grid with labels."""
    columns = max(1, min(COLUMNS, len(pages)))
    rows = max(1, math.ceil(len(pages) / columns))
    width = GAP + columns * (CELL + GAP)
    height = GAP + rows * (CELL + LABEL + GAP)
    sheet = Image.new("RGB", (width, height), PAPER)
    draw = ImageDraw.Draw(sheet)
    font = ImageFont.load_default()
    for i, (name, status, preview) in enumerate(pages):
        x = GAP + (i % columns) * (CELL + GAP)
        y = GAP + (i // columns) * (CELL + LABEL + GAP)
        thumb = _thumbnail(preview) if status in ("done", "skipped") else None
        if thumb is None:
            draw.rectangle((x, y, x + CELL - 1, y + CELL - 1), fill=MISSING)
            draw.text((x + CELL // 2, y + CELL // 2), status, fill=INK, font=font, anchor="mm")
        else:
            sheet.paste(thumb, (x + (CELL - thumb.width) // 2, y + (CELL - thumb.height) // 2))
        draw.text((x + 2, y + CELL + 3), _fit(draw, name, font), fill=INK, font=font)
    buf = io.BytesIO()
    sheet.save(buf, format="PNG")
    return buf.getvalue()


def _thumbnail(path: Path) -> Image.Image | None:
    """The preview scaled down to fit a cell (aspect kept); None when it cannot be read."""
    try:
        with Image.open(path) as img:
            img.draft("RGB", (CELL, CELL))
            thumb = img.convert("RGB")
    except (OSError, UnidentifiedImageError):
        return None
    thumb.thumbnail((CELL, CELL), Image.Resampling.LANCZOS)
    return thumb


def _fit(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.ImageFont | ImageFont.FreeTypeFont) -> str:
    """The label cut with an ellipsis to the cell's width."""
    if draw.textlength(text, font=font) <= CELL - 4:
        return text
    while text and draw.textlength(text + "...", font=font) > CELL - 4:
        text = text[:-1]
    return text + "..."
