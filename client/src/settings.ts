// Settings that decide which server program runs (`cachemount.path`, `cachemount.interpreter`),
// read with workspace trust in mind. The other settings (rules, severity) are
// not read here: the server pulls them with `workspace/configuration` (section "cachemount").
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { resolveExecutable } from './validate';

export const SECTION = 'cachemount';
/** Changing one of these restarts the server; every other cachemount.* setting is pulled live. */
export const RESTART_SETTINGS = ['cachemount.path', 'cachemount.interpreter'] as const;

export type Scope = 'user' | 'workspace' | 'workspace folder';

/** The parts of `WorkspaceConfiguration.inspect()` that matter here. */
export interface Inspected<T> {
  globalValue?: T;
  workspaceValue?: T;
  workspaceFolderValue?: T;
}

export interface Resolved<T> {
  value: T | undefined;
  /** where `value` came from */
  scope?: Scope;
  /** scopes whose (non-empty) value was ignored because the workspace is not trusted */
  ignored: Scope[];
  /** untrusted workspace: a value (of any scope) dropped because it points inside a workspace folder */
  insideWorkspace?: { scope: Scope; path: string };
}

/**
 * Pick the value of a setting that names a program to run.
 * Trusted workspace: the most specific scope with a non-empty value wins (folder, workspace, user).
 * Untrusted workspace: only the user (global) value counts; workspace values are reported as ignored.
 */
export function resolveSetting<T>(
  inspected: Inspected<T> | undefined,
  trusted: boolean,
  isSet: (value: T | undefined) => value is T,
): Resolved<T> {
  const byScope: [Scope, T | undefined][] = [
    ['workspace folder', inspected?.workspaceFolderValue],
    ['workspace', inspected?.workspaceValue],
    ['user', inspected?.globalValue],
  ];
  const ignored: Scope[] = [];
  for (const [scope, value] of byScope) {
    if (!isSet(value)) {
      continue;
    }
    if (!trusted && scope !== 'user') {
      ignored.push(scope);
      continue;
    }
    return { value, scope, ignored };
  }
  return { value: undefined, ignored };
}

export const isNonEmptyString = (v: unknown): v is string => typeof v === 'string' && v.trim() !== '';
export const isNonEmptyStringArray = (v: unknown): v is string[] =>
  Array.isArray(v) && v.length > 0 && v.every((s) => typeof s === 'string') && isNonEmptyString(v[0]);

/** Expand `~`, `${userHome}` and `${workspaceFolder}` in a path-like setting value. */
export function expandVariables(value: string, home: string, workspaceFolder?: string): string {
  let out = value.trim();
  if (out === '~' || out.startsWith('~/') || out.startsWith('~\\')) {
    out = home + out.slice(1);
  }
  out = out.replace(/\$\{userHome\}/g, home);
  if (workspaceFolder !== undefined) {
    out = out.replace(/\$\{workspaceFolder\}/g, workspaceFolder);
  }
  return out;
}

/** `child` is `parent` or below it (by path, case-insensitive where file systems usually are). */
export function isWithin(child: string, parent: string, platform: NodeJS.Platform = process.platform): boolean {
  const fold = (p: string) => (platform === 'win32' || platform === 'darwin' ? p.toLowerCase() : p);
  const rel = path.relative(fold(parent), fold(child));
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}

function realpath(p: string): string | undefined {
  try {
    return fs.realpathSync.native(p);
  } catch {
    return undefined;
  }
}

/**
 * Where a program or path argument would land inside one of `folders`, if it does. A relative path
 * resolves against `cwd` (where the server runs), a bare program name on PATH. Both the path as
 * written and with symlinks resolved count: a workspace's `.venv/bin/python` is a symlink to a Python
 * outside it, yet the venv (site-packages, .pth files) belongs to the workspace.
 */
export function pointsInside(
  value: string,
  folders: string[],
  cwd: string,
  program: boolean,
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): string | undefined {
  const looksLikePath = value.includes('/') || (platform === 'win32' && value.includes('\\')) || path.isAbsolute(value);
  let target: string | undefined;
  if (looksLikePath) target = path.resolve(cwd, value);
  else if (program) target = resolveExecutable(value, env, platform, cwd);
  if (target === undefined) return undefined;
  const dir = realpath(path.dirname(target));
  const forms = [target, dir && path.join(dir, path.basename(target)), realpath(target)].filter((p): p is string => !!p);
  const roots = folders.flatMap((f) => [path.resolve(f), realpath(f)]).filter((p): p is string => !!p);
  return forms.some((p) => roots.some((r) => isWithin(p, r, platform))) ? target : undefined;
}

/** `cachemount.path` elements that could name a file: every element, and the value of `--opt=value`. */
function pathArguments(command: string[]): [string, boolean][] {
  return command.flatMap((arg, i): [string, boolean][] => {
    if (i === 0) return [[arg, true]];
    const eq = arg.startsWith('-') ? arg.indexOf('=') : -1;
    return eq > 0 ? [[arg, false], [arg.slice(eq + 1), false]] : [[arg, false]];
  });
}

export interface ServerSettings {
  trusted: boolean;
  /** command + args from `cachemount.path`, expanded */
  path: Resolved<string[]>;
  /** interpreter from `cachemount.interpreter`, expanded */
  interpreter: Resolved<string>;
}

/**
 * The server settings, expanded. `cwd` is where the server will run (relative paths resolve there).
 * Untrusted workspace: besides workspace-level values, a value of any scope (a user setting such as
 * `${workspaceFolder}/.venv/bin/python`) that points inside a workspace folder is dropped: the
 * untrusted repository must not choose the program that runs.
 */
export function readServerSettings(trusted: boolean = vscode.workspace.isTrusted, cwd: string = process.cwd()): ServerSettings {
  const config = vscode.workspace.getConfiguration(SECTION);
  const folders = (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath);
  const home = os.homedir();
  const expand = (s: string) => expandVariables(s, home, folders[0]);
  const dropInside = <T>(resolved: Resolved<T>, args: [string, boolean][]): Resolved<T> => {
    if (trusted || resolved.scope === undefined) return resolved;
    for (const [arg, program] of args) {
      const inside = pointsInside(arg, folders, cwd, program);
      if (inside) return { value: undefined, ignored: resolved.ignored, insideWorkspace: { scope: resolved.scope, path: inside } };
    }
    return resolved;
  };

  const cmd = resolveSetting(config.inspect<string[]>('path'), trusted, isNonEmptyStringArray);
  const cmdValue = cmd.value?.map(expand);
  const interpreter = resolveSetting(config.inspect<string>('interpreter'), trusted, isNonEmptyString);
  const interpreterValue = interpreter.value === undefined ? undefined : expand(interpreter.value);
  return {
    trusted,
    path: dropInside({ ...cmd, value: cmdValue }, cmdValue ? pathArguments(cmdValue) : []),
    interpreter: dropInside({ ...interpreter, value: interpreterValue }, interpreterValue ? [[interpreterValue, true]] : []),
  };
}

/** True when a workspace-level value of a restart setting exists (trust changes then matter). */
export function hasWorkspaceServerSettings(): boolean {
  const config = vscode.workspace.getConfiguration(SECTION);
  return ['path', 'interpreter'].some((key) => {
    const i = config.inspect(key);
    return i?.workspaceValue !== undefined || i?.workspaceFolderValue !== undefined;
  });
}
