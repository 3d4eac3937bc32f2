// Prints the results of every e2e phase and the final line `client e2e: N passed, M failed`.
// usage: node report.js <result.json> ...   (a missing or unreadable file counts as one failure)
import * as fs from 'fs';
import * as path from 'path';
import type { Result } from './browser';

let passed = 0;
let failed = 0;
for (const file of process.argv.slice(2)) {
  let results: Result[];
  try {
    results = JSON.parse(fs.readFileSync(file, 'utf8')).results;
  } catch {
    failed++;
    console.log(`FAIL  ${path.basename(file, '.json')}: no results (the phase crashed or timed out; see the logs)`);
    continue;
  }
  for (const r of results) {
    if (r.ok) passed++;
    else failed++;
    console.log(`${r.ok ? 'ok  ' : 'FAIL'}  ${r.name} (${(r.ms / 1000).toFixed(1)}s)`);
    if (!r.ok && r.error) console.log(r.error.split('\n').map((l) => `        ${l}`).join('\n'));
  }
}
console.log(`client e2e: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
