"""RUN body -> simple commands with exact document spans (see `parse_commands`)."""
from .model import SimpleCommand, Word
from .parse import parse_commands

__all__ = ["SimpleCommand", "Word", "parse_commands"]
