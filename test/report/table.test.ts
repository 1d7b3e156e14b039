import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { jsonRows, renderMarkdownTable } from '../../src/report/table.js';
import { buildRow, type ComparedWith } from '../../src/report/rows.js';
import { expandSpec } from '../../src/spec/load.js';
import type { ResultPayload } from '../../src/result/types.js';

const payload = (name: string, seed: number): ResultPayload => ({
  format: 1, name, title: name, profile: 'smoke', backend: 'tensorflow', seed, specFingerprint: 'f', datasetSha256: 'd', trainSize: 100, testSize: 100,
  epochs: [{ epoch: 1, trainLoss: 1, trainAcc: 80, testLoss: 0.2, testAcc: 90, lr: 0.01 }],
  best: { bestTrainAcc: 80, bestTestAcc: 90, bestTestLoss: 0.2 }, misclassified: { epoch: 1, count: 10, samples: [] }, weightsSha256: 'w',
});

function row(name: string, compared: ComparedWith[]) {
  const specs = expandSpec(`specs/${name}.json`, { name, title: name.toUpperCase(), model: { norm: 'batch' }, seeds: compared.map((_, i) => i + 1) }, 'smoke').specs;
  return buildRow(specs.map((spec, i) => ({ spec, payload: payload(spec.name, spec.seed), source: 'results' as const, comparedWith: compared[i] })));
}

test('a row says what verify compares it with: own golden, the reference golden (†, also when only some seeds), none (‡)', () => {
  const rows = [row('own', ['own golden']), row('cross', ['reference golden']), row('some', ['own golden', 'reference golden']), row('none', ['no golden'])];
  assert.equal(rows.map((r) => r.comparedWith), ['own golden', 'reference golden', 'mixed', 'no golden']);
  const md = renderMarkdownTable('smoke', rows);
  assert.match(md, '| OWN | BatchNorm');
  assert.match(md, '| CROSS † | BatchNorm');
  assert.match(md, '| SOME † | BatchNorm');
  assert.match(md, '| NONE ‡ | BatchNorm');
  assert.match(md, "† some or all of the row's seeds are results of backend tensorflow without a golden of their own: verify compares those with the wasm goldens within the cross-backend bands");
  assert.match(md, '‡ results without any golden: not compared.');
  assert.equal(jsonRows(rows).map((r) => (r as { comparedWith: string }).comparedWith), ['own golden', 'reference golden', 'mixed', 'no golden']);
  // a table of own goldens only carries no marks and no footnotes
  const plain = renderMarkdownTable('smoke', [rows[0]]);
  assert.not.match(plain, '†');
  assert.not.match(plain, '‡');
});

test.run();
