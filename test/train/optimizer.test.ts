import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { registerWasmKernels, unregisterWasmKernels, useSharedHeap, SGD_KERNEL } from '../../src/engine/wasmKernels.js';
import { sgdStep, type SgdHyper } from '../../src/train/optimizer.js';
import type { Params } from '../../src/train/model.js';
import { readFileSync } from 'node:fs';

interface T32 { shape: number[]; data: number[] }
interface SgdL1Fixture {
  sgd: { l1: number; lr: number; momentum: number; weight_decay: number };
  params_before: T32;
  steps: { data_grad: T32; grad: T32; params_after: T32 }[];
}
const SGD_L1: SgdL1Fixture = JSON.parse(readFileSync(new URL('../fixtures/torch/sgd-l1.json', import.meta.url), 'utf8'));

useSharedHeap(); // before the wasm backend starts: the kernels run on a shared heap

/** Values that exercise every branch: zeros of both signs, |w| around 2^-23 (tfjs-wasm's sign()
 * cut-off), denormals, large and ordinary values. */
function tricky(n: number, seed: number): Float32Array {
  const special = [0, -0, 1.1920928955078125e-7, -1.1920928955078125e-7, 1.19e-7, -1.19e-7, 1e-40, -1e-40, 3e38, -2.5, 1];
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const u = s / 2 ** 32;
    out[i] = i < special.length ? special[(i + seed) % special.length] : (u * 2 - 1) * 10 ** Math.floor(u * 12 - 9);
  }
  return out;
}

function params(seed: number): Params {
  return { a: tf.tensor(tricky(257, seed), [257]), b: tf.tensor(tricky(3 * 3 * 8 * 16, seed + 1), [3, 3, 8, 16]) };
}

function bytes(p: Params): Buffer[] {
  return Object.keys(p).sort().map((k) => Buffer.from((p[k].dataSync() as Float32Array).slice().buffer));
}

/** Two steps (first without, then with a momentum buffer) under the current kernel registry. */
function twoSteps(h: SgdHyper): Buffer[] {
  return tf.tidy(() => {
    const p0 = params(1);
    const s1 = sgdStep(p0, params(2), { buf: null }, h);
    const s2 = sgdStep(s1.params, params(3), s1.state, { ...h, lr: h.lr * 0.7, momentum: 0.85 });
    return [...bytes(s1.params), ...bytes(s1.state.buf!), ...bytes(s2.params), ...bytes(s2.state.buf!)];
  });
}

test('fused SGD kernel gives the bytes of the core-ops chain on wasm (L1, weight decay, momentum)', async () => {
  await tf.setBackend('wasm');
  await tf.ready();
  const hypers: SgdHyper[] = [
    { lr: 0.01, momentum: 0.9, weightDecay: 0, l1: 0 },
    { lr: 0.0123, momentum: 0.95, weightDecay: 0.001, l1: 0 },
    { lr: 0.3, momentum: 0.9, weightDecay: 0, l1: 0.001 },
    { lr: 1e-5, momentum: 0.8, weightDecay: 0.002, l1: 0.01 },
  ];
  unregisterWasmKernels();
  assert.is(tf.getKernel(SGD_KERNEL, 'wasm'), undefined);
  const chain = hypers.map(twoSteps);
  await registerWasmKernels();
  assert.ok(tf.getKernel(SGD_KERNEL, 'wasm'));
  const fused = hypers.map(twoSteps);
  hypers.forEach((h, i) => chain[i].forEach((b, j) => {
    assert.ok(b.equals(fused[i][j]), `hyper ${JSON.stringify(h)}: tensor ${j} differs between the chain and the fused kernel`);
  }));
  // the L1 case really moved weights near the sign() cut-off differently from the plain case
  assert.not.ok(chain[0][0].equals(chain[2][0]));
});

/** Two fixture steps through sgdStep on the current backend and kernel registry. */
function fixtureSteps(): Float32Array[] {
  const f = SGD_L1;
  const h: SgdHyper = { lr: f.sgd.lr, momentum: f.sgd.momentum, weightDecay: f.sgd.weight_decay, l1: f.sgd.l1 };
  return tf.tidy(() => {
    let p: Params = { w: tf.tensor(f.params_before.data) };
    let state = { buf: null as Params | null };
    const out: Float32Array[] = [];
    for (const step of f.steps) {
      const r = sgdStep(p, { w: tf.tensor(step.data_grad.data) }, state, h);
      p = r.params;
      state = r.state;
      out.push(p.w.dataSync() as Float32Array);
    }
    return out;
  });
}

function assertMatchesTorch(label: string, got: Float32Array[]): void {
  SGD_L1.steps.forEach((step, k) => step.params_after.data.forEach((want, i) => {
    const before = SGD_L1.params_before.data[i];
    const tol = 4e-7 * Math.max(Math.abs(want), 1e-5);
    assert.ok(Math.abs(got[k][i] - want) <= tol,
      `${label}: step ${k + 1}, weight ${i} (was ${before}): got ${got[k][i]}, PyTorch ${want}`);
  }));
}

test('L1 term follows PyTorch (sgn: +-1 for tiny and denormal weights, 0 at +-0): fused wasm kernel and core-ops chain on cpu and wasm', async () => {
  const zeroIdx = SGD_L1.params_before.data.map((v, i) => (v === 0 ? i : -1)).filter((i) => i >= 0);
  const tinyIdx = SGD_L1.params_before.data.map((v, i) => (v !== 0 && Math.abs(v) < 1.1920928955078125e-7 && SGD_L1.steps[0].data_grad.data[i] === 0 ? i : -1)).filter((i) => i >= 0);
  assert.ok(zeroIdx.length >= 2 && tinyIdx.length >= 6, 'the fixture holds zeros and weights below 2^-23');
  // PyTorch's own gradient: exactly l1 * sgn(w) where the data gradient is 0
  tinyIdx.forEach((i) => assert.is(Math.fround(SGD_L1.steps[0].grad.data[i]), Math.fround(Math.sign(SGD_L1.params_before.data[i]) * SGD_L1.sgd.l1)));
  zeroIdx.forEach((i) => assert.is(SGD_L1.steps[0].grad.data[i], 0));

  await tf.setBackend('cpu');
  assertMatchesTorch('cpu chain', fixtureSteps());
  await tf.setBackend('wasm');
  await tf.ready();
  unregisterWasmKernels();
  assertMatchesTorch('wasm chain', fixtureSteps());
  await registerWasmKernels();
  assertMatchesTorch('wasm fused kernel', fixtureSteps());
});

test.run();
