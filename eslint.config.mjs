// Lint rules of the project (run by `npm run lint`, which the test command runs): typescript-eslint's
// recommended set, plus the house rules the code follows — type-only imports where only types are used, no
// floating promises in the places we can see without type information, and the layering of the folders.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const ONLY_THE_EXTENSION_IMPORTS_VSCODE = { name: 'vscode', message: 'Only src/extension imports vscode.' };

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'dist-vsix/**',
      'out/**',
      'bench/results/**',
      'media/panel.js',
      'node_modules/**',
      'test-artifacts/**',
      'tools/**',
      'bench/.venv/**',
      'bench/.venv-pyannote/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2022, sourceType: 'module' },
    rules: {
      '@typescript-eslint/consistent-type-imports': ['error', { prefer: 'type-imports', fixStyle: 'inline-type-imports', disallowTypeAnnotations: false }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // require() is how the CLI loads onnxruntime lazily (help and status start without it).
      '@typescript-eslint/no-require-imports': 'off',
      'no-empty': ['error', { allowEmptyCatch: true }],
    },
  },
  {
    // Only the extension host imports vscode.
    files: ['src/**'],
    ignores: ['src/extension/**'],
    rules: { 'no-restricted-imports': ['error', { paths: [ONLY_THE_EXTENSION_IMPORTS_VSCODE] }] },
  },
  {
    // Libraries never import the wire protocol; only the processes and the extension speak it. After the block above,
    // whose rule it replaces for these files (ESLint does not merge a rule's options), so it repeats the vscode path.
    files: [
      'src/audio/**',
      'src/whisper/**',
      'src/diarization/**',
      'src/models/**',
      'src/output/**',
      'src/dsp/**',
      'src/options/**',
      'src/quantize/**',
      'src/onnx/**',
      'src/*.ts',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [ONLY_THE_EXTENSION_IMPORTS_VSCODE],
          patterns: [{ group: ['**/protocol/*'], message: 'Libraries use src/vocabulary.ts; only engine/, workers/, extension/ and cli/ import protocol/.' }],
        },
      ],
    },
  },
  {
    files: ['esbuild.js'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { require: 'readonly', module: 'writable', __dirname: 'readonly', process: 'readonly', console: 'readonly' },
    },
  },
  {
    files: ['scripts/**/*.mjs'],
    languageOptions: { sourceType: 'module', globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
);
