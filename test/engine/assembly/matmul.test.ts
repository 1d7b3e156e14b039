/** src/engine/assembly/matmul.ts against the stock tfjs-backend-wasm BatchMatMul it stands in for:
 * the same bytes, for the study's shapes, odd shapes, more than one 48-long block, and inputs with
 * signed zeros, denormals, overflow, infinities and NaN. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs';
import { bytes, kernels, ptr, sameValues, target, values } from './kernels.js';

// [shared (pixels), left (cin), right (cout)]
const SHAPES: [number, number, number][] = [[9216, 16, 8], [64, 16, 16], [64, 16, 10], [100, 3, 5], [49, 7, 9], [97, 16, 10], [1, 1, 1]];
const MODES = ['plain', 'wide', 'special'] as const;

test('matMulTransA is tf.matMul(a, b, true, false), byte for byte', async () => {
  const k = await kernels();
  let compared = 0;
  for (const [m, cin, cout] of SHAPES) for (const [i, mode] of MODES.entries()) {
    const a = tf.tensor2d(values(m * cin, 11 + i, mode), [m, cin]);
    const b = tf.tensor2d(values(m * cout, 23 + i, mode), [m, cout]);
    const stock = tf.matMul(a, b, true, false);
    const out = target([cin, cout]);
    k.matMulTransA(ptr(a), ptr(b), ptr(out), m, cin, cout, 0, cin);
    assert.is(sameValues(out, stock), null, `[${m}, ${cin}] x [${m}, ${cout}] ${mode}`);
    compared++;
    tf.dispose([a, b, stock, out]);
  }
  assert.is(compared, SHAPES.length * MODES.length);
});

test('matMulTransA over a row range writes only those rows (the halves two threads take)', async () => {
  const k = await kernels();
  const [m, cin, cout] = [200, 6, 5];
  const a = tf.tensor2d(values(m * cin, 3, 'plain'), [m, cin]);
  const b = tf.tensor2d(values(m * cout, 4, 'plain'), [m, cout]);
  const whole = target([cin, cout]);
  const halves = target([cin, cout]);
  k.matMulTransA(ptr(a), ptr(b), ptr(whole), m, cin, cout, 0, cin);
  k.matMulTransA(ptr(a), ptr(b), ptr(halves), m, cin, cout, 0, 2);
  assert.ok((halves.dataSync() as Float32Array).subarray(2 * cout).every((v) => v === 7), 'rows past the range untouched');
  k.matMulTransA(ptr(a), ptr(b), ptr(halves), m, cin, cout, 2, cin);
  assert.ok(bytes(halves).equals(bytes(whole)));
  tf.dispose([a, b, whole, halves]);
});

test('matMulTransB is tf.matMul(d, w, false, true), byte for byte', async () => {
  const k = await kernels();
  for (const [m, cin, cout] of SHAPES) for (const [i, mode] of MODES.entries()) {
    const d = tf.tensor2d(values(m * cout, 31 + i, mode), [m, cout]);
    const w = tf.tensor2d(values(cin * cout, 41 + i, mode), [cin, cout]);
    const stock = tf.matMul(d, w, false, true);
    const out = target([m, cin]);
    const wt = target([cin * cout]);
    k.matMulTransB(ptr(d), ptr(w), ptr(wt), ptr(out), cout, cin, 0, m);
    assert.is(sameValues(out, stock), null, `[${m}, ${cout}] x [${cin}, ${cout}]^T ${mode}`);
    tf.dispose([d, w, stock, out, wt]);
  }
});

test('a shared dimension past one block (the stock kernel sums 48 at a time) changes the bits: the test can tell orders apart', async () => {
  const k = await kernels();
  const [m, cin, cout] = [9216, 16, 8];
  const a = tf.tensor2d(values(m * cin, 5, 'wide'), [m, cin]);
  const b = tf.tensor2d(values(m * cout, 6, 'wide'), [m, cout]);
  const out = target([cin, cout]);
  k.matMulTransA(ptr(a), ptr(b), ptr(out), m, cin, cout, 0, cin);
  // one running sum in order, as a naive loop would do it, differs from the blocked order somewhere
  const av = a.dataSync(), bv = b.dataSync();
  let differs = 0;
  const got = out.dataSync();
  for (let i = 0; i < cin; i++) for (let j = 0; j < cout; j++) {
    let s = 0;
    for (let t = 0; t < m; t++) s = Math.fround(s + Math.fround(av[t * cin + i] * bv[t * cout + j]));
    if (s !== got[i * cout + j]) differs++;
  }
  assert.ok(differs > 0, 'a single running sum gives the same bits everywhere; the comparison above could not fail');
  tf.dispose([a, b, out]);
});

test.run();
