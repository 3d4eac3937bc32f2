// Settings that decide which server program runs (`cachemount.path`, `cachemount.interpreter`),
// read with workspace trust in mind. The other settings (rules, severity, manifestPatterns) are
// not read here: the server pulls them with `workspace/configuration` (section "cachemount").
import * as os from 'os';
import * as vscode from 'vscode';

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

export interface ServerSettings {
  trusted: boolean;
  /** command + args from `cachemount.path`, expanded */
  path: Resolved<string[]>;
  /** interpreter from `cachemount.interpreter`, expanded */
  interpreter: Resolved<string>;
}

export function readServerSettings(trusted: boolean = vscode.workspace.isTrusted): ServerSettings {
  const config = vscode.workspace.getConfiguration(SECTION);
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const home = os.homedir();
  const expand = (s: string) => expandVariables(s, home, folder);

  const path = resolveSetting(config.inspect<string[]>('path'), trusted, isNonEmptyStringArray);
  const interpreter = resolveSetting(config.inspect<string>('interpreter'), trusted, isNonEmptyString);
  return {
    trusted,
    path: { ...path, value: path.value?.map(expand) },
    interpreter: { ...interpreter, value: interpreter.value === undefined ? undefined : expand(interpreter.value) },
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
