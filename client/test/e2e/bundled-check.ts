// The server bundled in the .vsix starts on its own, exactly as the extension starts it (`<python>
// ...SERVE_ARGS` in the extension's directory) with only the extension's bundled/libs on PYTHONPATH
// (no virtualenv, no user site), answers `initialize` over stdio and exits after shutdown/exit.
// usage: node bundled-check.js <installed-extension-dir> <result.json> [python ...]   (default: python3)
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { SERVE_ARGS } from '../../src/discovery';
import { type Result, breakIfAsked } from './browser';
import { bundledCheckNames } from './phase-checks';

const [extArg, resultFile, ...pythonsArg] = process.argv.slice(2);
const extDir = path.resolve(extArg);
const pythons = pythonsArg.length ? pythonsArg : ['python3'];
const libs = path.join(extDir, 'bundled', 'libs');
const env: NodeJS.ProcessEnv = { ...process.env, PYTHONPATH: libs, PYTHONNOUSERSITE: '1', PYTHONDONTWRITEBYTECODE: '1' };
delete env.VIRTUAL_ENV;

// every top-level module in the bundle must import (catches wheels of the wrong platform/Python)
const IMPORT_ALL = `
import importlib, os, sys
libs = sys.argv[1]
names = sorted({n[:-3] if n.endswith('.py') else n for n in os.listdir(libs)
                if (n.endswith('.py') or os.path.isfile(os.path.join(libs, n, '__init__.py'))) and not n.startswith('_')})
for n in names:
    importlib.import_module(n)
import cachemount
print(sys.version.split()[0], cachemount.__file__, ','.join(names))
`;

function frame(msg: object): Buffer {
  const body = Buffer.from(JSON.stringify(msg), 'utf8');
  return Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`, 'ascii'), body]);
}

/** Starts the server, sends initialize, resolves with the result; then shutdown + exit. */
function initialize(python: string): Promise<{ result: { capabilities?: object; serverInfo?: object }; exitCode: number | null }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(python, SERVE_ARGS, { cwd: extDir, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let buf = Buffer.alloc(0);
    let stderr = '';
    let initResult: { capabilities?: object } | undefined;
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`no initialize answer within 20s; stderr: ${stderr.slice(-500)}`));
    }, 20_000);
    proc.on('error', (e) => { clearTimeout(timer); reject(e); });
    proc.stderr.on('data', (d) => (stderr += d));
    proc.stdout.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      for (;;) {
        const sep = buf.indexOf('\r\n\r\n');
        if (sep < 0) return;
        const m = /Content-Length: *(\d+)/i.exec(buf.subarray(0, sep).toString('ascii'));
        const len = m ? Number(m[1]) : 0;
        if (buf.length < sep + 4 + len) return;
        const msg = JSON.parse(buf.subarray(sep + 4, sep + 4 + len).toString('utf8'));
        buf = buf.subarray(sep + 4 + len);
        if (msg.id === 1) {
          if (msg.error) { clearTimeout(timer); proc.kill(); reject(new Error(`initialize error: ${JSON.stringify(msg.error)}`)); return; }
          initResult = msg.result;
          proc.stdin.write(frame({ jsonrpc: '2.0', method: 'initialized', params: {} }));
          proc.stdin.write(frame({ jsonrpc: '2.0', id: 2, method: 'shutdown', params: null }));
        } else if (msg.id === 2) {
          proc.stdin.write(frame({ jsonrpc: '2.0', method: 'exit', params: null }));
        }
      }
    });
    proc.on('exit', (code) => {
      clearTimeout(timer);
      if (initResult) resolve({ result: initResult, exitCode: code });
      else reject(new Error(`server exited (${code}) before answering initialize; stderr: ${stderr.slice(-800)}`));
    });
    proc.stdin.write(frame({
      jsonrpc: '2.0', id: 1, method: 'initialize',
      params: { processId: process.pid, rootUri: null, capabilities: {}, clientInfo: { name: 'cachemount-bundled-check' } },
    }));
  });
}

async function main() {
  breakIfAsked('bundled');
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'cm-bundled-'));
  const results: Result[] = [];
  const record = async (name: string, fn: () => Promise<void> | void) => {
    const t0 = Date.now();
    try {
      await fn();
      results.push({ name, ok: true, ms: Date.now() - t0 });
    } catch (e) {
      results.push({ name, ok: false, ms: Date.now() - t0, error: String((e as Error)?.message ?? e) });
    }
  };
  for (const python of pythons) {
    const [importsAll, answersInitialize] = bundledCheckNames([python]);
    await record(importsAll, () => {
      const r = spawnSync(python, ['-c', IMPORT_ALL, libs], { cwd, env, encoding: 'utf8', timeout: 60_000 });
      if (r.status !== 0) throw new Error(`${python}: ${(r.stderr || String(r.error)).trim().split('\n').slice(-3).join(' | ')}`);
      const [version, file] = r.stdout.trim().split(' ');
      if (!path.resolve(file).startsWith(path.resolve(libs) + path.sep)) throw new Error(`cachemount came from ${file}, not from the bundle`);
      console.error(`[bundled] ${python}: Python ${version}, cachemount from ${file}`);
    });
    await record(answersInitialize, async () => {
      const { result, exitCode } = await initialize(python);
      if (!result || typeof result.capabilities !== 'object') throw new Error(`initialize result has no capabilities: ${JSON.stringify(result)}`);
      if (exitCode !== 0) throw new Error(`server exit code after shutdown/exit: ${exitCode}`);
    });
  }
  fs.rmSync(cwd, { recursive: true, force: true });
  fs.writeFileSync(resultFile, JSON.stringify({ phase: 'bundled', results }, null, 2));
}

main().catch((e) => {
  console.error(e);
  process.exit(2);
});
