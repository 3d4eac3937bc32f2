-- Sourced with `--cmd` (before init.lua, so before the README snippet starts the server): keeps
-- every textDocument/publishDiagnostics exactly as the server sent it, for nvim_check.lua.
_G.cachemount_published = {}
local publish = vim.lsp.handlers['textDocument/publishDiagnostics']
vim.lsp.handlers['textDocument/publishDiagnostics'] = function(err, result, ctx, config)
  if result then table.insert(_G.cachemount_published, result) end
  return publish(err, result, ctx, config)
end
