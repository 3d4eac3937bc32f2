"""Settings-file mistakes, shown to the user: bad TOML, a `.cachemount.toml` written with a
`[tool.cachemount]` header, an unknown key, rule code or severity. The log (window/logMessage)
has them already, but nobody reads it; a window/showMessage warning is seen.

Once per settings file and content: the settings are read again on every keystroke, and a problem
already shown is not shown again while it lasts; it shows again after it was gone (fixed, then
broken again). The server goes on with the valid rest of the file (or the defaults)."""
from __future__ import annotations

import logging
from functools import lru_cache
from typing import Callable

from ..settings.model import Settings

logger = logging.getLogger("cachemount.lsp")


class ProblemMessages:
    def __init__(self, show: Callable[[str], None] | None):
        self._show = show
        self._shown: dict[str, frozenset[str]] = {}   # settings file -> the problems shown for it

    def report(self, settings: Settings) -> None:
        """Show the problems of the settings file `settings` were read from that are new."""
        source = settings.source
        if source is None or self._show is None:
            return
        before = self._shown.get(source, frozenset())
        self._shown[source] = frozenset(settings.problems)
        new = [p for p in settings.problems if p not in before]
        if not new:
            return
        head = f"{source}: "
        details = "; ".join(p[len(head):] if p.startswith(head) else p for p in new)
        rest = "" if settings.unreadable else " (the rest of the file applies)"   # else it says "using defaults"
        try:
            self._show(f"cachemount: settings file {source}: {details}{rest}")
        except Exception:
            logger.warning("cannot show a settings problem: %s", details, exc_info=True)


@lru_cache(maxsize=1)
def rule_spellings() -> dict[str, str]:
    """Every rule's code and name -> its code (the settings' rule codes are checked against them).
    Imported when first needed: by then the engine is loaded, or about to be."""
    from ..rules import BY_CODE, BY_NAME
    return {**{code: code for code in BY_CODE}, **{name: rule.code for name, rule in BY_NAME.items()}}
