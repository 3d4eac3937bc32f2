// activate() end to end in plain node, with vscode mocked and no Python reachable:
// the notification when nothing works, trust handling, and which setting changes restart.
import { changeSettings, emitters, state, reset } from './vscode-mock';
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, afterEach, beforeEach, describe, it } from 'node:test';
import { activate, deactivate, CachemountApi } from '../../src/extension';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cm-ext-'));
const emptyPath = path.join(tmp, 'empty-path');
fs.mkdirSync(emptyPath);
fs.mkdirSync(path.join(tmp, 'ext'));
const savedPath = process.env.PATH;

/** an in-memory globalState (shared by the "windows" of one test file, as VS Code's is) */
const globalState = new Map<string, unknown>();

function context() {
  return {
    globalState: {
      get: (key: string) => globalState.get(key),
      update: async (key: string, value: unknown) => void globalState.set(key, value),
    },
    subscriptions: [] as { dispose(): unknown }[],
    asAbsolutePath: (p: string) => path.join(tmp, 'ext', p),
    extensionPath: path.join(tmp, 'ext'),
    extension: { packageJSON: { version: '0.0.0-test' } },
  };
}

/** a fake "interpreter" that leaves a marker when it is run, and has no cachemount */
function markerInterpreter(name: string): { file: string; marker: string } {
  const file = path.join(tmp, name);
  const marker = `${file}.ran`;
  fs.writeFileSync(file, `#!/bin/sh\n: > '${marker}'\necho "No module named cachemount" >&2\nexit 1\n`, { mode: 0o755 });
  return { file, marker };
}

let ctx: ReturnType<typeof context>;
let api: CachemountApi;

async function start(): Promise<void> {
  ctx = context();
  api = activate(ctx as never);
  await api.ready();
}

const errors = () => state.messages.filter((m) => m.kind === 'error');

describe('activate (vscode mocked, no Python on PATH)', { skip: process.platform === 'win32' }, () => {
  beforeEach(() => {
    reset();
    process.env.PATH = emptyPath; // python3/python are not found: discovery must fail cleanly
  });
  afterEach(async () => {
    await deactivate();
    ctx.subscriptions.forEach((d) => d.dispose());
    process.env.PATH = savedPath;
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('nothing works: exactly one error notification naming what was tried and how to fix it', async () => {
    state.config.interpreter = { globalValue: '/nonexistent/python3' };
    await start();
    assert.equal(api.serverInfo(), undefined);
    assert.equal(errors().length, 1);
    const msg = errors()[0].message;
    assert.match(msg, /could not start the language server/);
    assert.match(msg, /cachemount\.interpreter: \/nonexistent\/python3 \(\/nonexistent\/python3 not found\)/);
    assert.match(msg, /bundled server \(this build of the extension ships no bundled server\)/);
    assert.match(msg, /python3 \(python3 not found\)/);
    assert.match(msg, /pip install cachemount/);
    // the details are in the output channel too
    assert.ok(state.logs.some((l) => l.level === 'warn' && /not usable: cachemount\.interpreter/.test(l.message)));
    assert.ok(state.logs.some((l) => l.level === 'error' && /could not start/.test(l.message)));
  });

  it('untrusted workspace: the workspace interpreter is never run', async () => {
    state.trusted = false;
    const evil = markerInterpreter('evil-untrusted');
    state.config.interpreter = { workspaceValue: evil.file };
    await start();
    assert.equal(fs.existsSync(evil.marker), false, 'workspace interpreter was executed in an untrusted workspace');
    assert.equal(errors().length, 1);
    assert.match(errors()[0].message, /Workspace values of cachemount\.interpreter were ignored because this workspace is not trusted/);
    assert.ok(state.logs.some((l) => l.level === 'warn' && /not trusted: its cachemount\.interpreter setting is ignored/.test(l.message)));
  });

  it('untrusted workspace: a user-level interpreter is still used', async () => {
    state.trusted = false;
    const user = markerInterpreter('user-untrusted');
    state.config.interpreter = { globalValue: user.file };
    await start();
    assert.equal(fs.existsSync(user.marker), true);
  });

  it('untrusted workspace: a user-level interpreter inside the workspace is never run, until trust is granted', async () => {
    state.trusted = false;
    const ws = path.join(tmp, 'repo');
    fs.mkdirSync(ws);
    state.workspaceFolders = [{ uri: { fsPath: ws } }];
    const evil = markerInterpreter('repo/venv-python');
    state.config.interpreter = { globalValue: '${workspaceFolder}/venv-python' };
    await start();
    assert.equal(fs.existsSync(evil.marker), false, 'an interpreter inside the untrusted workspace was executed');
    assert.equal(errors().length, 1);
    assert.match(errors()[0].message, /cachemount\.interpreter was ignored because it points inside this untrusted workspace/);
    assert.ok(state.logs.some((l) => l.level === 'warn' && l.message.includes(`cachemount.interpreter (user setting) points inside it (${evil.file})`)));
    state.trusted = true;
    emitters.trust.fire();
    await api.ready();
    assert.equal(fs.existsSync(evil.marker), true, 'granting trust did not restart with the user setting');
  });

  it('trusted workspace: the same workspace interpreter is tried', async () => {
    const ws = markerInterpreter('ws-trusted');
    state.config.interpreter = { workspaceValue: ws.file };
    await start();
    assert.equal(fs.existsSync(ws.marker), true);
  });

  it('changing cachemount.interpreter or cachemount.path restarts; other cachemount settings do not', async () => {
    await start();
    const restarts = () => state.logs.filter((l) => /Restarting the server/.test(l.message)).length;
    changeSettings('cachemount.rules', 'cachemount');
    changeSettings('cachemount.severity', 'cachemount.select', 'cachemount.trace.server');
    await api.ready();
    assert.equal(restarts(), 0);
    assert.equal(errors().length, 1);
    changeSettings('cachemount.interpreter');
    await api.ready();
    changeSettings('cachemount.path');
    await api.ready();
    assert.equal(restarts(), 2);
    assert.equal(errors().length, 3, 'one notification per (re)start attempt');
  });

  it('the cachemount.restart command restarts', async () => {
    await start();
    await state.commands['cachemount.restart']();
    assert.ok(state.logs.some((l) => /Restarting the server: cachemount\.restart command/.test(l.message)));
  });

  it('granting trust restarts only when the workspace has its own server settings', async () => {
    state.trusted = false;
    await start();
    emitters.trust.fire();
    await api.ready();
    assert.equal(state.logs.filter((l) => /workspace trusted/.test(l.message)).length, 0);
    const ws = markerInterpreter('ws-granted');
    state.config.interpreter = { workspaceValue: ws.file };
    state.trusted = true;
    emitters.trust.fire();
    await api.ready();
    assert.equal(state.logs.filter((l) => /workspace trusted/.test(l.message)).length, 1);
    assert.equal(fs.existsSync(ws.marker), true);
  });
});

describe('the language status item and the validation cache (vscode mocked)', { skip: process.platform === 'win32' }, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cm-ext-status-'));
  after(() => {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(tmp, { recursive: true, force: true });
  });
  beforeEach(() => {
    reset();
    fs.mkdirSync(path.join(tmp, 'ext'), { recursive: true });   // the extension's directory (the other suite removes tmp)
    process.env.PATH = emptyPath;
  });
  afterEach(async () => {
    await deactivate();
    ctx.subscriptions.forEach((d) => d.dispose());
    process.env.PATH = savedPath;
  });

  it('one item, for Dockerfiles: an error with a Show Log command when no server can be found', async () => {
    state.config.interpreter = { globalValue: '/nonexistent/python3' };
    await start();
    assert.equal(state.statusItems.length, 1);
    const [item] = state.statusItems;
    assert.ok(JSON.stringify(item.selector).includes('"language":"dockerfile"'));
    const status = api.status();
    assert.equal(status.state, 'error');
    assert.equal(status.severity, 'error');
    assert.equal(status.command, 'cachemount.showLog');
    assert.match(status.text, /not running/);
    assert.equal(item.text, status.text, 'the snapshot is what the item shows');
    assert.equal(item.severity, 2);
    await deactivate();
    ctx.subscriptions.forEach((d) => d.dispose());
    assert.equal(item.disposed, true);
  });

  it('a server that fails to start after a cached validation is validated again, once', async () => {
    // passes the check (naming a stamp file), but cannot run the server (under the mocked vscode the
    // language client cannot start at all: either way, the start fails)
    const site = fs.mkdtempSync(path.join(dir, 'site-'));
    const file = path.join(dir, 'checks-ok-serve-fails');
    const runs = `${file}.runs`;
    fs.writeFileSync(file, [
      '#!/bin/sh',
      'case "$2" in *runpy*) echo serve >> "$0.runs"; exit 1;; esac',
      'echo check >> "$0.runs"',
      'echo "0.1.0 /site/cachemount/__init__.py 3.12.1"',
      `echo 'stamps:${JSON.stringify([site])}'`,
    ].join('\n'), { mode: 0o755 });
    const checks = () => (fs.existsSync(runs) ? fs.readFileSync(runs, 'utf8').split('\n').filter((l) => l === 'check').length : 0);
    state.config.interpreter = { globalValue: file };

    await start();   // first window: checked, then the start fails
    assert.equal(checks(), 1);
    assert.equal(api.status().state, 'error');
    assert.equal(api.status().interpreter, file);
    assert.equal(api.timings()?.validations[0].cached, false);
    await deactivate();
    ctx.subscriptions.forEach((d) => d.dispose());

    await start();   // next window: the cached check is not trusted after a failed start
    assert.ok(state.logs.some((l) => /was usable before and failed to start now/.test(l.message)), 'no second check');
    assert.equal(checks(), 2);
    assert.equal(api.status().state, 'error');
    assert.equal(api.serverInfo()?.generation, 1, 'the re-check is part of the same start');
  });
});
