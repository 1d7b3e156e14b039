// How close the convolution kernels run to what 128-bit SIMD without fused multiply-add allows on
// this CPU (docs/engine.md). In one process: the clock from a chain of dependent f64 multiplies
// (4 cycles each on current x86 cores), then the study's 3x3 convolutions (forward, input gradient,
// filter gradient) on one kernel thread, as GFLOP/s and floating-point operations per cycle; then
// one convolution on 1 and on 2 kernel threads, alternating.
// usage: npm run profile:convs -- [repeats]   (after npm run build)
import * as tf from '@tensorflow/tfjs';
import { selectBackend, applyThreads } from '../dist/engine/backend.js';
import { ghz, repeatsArg } from './measure.mjs';

const repeats = repeatsArg('profile:convs');
const backend = await selectBackend('wasm');
await applyThreads(backend, '1', 1);

const time = (fn, reps = 20) => {
  for (let i = 0; i < 3; i++) fn().dispose();
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) fn().dispose();
  return (performance.now() - t0) / reps;
};
const layers = [[64, 26, 26, 8, 16], [64, 12, 12, 8, 16], [64, 10, 10, 16, 16]].map(([n, h, w, ci, co]) => ({
  n, h, w, ci, co, x: tf.randomNormal([n, h, w, ci]), f: tf.randomNormal([3, 3, ci, co]), dy: tf.randomNormal([n, h - 2, w - 2, co]),
}));
const calls = (l) => [
  () => tf.conv2d(l.x, l.f, 1, 'valid'),
  () => tf.conv2dTranspose(l.dy, l.f, [l.n, l.h, l.w, l.ci], 1, 'valid'),
  () => tf.engine().runKernel('Conv2DBackpropFilter', { x: l.x, dy: l.dy }, { strides: 1, pad: 'valid', dataFormat: 'NHWC', filterShape: [3, 3, l.ci, l.co] }),
];
for (let r = 0; r < repeats; r++) {
  const g0 = ghz();
  let flops = 0;
  let ms = 0;
  for (const l of layers) {
    for (const c of calls(l)) { ms += time(c); flops += 2 * l.n * (l.h - 2) * (l.w - 2) * l.co * 9 * l.ci; }
  }
  const g = (g0 + ghz()) / 2;
  const gfs = flops / ms / 1e6;
  console.log(`clock ${g.toFixed(2)} GHz; convolutions on 1 thread ${gfs.toFixed(1)} GFLOP/s = ${(gfs / g).toFixed(1)} flop/cycle ` +
    `(128-bit multiply and add, no FMA: 8 flop/cycle on two ports = ${(8 * g).toFixed(1)} GFLOP/s, 12 on three = ${(12 * g).toFixed(1)})`);
}
const big = calls(layers[0])[0];
for (let r = 0; r < repeats; r++) {
  await applyThreads(backend, '1', 1);
  const one = time(big);
  await applyThreads(backend, '2', 2);
  const two = time(big);
  console.log(`Conv2D [64,26,26,8] -> 16: 1 thread ${one.toFixed(2)} ms, 2 threads ${two.toFixed(2)} ms: ${(one / two).toFixed(2)}x`);
}
process.exit(0);
