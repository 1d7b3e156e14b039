import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { estimatePlan, makespan, renderEstimate, RUN_OVERHEAD_S, samplesFor, type SpeedSample } from '../../src/plan/estimate.js';
import { formatDuration } from '../../src/util/stats.js';

const sample = (norm: string, batchSize: number, imagesPerSec: number, extra: Partial<SpeedSample> = {}): SpeedSample =>
  ({ source: 'facts', cpu: 'cpu A', profile: 'full', norm, batchSize, imagesPerSec, ...extra });
const run = (name: string, norm: string, batchSize = 64, images = 1_200_000) => ({ name, profile: 'full', norm, batchSize, images });

test('makespan: runs start in plan order on the first free worker', () => {
  assert.is(makespan([10, 10, 10], 1), 30);
  assert.is(makespan([10, 10, 10], 2), 20);
  assert.is(makespan([30, 10, 10, 10], 2), 30);
  assert.is(makespan([], 2), 0);
});

test('samplesFor: same profile, norm and batch first, then norm and batch, then norm, then anything', () => {
  const s = [sample('batch', 64, 1000), sample('batch', 64, 3000, { profile: 'smoke' }), sample('batch', 128, 2000), sample('layer', 64, 900)];
  assert.equal(samplesFor(run('a', 'batch'), s).map((x) => x.imagesPerSec), [1000]);
  assert.equal(samplesFor({ ...run('a', 'batch'), profile: 'smoke' }, s).map((x) => x.imagesPerSec), [3000]);
  assert.equal(samplesFor(run('a', 'batch', 32), s).map((x) => x.imagesPerSec), [1000, 3000, 2000]);
  assert.equal(samplesFor(run('a', 'group'), s).length, 4);
  assert.equal(samplesFor(run('a', 'group'), []), []);
});

test('estimatePlan: images / median speed + start-up per run, side by side over jobs; this CPU\'s samples win', () => {
  // 20 epochs x 60,000 images at 1,000 img/s = 1,200 s per run
  const s = [sample('batch', 64, 900), sample('batch', 64, 1000), sample('batch', 64, 1100), sample('layer', 64, 10, { cpu: 'cpu B' })];
  const e = estimatePlan([run('a', 'batch'), run('b', 'batch'), run('c', 'batch')], s, 2, 'cpu A')!;
  assert.equal(e.perRun, [1200 + RUN_OVERHEAD_S, 1200 + RUN_OVERHEAD_S, 1200 + RUN_OVERHEAD_S]);
  assert.is(e.seconds, 2 * (1200 + RUN_OVERHEAD_S));
  assert.equal(e.basis, { facts: 3, calibration: 0 });
  // samples of another CPU are used only when none of this one's exist
  assert.is(estimatePlan([run('a', 'layer')], s, 1, 'cpu A')!.perRun[0], 1_200_000 / 1000 + RUN_OVERHEAD_S);
  assert.is(estimatePlan([run('a', 'layer')], s, 1, 'cpu C')!.perRun[0], 1_200_000 / 10 + RUN_OVERHEAD_S);
  assert.is(estimatePlan([run('a', 'batch')], [], 1, 'cpu A'), null);
});

test('durations and the plan line', () => {
  assert.is(formatDuration(42.4), '42 s');
  assert.is(formatDuration(12 * 60 + 10), '12 min');
  assert.is(formatDuration(5 * 3600 + 10 * 60 + 20), '5 h 10 min');
  const e = { runs: 73, jobs: 2, seconds: 5 * 3600 + 600, perRun: [], basis: { facts: 14, calibration: 0 } };
  assert.is(renderEstimate(e), "plan: 73 run(s) to train, about 5 h 10 min with --jobs 2 (speed from 14 earlier run(s)' facts.json)");
  assert.is(renderEstimate({ ...e, basis: { facts: 0, calibration: 3 } }), 'plan: 73 run(s) to train, about 5 h 10 min with --jobs 2 (speed from a 3-norm calibration on this machine)');
});

test.run();
