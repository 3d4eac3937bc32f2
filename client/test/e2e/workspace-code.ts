// Plants the modules of tests/client/fixtures/workspace-code.json (an `argparse.py`, a `cachemount/`
// package, ...) in a folder: each one, if Python ever imports it, appends its name to `marker`.
// Used by the unit tests and, through plant-workspace-code.ts, by run-e2e.sh.
import * as fs from 'fs';
import * as path from 'path';

export const WORKSPACE_CODE_FIXTURE = path.resolve(__dirname, '../../../../tests/client/fixtures/workspace-code.json');

export function plantWorkspaceCode(folder: string, marker: string, fixture = WORKSPACE_CODE_FIXTURE): string[] {
  const { template, files } = JSON.parse(fs.readFileSync(fixture, 'utf8')) as { template: string; files: string[] };
  const text = template.replace(/__MARKER__/g, JSON.stringify(marker));
  for (const file of files) {
    const target = path.join(folder, file);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, text);
  }
  return files;
}

/** What the marker says ran (empty: nothing). */
export function workspaceCodeRan(marker: string): string[] {
  return fs.existsSync(marker) ? fs.readFileSync(marker, 'utf8').split('\n').filter(Boolean) : [];
}
