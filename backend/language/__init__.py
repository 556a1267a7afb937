"""Stage 1, language: an English instruction -> clauses (what to colour, with which colours).

Bottom of the import order with `lineart`: it imports only the shared vocabulary.
"""

from .instruction import Clause, Colour, InstructionError, ParsedInstruction, Position, Target
from .parser import parse_instruction, parse_target

__all__ = [
    "Clause",
    "Colour",
    "InstructionError",
    "ParsedInstruction",
    "Position",
    "Target",
    "parse_instruction",
    "parse_target",
]
