// "TranscrevAI: Remembered Voices…": the voices kept by "Remember this voice as…" (names and voice prints, never
// audio), each with when and from which recording; picking some forgets them, after a modal confirmation.
import * as vscode from 'vscode';
import type { Ctx } from '../context';

export async function rememberedVoicesCommand(ctx: Ctx): Promise<void> {
  const profiles = ctx.voiceProfiles();
  if (!profiles.length) {
    void vscode.window.showInformationMessage(
      'TranscrevAI: no voice is remembered. After a transcript with speakers, use "Remember voice…" beside a speaker in the panel.',
    );
    return;
  }
  const picked = await vscode.window.showQuickPick(
    profiles.map((p) => ({
      label: p.name,
      description: p.source ? `from ${p.source}` : undefined,
      detail: `remembered ${new Date(p.created).toLocaleString()}`,
    })),
    { title: `Remembered voices (${profiles.length}): pick the ones to forget`, canPickMany: true, placeHolder: ctx.voicesFile() },
  );
  if (!picked?.length) return;
  const names = picked.map((p) => p.label);
  const forget = `Forget ${names.length === 1 ? `"${names[0]}"` : `${names.length} voices`}`;
  const answer = await vscode.window.showWarningMessage(`Later transcripts will no longer name ${names.join(', ')} by voice.`, { modal: true }, forget);
  if (answer !== forget) return;
  ctx.forgetVoices(names);
  ctx.log.info(`voices forgotten: ${names.join(', ')}`);
}
