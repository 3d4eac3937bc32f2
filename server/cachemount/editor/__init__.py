"""Pure editor features over the engine: hover, completion and incremental re-linting. No LSP types
here; `lsp/` converts."""
