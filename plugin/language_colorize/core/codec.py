"""Image codecs behind one interface: BGRA in and out, PNG on the wire."""

from . import pixels, png


class PureCodec(object):
    """zlib-only PNG; correct everywhere, slower to decode big layers than Qt's."""

    name = "pure-python"

    def decode_png(self, data):
        """PNG bytes -> (width, height, BGRA bytes)."""
        width, height, rgba = png.decode(data)
        return width, height, pixels.rgba_to_bgra(rgba)

    def encode_bgra(self, bgra, width, height):
        return png.encode(width, height, pixels.bgra_to_rgba(bgra), "RGBA")

    def encode_gray(self, data, width, height):
        return png.encode(width, height, data, "L")
