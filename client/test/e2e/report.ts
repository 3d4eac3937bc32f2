// Prints the results of every e2e phase and the final line `client e2e: N passed, M failed`.
// usage: node report.js <plan.json> <logs-dir> <result.json> ...
// A phase is named by its result file (results/main.json: main). Every check the plan lists for a
// phase and its results lack is a failure: all of them when the phase crashed, timed out or never
// ran (with the last line of its log as the reason), so the total never shrinks.
import * as fs from 'fs';
import * as path from 'path';
import type { Result } from './browser';

const LOGS: Record<string, string> = { bundled: 'bundled.log', main: 'ext-host-main.log', ui: 'ui.log', untrusted: 'ext-host-untrusted.log' };

const [planFile, logs, ...files] = process.argv.slice(2);
let plan: Record<string, string[]> = {};
try {
  plan = JSON.parse(fs.readFileSync(planFile, 'utf8'));
} catch {
  console.log(`(no list of checks in ${planFile}: a phase without results counts as one failure)`);
}

/** the last meaningful line of a phase's log: why it has no results */
function lastLogLine(phase: string): string {
  const file = path.join(logs, LOGS[phase] ?? `${phase}.log`);
  try {
    const lines = fs.readFileSync(file, 'utf8').split('\n').map((l) => l.trim()).filter(Boolean);
    return lines.length ? `${path.basename(file)}: ${lines[lines.length - 1].slice(0, 300)}` : `${path.basename(file)} is empty`;
  } catch {
    return `no ${path.basename(file)}`;
  }
}

let passed = 0;
let failed = 0;
const print = (r: Result) => {
  if (r.ok) passed++;
  else failed++;
  console.log(`${r.ok ? 'ok  ' : 'FAIL'}  ${r.name} (${(r.ms / 1000).toFixed(1)}s)`);
  if (!r.ok && r.error) console.log(r.error.split('\n').map((l) => `        ${l}`).join('\n'));
  if (r.metrics) console.log(`        measured: ${Object.entries(r.metrics).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(' ')}`);
};

for (const file of files) {
  const phase = path.basename(file, '.json');
  const planned = plan[phase] ?? [];
  let results: Result[] | undefined;
  try {
    const got = JSON.parse(fs.readFileSync(file, 'utf8')).results;
    if (Array.isArray(got)) results = got;
  } catch {
    results = undefined;
  }
  if (!results) {
    const why = `not run: the ${phase} phase crashed, timed out or never started (${lastLogLine(phase)})`;
    if (planned.length === 0) print({ name: `${phase}: no results`, ok: false, ms: 0, error: why });
    for (const name of planned) print({ name, ok: false, ms: 0, error: why });
    continue;
  }
  results.forEach(print);
  const seen = new Set(results.map((r) => r.name));
  for (const name of planned.filter((n) => !seen.has(n))) {
    print({ name, ok: false, ms: 0, error: `not run: missing from the ${phase} phase's results` });
  }
}
console.log(`client e2e: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
