// Every check each e2e phase runs, by name, listed before anything runs: tests/client/run-e2e.sh
// passes the list to report.ts, which counts each check of a phase that crashed or wrote no results
// as failed (instead of one failure, or none, for a whole phase).
// usage: node plan.js <fixtures-dir> <plan.json> [bundle-python ...]
import './vscode-stub';
import * as fs from 'fs';
import * as path from 'path';
import { UI_STEPS, bundledCheckNames, uiCheckName } from './phase-checks';
import { checkNames } from './suite';

const [fixtures, out, ...pythons] = process.argv.slice(2);
const cases = JSON.parse(fs.readFileSync(path.join(fixtures, 'cases.json'), 'utf8'));
const plan = {
  bundled: bundledCheckNames(pythons.length ? pythons : ['python3']),
  main: checkNames('main', cases),
  ui: UI_STEPS.map(uiCheckName),
  untrusted: checkNames('untrusted', cases),
};
fs.writeFileSync(out, JSON.stringify(plan, null, 2));
console.log(Object.entries(plan).map(([phase, names]) => `${phase} ${names.length}`).join(', '));
