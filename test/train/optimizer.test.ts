import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { registerWasmKernels, unregisterWasmKernels, useSharedHeap, SGD_KERNEL } from '../../src/engine/wasmKernels.js';
import { sgdStep, type SgdHyper } from '../../src/train/optimizer.js';
import type { Params } from '../../src/train/model.js';

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

test.run();
