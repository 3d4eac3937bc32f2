// Starting, stopping and restarting the language server (one per window).
import * as fs from 'fs';
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
import { mergedEnv, validateExecutable, validateInterpreter } from './validate';

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

export class ServerManager implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private current: ServerCommand | undefined;
  private lastAttempts: Attempt[] = [];
  private lastIgnored: string[] = [];
  private lastInside: string[] = [];
  private generation = 0;
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly context: vscode.ExtensionContext) {}

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

  private async discover(): Promise<{ result: DiscoveryResult; ignored: string[]; inside: string[] }> {
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
    const result = await findServer({
      trusted: settings.trusted,
      path: settings.path.value,
      interpreter: settings.interpreter.value,
      ignoredWorkspaceSettings: ignored,
      pythonExtension: () => activePythonInterpreter(resource),
      bundledLibs: this.bundledLibs(),
      systemPythons: systemPythons(),
      validateExecutable,
      validateInterpreter: (cmd) => validateInterpreter(cmd),
      cwd,
    });
    for (const a of result.attempts) {
      (a.ok ? log.info : log.warn)(`${a.ok ? 'usable' : 'not usable'}: ${a.label}: ${a.detail}`);
    }
    return { result, ignored, inside };
  }

  private async doStart(): Promise<void> {
    this.generation++;
    const { result, ignored, inside } = await this.discover();
    this.lastAttempts = result.attempts;
    this.lastIgnored = ignored;
    this.lastInside = inside;
    const server = result.server;
    if (!server) {
      this.current = undefined;
      const message = nothingWorkedMessage(result.attempts, ignored, inside);
      log.error(message);
      void this.notify('error', message);
      return;
    }
    for (const failed of failedExplicitSettings(result.attempts)) {
      void this.notify('warning', `cachemount: ${failed.label} cannot be used (${failed.detail}); using ${server.label} instead.`);
    }
    log.info(`Starting ${server.label}: ${[server.command, ...server.args].join(' ')} (in ${server.cwd})`);

    const serverOptions: ServerOptions = {
      // no `transport` on purpose: TransportKind.stdio would append `--stdio` to the arguments
      command: server.command,
      args: server.args,
      // an explicit cwd: without one vscode-languageclient uses the first workspace folder
      options: { cwd: server.cwd, env: mergedEnv({ PYTHONUNBUFFERED: '1', ...server.env }) },
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
    const client = new LanguageClient('cachemount', 'cachemount', serverOptions, clientOptions);
    this.client = client;
    this.current = server;
    try {
      await client.start();
      log.info(`Server running (${server.source}).`);
    } catch (e) {
      const message = `cachemount: the language server (${server.label}) failed to start: ${(e as Error)?.message ?? e}. See the "cachemount" output channel.`;
      log.error(message);
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
