import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { payloadConsistency, payloadPlace, validateFacts, validatePayload, validateRunRecord } from '../../src/result/validate.js';
import { payloadProblems } from '../../src/workspace/payloads.js';
import { goldenPlace } from '../../src/workspace/paths.js';
import type { ResultPayload } from '../../src/result/types.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const H = 'a'.repeat(64);

function payload(): ResultPayload {
  return {
    format: 1, name: 'bn', title: 'BN', profile: 'smoke', backend: 'wasm', seed: 1, specFingerprint: H, datasetSha256: H, trainSize: 100, testSize: 200,
    epochs: [
      { epoch: 1, trainLoss: 1.5, trainAcc: 50, testLoss: 0.5, testAcc: 90, lr: 0.01 },
      { epoch: 2, trainLoss: 0.5, trainAcc: 80, testLoss: 0.3, testAcc: 95, lr: 0 },
    ],
    best: { bestTrainAcc: 80, bestTestAcc: 95, bestTestLoss: 0.3 },
    misclassified: { epoch: 2, count: 10, samples: [{ index: 3, actual: 1, predicted: 7 }, { index: 9000, actual: 2, predicted: 3 }] },
    weightsSha256: H,
  };
}
const lines = (probs: { pointer: string; message: string }[]) => probs.map((p) => `${p.pointer}: ${p.message}`);
const edit = (f: (p: any) => void) => { const p = payload(); f(p); return p; };

test('a well-formed payload passes; every committed golden passes and sits where its name, profile and backend say', () => {
  assert.equal(validatePayload('x', payload(), 'fix'), []);
  let n = 0;
  for (const profile of readdirSync(join(ROOT, 'golden')))
    for (const backend of readdirSync(join(ROOT, 'golden', profile)).filter((b) => !b.endsWith('.json'))) // cross-backend.json
      for (const f of readdirSync(join(ROOT, 'golden', profile, backend)).filter((f) => f.endsWith('.json'))) {
        const file = join(ROOT, 'golden', profile, backend, f);
        assert.equal(payloadProblems(readFileSync(file, 'utf8'), f, 'golden', goldenPlace(file)).problems, [], file);
        n++;
      }
  assert.ok(n > 50, `${n} goldens`);
});

test('types and ranges: the pointer and what was found', () => {
  assert.equal(lines(validatePayload('g.json', edit((p) => { p.best.bestTestAcc = 'high'; }), 'fix')), ['/best/bestTestAcc: must be number (got "high")']);
  assert.equal(lines(validatePayload('g.json', edit((p) => { p.epochs[1].testAcc = 140; }), 'fix')), ['/epochs/1/testAcc: must be <= 100 (got 140)']);
  assert.equal(lines(validatePayload('g.json', edit((p) => { p.epochs[0].trainLoss = -1; }), 'fix')), ['/epochs/0/trainLoss: must be >= 0 (got -1)']);
  assert.equal(lines(validatePayload('g.json', edit((p) => { p.epochs[0].testLoss = Infinity; }), 'fix')), ['/epochs/0/testLoss: must be a finite number (got a number too large for a float)']);
  assert.equal(lines(validatePayload('g.json', edit((p) => { delete p.weightsSha256; p.extra = 1; p.format = 2; }), 'fix')).sort(),
    ['/extra: unknown key \'extra\'', '/format: must be 1 (got 2)', ": missing required key 'weightsSha256'"].sort());
  assert.equal(lines(validatePayload('g.json', [], 'fix')), [': must be object (got an array)']);
  const p = validatePayload('golden/smoke/wasm/bn.json', edit((p) => { p.seed = 1.5; }), 'restore it');
  assert.equal(p, [{ file: 'golden/smoke/wasm/bn.json', pointer: '/seed', message: 'must be integer (got 1.5)', fix: 'restore it' }]);
});

test('consistency: epoch numbering, best = max/min over the epochs, misclassified against the last epoch', () => {
  assert.equal(lines(payloadConsistency('g', edit((p) => { p.epochs[1].epoch = 3; }), 'f')), ['/epochs/1/epoch: is 3, expected 2 (epochs are listed in order from 1)']);
  assert.equal(lines(payloadConsistency('g', edit((p) => { p.best.bestTestAcc = 99; p.best.bestTestLoss = 0.5; }), 'f')), [
    '/best/bestTestAcc: is 99, but the max of /epochs/*/testAcc is 95 (bestTestAcc is defined as that max)',
    '/best/bestTestLoss: is 0.5, but the min of /epochs/*/testLoss is 0.3 (bestTestLoss is defined as that min)',
  ]);
  assert.equal(lines(payloadConsistency('g', edit((p) => { p.misclassified.epoch = 1; p.misclassified.count = 12; }), 'f')), [
    '/misclassified/epoch: is 1, expected the last epoch 2',
    "/misclassified/count: 12 wrong of 200 does not match the last epoch's testAcc 95",
  ]);
  assert.equal(lines(payloadConsistency('g', edit((p) => { p.misclassified.samples[1].index = 2; p.misclassified.samples[0].predicted = 1; }), 'f')), [
    '/misclassified/samples/0/predicted: equals actual (1): not a misclassified image',
    "/misclassified/samples/1/index: 2 is not after the previous sample's 3 (samples are in test-set order)",
  ]);
});

test('place: a golden holds the name, profile and backend of its path', () => {
  assert.equal(goldenPlace('/w/golden/smoke/wasm/bn.seed_2.json'), { name: 'bn.seed_2', profile: 'smoke', backend: 'wasm' });
  assert.equal(lines(payloadPlace('g', payload(), { name: 'ln', profile: 'full', backend: 'cpu' }, 'f')), [
    "/name: holds 'bn', but the file is for 'ln'", "/profile: holds profile 'smoke', but the file is for 'full'", "/backend: holds backend 'wasm', but the file is for 'cpu'",
  ]);
  const truncated = payloadProblems('{"format": 1, "name": ', 'golden/smoke/wasm/bn.json', 'golden', { name: 'bn' });
  assert.is(truncated.payload, null);
  assert.is(truncated.problems.length, 1);
  assert.match(truncated.problems[0].message, /^not valid JSON \(/);
  assert.is(truncated.problems[0].fix, 'restore it from git (git checkout -- golden/smoke/wasm/bn.json) or regenerate it with --update all');
});

test('run records and facts', () => {
  const record = { format: 1, name: 'bn', profile: 'smoke', fingerprint: H, payloadSha256: H, components: { inputs: {}, datasetSha256: H, backend: 'wasm', versions: { tfjs: '4' }, code: H } };
  assert.equal(validateRunRecord('run.json', record, 'f'), []);
  assert.equal(lines(validateRunRecord('run.json', { ...record, fingerprint: 7 }, 'f')), ['/fingerprint: must be string (got 7)']);
  assert.equal(lines(validateFacts('facts.json', { name: 'bn', profile: 'smoke', backend: 'wasm', threads: 1, versions: {}, wallSeconds: -1, epochSeconds: [], imagesPerSec: 1, resumedFromEpoch: 0 }, 'f')),
    ['/wallSeconds: must be >= 0 (got -1)']);
});

test.run();
