// Catalogue parsing/validation and user model-folder validation (no network).
import { test, describe } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  catalogPath,
  fileUrl,
  findModel,
  formatBytes,
  hubEndpoint,
  isMadeLocally,
  knownSize,
  loadCatalog,
  modelSize,
  parseCatalog,
  sourceFiles,
} from '../../src/models/catalog';
import { importModelFolder, inspectModelFolder } from '../../src/models/folder';
import { TranscrevError } from '../../src/errors';
import { tmpDir, tmpTree } from '../fixtures/tmp';
import { WHISPER_MODEL_NAMES } from '../../src/models/paths';

const SHA = 'a'.repeat(64);
const ROOT = path.join(__dirname, '..', '..');
/** models/catalog.json as written by tools/models/catalog.py (the keys src/models/catalog.ts ignores included). */
type RawModel = { hf_repo: string; revision: string; files: { path: string }[]; proof?: unknown; proof_notes?: string } & Record<string, unknown>;
const raw = (): { layout: Record<string, unknown>; models: Record<string, RawModel> } => JSON.parse(fs.readFileSync(catalogPath(ROOT), 'utf8'));
/** The hub's own quantized graphs (onnx-community and Xenova names): never in a download. */
const HUB_QUANTIZED = /_(int8|uint8|q4|q4f16|bnb4|quantized|fp16)\.onnx/;

describe('parseCatalog', () => {
  test('array form with file objects', () => {
    const c = parseCatalog({
      models: [
        {
          name: 'base',
          baseUrl: 'https://huggingface.co/onnx-community/whisper-base/resolve/main',
          files: [
            { path: 'config.json', size: 10, sha256: SHA.toUpperCase() },
            { path: 'onnx/encoder_model.onnx', size: null, sha256: null },
          ],
        },
      ],
    });
    const m = findModel(c, 'base')!;
    assert.equal(m.baseUrl, 'https://huggingface.co/onnx-community/whisper-base/resolve/main/');
    assert.deepEqual(m.files[0], { path: 'config.json', size: 10, sha256: SHA });
    assert.equal(modelSize(m), null);
    assert.equal(knownSize(m), 10);
    assert.equal(fileUrl(m, m.files[1]), 'https://huggingface.co/onnx-community/whisper-base/resolve/main/onnx/encoder_model.onnx');
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

  test('the shipped models/catalog.json parses and names the Whisper models, each with the files src/whisper loads', () => {
    const c = loadCatalog(catalogPath(ROOT));
    assert.ok(WHISPER_MODEL_NAMES.length >= 6);
    for (const name of WHISPER_MODEL_NAMES) {
      const m = findModel(c, name);
      assert.ok(m, `${name} in catalogue`);
      const paths = m.files.map((f) => f.path);
      for (const required of ['config.json', 'generation_config.json', 'tokenizer.json']) assert.ok(paths.includes(required), `${name}: ${required}`);
      assert.ok(paths.includes('onnx/encoder_model.onnx'), `${name}: fp32 encoder`);
      assert.ok(paths.includes('onnx/decoder_model_merged.onnx'), `${name}: fp32 merged decoder`);
    }
  });

  test('the shipped catalogue: every model pinned to a 40-hex commit of its repository, fetched and listed over https', () => {
    const catalog = loadCatalog(catalogPath(ROOT));
    const json = raw();
    for (const m of catalog.models) {
      const { hf_repo: repo } = json.models[m.name];
      assert.match(m.revision ?? '', /^[0-9a-f]{40}$/, m.name);
      assert.match(repo, /^(onnx-community|Xenova)\/whisper-/, m.name);
      assert.equal(m.baseUrl, `https://huggingface.co/${repo}/resolve/${m.revision}/`);
      assert.equal(m.listingUrl, `https://huggingface.co/api/models/${repo}/tree/${m.revision}?recursive=true`);
    }
    assert.deepEqual(
      catalog.models.map((m) => m.name),
      ['tiny', 'tiny.en', 'base', 'small', 'medium', 'large-v3-turbo'],
    );
  });

  test('the shipped catalogue lists only float graphs: the hub quantized files (*_int8, *_q4, *_quantized, ...) are never downloaded', () => {
    const catalog = loadCatalog(catalogPath(ROOT));
    for (const m of catalog.models) {
      const graphs = m.files.map((f) => f.path).filter((p) => p.startsWith('onnx/'));
      for (const g of graphs) {
        assert.doesNotMatch(g, HUB_QUANTIZED, `${m.name}: ${g}`);
        assert.match(g, /^onnx\/(encoder_model|decoder_model_merged)\.onnx(_data(_\d+)?)?$/, `${m.name}: ${g}`);
      }
      // Every listed graph is fp32 and every listed file is fetched, whatever precision the user picks.
      for (const f of m.files.filter((f) => /\.onnx$/.test(f.path))) assert.equal(f.precision, 'fp32', `${m.name}: ${f.path}`);
      assert.deepEqual(sourceFiles(m), m.files, m.name);
    }
    const layout = raw().layout;
    assert.deepEqual(layout.fp32, ['onnx/encoder_model.onnx', 'onnx/decoder_model_merged.onnx']);
    for (const f of layout.files as string[]) assert.doesNotMatch(f, HUB_QUANTIZED, f);
    assert.match(String(layout.description), /made locally from fp32/);
    assert.ok(isMadeLocally('int8') && isMadeLocally('q4') && !isMadeLocally('fp32'));
  });

  test('the shipped catalogue: every pin has proof pages on huggingface.co naming its repository and its commit', () => {
    for (const [name, m] of Object.entries(raw().models)) {
      assert.ok(Array.isArray(m.proof) && m.proof.length > 0, `${name}: proof`);
      const proof = m.proof as string[];
      for (const url of proof) assert.match(url, /^https:\/\/huggingface\.co\/[\w.-]+\/[\w.-]+(\/|$)/, `${name}: ${url}`);
      assert.ok(
        proof.some((url) => url.startsWith(`https://huggingface.co/${m.hf_repo}/`)),
        `${name}: a proof page of ${m.hf_repo}`,
      );
      // The pages show a commit by its 7-hex prefix (tree pages) or in full (commit pages); the notes say which.
      assert.ok(
        proof.some((url) => url.includes(m.revision)) || (m.proof_notes ?? '').includes(m.revision.slice(0, 7)),
        `${name}: the proof names ${m.revision}`,
      );
    }
  });

  test('the shipped catalogue: medium (Xenova/whisper-medium, float weights) and large-v3-turbo facts', () => {
    const json = raw();
    const medium = json.models.medium;
    assert.ok(medium, 'medium in catalogue');
    assert.equal(medium.hf_repo, 'Xenova/whisper-medium');
    assert.equal(medium.revision, '3f34831d54f304eac1426ff97b3f631d3f6d766a');
    assert.equal(medium.multilingual, true);
    assert.equal(medium.num_mel_bins, 80);
    assert.equal(medium.vocab_size, 51865);
    assert.equal(medium.params_millions, 769);
    assert.equal(medium.decoder_layers, 24);
    const turbo = json.models['large-v3-turbo'];
    assert.equal(turbo.num_mel_bins, 128);
    assert.equal(turbo.vocab_size, 51866);
    assert.equal(turbo.decoder_layers, 4);
    for (const name of ['tiny', 'base', 'small']) assert.equal(json.models[name].vocab_size, 51865, name);
    assert.equal(json.models['tiny.en'].vocab_size, 51864);
    assert.equal(json.models['tiny.en'].multilingual, false);
    const c = loadCatalog(catalogPath(ROOT));
    assert.equal(findModel(c, 'medium')!.paramsMillions, 769);
    assert.equal(findModel(c, 'medium')!.multilingual, true);
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
    // A download fetches the files of no precision and the fp32 graphs; int8 is made from fp32 here.
    assert.deepEqual(
      sourceFiles(c.models[0]).map((f) => f.path),
      ['config.json', 'onnx/encoder_model.onnx', 'onnx/encoder_model_fp16.onnx'],
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
  // download.ts is loaded where it is used: the catalogue tests above do not depend on it.
  const download = () => import('../../src/models/download');
  const model = {
    name: 'tiny',
    baseUrl: 'https://h/',
    files: [
      { path: 'config.json', size: 1, sha256: null },
      { path: 'onnx/encoder_model.onnx', size: 10, sha256: null, precision: 'fp32' as const },
    ],
  };
  const write = (root: string, files: string[]) => {
    for (const f of files) {
      fs.mkdirSync(path.dirname(path.join(root, 'tiny', f)), { recursive: true });
      fs.writeFileSync(path.join(root, 'tiny', f), 'x');
    }
  };
  test('installed when <root>/<name> is a loadable Whisper folder, for the precisions it holds', async () => {
    const { isModelInstalled } = await download();
    const root = tmpDir('root');
    assert.equal(isModelInstalled(model, root), false);
    write(root, ['config.json']);
    assert.equal(isModelInstalled(model, root), false);
    write(root, ['generation_config.json', 'tokenizer.json', 'onnx/encoder_model.onnx', 'onnx/decoder_model_merged.onnx']);
    assert.equal(isModelInstalled(model, root), true);
    assert.equal(isModelInstalled(model, root, 'fp32'), true);
    // int8 is made from the float graphs on this machine: not installed until made.
    assert.equal(isModelInstalled(model, root, 'int8'), false);
  });
  test('partialBytes counts finished files and .part files of what a download fetches', async () => {
    const { partialBytes } = await download();
    const root = tmpDir('root');
    assert.equal(partialBytes(model, root), 0);
    fs.mkdirSync(path.join(root, 'tiny.partial', 'onnx'), { recursive: true });
    fs.writeFileSync(path.join(root, 'tiny.partial', 'config.json'), 'x');
    fs.writeFileSync(path.join(root, 'tiny.partial', 'onnx', 'encoder_model.onnx.part'), 'abcd');
    assert.equal(partialBytes(model, root), 5);
  });
});

test('the shipped catalogue: every precision downloads the same files, the shared configs and the two fp32 graphs', () => {
  const catalog = loadCatalog(catalogPath(ROOT));
  for (const m of catalog.models) {
    const graphs = sourceFiles(m)
      .filter((f) => f.path.startsWith('onnx/'))
      .map((f) => f.path);
    assert.deepEqual(graphs, ['onnx/encoder_model.onnx', 'onnx/decoder_model_merged.onnx'], m.name);
    assert.ok(
      sourceFiles(m).some((f) => f.path === 'tokenizer.json'),
      m.name,
    );
    // Sizes only where a page shows the exact bytes of the pinned commit (none does): the hub's listing gives them.
    assert.equal(modelSize(m), null, m.name);
    assert.equal(knownSize(m), 0, m.name);
  }
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
    () => resolveModelDir('large-v2', root),
    /Model "large-v2" is not installed \(looked in .*large-v2\) and is not in the catalogue: use one of tiny, tiny\.en, base, small, medium, large-v3-turbo/,
  );
  fs.mkdirSync(path.join(root, 'large-v2'));
  assert.equal(resolveModelDir('large-v2', root), path.join(root, 'large-v2'));
  for (const name of ['base', 'medium']) {
    assert.throws(() => resolveModelDir(name, root), new RegExp(`Model "${name}" is not installed .*Download it from VS Code`));
  }
});
