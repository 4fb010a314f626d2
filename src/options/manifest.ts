// package.json's `contributes.configuration.properties`, written from the option records: what
// `npm run sync:settings` puts in package.json and what test/unit/options.test.ts checks it against.
import { OPTIONS } from './registry';
import { defaultOf, settingValues, type OptionSpec } from './spec';

export function settingsManifest(): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  const withSetting = (OPTIONS as readonly OptionSpec[]).filter((o) => o.setting).sort((a, b) => a.setting!.order - b.setting!.order);
  for (const o of withSetting) {
    const s = o.setting!;
    const v = o.value;
    const p: Record<string, unknown> = {};
    switch (v.type) {
      case 'string':
        p.type = 'string';
        if (v.pattern) {
          p.pattern = v.pattern.source;
          p.patternErrorMessage = `Use ${v.patternMessage}.`;
        }
        break;
      case 'integer':
        Object.assign(p, { type: 'integer', minimum: v.min, maximum: v.max });
        break;
      case 'number':
        Object.assign(p, { type: 'number', exclusiveMinimum: v.exclusiveMin });
        break;
      case 'boolean':
        p.type = 'boolean';
        break;
      case 'enum':
        Object.assign(p, { type: 'string', enum: [...settingValues(o)!] });
        if (s.enumDescriptions) p.enumDescriptions = [...s.enumDescriptions];
        break;
      case 'object':
        Object.assign(p, { type: 'object', ...v.schema });
        break;
    }
    p.default = defaultOf(o, 'setting');
    if (s.scope) p.scope = s.scope;
    p.order = s.order;
    p.markdownDescription = o.description;
    out[`transcrevai.${s.key}`] = p;
  }
  return out;
}

/** package.json's `capabilities.untrustedWorkspaces`: limited support, the restricted settings ignored there. */
export function untrustedWorkspaces(): Record<string, unknown> {
  const restricted = (OPTIONS as readonly OptionSpec[]).filter((o) => o.setting?.restricted).map((o) => `transcrevai.${o.setting!.key}`);
  return {
    supported: 'limited',
    description: `In a workspace you have not trusted, TranscrevAI ignores the workspace's ${restricted.join(', ')}: they name folders it reads models from or writes notes to.`,
    restrictedConfigurations: restricted,
  };
}
