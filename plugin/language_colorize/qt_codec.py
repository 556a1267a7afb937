"""PNG decoding with QImage (C++ speed); encoding stays with the pure encoder (already fast)."""

from PyQt5.QtGui import QImage

from .core import pixels
from .core.codec import PureCodec


class QtCodec(PureCodec):
    name = "qt"

    def decode_png(self, data):
        image = QImage.fromData(bytes(data), "PNG")
        if image.isNull():
            return PureCodec.decode_png(self, data)  # gives a precise error
        # ARGB32 (not premultiplied) is B, G, R, A in memory on little-endian machines: Krita's order.
        image = image.convertToFormat(QImage.Format_ARGB32)
        width, height, stride = image.width(), image.height(), image.bytesPerLine()
        ptr = image.constBits()
        ptr.setsize(stride * height)
        raw = bytes(ptr)
        if stride != width * 4:
            raw = pixels.crop(raw, stride // 4, height, 4, 0, 0, width, height)
        return width, height, raw
