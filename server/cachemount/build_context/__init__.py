"""The build context a Dockerfile's COPY instructions read: found (`discover`) or given (`given`),
then read with BuildKit's rules (`BuildContext`: `.dockerignore`, symlinks kept inside, bounded).

Layer: beside `knowledge/` (it reads those tables and the filesystem, nothing of the analysis).
The faces find a Dockerfile's context and pass it to `lint`; CM201's fixes read it."""
from __future__ import annotations

from .discover import ContextError, discover, given
from .tree import BuildContext

__all__ = ["BuildContext", "ContextError", "discover", "given"]
