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

function context() {
  return {
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
