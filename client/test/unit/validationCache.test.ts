// The validation cache: a passed check is reused while the files it named keep their modification
// times; anything else (a changed or removed file, a failed check, another environment) runs the
// check again. Fake interpreters count how often they are run.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, beforeEach, describe, it } from 'node:test';
import { ServerCommand, interpreterCommand } from '../../src/discovery';
import { parseStamps, validateInterpreter } from '../../src/validate';
import { STORE_KEY, Store, ValidationCache } from '../../src/validationCache';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cm-vcache-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

class MemoryStore implements Store {
  data = new Map<string, unknown>();
  get<T>(key: string): T | undefined {
    return this.data.get(key) as T | undefined;
  }
  async update(key: string, value: unknown): Promise<void> {
    this.data.set(key, JSON.parse(JSON.stringify(value)));   // as globalState keeps it: JSON
  }
}

/** a fake interpreter whose check passes and names `stamps`; each run appends a line to its log */
function countingPython(name: string, stamps: string[], exitCode = 0): { cmd: ServerCommand; runs: () => number } {
  const file = path.join(tmp, name);
  const runs = `${file}.runs`;
  fs.writeFileSync(file, [
    '#!/bin/sh',
    `echo run >> '${runs}'`,
    exitCode ? `echo "No module named cachemount" >&2; exit ${exitCode}` : 'echo "0.1.0 /site/cachemount/__init__.py 3.12.1"',
    `echo 'stamps:${JSON.stringify(stamps)}'`,
  ].join('\n'), { mode: 0o755 });
  const count = () => (fs.existsSync(runs) ? fs.readFileSync(runs, 'utf8').split('\n').filter(Boolean).length : 0);
  return { cmd: interpreterCommand('cachemount.interpreter', [file], file, tmp), runs: count };
}

function touch(file: string, secondsAhead: number): void {
  const t = new Date(Date.now() + secondsAhead * 1000);
  fs.utimesSync(file, t, t);
}

describe('ValidationCache', { skip: process.platform === 'win32' }, () => {
  let store: MemoryStore;
  let cache: ValidationCache;
  let validate: (cmd: ServerCommand) => ReturnType<typeof validateInterpreter>;
  beforeEach(() => {
    store = new MemoryStore();
    cache = new ValidationCache(store);
    validate = cache.wrap((cmd) => validateInterpreter(cmd));
  });

  it('a passed check is answered from the cache while its files are unchanged', async () => {
    const site = fs.mkdtempSync(path.join(tmp, 'site-'));
    const py = countingPython('good', [site]);
    const first = await validate(py.cmd);
    assert.equal(first.ok, true);
    assert.equal(first.cached, undefined);
    const second = await validate(py.cmd);
    assert.deepEqual(second, { ok: true, detail: first.detail, cached: true });
    assert.equal(py.runs(), 1, 'the interpreter ran again although nothing changed');
    // another "window" reads the same store
    assert.equal((await new ValidationCache(store).wrap((cmd) => validateInterpreter(cmd))(py.cmd)).cached, true);
    assert.equal(py.runs(), 1);
  });

  it('a changed or removed file (a package installed or removed) runs the check again', async () => {
    const site = fs.mkdtempSync(path.join(tmp, 'site-'));
    const init = path.join(site, '__init__.py');
    fs.writeFileSync(init, '');
    const py = countingPython('changes', [site, init]);
    await validate(py.cmd);
    touch(site, 5);
    assert.equal((await validate(py.cmd)).cached, undefined);
    assert.equal(py.runs(), 2);
    assert.equal((await validate(py.cmd)).cached, true);
    fs.rmSync(init);
    assert.equal((await validate(py.cmd)).cached, undefined);
    assert.equal(py.runs(), 3);
  });

  it('failed checks are never cached, and a failure drops what was cached', async () => {
    const site = fs.mkdtempSync(path.join(tmp, 'site-'));
    const bad = countingPython('bad', [site], 1);
    assert.equal((await validate(bad.cmd)).ok, false);
    assert.equal((await validate(bad.cmd)).ok, false);
    assert.equal(bad.runs(), 2);
    assert.deepEqual(store.get(STORE_KEY), []);
  });

  it('no stamps (an older or unknown interpreter): checked every time', async () => {
    const py = countingPython('nostamps', []);
    await validate(py.cmd);
    await validate(py.cmd);
    assert.equal(py.runs(), 2);
  });

  it('the same interpreter with another environment (PYTHONPATH) or working directory is another entry', async () => {
    const site = fs.mkdtempSync(path.join(tmp, 'site-'));
    const py = countingPython('envs', [site]);
    await validate(py.cmd);
    await validate({ ...py.cmd, env: { PYTHONPATH: '/ext/bundled/libs' } });
    await validate({ ...py.cmd, cwd: site });
    assert.equal(py.runs(), 3);
    const saved = process.env.PYTHONHOME;
    process.env.PYTHONHOME = '/elsewhere';
    try {
      await validate(py.cmd);
    } finally {
      if (saved === undefined) delete process.env.PYTHONHOME;
      else process.env.PYTHONHOME = saved;
    }
    assert.equal(py.runs(), 4);
    await validate(py.cmd);
    assert.equal(py.runs(), 4);
  });

  it('forget() makes the next start check again (a server that failed to start)', async () => {
    const site = fs.mkdtempSync(path.join(tmp, 'site-'));
    const py = countingPython('forget', [site]);
    await validate(py.cmd);
    cache.forget(py.cmd);
    assert.equal((await validate(py.cmd)).cached, undefined);
    assert.equal(py.runs(), 2);
  });

  it('keeps a bounded number of entries', async () => {
    const site = fs.mkdtempSync(path.join(tmp, 'site-'));
    const py = countingPython('many', [site]);
    for (let i = 0; i < 40; i++) cache.remember({ ...py.cmd, cwd: `/cwd/${i}` }, { ok: true, detail: 'x', stamps: [site] });
    await new Promise((r) => setImmediate(r));
    assert.ok((store.get<unknown[]>(STORE_KEY) ?? []).length <= 16);
  });
});

describe('parseStamps', () => {
  it('reads the stamps line, and nothing from junk', () => {
    assert.deepEqual(parseStamps('0.1.0 /x 3.12\nstamps:["/a","/b"]\n'), ['/a', '/b']);
    assert.equal(parseStamps('0.1.0 /x 3.12\n'), undefined);
    assert.equal(parseStamps('stamps:{"a": 1}'), undefined);
    assert.equal(parseStamps('stamps:[1, 2]'), undefined);
    assert.equal(parseStamps('stamps:[not json'), undefined);
  });
});

// The real check script names the interpreter, where cachemount is and the sys.path directories.
const realPython = process.env.CACHEMOUNT_TEST_PYTHON ?? 'python3';
const serverDir = path.resolve(__dirname, '../../../../server');
const havePython = spawnSync(realPython, ['-c', 'import sys; sys.exit(sys.version_info < (3, 10))']).status === 0;

describe('the check script (real Python)', { skip: process.platform === 'win32' || !havePython }, () => {
  it('names the files whose changes matter', async () => {
    const r = await validateInterpreter(interpreterCommand('bundled', [realPython], 'bundled', tmp, { PYTHONPATH: serverDir }));
    assert.equal(r.ok, true, r.detail);
    const stamps = r.stamps ?? [];
    assert.ok(stamps.includes(serverDir), `PYTHONPATH's directory missing: ${stamps}`);
    assert.ok(stamps.includes(path.join(serverDir, 'cachemount', '__init__.py')), `cachemount's file missing: ${stamps}`);
    assert.ok(stamps.some((p) => /site-packages|dist-packages/.test(p)) || stamps.length > 3, `no site directory: ${stamps}`);
    assert.ok(stamps.every((p) => path.isAbsolute(p) && fs.existsSync(p)));
    assert.ok(!stamps.includes(tmp), 'the working directory (the extension dir) is not on sys.path');
  });
});
