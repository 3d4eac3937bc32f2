-- Headless Neovim (0.7+) end-to-end check of `cachemount serve`, started by README.md's snippet.
-- Run by run-nvim-check.sh:
--   nvim --headless -u <the README snippet> -i NONE -n --cmd 'luafile nvim_capture.lua' Dockerfile -S nvim_check.lua
-- with LSP_OUT=/path/result.json. The snippet starts the server and attaches it to the Dockerfile,
-- whose second line is a RUN whose `sharing=lock` comes after non-ASCII characters and whose third
-- line is a `pip install` without a cache mount (CM101, a warning unless the snippet's `CM101 =
-- error` reached the server). Checks: the snippet's client attached, diagnostics arrive (code, source,
-- exact column after Neovim's own position conversion), the snippet's severity, hover on the
-- diagnostic, the quick fix applied to the buffer, and fresh diagnostics after the edit.
-- Writes a JSON report to LSP_OUT; exits 0 when every check passed, 1 otherwise.
local env = vim.env
local timeout = tonumber(env.LSP_TIMEOUT_MS or '30000')
local bufnr = vim.api.nvim_get_current_buf()
local uri = vim.uri_from_bufnr(bufnr)
local v = vim.version()
local report = { nvim = string.format('%d.%d.%d', v.major, v.minor, v.patch), file = vim.api.nvim_buf_get_name(bufnr),
  filetype = vim.bo[bufnr].filetype, checks = {}, failures = {} }

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

local function attached()
  local clients = vim.lsp.get_clients and vim.lsp.get_clients({ bufnr = bufnr }) or vim.lsp.buf_get_clients(bufnr)
  for _, c in pairs(clients) do
    if c.name == 'cachemount' then return c end
  end
  return nil
end

local function mine(params)
  local out = {}
  for _, p in ipairs(params) do
    if p.uri == uri then table.insert(out, p) end
  end
  return out
end

local function find(diags, code, word)
  for _, d in ipairs(diags or {}) do
    if d.code == code and (word == nil or tostring(d.message):find(word, 1, true)) then return d end
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

check('the Dockerfile is a dockerfile buffer', report.filetype == 'dockerfile', report.filetype)
local client = nil
vim.wait(timeout, function() client = attached() return client ~= nil end, 20)
if not check('the README snippet started the server and attached it', client ~= nil) then finish() return end
report.root_dir = client.config.root_dir

local arrived = vim.wait(timeout, function() return #mine(_G.cachemount_published) > 0 end, 20)
check('diagnostics arrived', arrived)
local last = arrived and mine(_G.cachemount_published)[#mine(_G.cachemount_published)] or { diagnostics = {} }
report.diagnostics = last.diagnostics
local diag = find(last.diagnostics, 'CM301', 'sharing')
local cm101 = find(last.diagnostics, 'CM101')
check('CM101 severity from the snippet reached the server (error, not the default warning)',
  cm101 ~= nil and cm101.severity == 1, cm101)
if not check('CM301 on sharing=lock', diag ~= nil, last.diagnostics) then finish() return end
check('diagnostic source and docs link', diag.source == 'cachemount' and diag.codeDescription ~= nil
  and tostring(diag.codeDescription.href):find('CM301', 1, true) ~= nil, diag)

-- Neovim converts the server's positions to byte columns: they must land exactly on `lock`, and the
-- CM101 error must be an error in Neovim's own diagnostics too.
local line = vim.api.nvim_buf_get_lines(bufnr, 1, 2, false)[1]
local lock_col = line:find('=lock ', 1, true)   -- 1-based index of '=', so the 0-based column of `lock`
local vd, v101 = nil, nil
vim.wait(2000, function()
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    if d.source == 'cachemount' and tostring(d.message):find('sharing', 1, true) then vd = d end
    if d.source == 'cachemount' and d.lnum == 2 then v101 = d end
  end
  return vd ~= nil and v101 ~= nil
end, 20)
check('diagnostic column is exact (bytes, after non-ASCII chars)', vd ~= nil and vd.lnum == 1 and vd.col == lock_col,
  { lnum = vd and vd.lnum, col = vd and vd.col, expected = lock_col })
check('Neovim shows CM101 as an error', v101 ~= nil and v101.severity == vim.diagnostic.severity.ERROR, v101)

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
  local count = #mine(_G.cachemount_published)
  vim.lsp.util.apply_workspace_edit(fix.edit, client.offset_encoding or 'utf-16')
  local fixed_line = vim.api.nvim_buf_get_lines(bufnr, 1, 2, false)[1]
  report.fixed_line = fixed_line
  check('quick fix edited the buffer', fixed_line:find('sharing=locked', 1, true) ~= nil, fixed_line)
  local after = nil
  local refreshed = vim.wait(timeout, function()
    local all = mine(_G.cachemount_published)
    after = all[#all]
    return #all > count and find(after.diagnostics, 'CM301', 'sharing') == nil
  end, 20)
  check('diagnostics refreshed after the edit', refreshed and find(after.diagnostics, 'CM101') ~= nil, after)
end

vim.lsp.stop_client(client.id)
vim.wait(3000, function() return vim.lsp.client_is_stopped(client.id) end, 20)
finish()
