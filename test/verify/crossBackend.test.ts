import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compareCross, crossToleranceFor, deriveCrossTolerances, experimentOf, roundUp } from '../../src/verify/crossBackend.js';
import type { ResultPayload } from '../../src/result/types.js';

const run = (name: string, seed: number, best: [number, number, number], backend = 'wasm'): ResultPayload => ({
  format: 1, name, title: name, profile: 'smoke', backend, seed, specFingerprint: 'f', datasetSha256: 'd', trainSize: 10, testSize: 10,
  epochs: [{ epoch: 1, trainLoss: 1, trainAcc: 50, testLoss: 1, testAcc: 60, lr: 0.01 }],
  best: { bestTrainAcc: best[0], bestTestAcc: best[1], bestTestLoss: best[2] },
  misclassified: { epoch: 1, count: 0, samples: [] }, weightsSha256: 'w',
});

// bn: test acc 99.0, 99.2, 99.4 -> s = 0.2; ln: 98, 98, 98.6 -> s = 0.34641
const goldens = [
  run('bn', 1, [98, 99.0, 0.02]), run('bn.seed_2', 2, [98, 99.2, 0.02]), run('bn.seed_3', 3, [98, 99.4, 0.02]),
  run('ln.seed_3', 3, [97, 98.6, 0.03]), run('ln', 1, [97, 98, 0.03]), run('ln.seed_2', 2, [97, 98, 0.03]),
  run('sweep.batch_32', 1, [90, 95, 0.1]), run('gn', 1, [90, 95, 0.1]), run('gn.seed_2', 2, [91, 96, 0.1]),
];
const t = deriveCrossTolerances('smoke', goldens);

test('experimentOf strips only a trailing seed suffix', () => {
  assert.is(experimentOf('bn.seed_12'), 'bn');
  assert.is(experimentOf('sweep.batch_32.l1_0'), 'sweep.batch_32.l1_0');
  assert.is(experimentOf('seed_2.x'), 'seed_2.x');
});

test('roundUp keeps 4 significant digits and never rounds down', () => {
  assert.is(roundUp(0.84852813), 0.8486);
  assert.is(roundUp(0.0012340001), 0.001235);
  assert.is(roundUp(0.5), 0.5);
  assert.is(roundUp(0), 0);
});

test('derive: own band from >= 3 seeds (3·√2·s), experiments with fewer seeds left to the pooled band', () => {
  assert.equal(Object.keys(t.spread), ['bn', 'ln']);
  assert.equal(t.spread.bn.seeds, [1, 2, 3]);
  assert.is(t.metrics.bestTestAcc.experiments.bn, roundUp(3 * Math.SQRT2 * 0.2));
  assert.is(t.metrics.bestTestAcc.experiments.ln, roundUp(3 * Math.SQRT2 * Math.sqrt(0.12)));
  assert.is(t.metrics.bestTestAcc.pooled, roundUp(3 * Math.SQRT2 * Math.sqrt((0.04 + 0.12) / 2)));
  assert.is(t.metrics.bestTrainAcc.experiments.bn, 0);
  assert.not.ok('gn' in t.metrics.bestTestAcc.experiments);
  // the input order does not matter
  assert.equal(deriveCrossTolerances('smoke', [...goldens].reverse()), t);
});

test('crossToleranceFor: own band for any seed of the experiment, else pooled; null without any spread', () => {
  assert.is(crossToleranceFor(t, 'bn.seed_7', 'bestTestAcc'), t.metrics.bestTestAcc.experiments.bn);
  assert.is(crossToleranceFor(t, 'gn', 'bestTestAcc'), t.metrics.bestTestAcc.pooled);
  const none = deriveCrossTolerances('smoke', [run('x', 1, [1, 2, 3])]);
  assert.is(crossToleranceFor(none, 'x', 'bestTestAcc'), null);
});

test('compareCross: within the band passes; each metric outside it fails, naming the band', () => {
  const band = t.metrics.bestTestAcc.experiments.bn; // 0.8486
  assert.equal(compareCross(run('bn', 1, [98, 99.0 + band - 1e-9, 0.02], 'tensorflow'), goldens[0], t), []);
  const d = compareCross(run('bn', 1, [98.01, 99.0 + band + 0.001, 0.021], 'tensorflow'), goldens[0], t);
  assert.equal(d.map((x) => x.pointer), ['/best/bestTrainAcc', '/best/bestTestAcc', '/best/bestTestLoss']);
  assert.is(d[1].allowed, band);
  assert.is(d[1].expected, 99.0);
  assert.match(d[1].reason, /cross-backend band \[98\.1514, 99\.8486\] \(reference 99 ± 0\.8486\)/);
});

test('compareCross: spec, data, epoch count and the lr schedule must agree exactly', () => {
  const a = run('bn', 1, [98, 99, 0.02], 'tensorflow');
  assert.equal(compareCross({ ...a, specFingerprint: 'g' }, goldens[0], t).map((x) => x.pointer), ['/specFingerprint']);
  assert.equal(compareCross({ ...a, datasetSha256: 'e' }, goldens[0], t).map((x) => x.pointer), ['/datasetSha256']);
  assert.equal(compareCross({ ...a, epochs: [...a.epochs, a.epochs[0]] }, goldens[0], t).map((x) => x.pointer), ['/epochs']);
  assert.equal(compareCross({ ...a, epochs: [{ ...a.epochs[0], lr: 0.0100001 }] }, goldens[0], t).map((x) => x.pointer), ['/epochs/0/lr']);
  // other per-epoch metrics, the weights and the misclassified list are not compared across backends
  assert.equal(compareCross({ ...a, weightsSha256: 'z', epochs: [{ ...a.epochs[0], testAcc: 10 }] }, goldens[0], t), []);
});

test('compareCross: a profile without measured spread cannot pass', () => {
  const none = deriveCrossTolerances('smoke', [run('x', 1, [1, 2, 3])]);
  const d = compareCross(run('x', 1, [1, 2, 3], 'tensorflow'), run('x', 1, [1, 2, 3]), none);
  assert.is(d.length, 3);
  assert.match(d[0].reason, /no cross-backend tolerance/);
});

test.run();
