import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { PNG } from 'pngjs';
import type { EpochMetrics, ResultPayload } from '../../src/result/types.js';
import {
  FigureError,
  buildCurveSpec,
  buildMisclassifiedSvg,
  comparePng,
  loadFigureConfig,
  renderCurveFigure,
  renderMisclassifiedFigure,
  type CurveFigure,
} from '../../src/report/figures.js';

// name, title, then per epoch [trainLoss, trainAcc, testLoss, testAcc, lr]
const TABLE: [string, string, number[][]][] = [
  ['layernorm', 'LayerNorm', [[0.62, 88.1, 0.071, 97.9, 0.004], [0.21, 96.2, 0.041, 98.8, 0.01], [0.09, 98.8, 0.0174, 99.48, 0.0001]]],
  ['groupnorm', 'GroupNorm', [[0.6, 88.5, 0.068, 98.0, 0.004], [0.2, 96.4, 0.038, 98.9, 0.01], [0.08, 98.84, 0.0156, 99.51, 0.0001]]],
  ['batchnorm', 'BatchNorm', [[0.55, 89.9, 0.06, 98.3, 0.004], [0.19, 96.8, 0.035, 99.1, 0.01], [0.08, 98.59, 0.0151, 99.58, 0.0001]]],
  ['batchnorm-l1', 'BatchNorm with L1', [[0.7, 87.0, 0.08, 97.6, 0.004], [0.26, 95.5, 0.045, 98.7, 0.01], [0.12, 98.02, 0.0217, 99.26, 0.0001]]],
  ['groupnorm-l1', 'GroupNorm with L1', [[0.72, 86.8, 0.09, 97.5, 0.004], [0.27, 95.4, 0.05, 98.6, 0.01], [0.12, 98.12, 0.0283, 99.37, 0.0001]]],
  ['layernorm-l2', 'LayerNorm with L2', [[0.61, 88.3, 0.07, 98.0, 0.004], [0.2, 96.5, 0.039, 98.9, 0.01], [0.08, 98.94, 0.0159, 99.56, 0.0001]]],
  ['batchnorm-l1-l2', 'BatchNorm with L1 and L2', [[0.71, 86.9, 0.085, 97.6, 0.004], [0.26, 95.6, 0.047, 98.7, 0.01], [0.12, 98.07, 0.0233, 99.31, 0.0001]]],
];

function payload(name: string, title: string, rows: number[][]): ResultPayload {
  const epochs: EpochMetrics[] = rows.map(([trainLoss, trainAcc, testLoss, testAcc, lr], i) => ({ epoch: i + 1, trainLoss, trainAcc, testLoss, testAcc, lr }));
  return {
    format: 1, name, title, profile: 'smoke', backend: 'cpu', seed: 1, specFingerprint: 'f', datasetSha256: 'd',
    trainSize: 60000, testSize: 10000, epochs,
    best: { bestTrainAcc: 0, bestTestAcc: 0, bestTestLoss: 0 },
    misclassified: { epoch: 3, count: 37, samples: [{ index: 0, actual: 7, predicted: 2 }, { index: 2, actual: 7, predicted: 1 }, { index: 1, actual: 1, predicted: 7 }] },
    weightsSha256: 'w',
  };
}

const results = (): ResultPayload[] => TABLE.map(([name, title, rows]) => payload(name, title, rows));
const FIG: CurveFigure = { name: 'curves', title: 'Curves', experiments: '*', metrics: ['trainLoss', 'trainAcc', 'testLoss', 'testAcc'] };

// a hand-drawn 7: '#' = 255, '+' = 128, '.' = 0
const SEVEN = [
  ...Array(6).fill('.'.repeat(28)),
  '......####################..',
  '......####################..',
  '.....................+##....',
  ...Array(14).fill('...................##+......'.padEnd(28, '.')),
  ...Array(5).fill('.'.repeat(28)),
];
const DIGIT = Uint8Array.from(SEVEN.join(''), (c) => (c === '#' ? 255 : c === '+' ? 128 : 0));
const IMAGES = new Uint8Array(3 * 784);
IMAGES.set(DIGIT, 0);
IMAGES.set(DIGIT, 2 * 784); // image 1 stays all black

function pixel(png: Buffer, x: number, y: number): number[] {
  const img = PNG.sync.read(png);
  const at = (y * img.width + x) * 4;
  return [...img.data.subarray(at, at + 4)];
}

function tmp(name: string, text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'normreg-fig-')), name);
  writeFileSync(path, text);
  return path;
}

async function rejects(promise: Promise<unknown>): Promise<FigureError> {
  try {
    await promise;
  } catch (e) {
    assert.instance(e, FigureError);
    return e as FigureError;
  }
  assert.unreachable('expected a FigureError');
  throw new Error('unreachable');
}

const curves = suite('renderCurveFigure');

curves('renders a PNG, and the same bytes twice', async () => {
  const a = await renderCurveFigure(FIG, results());
  const b = await renderCurveFigure(FIG, results());
  assert.is(a.subarray(1, 4).toString('latin1'), 'PNG');
  assert.ok(a.equals(b));
  const { width, height } = PNG.sync.read(a);
  assert.ok(width > 1000 && height > 600, `${width}x${height}`);
});

curves('draws only the named experiments, in config order, and fails on an unknown one', async () => {
  const spec = JSON.stringify(buildCurveSpec(FIG, results()));
  assert.ok(spec.includes('"domain":["LayerNorm","GroupNorm","BatchNorm","BatchNorm with L1","GroupNorm with L1","LayerNorm with L2","BatchNorm with L1 and L2"]'));
  const two = await renderCurveFigure({ ...FIG, experiments: ['batchnorm', 'layernorm'] }, results());
  assert.not.ok(comparePng(two, await renderCurveFigure(FIG, results())).equal);
  const err = await rejects(renderCurveFigure({ ...FIG, experiments: ['batchnorm', 'nonorm'] }, results()));
  assert.is(err.code, 'FIGURE_UNKNOWN_EXPERIMENT');
  assert.match(err.message, 'no result for "nonorm"');
});

curves('accuracy axes are not forced to start at zero', () => {
  const spec = buildCurveSpec(FIG, results()) as unknown as { concat: { encoding: { y: { scale: { zero: boolean } } } }[] };
  assert.equal(spec.concat.map((p) => p.encoding.y.scale.zero), [false, false, false, false]);
});

curves('fails loudly when a font file is missing or is not a font', async () => {
  const missing = await rejects(renderCurveFigure(FIG, results(), { fontFiles: ['/nonexistent/DejaVuSans.ttf'] }));
  assert.is(missing.code, 'FIGURE_FONT_MISSING');
  assert.is(missing.file, '/nonexistent/DejaVuSans.ttf');
  assert.match(missing.message, '/nonexistent/DejaVuSans.ttf: font file not found (fix: run `npm ci`');
  const junk = await rejects(renderCurveFigure(FIG, results(), { fontFiles: [tmp('Junk.ttf', 'not a font')] }));
  assert.is(junk.code, 'FIGURE_FONT_UNUSABLE');
});

curves.run();

const compare = suite('comparePng');

compare('identical renders: 0 differing pixels, no diff image', async () => {
  const png = await renderCurveFigure(FIG, results());
  const r = comparePng(png, Buffer.from(png));
  assert.equal({ ...r, width: 0, height: 0 }, { equal: true, diffPixels: 0, width: 0, height: 0, sizeMismatch: false, diffPng: null });
  assert.is(r.width, PNG.sync.read(png).width);
});

compare('one data point moved by 0.01 is found, with a diff PNG of the same size', async () => {
  const expected = await renderCurveFigure(FIG, results());
  const moved = results();
  moved[2].epochs[1].testAcc += 0.01;
  const actual = await renderCurveFigure(FIG, moved);
  const r = comparePng(actual, expected);
  assert.is(r.equal, false);
  assert.is(r.sizeMismatch, false);
  assert.ok(r.diffPixels > 0, String(r.diffPixels));
  assert.ok(r.diffPng);
  const diff = PNG.sync.read(r.diffPng!);
  assert.equal([diff.width, diff.height], [r.width, r.height]);
});

compare('different sizes: sizeMismatch, no diff image', async () => {
  const a = await renderCurveFigure(FIG, results());
  const b = await renderCurveFigure({ ...FIG, metrics: ['testAcc'] }, results());
  const r = comparePng(a, b);
  assert.is(r.sizeMismatch, true);
  assert.is(r.equal, false);
  assert.is(r.diffPng, null);
});

compare.run();

const digits = suite('renderMisclassifiedFigure');

digits('renders a grid of crisp tiles, the same bytes twice', async () => {
  const result = results()[2];
  const a = await renderMisclassifiedFigure(result, IMAGES, 20);
  const b = await renderMisclassifiedFigure(result, IMAGES, 20);
  assert.ok(a.equals(b));
  const svg = buildMisclassifiedSvg(result, IMAGES, 20);
  assert.match(svg, 'BatchNorm: misclassified test digits');
  assert.match(svg, '37 of 10000 test images misclassified at epoch 3; the first 3 shown');
  assert.match(svg, 'actual 7 / <tspan fill="#c0392b" font-weight="bold">predicted 2</tspan>');
  assert.match(svg, 'shape-rendering="crispEdges"');
  // tile 0 sits at x = 24 + (190 - 140) / 2 = 49, y = 84, 5 screen pixels per image pixel
  assert.equal(pixel(a, 49 + 10 * 5 + 2, 84 + 6 * 5 + 2), [255, 255, 255, 255]); // '#' of the bar
  assert.equal(pixel(a, 49 + 21 * 5 + 2, 84 + 8 * 5 + 2), [128, 128, 128, 255]); // '+'
  assert.equal(pixel(a, 49 + 2, 84 + 2), [0, 0, 0, 255]); // background
});

digits('count limits the tiles; a sample outside the images is an error', async () => {
  const captions = (count: number) => buildMisclassifiedSvg(results()[0], IMAGES, count).match(/>actual \d/g)?.length;
  assert.equal([captions(1), captions(2), captions(20)], [1, 2, 3]);
  assert.match(buildMisclassifiedSvg(results()[0], IMAGES, 1), 'the first 1 shown');
  const err = await rejects(renderMisclassifiedFigure(results()[0], IMAGES.subarray(0, 2 * 784), 3));
  assert.is(err.code, 'FIGURE_BAD_INPUT');
  assert.match(err.message, 'sample index 2 is outside the test images (2 images of 28x28)');
});

digits.run();

const config = suite('loadFigureConfig');
const GOOD = { curves: [{ name: 'c', title: 'T', experiments: '*', metrics: ['testAcc'] }], misclassified: { experiments: '*', count: 20 } };

config('the repo config: one 2x2 figure over the seven experiments, a grid per experiment', async () => {
  const cfg = await loadFigureConfig(fileURLToPath(new URL('../../reports/figures.json', import.meta.url)));
  assert.equal(cfg.curves.map((c) => [c.name, c.experiments, c.metrics]), [
    ['curves', TABLE.map(([name]) => name), ['trainLoss', 'trainAcc', 'testLoss', 'testAcc']],
  ]);
  assert.equal(cfg.misclassified, { experiments: TABLE.map(([name]) => name), count: 20 });
});

config('unknown key, bad metric, empty experiments: all reported, with file, pointer and fix', async () => {
  const bad = { curves: [{ name: 'c', title: 'T', colour: 'red', experiments: [], metrics: ['testAcc', 'testAccuracy'] }], misclassified: { experiments: '*', count: 20 } };
  const file = tmp('figures.json', JSON.stringify(bad));
  const err = await rejects(loadFigureConfig(file));
  assert.is(err.code, 'FIGURE_CONFIG_INVALID');
  assert.is(err.file, file);
  assert.equal(err.issues.map((i) => i.pointer).sort(), ['/curves/0/colour', '/curves/0/experiments', '/curves/0/metrics/1']);
  assert.is(err.message.split('\n').length, 3);
  assert.match(err.message, `${file} /curves/0/colour: unknown key "colour" (fix: remove it, or use one of the allowed keys: name, title, experiments, metrics`);
  assert.match(err.message, `${file} /curves/0/metrics/1: must be one of trainLoss, trainAcc, testLoss, testAcc, lr (got "testAccuracy")`);
  assert.match(err.message, `${file} /curves/0/experiments: must not be empty (fix: list at least one experiment name`);
});

config('one problem: a one-line message; pointer and fix on the error', async () => {
  const file = tmp('figures.json', JSON.stringify({ ...GOOD, misclassified: { experiments: 'all', count: 20 } }));
  const err = await rejects(loadFigureConfig(file));
  assert.is(err.pointer, '/misclassified/experiments');
  assert.match(err.fix, 'use "*" for every experiment');
  assert.is(err.message, `${file} /misclassified/experiments: must be "*" (got "all") (fix: ${err.fix})`);
});

config('duplicate figure names, missing keys, unreadable and non-JSON files', async () => {
  const dup = await rejects(loadFigureConfig(tmp('f.json', JSON.stringify({ ...GOOD, curves: [GOOD.curves[0], GOOD.curves[0]] }))));
  assert.is(dup.pointer, '/curves/1/name');
  const missing = await rejects(loadFigureConfig(tmp('f.json', JSON.stringify({ curves: [] }))));
  assert.match(missing.message, ': missing key "misclassified" (fix: add it');
  const json = await rejects(loadFigureConfig(tmp('f.json', '{"curves": [')));
  assert.is(json.code, 'FIGURE_CONFIG_JSON');
  const read = await rejects(loadFigureConfig('/nonexistent/figures.json'));
  assert.is(read.code, 'FIGURE_CONFIG_READ');
  assert.equal(await loadFigureConfig(tmp('f.json', JSON.stringify(GOOD))), GOOD);
});

config('experiments the specs do not declare: pointer into the list, a near name as the fix', async () => {
  const cfg = { curves: [{ name: 'c', title: 'T', experiments: ['bn', 'lnn'], metrics: ['testAcc'] }], misclassified: { experiments: ['bn', 'zz'], count: 20 } };
  const file = tmp('figures.json', JSON.stringify(cfg));
  const err = await rejects(loadFigureConfig(file, ['bn', 'ln', 'gn']));
  assert.is(err.code, 'FIGURE_CONFIG_INVALID');
  assert.equal(err.issues.map((i) => `${i.pointer}: ${i.message} (fix: ${i.fix})`), [
    '/curves/0/experiments/1: no experiment named "lnn" in this profile\'s specs (fix: did you mean "ln"?)',
    '/misclassified/experiments/1: no experiment named "zz" in this profile\'s specs (fix: use a name `normreg list` shows, or remove it)',
  ]);
  assert.equal(await loadFigureConfig(file, ['bn', 'lnn', 'zz']), cfg);
});

config.run();
