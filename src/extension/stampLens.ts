// "▶ play hh:mm:ss" above every turn of a transcript or meeting notes document: it opens the panel's player at
// that time (TranscrevAI: Play at…). Only our own documents (they name their recording) get the lenses.
import * as vscode from 'vscode';
import { clockTime } from '../output/common';
import { recordingOf, stampsOf } from '../output/stamps';

export class StampLensProvider implements vscode.CodeLensProvider {
  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    const text = document.getText();
    const recording = recordingOf(text, document.uri.scheme === 'file' ? document.uri.fsPath : undefined);
    if (!recording) return [];
    return stampsOf(text).map(
      (s) =>
        new vscode.CodeLens(new vscode.Range(s.line, s.start, s.line, s.end), {
          title: `▶ play ${clockTime(s.seconds)}`,
          tooltip: 'Play the recording from here in the TranscrevAI panel',
          command: 'transcrevai.playAt',
          arguments: [recording, s.seconds],
        }),
    );
  }
}
