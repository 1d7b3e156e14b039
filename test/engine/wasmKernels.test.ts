import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  registerWasmKernels, useSharedHeap, unregisterWasmKernels, useSharedHeap, WASM_KERNEL_NAMES, WasmKernelError,
} from '../../src/engine/wasmKernels.js';

useSharedHeap(); // before the wasm backend starts: the kernels run on a shared heap

type Shape = number[];
type Attrs = Record<string, unknown>;
interface Input { values: Float32Array; shape: Shape }

// Results of f32 sums may differ from tfjs-cpu's (f64 dot products) by rounding only:
// |ours - cpu| <= RTOL * sum of |terms| of that output element.
const RTOL = 1e-5;

function makeRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

function makeValues(shape: Shape, seed: number, kind: 'uniform' | 'relu' | 'ties' = 'uniform'): Float32Array {
  const next = makeRandom(seed);
  const out = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < out.length; i++) {
    const u = next() * 2 - 1;
    // 'ties': ReLU zeros and a few repeated levels, as after relu -> norm.
    out[i] = kind === 'uniform' ? u : kind === 'relu' ? Math.max(0, u) : Math.max(0, Math.round(u * 3) / 3);
  }
  return out;
}

async function runOn(backend: 'cpu' | 'wasm', kernel: string, inputs: Record<string, Input>, attrs: Attrs): Promise<Float32Array> {
  await tf.setBackend(backend);
  const tensors: Record<string, tf.Tensor> = {};
  for (const [name, input] of Object.entries(inputs)) tensors[name] = tf.tensor(input.values, input.shape);
  const out = tf.engine().runKernel(kernel, tensors, attrs as tf.NamedAttrMap) as tf.Tensor;
  const values = out.dataSync() as Float32Array;
  const copy = new Float32Array(values);
  out.dispose();
  for (const t of Object.values(tensors)) t.dispose();
  return copy;
}

function absInputs(inputs: Record<string, Input>): Record<string, Input> {
  const out: Record<string, Input> = {};
  for (const [k, v] of Object.entries(inputs)) out[k] = { values: v.values.map(Math.abs), shape: v.shape };
  return out;
}

/** First element breaking |a - e| <= RTOL * mag, or null. */
function findMismatch(actual: Float32Array, expected: Float32Array, magnitude: Float32Array): string | null {
  if (actual.length !== expected.length) return `length ${actual.length} != ${expected.length}`;
  for (let i = 0; i < actual.length; i++) {
    const d = Math.abs(actual[i] - expected[i]);
    if (!(d <= RTOL * magnitude[i])) return `at ${i}: ${actual[i]} vs cpu ${expected[i]} (|terms| ${magnitude[i]})`;
  }
  return null;
}

/** Kernel on wasm vs cpu, with the tolerance scaled by the same kernel on |inputs|. */
async function assertMatchesCpu(kernel: string, inputs: Record<string, Input>, attrs: Attrs, label: string): Promise<Float32Array> {
  const ours = await runOn('wasm', kernel, inputs, attrs);
  const cpu = await runOn('cpu', kernel, inputs, attrs);
  const magnitude = await runOn('cpu', kernel, absInputs(inputs), attrs);
  assert.ok(cpu.some((v) => v !== 0), `${label}: reference is all zeros, the test could not fail`);
  const mismatch = findMismatch(ours, cpu, magnitude);
  assert.is(mismatch, null, `${kernel} ${label}: ${mismatch}`);
  return ours;
}

function sameBytes(a: Float32Array, b: Float32Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

// [batch, height, width, inChannels, outChannels, kernel]: the model's layers, then odd ones.
const CONV_CASES: Array<[number, number, number, number, number, number]> = [
  [1, 28, 28, 1, 8, 3],
  [3, 26, 26, 8, 16, 3],
  [64, 12, 12, 8, 16, 3],
  [3, 10, 10, 16, 16, 3],
  [3, 8, 8, 16, 16, 3],
  [3, 12, 12, 16, 8, 1],
  [3, 6, 6, 16, 16, 1],
  [64, 1, 1, 16, 10, 1],
  [3, 7, 9, 16, 16, 3],
  [2, 5, 11, 8, 16, 3],
  [1, 13, 13, 3, 5, 3],
  [2, 9, 7, 12, 20, 3],
  [2, 9, 9, 8, 8, 5],
  [2, 3, 3, 8, 16, 3],
  [1, 6, 4, 1, 1, 2],
];

function makeConvInputs([n, h, w, ci, co, k]: (typeof CONV_CASES)[number], seed: number) {
  const dyShape = [n, h - k + 1, w - k + 1, co];
  return {
    x: { values: makeValues([n, h, w, ci], seed, 'relu'), shape: [n, h, w, ci] },
    filter: { values: makeValues([k, k, ci, co], seed + 1), shape: [k, k, ci, co] },
    dy: { values: makeValues(dyShape, seed + 2), shape: dyShape },
  };
}

const MAXPOOL_ATTRS = { filterSize: 2, strides: 2, pad: 'valid' };

async function runMaxPoolGrad(backend: 'cpu' | 'wasm', x: Input, dySeed: number, attrs: Attrs = MAXPOOL_ATTRS): Promise<Float32Array> {
  await tf.setBackend(backend);
  const input = tf.tensor4d(x.values, x.shape as [number, number, number, number]);
  const { filterSize, strides, pad } = attrs as { filterSize: number; strides: number; pad: 'valid' | 'same' };
  const output = tf.maxPool(input, filterSize, strides, pad);
  const dy = tf.tensor(makeValues(output.shape, dySeed), output.shape);
  const dx = tf.engine().runKernel('MaxPoolGrad', { dy, input, output }, attrs as tf.NamedAttrMap) as tf.Tensor;
  const values = new Float32Array(dx.dataSync() as Float32Array);
  tf.dispose([input, output, dy, dx]);
  return values;
}

const MAXPOOL_CASES: Array<[Shape, 'uniform' | 'relu' | 'ties']> = [
  [[64, 24, 24, 16], 'ties'],
  [[64, 24, 24, 16], 'uniform'],
  [[1, 6, 4, 1], 'ties'],
  [[1, 6, 4, 1], 'relu'],
  [[3, 7, 9, 5], 'ties'],
  [[2, 12, 12, 16], 'relu'],
  [[1, 2, 2, 3], 'ties'],
];

const registry = suite('registerWasmKernels');

registry.before(async () => {
  await tf.setBackend('wasm');
  await tf.ready();
  unregisterWasmKernels();
});

registry.after(async () => {
  unregisterWasmKernels();
  await tf.setBackend('wasm');
});

// [1,6,4,1], dy = 1..6: an all-zero window (ReLU zeros) and a tied window. By hand, the first
// maximum of each window takes its dy: the zero window's top-left (index 10) gets 4.
const BUG_X = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 0, 0, 11, 12, 0, 0, 13, 14, 15, 16, 17, 18, 19, 20];
const BUG_X_TIED = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 100, 100, 11, 12, 0, 0, 13, 14, 15, 16, 17, 18, 19, 20];
const BUG_DX = [0, 0, 0, 0, 0, 1, 0, 2, 0, 0, 4, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 5, 0, 6];

async function runMaxPoolGradLiteral(backend: 'cpu' | 'wasm', x: number[]): Promise<number[]> {
  await tf.setBackend(backend);
  const input = tf.tensor4d(x, [1, 6, 4, 1]);
  const output = tf.maxPool(input, 2, 2, 'valid');
  const dy = tf.tensor4d([1, 2, 3, 4, 5, 6], [1, 3, 2, 1]);
  const dx = tf.engine().runKernel('MaxPoolGrad', { dy, input, output }, MAXPOOL_ATTRS) as tf.Tensor;
  const values = Array.from(dx.dataSync());
  tf.dispose([input, output, dy, dx]);
  return values;
}

registry('stock wasm MaxPoolGrad differs from cpu on [1,6,4,1] (tfjs bug guard: if this fails, tfjs fixed it)', async () => {
  for (const x of [BUG_X, BUG_X_TIED]) {
    assert.equal(await runMaxPoolGradLiteral('cpu', x), BUG_DX);
    assert.not.equal(await runMaxPoolGradLiteral('wasm', x), BUG_DX, 'stock wasm MaxPoolGrad now matches cpu');
  }
});

registry('rejects unknown kernel names and a non-wasm backend', async () => {
  try {
    await registerWasmKernels({ kernels: ['Conv3D'] });
    assert.unreachable('should have thrown');
  } catch (err) {
    assert.instance(err, WasmKernelError);
    assert.is((err as WasmKernelError).code, 'UNKNOWN_KERNEL');
    assert.match((err as Error).message, "unknown kernel 'Conv3D'");
  }
  await tf.setBackend('cpu');
  try {
    await registerWasmKernels();
    assert.unreachable('should have thrown');
  } catch (err) {
    assert.is((err as WasmKernelError).code, 'NOT_WASM_BACKEND');
  } finally {
    await tf.setBackend('wasm');
  }
});

registry('registers a subset, then all; repeat calls keep the stock kernel for fallback', async () => {
  const stockConv = tf.getKernel('Conv2D', 'wasm');
  assert.equal(await registerWasmKernels({ kernels: ['MaxPoolGrad'] }), ['MaxPoolGrad']);
  assert.is(tf.getKernel('Conv2D', 'wasm'), stockConv);
  assert.equal(await registerWasmKernels(), [...WASM_KERNEL_NAMES]);
  assert.equal(await registerWasmKernels(), [...WASM_KERNEL_NAMES]);
  assert.is.not(tf.getKernel('Conv2D', 'wasm'), stockConv);
  assert.ok(tf.getKernel('Conv2DBackpropFilter', 'wasm'));
});

registry('MaxPoolGrad matches cpu exactly, ties to the first maximum', async () => {
  assert.equal(await runMaxPoolGradLiteral('wasm', BUG_X), BUG_DX);
  assert.equal(await runMaxPoolGradLiteral('wasm', BUG_X_TIED), BUG_DX);
  for (const [shape, kind] of MAXPOOL_CASES) {
    const x = { values: makeValues(shape, 11, kind), shape };
    const ours = await runMaxPoolGrad('wasm', x, 12);
    const cpu = await runMaxPoolGrad('cpu', x, 12);
    assert.ok(cpu.some((v) => v !== 0), 'reference is all zeros');
    assert.ok(sameBytes(ours, cpu), `MaxPoolGrad ${shape} ${kind} differs from cpu`);
  }
});

registry('MaxPoolGrad: NaN never wins, -Infinity-only windows pass nothing (as tfjs-cpu)', async () => {
  const values = new Float32Array([NaN, 1, 1, 2, -Infinity, -Infinity, -Infinity, -Infinity, NaN, NaN, NaN, NaN, 0, -0, 0, -1, 3, NaN, 3, 7]);
  const x = { values: new Float32Array(16 * 4).map((_, i) => values[i % values.length]), shape: [1, 4, 4, 4] };
  const ours = await runMaxPoolGrad('wasm', x, 3);
  const cpu = await runMaxPoolGrad('cpu', x, 3);
  assert.ok(sameBytes(ours, cpu));
});

registry('MaxPoolGrad outside 2x2/2 valid (plain path) matches cpu', async () => {
  const x = { values: makeValues([2, 9, 8, 3], 21, 'ties'), shape: [2, 9, 8, 3] };
  for (const attrs of [
    { filterSize: 3, strides: 1, pad: 'same' },
    { filterSize: 2, strides: 1, pad: 'valid' },
    { filterSize: 2, strides: 2, pad: 'same' },
    { filterSize: 3, strides: 2, pad: 'valid' },
  ]) {
    const ours = await runMaxPoolGrad('wasm', x, 22, attrs);
    const cpu = await runMaxPoolGrad('cpu', x, 22, attrs);
    assert.ok(sameBytes(ours, cpu), `MaxPoolGrad ${JSON.stringify(attrs)}`);
  }
});

registry('Conv2D, Conv2DBackpropInput, Conv2DBackpropFilter match cpu on the model\'s and odd shapes', async () => {
  for (const c of CONV_CASES) {
    const [n, h, w, ci, co, k] = c;
    const { x, filter, dy } = makeConvInputs(c, 100 + h);
    const label = `[${c}]`;
    await assertMatchesCpu('Conv2D', { x, filter }, { strides: 1, pad: 'valid', dataFormat: 'NHWC', dilations: 1 }, label);
    await assertMatchesCpu('Conv2DBackpropInput', { dy, filter },
      { strides: 1, pad: 'valid', dataFormat: 'NHWC', inputShape: [n, h, w, ci] }, label);
    await assertMatchesCpu('Conv2DBackpropFilter', { x, dy },
      { strides: 1, pad: 'valid', dataFormat: 'NHWC', filterShape: [k, k, ci, co] }, label);
  }
});

registry("'same' padding (kernels 1, 3, 5, 7; odd channels and sizes) runs the own kernels and matches cpu", async () => {
  const cases: Array<[number, number, number, number, number, number]> = [
    [3, 11, 13, 5, 7, 5], [2, 9, 8, 3, 1, 7], [4, 6, 7, 1, 3, 3], [5, 5, 5, 2, 3, 1], [6, 13, 13, 8, 16, 3],
  ];
  for (const c of cases) {
    const [n, h, w, ci, co, k] = c;
    const { x, filter } = makeConvInputs(c, 50 + k);
    const dy = { values: makeValues([n, h, w, co], 9), shape: [n, h, w, co] };
    const label = `same [${c}]`;
    await assertMatchesCpu('Conv2D', { x, filter }, { strides: 1, pad: 'same', dataFormat: 'NHWC', dilations: 1 }, label);
    await assertMatchesCpu('Conv2DBackpropInput', { dy, filter }, { strides: 1, pad: 'same', dataFormat: 'NHWC', inputShape: [n, h, w, ci] }, label);
    await assertMatchesCpu('Conv2DBackpropFilter', { x, dy }, { strides: 1, pad: 'same', dataFormat: 'NHWC', filterShape: [k, k, ci, co] }, label);
  }
});

registry('conv kernels fall back correctly outside stride 1 / valid', async () => {
  const c: (typeof CONV_CASES)[number] = [2, 9, 8, 8, 16, 3];
  const [n, h, w, ci, co, k] = c;
  const { x, filter } = makeConvInputs(c, 7);
  for (const [strides, pad] of [[2, 'valid'], [1, 'same'], [2, 'same'], [1, [[0, 0], [1, 2], [0, 1], [0, 0]]]] as const) {
    const label = `strides ${strides} pad ${JSON.stringify(pad)}`;
    const outShape = tf.backend_util.computeConv2DInfo([n, h, w, ci], [k, k, ci, co], strides, 1,
      pad as tf.backend_util.ExplicitPadding).outShape;
    const dy = { values: makeValues(outShape, 8), shape: outShape };
    await assertMatchesCpu('Conv2D', { x, filter }, { strides, pad, dataFormat: 'NHWC', dilations: 1 }, label);
    await assertMatchesCpu('Conv2DBackpropInput', { dy, filter },
      { strides, pad, dataFormat: 'NHWC', inputShape: [n, h, w, ci] }, label);
    await assertMatchesCpu('Conv2DBackpropFilter', { x, dy },
      { strides, pad, dataFormat: 'NHWC', filterShape: [k, k, ci, co] }, label);
  }
});

registry('gradients through conv2d -> relu -> maxPool -> conv2d 1x1 match cpu', async () => {
  const xv = makeValues([4, 12, 12, 8], 31);
  const w1v = makeValues([3, 3, 8, 16], 32);
  const w2v = makeValues([1, 1, 16, 8], 33);
  const gradsOn = async (backend: 'cpu' | 'wasm') => {
    await tf.setBackend(backend);
    const x = tf.tensor4d(xv, [4, 12, 12, 8]);
    const w1 = tf.tensor4d(w1v, [3, 3, 8, 16]);
    const w2 = tf.tensor4d(w2v, [1, 1, 16, 8]);
    const f = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => {
      const h1 = tf.relu(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'valid'));
      const h2 = tf.conv2d(tf.maxPool(h1 as tf.Tensor4D, 2, 2, 'valid'), c as tf.Tensor4D, 1, 'valid');
      return tf.sum(tf.mul(h2, h2));
    };
    const grads = tf.grads(f)([x, w1, w2]);
    const values = grads.map((g) => new Float32Array(g.dataSync() as Float32Array));
    tf.dispose([x, w1, w2, ...grads]);
    return values;
  };
  const ours = await gradsOn('wasm');
  const cpu = await gradsOn('cpu');
  ours.forEach((g, i) => {
    const scale = Math.max(...cpu[i].map(Math.abs));
    assert.ok(scale > 0);
    const worst = Math.max(...g.map((v, j) => Math.abs(v - cpu[i][j])));
    assert.ok(worst <= 1e-4 * scale, `gradient ${i}: max error ${worst} vs scale ${scale}`);
  });
});

registry('kernels stay correct after the wasm heap grows, and leak no tensors', async () => {
  await tf.setBackend('wasm');
  const heap = (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm;
  const before = heap.HEAPU8.buffer.byteLength;
  const big = tf.zeros([before / 4 + 1024]); // forces the heap to grow
  assert.ok(heap.HEAPU8.buffer.byteLength > before, 'heap did not grow');
  const c: (typeof CONV_CASES)[number] = [3, 10, 10, 16, 16, 3];
  const { x, filter, dy } = makeConvInputs(c, 51);
  await assertMatchesCpu('Conv2DBackpropFilter', { x, dy }, { strides: 1, pad: 'valid', dataFormat: 'NHWC', filterShape: [3, 3, 16, 16] }, 'after growth');
  await assertMatchesCpu('Conv2DBackpropFilter', { x, dy: { values: makeValues([3, 4, 4, 16], 52), shape: [3, 4, 4, 16] } },
    { strides: 2, pad: 'valid', dataFormat: 'NHWC', filterShape: [3, 3, 16, 16] }, 'after growth, plain path');
  await assertMatchesCpu('Conv2D', { x, filter }, { strides: 1, pad: 'valid', dataFormat: 'NHWC', dilations: 1 }, 'after growth');
  await tf.setBackend('wasm');
  big.dispose();
  const tensors = tf.memory().numTensors;
  const dataIds = tf.backend().numDataIds();
  await runOn('wasm', 'Conv2DBackpropInput', { dy, filter }, { strides: 1, pad: 'valid', dataFormat: 'NHWC', inputShape: [3, 10, 10, 16] });
  await runMaxPoolGrad('wasm', { values: makeValues([2, 8, 8, 16], 53), shape: [2, 8, 8, 16] }, 54);
  assert.is(tf.memory().numTensors, tensors);
  assert.is(tf.backend().numDataIds(), dataIds);
});

registry('same inputs twice give identical bytes', async () => {
  const c: (typeof CONV_CASES)[number] = [64, 26, 26, 8, 16, 3];
  const [n, h, w, ci, co, k] = c;
  const { x, filter, dy } = makeConvInputs(c, 41);
  const calls: Array<[string, Record<string, Input>, Attrs]> = [
    ['Conv2D', { x, filter }, { strides: 1, pad: 'valid', dataFormat: 'NHWC', dilations: 1 }],
    ['Conv2DBackpropInput', { dy, filter }, { strides: 1, pad: 'valid', dataFormat: 'NHWC', inputShape: [n, h, w, ci] }],
    ['Conv2DBackpropFilter', { x, dy }, { strides: 1, pad: 'valid', dataFormat: 'NHWC', filterShape: [k, k, ci, co] }],
  ];
  for (const [kernel, inputs, attrs] of calls) {
    const a = await runOn('wasm', kernel, inputs, attrs);
    const b = await runOn('wasm', kernel, inputs, attrs);
    assert.ok(sameBytes(a, b), `${kernel} is not deterministic`);
  }
  const xp = { values: makeValues([64, 24, 24, 16], 42, 'ties'), shape: [64, 24, 24, 16] };
  assert.ok(sameBytes(await runMaxPoolGrad('wasm', xp, 43), await runMaxPoolGrad('wasm', xp, 43)));
});

registry.run();

const restore = suite('unregisterWasmKernels');

restore('puts the stock kernels back and removes Conv2DBackpropFilter', async () => {
  await tf.setBackend('wasm');
  unregisterWasmKernels();
  const stock = WASM_KERNEL_NAMES.map((name) => tf.getKernel(name, 'wasm'));
  await registerWasmKernels();
  assert.equal(unregisterWasmKernels(), [...WASM_KERNEL_NAMES]);
  WASM_KERNEL_NAMES.forEach((name, i) => assert.is(tf.getKernel(name, 'wasm'), stock[i]));
  assert.is(tf.getKernel('Conv2DBackpropFilter', 'wasm'), undefined);
  assert.equal(unregisterWasmKernels(), []);
});

restore.run();
