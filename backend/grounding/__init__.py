"""Stage 4, grounding: which recognised instances an instruction's target means.

Imports `language` (the target) and `understanding` (the instances).
"""

from .ground import ground

__all__ = ["ground"]
