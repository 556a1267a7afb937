"""A small pure-Python PNG encoder and decoder (zlib + struct only).

Inside Krita the Qt codec (QImage) is faster and is used when available; this one is the fallback and
what the tests use. Encoding writes filter type 0 rows, which zlib compresses well for line art.
"""

import struct
import zlib

SIGNATURE = b"\x89PNG\r\n\x1a\n"
_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}


class PngError(ValueError):
    pass


def _chunk(kind, data):
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)


def encode(width, height, data, mode="RGBA", level=6):
    """PNG bytes from raw rows: mode "RGBA" (4 bytes per pixel) or "L" (1 byte per pixel)."""
    channels = {"RGBA": 4, "L": 1}[mode]
    colour_type = {"RGBA": 6, "L": 0}[mode]
    stride = width * channels
    data = bytes(data)
    if len(data) != stride * height:
        raise PngError("expected %d bytes for %dx%d %s, got %d"
                       % (stride * height, width, height, mode, len(data)))
    raw = b"".join(b"\x00" + data[y * stride:(y + 1) * stride] for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0)
    return (SIGNATURE + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(raw, level))
            + _chunk(b"IEND", b""))


def _paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    if pb <= pc:
        return b
    return c


def _unfilter(raw, height, stride, bpp):
    out = bytearray(stride * height)
    prev = bytearray(stride)
    pos = 0
    for y in range(height):
        ftype = raw[pos]
        line = bytearray(raw[pos + 1:pos + 1 + stride])
        pos += 1 + stride
        if len(line) != stride:
            raise PngError("truncated image data")
        if ftype == 1:
            for i in range(bpp, stride):
                line[i] = (line[i] + line[i - bpp]) & 0xFF
        elif ftype == 2:
            line = bytearray((a + b) & 0xFF for a, b in zip(line, prev))  # noqa: B905 (Python 3.8)
        elif ftype == 3:
            for i in range(stride):
                left = line[i - bpp] if i >= bpp else 0
                line[i] = (line[i] + ((left + prev[i]) >> 1)) & 0xFF
        elif ftype == 4:
            for i in range(stride):
                left = line[i - bpp] if i >= bpp else 0
                upleft = prev[i - bpp] if i >= bpp else 0
                line[i] = (line[i] + _paeth(left, prev[i], upleft)) & 0xFF
        elif ftype != 0:
            raise PngError("unknown PNG filter %d" % ftype)
        out[y * stride:(y + 1) * stride] = line
        prev = line
    return out


def decode(data):
    """(width, height, RGBA bytes) from PNG bytes; 8- and 16-bit, grey/RGB/palette, with or without alpha."""
    data = bytes(data)
    if not data.startswith(SIGNATURE):
        raise PngError("not a PNG image")
    pos = len(SIGNATURE)
    header = None
    palette = b""
    trns = None
    idat = []
    while pos + 8 <= len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind = data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"PLTE":
            palette = body
        elif kind == b"tRNS":
            trns = body
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
    if header is None:
        raise PngError("PNG without header")
    width, height, depth, colour_type, _comp, _filter, interlace = header
    if interlace:
        raise PngError("interlaced PNG is not supported")
    if colour_type not in _CHANNELS or depth not in (8, 16) or (colour_type == 3 and depth != 8):
        raise PngError("unsupported PNG format (colour type %d, %d bits)" % (colour_type, depth))
    try:
        raw = zlib.decompress(b"".join(idat))
    except zlib.error as exc:
        raise PngError("damaged PNG data: %s" % exc) from exc
    channels = _CHANNELS[colour_type]
    bpp = channels * depth // 8
    pixels = _unfilter(raw, height, width * bpp, bpp)
    if depth == 16:
        pixels = pixels[0::2]  # big-endian samples: the high byte comes first
    n = width * height
    rgba = bytearray(n * 4)
    if colour_type == 6:
        rgba[:] = pixels
    elif colour_type == 2:
        for c in range(3):
            rgba[c::4] = pixels[c::3]
        rgba[3::4] = b"\xff" * n
        if trns is not None and len(trns) >= 6:
            key = bytes(trns[1::2][:3])
            for i in range(n):
                if pixels[3 * i:3 * i + 3] == key:
                    rgba[4 * i + 3] = 0
    elif colour_type == 0:
        for c in range(3):
            rgba[c::4] = pixels
        rgba[3::4] = b"\xff" * n
        if trns is not None and len(trns) >= 2:
            key = trns[1]
            for i in range(n):
                if pixels[i] == key:
                    rgba[4 * i + 3] = 0
    elif colour_type == 4:
        for c in range(3):
            rgba[c::4] = pixels[0::2]
        rgba[3::4] = pixels[1::2]
    else:  # palette
        table = []
        for i in range(256):
            rgb = palette[3 * i:3 * i + 3] or b"\x00\x00\x00"
            alpha = trns[i] if trns is not None and i < len(trns) else 255
            table.append(bytes(rgb) + bytes([alpha]))
        rgba = bytearray(b"".join(table[p] for p in pixels))
    return width, height, bytes(rgba)
