// "TranscrevAI: Choose Language…": the language Whisper is told to expect (transcrevai.language), picked by name.
// The first step of the Get Started walkthrough; telling the model the language beats detecting it on short or
// noisy recordings, and an English-only model is then refused for other languages before any job starts.
import * as vscode from 'vscode';
import { WHISPER_LANGUAGES } from '../../whisper/languages';
import type { Ctx } from '../context';
import { updateSetting } from '../ui';

interface LanguageItem extends vscode.QuickPickItem {
  code: string;
}

/** Whisper's codes that are not the BCP 47 ones Intl knows. */
const BCP47: Record<string, string> = { jw: 'jv' };
/** Listed first: the product's first language, then the most used ones. */
const FIRST = ['pt', 'en', 'es'];

export function languageName(code: string): string {
  try {
    const name = new Intl.DisplayNames([vscode.env.language, 'en'], { type: 'language' }).of(BCP47[code] ?? code);
    return name && name !== code ? name : code;
  } catch {
    return code;
  }
}

export async function chooseLanguageCommand(ctx: Ctx): Promise<string | undefined> {
  const current = ctx.settings().language;
  const item = (code: string): LanguageItem => ({
    label: code === 'auto' ? 'Detect automatically' : languageName(code),
    description: [code, code === current ? 'current setting' : ''].filter(Boolean).join(' · '),
    code,
  });
  const rest = WHISPER_LANGUAGES.filter((c) => !FIRST.includes(c))
    .map(item)
    .sort((a, b) => a.label.localeCompare(b.label));
  const items: (LanguageItem | vscode.QuickPickItem)[] = [...FIRST.map(item), item('auto'), { label: '', kind: vscode.QuickPickItemKind.Separator }, ...rest];
  const picked = (await vscode.window.showQuickPick(items, {
    title: 'TranscrevAI: Language of your recordings',
    placeHolder: `Now: ${current === 'auto' ? 'detected automatically' : languageName(current)}. Whisper transcribes best when told the language.`,
    matchOnDescription: true,
  })) as LanguageItem | undefined;
  if (!picked?.code) return undefined;
  await updateSetting('language', picked.code);
  ctx.log.info(`Language set to ${picked.code}.`);
  return picked.code;
}
