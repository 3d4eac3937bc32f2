import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import {
  DiscoveryInput,
  PythonExtensionResult,
  SERVE_ARGS,
  ServerCommand,
  failedExplicitSettings,
  findServer,
  nothingWorkedMessage,
} from '../../src/discovery';

/** Builds an input where only the named commands validate; records what was validated. */
function setup(works: string[], overrides: Partial<DiscoveryInput> = {}, py: PythonExtensionResult = { installed: false }) {
  const validated: string[] = [];
  let pythonAsked = 0;
  const check = async (cmd: ServerCommand) => {
    const key = (cmd.env?.PYTHONPATH ? 'bundled:' : '') + cmd.command;
    validated.push(key);
    return works.includes(key) ? { ok: true, detail: 'fine' } : { ok: false, detail: `${key} broken` };
  };
  const input: DiscoveryInput = {
    trusted: true,
    pythonExtension: async () => {
      pythonAsked++;
      return py;
    },
    systemPythons: ['python3', 'python'],
    validateExecutable: check,
    validateInterpreter: check,
    cwd: '/ext',
    ...overrides,
  };
  return { input, validated, pythonAsked: () => pythonAsked };
}

describe('findServer: the order of candidates', () => {
  it('uses cachemount.path first, with its arguments, and asks nothing else', async () => {
    const t = setup(['/opt/cm/bin/cachemount'], {
      path: ['/opt/cm/bin/cachemount', 'serve', '--log-level', 'debug'],
      interpreter: '/usr/bin/python3.12',
      bundledLibs: '/ext/bundled/libs',
    });
    const r = await findServer(t.input);
    assert.equal(r.server?.source, 'cachemount.path');
    assert.equal(r.server?.command, '/opt/cm/bin/cachemount');
    assert.deepEqual(r.server?.args, ['serve', '--log-level', 'debug']);
    assert.deepEqual(t.validated, ['/opt/cm/bin/cachemount']);
    assert.equal(t.pythonAsked(), 0);
  });

  it('falls back from a broken cachemount.path to cachemount.interpreter (-m cachemount serve)', async () => {
    const t = setup(['/venv/bin/python'], { path: ['/missing/cachemount', 'serve'], interpreter: '/venv/bin/python' });
    const r = await findServer(t.input);
    assert.equal(r.server?.source, 'cachemount.interpreter');
    assert.equal(r.server?.command, '/venv/bin/python');
    assert.deepEqual(r.server?.args, SERVE_ARGS);
    assert.deepEqual(t.validated, ['/missing/cachemount', '/venv/bin/python']);
    assert.deepEqual(failedExplicitSettings(r.attempts).map((a) => a.source), ['cachemount.path']);
  });

  it("then the Python extension's interpreter, keeping its prefix arguments", async () => {
    const t = setup(['conda'], {}, { installed: true, interpreter: ['conda', 'run', '-n', 'tools', 'python'] });
    const r = await findServer(t.input);
    assert.equal(r.server?.source, 'python extension');
    assert.deepEqual(r.server?.args, ['run', '-n', 'tools', 'python', ...SERVE_ARGS]);
    assert.deepEqual(r.server?.python, ['conda', 'run', '-n', 'tools', 'python']);
  });

  it('then the bundled server, run by python3 with bundled/libs on PYTHONPATH', async () => {
    const t = setup(['bundled:python3'], { bundledLibs: '/ext/bundled/libs' }, { installed: true, interpreter: ['/venv/bin/python'] });
    const r = await findServer(t.input);
    assert.equal(r.server?.source, 'bundled');
    assert.equal(r.server?.command, 'python3');
    assert.deepEqual(r.server?.args, SERVE_ARGS);
    assert.deepEqual(r.server?.env, { PYTHONPATH: '/ext/bundled/libs' });
    assert.deepEqual(t.validated, ['/venv/bin/python', 'bundled:python3']);
  });

  it('tries each system Python for the bundled server before giving up on it', async () => {
    const t = setup(['bundled:python'], { bundledLibs: '/ext/bundled/libs' });
    const r = await findServer(t.input);
    assert.equal(r.server?.source, 'bundled');
    assert.equal(r.server?.command, 'python');
    assert.deepEqual(t.validated, ['bundled:python3', 'bundled:python']);
  });

  it('last: a python3 that has cachemount installed', async () => {
    const t = setup(['python3'], { bundledLibs: '/ext/bundled/libs' });
    const r = await findServer(t.input);
    assert.equal(r.server?.source, 'system python');
    assert.equal(r.server?.env, undefined);
    assert.deepEqual(t.validated, ['bundled:python3', 'bundled:python', 'python3']);
  });

  it('nothing works: no server, and every attempt is listed for the notification', async () => {
    const t = setup([], { interpreter: '/venv/bin/python', bundledLibs: '/ext/bundled/libs' }, { installed: true, interpreter: ['/py/bin/python'] });
    const r = await findServer(t.input);
    assert.equal(r.server, undefined);
    assert.deepEqual(
      r.attempts.map((a) => a.source),
      ['cachemount.interpreter', 'python extension', 'bundled', 'bundled', 'system python', 'system python'],
    );
    assert.ok(r.attempts.every((a) => !a.ok));
    const message = nothingWorkedMessage(r.attempts);
    assert.match(message, /could not start the language server/);
    assert.match(message, /cachemount\.interpreter: \/venv\/bin\/python \(\/venv\/bin\/python broken\)/);
    assert.match(message, /cachemount\.interpreter/);
    assert.match(message, /cachemount\.path/);
    assert.match(message, /output channel/);
  });

  it('a build without bundled libs says so and goes on to python3', async () => {
    const t = setup(['python3']);
    const r = await findServer(t.input);
    assert.equal(r.server?.source, 'system python');
    assert.ok(r.attempts.some((a) => a.source === 'bundled' && /ships no bundled server/.test(a.detail)));
  });

  it('a Python extension without an active interpreter is noted and skipped', async () => {
    const t = setup(['python3'], {}, { installed: true, detail: 'no interpreter selected' });
    const r = await findServer(t.input);
    assert.equal(r.server?.source, 'system python');
    assert.ok(r.attempts.some((a) => a.source === 'python extension' && a.detail === 'no interpreter selected'));
  });

  it('a Python extension that throws does not stop the search', async () => {
    const t = setup(['python3'], {
      pythonExtension: async () => {
        throw new Error('activation failed');
      },
    });
    const r = await findServer(t.input);
    assert.equal(r.server?.source, 'system python');
  });

  it('a validator that throws counts as a failed candidate', async () => {
    const t = setup([], {
      interpreter: '/x/python',
      validateInterpreter: async (cmd) => {
        if (cmd.command === '/x/python') throw new Error('boom');
        return { ok: true, detail: 'fine' };
      },
    });
    const r = await findServer(t.input);
    assert.equal(r.server?.source, 'system python');
    assert.equal(r.attempts[0].detail, 'boom');
  });
});

describe('findServer: no candidate runs in (or imports from) the workspace', () => {
  it('every candidate and its validation get the given working directory, never the default', async () => {
    const seen: ServerCommand[] = [];
    const t = setup([], {
      path: ['/opt/cm', 'serve'],
      interpreter: '/venv/bin/python',
      bundledLibs: '/ext/bundled/libs',
      validateExecutable: async (cmd) => (seen.push(cmd), { ok: false, detail: 'no' }),
      validateInterpreter: async (cmd) => (seen.push(cmd), { ok: false, detail: 'no' }),
    }, { installed: true, interpreter: ['/py/bin/python'] });
    await findServer(t.input);
    assert.equal(seen.length, 7);
    for (const cmd of seen) assert.equal(cmd.cwd, '/ext', `${cmd.label} runs in ${cmd.cwd}`);
  });

  it('Python candidates drop the working directory from sys.path before importing anything (no `-m`)', async () => {
    const t = setup(['python3'], { bundledLibs: '/ext/bundled/libs' });
    const r = await findServer(t.input);
    assert.ok(r.server);
    assert.ok(!r.server.args.includes('-m'), `-m puts the working directory first on sys.path: ${r.server.args.join(' ')}`);
    const [flag, code, sub] = r.server.args;
    assert.equal(flag, '-c');
    assert.equal(sub, 'serve');
    // the first statement removes '' (the working directory) and only built-in sys is imported before it
    assert.match(code, /^import sys; sys\.path\[:\] = \[p for p in sys\.path if p != ''\];/);
  });
});

describe('findServer: untrusted workspaces', () => {
  it("never asks the Python extension (its interpreter can come from workspace settings)", async () => {
    const t = setup(['/py/bin/python', 'bundled:python3'], { trusted: false, bundledLibs: '/ext/bundled/libs' }, {
      installed: true,
      interpreter: ['/py/bin/python'],
    });
    const r = await findServer(t.input);
    assert.equal(t.pythonAsked(), 0);
    assert.equal(r.server?.source, 'bundled');
    assert.ok(!t.validated.includes('/py/bin/python'));
  });

  it('names the ignored workspace settings in the notification', () => {
    const message = nothingWorkedMessage([], ['cachemount.interpreter']);
    assert.match(message, /Workspace values of cachemount\.interpreter were ignored because this workspace is not trusted/);
  });

  it('names user settings ignored because they point inside the workspace', () => {
    assert.match(nothingWorkedMessage([], [], ['cachemount.interpreter']), /cachemount\.interpreter was ignored because it points inside this untrusted workspace/);
    assert.match(nothingWorkedMessage([], [], ['cachemount.path', 'cachemount.interpreter']), /cachemount\.path and cachemount\.interpreter were ignored because they point inside/);
  });
});
