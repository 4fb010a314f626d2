// What a user of the .vsix gets from the hub: `transcrevai download base` against a local stand-in of the hub that
// serves files made as the hub makes them (tools/models/hub_replica.py: a plain optimum export, and the hub's own
// dynamically quantized int8 and 4-bit graphs beside it). The download fetches the float graphs only, makes the
// int8 / q4 graphs here in TypeScript, and must then transcribe as well as our own build: PT-BR WER (clips one by
// one, and joined) within 0.5 point, and ≥ 98 % of the words on the AMI meeting excerpts, natively and as if on an
// AVX2-only CPU.
import { after, before, describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { decodeWithPauses, writeJoined } from '../../bench/joinAudio';
import { ptbrClips } from '../fixtures/clips';
import { cpuPersonalities } from '../fixtures/cpuPersonality';
import { hubReplicaDir } from '../fixtures/hubReplica';
import { type LocalHub, startLocalHub } from '../fixtures/localHub';
import { TESTDATA } from '../fixtures/shared';
import { wordErrorRate } from '../fixtures/whisper/helpers';
import { JFK, type ManyTranscribed, modelDir, MODELS_ROOT, ROOT, startCli, tmpDir, transcribeMany } from './helpers';

const replica = hubReplicaDir('base');
const built = modelDir('base');
const skip = !replica ? 'the hub replica of base is absent: run "npm run models"' : !built ? 'the base model is absent: run "npm run models"' : false;

const work = tmpDir('hub-download');
const models = path.join(work, 'models');
let hub: LocalHub;
let env: NodeJS.ProcessEnv;

/** The CLI, asynchronously: the local hub answers from this process's event loop. */
async function cli(args: string[], timeoutMs = 600_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const run = startCli(args, env, timeoutMs);
  const code = await run.exited;
  return { code, stdout: run.stdout(), stderr: run.stderr() };
}

describe('a model downloaded from the hub, quantized here', { skip }, () => {
  before(async () => {
    const catalog = JSON.parse(fs.readFileSync(path.join(ROOT, 'models', 'catalog.json'), 'utf8'));
    const entry = catalog.models.base;
    // The replica's bytes are not the hub's: its listing is the truth here, so the catalogue keeps paths only.
    entry.files = entry.files.map((f: string | { path: string }) => (typeof f === 'string' ? f : f.path));
    const catalogFile = path.join(work, 'catalog.json');
    fs.writeFileSync(catalogFile, JSON.stringify(catalog));
    // The models the package ships (VAD, speakers) are found in the models root in a development tree: linked in.
    fs.mkdirSync(models, { recursive: true });
    for (const shipped of ['vad', 'segmentation', 'speaker-campplus', 'speaker']) {
      if (fs.existsSync(path.join(MODELS_ROOT, shipped))) fs.symlinkSync(path.join(MODELS_ROOT, shipped), path.join(models, shipped));
    }
    hub = await startLocalHub([{ repo: entry.hf_repo, revision: entry.revision, dir: replica! }]);
    env = { HF_ENDPOINT: hub.url, NODE_EXTRA_CA_CERTS: hub.caFile, TRANSCREVAI_MODELS: models, TRANSCREVAI_CATALOG: catalogFile };
  });
  after(async () => {
    await hub?.close();
  });

  test('transcrevai download base: the float graphs fetched and verified, int8 made here, one line per step off a terminal', async () => {
    const r = await cli(['download', 'base']);
    assert.equal(r.code, 0, r.stderr);
    console.log(`# ${r.stdout.trim()}`);
    assert.match(r.stdout, /base \(int8\) installed in .*: \d+ MB received, int8 made in [\d.]+ s/);
    assert.match(r.stderr, /base: \d+ MB download → int8 made here/);
    assert.match(r.stderr, /onnx\/decoder_model_merged\.onnx \(\d\/\d\)/);
    assert.doesNotMatch(r.stderr, /\r/, 'no bar redrawn into a log');
    const fetched = hub.requests.map((q) => q.path);
    assert.ok(fetched.some((p) => p.endsWith('/onnx/decoder_model_merged.onnx')));
    assert.ok(!fetched.some((p) => /_(int8|q4|quantized)\.onnx/.test(p)), `the hub's quantized graphs are never fetched: ${fetched.join(' ')}`);
    const onnx = fs.readdirSync(path.join(models, 'base', 'onnx')).sort();
    assert.deepEqual(onnx, [
      'decoder_model_merged_int8.onnx',
      'decoder_model_merged_int8.onnx_data',
      'encoder_model_int8.onnx',
      'encoder_model_int8.onnx_data',
    ]);
    assert.ok(!fs.readdirSync(models).some((f) => f.endsWith('.partial')), 'no partial folder left');
  });

  test('a second download returns at once; q4 is added beside int8; `models` lists both', async () => {
    const again = await cli(['download', 'base']);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /already installed/);
    const q4 = await cli(['download', 'base', '--precision', 'q4']);
    assert.equal(q4.code, 0, q4.stderr);
    const list = await cli(['models']);
    assert.equal(list.code, 0, list.stderr);
    console.log(list.stdout.replace(/^/gm, '# '));
    assert.match(list.stdout, /^base\s+int8, q4\s+\d+ MB\s+383 MB/m);
    assert.match(list.stdout, /^tiny\s+no\s+-\s+hub not reached/m, 'the local hub serves base only');
    assert.doesNotMatch(list.stdout, /^vad/m, 'the shipped models are not Whisper folders of ones own');
  });

  test('transcribe with the downloaded model: jfk as with our build', async () => {
    const ours = await cli(['transcribe', JFK, '--model', built!, '--language', 'en', '--format', 'txt', '--threads', '2']);
    const theirs = await cli(['transcribe', JFK, '--model', 'base', '--language', 'en', '--format', 'txt', '--threads', '2']);
    assert.equal(theirs.code, 0, theirs.stderr);
    assert.doesNotMatch(theirs.stderr, /warning/);
    assert.equal(theirs.stdout, ours.stdout);
  });

  test("a folder of one's own holding the hub's dynamic int8 graphs: a warning names the fix, and `transcrevai quantize` makes it ours", async () => {
    // The replica as a user would have copied it by hand: float graphs and the hub's int8 graphs.
    const own = path.join(work, 'my-whisper');
    fs.mkdirSync(path.join(own, 'onnx'), { recursive: true });
    for (const f of fs.readdirSync(replica!)) if (f.endsWith('.json')) fs.copyFileSync(path.join(replica!, f), path.join(own, f));
    for (const f of ['encoder_model.onnx', 'decoder_model_merged.onnx']) fs.symlinkSync(path.join(replica!, 'onnx', f), path.join(own, 'onnx', f));
    for (const f of ['encoder_model_int8.onnx', 'decoder_model_merged_int8.onnx']) fs.copyFileSync(path.join(replica!, 'onnx', f), path.join(own, 'onnx', f));
    const args = ['transcribe', JFK, '--model', own, '--language', 'en', '--format', 'txt', '--threads', '2'];
    const before = await cli(args);
    assert.equal(before.code, 0, before.stderr);
    assert.match(
      before.stderr,
      /warning: .*encoder_model_int8\.onnx and onnx\/decoder_model_merged_int8\.onnx .* are dynamically quantized \((.*DynamicQuantizeLinear.*|.*MatMulInteger.*)\).*transcrevai quantize/,
    );
    const made = await cli(['quantize', own, '--precision', 'int8']);
    assert.equal(made.code, 0, made.stderr);
    assert.match(made.stdout, /onnx\/encoder_model_int8\.onnx_data, onnx\/encoder_model_int8\.onnx, .*decoder_model_merged_int8\.onnx written/);
    const after = await cli(args);
    assert.equal(after.code, 0, after.stderr);
    assert.doesNotMatch(after.stderr, /warning/);
    const ours = await cli(['transcribe', JFK, '--model', built!, '--language', 'en', '--format', 'txt', '--threads', '2']);
    assert.equal(after.stdout, ours.stdout);
  });

  test('PT-BR WER within 0.5 point of our build and ≥ 98 % of its meeting words, int8 and q4, on every CPU personality', async () => {
    const clips = ptbrClips();
    const joined = path.join(work, 'ptbr-joined.wav');
    writeJoined(
      joined,
      await decodeWithPauses(
        clips.map((c) => c.wav),
        1,
      ),
      'int16',
    );
    const joinedReference = clips.map((c) => c.text).join(' ');
    const amiDir = path.join(TESTDATA, 'diarization', 'ami');
    const ami = fs
      .readdirSync(amiDir)
      .filter((f) => /^(dev|trn)\d+\.wav$/.test(f))
      .sort()
      .map((f) => path.join(amiDir, f));
    const words = (t: ManyTranscribed[]) => t.reduce((s, x) => s + x.text.split(/\s+/).filter(Boolean).length, 0);
    const wer = (t: ManyTranscribed[]) => {
      let errors = 0;
      let total = 0;
      for (let i = 0; i < clips.length; i++) {
        const w = wordErrorRate(clips[i].text, t[i].text);
        errors += w.errors;
        total += w.words;
      }
      return (errors / total) * 100;
    };
    const { personalities, why } = cpuPersonalities();
    if (why) console.log(`# only native: ${why}`);
    for (const p of personalities) {
      for (const precision of ['int8', 'q4'] as const) {
        const figures: Record<string, { oneByOne: number; joined: number; words: number }> = {};
        for (const [who, model] of [
          ['ours', built!],
          ['downloaded', path.join(models, 'base')],
        ] as const) {
          const run = (files: string[], language: string) => transcribeMany({ ...process.env, ...p.env }, { files, model, precision, threads: [2], language });
          const pt = run([...clips.map((c) => c.wav), joined], 'pt');
          const meeting = run(ami, 'en');
          figures[who] = {
            oneByOne: wer(pt.slice(0, clips.length)),
            joined: wordErrorRate(joinedReference, pt[clips.length].text).wer * 100,
            words: words(meeting),
          };
        }
        const { ours, downloaded } = figures;
        console.log(
          `# ${p.name} ${precision}: PT-BR one by one ${downloaded.oneByOne.toFixed(1)} % (ours ${ours.oneByOne.toFixed(1)}), joined ` +
            `${downloaded.joined.toFixed(1)} % (ours ${ours.joined.toFixed(1)}), meeting words ${downloaded.words} (ours ${ours.words})`,
        );
        assert.ok(downloaded.oneByOne <= ours.oneByOne + 0.5, `${p.name} ${precision}: PT-BR clips ${downloaded.oneByOne} vs ${ours.oneByOne}`);
        assert.ok(downloaded.joined <= ours.joined + 0.5, `${p.name} ${precision}: PT-BR joined ${downloaded.joined} vs ${ours.joined}`);
        assert.ok(downloaded.words >= 0.98 * ours.words, `${p.name} ${precision}: meeting words ${downloaded.words} vs ${ours.words}`);
      }
    }
  });
});
