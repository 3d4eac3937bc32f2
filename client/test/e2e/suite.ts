// End-to-end tests that run INSIDE a real VS Code extension host (code-server), loaded through
// `extensionTestsPath`. They use the real `vscode` API against the installed cachemount .vsix and the
// real language server. Results go to a JSON file that tests/client/run-e2e.sh reads.
//
// Configuration: `<workspace folder>/../e2e-config.json` (written by run-e2e.sh). What the server is
// expected to do (files, codes, lines, expected text) is in tests/client/fixtures/cases.json.
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { SERVE_ARGS } from '../../src/discovery';
import { workspaceCodeRan } from './workspace-code';

interface Config {
  phase: 'main' | 'untrusted';
  fixtures: string;
  work: string;
  result: string;
  serverPython: string;
  /** untrusted phase: a file that appears if the workspace's interpreter/path was ever run */
  marker?: string;
  /** a file that appears if Python ever imported one of the modules planted in the workspace folder
   *  (argparse.py, cachemount/, ...: tests/client/fixtures/workspace-code.json) */
  codeMarker: string;
}

interface Cases {
  diagnostic: { file: string; code: string; source: string; line: number };
  quickFix: { file: string; code: string; expected: string; titleMatches?: string };
  fixAll: { file: string; kind: string; expected: string };
  fixAllQuickFix: { file: string; code: string; count: number; title: string; expected: string };
  hover: { file: string; points: { name: string; at: string; offset: number; mentions: string }[] };
  completion: { file: string; points: { after: string; expect: string }[] };
  layerCache: { file: string; at: string; offset: number; hoverMentions: string[]; lensTitle: string };
}

interface Api {
  serverInfo(): { source: string; command: string; args: string[]; cwd: string; generation: number } | undefined;
  ready(): Promise<void>;
  readonly running: boolean;
  /** what the last start took (newer builds of the extension; the timing tests use it when present) */
  timings?(): StartTimings | undefined;
  /** what the language status item shows */
  status(): { state: string; text: string; detail: string; severity: string; busy: boolean; command?: string; interpreter?: string };
}

interface StartTimings {
  activated: number;
  discoveryStart: number;
  discoveryEnd: number;
  validations: { label: string; ms: number; cached: boolean }[];
  serverStart: number;
  serverRunning?: number;
}

interface Result {
  name: string;
  ok: boolean;
  ms: number;
  error?: string;
  /** measurements a test reports (times in ms); never asserted */
  metrics?: Metrics;
}

type Metrics = Record<string, number | string | boolean | number[]>;

const EXTENSION_ID = 'cachemount.cachemount';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

class Failure extends Error {}
function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Failure(message);
}

async function waitFor<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() - t0 > timeoutMs) throw new Failure(`timed out after ${timeoutMs / 1000}s waiting for ${what}`);
    await sleep(100);
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : Math.round((s[s.length / 2 - 1] + s[s.length / 2]) / 2);
};

/** Where the time of a start went, from the extension's own clock (same process as the test). */
function startBreakdown(t: StartTimings | undefined, opened: number, diagnosed: number, activation = true): Metrics {
  if (!t) return {};
  return {
    ...(activation ? { openToActivateMs: t.activated - opened, activateToDiscoveryMs: t.discoveryStart - t.activated } : {}),
    discoveryMs: t.discoveryEnd - t.discoveryStart,
    validationsMs: t.validations.map((v) => v.ms),
    validationCached: t.validations.every((v) => v.cached),
    serverStartMs: (t.serverRunning ?? t.serverStart) - t.serverStart,
    runningToDiagnosticsMs: t.serverRunning ? diagnosed - t.serverRunning : -1,
  };
}

const codeOf = (d: vscode.Diagnostic) => (typeof d.code === 'object' && d.code !== null ? String(d.code.value) : String(d.code));
const normalize = (s: string) => s.replace(/\r\n/g, '\n');
const describe = (d: vscode.Diagnostic) =>
  `${d.source}/${codeOf(d)} ${d.range.start.line}:${d.range.start.character}-${d.range.end.line}:${d.range.end.character} ${d.message}`;

export async function run(): Promise<void> {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  if (!folder) throw new Error('e2e: no workspace folder open');
  const cfg: Config = JSON.parse(fs.readFileSync(path.join(folder, '..', 'e2e-config.json'), 'utf8'));
  const cases: Cases = JSON.parse(fs.readFileSync(path.join(cfg.fixtures, 'cases.json'), 'utf8'));
  const results: Result[] = [];
  const tests = cfg.phase === 'main' ? mainTests(cfg, cases) : untrustedTests(cfg, cases);
  for (const [name, fn] of tests) {
    const t0 = Date.now();
    try {
      const metrics = await Promise.race([fn(), sleep(90_000).then(() => Promise.reject(new Failure('test took longer than 90s')))]);
      results.push({ name, ok: true, ms: Date.now() - t0, ...(metrics ? { metrics } : {}) });
    } catch (e) {
      const error = e instanceof Failure ? e.message : String((e as Error)?.stack ?? e);
      results.push({ name, ok: false, ms: Date.now() - t0, error });
    }
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  }
  const report = { phase: cfg.phase, vscodeVersion: vscode.version, results };
  fs.writeFileSync(`${cfg.result}.tmp`, JSON.stringify(report, null, 2));
  fs.renameSync(`${cfg.result}.tmp`, cfg.result);
}

type Test = [string, () => Promise<void | Metrics>];

/** The names of a phase's checks, in order, without running anything (plan.ts: a phase that crashes
 *  counts each of them as failed). The names depend on the cases only. */
export function checkNames(phase: Config['phase'], cases: Cases): string[] {
  const cfg = { phase } as Config;
  return (phase === 'main' ? mainTests(cfg, cases) : untrustedTests(cfg, cases)).map(([name]) => name);
}

function helpers(cfg: Config, cases: Cases) {
  let counter = 0;
  /** a fresh copy of a fixture in its own folder */
  const freshCopy = (fixture: string, fileName = 'Dockerfile') => {
    const dir = path.join(cfg.work, `${cfg.phase}-${process.pid}-${++counter}`);
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, fileName);
    fs.copyFileSync(path.join(cfg.fixtures, fixture), file);
    return file;
  };
  /** a fresh copy of a fixture in its own folder, opened in an editor */
  const openFixture = async (fixture: string, fileName = 'Dockerfile') => {
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(freshCopy(fixture, fileName)));
    const editor = await vscode.window.showTextDocument(doc);
    return { doc, editor, uri: doc.uri };
  };
  const expected = (fixture: string) => normalize(fs.readFileSync(path.join(cfg.fixtures, fixture), 'utf8'));
  const api = async (): Promise<Api> => {
    const ext = vscode.extensions.getExtension<Api>(EXTENSION_ID);
    check(ext, `extension ${EXTENSION_ID} is not installed`);
    const exports = await ext.activate();
    await exports.ready();
    return exports;
  };
  const diagnostics = (uri: vscode.Uri, code = cases.diagnostic.code) =>
    vscode.languages.getDiagnostics(uri).filter((d) => d.source === cases.diagnostic.source && codeOf(d) === code);
  const waitDiagnostic = (uri: vscode.Uri, code = cases.diagnostic.code, timeoutMs = 30_000) =>
    waitFor(`a ${code} diagnostic on ${path.basename(path.dirname(uri.fsPath))}/${path.basename(uri.fsPath)} (have: ${
      vscode.languages.getDiagnostics(uri).map(describe).join('; ') || 'none'})`, () => diagnostics(uri, code)[0], timeoutMs);
  /** A fresh copy of `fixture` opened in an editor, timed from the call that opens it to the moment
   *  the extension host has its first cachemount diagnostic (the diagnostics event, not a poll). */
  const openTimed = async (fixture: string, timeoutMs = 60_000) => {
    const uri = vscode.Uri.file(freshCopy(fixture));
    let sub: vscode.Disposable | undefined;
    const arrived = new Promise<number>((resolve) => {
      sub = vscode.languages.onDidChangeDiagnostics((e) => {
        if (e.uris.some((u) => u.toString() === uri.toString()) && diagnostics(uri).length > 0) resolve(Date.now());
      });
    });
    try {
      const t0 = Date.now();
      const doc = await vscode.workspace.openTextDocument(uri);
      await vscode.window.showTextDocument(doc);
      const shown = Date.now();
      const t1 = await Promise.race([arrived, sleep(timeoutMs).then(() => undefined)]);
      check(t1 !== undefined, `no ${cases.diagnostic.code} diagnostic within ${timeoutMs / 1000}s of opening ${uri.fsPath} (have: ${
        vscode.languages.getDiagnostics(uri).map(describe).join('; ') || 'none'})`);
      return { doc, uri, t0, t1, ms: t1 - t0, shownMs: shown - t0 };
    } finally {
      sub?.dispose();
    }
  };
  const waitNoDiagnostic = (uri: vscode.Uri, code = cases.diagnostic.code) =>
    waitFor(`${code} to disappear`, () => diagnostics(uri, code).length === 0);
  const applyAction = async (action: vscode.CodeAction) => {
    if (action.edit) check(await vscode.workspace.applyEdit(action.edit), `applying the edit of "${action.title}" failed`);
    if (action.command) await vscode.commands.executeCommand(action.command.command, ...(action.command.arguments ?? []));
  };
  const positionOf = (doc: vscode.TextDocument, needle: string, offset = 0) => {
    const i = doc.getText().indexOf(needle);
    check(i >= 0, `fixture ${path.basename(doc.uri.fsPath)} does not contain ${JSON.stringify(needle)}`);
    return doc.positionAt(i + offset);
  };
  const setSetting = (key: string, value: unknown, target = vscode.ConfigurationTarget.Global) =>
    vscode.workspace.getConfiguration('cachemount').update(key, value, target);
  /** the code lenses VS Code gets for `uri` from every provider (here: cachemount's only) */
  const lenses = async (uri: vscode.Uri) => (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri)) ?? [];
  const describeLenses = (ls: vscode.CodeLens[]) =>
    JSON.stringify(ls.map((l) => [l.command?.title, `${l.range.start.line}:${l.range.start.character}-${l.range.end.line}:${l.range.end.character}`]));
  /** the server has linted `uri`: a cachemount diagnostic is there (any code) */
  const waitLinted = (uri: vscode.Uri) =>
    waitFor(`a ${cases.diagnostic.source} diagnostic on ${path.basename(path.dirname(uri.fsPath))}/${path.basename(uri.fsPath)}`,
      () => vscode.languages.getDiagnostics(uri).some((d) => d.source === cases.diagnostic.source));
  /** the server runs in the extension's own directory and nothing planted in the workspace was imported */
  const checkNoWorkspaceCode = (info: { cwd: string } | undefined) => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    check(info && ext && info.cwd === ext.extensionPath, `server runs in ${info?.cwd}, expected the extension's directory ${ext?.extensionPath}`);
    const ran = workspaceCodeRan(cfg.codeMarker);
    check(ran.length === 0, `Python imported modules from the workspace folder: ${ran.join(', ')}`);
  };
  /** a Dockerfile at the root of the workspace folder, next to the planted modules */
  const openRootDockerfile = async () => {
    const file = path.join(cfg.work, 'Dockerfile');
    fs.copyFileSync(path.join(cfg.fixtures, cases.diagnostic.file), file);
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
    await vscode.window.showTextDocument(doc);
    return doc.uri;
  };
  return {
    openFixture, openTimed, expected, api, diagnostics, waitDiagnostic, waitNoDiagnostic, applyAction, positionOf, setSetting,
    checkNoWorkspaceCode, openRootDockerfile, lenses, describeLenses, waitLinted,
  };
}

function mainTests(cfg: Config, cases: Cases): Test[] {
  const h = helpers(cfg, cases);
  return [
    // first: nothing has activated the extension yet in this extension host (a fresh user-data-dir)
    ['cold: opening the first Dockerfile activates the extension, starts the server, shows diagnostics (timed)', async () => {
      const ext = vscode.extensions.getExtension<Api>(EXTENSION_ID);
      check(ext, `extension ${EXTENSION_ID} is not installed`);
      check(!ext.isActive, 'the extension was already active: this would not be a cold start');
      const { t0, t1, ms, shownMs } = await h.openTimed(cases.diagnostic.file);
      const api = await h.api();
      // (starts > 1: something restarted the server meanwhile; the breakdown is of the last start)
      return { coldMs: ms, openEditorMs: shownMs, starts: api.serverInfo()?.generation ?? 0, ...startBreakdown(api.timings?.(), t0, t1) };
    }],

    ['warm: a fresh Dockerfile opened while the server runs shows diagnostics (timed, 5 files)', async () => {
      await h.api();
      const times: number[] = [];
      for (let i = 0; i < 5; i++) {
        times.push((await h.openTimed(cases.diagnostic.file)).ms);
        await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
      }
      return { warmMs: median(times), warmRunsMs: times };
    }],

    ['activates on a Dockerfile and runs the server from the cachemount.interpreter setting', async () => {
      const { doc } = await h.openFixture(cases.diagnostic.file);
      check(doc.languageId === 'dockerfile', `languageId is ${doc.languageId}`);
      const api = await h.api();
      const info = api.serverInfo();
      check(info, 'no server running');
      check(info.source === 'cachemount.interpreter', `server came from ${info.source}, expected cachemount.interpreter`);
      check(info.command === cfg.serverPython, `server command ${info.command}, expected ${cfg.serverPython}`);
      check(info.args.join(' ') === SERVE_ARGS.join(' '), `server args ${info.args.join(' ')}`);
      check(api.running, 'language client is not running');
    }],

    ['the language status item shows the server running, with its interpreter', async () => {
      await h.openFixture(cases.diagnostic.file);
      const api = await h.api();
      const status = api.status();
      const shown = JSON.stringify(status);
      check(status.state === 'running' && /running/.test(status.text), `status: ${shown}`);
      check(status.interpreter === cfg.serverPython && status.detail.includes(cfg.serverPython), `the interpreter is not shown: ${shown}`);
      check(status.severity === 'information' && !status.busy, `status: ${shown}`);
      check(status.command === 'cachemount.restart', `status command: ${shown}`);
    }],

    ['a workspace folder with its own argparse.py and cachemount/: diagnostics arrive, none of its code runs', async () => {
      const uri = await h.openRootDockerfile();
      const api = await h.api();
      await h.waitDiagnostic(uri);
      h.checkNoWorkspaceCode(api.serverInfo());
    }],

    ['Containerfile, *.Dockerfile and Dockerfile.* are dockerfile documents', async () => {
      for (const name of ['Containerfile', 'api.Dockerfile', 'Dockerfile.dev']) {
        const { doc, uri } = await h.openFixture(cases.diagnostic.file, name);
        check(doc.languageId === 'dockerfile', `${name}: languageId is ${doc.languageId}`);
        await h.waitDiagnostic(uri);
      }
    }],

    [`${cases.diagnostic.code} diagnostic on line ${cases.diagnostic.line} (the RUN pip install)`, async () => {
      const { doc, uri } = await h.openFixture(cases.diagnostic.file);
      const d = await h.waitDiagnostic(uri);
      const line = cases.diagnostic.line;
      check(d.range.start.line === line, `diagnostic starts on line ${d.range.start.line}, expected ${line}: ${describe(d)}`);
      check(d.range.end.line === line, `diagnostic ends on line ${d.range.end.line}, expected within line ${line}: ${describe(d)}`);
      check(d.range.end.character <= doc.lineAt(line).text.length, `diagnostic runs past the end of line ${line}: ${describe(d)}`);
      check(!d.range.isEmpty, `diagnostic range is empty: ${describe(d)}`);
      check(d.message.trim().length > 0, 'diagnostic has no message');
      check(typeof d.code === 'object' && d.code?.target, `diagnostic has no codeDescription.href (code: ${JSON.stringify(d.code)})`);
      check(h.diagnostics(uri).length === 1, `expected exactly one ${cases.diagnostic.code}, got ${h.diagnostics(uri).map(describe).join('; ')}`);
    }],

    ['an untitled dockerfile document is checked too', async () => {
      const content = fs.readFileSync(path.join(cfg.fixtures, cases.diagnostic.file), 'utf8');
      const doc = await vscode.workspace.openTextDocument({ language: 'dockerfile', content });
      await vscode.window.showTextDocument(doc);
      const d = await h.waitDiagnostic(doc.uri);
      check(d.range.start.line === cases.diagnostic.line, `untitled: diagnostic on line ${d.range.start.line}`);
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    }],

    ...cases.hover.points.map(
      (p): Test => [`hover on ${p.name} in a --mount explains it`, async () => {
        const { doc, uri } = await h.openFixture(cases.hover.file);
        await h.api();
        const pos = h.positionOf(doc, p.at, p.offset);
        const hovers = await waitFor(`a hover at ${p.name}`, async () => {
          const r = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, pos);
          return r && r.length > 0 ? r : undefined;
        }, 15_000);
        const text = hovers
          .flatMap((hv) => hv.contents.map((c) => (typeof c === 'string' ? c : c.value)))
          .join('\n');
        check(text.trim().length > 20, `hover at ${p.name} is (nearly) empty: ${JSON.stringify(text)}`);
        check(text.toLowerCase().includes(p.mentions.toLowerCase()), `hover at ${p.name} does not mention "${p.mentions}": ${JSON.stringify(text.slice(0, 300))}`);
        const withRange = hovers.find((hv) => hv.range);
        if (withRange?.range) check(withRange.range.contains(pos), `hover range ${JSON.stringify(withRange.range)} does not contain the position`);
      }],
    ),

    [`hover on the keyword of ${cases.layerCache.at} shows the layer cache: ${cases.layerCache.hoverMentions.join(', ')}`, async () => {
      const c = cases.layerCache;
      const { doc, uri } = await h.openFixture(c.file);
      await h.api();
      const pos = h.positionOf(doc, c.at, c.offset);
      const hovers = await waitFor(`a hover on the keyword of ${c.at}`, async () => {
        const r = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, pos);
        return r && r.length > 0 ? r : undefined;
      }, 15_000);
      const text = hovers.flatMap((hv) => hv.contents.map((x) => (typeof x === 'string' ? x : x.value))).join('\n');
      const missing = c.hoverMentions.filter((m) => !text.includes(m));
      check(missing.length === 0, `the hover on ${c.at} lacks ${JSON.stringify(missing)}: ${JSON.stringify(text.slice(0, 600))}`);
      const keyword = new vscode.Range(h.positionOf(doc, c.at), h.positionOf(doc, c.at, c.at.split(' ')[0].length));
      const withRange = hovers.find((hv) => hv.range);
      if (withRange?.range) check(withRange.range.isEqual(keyword), `hover range ${JSON.stringify(withRange.range)} is not the keyword's ${JSON.stringify(keyword)}`);
    }],

    ...cases.completion.points.map(
      (p): Test => [`completion after ${p.after} offers ${p.expect}`, async () => {
        const { doc, uri } = await h.openFixture(cases.completion.file);
        await h.api();
        const pos = h.positionOf(doc, p.after, p.after.length);
        const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', uri, pos);
        const labels = (list?.items ?? []).map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
        check(labels.some((l) => l.startsWith(p.expect)), `no completion starting with "${p.expect}" after ${p.after}; got ${JSON.stringify(labels.slice(0, 30))}`);
      }],
    ),

    [`quick fix for ${cases.quickFix.code} yields ${cases.quickFix.expected}`, async () => {
      const { doc, uri } = await h.openFixture(cases.quickFix.file);
      const d = await h.waitDiagnostic(uri, cases.quickFix.code);
      const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>(
        'vscode.executeCodeActionProvider', uri, d.range, vscode.CodeActionKind.QuickFix.value, 10);
      // (the API command does not return an action's diagnostics: the range has exactly one finding;
      // if the server offers more than one quick fix there, the preferred one or `titleMatches` picks it)
      let mine = (actions ?? []).filter((a) => a.kind && vscode.CodeActionKind.QuickFix.contains(a.kind));
      if (cases.quickFix.titleMatches) mine = mine.filter((a) => new RegExp(cases.quickFix.titleMatches!, 'i').test(a.title));
      if (mine.length > 1) mine = mine.filter((a) => a.isPreferred);
      check(mine.length === 1, `expected one (preferred) quick fix for ${cases.quickFix.code}, got ${JSON.stringify((actions ?? []).map((a) => [a.title, a.kind?.value, a.isPreferred]))}`);
      await h.applyAction(mine[0]);
      const got = normalize(doc.getText());
      const want = h.expected(cases.quickFix.expected);
      check(got === want, `text after the quick fix differs from ${cases.quickFix.expected}:\n--- got\n${got}\n--- expected\n${want}`);
      await h.waitNoDiagnostic(uri, cases.quickFix.code);
      await vscode.commands.executeCommand('workbench.action.files.revert');
    }],

    [`fix-all (${cases.fixAll.kind}) yields ${cases.fixAll.expected}`, async () => {
      const { doc, uri } = await h.openFixture(cases.fixAll.file);
      await h.waitDiagnostic(uri);
      const all = new vscode.Range(0, 0, doc.lineCount, 0);
      const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, all, cases.fixAll.kind, 10);
      const fixAll = (actions ?? []).filter((a) => a.kind?.value === cases.fixAll.kind);
      check(fixAll.length === 1, `expected one ${cases.fixAll.kind} action, got ${JSON.stringify((actions ?? []).map((a) => [a.title, a.kind?.value]))}`);
      await h.applyAction(fixAll[0]);
      const got = normalize(doc.getText());
      const want = h.expected(cases.fixAll.expected);
      check(got === want, `text after fix-all differs from ${cases.fixAll.expected}:\n--- got\n${got}\n--- expected\n${want}`);
      await h.waitNoDiagnostic(uri);
      await vscode.commands.executeCommand('workbench.action.files.revert');
    }],

    [`"${cases.fixAllQuickFix.title}" in the quick-fix menu yields ${cases.fixAllQuickFix.expected}`, async () => {
      const c = cases.fixAllQuickFix;
      const { doc, uri } = await h.openFixture(c.file);
      const found = await waitFor(`${c.count} ${c.code} diagnostics`, () => {
        const d = h.diagnostics(uri, c.code);
        return d.length === c.count ? d : undefined;
      });
      const first = found.sort((a, b) => a.range.start.line - b.range.start.line)[0];
      const titles = (actions: vscode.CodeAction[] | undefined) => JSON.stringify((actions ?? []).map((a) => [a.title, a.kind?.value]));
      // the lightbulb (no kind asked) and the quick-fix menu (quickfix), both resolving edits as VS Code does
      let chosen: vscode.CodeAction | undefined;
      for (const kind of [undefined, vscode.CodeActionKind.QuickFix.value]) {
        const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, first.range, kind, 10);
        const mine = (actions ?? []).filter((a) => a.title === c.title);
        check(mine.length === 1, `${kind ?? 'no kind'}: expected one "${c.title}", got ${titles(actions)}`);
        check(mine[0].kind && vscode.CodeActionKind.QuickFix.contains(mine[0].kind), `"${c.title}" is a ${mine[0].kind?.value}, not a quickfix`);
        check(!mine[0].isPreferred, `"${c.title}" is preferred: it would win over the finding's own fix`);
        chosen = mine[0];
      }
      await h.applyAction(chosen!);
      const got = normalize(doc.getText());
      const want = h.expected(c.expected);
      check(got === want, `text after "${c.title}" differs from ${c.expected}:\n--- got\n${got}\n--- expected\n${want}`);
      await h.waitNoDiagnostic(uri, c.code);
      await vscode.commands.executeCommand('workbench.action.files.revert');
    }],

    ['fix-all runs on save with editor.codeActionsOnSave', async () => {
      const editorConfig = vscode.workspace.getConfiguration('editor', { languageId: 'dockerfile' });
      await editorConfig.update('codeActionsOnSave', { [cases.fixAll.kind]: 'explicit' }, vscode.ConfigurationTarget.Global, true);
      try {
        const { doc, editor, uri } = await h.openFixture(cases.fixAll.file);
        await h.waitDiagnostic(uri);
        // VS Code now and then runs its on-save code actions without applying the answer (the LSP trace
        // shows the fix-all action, with its edit, reaching VS Code, and the file saved unfixed: about
        // 1 save in 12 on this machine). One retry of the save, reported; two such saves fail.
        const want = h.expected(cases.fixAll.expected);
        const fixedOnDisk = () => normalize(fs.readFileSync(uri.fsPath, 'utf8')) === want;
        let seen: unknown;
        let saves = 0;
        while (saves < 2 && !fixedOnDisk()) {
          saves += 1;
          // make the document dirty without changing its text (two edits, not an undo)
          const end = doc.lineAt(doc.lineCount - 1).range.end;
          check(await editor.edit((b) => b.insert(end, ' ')), 'edit failed');
          check(await editor.edit((b) => b.delete(new vscode.Range(end, end.translate(0, 1)))), 'edit failed');
          check(doc.isDirty, 'document is not dirty before save');
          check(vscode.window.activeTextEditor?.document === doc, 'the fixture is not the active editor: the save would miss it');
          seen = vscode.workspace.getConfiguration('editor', doc).get('codeActionsOnSave');
          await vscode.commands.executeCommand('workbench.action.files.save');
          try {
            await waitFor('the saved file to be fixed', fixedOnDisk, saves === 1 ? 15_000 : 45_000);
          } catch (e) {
            if (saves === 1) {
              console.log('fix-all on save: the first save stayed unfixed; saving once more');
              continue;
            }
            // what went wrong: the setting as the test saw it, what is on disk, and whether the server
            // offers fix-all for the saved text now
            const all = new vscode.Range(0, 0, doc.lineCount, 0);
            const after = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, all, cases.fixAll.kind, 10);
            throw new Failure(`${(e as Error).message} (after ${saves} saves); codeActionsOnSave before the save: ${JSON.stringify(seen)}; ` +
              `dirty: ${doc.isDirty}, version ${doc.version}; fix-all offered now: ${JSON.stringify((after ?? []).map((a) => a.title))}; ` +
              `on disk:\n${fs.readFileSync(uri.fsPath, 'utf8')}`);
          }
        }
        check(!doc.isDirty, 'document still dirty after save');
      } finally {
        await editorConfig.update('codeActionsOnSave', undefined, vscode.ConfigurationTarget.Global, true);
      }
    }],

    ['cachemount.severity and cachemount.rules apply without a restart', async () => {
      const { uri } = await h.openFixture(cases.diagnostic.file);
      const api = await h.api();
      const generation = api.serverInfo()?.generation;
      const code = cases.diagnostic.code;
      try {
        await h.setSetting('severity', { [code]: 'error' });
        await waitFor(`${code} to become an error`, () => h.diagnostics(uri)[0]?.severity === vscode.DiagnosticSeverity.Error);
        await h.setSetting('severity', { [code]: 'hint' });
        await waitFor(`${code} to become a hint`, () => h.diagnostics(uri)[0]?.severity === vscode.DiagnosticSeverity.Hint);
        await h.setSetting('rules', { [code]: false });
        await h.waitNoDiagnostic(uri);
      } finally {
        await h.setSetting('severity', undefined);
        await h.setSetting('rules', undefined);
      }
      await waitFor(`${code} to come back with its default severity`, () =>
        h.diagnostics(uri)[0] && h.diagnostics(uri)[0].severity !== vscode.DiagnosticSeverity.Hint);
      check(api.serverInfo()?.generation === generation, 'the server was restarted for a setting the server pulls');
    }],

    [`cachemount.codeLens off (the default): no code lens on ${cases.layerCache.file}`, async () => {
      const { uri } = await h.openFixture(cases.layerCache.file);
      await h.api();
      const on = vscode.workspace.getConfiguration('cachemount', uri).get('codeLens');
      check(on === false, `cachemount.codeLens is ${JSON.stringify(on)} here, expected the default false`);
      await h.waitLinted(uri);
      const got = await h.lenses(uri);
      check(got.length === 0, `code lenses with cachemount.codeLens off: ${h.describeLenses(got)}`);
    }],

    [`cachemount.codeLens on: a code lens above ${cases.layerCache.at} titled "${cases.layerCache.lensTitle}"`, async () => {
      const c = cases.layerCache;
      try {
        await h.setSetting('codeLens', true);
        const { doc, uri } = await h.openFixture(c.file);
        await h.api();
        await h.waitLinted(uri);
        // (polled: the server pulls the changed setting on its own time)
        const got = await waitFor(`a code lens on ${c.file}`, async () => {
          const r = await h.lenses(uri);
          return r.length > 0 ? r : undefined;
        }, 15_000).catch(async (e: Error) => {
          throw new Failure(`${e.message}; the server answers ${h.describeLenses(await h.lenses(uri))}`);
        });
        check(got.length === 1, `expected one code lens, got ${h.describeLenses(got)}`);
        const lens = got[0];
        check(lens.command?.title === c.lensTitle, `lens title ${JSON.stringify(lens.command?.title)}, expected ${JSON.stringify(c.lensTitle)}`);
        const keyword = new vscode.Range(h.positionOf(doc, c.at), h.positionOf(doc, c.at, c.at.split(' ')[0].length));
        check(lens.range.isEqual(keyword), `lens range ${h.describeLenses(got)}, expected the keyword of ${c.at} (${JSON.stringify(keyword)})`);
      } finally {
        await h.setSetting('codeLens', undefined);
      }
    }],

    ['toggling cachemount.codeLens at run time: VS Code asks for lenses again (workspace/codeLens/refresh), the lens comes and goes without reopening the file', async () => {
      const c = cases.layerCache;
      const { doc, uri } = await h.openFixture(c.file);
      const api = await h.api();
      const generation = api.serverInfo()?.generation;
      await h.waitLinted(uri);
      const none = await h.lenses(uri);
      check(none.length === 0, `code lenses with cachemount.codeLens off: ${h.describeLenses(none)}`);
      // A second provider for dockerfile that records when the editor asks for lenses: the editor asks
      // every provider again when one of them signals a change, which the language client does on the
      // server's workspace/codeLens/refresh. Nothing else asks between a toggle and the wait below
      // (h.lenses is called only after it).
      const asked: number[] = [];
      const probe = vscode.languages.registerCodeLensProvider({ language: 'dockerfile' }, {
        provideCodeLenses(d) {
          if (d.uri.toString() === uri.toString()) asked.push(Date.now());
          return [];
        },
      });
      /** no request for a second: what the editor asked for on its own (the probe's registration) is over */
      const settled = async () => {
        await waitFor('the editor to ask the probe for lenses', () => asked.length > 0, 15_000);
        await waitFor('the editor to stop asking for lenses', () => Date.now() - asked[asked.length - 1] > 1_000, 15_000);
        return asked.length;
      };
      const toggle = async (value: boolean | undefined) => {
        const before = await settled();
        await h.setSetting('codeLens', value);
        await waitFor(`VS Code to ask for code lenses again after cachemount.codeLens became ${value ?? 'unset'} ` +
          '(the server\'s workspace/codeLens/refresh did not reach the editor)', () => asked.length > before, 15_000);
      };
      try {
        await toggle(true);
        check(vscode.window.activeTextEditor?.document === doc && !doc.isClosed, 'the fixture is no longer the open editor');
        const got = await h.lenses(uri);
        check(got.length === 1 && got[0].command?.title === c.lensTitle,
          `after turning cachemount.codeLens on: ${h.describeLenses(got)}, expected one titled ${JSON.stringify(c.lensTitle)}`);
        await toggle(undefined);
        const gone = await h.lenses(uri);
        check(gone.length === 0, `after turning cachemount.codeLens off again: ${h.describeLenses(gone)}`);
        check(api.serverInfo()?.generation === generation, 'the server was restarted for cachemount.codeLens, a setting the server pulls');
      } finally {
        probe.dispose();
        await h.setSetting('codeLens', undefined);
      }
    }],

    ['cachemount.restart restarts the server and diagnostics come back', async () => {
      const { uri } = await h.openFixture(cases.diagnostic.file);
      const api = await h.api();
      await h.waitDiagnostic(uri);
      const before = api.serverInfo()?.generation ?? 0;
      const t0 = Date.now();
      await vscode.commands.executeCommand('cachemount.restart');
      await api.ready();
      check(api.serverInfo()?.generation === before + 1, `generation ${api.serverInfo()?.generation}, expected ${before + 1}`);
      check(api.running, 'not running after restart');
      await h.waitDiagnostic(uri);
      // (polled every 100 ms: the old server's diagnostics are gone once the new one runs)
      const t1 = Date.now();
      return { restartMs: t1 - t0, ...startBreakdown(api.timings?.(), t0, t1, false) };
    }],

    ['changing cachemount.interpreter restarts the server', async () => {
      const { uri } = await h.openFixture(cases.diagnostic.file);
      const api = await h.api();
      const before = api.serverInfo()?.generation ?? 0;
      try {
        // same interpreter, set at workspace level: a change event for cachemount.interpreter
        await h.setSetting('interpreter', cfg.serverPython, vscode.ConfigurationTarget.Workspace);
        await waitFor('a restart', () => (api.serverInfo()?.generation ?? 0) > before, 15_000);
        await api.ready();
        check(api.serverInfo()?.source === 'cachemount.interpreter', `source ${api.serverInfo()?.source}`);
        await h.waitDiagnostic(uri);
      } finally {
        await h.setSetting('interpreter', undefined, vscode.ConfigurationTarget.Workspace);
        await api.ready();
      }
    }],

    ['after every start and restart above, no module of the workspace folder was imported', async () => {
      const uri = await h.openRootDockerfile();
      const api = await h.api();
      check((api.serverInfo()?.generation ?? 0) >= 3, `only ${api.serverInfo()?.generation} server starts in this phase`);
      await h.waitDiagnostic(uri);
      h.checkNoWorkspaceCode(api.serverInfo());
    }],
  ];
}

function untrustedTests(cfg: Config, cases: Cases): Test[] {
  const h = helpers(cfg, cases);
  return [
    ['untrusted workspace: restricted mode is on', async () => {
      check(vscode.workspace.isTrusted === false, 'the workspace is trusted; this phase needs restricted mode');
    }],
    ["untrusted workspace: the workspace's cachemount.path/interpreter are ignored, the user's interpreter is used", async () => {
      const { uri } = await h.openFixture(cases.diagnostic.file);
      const api = await h.api();
      const info = api.serverInfo();
      check(info, 'no server running');
      check(info.source === 'cachemount.interpreter' && info.command === cfg.serverPython,
        `server is ${info.source} ${info.command}, expected the user's cachemount.interpreter ${cfg.serverPython}`);
      await h.waitDiagnostic(uri);
      check(cfg.marker && !fs.existsSync(cfg.marker), 'a program named by the untrusted workspace settings was run');
    }],
    ['untrusted workspace with its own argparse.py and cachemount/: diagnostics arrive, none of its code runs', async () => {
      const uri = await h.openRootDockerfile();
      const api = await h.api();
      await h.waitDiagnostic(uri);
      h.checkNoWorkspaceCode(api.serverInfo());
    }],
    ['untrusted workspace: a user-level cachemount.interpreter inside the workspace is ignored, the bundled server runs', async () => {
      const uri = await h.openRootDockerfile();
      const api = await h.api();
      const before = api.serverInfo()?.generation ?? 0;
      try {
        await h.setSetting('interpreter', '${workspaceFolder}/.venv/bin/python');
        await waitFor('a restart', () => (api.serverInfo()?.generation ?? 0) > before, 15_000);
        await api.ready();
        const info = api.serverInfo();
        check(info?.source === 'bundled', `server is ${info?.source} ${info?.command}, expected the bundled server`);
        const status = api.status();
        check(status.state === 'running' && status.detail.includes('bundled server'), `language status: ${JSON.stringify(status)}`);
        await h.waitDiagnostic(uri);
        check(cfg.marker && !fs.existsSync(cfg.marker), `the workspace's .venv/bin/python was run: ${cfg.marker && fs.existsSync(cfg.marker) ? fs.readFileSync(cfg.marker, 'utf8') : ''}`);
        h.checkNoWorkspaceCode(info);
      } finally {
        await h.setSetting('interpreter', cfg.serverPython);
        await api.ready();
      }
    }],
  ];
}
