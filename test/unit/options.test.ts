// The option records (src/options/registry.ts) are the one declaration of every option: the CLI parser and
// help, the settings reader and package.json's settings are derived from them. These checks keep the derived
// copies honest and the records themselves consistent.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import pkg from '../../package.json';
import { usage } from '../../src/cli/help';
import { parseCli } from '../../src/cli/arguments';
import { DEFAULT_SETTINGS, readSettings } from '../../src/extension/settings';
import { settingsManifest, untrustedWorkspaces } from '../../src/options/manifest';
import { OPTIONS } from '../../src/options/registry';
import { checkCliValue, checkSettingValue, defaultOf, type OptionSpec } from '../../src/options/spec';

const records = OPTIONS as readonly OptionSpec[];

test('package.json declares exactly the settings of the option records (npm run sync:settings writes them)', () => {
  assert.deepEqual(pkg.contributes.configuration.properties, settingsManifest());
});

test('an untrusted workspace cannot set the model or the meetings folder (package.json restricts them)', () => {
  const declared = (pkg as { capabilities?: { untrustedWorkspaces?: unknown } }).capabilities?.untrustedWorkspaces;
  assert.deepEqual(declared, untrustedWorkspaces());
  const restricted = (declared as { restrictedConfigurations: string[] }).restrictedConfigurations;
  for (const key of ['transcrevai.model', 'transcrevai.dictation.model', 'transcrevai.meetings.folder']) assert.ok(restricted.includes(key), key);
  // Paths of programs and of the models folder are machine settings: no workspace sets them, trusted or not.
  const props = pkg.contributes.configuration.properties as Record<string, { scope?: string }>;
  for (const key of ['transcrevai.ffmpegPath', 'transcrevai.modelsPath']) assert.equal(props[key].scope, 'machine', key);
});

test('flags, short flags, setting keys and record keys are each unique', () => {
  const unique = (xs: (string | undefined)[]) => {
    const present = xs.filter(Boolean);
    assert.equal(new Set(present).size, present.length, present.join(' '));
  };
  unique(records.map((o) => o.key));
  unique(records.map((o) => o.cli?.flag));
  unique(records.map((o) => o.cli?.short));
  unique(records.map((o) => o.setting?.key));
});

test('every command-line option is in the help, with its default', () => {
  const text = usage();
  for (const o of records.filter((r) => r.cli)) {
    assert.match(text, new RegExp(`--${o.cli!.flag}\\b`), o.key);
    const d = defaultOf(o, 'cli');
    if (typeof d === 'string' && d) assert.match(text, new RegExp(`--${o.cli!.flag}[^\\n]*\\(default: ${d}\\)`), o.key);
  }
});

test('every default passes its own record', () => {
  for (const o of records) {
    if (o.setting) assert.equal(checkSettingValue(o, defaultOf(o, 'setting')).ok, true, o.key);
    const d = defaultOf(o, 'cli');
    if (o.cli && d !== undefined && o.value.type !== 'boolean') assert.equal(checkCliValue(o, String(d)).ok, true, o.key);
  }
});

test('the settings reader and the CLI parser read the same records: defaults and invalid values', () => {
  assert.equal(DEFAULT_SETTINGS.language, 'pt');
  assert.equal(DEFAULT_SETTINGS.beamSize, 1);
  const c = parseCli(['transcribe', 'x.wav'], '/');
  assert.ok(c.kind === 'transcribe');
  if (c.kind !== 'transcribe') return;
  assert.equal(c.params.language, DEFAULT_SETTINGS.language);
  assert.equal(c.params.precision, DEFAULT_SETTINGS.precision);
  assert.equal(c.format, DEFAULT_SETTINGS.outputFormat);
  const { settings, problems } = readSettings({
    get: <T>(k: string) => (({ beamSize: 99, precision: 'int4', 'audio.recorder': 'sox' }) as Record<string, unknown>)[k] as T | undefined,
  });
  assert.equal(settings.beamSize, 1);
  assert.equal(settings.precision, 'int8');
  assert.equal(settings.audioRecorder, 'sox');
  assert.equal(problems.length, 2);
  assert.throws(() => parseCli(['transcribe', 'x', '--beam-size', '11']), /--beam-size must be a whole number from 1 to 10/);
  assert.throws(() => parseCli(['transcribe', 'x', '--device', 'hw:0']), /--device is not an option of "transcribe"/);
});
