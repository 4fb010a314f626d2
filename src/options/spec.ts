// What an option record says, and how a raw value (a command-line string, a settings.json value) is checked
// against it. The records themselves are in registry.ts; the CLI parser and help (src/cli), the settings
// reader (src/extension/settings.ts) and package.json's contributes.configuration (scripts/sync-settings.ts,
// checked by test/unit/options.test.ts) are all derived from them.

export type Command = 'transcribe' | 'dictate' | 'meeting';

export type ValueSpec =
  /** `lowercase`: the value is compared and kept in lower case (language codes: `EN` is `en`). */
  | { type: 'string'; pattern?: RegExp; patternMessage?: string; nonEmpty?: boolean; lowercase?: boolean }
  | { type: 'integer'; min: number; max: number }
  | { type: 'number'; exclusiveMin: number }
  | { type: 'boolean' }
  | { type: 'enum'; values: readonly string[] }
  /** A JSON object (settings only), validated by its reader. */
  | { type: 'object'; schema: Record<string, unknown> };

export interface CliSpec {
  flag: string;
  short?: string;
  /** Shown after the flag in the help: `--threads <N>`. Booleans have none. */
  placeholder?: string;
  commands: readonly Command[];
  /** Overrides for the command line: a narrower range, other values, another default. */
  min?: number;
  values?: readonly string[];
  default?: unknown;
}

export interface SettingSpec {
  /** Key under `transcrevai.`: dotted groups allowed (audio.device). */
  key: string;
  order: number;
  /** 'machine': a workspace cannot set it (paths of programs and models). */
  scope?: 'machine';
  /**
   * A path the extension reads models from or writes files to: in a workspace the user has not trusted, VS Code
   * ignores the workspace's value (package.json `capabilities.untrustedWorkspaces.restrictedConfigurations`), so
   * opening a repository cannot point the model at its own files or the meeting notes at any folder.
   */
  restricted?: true;
  enumDescriptions?: readonly string[];
  /** Overrides for settings.json: other values, another default. */
  values?: readonly string[];
  default?: unknown;
}

export interface OptionSpec {
  key: string;
  /** One text, Markdown allowed: the settings UI shows it whole; the CLI help shows `summary` or this. */
  description: string;
  summary?: string;
  value: ValueSpec;
  default: unknown;
  cli?: CliSpec;
  setting?: SettingSpec;
}

export type Checked<T> = { ok: true; value: T } | { ok: false; problem: string };

function allowedValues(spec: OptionSpec, surface: 'cli' | 'setting'): readonly string[] | undefined {
  if (spec.value.type !== 'enum') return undefined;
  return (surface === 'cli' ? spec.cli?.values : spec.setting?.values) ?? spec.value.values;
}

/** A string value as both surfaces keep it: trimmed, and in lower case where the record says so. */
function trimmed(text: string, lowercase?: boolean): string {
  return lowercase ? text.trim().toLowerCase() : text.trim();
}

/** The default on one surface. */
export function defaultOf(spec: OptionSpec, surface: 'cli' | 'setting'): unknown {
  // An override counts when it is written, even as `undefined` ("no default on the command line").
  const part = surface === 'cli' ? spec.cli : spec.setting;
  return part && 'default' in part ? part.default : spec.default;
}

/** The values a setting accepts, for package.json's enum. */
export function settingValues(spec: OptionSpec): readonly string[] | undefined {
  return allowedValues(spec, 'setting');
}

/** A command-line value (always a string, or true for a flag) → the typed value, or why not (no "--flag" prefix). */
export function checkCliValue(spec: OptionSpec, raw: string | boolean): Checked<unknown> {
  const v = spec.value;
  const flag = `--${spec.cli?.flag ?? spec.key}`;
  if (v.type === 'boolean') return { ok: true, value: raw === true || raw === 'true' };
  const text = String(raw);
  switch (v.type) {
    case 'integer': {
      const min = spec.cli?.min ?? v.min;
      if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > v.max) {
        return { ok: false, problem: `${flag} must be a whole number ${min === 1 && v.max >= 1000 ? '≥ 1' : `from ${min} to ${v.max}`} (got "${text}")` };
      }
      return { ok: true, value: Number(text) };
    }
    case 'number': {
      const n = Number(text);
      if (!(text.trim() !== '' && Number.isFinite(n) && n > v.exclusiveMin)) return { ok: false, problem: `${flag} must be a positive number (got "${text}")` };
      return { ok: true, value: n };
    }
    case 'enum': {
      const values = allowedValues(spec, 'cli')!;
      if (!values.includes(text)) return { ok: false, problem: `${flag} must be one of ${values.join(', ')} (got "${text}")` };
      return { ok: true, value: text };
    }
    case 'string': {
      const t = trimmed(text, v.lowercase);
      if (v.nonEmpty && !t) return { ok: false, problem: `${flag} is empty` };
      if (v.pattern && !v.pattern.test(t)) return { ok: false, problem: `${flag} must be ${v.patternMessage ?? `like ${v.pattern}`} (got "${text}")` };
      return { ok: true, value: t };
    }
    case 'object':
      return { ok: false, problem: `${flag} cannot be given on the command line` };
  }
}

/** A settings.json value → the typed value; undefined/null → the default; anything invalid → the default and why. */
export function checkSettingValue(spec: OptionSpec, raw: unknown): Checked<unknown> & { value: unknown } {
  const fallback = defaultOf(spec, 'setting');
  if (raw === undefined || raw === null) return { ok: true, value: fallback };
  const bad = {
    ok: false as const,
    value: fallback,
    problem: `transcrevai.${spec.setting?.key ?? spec.key}: ignored invalid value ${JSON.stringify(raw)}; using ${JSON.stringify(fallback)}`,
  };
  const v = spec.value;
  switch (v.type) {
    case 'boolean':
      return typeof raw === 'boolean' ? { ok: true, value: raw } : bad;
    case 'integer':
      return typeof raw === 'number' && Number.isInteger(raw) && raw >= v.min && raw <= v.max ? { ok: true, value: raw } : bad;
    case 'number':
      return typeof raw === 'number' && Number.isFinite(raw) && raw > v.exclusiveMin ? { ok: true, value: raw } : bad;
    case 'enum':
      return typeof raw === 'string' && allowedValues(spec, 'setting')!.includes(raw.trim()) ? { ok: true, value: raw.trim() } : bad;
    case 'string': {
      if (typeof raw !== 'string') return bad;
      const t = trimmed(raw, v.lowercase);
      if (v.nonEmpty && !t) return bad;
      if (t && v.pattern && !v.pattern.test(t)) return bad;
      return { ok: true, value: t };
    }
    case 'object':
      return typeof raw === 'object' && !Array.isArray(raw) ? { ok: true, value: raw } : bad;
  }
}
