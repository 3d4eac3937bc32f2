"""The real server with failures injected: hover always raises, and the analysis raises for any text
containing BOOM. Used to prove a failing handler never takes the server down."""
import sys

import cachemount.semantics.pipeline
import cachemount.editor.hover


def _boom(*args, **kwargs):
    raise RuntimeError("injected hover failure")


_real_analyze = cachemount.semantics.pipeline.analyze


def _analyze(text, *args, **kwargs):
    if "BOOM" in text:
        raise RuntimeError("injected analysis failure")
    return _real_analyze(text, *args, **kwargs)


cachemount.editor.hover.hover_at = _boom
cachemount.semantics.pipeline.analyze = _analyze

from cachemount.lsp.server import serve  # noqa: E402

sys.exit(serve(None))
