// The one place that owns the "cachemount" output channel. Everything (this extension's own
// messages, the language client's messages, the server's stderr and the LSP trace) goes there.
import * as vscode from 'vscode';

let channel: vscode.LogOutputChannel | undefined;

export function outputChannel(): vscode.LogOutputChannel {
  if (!channel) {
    channel = vscode.window.createOutputChannel('cachemount', { log: true });
  }
  return channel;
}

export const log = {
  trace: (message: string) => outputChannel().trace(message),
  debug: (message: string) => outputChannel().debug(message),
  info: (message: string) => outputChannel().info(message),
  warn: (message: string) => outputChannel().warn(message),
  error: (message: string | Error) => outputChannel().error(message),
  show: () => outputChannel().show(true),
};

export function disposeLog(): void {
  channel?.dispose();
  channel = undefined;
}
