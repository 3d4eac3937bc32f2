// The language status item of Dockerfiles (the `{}` next to the language in the status bar): the
// server's state (starting / running / error) and the interpreter that runs it, with a command to
// restart it or to show the log.
import * as vscode from 'vscode';
import type { ServerCommand } from './discovery';

export type ServerState = 'starting' | 'running' | 'error';

/** What the item shows now (read back from the item itself: the end-to-end tests check it). */
export interface StatusSnapshot {
  state: ServerState;
  text: string;
  detail: string;
  severity: 'information' | 'warning' | 'error';
  busy: boolean;
  command?: string;
  /** the interpreter (or program) of the server, when one was chosen */
  interpreter?: string;
}

const SEVERITY_NAMES = new Map<vscode.LanguageStatusSeverity, StatusSnapshot['severity']>([
  [vscode.LanguageStatusSeverity.Information, 'information'],
  [vscode.LanguageStatusSeverity.Warning, 'warning'],
  [vscode.LanguageStatusSeverity.Error, 'error'],
]);

/** The interpreter a person recognises: the Python of a Python candidate, else the program. */
export function interpreterOf(server: ServerCommand): string {
  return (server.python ?? [server.command]).join(' ');
}

/** The item's detail: the interpreter, and whether it runs the server shipped in the extension. */
function describe(server: ServerCommand): string {
  return server.source === 'bundled' ? `${interpreterOf(server)} (bundled server)` : interpreterOf(server);
}

export class ServerStatus implements vscode.Disposable {
  private readonly item: vscode.LanguageStatusItem;
  private state: ServerState = 'starting';
  private interpreter: string | undefined;

  constructor(selector: vscode.DocumentSelector) {
    this.item = vscode.languages.createLanguageStatusItem('cachemount.server', selector);
    this.item.name = 'cachemount language server';
    this.starting();
  }

  starting(server?: ServerCommand): void {
    this.set('starting', server, 'cachemount: starting', server ? describe(server) : 'finding a Python with cachemount',
      vscode.LanguageStatusSeverity.Information, { title: 'Show Log', command: 'cachemount.showLog' });
    this.item.busy = true;
  }

  // (the detail is the interpreter alone: the hover does not wrap, and a long line hides the command)
  running(server: ServerCommand): void {
    this.set('running', server, 'cachemount: running', describe(server), vscode.LanguageStatusSeverity.Information,
      { title: 'Restart', command: 'cachemount.restart', tooltip: `Restart the language server (found through ${server.source})` });
  }

  /** `why`: a few words; the whole story is in the log the command opens. */
  error(why: string, server?: ServerCommand): void {
    this.set('error', server, 'cachemount: not running', server ? `${why}: ${describe(server)}` : why,
      vscode.LanguageStatusSeverity.Error, { title: 'Show Log', command: 'cachemount.showLog' });
  }

  snapshot(): StatusSnapshot {
    return {
      state: this.state,
      text: this.item.text,
      detail: this.item.detail ?? '',
      severity: SEVERITY_NAMES.get(this.item.severity) ?? 'information',
      busy: this.item.busy,
      command: this.item.command?.command,
      ...(this.interpreter ? { interpreter: this.interpreter } : {}),
    };
  }

  dispose(): void {
    this.item.dispose();
  }

  private set(state: ServerState, server: ServerCommand | undefined, text: string, detail: string,
    severity: vscode.LanguageStatusSeverity, command: vscode.Command): void {
    this.state = state;
    this.interpreter = server ? interpreterOf(server) : undefined;
    this.item.text = text;
    this.item.detail = detail;
    this.item.severity = severity;
    this.item.busy = false;
    this.item.command = command;
    this.item.accessibilityInformation = { label: `${text}. ${detail}` };
  }
}
