// Remembers the interpreter commands that passed validation, so a restart or a new window does not
// start Python once more only to learn what it learned last time (a Python start that imports
// cachemount and its dependencies: 0.1 s on an idle machine, over a second on a busy one).
// An entry holds while the files the check named (`Validation.stamps`: the interpreter, pyvenv.cfg,
// where cachemount is, every directory on sys.path) keep their modification times: installing,
// upgrading or removing a package changes its directory. Only passes are kept; a server that then
// fails to start loses its entry and is validated again (server.ts).
import * as fs from 'fs';
import * as path from 'path';
import { ServerCommand, Validation } from './discovery';
import { resolveExecutable } from './validate';

/** The part of `vscode.Memento` (the extension's globalState) used here. */
export interface Store {
  get<T>(key: string): T | undefined;
  update(key: string, value: unknown): Thenable<void>;
}

export const STORE_KEY = 'cachemount.validatedInterpreters';
const MAX_ENTRIES = 16;
// what the environment can change about the Python that runs (besides the candidate's own env)
const PYTHON_ENV = ['PYTHONPATH', 'PYTHONHOME', 'PYTHONNOUSERSITE', 'PYTHONUSERBASE', 'PYTHONSAFEPATH', 'VIRTUAL_ENV', 'PATH'];

interface Entry {
  key: string;
  detail: string;
  /** path -> modification time (ms) when the check passed */
  stamps: Record<string, number>;
}

function mtime(p: string): number | undefined {
  try {
    return fs.statSync(p).mtimeMs;
  } catch {
    return undefined;
  }
}

/** Everything that decides what the candidate's validation would answer, except the files themselves. */
export function cacheKey(cmd: ServerCommand, env: NodeJS.ProcessEnv = process.env): string {
  const python = cmd.python ?? [cmd.command];
  const resolved = resolveExecutable(python[0], env, process.platform, cmd.cwd);
  return JSON.stringify({
    python,
    resolved: resolved && path.resolve(resolved),
    candidateEnv: cmd.env ?? {},
    env: PYTHON_ENV.map((k) => [k, env[k] ?? null]),
    cwd: cmd.cwd,
  });
}

export class ValidationCache {
  constructor(private readonly store: Store, private readonly env: NodeJS.ProcessEnv = process.env) {}

  private entries(): Entry[] {
    const got = this.store.get<Entry[]>(STORE_KEY);
    return Array.isArray(got) ? got : [];
  }

  private save(entries: Entry[]): void {
    // best effort: a store that cannot write costs a validation next time, nothing else
    Promise.resolve(this.store.update(STORE_KEY, entries.slice(-MAX_ENTRIES))).catch(() => undefined);
  }

  /** A passed validation of `cmd` whose files have not changed since (undefined: validate). */
  lookup(cmd: ServerCommand): Validation | undefined {
    const key = cacheKey(cmd, this.env);
    const entry = this.entries().find((e) => e.key === key);
    if (!entry || Object.keys(entry.stamps).length === 0) return undefined;
    const unchanged = Object.entries(entry.stamps).every(([p, t]) => mtime(p) === t);
    return unchanged ? { ok: true, detail: entry.detail, cached: true } : undefined;
  }

  remember(cmd: ServerCommand, result: Validation): void {
    const key = cacheKey(cmd, this.env);
    const others = this.entries().filter((e) => e.key !== key);
    const stamps: Record<string, number> = {};
    for (const p of result.stamps ?? []) {
      const t = mtime(p);
      if (t !== undefined) stamps[p] = t;
    }
    if (!result.ok || Object.keys(stamps).length === 0) {
      this.save(others);
      return;
    }
    this.save([...others, { key, detail: result.detail, stamps }]);
  }

  forget(cmd: ServerCommand): void {
    const key = cacheKey(cmd, this.env);
    const entries = this.entries();
    if (entries.some((e) => e.key === key)) this.save(entries.filter((e) => e.key !== key));
  }

  /** `validate`, answered from the cache while the candidate's files are unchanged. */
  wrap(validate: (cmd: ServerCommand) => Promise<Validation>): (cmd: ServerCommand) => Promise<Validation> {
    return async (cmd) => {
      const cached = this.lookup(cmd);
      if (cached) return cached;
      const result = await validate(cmd);
      this.remember(cmd, result);
      return result;
    };
  }
}
