// Writes package.json's contributes.configuration.properties and capabilities.untrustedWorkspaces from the option records (src/options/registry.ts).
//   npm run sync:settings
import * as fs from 'fs';
import * as path from 'path';
import { settingsManifest, untrustedWorkspaces } from '../src/options/manifest';

const file = path.join(__dirname, '..', 'package.json');
const pkg = JSON.parse(fs.readFileSync(file, 'utf8'));
pkg.contributes.configuration.properties = settingsManifest();
pkg.capabilities = { ...pkg.capabilities, untrustedWorkspaces: untrustedWorkspaces() };
fs.writeFileSync(file, JSON.stringify(pkg, null, 2) + '\n');
console.log(`sync-settings: ${Object.keys(pkg.contributes.configuration.properties).length} settings written to package.json`);
