"""PNG on the wire, Krita's BGRA bytes in the document: QImage converts between them.

Krita's 8-bit RGBA layers are B, G, R, A in memory, rows from the top-left; that is exactly
QImage.Format_ARGB32 (not premultiplied) on little-endian machines, so encoding and decoding are one
QImage call each, at C++ speed. Big-endian machines (none run Krita today) would need a byte swap.
"""

from typing import Tuple

from .core.errors import PluginError
from .qt import FORMAT_ARGB32, FORMAT_GRAY8, WRITE_ONLY, QBuffer, QByteArray, QImage

_PNG = "PNG"


def _bytes_of(image: "QImage") -> bytes:
    """The pixels of `image`, rows packed without padding."""
    width, height, stride = image.width(), image.height(), image.bytesPerLine()
    raw = image.constBits().asstring(stride * height)
    row = width * (4 if image.format() == FORMAT_ARGB32 else 1)
    if stride == row:
        return bytes(raw)
    return b"".join(raw[y * stride : y * stride + row] for y in range(height))


def _png_of(image: "QImage") -> bytes:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(WRITE_ONLY)
    if not image.save(buffer, _PNG):
        raise PluginError("Could not encode the layer as PNG.")
    buffer.close()
    return bytes(data)


def encode_bgra(bgra: bytes, width: int, height: int) -> bytes:
    """Krita's BGRA bytes (width x height) -> PNG bytes (RGBA)."""
    image = QImage(bytes(bgra), width, height, width * 4, FORMAT_ARGB32)
    return _png_of(image)


def encode_gray(data: bytes, width: int, height: int) -> bytes:
    """One byte per pixel (a selection) -> 8-bit grey PNG."""
    image = QImage(bytes(data), width, height, width, FORMAT_GRAY8)
    return _png_of(image)


def decode_to_bgra(png: bytes, what: str = "a layer") -> Tuple[int, int, bytes]:
    """PNG bytes (any colour type) -> (width, height, BGRA bytes) for Krita's setPixelData."""
    image = QImage.fromData(bytes(png), _PNG)
    if image.isNull():
        raise PluginError("The backend sent an unreadable image for %s." % what)
    if image.format() != FORMAT_ARGB32:
        image = image.convertToFormat(FORMAT_ARGB32)
    return image.width(), image.height(), _bytes_of(image)
