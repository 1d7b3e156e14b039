// Per-kernel breakdown of training steps on the wasm engine: wraps every kernel registered for
// 'wasm' with a timer, runs `bench`-like steps, prints ms per step by kernel and the rest.
// usage: npm run profile:step -- [norm] [steps] [threads] [compiled|tfjs]   (after npm run build)
import * as tf from '@tensorflow/tfjs';
import { selectBackend, applyThreads } from '../dist/engine/backend.js';
import { resolveSpec } from '../dist/spec/load.js';
import { loadDatasetFor } from '../dist/data/dataset.js';
import { train } from '../dist/train/loop.js';

const [norm = 'batch', stepsArg = '60', threadsArg = '2', path = 'compiled'] = process.argv.slice(2);
const steps = Number(stepsArg);
const backend = await applyThreads(await selectBackend('wasm'), threadsArg, 2);
const times = new Map(); const counts = new Map();
let on = false;
for (const k of tf.getKernelsForBackend('wasm')) {
  const f = k.kernelFunc;
  tf.unregisterKernel(k.kernelName, 'wasm');
  tf.registerKernel({ ...k, kernelFunc: (args) => {
    if (!on) return f(args);
    const t0 = performance.now(); const r = f(args); const dt = performance.now() - t0;
    times.set(k.kernelName, (times.get(k.kernelName) ?? 0) + dt); counts.set(k.kernelName, (counts.get(k.kernelName) ?? 0) + 1);
    return r;
  } });
}
const warm = 20;
const doc = { name: 'bench', title: 'bench', model: { norm }, dataset: { trainSize: (steps + warm) * 64, testSize: 64 },
  training: { epochs: 1, evalBatchSize: 64 }, augmentation: { enabled: false } };
const { spec } = resolveSpec('bench.json', doc, 'full');
const ds = loadDatasetFor(spec);
let t0 = 0, t1 = 0;
const own = new Map(); const ownCounts = new Map();
const stepProbe = (label, ms) => { if (!on) return; own.set(label, (own.get(label) ?? 0) + ms); ownCounts.set(label, (ownCounts.get(label) ?? 0) + 1); };
await train(spec, ds, { useMaxPoolKernel: backend.useMaxPoolKernel, compiledStep: path !== 'tfjs', stepProbe, onProgress: (p) => {
  if (p.metrics) return;
  if (p.step === warm) { t0 = performance.now(); on = true; }
  if (p.step === p.steps) { t1 = performance.now(); on = false; }
} });
const per = (t1 - t0) / steps;
let sum = 0;
const rows = [...times].sort((a, b) => b[1] - a[1]);
console.log(`${path} step, norm ${norm}, threads ${backend.threads}: ${per.toFixed(2)} ms/step, ${Math.round(64000 / per)} img/s`);
for (const [k, v] of rows) { sum += v; console.log(`${k.padEnd(26)} ${(v / steps).toFixed(3).padStart(7)} ms  ${(counts.get(k) / steps).toFixed(1).padStart(5)} calls`); }
for (const [k, v] of [...own].sort((a, b) => b[1] - a[1])) { sum += v; console.log(`${k.padEnd(26)} ${(v / steps).toFixed(3).padStart(7)} ms  ${(ownCounts.get(k) / steps).toFixed(1).padStart(5)} calls`); }
console.log(`${'kernels total'.padEnd(26)} ${(sum / steps).toFixed(3).padStart(7)} ms  ${([...counts.values()].reduce((a, b) => a + b, 0) / steps).toFixed(1).padStart(5)} calls`);
console.log(`${'the rest (dispatch, JS)'.padEnd(26)} ${(per - sum / steps).toFixed(3).padStart(7)} ms`);
