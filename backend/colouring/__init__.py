"""Stage 5, colouring: flat fills per part, sky and ground, as cropped result layers.

Imports every stage below it; only `pipeline` and `service` import it.
"""

from .layers import Layer, paint

__all__ = ["Layer", "paint"]
