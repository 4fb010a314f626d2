// "TranscrevAI: Show Transcript": the webview panel. Strict Content-Security-Policy with a nonce, scripts and
// styles from media/ only (localResourceRoots), no remote resources; the panel renders text with DOM text nodes,
// so transcript strings and file names are never parsed as HTML. Host ↔ panel messages: src/protocol/panel.ts.
import { randomBytes } from 'crypto';
import * as path from 'path';
import * as vscode from 'vscode';
import { parsePanelMessage, type HostToPanel, type PanelState, type PanelToHost } from '../protocol/panel';
import { emptyPanelState } from './panelState';
import { ourPanelColumn } from './placement';

export interface PanelActions {
  rename(speaker: string, name: string): void;
  rememberVoice(speaker: string): void;
  merge(from: string, into: string): void;
  /** Cancels one queued recording, or the whole queue (index undefined). */
  cancelQueued(index?: number): void;
  export(format: import('../output/formats').OutputFormat): void;
  copyTimestamp(seconds: number): void;
  reveal(seconds: number): void;
  /** A message that is not one the panel sends (parsePanelMessage): logged, never acted on. */
  ignored?(message: string): void;
}

/** The HTML shell: the CSP allows only this nonce's script and the media/ stylesheet. */
export function panelHtml(cspSource: string, scriptUri: string, styleUri: string, nonce: string, title: string): string {
  const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src ${cspSource}; media-src ${cspSource}; style-src ${cspSource}; script-src 'nonce-${nonce}';">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${esc(styleUri)}">
<title>${esc(title)}</title>
</head>
<body>
<main id="app" aria-live="off"></main>
<script nonce="${nonce}" src="${esc(scriptUri)}"></script>
</body>
</html>`;
}

export class TranscriptPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private state: PanelState = emptyPanelState('TranscrevAI');
  private ready = false;
  private audioFile?: string;
  /** Folders of recordings played so far: the webview may read them (it only grows, see allowFolder). */
  private readonly audioFolders = new Set<string>();
  private pendingSeek?: { seconds: number; until?: number };

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly actions: PanelActions,
  ) {}

  get visible(): boolean {
    return !!this.panel;
  }

  show(): void {
    if (this.panel) {
      this.panel.reveal(undefined, true);
      return;
    }
    const media = vscode.Uri.joinPath(this.extensionUri, 'media');
    const panel = vscode.window.createWebviewPanel(
      'transcrevai.transcript',
      'TranscrevAI Transcript',
      { viewColumn: ourPanelColumn(), preserveFocus: true },
      {
        enableScripts: true,
        localResourceRoots: this.resourceRoots(),
        retainContextWhenHidden: true,
      },
    );
    const nonce = randomBytes(16).toString('base64');
    const script = panel.webview.asWebviewUri(vscode.Uri.joinPath(media, 'panel.js')).toString();
    const style = panel.webview.asWebviewUri(vscode.Uri.joinPath(media, 'panel.css')).toString();
    panel.webview.html = panelHtml(panel.webview.cspSource, script, style, nonce, this.state.title);
    panel.webview.onDidReceiveMessage((raw: unknown) => {
      const m = parsePanelMessage(raw);
      if (m) this.onMessage(m);
      else this.actions.ignored?.(JSON.stringify(raw)?.slice(0, 200) ?? String(raw));
    });
    panel.onDidDispose(() => {
      this.panel = undefined;
      this.ready = false;
    });
    this.panel = panel;
  }

  update(state: PanelState): void {
    this.state = state;
    this.post();
  }

  /** The recording the panel plays (undefined: none); its folder becomes readable by the webview, nothing else. */
  setAudio(file: string | undefined): void {
    this.audioFile = file;
    if (file && !this.audioFolders.has(path.dirname(file))) {
      this.audioFolders.add(path.dirname(file));
      this.allowFolder();
    }
    this.post();
  }

  /** Plays the recording from `seconds`, and pauses at `until` when given (the panel opens if it was closed). */
  seek(seconds: number, until?: number): void {
    this.show();
    this.pendingSeek = { seconds, until };
    this.post();
  }

  /** media/ (script, style) and the folders of the recordings played, nothing else. */
  private resourceRoots(): vscode.Uri[] {
    return [vscode.Uri.joinPath(this.extensionUri, 'media'), ...[...this.audioFolders].map((f) => vscode.Uri.file(f))];
  }

  /**
   * New options reload the webview's page: what is posted meanwhile would reach the old page, so posting waits for
   * the new page's "ready" (which posts the state and any pending seek). Folders are only ever added, so going back
   * to a recording played before reloads nothing.
   */
  private allowFolder(): void {
    if (!this.panel) return;
    this.ready = false;
    this.panel.webview.options = { enableScripts: true, localResourceRoots: this.resourceRoots() };
  }

  private post(): void {
    if (!this.panel || !this.ready) return;
    const audio = this.audioFile ? { src: this.panel.webview.asWebviewUri(vscode.Uri.file(this.audioFile)).toString() } : undefined;
    const message: HostToPanel = { type: 'state', state: { ...this.state, audio } };
    void this.panel.webview.postMessage(message);
    if (this.pendingSeek !== undefined) {
      void this.panel.webview.postMessage({ type: 'seek', ...this.pendingSeek } satisfies HostToPanel);
      this.pendingSeek = undefined;
    }
  }

  private onMessage(m: PanelToHost): void {
    switch (m.type) {
      case 'ready':
        this.ready = true;
        this.post();
        break;
      case 'rename':
        this.actions.rename(m.speaker, m.name);
        break;
      case 'rememberVoice':
        this.actions.rememberVoice(m.speaker);
        break;
      case 'merge':
        this.actions.merge(m.from, m.into);
        break;
      case 'cancelQueued':
        this.actions.cancelQueued(m.index);
        break;
      case 'cancelQueue':
        this.actions.cancelQueued(undefined);
        break;
      case 'export':
        this.actions.export(m.format);
        break;
      case 'copyTimestamp':
        this.actions.copyTimestamp(m.seconds);
        break;
      case 'reveal':
        this.actions.reveal(m.seconds);
        break;
    }
  }

  dispose(): void {
    this.panel?.dispose();
  }
}
