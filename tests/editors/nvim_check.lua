-- Headless Neovim (0.7+) end-to-end check of `cachemount serve` in a real LSP client.
-- Run by run-nvim-check.sh:
--   LSP_CMD='["python","-m","cachemount","serve"]' LSP_FILE=/path/Dockerfile LSP_OUT=/path/result.json \
--     nvim --headless -u NONE -i NONE -n -S nvim_check.lua
-- The Dockerfile's second line is a RUN whose `sharing=lock` comes after a non-ASCII character.
-- Checks: diagnostics arrive (code, source, exact column after Neovim's own position conversion),
-- hover on the diagnostic, the quick fix applied to the buffer, and fresh diagnostics after the edit.
-- Writes a JSON report to LSP_OUT; exits 0 when every check passed, 1 otherwise.
local env = vim.env
local cmd = vim.fn.json_decode(env.LSP_CMD)
local file = vim.fn.fnamemodify(env.LSP_FILE, ':p')
local timeout = tonumber(env.LSP_TIMEOUT_MS or '30000')
local report = { nvim = vim.version(), cmd = cmd, file = file, checks = {}, failures = {} }

local function check(name, ok, detail)
  ok = ok and true or false
  table.insert(report.checks, { name = name, ok = ok })
  if not ok then
    table.insert(report.failures, name .. ': ' .. vim.inspect(detail))
  end
  return ok
end

local function finish()
  local f = assert(io.open(env.LSP_OUT, 'w'))
  f:write(vim.fn.json_encode(report), '\n')
  f:close()
  if #report.failures == 0 then vim.cmd('qall!') else vim.cmd('cquit 1') end
end

local function sharing_diag(diags)
  for _, d in ipairs(diags or {}) do
    if d.code == 'CM301' and tostring(d.message):find('sharing', 1, true) then return d end
  end
  return nil
end

local function results(resps)
  local out = {}
  for _, r in pairs(resps or {}) do
    if r.result ~= nil then table.insert(out, r.result) end
  end
  return out
end

vim.cmd('edit ' .. vim.fn.fnameescape(file))
local bufnr = vim.api.nvim_get_current_buf()
vim.bo[bufnr].filetype = 'dockerfile'
local uri = vim.uri_from_bufnr(bufnr)
local published = {}

local client_id = vim.lsp.start_client({
  name = 'cachemount',
  cmd = cmd,
  root_dir = vim.fn.fnamemodify(file, ':h'),
  handlers = {
    ['textDocument/publishDiagnostics'] = function(err, res, ctx, config)
      if res and res.uri == uri then table.insert(published, res) end
      return vim.lsp.handlers['textDocument/publishDiagnostics'](err, res, ctx, config)
    end,
  },
  on_init = function(_, init_result)
    report.server_info = (init_result and init_result.serverInfo) or vim.NIL
  end,
})
if not check('server started', client_id ~= nil) then finish() return end
vim.lsp.buf_attach_client(bufnr, client_id)
local client = vim.lsp.get_client_by_id(client_id)

local arrived = vim.wait(timeout, function() return #published > 0 end, 20)
check('diagnostics arrived', arrived)
check('serverInfo names cachemount', type(report.server_info) == 'table' and report.server_info.name == 'cachemount',
  report.server_info)
local diag = arrived and sharing_diag(published[#published].diagnostics) or nil
if not check('CM301 on sharing=lock', diag ~= nil, arrived and published[#published].diagnostics) then
  finish() return
end
check('diagnostic source and docs link', diag.source == 'cachemount' and diag.codeDescription ~= nil
  and tostring(diag.codeDescription.href):find('CM301', 1, true) ~= nil, diag)

-- Neovim converts the server's positions to byte columns: they must land exactly on `lock`.
local line = vim.api.nvim_buf_get_lines(bufnr, 1, 2, false)[1]
local lock_col = line:find('=lock ', 1, true)   -- 1-based index of '=', so the 0-based column of `lock`
local vd = nil
vim.wait(2000, function()
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    if d.source == 'cachemount' and tostring(d.message):find('sharing', 1, true) then vd = d end
  end
  return vd ~= nil
end, 20)
check('diagnostic column is exact (bytes, after a non-ASCII char)', vd ~= nil and vd.lnum == 1 and vd.col == lock_col,
  { lnum = vd and vd.lnum, col = vd and vd.col, expected = lock_col })

-- hover on the diagnostic's start
local hover = results(vim.lsp.buf_request_sync(bufnr, 'textDocument/hover',
  { textDocument = { uri = uri }, position = diag.range.start }, timeout))
local hover_text = hover[1] and hover[1].contents and (hover[1].contents.value or hover[1].contents) or ''
report.hover = hover_text
check('hover explains the value', type(hover_text) == 'string' and hover_text:find('sharing=lock', 1, true) ~= nil
  and hover_text:find('shared', 1, true) ~= nil, hover_text)

-- code action: the quick fix, applied to the buffer
local actions = results(vim.lsp.buf_request_sync(bufnr, 'textDocument/codeAction', {
  textDocument = { uri = uri }, range = diag.range, context = { diagnostics = { diag } },
}, timeout))
local fix = nil
report.code_actions = {}
for _, list in ipairs(actions) do
  for _, a in ipairs(list) do
    table.insert(report.code_actions, a.title)
    if a.title == 'Change sharing=lock to sharing=locked' then fix = a end
  end
end
check('quick fix offered', fix ~= nil and fix.edit ~= nil, report.code_actions)
check('ignore action offered', vim.tbl_contains(report.code_actions, 'Ignore CM301 for this instruction'),
  report.code_actions)
if fix and fix.edit then
  local count = #published
  vim.lsp.util.apply_workspace_edit(fix.edit, client.offset_encoding or 'utf-16')
  local fixed_line = vim.api.nvim_buf_get_lines(bufnr, 1, 2, false)[1]
  report.fixed_line = fixed_line
  check('quick fix edited the buffer', fixed_line:find('sharing=locked', 1, true) ~= nil, fixed_line)
  local refreshed = vim.wait(timeout, function()
    return #published > count and sharing_diag(published[#published].diagnostics) == nil
  end, 20)
  check('diagnostics refreshed after the edit', refreshed, published[#published])
end

client.stop()
vim.wait(3000, function() return vim.lsp.client_is_stopped(client_id) end, 20)
finish()
