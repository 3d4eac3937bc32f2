// Checks that a candidate server command can work before the language client starts it.
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { ISOLATE_SYS_PATH, ServerCommand, Validation } from './discovery';

export const VALIDATION_TIMEOUT_MS = 20_000;

// Imports cachemount and every package it declares as a dependency (so a compiled wheel that does not
// fit this Python fails here, not later); prints the version and where cachemount was found, then
// (`stamps:` line) the files whose modification times keep the answer valid: the interpreter, the
// venv's pyvenv.cfg, cachemount's file and directory and every directory on sys.path (installing or
// removing a package changes its directory). The first line drops the working directory from
// sys.path, as the server does (see SERVE_ARGS).
export const CHECK_SCRIPT = `${ISOLATE_SYS_PATH}
import importlib, importlib.util, json, os, re, sys
if sys.version_info < (3, 10):
    sys.exit("Python 3.10 or newer is needed, this is " + sys.version.split()[0])
import cachemount
from importlib import metadata
try:
    requires = metadata.requires("cachemount") or []
except metadata.PackageNotFoundError:
    requires = []
wanted = {re.split(r"[\\s;<>=!~\\[(]", r, maxsplit=1)[0].lower().replace("_", "-") for r in requires if "extra ==" not in r}
if wanted:
    for module, dists in sorted(metadata.packages_distributions().items()):
        if (module.isidentifier() and not module.startswith("_") and importlib.util.find_spec(module)
                and any(d.lower().replace("_", "-") in wanted for d in dists)):
            importlib.import_module(module)
print(getattr(cachemount, "__version__", "?"), cachemount.__file__, sys.version.split()[0])
stamps = [sys.executable, os.path.realpath(sys.executable), os.path.join(sys.prefix, "pyvenv.cfg"), cachemount.__file__,
          os.path.dirname(os.path.dirname(os.path.abspath(cachemount.__file__))), *sys.path]
print("stamps:" + json.dumps(sorted({os.path.abspath(p) for p in stamps if p and os.path.exists(p)})))
`;

const STAMPS = 'stamps:';

/** The `stamps:` line of the check's output (none from an older or a fake interpreter). */
export function parseStamps(stdout: string): string[] | undefined {
  const line = stdout.split(/\r?\n/).find((l) => l.startsWith(STAMPS));
  if (!line) return undefined;
  try {
    const paths: unknown = JSON.parse(line.slice(STAMPS.length));
    return Array.isArray(paths) && paths.every((p) => typeof p === 'string') ? paths : undefined;
  } catch {
    return undefined;
  }
}

export function mergedEnv(extra?: Record<string, string>, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base };
  if (extra) {
    for (const [key, value] of Object.entries(extra)) {
      if (key === 'PYTHONPATH' && env.PYTHONPATH) {
        env.PYTHONPATH = value + path.delimiter + env.PYTHONPATH;
      } else {
        env[key] = value;
      }
    }
  }
  return env;
}

/**
 * The server's environment. With PYTHONDONTWRITEBYTECODE set (common in containers and CI images),
 * Python would compile the server's modules from source at every start (lsprotocol's types alone
 * are 14,000 lines: about half a second on a busy machine); then the bytecode goes to `pycacheDir`,
 * the extension's own storage, and still nothing is written next to any source. A
 * PYTHONPYCACHEPREFIX of the user's own is kept.
 */
export function serverEnv(extra: Record<string, string> | undefined, pycacheDir: string | undefined,
  base: NodeJS.ProcessEnv = process.env): { env: NodeJS.ProcessEnv; redirected: boolean } {
  const env = mergedEnv(extra, base);
  if (!pycacheDir || !env.PYTHONDONTWRITEBYTECODE || env.PYTHONPYCACHEPREFIX) return { env, redirected: false };
  delete env.PYTHONDONTWRITEBYTECODE;
  env.PYTHONPYCACHEPREFIX = pycacheDir;
  return { env, redirected: true };
}

function firstLine(text: string): string {
  const lines = text.trim().split(/\r?\n/).filter((l) => l.trim() !== '');
  return lines.length ? lines[lines.length - 1].trim() : '';
}

/** `<python> -c "import cachemount, pygls"` with the candidate's environment and working directory. */
export function validateInterpreter(cmd: ServerCommand, timeoutMs = VALIDATION_TIMEOUT_MS): Promise<Validation> {
  const python = cmd.python ?? [cmd.command];
  return new Promise((resolve) => {
    execFile(
      python[0],
      [...python.slice(1), '-c', CHECK_SCRIPT],
      // never the extension host's own working directory: `code .` makes that the workspace
      { cwd: cmd.cwd, env: mergedEnv(cmd.env), timeout: timeoutMs, windowsHide: true },
      (error, stdout, stderr) => {
        if (!error) {
          const [version, file, pyVersion] = stdout.trim().split(/\s+/);
          const stamps = parseStamps(String(stdout));
          resolve({ ok: true, detail: `cachemount ${version} from ${file}, Python ${pyVersion}`, ...(stamps ? { stamps } : {}) });
          return;
        }
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') {
          resolve({ ok: false, detail: `${python[0]} not found` });
        } else if (error.killed) {
          resolve({ ok: false, detail: `no answer within ${timeoutMs / 1000}s` });
        } else {
          resolve({ ok: false, detail: firstLine(String(stderr)) || error.message });
        }
      },
    );
  });
}

/** Finds `command` like a shell in `cwd` would: as a path if it has a separator, else on PATH. */
export function resolveExecutable(
  command: string,
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  cwd: string = process.cwd(),
): string | undefined {
  const isFile = (p: string) => {
    try {
      const st = fs.statSync(p);
      if (!st.isFile()) return false;
      if (platform !== 'win32') fs.accessSync(p, fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  };
  const exts = platform === 'win32' ? ['', ...(env.PATHEXT ?? '.EXE;.CMD;.BAT;.COM').split(';')] : [''];
  if (command.includes('/') || (platform === 'win32' && command.includes('\\'))) {
    return exts.map((e) => path.resolve(cwd, command + e)).find(isFile);
  }
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const found = exts.map((e) => path.resolve(cwd, dir, command + e)).find(isFile);
    if (found) return found;
  }
  return undefined;
}

/** `cachemount.path`: the program must exist and be executable (it is not run here). */
export async function validateExecutable(cmd: ServerCommand): Promise<Validation> {
  const found = resolveExecutable(cmd.command, process.env, process.platform, cmd.cwd);
  return found ? { ok: true, detail: `found ${found}` } : { ok: false, detail: `${cmd.command} not found or not executable` };
}
