// Writes package.json's contributes.configuration.properties from the option records (src/options/registry.ts).
//   npm run sync:settings
import * as fs from 'fs';
import * as path from 'path';
import { settingsManifest } from '../src/options/manifest';

const file = path.join(__dirname, '..', 'package.json');
const pkg = JSON.parse(fs.readFileSync(file, 'utf8'));
pkg.contributes.configuration.properties = settingsManifest();
fs.writeFileSync(file, JSON.stringify(pkg, null, 2) + '\n');
console.log(`sync-settings: ${Object.keys(pkg.contributes.configuration.properties).length} settings written to package.json`);
