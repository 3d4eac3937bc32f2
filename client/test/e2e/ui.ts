// What a person sees: code-server in headless Chromium, a Dockerfile with an uncached pip install
// under a non-root USER: the squiggle, the hover, the Problems panel, the quick-fix menu, the fix,
// the language status. Screenshots go to <out-dir>; 4-quickfix-menu.png is the README's
// (docs/images/vscode-quickfix.png), so the window shows a project as a person has it: <folder> is
// made here, new, with only a Dockerfile and its requirements.txt.
// usage: node ui.js <base-url> <new-folder> <fixtures-dir> <out-dir> <result.json> [server-python]
import * as fs from 'fs';
import * as path from 'path';
import type { Page } from 'playwright-core';
import { Result, breakIfAsked, launch } from './browser';
import { UiStep, uiCheckName } from './phase-checks';


async function main() {
  const [base, work, fixtures, out, resultFile, serverPython] = process.argv.slice(2);
  breakIfAsked('ui');
  const cases = JSON.parse(fs.readFileSync(path.join(fixtures, 'cases.json'), 'utf8'));
  fs.mkdirSync(out, { recursive: true });
  // a folder nothing else used (the run's user-data-dir is new too): no hot exit or backup of an
  // earlier buffer can interfere, and the explorer shows nothing but this project
  if (fs.existsSync(work)) throw new Error(`${work} exists; the UI check needs a new folder`);
  fs.mkdirSync(work, { recursive: true });
  const name = 'Dockerfile';
  const file = path.join(work, name);
  fs.copyFileSync(path.join(fixtures, cases.diagnostic.file), file);
  fs.writeFileSync(path.join(work, 'requirements.txt'), 'flask==3.0.3\ngunicorn==23.0.0\n');

  const results: Result[] = [];
  const browser = await launch();
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  let failedBefore = false;
  const step = async (title: UiStep, fn: () => Promise<void | Result['metrics']>) => {
    const t0 = Date.now();
    if (failedBefore) {
      results.push({ name: uiCheckName(title), ok: false, ms: 0, error: 'not run: an earlier UI step failed' });
      return;
    }
    try {
      const metrics = await fn();
      results.push({ name: uiCheckName(title), ok: true, ms: Date.now() - t0, ...(metrics ? { metrics } : {}) });
    } catch (e) {
      failedBefore = true;
      const error = String((e as Error)?.message ?? e).split('\n')[0];
      results.push({ name: uiCheckName(title), ok: false, ms: Date.now() - t0, error });
      await page.screenshot({ path: path.join(out, `error-${results.length}.png`) }).catch(() => undefined);
    }
  };
  const shot = (n: string) => page.screenshot({ path: path.join(out, n) });
  const squiggle = '.monaco-editor .squiggly-warning, .monaco-editor .squiggly-error, .monaco-editor .squiggly-info';
  let box: { x: number; y: number; width: number; height: number } | null = null;
  let opened = 0;

  await step('workbench loads and the Dockerfile opens', async () => {
    await page.goto(`${base}/?folder=${encodeURIComponent(work)}`, { waitUntil: 'domcontentloaded' });
    await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
    await page.waitForSelector('.explorer-folders-view .monaco-list-row', { timeout: 60_000 });
    await openWithQuickOpen(page, name);
    opened = Date.now();
    await page.waitForSelector('.monaco-editor .view-lines', { timeout: 30_000 });
  });

  await step('the finding is underlined (squiggle) on the RUN pip install line', async () => {
    const el = await page.waitForSelector(squiggle, { timeout: 60_000 });
    // a new window: its own extension host activates the extension and starts a server
    const openToSquiggleMs = Date.now() - opened;
    box = await el.boundingBox();
    if (!box) throw new Error('squiggle has no box');
    await shot('1-squiggle.png');
    return { openToSquiggleMs };
  });

  await step('hovering the squiggle shows the finding', async () => {
    await page.mouse.move(box!.x + box!.width / 2, box!.y + box!.height / 2);
    await page.waitForSelector('.monaco-hover:not(.hidden) .hover-contents', { timeout: 20_000 });
    await page.waitForTimeout(500);
    const text = await page.innerText('.monaco-hover:not(.hidden)');
    if (!text.includes(cases.diagnostic.code)) throw new Error(`hover does not show ${cases.diagnostic.code}: ${JSON.stringify(text.slice(0, 300))}`);
    await shot('2-hover.png');
    await page.mouse.move(5, 5);
    await page.keyboard.press('Escape');
  });

  await step('the Problems panel lists it', async () => {
    await page.keyboard.press('Control+Shift+M');
    await page.waitForSelector('.markers-panel .monaco-list-row', { timeout: 20_000 });
    await page.waitForTimeout(500);
    const text = await page.innerText('.markers-panel');
    if (!text.includes(cases.diagnostic.code) || !text.includes('cachemount')) {
      throw new Error(`Problems panel: ${JSON.stringify(text.slice(0, 300))}`);
    }
    await shot('3-problems.png');
  });

  await step('Ctrl+. on the squiggle shows the quick-fix menu', async () => {
    await page.mouse.click(box!.x + 2, box!.y + box!.height / 2);
    await page.keyboard.press('Control+.');
    await page.waitForSelector('.action-widget', { timeout: 20_000 });
    await page.waitForTimeout(500);
    const text = await page.innerText('.action-widget');
    if (!text.trim()) throw new Error('empty quick-fix menu');
    await shot('4-quickfix-menu.png');
  });

  await step('choosing the fix rewrites the line as expected', async () => {
    await page.keyboard.press('Enter');
    await page.waitForSelector(squiggle, { state: 'detached', timeout: 20_000 });
    const text = (await page.innerText('.monaco-editor .view-lines')).replace(/\u00a0/g, ' ');
    const fixed = fs.readFileSync(path.join(fixtures, cases.quickFix.expected), 'utf8').split(/\r?\n/)[cases.diagnostic.line];
    if (!text.includes(fixed)) throw new Error(`editor does not show ${JSON.stringify(fixed)}: ${JSON.stringify(text)}`);
    await shot('5-after-fix.png');
  });

  await step('the language status shows the server running, with its interpreter', async () => {
    // the `{}` next to the language name lists the language status items
    await page.click('[id="status.languageStatus"]');
    const item = page.locator('.hover-language-status', { hasText: 'cachemount' });
    await item.first().waitFor({ timeout: 20_000 });
    await page.waitForTimeout(300);
    const text = (await item.first().innerText()).replace(/\s+/g, ' ');
    if (!/cachemount: running/.test(text)) throw new Error(`language status: ${JSON.stringify(text)}`);
    if (serverPython && !text.includes(serverPython)) throw new Error(`language status does not name ${serverPython}: ${JSON.stringify(text)}`);
    await shot('6-language-status.png');
    await page.keyboard.press('Escape');
  });

  await browser.close();
  fs.writeFileSync(resultFile, JSON.stringify({ phase: 'ui', results }, null, 2));
}

async function openWithQuickOpen(page: Page, name: string) {
  await page.waitForTimeout(1000);
  await page.keyboard.press('Control+P');
  await page.waitForSelector('.quick-input-widget input', { state: 'visible', timeout: 20_000 });
  await page.keyboard.type(name);
  await page.waitForSelector(`.quick-input-list .monaco-list-row[aria-label*="${name}"]`, { timeout: 20_000 });
  await page.keyboard.press('Enter');
}

main().catch((e) => {
  console.error(e);
  process.exit(2);
});
