/** src/engine/assembly/elementwise.ts against the tfjs ops each pass replaces on the wasm backend,
 * byte for byte, on inputs with signed zeros, denormals, infinities and NaN. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs';
import { kernels, ptr, sameValues, target, values } from './kernels.js';
import { dropPositions, fillDropoutMask, keepScale } from '../../../src/train/dropout.js';
import { createStream } from '../../../src/train/rng.js';

const SIZES = [1, 3, 4, 7, 1027, 64 * 26 * 26 * 8];

test('dropoutApply, whole or in two halves split by dropoutSplit, is tf.mul(a, mask) for the mask fillDropoutMask draws', async () => {
  const k = await kernels();
  for (const [i, size] of SIZES.entries()) for (const p of [0.03, 0.5, 0.9]) {
    const a = tf.tensor1d(values(size, 100 + i, 'special'));
    const mask = new Float32Array(size);
    fillDropoutMask(mask, p, createStream(i, 'dropout').next);
    const stock = tf.mul(a, tf.tensor1d(mask));
    const positions = dropPositions(size, p, createStream(i, 'dropout').next);
    const pos = tf.tensor1d(positions.length ? positions : new Int32Array(1), 'int32');
    const whole = tf.tensor1d(a.dataSync() as Float32Array); // a copy the kernel may overwrite
    k.dropoutApply(ptr(whole), ptr(pos), positions.length, 0, size, keepScale(p));
    assert.is(sameValues(whole, stock), null, `size ${size}, p ${p}`);
    for (const m of [0, (size >> 3) << 2, size]) {
      const below = k.dropoutSplit(ptr(pos), positions.length, m);
      assert.is(below, positions.filter((x) => x < m).length, `dropoutSplit at ${m}`);
      const halves = tf.tensor1d(a.dataSync() as Float32Array);
      k.dropoutApply(ptr(halves), ptr(pos) + 4 * below, positions.length - below, m, size, keepScale(p)); // the second half first
      k.dropoutApply(ptr(halves), ptr(pos), below, 0, m, keepScale(p));
      assert.is(sameValues(halves, stock), null, `size ${size}, p ${p}, split at ${m}`);
      tf.dispose(halves);
    }
    tf.dispose([a, stock, pos, whole]);
  }
});

test('reluGrad is tf.mul(d, tf.step(x, 0))', async () => {
  const k = await kernels();
  for (const [i, size] of SIZES.entries()) {
    const x = tf.tensor1d(values(size, 200 + i, 'special'));
    const d = tf.tensor1d(values(size, 300 + i, 'special'));
    const stock = tf.mul(d, tf.step(x, 0));
    const inPlace = tf.tensor1d(d.dataSync() as Float32Array);
    k.reluGrad(ptr(inPlace), ptr(x), size);
    assert.is(sameValues(inPlace, stock), null, `size ${size}`);
    tf.dispose([x, d, stock, inPlace]);
  }
});

test('reluForward is tf.relu, up to the sign of a zero (which the norm after it cannot see)', async () => {
  const k = await kernels();
  for (const [i, size] of SIZES.entries()) {
    const x = tf.tensor1d(values(size, 400 + i, 'special'));
    const stock = tf.relu(x).dataSync() as Float32Array;
    const out = target([size]);
    k.reluForward(ptr(x), ptr(out), size);
    const got = out.dataSync() as Float32Array;
    for (let j = 0; j < size; j++) {
      const same = Object.is(got[j], stock[j]) || (got[j] === 0 && stock[j] === 0);
      assert.ok(same, `size ${size} at ${j}: ${got[j]} vs ${stock[j]}`);
    }
    tf.dispose([x, out]);
  }
});

test('globalAvgPoolGrad is tf.mul(tf.onesLike(x), tf.div(dy, h * w))', async () => {
  const k = await kernels();
  for (const [n, h, w, c] of [[64, 6, 6, 16], [3, 5, 7, 5], [1, 1, 1, 1]]) {
    const dy = tf.tensor4d(values(n * c, n + c, 'special'), [n, 1, 1, c]);
    const x = tf.zeros([n, h, w, c]);
    const stock = tf.mul(tf.onesLike(x), tf.div(dy, h * w));
    const out = target([n, h, w, c]);
    k.globalAvgPoolGrad(ptr(dy), ptr(out), n, h * w, c);
    assert.is(sameValues(out, stock), null, `[${n}, ${h}, ${w}, ${c}]`);
    tf.dispose([dy, x, stock, out]);
  }
});

test.run();
