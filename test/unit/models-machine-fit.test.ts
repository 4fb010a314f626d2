// Which model the picker and the first-run dialog recommend (src/models/machineFit.ts, issue #27): the most accurate
// for the language whose measured peak fits the memory free, never one that was not measured.
import { test, describe } from 'node:test';
import * as assert from 'node:assert/strict';
import type { CatalogModel } from '../../src/models/catalog';
import { availableMemoryMB, costLabel, MEASURED, recommendModel } from '../../src/models/machineFit';

const model = (name: string, multilingual = true): CatalogModel => ({ name, multilingual, baseUrl: 'https://hub.example/', files: [] });
const CATALOGUE = [model('tiny'), model('tiny.en', false), model('base'), model('small'), model('medium'), model('large-v3-turbo')];
const pick = (language: string, precision: 'int8' | 'q4' | 'fp32', freeMB: number) => recommendModel(CATALOGUE, language, precision, freeMB)?.model.name;

describe('recommendModel', () => {
  test('the most accurate model whose measured peak fits, for each amount of free memory', () => {
    assert.equal(pick('pt', 'q4', 8000), 'large-v3-turbo');
    assert.equal(pick('pt', 'q4', MEASURED['large-v3-turbo'].q4!.peakMB - 1), 'small', 'turbo q4 just does not fit; medium needs more');
    assert.equal(pick('pt', 'int8', 1500), 'large-v3-turbo', 'turbo int8 (1.3 GB) fits where medium int8 (1.9 GB) does not');
    assert.equal(pick('pt', 'int8', 1000), 'base');
    assert.equal(pick('pt', 'int8', 300), undefined, 'nothing measured fits');
  });

  test('an English-only model only for English, ranked above its multilingual twin', () => {
    assert.equal(pick('en', 'int8', 400), 'tiny.en', 'base (437 MB) does not fit; tiny.en beats tiny, which was not measured');
    assert.equal(pick('pt', 'int8', 400), undefined, 'tiny.en cannot do Portuguese');
    assert.equal(pick('auto', 'int8', 400), undefined, 'nor a language still to be detected');
  });

  test('a precision without a measurement is never guessed', () => {
    assert.equal(pick('pt', 'fp32', 100_000), 'base', 'only base was measured at fp32');
  });

  test('the cost says what was measured; a stand-in time is a floor', () => {
    assert.equal(costLabel({ peakMB: 437, rtf: 0.049, standIn: false }), 'needs ≈ 437 MB, 3 min per hour of audio on 2 cores of an Intel Xeon');
    assert.equal(costLabel({ peakMB: 1692, rtf: 0.229, standIn: true }), 'needs ≈ 1.7 GB, at least 14 min per hour of audio on 2 cores of an Intel Xeon');
  });
});

describe('availableMemoryMB', () => {
  test("Linux's MemAvailable, not MemFree (the page cache can be dropped)", () => {
    const meminfo = 'MemTotal:       24684060 kB\nMemFree:         1048576 kB\nMemAvailable:   20971520 kB\nBuffers:  1 kB\n';
    assert.equal(availableMemoryMB(meminfo), 20480);
  });

  test('elsewhere os.freemem()', () => {
    const mb = availableMemoryMB('');
    assert.ok(mb > 0 && Number.isInteger(mb));
  });
});
