import { state, reset } from './vscode-mock';
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, beforeEach, describe, it } from 'node:test';
import {
  expandVariables,
  hasWorkspaceServerSettings,
  isNonEmptyString,
  isNonEmptyStringArray,
  isWithin,
  pointsInside,
  readServerSettings,
  resolveSetting,
} from '../../src/settings';

describe('resolveSetting', () => {
  const all = { globalValue: '/user/python', workspaceValue: '/ws/python', workspaceFolderValue: '/folder/python' };

  it('trusted: the most specific scope wins', () => {
    assert.deepEqual(resolveSetting(all, true, isNonEmptyString), { value: '/folder/python', scope: 'workspace folder', ignored: [] });
    assert.deepEqual(resolveSetting({ globalValue: '/u', workspaceValue: '/w' }, true, isNonEmptyString), {
      value: '/w',
      scope: 'workspace',
      ignored: [],
    });
  });

  it('untrusted: only the user value counts, workspace values are reported as ignored', () => {
    assert.deepEqual(resolveSetting(all, false, isNonEmptyString), {
      value: '/user/python',
      scope: 'user',
      ignored: ['workspace folder', 'workspace'],
    });
  });

  it('untrusted with only a workspace value: nothing (the bundled server is used next)', () => {
    assert.deepEqual(resolveSetting({ workspaceValue: '/ws/evil' }, false, isNonEmptyString), { value: undefined, ignored: ['workspace'] });
  });

  it('empty values are not set', () => {
    assert.deepEqual(resolveSetting({ globalValue: '/u', workspaceValue: '  ' }, true, isNonEmptyString).value, '/u');
    assert.deepEqual(resolveSetting({ globalValue: ['cm', 'serve'], workspaceValue: [] }, true, isNonEmptyStringArray).value, ['cm', 'serve']);
    assert.deepEqual(resolveSetting(undefined, true, isNonEmptyString), { value: undefined, ignored: [] });
  });

  it('rejects malformed path values', () => {
    assert.equal(isNonEmptyStringArray(['']), false);
    assert.equal(isNonEmptyStringArray([1, 'x']), false);
    assert.equal(isNonEmptyStringArray('cachemount serve'), false);
  });
});

describe('expandVariables', () => {
  it('expands ~, ${userHome} and ${workspaceFolder}', () => {
    assert.equal(expandVariables('~/venv/bin/python', '/home/u'), '/home/u/venv/bin/python');
    assert.equal(expandVariables('${userHome}/x', '/home/u'), '/home/u/x');
    assert.equal(expandVariables('${workspaceFolder}/.venv/bin/python', '/home/u', '/src/app'), '/src/app/.venv/bin/python');
    assert.equal(expandVariables('/a~b', '/home/u'), '/a~b');
  });
});

describe('readServerSettings (vscode mocked)', () => {
  beforeEach(reset);

  it('trusted workspace: workspace interpreter and path apply', () => {
    state.config.interpreter = { globalValue: '/user/py', workspaceValue: '/ws/py' };
    state.config.path = { workspaceValue: ['~/bin/cachemount', 'serve'] };
    const s = readServerSettings(true);
    assert.equal(s.interpreter.value, '/ws/py');
    assert.deepEqual(s.path.value, [`${os.homedir()}/bin/cachemount`, 'serve']);
  });

  it('untrusted workspace (from vscode.workspace.isTrusted): workspace values ignored, user values kept', () => {
    state.trusted = false;
    state.config.interpreter = { globalValue: '/user/py', workspaceValue: '/ws/py' };
    state.config.path = { workspaceValue: ['/ws/evil', 'serve'] };
    const s = readServerSettings();
    assert.equal(s.trusted, false);
    assert.equal(s.interpreter.value, '/user/py');
    assert.deepEqual(s.interpreter.ignored, ['workspace']);
    assert.equal(s.path.value, undefined);
    assert.deepEqual(s.path.ignored, ['workspace']);
  });

  it('expands ${workspaceFolder} with the first folder', () => {
    state.workspaceFolders = [{ uri: { fsPath: '/src/app' } }];
    state.config.interpreter = { globalValue: '${workspaceFolder}/.venv/bin/python' };
    assert.equal(readServerSettings(true).interpreter.value, '/src/app/.venv/bin/python');
  });

  it('knows when workspace-level server settings exist', () => {
    assert.equal(hasWorkspaceServerSettings(), false);
    state.config.interpreter = { globalValue: '/u' };
    assert.equal(hasWorkspaceServerSettings(), false);
    state.config.path = { workspaceFolderValue: ['x'] };
    assert.equal(hasWorkspaceServerSettings(), true);
  });
});

describe('untrusted workspace: user settings that point inside the workspace are ignored', () => {
  const tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'cm-settings-')));
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const ws = path.join(tmp, 'repo');
  const other = path.join(tmp, 'second-root');
  const ext = path.join(tmp, 'ext');
  const venvBin = path.join(ws, '.venv', 'bin');
  for (const d of [venvBin, other, ext, path.join(tmp, 'home')]) fs.mkdirSync(d, { recursive: true });
  fs.writeFileSync(path.join(venvBin, 'python'), '#!/bin/sh\n', { mode: 0o755 });
  // a link outside the workspace into it (~/envs/current -> repo/.venv)
  fs.symlinkSync(path.join(ws, '.venv'), path.join(tmp, 'home', 'current'));

  beforeEach(() => {
    reset();
    state.trusted = false;
    state.workspaceFolders = [{ uri: { fsPath: ws } }, { uri: { fsPath: other } }];
  });

  it('a user-level ${workspaceFolder} interpreter: ignored when untrusted, used when trusted', () => {
    state.config.interpreter = { globalValue: '${workspaceFolder}/.venv/bin/python' };
    const s = readServerSettings(false, ext);
    assert.equal(s.interpreter.value, undefined);
    assert.deepEqual(s.interpreter.insideWorkspace, { scope: 'user', path: path.join(venvBin, 'python') });
    assert.deepEqual(s.interpreter.ignored, []);
    const t = readServerSettings(true, ext);
    assert.equal(t.interpreter.value, path.join(venvBin, 'python'));
    assert.equal(t.interpreter.insideWorkspace, undefined);
  });

  it('absolute paths, `..`, a second workspace folder and symlinks into the workspace are caught', () => {
    for (const value of [
      path.join(venvBin, 'python'),
      `${tmp}/elsewhere/../repo/.venv/bin/python`,
      path.join(other, 'python'),
      path.join(tmp, 'home', 'current', 'bin', 'python'),
      ws,
    ]) {
      state.config.interpreter = { globalValue: value };
      const s = readServerSettings(false, ext);
      assert.equal(s.interpreter.value, undefined, value);
      assert.ok(s.interpreter.insideWorkspace, value);
    }
  });

  it('a path outside the workspace (even a sibling with the same prefix) is kept', () => {
    for (const value of ['/usr/bin/python3', `${ws}-tools/python`, path.join(ext, 'python')]) {
      state.config.interpreter = { globalValue: value };
      assert.equal(readServerSettings(false, ext).interpreter.value, value);
    }
  });

  it('cachemount.path: the program or any argument inside the workspace drops the whole command', () => {
    for (const value of [
      ['${workspaceFolder}/.venv/bin/cachemount', 'serve'],
      ['python3', '${workspaceFolder}/tools/cm.py', 'serve'],
      ['/usr/bin/cachemount', 'serve', '--config=${workspaceFolder}/cm.toml'],
    ]) {
      state.config.path = { globalValue: value };
      const s = readServerSettings(false, ext);
      assert.equal(s.path.value, undefined, value.join(' '));
      assert.equal(s.path.insideWorkspace?.scope, 'user');
    }
    state.config.path = { globalValue: ['/usr/local/bin/cachemount', 'serve', '--log-level', 'debug'] };
    assert.deepEqual(readServerSettings(false, ext).path.value, ['/usr/local/bin/cachemount', 'serve', '--log-level', 'debug']);
  });

  it('relative paths resolve against where the server runs; bare names on PATH', () => {
    assert.equal(pointsInside('.venv/bin/python', [ws], ws, true), path.join(venvBin, 'python'));
    assert.equal(pointsInside('.venv/bin/python', [ws], ext, true), undefined);
    assert.equal(pointsInside('python', [ws], ext, true, { PATH: `/nonexistent${path.delimiter}${venvBin}` }), path.join(venvBin, 'python'));
    assert.equal(pointsInside('python', [ws], ext, true, { PATH: '/nonexistent' }), undefined);
    assert.equal(pointsInside('serve', [ws], ws, false), undefined, 'a bare argument is not a path');
  });

  it('isWithin compares whole path segments', () => {
    assert.equal(isWithin('/a/b', '/a'), true);
    assert.equal(isWithin('/a', '/a'), true);
    assert.equal(isWithin('/ab', '/a'), false);
    assert.equal(isWithin('/a/..b', '/a'), true);
    assert.equal(isWithin('/A/b', '/a', 'darwin'), true);
    assert.equal(isWithin('/A/b', '/a', 'linux'), false);
  });

  it('a trusted workspace keeps every value, whatever it points at', () => {
    state.config.path = { globalValue: ['${workspaceFolder}/.venv/bin/cachemount', 'serve'] };
    assert.deepEqual(readServerSettings(true, ext).path.value, [path.join(venvBin, 'cachemount'), 'serve']);
  });
});
