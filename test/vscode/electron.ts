// For contributors with internet: the same suite in a desktop VS Code that @vscode/test-electron downloads
// (CI machines cannot reach the update server; they run test/vscode/run.ts on code-server instead). The UI checks
// that run.ts makes from the browser are not made here: the suite's own assertions are.
//   node --import tsx test/vscode/electron.ts
import { runTests } from '@vscode/test-electron';
import * as path from 'path';
import { startVirtualMic } from '../fixtures/virtualMic';
import { buildSuite, prepareWorkspace } from './workspace';

async function main(): Promise<void> {
  const mic = startVirtualMic();
  if (typeof mic === 'string') throw new Error(mic);
  const suiteDir = buildSuite();
  const { ws, userDataDir } = prepareWorkspace();
  try {
    await runTests({
      extensionDevelopmentPath: path.resolve(__dirname, '..', '..'),
      extensionTestsPath: path.join(suiteDir, 'index'),
      extensionTestsEnv: { XDG_RUNTIME_DIR: mic.env.XDG_RUNTIME_DIR, PULSE_RUNTIME_PATH: mic.env.PULSE_RUNTIME_PATH },
      launchArgs: [ws, `--user-data-dir=${userDataDir}`, '--disable-workspace-trust', '--skip-welcome'],
    });
  } finally {
    mic.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
