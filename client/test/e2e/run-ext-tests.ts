// Loads the code-server workbench with `extensionDevelopmentPath` / `extensionTestsPath` passed in the
// web `payload` URL parameter, so the remote (Node) extension host runs suite.js with the real vscode
// API, then waits for the suite's JSON report.
// usage: node run-ext-tests.js <base-url> <folder> <dev-extension-dir> <suite.js> <result.json> <screenshot.png> [timeout-s]
import * as fs from 'fs';
import * as path from 'path';
import { breakIfAsked, launch } from './browser';

async function main() {
  const [base, folder, devPath, testsPath, result, screenshot, timeout = '240'] = process.argv.slice(2);
  breakIfAsked(path.basename(result, '.json'));
  const host = new URL(base).host;
  const payload = JSON.stringify([
    ['extensionDevelopmentPath', `vscode-remote://${host}${devPath}`],
    ['extensionTestsPath', `vscode-remote://${host}${testsPath}`],
  ]);
  const url = `${base}/?folder=${encodeURIComponent(folder)}&payload=${encodeURIComponent(payload)}`;
  fs.rmSync(result, { force: true });
  const browser = await launch();
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.on('console', (m) => {
    if (m.type() === 'error') console.error(`[browser console] ${m.text().slice(0, 400)}`);
  });
  await page.goto(url, { waitUntil: 'domcontentloaded' });
  const t0 = Date.now();
  while (!fs.existsSync(result) && Date.now() - t0 < Number(timeout) * 1000) await new Promise((r) => setTimeout(r, 250));
  await page.screenshot({ path: screenshot }).catch(() => undefined);
  await browser.close();
  if (!fs.existsSync(result)) {
    console.error(`no report from the extension-host suite after ${timeout}s`);
    process.exit(2);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(2);
});
