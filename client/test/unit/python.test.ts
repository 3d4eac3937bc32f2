import { state, reset, vscode } from './vscode-mock';
import { strict as assert } from 'node:assert';
import { beforeEach, describe, it } from 'node:test';
import { PYTHON_EXTENSION_ID, activePythonInterpreter, onDidChangePythonInterpreter } from '../../src/python';

describe("the Python extension's interpreter (vscode mocked)", () => {
  beforeEach(reset);

  it('not installed: reported as such, nothing activated', async () => {
    assert.deepEqual(await activePythonInterpreter(), { installed: false });
    const d = onDidChangePythonInterpreter(() => undefined);
    d.dispose();
  });

  it('uses the environments API when present, activating the extension first', async () => {
    let activated = 0;
    const ext = {
      isActive: false,
      exports: {
        environments: {
          getActiveEnvironmentPath: () => ({ id: 'venv', path: '/proj/.venv' }),
          resolveEnvironment: async () => ({ executable: { uri: vscode.Uri.file('/proj/.venv/bin/python') } }),
        },
      },
      activate: async () => {
        activated++;
        ext.isActive = true;
        return ext.exports;
      },
    };
    state.extensions[PYTHON_EXTENSION_ID] = ext;
    assert.deepEqual(await activePythonInterpreter(), { installed: true, interpreter: ['/proj/.venv/bin/python'] });
    assert.equal(activated, 1);
  });

  it('falls back to the older settings.getExecutionDetails API', async () => {
    state.extensions[PYTHON_EXTENSION_ID] = {
      isActive: true,
      exports: { settings: { getExecutionDetails: () => ({ execCommand: ['conda', 'run', '-n', 'x', 'python'] }) } },
      activate: async () => undefined,
    };
    assert.deepEqual(await activePythonInterpreter(), { installed: true, interpreter: ['conda', 'run', '-n', 'x', 'python'] });
  });

  it('installed but no interpreter selected', async () => {
    state.extensions[PYTHON_EXTENSION_ID] = { isActive: true, exports: {}, activate: async () => undefined };
    const r = await activePythonInterpreter();
    assert.equal(r.installed, true);
    assert.equal((r as { interpreter?: string[] }).interpreter, undefined);
  });

  it('forwards interpreter changes', async () => {
    const emitter = new vscode.EventEmitter<unknown>();
    state.extensions[PYTHON_EXTENSION_ID] = {
      isActive: true,
      exports: {
        environments: {
          getActiveEnvironmentPath: () => undefined,
          resolveEnvironment: async () => undefined,
          onDidChangeActiveEnvironmentPath: emitter.event,
        },
      },
      activate: async () => undefined,
    };
    let fired = 0;
    const d = onDidChangePythonInterpreter(() => fired++);
    await new Promise((r) => setTimeout(r, 10));
    emitter.fire({});
    assert.equal(fired, 1);
    d.dispose();
    emitter.fire({});
    assert.equal(fired, 1);
  });
});
