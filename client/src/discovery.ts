// Finding the language server: an ordered list of candidates, each validated before use.
// Pure logic: every side effect (running Python, asking the Python extension, looking at the
// file system) comes in through `DiscoveryInput`, so the order and the trust rules are unit-tested.

export type Source = 'cachemount.path' | 'cachemount.interpreter' | 'python extension' | 'bundled' | 'system python';

export interface ServerCommand {
  source: Source;
  /** what a person reads in the log and in error messages */
  label: string;
  command: string;
  args: string[];
  /** extra environment variables (PYTHONPATH for the bundled server) */
  env?: Record<string, string>;
  /** interpreter command (with any prefix args) for Python-based candidates; used by validation */
  python?: string[];
  /** working directory of the server and of its validation: never a workspace folder (see SERVE_ARGS) */
  cwd: string;
}

export interface Attempt {
  source: Source;
  label: string;
  ok: boolean;
  detail: string;
  /** the result of an earlier validation, still valid (validationCache.ts): nothing was run */
  cached?: boolean;
}

export interface Validation {
  ok: boolean;
  detail: string;
  /** files whose modification times, while unchanged, keep a passed validation valid */
  stamps?: string[];
  cached?: boolean;
}

export type PythonExtensionResult =
  | { installed: false }
  | { installed: true; interpreter?: string[]; detail?: string };

export interface DiscoveryInput {
  trusted: boolean;
  /** `cachemount.path` after trust filtering (undefined: not set) */
  path?: string[];
  /** `cachemount.interpreter` after trust filtering (undefined: not set) */
  interpreter?: string;
  /** settings whose workspace value was ignored because the workspace is untrusted */
  ignoredWorkspaceSettings?: string[];
  /** the Python extension's active interpreter, asked only when it is needed */
  pythonExtension: () => Promise<PythonExtensionResult>;
  /** `bundled/libs` inside the extension, when it ships one */
  bundledLibs?: string;
  /** interpreters to try for the bundled server and the last fallback, e.g. ['python3', 'python'] */
  systemPythons: string[];
  validateExecutable: (cmd: ServerCommand) => Promise<Validation>;
  validateInterpreter: (cmd: ServerCommand) => Promise<Validation>;
  pathSeparator?: string;
  /** where every candidate runs (the extension's own directory): a program, a PATH lookup or a
   *  `python` that looks at its working directory must never see the workspace */
  cwd: string;
}

export interface DiscoveryResult {
  server?: ServerCommand;
  attempts: Attempt[];
}

/**
 * Python code that drops the working directory from sys.path. `python -m` and `python -c` put the
 * working directory first on sys.path, so an `argparse.py` or a `cachemount/` there would be imported
 * instead of the real one. `-I` would also drop PYTHONPATH (the bundled server needs it) and the user's
 * site-packages (a `pip install --user cachemount`), and `-P` needs Python 3.11 (3.10 is supported):
 * so the code runs with `-c` and removes the entry itself before it imports anything (only built-in
 * `sys` is imported first; Python's own start-up imports happen before the entry is added).
 */
export const ISOLATE_SYS_PATH = "import sys; sys.path[:] = [p for p in sys.path if p != '']";

/** `python -m cachemount serve`, minus the working directory on sys.path (see ISOLATE_SYS_PATH). */
export const SERVE_CODE = `${ISOLATE_SYS_PATH}; import runpy; runpy.run_module('cachemount', run_name='__main__', alter_sys=True)`;
export const SERVE_ARGS = ['-c', SERVE_CODE, 'serve'];

export function interpreterCommand(
  source: Source,
  python: string[],
  label: string,
  cwd: string,
  env?: Record<string, string>,
): ServerCommand {
  return { source, label, command: python[0], args: [...python.slice(1), ...SERVE_ARGS], python, env, cwd };
}

export async function findServer(input: DiscoveryInput): Promise<DiscoveryResult> {
  const attempts: Attempt[] = [];
  const note = (cmd: Pick<ServerCommand, 'source' | 'label'>, ok: boolean, detail: string, cached?: boolean) =>
    attempts.push({ source: cmd.source, label: cmd.label, ok, detail, ...(cached ? { cached } : {}) });

  const tryCandidate = async (cmd: ServerCommand, validate: (c: ServerCommand) => Promise<Validation>) => {
    let result: Validation;
    try {
      result = await validate(cmd);
    } catch (e) {
      result = { ok: false, detail: String((e as Error)?.message ?? e) };
    }
    note(cmd, result.ok, result.detail, result.cached);
    return result.ok ? cmd : undefined;
  };

  // 1. cachemount.path: a full command line
  if (input.path && input.path.length > 0) {
    const [command, ...args] = input.path;
    const cmd: ServerCommand = { source: 'cachemount.path', label: `cachemount.path: ${input.path.join(' ')}`, command, args, cwd: input.cwd };
    const ok = await tryCandidate(cmd, input.validateExecutable);
    if (ok) return { server: ok, attempts };
  }

  // 2. cachemount.interpreter: <python> -m cachemount serve
  if (input.interpreter) {
    const cmd = interpreterCommand('cachemount.interpreter', [input.interpreter], `cachemount.interpreter: ${input.interpreter}`, input.cwd);
    const ok = await tryCandidate(cmd, input.validateInterpreter);
    if (ok) return { server: ok, attempts };
  }

  // 3. the Python extension's active interpreter (only when installed; never in an untrusted workspace,
  //    where that interpreter may come from the workspace's own settings)
  if (input.trusted) {
    let py: PythonExtensionResult;
    try {
      py = await input.pythonExtension();
    } catch (e) {
      py = { installed: true, detail: String((e as Error)?.message ?? e) };
    }
    if (py.installed) {
      if (py.interpreter && py.interpreter.length > 0) {
        const cmd = interpreterCommand('python extension', py.interpreter, `Python extension's interpreter: ${py.interpreter.join(' ')}`, input.cwd);
        const ok = await tryCandidate(cmd, input.validateInterpreter);
        if (ok) return { server: ok, attempts };
      } else {
        note({ source: 'python extension', label: "Python extension's interpreter" }, false, py.detail ?? 'no active interpreter');
      }
    }
  }

  // 4. the server bundled in the extension, run by a system Python
  if (input.bundledLibs) {
    const env = { PYTHONPATH: input.bundledLibs };
    for (const python of input.systemPythons) {
      const cmd = interpreterCommand('bundled', [python], `bundled server (${python} with ${input.bundledLibs})`, input.cwd, env);
      const ok = await tryCandidate(cmd, input.validateInterpreter);
      if (ok) return { server: ok, attempts };
    }
  } else {
    note({ source: 'bundled', label: 'bundled server' }, false, 'this build of the extension ships no bundled server');
  }

  // 5. a system Python that has cachemount installed
  for (const python of input.systemPythons) {
    const cmd = interpreterCommand('system python', [python], python, input.cwd);
    const ok = await tryCandidate(cmd, input.validateInterpreter);
    if (ok) return { server: ok, attempts };
  }
  return { attempts };
}

/** Settings the user set explicitly that could not be used (worth a warning even if a fallback worked). */
export function failedExplicitSettings(attempts: Attempt[]): Attempt[] {
  return attempts.filter((a) => !a.ok && (a.source === 'cachemount.path' || a.source === 'cachemount.interpreter'));
}

/** The single notification shown when no candidate works. */
export function nothingWorkedMessage(attempts: Attempt[], ignoredWorkspaceSettings: string[] = [], insideWorkspace: string[] = []): string {
  const tried = attempts.map((a) => `${a.label} (${a.detail})`).join('; ');
  const ignored = ignoredWorkspaceSettings.length
    ? ` Workspace values of ${ignoredWorkspaceSettings.join(' and ')} were ignored because this workspace is not trusted.`
    : '';
  const inside = insideWorkspace.length
    ? ` ${insideWorkspace.join(' and ')} ${insideWorkspace.length > 1 ? 'were' : 'was'} ignored because ${insideWorkspace.length > 1 ? 'they point' : 'it points'} inside this untrusted workspace.`
    : '';
  return (
    `cachemount: could not start the language server. Tried: ${tried || 'nothing'}.${ignored}${inside} ` +
    'Fix: install it into a Python 3.10+ (`python3 -m pip install cachemount`) and set "cachemount.interpreter" to that Python, ' +
    'or set "cachemount.path" to a command that runs `cachemount serve`. Details are in the "cachemount" output channel.'
  );
}
