// The Python extension (ms-python.python), used only when it is installed: its active interpreter
// is one way to find a Python that has cachemount. Never an `extensionDependencies` entry (that
// would block activation when the Python extension cannot be installed, e.g. offline).
import * as vscode from 'vscode';
import type { PythonExtensionResult } from './discovery';

export const PYTHON_EXTENSION_ID = 'ms-python.python';
const ACTIVATE_TIMEOUT_MS = 15_000;

// The small part of the Python extension's API used here (both the current and the older one).
interface PythonApi {
  environments?: {
    getActiveEnvironmentPath(resource?: vscode.Uri): { id: string; path: string } | undefined;
    resolveEnvironment(env: { id: string; path: string } | string): Promise<{ executable?: { uri?: vscode.Uri } } | undefined>;
    onDidChangeActiveEnvironmentPath?: vscode.Event<unknown>;
  };
  settings?: {
    getExecutionDetails(resource?: vscode.Uri): { execCommand?: string[] };
    onDidChangeExecutionDetails?: vscode.Event<unknown>;
  };
}

function withTimeout<T>(p: Thenable<T>, ms: number, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms / 1000}s`)), ms);
    Promise.resolve(p).then(
      (v) => { clearTimeout(timer); resolve(v); },
      (e) => { clearTimeout(timer); reject(e); },
    );
  });
}

async function pythonApi(): Promise<PythonApi | undefined> {
  const ext = vscode.extensions.getExtension<PythonApi>(PYTHON_EXTENSION_ID);
  if (!ext) return undefined;
  if (!ext.isActive) {
    await withTimeout(ext.activate(), ACTIVATE_TIMEOUT_MS, 'activating the Python extension');
  }
  return ext.exports ?? {};
}

/** The Python extension's active interpreter for `resource`, as a command (it may have prefix args). */
export async function activePythonInterpreter(resource?: vscode.Uri): Promise<PythonExtensionResult> {
  const api = await pythonApi();
  if (!api) return { installed: false };
  if (api.environments) {
    const active = api.environments.getActiveEnvironmentPath(resource);
    if (active) {
      const resolved = await api.environments.resolveEnvironment(active);
      const exe = resolved?.executable?.uri?.fsPath;
      if (exe) return { installed: true, interpreter: [exe] };
      return { installed: true, detail: `could not resolve the environment ${active.path}` };
    }
  }
  const exec = api.settings?.getExecutionDetails(resource)?.execCommand;
  if (exec && exec.length > 0) return { installed: true, interpreter: exec };
  return { installed: true, detail: 'the Python extension has no active interpreter' };
}

/** Fires when the user picks another interpreter in the Python extension (no-op when it is absent). */
export function onDidChangePythonInterpreter(listener: () => void): vscode.Disposable {
  const ext = vscode.extensions.getExtension<PythonApi>(PYTHON_EXTENSION_ID);
  if (!ext) return new vscode.Disposable(() => undefined);
  let disposed = false;
  let subscription: vscode.Disposable | undefined;
  pythonApi()
    .then((api) => {
      if (disposed || !api) return;
      const event = api.environments?.onDidChangeActiveEnvironmentPath ?? api.settings?.onDidChangeExecutionDetails;
      subscription = event?.(() => listener());
    })
    .catch(() => undefined);
  return new vscode.Disposable(() => {
    disposed = true;
    subscription?.dispose();
  });
}
