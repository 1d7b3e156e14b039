import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { comparePayload, toleranceFor } from '../../src/verify/compare.js';
import { decideGoldenAction, defaultUpdateMode } from '../../src/verify/update.js';
import { resolveSpec } from '../../src/spec/load.js';
import type { ResultPayload } from '../../src/result/types.js';

const spec = resolveSpec('specs/bn.json', { name: 'bn', title: 'BN', model: { norm: 'batch' } }, 'smoke').spec!;
const payload = (): ResultPayload => ({
  format: 1, name: 'bn', title: 'BN', profile: 'smoke', backend: 'wasm', seed: 1, specFingerprint: 'f', datasetSha256: 'd',
  trainSize: 10, testSize: 10,
  epochs: [{ epoch: 1, trainLoss: 1.5, trainAcc: 50, testLoss: 1.2, testAcc: 60, lr: 0.01 }],
  best: { bestTrainAcc: 50, bestTestAcc: 60, bestTestLoss: 1.2 },
  misclassified: { epoch: 1, count: 4, samples: [{ index: 3, actual: 1, predicted: 7 }] }, weightsSha256: 'w',
});

test('identical payloads: no differences', () => {
  assert.equal(comparePayload(payload(), payload(), spec), []);
});

test('exact by default on wasm: a 1e-9 change is a difference, as is the weights hash', () => {
  const a = payload();
  a.epochs[0].testLoss += 1e-9;
  a.weightsSha256 = 'x';
  const d = comparePayload(a, payload(), spec);
  assert.equal(d.map((x) => x.pointer), ['/epochs/0/testLoss', '/weightsSha256']);
});

test('tolerances: per backend, per metric, per backend and metric (most specific wins)', () => {
  const t = resolveSpec('specs/bn.json', { name: 'bn', title: 'BN', model: { norm: 'batch' },
    tolerances: { metrics: { testLoss: { abs: 0.2 } }, backends: { 'cpu': { abs: 0.05, rel: 0.005, metrics: { trainAcc: { abs: 4 } } } } } }, 'smoke').spec!;
  const gpu = { ...payload(), backend: 'cpu' }; // no defaults for cpu: only what this spec says
  assert.equal(toleranceFor(t, 'cpu', 'testAcc'), { abs: 0.05, rel: 0.005 });
  assert.equal(toleranceFor(t, 'cpu', 'trainAcc'), { abs: 4, rel: 0.005 });
  assert.equal(toleranceFor(t, 'cpu', 'testLoss'), { abs: 0.2, rel: 0.005 });
  assert.equal(toleranceFor(t, 'wasm', 'testAcc'), { abs: 0, rel: 0 });
  const a = { ...gpu, epochs: [{ ...gpu.epochs[0], testAcc: 60.5, trainAcc: 53.9 }], weightsSha256: 'other' };
  const d = comparePayload(a, gpu, t);
  assert.equal(d.map((x) => x.pointer), ['/epochs/0/testAcc']); // 0.5 > 0.05 + 0.005*60; trainAcc within 4; hash ignored when tolerant
  const b = { ...gpu, epochs: [{ ...gpu.epochs[0], testAcc: 60.3 }] };
  assert.is(comparePayload(b, gpu, t).length, 0);
});

test('the tensorflow defaults come from the measured thread spread (smoke, intra-op 1/2/4): GroupNorm rows wider', () => {
  assert.equal(toleranceFor(spec, 'tensorflow', 'bestTestAcc'), { abs: 2.5, rel: 0 });
  assert.equal(toleranceFor(spec, 'tensorflow', 'lr'), { abs: 0, rel: 0 });
  assert.equal(toleranceFor(spec, 'wasm', 'bestTestAcc'), { abs: 0, rel: 0 });
});

test('a golden from another spec is reported as such', () => {
  const a = { ...payload(), specFingerprint: 'g' };
  assert.match(comparePayload(a, payload(), spec)[0].reason, 'different spec');
});

test('update policy table', () => {
  assert.is(decideGoldenAction('none', true), 'compare');
  assert.is(decideGoldenAction('none', false), 'missing');
  assert.is(decideGoldenAction('new', true), 'compare');
  assert.is(decideGoldenAction('new', false), 'write');
  assert.is(decideGoldenAction('all', true), 'write');
  assert.is(decideGoldenAction('all', false), 'write');
  assert.is(defaultUpdateMode({ CI: 'true' }), 'none');
  assert.is(defaultUpdateMode({}), 'new');
  assert.is(defaultUpdateMode({ CI: 'false' }), 'new');
});

test.run();
