// Starting, stopping and restarting the language server (one per window).
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { LanguageClient, LanguageClientOptions, RevealOutputChannelOn, ServerOptions, State } from 'vscode-languageclient/node';
import {
  Attempt,
  DiscoveryResult,
  ServerCommand,
  failedExplicitSettings,
  findServer,
  nothingWorkedMessage,
} from './discovery';
import { log, outputChannel } from './log';
import { activePythonInterpreter } from './python';
import { SECTION, readServerSettings } from './settings';
import { ServerStatus, StatusSnapshot } from './status';
import { serverEnv, validateExecutable, validateInterpreter } from './validate';
import { ValidationCache } from './validationCache';

export const DOCUMENT_SELECTOR = [
  { scheme: 'file', language: 'dockerfile' },
  { scheme: 'untitled', language: 'dockerfile' },
];

export function systemPythons(platform: NodeJS.Platform = process.platform): string[] {
  return platform === 'win32' ? ['python', 'py'] : ['python3', 'python'];
}

export interface ServerInfo {
  source: ServerCommand['source'];
  label: string;
  command: string;
  args: string[];
  cwd: string;
  attempts: Attempt[];
  /** counts server starts in this window: 1 for the first, +1 per restart */
  generation: number;
}

/** Where the last start's time went (Date.now() values; the end-to-end tests report them). */
export interface StartTimings {
  /** when `activate` was called */
  activated: number;
  discoveryStart: number;
  discoveryEnd: number;
  validations: { label: string; ms: number; cached: boolean }[];
  /** the language client was started (process spawned, `initialize` sent) */
  serverStart: number;
  /** `initialize` answered: the client runs */
  serverRunning?: number;
}

export class ServerManager implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private current: ServerCommand | undefined;
  private lastAttempts: Attempt[] = [];
  private lastIgnored: string[] = [];
  private lastInside: string[] = [];
  private generation = 0;
  private queue: Promise<void> = Promise.resolve();
  private readonly validations: ValidationCache;
  private readonly status = new ServerStatus(DOCUMENT_SELECTOR);
  private lastTimings: StartTimings | undefined;

  constructor(private readonly context: vscode.ExtensionContext, private readonly activated = Date.now()) {
    this.validations = new ValidationCache(context.globalState);
  }

  /** The language status item's state, as shown. */
  statusSnapshot(): StatusSnapshot {
    return this.status.snapshot();
  }

  timings(): StartTimings | undefined {
    return this.lastTimings;
  }

  /** What is running now (undefined when no server could be started). */
  info(): ServerInfo | undefined {
    if (!this.current) return undefined;
    const { source, label, command, args, cwd } = this.current;
    return { source, label, command, args, cwd, attempts: this.lastAttempts, generation: this.generation };
  }

  get running(): boolean {
    return this.client?.state === State.Running;
  }

  /** Resolves when every queued start/stop/restart so far has finished. */
  idle(): Promise<void> {
    return this.queue;
  }

  start(): Promise<void> {
    return this.enqueue(() => this.doStart());
  }

  stop(): Promise<void> {
    return this.enqueue(() => this.doStop());
  }

  restart(reason: string): Promise<void> {
    return this.enqueue(async () => {
      log.info(`Restarting the server: ${reason}`);
      await this.doStop();
      await this.doStart();
    });
  }

  dispose(): void {
    void this.stop();
    this.status.dispose();
  }

  // start/stop/restart never overlap: each waits for the previous one
  private enqueue(job: () => Promise<void>): Promise<void> {
    const next = this.queue.then(job, job).catch((e) => log.error(e instanceof Error ? e : String(e)));
    this.queue = next;
    return next;
  }

  /** What the last start ignored because the workspace is untrusted (a grant of trust then matters). */
  ignoredForTrust(): boolean {
    return this.lastIgnored.length > 0 || this.lastInside.length > 0;
  }

  private bundledLibs(): string | undefined {
    const libs = this.context.asAbsolutePath('bundled/libs');
    return fs.existsSync(`${libs}/cachemount`) ? libs : undefined;
  }

  private async discover(timings: StartTimings, useCache: boolean): Promise<{ result: DiscoveryResult; ignored: string[]; inside: string[] }> {
    // the extension's own directory: every candidate and its validation run there, never in a
    // workspace folder (python, PATH lookups and tools such as pyenv or uv look at their working directory)
    const cwd = this.context.extensionPath;
    const settings = readServerSettings(undefined, cwd);
    const ignored: string[] = [];
    const inside: string[] = [];
    for (const [name, resolved] of [['cachemount.path', settings.path], ['cachemount.interpreter', settings.interpreter]] as const) {
      if (resolved.ignored.length) {
        ignored.push(name);
        log.warn(`The workspace is not trusted: its ${name} setting is ignored (the user setting or the bundled server is used).`);
      }
      if (resolved.insideWorkspace) {
        inside.push(name);
        log.warn(`The workspace is not trusted: ${name} (${resolved.insideWorkspace.scope} setting) points inside it (${resolved.insideWorkspace.path}) and is ignored.`);
      }
    }
    const resource = vscode.window.activeTextEditor?.document.uri ?? vscode.workspace.workspaceFolders?.[0]?.uri;
    const check = (cmd: ServerCommand) => validateInterpreter(cmd);
    const validate = useCache ? this.validations.wrap(check) : async (cmd: ServerCommand) => {
      const result = await check(cmd);
      this.validations.remember(cmd, result);
      return result;
    };
    const timed = async (cmd: ServerCommand) => {
      const t0 = Date.now();
      const result = await validate(cmd);
      timings.validations.push({ label: cmd.label, ms: Date.now() - t0, cached: !!result.cached });
      return result;
    };
    const result = await findServer({
      trusted: settings.trusted,
      path: settings.path.value,
      interpreter: settings.interpreter.value,
      ignoredWorkspaceSettings: ignored,
      pythonExtension: () => activePythonInterpreter(resource),
      bundledLibs: this.bundledLibs(),
      systemPythons: systemPythons(),
      validateExecutable,
      validateInterpreter: timed,
      cwd,
    });
    for (const a of result.attempts) {
      const how = a.cached ? ' (checked before; its files have not changed since)' : '';
      (a.ok ? log.info : log.warn)(`${a.ok ? 'usable' : 'not usable'}: ${a.label}: ${a.detail}${how}`);
    }
    return { result, ignored, inside };
  }

  private async doStart(useCache = true): Promise<void> {
    this.generation++;
    this.status.starting();
    const timings: StartTimings = { activated: this.activated, discoveryStart: Date.now(), discoveryEnd: 0, validations: [], serverStart: 0 };
    this.lastTimings = timings;
    const { result, ignored, inside } = await this.discover(timings, useCache);
    timings.discoveryEnd = Date.now();
    this.lastAttempts = result.attempts;
    this.lastIgnored = ignored;
    this.lastInside = inside;
    const server = result.server;
    if (!server) {
      this.current = undefined;
      const message = nothingWorkedMessage(result.attempts, ignored, inside);
      log.error(message);
      this.status.error('no Python with cachemount found');
      void this.notify('error', message);
      return;
    }
    const fromCache = result.attempts.some((a) => a.ok && a.cached && a.label === server.label);
    for (const failed of failedExplicitSettings(result.attempts)) {
      void this.notify('warning', `cachemount: ${failed.label} cannot be used (${failed.detail}); using ${server.label} instead.`);
    }
    log.info(`Starting ${server.label}: ${[server.command, ...server.args].join(' ')} (in ${server.cwd})`);
    const pycache = this.context.globalStorageUri ? path.join(this.context.globalStorageUri.fsPath, 'pycache') : undefined;
    const { env, redirected } = serverEnv({ PYTHONUNBUFFERED: '1', ...server.env }, pycache);
    if (redirected) log.info(`PYTHONDONTWRITEBYTECODE is set: the server's bytecode is cached in ${pycache} (not next to its sources).`);

    const serverOptions: ServerOptions = {
      // no `transport` on purpose: TransportKind.stdio would append `--stdio` to the arguments
      command: server.command,
      args: server.args,
      // an explicit cwd: without one vscode-languageclient uses the first workspace folder
      options: { cwd: server.cwd, env },
    };
    const clientOptions: LanguageClientOptions = {
      documentSelector: DOCUMENT_SELECTOR,
      // the server pulls its settings (workspace/configuration, section "cachemount"); this makes the
      // client send workspace/didChangeConfiguration whenever a cachemount.* setting changes
      synchronize: { configurationSection: SECTION },
      outputChannel: outputChannel(),
      traceOutputChannel: outputChannel(),
      revealOutputChannelOn: RevealOutputChannelOn.Never,
    };
    this.current = server;
    this.status.starting(server);
    timings.serverStart = Date.now();
    try {
      const client = new LanguageClient('cachemount', 'cachemount', serverOptions, clientOptions);
      this.client = client;
      // a crash after the start (the client restarts the server a few times, then gives up)
      client.onDidChangeState((e) => {
        if (this.client !== client) return;
        if (e.newState === State.Running) this.status.running(server);
        else if (e.newState === State.Starting) this.status.starting(server);
        else if (e.newState === State.Stopped) this.status.error('the server stopped (see the log)', server);
      });
      await client.start();
      timings.serverRunning = Date.now();
      this.status.running(server);
      const ms = (a: number, b: number) => `${((b - a) / 1000).toFixed(2)}s`;
      log.info(`Server running (${server.source}): finding it took ${ms(timings.discoveryStart, timings.discoveryEnd)}` +
        `${fromCache ? ' (validation cached)' : ''}, starting it ${ms(timings.serverStart, timings.serverRunning)}.`);
    } catch (e) {
      if (fromCache) {
        // what was checked before no longer works: check every candidate again, once
        log.warn(`${server.label} was usable before and failed to start now (${(e as Error)?.message ?? e}); checking again.`);
        this.validations.forget(server);
        await this.doStop();
        this.generation--;
        await this.doStart(false);
        return;
      }
      const message = `cachemount: the language server (${server.label}) failed to start: ${(e as Error)?.message ?? e}. See the "cachemount" output channel.`;
      log.error(message);
      this.status.error('the server failed to start', server);
      void this.notify('error', message);
    }
  }

  private async doStop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.current = undefined;
    if (!client) return;
    try {
      if (client.state !== State.Stopped) await client.stop(5_000);
    } catch (e) {
      log.warn(`Stopping the server: ${(e as Error)?.message ?? e}`);
    }
    try {
      await client.dispose(2_000);
    } catch {
      // already stopped
    }
  }

  private async notify(kind: 'error' | 'warning', message: string): Promise<void> {
    const show = kind === 'error' ? vscode.window.showErrorMessage : vscode.window.showWarningMessage;
    const choice = await show(message, 'Show Log', 'Open Settings');
    if (choice === 'Show Log') log.show();
    if (choice === 'Open Settings') await vscode.commands.executeCommand('workbench.action.openSettings', '@ext:cachemount.cachemount');
  }
}
