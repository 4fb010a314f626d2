// "TranscrevAI: Show Transcript": the webview panel. Strict Content-Security-Policy with a nonce, scripts and
// styles from media/ only (localResourceRoots), no remote resources; the panel renders text with DOM text nodes,
// so transcript strings and file names are never parsed as HTML. Host ↔ panel messages: src/protocol/panel.ts.
import { randomBytes } from 'crypto';
import * as vscode from 'vscode';
import { parsePanelMessage, type HostToPanel, type PanelState, type PanelToHost } from '../protocol/panel';
import { emptyPanelState } from './panelState';

export interface PanelActions {
  rename(speaker: string, name: string): void;
  rememberVoice(speaker: string): void;
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
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src ${cspSource}; style-src ${cspSource}; script-src 'nonce-${nonce}';">
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
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      {
        enableScripts: true,
        localResourceRoots: [media],
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

  private post(): void {
    if (!this.panel || !this.ready) return;
    const message: HostToPanel = { type: 'state', state: this.state };
    void this.panel.webview.postMessage(message);
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
