// Catalogue parsing/validation and user model-folder validation (no network).
import { test, describe } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { catalogPath, fileUrl, filesFor, findModel, formatBytes, hubEndpoint, knownSize, loadCatalog, modelSize, parseCatalog } from '../../src/models/catalog';
import { importModelFolder, inspectModelFolder } from '../../src/models/folder';
import { isModelInstalled, partialBytes } from '../../src/models/download';
import { TranscrevError } from '../../src/errors';
import { tmpDir, tmpTree } from '../fixtures/tmp';
import { WHISPER_MODEL_NAMES } from '../../src/models/paths';

const SHA = 'a'.repeat(64);

describe('parseCatalog', () => {
  test('array form with file objects', () => {
    const c = parseCatalog({
      models: [
        {
          name: 'base',
          baseUrl: 'https://huggingface.co/onnx-community/whisper-base/resolve/main',
          files: [
            { path: 'config.json', size: 10, sha256: SHA.toUpperCase() },
            { path: 'onnx/encoder_model_int8.onnx', size: null, sha256: null },
          ],
        },
      ],
    });
    const m = findModel(c, 'base')!;
    assert.equal(m.baseUrl, 'https://huggingface.co/onnx-community/whisper-base/resolve/main/');
    assert.deepEqual(m.files[0], { path: 'config.json', size: 10, sha256: SHA });
    assert.equal(modelSize(m), null);
    assert.equal(knownSize(m), 10);
    assert.equal(fileUrl(m, m.files[1]), 'https://huggingface.co/onnx-community/whisper-base/resolve/main/onnx/encoder_model_int8.onnx');
  });

  test('map form and string file entries', () => {
    const c = parseCatalog({ models: { tiny: { url: 'https://x/tiny/', files: ['config.json', 'tokenizer.json'] } } });
    assert.equal(c.models[0].name, 'tiny');
    assert.deepEqual(
      c.models[0].files.map((f) => f.path),
      ['config.json', 'tokenizer.json'],
    );
    assert.equal(
      modelSize({
        ...c.models[0],
        files: [
          { path: 'a', size: 1, sha256: null },
          { path: 'b', size: 2, sha256: null },
        ],
      }),
      3,
    );
  });

  test('rejects unsafe paths, bad hashes, duplicates, non-http URLs', () => {
    const base = { name: 'x', baseUrl: 'https://h/' };
    for (const bad of [
      { models: [{ ...base, files: ['../etc/passwd'] }] },
      { models: [{ ...base, files: ['/abs'] }] },
      { models: [{ ...base, files: ['a//b'] }] },
      { models: [{ ...base, files: [{ path: 'a', sha256: 'xyz' }] }] },
      { models: [{ ...base, files: [{ path: 'a', size: -1 }] }] },
      { models: [{ ...base, files: ['a', 'a'] }] },
      { models: [{ ...base, files: [] }] },
      { models: [{ name: 'x', baseUrl: 'file:///tmp/', files: ['a'] }] },
      {
        models: [
          { ...base, files: ['a'] },
          { ...base, files: ['b'] },
        ],
      },
      42,
    ]) {
      assert.throws(() => parseCatalog(bad), TranscrevError, JSON.stringify(bad));
    }
  });

  test('loadCatalog: missing file and invalid JSON give clear errors', () => {
    const dir = tmpDir('cat');
    assert.throws(() => loadCatalog(path.join(dir, 'nope.json')), /catalogue not found/);
    fs.writeFileSync(path.join(dir, 'c.json'), '{');
    assert.throws(() => loadCatalog(path.join(dir, 'c.json')), /not valid JSON/);
  });

  test('the shipped models/catalog.json (when present) parses and names the Whisper models', (t) => {
    const file = catalogPath(path.join(__dirname, '..', '..'));
    if (!fs.existsSync(file)) return t.skip('models/catalog.json not written yet');
    const c = loadCatalog(file);
    for (const name of WHISPER_MODEL_NAMES) {
      const m = findModel(c, name);
      assert.ok(m, `${name} in catalogue`);
      const paths = m.files.map((f) => f.path);
      for (const required of ['config.json', 'generation_config.json', 'tokenizer.json']) assert.ok(paths.includes(required), `${name}: ${required}`);
      assert.ok(
        paths.some((p) => /^onnx\/encoder_model.*\.onnx$/.test(p)),
        `${name}: encoder`,
      );
      assert.ok(
        paths.some((p) => /^onnx\/decoder_model_merged.*\.onnx$/.test(p)),
        `${name}: decoder`,
      );
    }
  });

  test('the shipped catalogue: every model pinned to a commit, fetched and listed over https, graphs tagged by precision', (t) => {
    const file = catalogPath(path.join(__dirname, '..', '..'));
    if (!fs.existsSync(file)) return t.skip('models/catalog.json not written yet');
    const catalog = loadCatalog(file);
    for (const m of catalog.models) {
      assert.match(m.revision ?? '', /^[0-9a-f]{40}$/, m.name);
      assert.equal(m.baseUrl, `https://huggingface.co/onnx-community/whisper-${m.name}/resolve/${m.revision}/`);
      assert.equal(m.listingUrl, `https://huggingface.co/api/models/onnx-community/whisper-${m.name}/tree/${m.revision}?recursive=true`);
    }
    // No model the product could not pin (medium: see tools/models/catalog.py).
    assert.deepEqual(
      catalog.models.map((m) => m.name),
      ['tiny', 'tiny.en', 'base', 'small', 'large-v3-turbo'],
    );
    const base = findModel(catalog, 'base')!;
    assert.deepEqual(
      filesFor(base, 'int8')
        .filter((f) => f.precision)
        .map((f) => f.path)
        .sort(),
      ['onnx/decoder_model_merged_int8.onnx', 'onnx/encoder_model_int8.onnx'],
    );
    assert.deepEqual(
      filesFor(base, 'fp32')
        .filter((f) => f.precision)
        .map((f) => f.path)
        .sort(),
      ['onnx/decoder_model_merged.onnx', 'onnx/encoder_model.onnx'],
    );
    assert.equal(filesFor(base).length, base.files.length);
    assert.ok(filesFor(base, 'int8').some((f) => f.path === 'tokenizer.json'));
  });

  test('a hub model needs a commit, not a branch; download URLs must be https', () => {
    const files = ['config.json'];
    assert.throws(() => parseCatalog({ models: { x: { hf_repo: 'o/x', revision: 'main', files } } }), /revision must be a 40-hex commit/);
    assert.throws(() => parseCatalog({ models: { x: { base_url: 'http://example.com/x/', files } } }), /baseUrl must be an https URL/);
    const c = parseCatalog({ models: { x: { hf_repo: 'o/x', revision: 'a'.repeat(40), files } } });
    assert.equal(c.models[0].baseUrl, `https://huggingface.co/o/x/resolve/${'a'.repeat(40)}/`);
  });

  test('HF_ENDPOINT: a mirror of the hub replaces it in every URL, with the same pinned commit; https only', () => {
    const files = ['config.json'];
    assert.equal(hubEndpoint({}), 'https://huggingface.co');
    assert.equal(hubEndpoint({ HF_ENDPOINT: ' https://hf-mirror.example/ ' }), 'https://hf-mirror.example');
    const c = parseCatalog({ models: { x: { hf_repo: 'o/x', revision: 'a'.repeat(40), files } } }, hubEndpoint({ HF_ENDPOINT: 'https://127.0.0.1:8443/hub/' }));
    assert.equal(c.models[0].baseUrl, `https://127.0.0.1:8443/hub/o/x/resolve/${'a'.repeat(40)}/`);
    assert.equal(c.models[0].listingUrl, `https://127.0.0.1:8443/hub/api/models/o/x/tree/${'a'.repeat(40)}?recursive=true`);
    assert.throws(() => hubEndpoint({ HF_ENDPOINT: 'http://hf-mirror.example' }), /HF_ENDPOINT must be an https URL/);
    assert.throws(() => hubEndpoint({ HF_ENDPOINT: 'hf-mirror.example' }), /HF_ENDPOINT must be an https URL/);
  });

  test('precision from file names when the catalogue has no layout', () => {
    const c = parseCatalog({
      models: {
        m: { url_base: 'https://h/', files: ['config.json', 'onnx/encoder_model_int8.onnx', 'onnx/encoder_model.onnx', 'onnx/encoder_model_fp16.onnx'] },
      },
    });
    assert.deepEqual(
      c.models[0].files.map((f) => f.precision),
      [undefined, 'int8', 'fp32', undefined],
    );
    assert.deepEqual(
      filesFor(c.models[0], 'int8').map((f) => f.path),
      ['config.json', 'onnx/encoder_model_int8.onnx', 'onnx/encoder_model_fp16.onnx'],
    );
  });

  test('description built from the catalogue facts', () => {
    const c = parseCatalog({ models: { 'tiny.en': { url_base: 'https://h/', multilingual: false, params_millions: 39, files: ['a'] } } });
    assert.equal(c.models[0].description, '39M parameters · English only');
  });

  test('formatBytes', () => {
    assert.equal(formatBytes(512), '512 B');
    assert.equal(formatBytes(145 * 1024 * 1024), '145 MB');
    assert.equal(formatBytes(1.5 * 1024 ** 3), '1.50 GB');
  });
});

const makeFolder = (files: string[]) => tmpTree('model', files);

describe('importModelFolder', () => {
  const text = ['config.json', 'generation_config.json', 'tokenizer.json', 'preprocessor_config.json'];

  test('complete int8 + fp32 folder', () => {
    const dir = makeFolder([
      ...text,
      'onnx/encoder_model_int8.onnx',
      'onnx/decoder_model_merged_int8.onnx',
      'onnx/encoder_model.onnx',
      'onnx/decoder_model_merged.onnx',
    ]);
    const info = importModelFolder(dir);
    assert.deepEqual(info.precisions, ['int8', 'fp32']);
    assert.equal(info.hasPreprocessorConfig, true);
    assert.equal(info.dir, dir);
  });

  test('fp32 only is accepted and says so', () => {
    const dir = makeFolder([...text.slice(0, 3), 'onnx/encoder_model.onnx', 'onnx/decoder_model_merged.onnx']);
    assert.deepEqual(importModelFolder(dir).precisions, ['fp32']);
  });

  test('lists everything missing in one error', () => {
    const dir = makeFolder(['config.json', 'onnx/encoder_model_int8.onnx']);
    assert.throws(
      () => importModelFolder(dir),
      (err: unknown) => {
        assert.ok(err instanceof TranscrevError);
        assert.equal(err.kind, 'model');
        const listed = /missing (.*?)\. Expected/.exec(err.message)?.[1].split(', ');
        assert.deepEqual(listed, ['generation_config.json', 'tokenizer.json', 'onnx/decoder_model_merged*.onnx']);
        return true;
      },
    );
  });

  test('mismatched pair (int8 encoder, fp16 decoder) is reported', () => {
    const dir = makeFolder([...text, 'onnx/encoder_model_int8.onnx', 'onnx/decoder_model_merged_fp16.onnx']);
    assert.throws(() => importModelFolder(dir), /a matching pair/);
  });

  test('not a folder', () => {
    assert.throws(() => importModelFolder(path.join(os.tmpdir(), 'does-not-exist-transcrevai')), /Model folder not found/);
  });

  test('inspectModelFolder does not throw', () => {
    const { missing } = inspectModelFolder(makeFolder([]));
    assert.equal(missing.length, 5);
  });
});

describe('installed / partial state', () => {
  const model = {
    name: 'tiny',
    baseUrl: 'https://h/',
    files: [
      { path: 'config.json', size: 1, sha256: null },
      { path: 'onnx/encoder_model_int8.onnx', size: 10, sha256: null },
    ],
  };
  test('installed only when every file is in <root>/<name>', () => {
    const root = tmpDir('root');
    assert.equal(isModelInstalled(model, root), false);
    fs.mkdirSync(path.join(root, 'tiny', 'onnx'), { recursive: true });
    fs.writeFileSync(path.join(root, 'tiny', 'config.json'), 'x');
    assert.equal(isModelInstalled(model, root), false);
    fs.writeFileSync(path.join(root, 'tiny', 'onnx', 'encoder_model_int8.onnx'), 'y'.repeat(10));
    assert.equal(isModelInstalled(model, root), true);
  });
  test('a loadable folder with another file set (e.g. built locally) also counts as installed', () => {
    const root = tmpDir('root');
    for (const f of ['config.json', 'generation_config.json', 'tokenizer.json', 'onnx/encoder_model.onnx', 'onnx/decoder_model_merged.onnx']) {
      fs.mkdirSync(path.dirname(path.join(root, 'tiny', f)), { recursive: true });
      fs.writeFileSync(path.join(root, 'tiny', f), 'x');
    }
    assert.equal(isModelInstalled(model, root), true);
  });
  test('partialBytes counts finished files and .part files', () => {
    const root = tmpDir('root');
    assert.equal(partialBytes(model, root), 0);
    fs.mkdirSync(path.join(root, 'tiny.partial', 'onnx'), { recursive: true });
    fs.writeFileSync(path.join(root, 'tiny.partial', 'config.json'), 'x');
    fs.writeFileSync(path.join(root, 'tiny.partial', 'onnx', 'encoder_model_int8.onnx.part'), 'abcd');
    assert.equal(partialBytes(model, root), 5);
  });
});

test('the shipped catalogue: each precision downloads its own two graphs (q4 included) plus the shared configs', () => {
  const catalog = loadCatalog(catalogPath(path.resolve(__dirname, '../..')));
  const base = findModel(catalog, 'base')!;
  const graphs = (p: 'int8' | 'q4' | 'fp32') =>
    filesFor(base, p)
      .filter((f) => f.path.startsWith('onnx/'))
      .map((f) => f.path);
  assert.deepEqual(graphs('q4'), ['onnx/encoder_model_q4.onnx', 'onnx/decoder_model_merged_q4.onnx']);
  assert.deepEqual(graphs('int8'), ['onnx/encoder_model_int8.onnx', 'onnx/decoder_model_merged_int8.onnx']);
  assert.deepEqual(graphs('fp32'), ['onnx/encoder_model.onnx', 'onnx/decoder_model_merged.onnx']);
  for (const p of ['int8', 'q4', 'fp32'] as const) assert.ok(filesFor(base, p).some((f) => f.path === 'tokenizer.json'));
});

test('a local build with external weights (onnx/*.onnx_data) is a complete folder of every precision it holds', () => {
  const dir = tmpDir('model-folder-external');
  for (const f of ['config.json', 'generation_config.json', 'tokenizer.json', 'preprocessor_config.json']) fs.writeFileSync(path.join(dir, f), '{}');
  fs.mkdirSync(path.join(dir, 'onnx'));
  for (const g of ['encoder_model_q4', 'decoder_model_merged_q4', 'encoder_model', 'decoder_model_merged']) {
    fs.writeFileSync(path.join(dir, 'onnx', `${g}.onnx`), 'x');
    fs.writeFileSync(path.join(dir, 'onnx', `${g}.onnx_data`), 'x');
  }
  const { info, missing } = inspectModelFolder(dir);
  assert.deepEqual(missing, []);
  assert.deepEqual(info.precisions, ['q4', 'fp32']);
});

test('a model name outside the catalogue is found in the models folder (a folder put there by hand), else named as missing', async () => {
  const { resolveModelDir } = await import('../../src/models/paths');
  const root = tmpDir('models-root');
  assert.throws(
    () => resolveModelDir('medium', root),
    /Model "medium" is not installed \(looked in .*medium\) and is not in the catalogue: use one of tiny, tiny\.en, base, small, large-v3-turbo/,
  );
  fs.mkdirSync(path.join(root, 'medium'));
  assert.equal(resolveModelDir('medium', root), path.join(root, 'medium'));
  assert.throws(() => resolveModelDir('base', root), /Model "base" is not installed .*Download it from VS Code/);
});
