// Wiring only: the modules next to this file do the work.
import * as vscode from 'vscode';
import { disposeLog, log, outputChannel } from './log';
import { onDidChangePythonInterpreter } from './python';
import { RESTART_SETTINGS, hasWorkspaceServerSettings } from './settings';
import { ServerInfo, ServerManager, StartTimings } from './server';
import type { StatusSnapshot } from './status';

/** What `activate` returns (used by the end-to-end tests; not a stable public API). */
export interface CachemountApi {
  serverInfo(): ServerInfo | undefined;
  /** resolves once every queued start/restart has finished */
  ready(): Promise<void>;
  readonly running: boolean;
  /** what the language status item shows */
  status(): StatusSnapshot;
  /** where the last start's time went */
  timings(): StartTimings | undefined;
}

let manager: ServerManager | undefined;

export function activate(context: vscode.ExtensionContext): CachemountApi {
  const activated = Date.now();
  context.subscriptions.push(outputChannel());
  log.info(`cachemount ${context.extension.packageJSON.version} activating (VS Code ${vscode.version})`);
  const servers = new ServerManager(context, activated);
  manager = servers;
  context.subscriptions.push(
    servers,
    vscode.commands.registerCommand('cachemount.restart', () => servers.restart('cachemount.restart command')),
    vscode.commands.registerCommand('cachemount.showLog', () => log.show()),
    vscode.workspace.onDidChangeConfiguration((e) => {
      const changed = RESTART_SETTINGS.filter((key) => e.affectsConfiguration(key));
      if (changed.length) void servers.restart(`${changed.join(', ')} changed`);
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => {
      if (hasWorkspaceServerSettings() || servers.ignoredForTrust()) void servers.restart('workspace trusted: its server settings now apply');
    }),
    onDidChangePythonInterpreter(() => {
      const source = servers.info()?.source;
      // a new interpreter matters unless a setting chose the server explicitly
      if (source !== 'cachemount.path' && source !== 'cachemount.interpreter') {
        void servers.restart("the Python extension's interpreter changed");
      }
    }),
  );
  void servers.start();
  return {
    serverInfo: () => servers.info(),
    ready: () => servers.idle(),
    get running() {
      return servers.running;
    },
    status: () => servers.statusSnapshot(),
    timings: () => servers.timings(),
  };
}

export async function deactivate(): Promise<void> {
  await manager?.stop();
  manager = undefined;
  disposeLog();
}
