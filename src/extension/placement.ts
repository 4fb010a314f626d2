// Where TranscrevAI opens what it writes (transcripts, meeting notes, exports) and its panel, applying the choice of
// src/extension/columnChoice.ts to the window's editor groups: our documents are recognised by the URIs we opened,
// the panel by its view type.
import * as vscode from 'vscode';
import { documentColumn, panelColumn, type Choice } from './columnChoice';

/** Documents we opened, by URI: their group is "ours". */
const opened = new Set<string>();

function isOurPanel(tab: vscode.Tab): boolean {
  return tab.input instanceof vscode.TabInputWebview && tab.input.viewType.includes('transcrevai.transcript');
}

function isOurDocument(tab: vscode.Tab): boolean {
  return tab.input instanceof vscode.TabInputText && opened.has(tab.input.uri.toString());
}

function groups() {
  return (vscode.window.tabGroups?.all ?? []).map((g) => ({
    viewColumn: g.viewColumn,
    tabs: g.tabs.length,
    documents: g.tabs.some(isOurDocument),
    panel: g.tabs.some(isOurPanel),
    active: g.isActive,
  }));
}

const column = (choice: Choice) => (choice === 'beside' ? vscode.ViewColumn.Beside : (choice as vscode.ViewColumn));

/** The column for our next document (see documentColumn). */
export function ourDocumentColumn(): vscode.ViewColumn {
  return column(documentColumn(groups()));
}

/** The column for our panel when it opens (see panelColumn). */
export function ourPanelColumn(): vscode.ViewColumn {
  return column(panelColumn(groups()));
}

/** Opens one of our documents in our group and remembers it as ours. */
export async function showOurs(document: vscode.TextDocument | vscode.Uri): Promise<vscode.TextEditor> {
  const shown = { viewColumn: ourDocumentColumn(), preview: false };
  const editor = document instanceof vscode.Uri ? await vscode.window.showTextDocument(document, shown) : await vscode.window.showTextDocument(document, shown);
  opened.add(editor.document.uri.toString());
  return editor;
}
