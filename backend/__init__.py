"""Language colorization of line-art sketches: parsing, flatting, scene understanding, colouring."""

__version__ = "0.1.0"
