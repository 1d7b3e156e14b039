import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compareBench, compareEngines, renderComparison, renderEngineTable, type BenchSummary } from '../../src/bench/compare.js';

const summary = (backend: string, rows: Array<[string, string, number]>): BenchSummary => ({
  backend, threads: 2, batchSize: 64, results: rows.map(([norm, mode, imagesPerSec]) => ({ norm, mode, imagesPerSec })),
});

test('compareBench pairs rounds per (norm, mode): ratios, median and minimum', () => {
  const ours = [
    summary('wasm', [['batch', 'step', 3000], ['batch', 'epoch-augmented', 3300]]),
    summary('wasm', [['batch', 'step', 2600], ['batch', 'epoch-augmented', 2700]]),
    summary('wasm', [['batch', 'step', 2900], ['batch', 'epoch-augmented', 3000]]),
  ];
  const torch = [
    summary('pytorch', [['batch', 'epoch-augmented', 1200], ['batch', 'step', 1500]]),
    summary('pytorch', [['batch', 'step', 1300], ['batch', 'epoch-augmented', 1000]]),
    summary('pytorch', [['batch', 'step', 2000], ['batch', 'epoch-augmented', 1250]]),
  ];
  const rows = compareBench(ours, torch);
  assert.equal(rows.map((r) => [r.norm, r.mode]), [['batch', 'step'], ['batch', 'epoch-augmented']]);
  assert.equal(rows[0].ratios, [2, 2, 1.45]);
  assert.is(rows[0].medianRatio, 2);
  assert.is(rows[0].minRatio, 1.45);
  assert.equal(rows[1].ratios, [2.75, 2.7, 2.4]);
  assert.is(rows[1].medianRatio, 2.7);
  const text = renderComparison(rows, 'wasm x2');
  assert.match(text, /epoch-augmented\s+batch\s+2\.70x, 2\.40x\s+3300 vs 1200;  2700 vs 1000;  3000 vs 1250/);
});

test('compareBench refuses unequal rounds and a missing result', () => {
  const one = summary('wasm', [['batch', 'step', 3000]]);
  assert.throws(() => compareBench([one], []), /1 round\(s\) of ours vs 0 of PyTorch/);
  assert.throws(() => compareBench([one], [summary('pytorch', [['layer', 'step', 1]])]), /PyTorch has no result for batch\/step/);
});

test('compareEngines: medians per engine and medians of per-round ratios to the baseline; one markdown table', () => {
  const runs = {
    wasm: [summary('wasm', [['batch', 'step', 1800]]), summary('wasm', [['batch', 'step', 1500]]), summary('wasm', [['batch', 'step', 1700]])],
    tensorflow: [summary('tensorflow', [['batch', 'step', 600]]), summary('tensorflow', [['batch', 'step', 700]]), summary('tensorflow', [['batch', 'step', 650]])],
    pytorch: [summary('pytorch', [['batch', 'step', 1200]]), summary('pytorch', [['batch', 'step', 1000]]), summary('pytorch', [['batch', 'step', 1100]])],
  };
  const rows = compareEngines(runs, 'pytorch');
  assert.equal(rows, [{ norm: 'batch', mode: 'step', imagesPerSec: { wasm: 1700, tensorflow: 650, pytorch: 1100 }, ratios: { wasm: 1.5, tensorflow: 0.59, pytorch: 1 } }]);
  assert.is(renderEngineTable(rows, 'pytorch'), [
    '| mode | norm | wasm img/s | tensorflow img/s | pytorch img/s | wasm / pytorch | tensorflow / pytorch |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    '| step | batch | 1700 | 650 | 1100 | 1.50x | 0.59x |',
  ].join('\n'));
  assert.throws(() => compareEngines({ wasm: runs.wasm, pytorch: runs.pytorch.slice(1) }, 'pytorch'), /same number of rounds/);
});

test.run();
