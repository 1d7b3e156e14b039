/** The compiled training step (src/train/compiledStep.ts) against the tfjs path it replaces: whole
 * trainings through train() give the same bytes (metrics, misclassified digits, weights hash) for
 * every norm, the L1 and L2 terms, a last partial batch, a second epoch (evaluation after in-place
 * updates), biases, flatten and dense layers, and with 1 and 2 kernel threads. The tfjs path is
 * itself checked against PyTorch (model.test.ts, layers.test.ts), so the compiled step is too. */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../src/engine/backend.js';
import { registerWasmKernels } from '../../src/engine/wasmKernels.js';
import { resolveSpec } from '../../src/spec/load.js';
import { loadDatasetFor } from '../../src/data/dataset.js';
import { train, type TrainOutput } from '../../src/train/loop.js';
import { compileStep, unsupportedLayer } from '../../src/train/compiledStep.js';
import { buildNetwork, initBuffers, initParams } from '../../src/train/model.js';
import { resolveLayers, type Layer } from '../../src/spec/network.js';

const test = suite('compiled step');

function specOf(model: Record<string, unknown>, training: Record<string, unknown> = {}, trainSize = 200) {
  const doc = {
    name: 'compiled', title: 'compiled', model, dataset: { trainSize, testSize: 300 },
    training: { epochs: 2, batchSize: 64, evalBatchSize: 128, ...training }, augmentation: { enabled: true },
  };
  const { spec, problems } = resolveSpec('compiled.json', doc, 'full');
  assert.equal(problems, []);
  return spec!;
}

/** train() with the compiled step and without; the outputs as JSON without the timings. */
async function both(spec: ReturnType<typeof specOf>): Promise<[string, string, TrainOutput]> {
  const ds = loadDatasetFor(spec);
  const outs: string[] = [];
  let last: TrainOutput | null = null;
  for (const compiledStep of [false, true]) {
    let path = '';
    const o = await train(spec, ds, { useMaxPoolKernel: true, compiledStep, onStepPath: (p) => { path = p; } });
    assert.is(path, compiledStep ? 'compiled' : 'tfjs', 'the path asked for is the path taken');
    last = o;
    outs.push(JSON.stringify({ ...o, epochSeconds: undefined }));
  }
  return [outs[0], outs[1], last!];
}

test.before(async () => {
  await selectBackend('wasm');
  await registerWasmKernels({ threads: 1 });
});

const STUDY_CASES: [string, Record<string, unknown>, Record<string, unknown>][] = [
  ['batch', { norm: 'batch' }, {}],
  ['group', { norm: 'group' }, {}],
  ['layer', { norm: 'layer' }, {}],
  ['batch with L1 and L2', { norm: 'batch' }, { l1: 0.0005, weightDecay: 0.0005 }],
];
for (const [label, model, training] of STUDY_CASES) {
  test(`study network, ${label}: the same bytes as the tfjs path (partial last batch, 2 epochs)`, async () => {
    const [tfjsPath, compiled, out] = await both(specOf(model, training));
    assert.ok(out.epochs[1].trainLoss < out.epochs[0].trainLoss + 1, 'it trained');
    assert.is(compiled, tfjsPath);
  });
}

const CUSTOM: Record<string, unknown>[] = [
  { type: 'conv', filters: 5, kernel: 3, padding: 'same', bias: true }, { type: 'relu' }, { type: 'norm', kind: 'group', groups: 5 },
  { type: 'dropout', p: 0.2 }, { type: 'maxPool', size: 3 }, { type: 'conv', filters: 7, kernel: 1, bias: true },
  { type: 'norm', kind: 'batch' }, { type: 'relu' }, { type: 'flatten' }, { type: 'dense', units: 10 }, { type: 'logSoftmax' },
];

test('a layer list with biases, a 3x3 max pool, flatten and dense: the same bytes as the tfjs path', async () => {
  const [tfjsPath, compiled] = await both(specOf({ layers: CUSTOM }, {}, 150));
  assert.is(compiled, tfjsPath);
});

test('2 kernel threads give the bytes of 1', async () => {
  const spec = specOf({ norm: 'group' }, {}, 300);
  const ds = loadDatasetFor(spec);
  const paths: string[] = [];
  const onStepPath = (p: string) => paths.push(p);
  const one = JSON.stringify({ ...(await train(spec, ds, { useMaxPoolKernel: true, onStepPath })), epochSeconds: undefined });
  await registerWasmKernels({ threads: 2 });
  try {
    const two = JSON.stringify({ ...(await train(spec, ds, { useMaxPoolKernel: true, onStepPath })), epochSeconds: undefined });
    assert.equal(paths, ['compiled', 'compiled']);
    assert.is(two, one);
  } finally {
    await registerWasmKernels({ threads: 1 });
  }
});

function layersOf(list: Record<string, unknown>[]): Layer[] {
  const { layers, problems } = resolveLayers(list, {});
  assert.equal(problems, []);
  return layers;
}

test('unsupportedLayer names the layer the schedule lacks, and null for the study network', () => {
  assert.is(unsupportedLayer(layersOf([{ type: 'conv', filters: 4 }, { type: 'avgPool', size: 2 }, { type: 'flatten' }, { type: 'dense', units: 10 }, { type: 'logSoftmax' }])), 'layer 1: avgPool');
  assert.is(unsupportedLayer(layersOf([{ type: 'conv', filters: 4 }, { type: 'globalAvgPool' }, { type: 'dense', units: 10 }])), 'the last layer is not logSoftmax');
  assert.is(unsupportedLayer(layersOf(CUSTOM)), null);
  assert.is(unsupportedLayer(specOf({ norm: 'batch' }).model.layers), null);
});

test('compileStep: null on the cpu backend and for an unsupported network; a schedule on wasm', async () => {
  const net = buildNetwork(specOf({ norm: 'batch' }).model.layers, { h: 28, w: 28, c: 1 }, 10);
  const rand = () => 0.5;
  const pool = buildNetwork(layersOf([{ type: 'conv', filters: 4 }, { type: 'avgPool', size: 2 }, { type: 'flatten' }, { type: 'dense', units: 10 }, { type: 'logSoftmax' }]), { h: 28, w: 28, c: 1 }, 10);
  const params = initParams(net, rand);
  const bufs = initBuffers(net);
  assert.ok(compileStep(net, params, bufs, true) !== null);
  assert.is(compileStep(net, params, bufs, false), null, 'without the checked MaxPoolGrad');
  assert.is(compileStep(pool, initParams(pool, rand), initBuffers(pool), true), null);
  tf.dispose([...Object.values(params), ...Object.values(bufs)]);
  await tf.setBackend('cpu');
  try {
    const p2 = initParams(net, rand);
    assert.is(compileStep(net, p2, initBuffers(net), true), null);
  } finally {
    await selectBackend('wasm');
  }
});

test.run();
