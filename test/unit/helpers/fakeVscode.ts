// A small in-memory stand-in for the `vscode` module, enough to run the extension's commands in plain
// Node: commands, configuration, dialogs (answered by scripted handlers), progress, workspace.fs on disk.
// It records what the extension showed so tests can assert on it. Not a VS Code emulator.
import * as fs from 'fs';
import * as path from 'path';
import Module from 'module';

export class Uri {
  private constructor(
    readonly scheme: string,
    readonly path: string,
  ) {}
  static file(p: string): Uri {
    return new Uri('file', path.resolve(p).replace(/\\/g, '/'));
  }
  static from(c: { scheme: string; path: string }): Uri {
    return new Uri(c.scheme, c.path);
  }
  static joinPath(base: Uri, ...segments: string[]): Uri {
    return new Uri(base.scheme, path.posix.join(base.path, ...segments));
  }
  get fsPath(): string {
    return path.normalize(this.path);
  }
  toString(): string {
    return `${this.scheme}://${this.path}`;
  }
}

export class Position {
  constructor(
    readonly line: number,
    readonly character: number,
  ) {}
  translate(lineDelta = 0, characterDelta = 0): Position {
    return new Position(this.line + lineDelta, this.character + characterDelta);
  }
}

export class Range {
  readonly start: Position;
  readonly end: Position;
  /** (start, end) or (startLine, startCharacter, endLine, endCharacter), as vscode.Range. */
  constructor(start: Position | number, end: Position | number, endLine?: number, endCharacter?: number) {
    this.start = typeof start === 'number' ? new Position(start, end as number) : start;
    this.end = typeof start === 'number' ? new Position(endLine!, endCharacter!) : (end as Position);
  }
}

export class Selection extends Range {
  constructor(
    readonly anchor: Position,
    readonly active: Position,
  ) {
    super(anchor, active);
  }
}

/** An in-memory text document with the offset ↔ position arithmetic the extension uses. */
export class FakeDocument {
  constructor(
    readonly uri: Uri,
    public text: string,
  ) {}
  offsetAt(p: Position): number {
    const lines = this.text.split('\n');
    let off = 0;
    for (let i = 0; i < Math.min(p.line, lines.length - 1); i++) off += lines[i].length + 1;
    return Math.min(off + p.character, this.text.length);
  }
  positionAt(offset: number): Position {
    const before = this.text.slice(0, Math.max(0, Math.min(offset, this.text.length))).split('\n');
    return new Position(before.length - 1, before[before.length - 1].length);
  }
  validatePosition(p: Position): Position {
    return this.positionAt(this.offsetAt(p));
  }
  getText(r?: Range): string {
    return r ? this.text.slice(this.offsetAt(r.start), this.offsetAt(r.end)) : this.text;
  }
}

/** A text editor over a FakeDocument: edits apply at once and are counted as undo steps. */
export class FakeEditor {
  selection: Selection;
  readonly undoSteps: string[] = [];
  readonly decorations: string[] = [];
  constructor(readonly document: FakeDocument) {
    const end = document.positionAt(document.text.length);
    this.selection = new Selection(end, end);
  }
  async edit(build: (b: { insert(p: Position, t: string): void }) => void, opts?: { undoStopBefore?: boolean; undoStopAfter?: boolean }): Promise<boolean> {
    let inserted = '';
    build({
      insert: (p, t) => {
        const at = this.document.offsetAt(p);
        this.document.text = this.document.text.slice(0, at) + t + this.document.text.slice(at);
        inserted += t;
      },
    });
    if (opts?.undoStopBefore && opts?.undoStopAfter) this.undoSteps.push(inserted);
    return true;
  }
  setDecorations(_type: unknown, ranges: { renderOptions?: { after?: { contentText?: string } } }[]): void {
    this.decorations.push(ranges.map((r) => r.renderOptions?.after?.contentText ?? '').join('|'));
  }
}

type Handler = (message: string, ...items: unknown[]) => unknown;

export interface Shown {
  kind: 'info' | 'warning' | 'error';
  message: string;
  items: string[];
  /** A modal message's detail (its options object). */
  detail?: string;
}

export function createFakeVscode(initialConfig: Record<string, unknown>) {
  const commands = new Map<string, (...args: unknown[]) => unknown>();
  const config: Record<string, unknown> = { ...initialConfig };
  const shown: Shown[] = [];
  const progress: { title: string; messages: string[]; increments: number; cancel: () => void }[] = [];
  const opened: { uri?: Uri; content?: string; language?: string; viewColumn?: number }[] = [];
  const logs: string[] = [];
  /** Every state the host posted to a transcript panel, and a way to send the panel's own messages to the host. */
  const panelStates: { queue?: { items: { name: string; status: string }[]; summary?: string } }[] = [];
  const panelSend: { message?: (m: unknown) => void } = {};
  /** Diagnostics by document URI, as the extension last set them, and its code action providers. */
  const diagnostics = new Map<string, { range: Range; message: string; severity: number; source?: string; code?: unknown }[]>();
  const codeActionProviders: {
    provideCodeActions(
      doc: { getText(): string; uri: Uri },
      range: Range,
      context: { diagnostics: unknown[] },
    ): { title: string; command?: { command: string; arguments?: unknown[] } }[];
  }[] = [];
  const codeLensProviders: {
    provideCodeLenses(doc: { getText(): string; uri: Uri }): { command?: { title: string; command: string; arguments?: unknown[] } }[];
  }[] = [];
  const handlers: { info?: Handler; warning?: Handler; error?: Handler; quickPick?: (items: unknown[]) => unknown; openDialog?: () => Uri[] | undefined } = {};
  const writable = new Map<string, boolean>([['file', true]]);

  const items = (rest: unknown[]) => rest.filter((x): x is string => typeof x === 'string');
  const show =
    (kind: Shown['kind']) =>
    async (message: string, ...rest: unknown[]) => {
      const options = rest.find((x): x is { detail?: string } => typeof x === 'object' && x !== null);
      shown.push({ kind, message, items: items(rest), ...(options?.detail ? { detail: options.detail } : {}) });
      return handlers[kind]?.(message, ...items(rest));
    };
  const log = (level: string) => (m: string) => logs.push(`${level}: ${m}`);

  const statusBar: { text: string; tooltip?: string; command?: string; name?: string; show(): void; dispose(): void }[] = [];
  const noop = () => ({ dispose() {} });
  const vscode = {
    Uri,
    Position,
    Range,
    Selection,
    ThemeColor: class {
      constructor(readonly id: string) {}
    },
    StatusBarAlignment: { Left: 1, Right: 2 },
    WorkspaceEdit: class {
      readonly inserts: { uri: Uri; at: Position; text: string }[] = [];
      insert(uri: Uri, at: Position, text: string) {
        this.inserts.push({ uri, at, text });
      }
    },
    ViewColumn: { Active: -1, Beside: -2, One: 1 },
    ProgressLocation: { SourceControl: 1, Window: 10, Notification: 15 },
    ConfigurationTarget: { Global: 1, Workspace: 2, WorkspaceFolder: 3 },
    QuickPickItemKind: { Separator: -1, Default: 0 },
    env: { language: 'en' },
    commands: {
      registerCommand(id: string, fn: (...args: unknown[]) => unknown) {
        if (commands.has(id)) throw new Error(`command ${id} registered twice`);
        commands.set(id, fn);
        return { dispose: () => commands.delete(id) };
      },
      async executeCommand(id: string, ...args: unknown[]) {
        const fn = commands.get(id);
        if (fn) return fn(...args);
        return undefined; // built-in commands (openSettings) are no-ops here
      },
    },
    EventEmitter: class<T> {
      private listeners: ((e: T) => void)[] = [];
      event = (l: (e: T) => void) => {
        this.listeners.push(l);
        return { dispose: () => (this.listeners = this.listeners.filter((x) => x !== l)) };
      };
      fire(e: T) {
        for (const l of [...this.listeners]) l(e);
      }
      dispose() {
        this.listeners = [];
      }
    },
    DiagnosticSeverity: { Error: 0, Warning: 1, Information: 2, Hint: 3 },
    Diagnostic: class {
      source?: string;
      code?: unknown;
      constructor(
        readonly range: Range,
        readonly message: string,
        readonly severity: number,
      ) {}
    },
    CodeActionKind: { QuickFix: 'quickfix' },
    CodeAction: class {
      command?: { command: string; arguments?: unknown[] };
      diagnostics?: unknown[];
      isPreferred?: boolean;
      constructor(
        readonly title: string,
        readonly kind: string,
      ) {}
    },
    CodeLens: class {
      constructor(
        readonly range: unknown,
        readonly command?: { title: string; command: string; arguments?: unknown[] },
      ) {}
    },
    languages: {
      registerCodeLensProvider(_selector: unknown, provider: unknown) {
        codeLensProviders.push(provider as (typeof codeLensProviders)[number]);
        return { dispose() {} };
      },
      registerCodeActionsProvider(_selector: unknown, provider: unknown) {
        codeActionProviders.push(provider as (typeof codeActionProviders)[number]);
        return { dispose() {} };
      },
      createDiagnosticCollection() {
        return {
          set(uri: Uri, list: NonNullable<ReturnType<typeof diagnostics.get>>) {
            diagnostics.set(uri.toString(), list);
          },
          dispose() {},
        };
      },
    },
    window: {
      activeTextEditor: undefined as FakeEditor | undefined,
      visibleTextEditors: [] as FakeEditor[],
      createOutputChannel(_name: string, _opts?: unknown) {
        return {
          info: log('info'),
          warn: log('warn'),
          error: log('error'),
          debug: log('debug'),
          trace: log('trace'),
          appendLine: log('line'),
          clear() {},
          show() {},
          dispose() {},
        };
      },
      createWebviewPanel() {
        const disposed: (() => void)[] = [];
        return {
          webview: {
            html: '',
            cspSource: 'fake-csp',
            asWebviewUri: (u: Uri) => u,
            onDidReceiveMessage(fn: (m: unknown) => void) {
              panelSend.message = fn;
              fn({ type: 'ready' }); // the page loads at once
              return { dispose() {} };
            },
            async postMessage(m: { type: string; state: (typeof panelStates)[number] }) {
              if (m.type === 'state') panelStates.push(m.state);
              return true;
            },
          },
          reveal() {},
          onDidDispose(fn: () => void) {
            disposed.push(fn);
            return { dispose() {} };
          },
          dispose() {
            for (const fn of disposed) fn();
          },
        };
      },
      createStatusBarItem() {
        const item = { text: '', show() {}, dispose() {} };
        statusBar.push(item);
        return item;
      },
      createTextEditorDecorationType() {
        return { dispose() {} };
      },
      onDidChangeTextEditorSelection: noop,
      onDidChangeWindowState: noop,
      showInformationMessage: show('info'),
      showWarningMessage: show('warning'),
      showErrorMessage: show('error'),
      async showQuickPick(list: unknown[]) {
        return handlers.quickPick?.(list);
      },
      /** A quick pick the handler answers once it is shown and no longer busy (its items are then final). */
      createQuickPick() {
        const accept: (() => void)[] = [];
        const hide: (() => void)[] = [];
        const pick = {
          items: [] as unknown[],
          activeItems: [] as unknown[],
          selectedItems: [] as unknown[],
          busy: false,
          title: '',
          placeholder: '',
          onDidAccept: (l: () => void) => (accept.push(l), { dispose() {} }),
          onDidHide: (l: () => void) => (hide.push(l), { dispose() {} }),
          show() {
            const answer = () => {
              if (pick.busy) return void setTimeout(answer, 5);
              const chosen = handlers.quickPick?.(pick.items);
              if (chosen) {
                pick.selectedItems = [chosen];
                accept.forEach((l) => l());
              } else pick.hide();
            };
            setTimeout(answer, 0);
          },
          hide: () => hide.forEach((l) => l()),
          dispose() {},
        };
        return pick;
      },
      async showOpenDialog() {
        return handlers.openDialog?.();
      },
      async withProgress<T>(
        options: { title: string },
        task: (p: { report(v: { message?: string; increment?: number }): void }, token: unknown) => Promise<T>,
      ): Promise<T> {
        const listeners: (() => void)[] = [];
        const entry = { title: options.title, messages: [] as string[], increments: 0, cancel: () => listeners.forEach((l) => l()) };
        progress.push(entry);
        const token = {
          isCancellationRequested: false,
          onCancellationRequested(l: () => void) {
            listeners.push(l);
            return { dispose() {} };
          },
        };
        return task(
          {
            report(v) {
              if (v.message) entry.messages.push(v.message);
              entry.increments += v.increment ?? 0;
            },
          },
          token,
        );
      },
      async showTextDocument(doc: Uri | { uri?: Uri; content: string; language: string }, opts?: { viewColumn?: number }) {
        if (doc instanceof Uri) opened.push({ uri: doc, viewColumn: opts?.viewColumn });
        else opened.push({ content: doc.content, language: doc.language, viewColumn: opts?.viewColumn });
        return { document: { uri: doc instanceof Uri ? doc : (doc.uri ?? Uri.file('/untitled')) } };
      },
    },
    workspace: {
      getConfiguration(section: string) {
        const get = (key: string) => config[`${section}.${key}`];
        return {
          get,
          inspect: (key: string) => ({ key, globalValue: get(key) }),
          async update(key: string, value: unknown) {
            config[`${section}.${key}`] = value;
          },
        };
      },
      onDidChangeConfiguration() {
        return { dispose() {} };
      },
      onDidCloseTextDocument: noop,
      onDidOpenTextDocument: noop,
      onDidChangeTextDocument: noop,
      textDocuments: [] as { uri: Uri; getText(): string }[],
      workspaceFolders: undefined as { uri: Uri }[] | undefined,
      async applyEdit(edit: { inserts: { uri: Uri; at: Position; text: string }[] }) {
        for (const i of edit.inserts) {
          const ed = vscode.window.visibleTextEditors.find((e) => e.document.uri === i.uri) ?? vscode.window.activeTextEditor;
          if (!ed) return false;
          const at = ed.document.offsetAt(i.at);
          ed.document.text = ed.document.text.slice(0, at) + i.text + ed.document.text.slice(at);
        }
        return true;
      },
      async openTextDocument(opts: { content: string; language: string }) {
        return { content: opts.content, language: opts.language };
      },
      fs: {
        isWritableFileSystem: (scheme: string) => writable.get(scheme),
        async stat(uri: Uri) {
          const s = fs.statSync(uri.fsPath);
          return { size: s.size };
        },
        async readFile(uri: Uri) {
          return fs.readFileSync(uri.fsPath);
        },
        async writeFile(uri: Uri, data: Uint8Array) {
          if (writable.get(uri.scheme) === false) throw new Error('NoPermissions');
          fs.writeFileSync(uri.fsPath, data);
        },
      },
    },
  };
  return {
    vscode,
    commands,
    config,
    shown,
    progress,
    opened,
    logs,
    handlers,
    writable,
    statusBar,
    panelStates,
    panelSend,
    codeLensProviders,
    codeActionProviders,
    diagnostics,
  };
}

/** Makes `require('vscode')` return `fake` for every module loaded afterwards. */
export function installFakeVscode(fake: unknown): void {
  const M = Module as unknown as { _resolveFilename: (r: string, ...a: unknown[]) => string; _cache: Record<string, unknown> };
  const original = M._resolveFilename;
  M._resolveFilename = function (request: string, ...rest: unknown[]) {
    if (request === 'vscode') return 'vscode';
    return original.call(this, request, ...rest);
  };
  const mod = new Module('vscode');
  mod.exports = fake;
  mod.loaded = true;
  (require.cache as Record<string, unknown>)['vscode'] = mod;
}
