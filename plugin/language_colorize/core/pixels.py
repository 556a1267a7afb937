"""Pixel buffers as Krita hands them out, and conversions to what the backend reads.

Krita's 8-bit RGBA layers are B, G, R, A bytes per pixel, rows from the top-left; 8-bit grey layers
are grey, alpha. PNG wants R, G, B, A. Everything here is slice arithmetic on bytes (fast in CPython).
"""

RGBA_U8 = ("RGBA", "U8")
GRAYA_U8 = ("GRAYA", "U8")


def swap_red_blue(data):
    """BGRA <-> RGBA (the same swap both ways)."""
    src = bytes(data)
    out = bytearray(src)
    out[0::4] = src[2::4]
    out[2::4] = src[0::4]
    return bytes(out)


bgra_to_rgba = swap_red_blue
rgba_to_bgra = swap_red_blue


def graya_to_bgra(data):
    """8-bit grey+alpha (2 bytes per pixel) -> BGRA."""
    src = bytes(data)
    n = len(src) // 2
    out = bytearray(n * 4)
    grey = src[0::2]
    out[0::4] = grey
    out[1::4] = grey
    out[2::4] = grey
    out[3::4] = src[1::2]
    return bytes(out)


def alpha_channel(bgra):
    return bytes(bgra)[3::4]


def is_blank(bgra):
    """True when every pixel is fully transparent."""
    alpha = alpha_channel(bgra)
    return alpha.count(0) == len(alpha)


def opaque_share(bgra):
    """Share of pixels that are fully opaque (1.0 for lines drawn on a white layer)."""
    alpha = alpha_channel(bgra)
    return alpha.count(255) / float(len(alpha)) if alpha else 0.0


def is_uniform(bgra):
    """True when all pixels are the same (an empty white paper layer, a solid fill)."""
    data = bytes(bgra)
    return len(data) < 4 or data == data[:4] * (len(data) // 4)


def crop(data, width, height, bpp, x, y, w, h):
    """The (x, y, w, h) window of a width x height buffer; the window must lie inside it."""
    data = bytes(data)
    if x == 0 and y == 0 and w == width and h == height:
        return data
    stride = width * bpp
    return b"".join(
        data[(y + row) * stride + x * bpp : (y + row) * stride + (x + w) * bpp] for row in range(h)
    )


def clip_to_canvas(bbox, width, height):
    """Clip an (x, y, w, h) box to the canvas: (clipped box, offset into the box) or None if outside."""
    x, y, w, h = [int(v) for v in bbox]
    x0, y0 = max(x, 0), max(y, 0)
    x1, y1 = min(x + w, width), min(y + h, height)
    if x1 <= x0 or y1 <= y0:
        return None
    return (x0, y0, x1 - x0, y1 - y0), (x0 - x, y0 - y)


def mask_from_selection(data):
    """Selection bytes (one per pixel, 0..255) -> mask bytes, or None when nothing is selected."""
    data = bytes(data)
    if not data or data.count(0) == len(data):
        return None
    return data
