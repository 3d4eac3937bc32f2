import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { interpreterCommand } from '../../src/discovery';
import { mergedEnv, resolveExecutable, serverEnv, validateExecutable, validateInterpreter } from '../../src/validate';
import { plantWorkspaceCode, workspaceCodeRan } from '../e2e/workspace-code';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cm-validate-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** a fake "python" (a shell script) that behaves as told */
function fakePython(name: string, body: string): string {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  return file;
}

describe('validateInterpreter', { skip: process.platform === 'win32' }, () => {
  it('accepts an interpreter whose import check succeeds and reports what it found', async () => {
    const py = fakePython('good', 'echo "0.1.0 /site/cachemount/__init__.py 3.12.1"');
    const r = await validateInterpreter(interpreterCommand('cachemount.interpreter', [py], py, tmp));
    assert.deepEqual(r, { ok: true, detail: 'cachemount 0.1.0 from /site/cachemount/__init__.py, Python 3.12.1' });
  });

  it("rejects one without cachemount, quoting Python's last error line", async () => {
    const py = fakePython('nocm', 'echo "Traceback (most recent call last):" >&2; echo "ModuleNotFoundError: No module named \'cachemount\'" >&2; exit 1');
    const r = await validateInterpreter(interpreterCommand('cachemount.interpreter', [py], py, tmp));
    assert.equal(r.ok, false);
    assert.equal(r.detail, "ModuleNotFoundError: No module named 'cachemount'");
  });

  it('rejects a missing interpreter', async () => {
    const r = await validateInterpreter(interpreterCommand('cachemount.interpreter', ['/nonexistent/python'], 'x', tmp));
    assert.deepEqual(r, { ok: false, detail: '/nonexistent/python not found' });
  });

  it('gives up on an interpreter that hangs', async () => {
    const py = fakePython('hang', 'exec sleep 10');
    const r = await validateInterpreter(interpreterCommand('cachemount.interpreter', [py], py, tmp), 300);
    assert.equal(r.ok, false);
    assert.match(r.detail, /no answer within/);
  });

  it('runs the check with the candidate environment (PYTHONPATH of the bundled server)', async () => {
    const py = fakePython('env', 'echo "$PYTHONPATH" >&2; exit 1');
    const r = await validateInterpreter(interpreterCommand('bundled', [py], py, tmp, { PYTHONPATH: '/ext/bundled/libs' }));
    assert.match(r.detail, /^\/ext\/bundled\/libs/);
  });

  it('passes prefix arguments before -c', async () => {
    const py = fakePython('args', 'echo "$1 $2" >&2; exit 1');
    const r = await validateInterpreter(interpreterCommand('python extension', [py, 'run', '-c'], py, tmp));
    assert.equal(r.detail, 'run -c');
  });
});

// A real Python (CACHEMOUNT_TEST_PYTHON, default python3) with the repository's server on PYTHONPATH,
// as the bundled server runs. The extension host's working directory is the workspace (`code .` does
// that), and the workspace has its own argparse.py, cachemount/ package, ...
const realPython = process.env.CACHEMOUNT_TEST_PYTHON ?? 'python3';
const serverDir = path.resolve(__dirname, '../../../../server');
const havePython = spawnSync(realPython, ['-c', 'import sys; sys.exit(sys.version_info < (3, 10))']).status === 0;

describe('a workspace with its own argparse.py and cachemount/ (real Python)', { skip: process.platform === 'win32' || !havePython }, () => {
  const ws = fs.mkdtempSync(path.join(tmp, 'ws-'));
  const ext = fs.mkdtempSync(path.join(tmp, 'ext-'));
  const marker = path.join(tmp, 'workspace-code-ran');
  plantWorkspaceCode(ws, marker);
  const cmd = interpreterCommand('bundled', [realPython], 'bundled', ext, { PYTHONPATH: serverDir });

  it('validation imports the real cachemount, not the workspace one', async () => {
    const saved = process.cwd();
    process.chdir(ws);
    try {
      const r = await validateInterpreter(cmd);
      assert.equal(r.ok, true, r.detail);
      assert.ok(r.detail.includes(`from ${path.join(serverDir, 'cachemount', '__init__.py')}`), r.detail);
    } finally {
      process.chdir(saved);
    }
    assert.deepEqual(workspaceCodeRan(marker), []);
  });

  it('the server command imports nothing from the workspace, even when run inside it', () => {
    // vscode-languageclient runs a command without a cwd in the first workspace folder
    for (const cwd of [cmd.cwd ?? ws, ws]) {
      const r = spawnSync(cmd.command, cmd.args, { cwd, env: mergedEnv(cmd.env), input: '', encoding: 'utf8', timeout: 30_000 });
      assert.notEqual(r.status, 3, `workspace code ran (cwd ${cwd}): ${r.stderr}`);
      assert.deepEqual(workspaceCodeRan(marker), [], `imported from ${cwd}`);
    }
  });
});

describe('mergedEnv', () => {
  it('puts extra PYTHONPATH entries first', () => {
    const saved = process.env.PYTHONPATH;
    process.env.PYTHONPATH = '/user/lib';
    try {
      assert.equal(mergedEnv({ PYTHONPATH: '/b' }).PYTHONPATH, `/b${path.delimiter}/user/lib`);
    } finally {
      if (saved === undefined) delete process.env.PYTHONPATH;
      else process.env.PYTHONPATH = saved;
    }
  });
});

describe('serverEnv: bytecode when PYTHONDONTWRITEBYTECODE is set', () => {
  const base = { PATH: '/bin', PYTHONDONTWRITEBYTECODE: '1' };
  it('sends the bytecode to the extension storage instead of compiling at every start', () => {
    const { env, redirected } = serverEnv({ PYTHONUNBUFFERED: '1' }, '/storage/pycache', base);
    assert.equal(redirected, true);
    assert.equal(env.PYTHONDONTWRITEBYTECODE, undefined);
    assert.equal(env.PYTHONPYCACHEPREFIX, '/storage/pycache');
    assert.equal(env.PYTHONUNBUFFERED, '1');
  });

  it('changes nothing otherwise: no PYTHONDONTWRITEBYTECODE, a prefix of the user, or no storage', () => {
    assert.deepEqual(serverEnv(undefined, '/storage/pycache', { PATH: '/bin' }), { env: { PATH: '/bin' }, redirected: false });
    const own = { ...base, PYTHONPYCACHEPREFIX: '/mine' };
    assert.deepEqual(serverEnv(undefined, '/storage/pycache', own), { env: own, redirected: false });
    assert.deepEqual(serverEnv(undefined, undefined, base), { env: base, redirected: false });
  });

  it('a real Python then writes bytecode under the prefix only, never next to the sources', { skip: process.platform === 'win32' || !havePython }, () => {
    const src = fs.mkdtempSync(path.join(tmp, 'src-'));
    const prefix = path.join(tmp, 'prefix');
    fs.writeFileSync(path.join(src, 'cm_bytecode_probe.py'), 'X = 1\n');
    const { env } = serverEnv({ PYTHONPATH: src }, prefix, { ...process.env, PYTHONDONTWRITEBYTECODE: '1' });
    const r = spawnSync(realPython, ['-c', 'import cm_bytecode_probe'], { cwd: tmp, env, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(fs.existsSync(path.join(src, '__pycache__')), false, 'bytecode next to the source');
    const written = fs.readdirSync(prefix, { recursive: true }).map(String);
    assert.ok(written.some((f) => /cm_bytecode_probe\..*pyc$/.test(f)), `nothing under the prefix: ${written}`);
  });
});

describe('resolveExecutable / validateExecutable', { skip: process.platform === 'win32' }, () => {
  it('finds absolute paths and names on PATH, and only executable files', async () => {
    const exe = fakePython('cachemount', 'exit 0');
    const plain = path.join(tmp, 'notexec');
    fs.writeFileSync(plain, '');
    assert.equal(resolveExecutable(exe), exe);
    assert.equal(resolveExecutable('cachemount', { PATH: `/nonexistent${path.delimiter}${tmp}` }), exe);
    assert.equal(resolveExecutable(plain), undefined);
    assert.equal(resolveExecutable(tmp), undefined);
    assert.equal(resolveExecutable('no-such-program-cm', { PATH: tmp }), undefined);
    assert.equal((await validateExecutable({ source: 'cachemount.path', label: '', command: exe, args: [], cwd: tmp })).ok, true);
    assert.equal((await validateExecutable({ source: 'cachemount.path', label: '', command: '/no/such', args: [], cwd: tmp })).ok, false);
  });

  it('honours PATHEXT on Windows', () => {
    const exe = path.join(tmp, 'cm.CMD');
    fs.writeFileSync(exe, '');
    assert.equal(resolveExecutable('cm', { PATH: tmp, PATHEXT: '.EXE;.CMD' }, 'win32'), exe);
  });
});
