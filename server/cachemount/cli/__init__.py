"""The command line face: `cachemount check` and `cachemount serve`."""
from .commands import main

__all__ = ["main"]
