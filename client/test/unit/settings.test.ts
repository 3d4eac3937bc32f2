import { state, reset } from './vscode-mock';
import { strict as assert } from 'node:assert';
import * as os from 'node:os';
import { beforeEach, describe, it } from 'node:test';
import {
  expandVariables,
  hasWorkspaceServerSettings,
  isNonEmptyString,
  isNonEmptyStringArray,
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
