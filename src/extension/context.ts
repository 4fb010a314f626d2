// The extension's one context object (style of rust-analyzer's editors/code Ctx): owns the output
// channel, the settings view, the catalogue and the engine process. The engine starts lazily on first use,
// is started again on the next use if it died, and is shut down on deactivate.
import * as path from 'path';
import * as vscode from 'vscode';
import { EngineClient } from '../engine/client';
import { type Catalog, catalogPath, loadCatalog } from '../models/catalog';
import { modelsRoot } from '../models/paths';
import { readVoiceProfiles, VOICE_FILE_NAME, writeVoiceProfiles } from '../files/voiceStore';
import { readVocabularyFile, vocabularyPrompt, WORKSPACE_VOCABULARY_FILE } from '../options/vocabularyList';
import type { VoiceProfile } from '../transcript';
import { readSettings, type Settings } from './settings';

/** Who shows a file job besides its notification: the status bar item and the transcript panel. */
export interface JobObserver {
  progress(title: string, component: import('../progress').Component, percent: number, overall: number): void;
  finished(title: string, result: { transcript?: import('../transcript').Transcript; error?: string }): void;
  /** The transcript of `title` was written to `document`. */
  delivered(title: string, document: vscode.Uri): void;
}

export class Ctx implements vscode.Disposable {
  jobs?: JobObserver;
  readonly log: vscode.LogOutputChannel;
  private client: EngineClient | undefined;
  private starting: Promise<EngineClient> | undefined;
  private catalogCache: Catalog | undefined;
  private crashes: number[] = [];
  /** A transcript was written to a document (Transcribe File, the queue): its words' confidence goes to Problems. */
  readonly transcriptWritten = new vscode.EventEmitter<{ document: vscode.Uri; transcript: import('../transcript').Transcript }>();
  /** Downloads in flight by model name, so two commands never write the same .partial folder. */
  readonly downloads = new Map<string, Promise<boolean>>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(readonly extension: vscode.ExtensionContext) {
    this.log = vscode.window.createOutputChannel('TranscrevAI', { log: true });
    this.disposables.push(
      this.log,
      this.transcriptWritten,
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('transcrevai')) this.settings(); // logs invalid values once, early
      }),
    );
  }

  get enginePath(): string {
    return path.join(this.extension.extensionPath, 'dist', 'engine.js');
  }

  /**
   * Current settings; ignored (invalid) values are logged. The vocabulary is the setting's terms followed by those of
   * each workspace folder's .transcrevai/vocabulary.txt.
   */
  settings(): Settings {
    const { settings, problems } = readSettings(vscode.workspace.getConfiguration('transcrevai'));
    for (const p of problems) this.log.warn(p);
    settings.vocabulary = vocabularyPrompt(settings.vocabulary, ...this.workspaceVocabularies()) ?? '';
    return settings;
  }

  private workspaceVocabularies(): (string | undefined)[] {
    return (vscode.workspace.workspaceFolders ?? []).map((folder) => {
      const file = path.join(folder.uri.fsPath, WORKSPACE_VOCABULARY_FILE);
      try {
        return readVocabularyFile(file);
      } catch (err) {
        this.log.warn(`vocabulary file ${file} not read: ${(err as Error).message}`);
        return undefined;
      }
    });
  }

  /** The remembered voices' file: global storage, so no workspace can read or plant one. */
  voicesFile(): string {
    return path.join(this.extension.globalStorageUri.fsPath, VOICE_FILE_NAME);
  }

  /** The remembered voices; a damaged file is logged and counts as none (it is left alone, not overwritten). */
  voiceProfiles(): VoiceProfile[] {
    try {
      return readVoiceProfiles(this.voicesFile());
    } catch (err) {
      this.log.warn((err as Error).message);
      return [];
    }
  }

  /** Keeps a voice under a name; a voice already kept under that name is replaced. */
  rememberVoice(profile: VoiceProfile): void {
    const others = readVoiceProfiles(this.voicesFile()).filter((p) => p.name.toLocaleLowerCase() !== profile.name.toLocaleLowerCase());
    writeVoiceProfiles(this.voicesFile(), [...others, profile]);
  }

  forgetVoices(names: readonly string[]): void {
    writeVoiceProfiles(
      this.voicesFile(),
      readVoiceProfiles(this.voicesFile()).filter((p) => !names.includes(p.name)),
    );
  }

  modelsRoot(settings: Settings = this.settings()): string {
    return modelsRoot(settings.modelsPath || undefined);
  }

  /** The catalogue shipped with the extension (models/catalog.json), loaded once. */
  catalog(): Catalog {
    this.catalogCache ??= loadCatalog(catalogPath(this.extension.extensionPath));
    return this.catalogCache;
  }

  /** The engine if it runs now (never starts one). */
  runningEngine(): EngineClient | undefined {
    return this.client?.running ? this.client : undefined;
  }

  /** The running engine, starting it (again) when needed. */
  async engine(): Promise<EngineClient> {
    if (this.client?.running) return this.client;
    this.starting ??= this.startEngine().finally(() => (this.starting = undefined));
    return this.starting;
  }

  private async startEngine(): Promise<EngineClient> {
    const now = Date.now();
    this.crashes = this.crashes.filter((t) => now - t < 60_000);
    if (this.crashes.length >= 3) {
      // Bounded respawn: after 3 crashes in a minute, wait before the next start instead of looping.
      const wait = 5_000;
      this.log.warn(`Engine crashed ${this.crashes.length} times in the last minute; waiting ${wait / 1000} s before restarting.`);
      await new Promise((r) => setTimeout(r, wait));
    }
    this.log.info(`Starting engine: ${this.enginePath}`);
    const client = await EngineClient.start({
      enginePath: this.enginePath,
      // Inside VS Code's Electron host, forked children must run as plain Node.
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1', ...engineEnv() },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    const forward = (level: 'info' | 'warn') => (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split(/\r?\n/)) if (line.trim()) this.log[level](`[engine] ${line}`);
    };
    client.child.stdout?.on('data', forward('info'));
    client.child.stderr?.on('data', forward('warn'));
    client.onNotification((n) => {
      if (n.type === 'log') this.log[n.level](`[engine] ${n.message}`);
      else if (n.type === 'warning') this.log.warn(`[engine] ${n.message}`);
    });
    client.onExit((error) => {
      if (error) {
        this.crashes.push(Date.now());
        this.log.error(`${error.message} It will be started again on the next request.`);
      } else {
        this.log.info('Engine stopped.');
      }
      if (this.client === client) this.client = undefined;
    });
    this.log.info(`Engine ready (pid ${client.pid}, ${client.startupMs} ms).`);
    this.client = client;
    return client;
  }

  async dispose(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    await client?.dispose().catch(() => undefined);
    for (const d of this.disposables) d.dispose();
  }
}

/** Engine settings that take effect when the engine (re)starts, passed as environment variables. */
function engineEnv(): NodeJS.ProcessEnv {
  const { settings } = readSettings(vscode.workspace.getConfiguration('transcrevai'));
  const env: NodeJS.ProcessEnv = { TRANSCREVAI_RESTART_LIMITS: JSON.stringify(settings.restartLimits) };
  if (!settings.cpuAffinity) env.TRANSCREVAI_CPU_AFFINITY = '0';
  return env;
}
