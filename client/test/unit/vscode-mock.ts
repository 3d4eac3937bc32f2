// A stand-in for the `vscode` module so the client's logic runs in plain node.
// Importing this file (first!) makes `require('vscode')` return `vscode`, below.
// Members the code under test uses are real fakes; anything else is a dummy class, so modules
// such as vscode-languageclient load.
import Module = require('module');

export interface FakeInspect {
  globalValue?: unknown;
  workspaceValue?: unknown;
  workspaceFolderValue?: unknown;
}

export const state = {
  trusted: true,
  /** key inside the cachemount section -> inspect() result */
  config: {} as Record<string, FakeInspect>,
  extensions: {} as Record<string, { isActive: boolean; exports: unknown; activate: () => Promise<unknown> }>,
  messages: [] as { kind: string; message: string }[],
  logs: [] as { level: string; message: string }[],
  workspaceFolders: [] as { uri: { fsPath: string } }[],
  commands: {} as Record<string, (...args: unknown[]) => unknown>,
  /** the language status items created, as the extension left them */
  statusItems: [] as FakeStatusItem[],
};

export interface FakeStatusItem {
  id: string;
  selector: unknown;
  name?: string;
  text: string;
  detail?: string;
  severity: number;
  busy: boolean;
  command?: { title: string; command: string };
  accessibilityInformation?: { label: string };
  disposed: boolean;
  dispose(): void;
}

export function reset(): void {
  state.trusted = true;
  state.config = {};
  state.extensions = {};
  state.messages = [];
  state.logs = [];
  state.workspaceFolders = [];
  state.commands = {};
  state.statusItems = [];
}

class Disposable {
  constructor(private readonly fn: () => void) {}
  dispose() {
    this.fn();
  }
  static from(...d: { dispose(): void }[]) {
    return new Disposable(() => d.forEach((x) => x.dispose()));
  }
}

class EventEmitter<T> {
  private listeners: ((e: T) => void)[] = [];
  event = (l: (e: T) => void) => {
    this.listeners.push(l);
    return new Disposable(() => (this.listeners = this.listeners.filter((x) => x !== l)));
  };
  fire(e: T) {
    this.listeners.forEach((l) => l(e));
  }
  dispose() {
    this.listeners = [];
  }
}

const channel = (name: string) => {
  const add = (level: string) => (message: unknown) => state.logs.push({ level, message: String(message) });
  return {
    name,
    trace: add('trace'), debug: add('debug'), info: add('info'), warn: add('warn'), error: add('error'),
    append: add('info'), appendLine: add('info'), replace: add('info'), clear() {}, show() {}, hide() {}, dispose() {},
    logLevel: 2, onDidChangeLogLevel: new EventEmitter<number>().event,
  };
};

export const emitters = {
  configuration: new EventEmitter<{ affectsConfiguration(key: string): boolean }>(),
  trust: new EventEmitter<void>(),
};

/** fire onDidChangeConfiguration for these changed keys (and their parent sections) */
export function changeSettings(...keys: string[]): void {
  emitters.configuration.fire({ affectsConfiguration: (k: string) => keys.some((key) => key === k || key.startsWith(k + '.')) });
}

const fake = {
  version: '1.82.0-mock',
  Disposable,
  EventEmitter,
  LanguageStatusSeverity: { Information: 0, Warning: 1, Error: 2 },
  languages: {
    createLanguageStatusItem: (id: string, selector: unknown): FakeStatusItem => {
      const item: FakeStatusItem = {
        id, selector, text: '', severity: 0, busy: false, disposed: false,
        dispose() {
          item.disposed = true;
        },
      };
      state.statusItems.push(item);
      return item;
    },
  },
  Uri: { file: (fsPath: string) => ({ fsPath, scheme: 'file', toString: () => `file://${fsPath}` }) },
  workspace: {
    get isTrusted() {
      return state.trusted;
    },
    get workspaceFolders() {
      return state.workspaceFolders;
    },
    getConfiguration: (section?: string) => ({
      inspect: (key: string) => (section === 'cachemount' ? { key: `cachemount.${key}`, ...state.config[key] } : undefined),
      get: (key: string, dflt?: unknown) => {
        const i = section === 'cachemount' ? state.config[key] : undefined;
        return i?.workspaceFolderValue ?? i?.workspaceValue ?? i?.globalValue ?? dflt;
      },
    }),
    onDidChangeConfiguration: (l: (e: { affectsConfiguration(key: string): boolean }) => void) => emitters.configuration.event(l),
    onDidGrantWorkspaceTrust: (l: () => void) => emitters.trust.event(l),
  },
  window: {
    activeTextEditor: undefined,
    createOutputChannel: (name: string) => channel(name),
    showErrorMessage: async (message: string) => {
      state.messages.push({ kind: 'error', message });
      return undefined;
    },
    showWarningMessage: async (message: string) => {
      state.messages.push({ kind: 'warning', message });
      return undefined;
    },
    showInformationMessage: async (message: string) => {
      state.messages.push({ kind: 'information', message });
      return undefined;
    },
  },
  extensions: {
    getExtension: (id: string) => state.extensions[id],
  },
  commands: {
    executeCommand: async () => undefined,
    registerCommand: (id: string, fn: (...args: unknown[]) => unknown) => {
      state.commands[id] = fn;
      return new Disposable(() => delete state.commands[id]);
    },
  },
};

// Anything not faked above: a harmless class (vscode-languageclient extends some at load time).
export const vscode: typeof fake & Record<string, unknown> = new Proxy(fake, {
  get(target, prop) {
    if (prop in target) return (target as Record<string | symbol, unknown>)[prop];
    if (typeof prop === 'symbol' || prop === 'then' || prop === '__esModule') return undefined;
    const Dummy = class {};
    (target as Record<string, unknown>)[prop] = Dummy;
    return Dummy;
  },
}) as typeof fake & Record<string, unknown>;

const M = Module as unknown as { _load: (request: string, ...rest: unknown[]) => unknown };
const load = M._load;
M._load = function (request: string, ...rest: unknown[]) {
  if (request === 'vscode') return vscode;
  return load.call(this, request, ...rest);
};
