import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  KernelThreadError, registerWasmKernels, stopKernelThread, useSharedHeap, wasmKernelThreads,
} from '../../src/engine/wasmKernels.js';
import { startKernelThread, type AleaState, type DrawLayer, type KernelTeam } from '../../src/engine/kernelThread.js';
import { createStream } from '../../src/train/rng.js';
import { dropPositions } from '../../src/train/dropout.js';
import { drawCap } from '../../src/train/drawAhead.js';
import { instantiateFor, loadKernelModule, readBackendMemory, type WasmBackendLike } from '../../src/engine/wasmKernelModule.js';
import { NORM_BACKWARD_KERNEL, NORM_FORWARD_KERNEL } from '../../src/engine/wasmNormKernels.js';

useSharedHeap(); // before the wasm backend starts: the kernels run on a shared heap

function makeValues(n: number, seed: number, relu = false): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const u = s / 2 ** 32 * 2 - 1;
    out[i] = relu ? Math.max(0, u) : u;
  }
  return out;
}

function bytesOf(ts: tf.Tensor[]): Buffer[] {
  return ts.map((t) => Buffer.from((t.dataSync() as Float32Array).slice().buffer));
}

interface Call { label: string; run: () => tf.Tensor[] }

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
const t4 = (shape: number[], seed: number, relu = false) => tf.tensor(makeValues(size(shape), seed, relu), shape) as tf.Tensor4D;

/** Every kernel that splits, on the model's shapes and odd ones (odd batch, odd filter columns). */
function calls(): Call[] {
  const out: Call[] = [];
  const convs: Array<[number, number, number, number, number, number]> = [
    [64, 28, 28, 1, 8, 3], [64, 26, 26, 8, 16, 3], [64, 12, 12, 8, 16, 3], [64, 10, 10, 16, 16, 3],
    [33, 9, 11, 3, 8, 3], [7, 30, 30, 6, 16, 3], [5, 40, 40, 2, 4, 5],
  ];
  for (const [n, h, w, ci, co, k] of convs) {
    const label = `[${n},${h},${w},${ci}] -> ${co}, ${k}x${k}`;
    const x = t4([n, h, w, ci], n + h, true);
    const f = t4([k, k, ci, co], ci + co);
    const dy = t4([n, h - k + 1, w - k + 1, co], k + co);
    out.push({ label: `Conv2D ${label}`, run: () => [tf.conv2d(x, f, 1, 'valid')] });
    out.push({ label: `Conv2DBackpropInput ${label}`, run: () => [tf.conv2dTranspose(dy, f, [n, h, w, ci], 1, 'valid')] });
    out.push({
      label: `Conv2DBackpropFilter ${label}`,
      run: () => [tf.engine().runKernel('Conv2DBackpropFilter', { x, dy },
        { strides: 1, pad: 'valid', dataFormat: 'NHWC', dimRoundingMode: undefined, filterShape: [k, k, ci, co] } as unknown as tf.NamedAttrMap) as tf.Tensor],
    });
  }
  // 'same' padding, odd sizes and channel counts, kernels 1-7
  for (const [n, h, w, ci, co, k] of [[64, 13, 13, 8, 16, 3], [33, 11, 9, 5, 7, 5], [17, 15, 15, 3, 9, 7]]) {
    const label = `same [${n},${h},${w},${ci}] -> ${co}, ${k}x${k}`;
    const x = t4([n, h, w, ci], n + w, true);
    const f = t4([k, k, ci, co], ci + k);
    const dy = t4([n, h, w, co], co + k);
    out.push({ label: `Conv2D ${label}`, run: () => [tf.conv2d(x, f, 1, 'same')] });
    out.push({ label: `Conv2DBackpropInput ${label}`, run: () => [tf.conv2dTranspose(dy, f, [n, h, w, ci], 1, 'same')] });
    out.push({
      label: `Conv2DBackpropFilter ${label}`,
      run: () => [tf.engine().runKernel('Conv2DBackpropFilter', { x, dy },
        { strides: 1, pad: 'same', dataFormat: 'NHWC', dimRoundingMode: undefined, filterShape: [k, k, ci, co] } as unknown as tf.NamedAttrMap) as tf.Tensor],
    });
  }
  for (const shape of [[64, 24, 24, 16], [9, 24, 24, 16], [3, 50, 50, 8]]) {
    const x = t4(shape, shape[0], true);
    out.push({ label: `MaxPoolGrad [${shape}]`, run: () => {
      const y = tf.maxPool(x, 2, 2, 'valid');
      const dy = t4(y.shape, 7);
      return [tf.engine().runKernel('MaxPoolGrad', { dy, input: x, output: y }, { filterSize: 2, strides: 2, pad: 'valid' }) as tf.Tensor];
    } });
  }
  const norms: Array<[number[], 'batch' | 'group', number]> = [
    [[64, 26, 26, 8], 'batch', 1], [[64, 24, 24, 16], 'group', 4], [[64, 10, 10, 16], 'group', 1],
    [[63, 12, 12, 16], 'batch', 1], [[5, 30, 30, 16], 'group', 2],
  ];
  for (const [shape, kind, groups] of norms) {
    const c = shape[3];
    const x = t4(shape, c + groups, true);
    const gamma = tf.tensor1d(makeValues(c, 3));
    const beta = tf.tensor1d(makeValues(c, 4));
    const dout = t4(shape, 5);
    out.push({ label: `norm ${kind}/${groups} [${shape}]`, run: () => {
      const fwd = tf.engine().runKernel(NORM_FORWARD_KERNEL, { x, gamma, beta }, { groups, kind } as unknown as tf.NamedAttrMap) as tf.Tensor[];
      const bwd = tf.engine().runKernel(NORM_BACKWARD_KERNEL, { dout, xhat: fwd[1], gamma, invStd: fwd[3] },
        { groups, kind } as unknown as tf.NamedAttrMap) as tf.Tensor[];
      return [...fwd, ...bwd];
    } });
  }
  return out;
}

const identity = suite('kernels: 1 thread vs 2 threads');

identity.before(async () => {
  await tf.setBackend('wasm');
  await tf.ready();
});
identity.after(async () => {
  await registerWasmKernels({ threads: 1 });
});

identity('every split kernel gives the same bytes with 1 and 2 threads', async () => {
  const cases = calls();
  await registerWasmKernels({ threads: 1 });
  assert.is(wasmKernelThreads(), 1);
  const one = cases.map((c) => tf.tidy(() => bytesOf(c.run())));
  await registerWasmKernels({ threads: 2 });
  assert.is(wasmKernelThreads(), 2);
  const two = cases.map((c) => tf.tidy(() => bytesOf(c.run())));
  cases.forEach((c, i) => {
    assert.ok(one[i].some((b) => b.some((v) => v !== 0)), `${c.label}: all zeros, the test could not fail`);
    one[i].forEach((b, j) => assert.ok(b.equals(two[i][j]), `${c.label}: output ${j} differs between 1 and 2 threads`));
  });
});

identity('a second thread really runs: stopping it returns to 1 thread', async () => {
  await registerWasmKernels({ threads: 2 });
  assert.is(wasmKernelThreads(), 2);
  await stopKernelThread();
  assert.is(wasmKernelThreads(), 1);
});

identity.run();

const failures = suite('kernel thread: failures are errors, never hangs');
let team: KernelTeam | undefined;
let local: Record<string, (...a: number[]) => void>;
let memory: WebAssembly.Memory;

failures.before(async () => {
  await tf.setBackend('wasm');
  await registerWasmKernels({ threads: 1 });
  const backend = tf.backend() as unknown as WasmBackendLike;
  memory = readBackendMemory(backend);
  const module = await loadKernelModule();
  local = instantiateFor(module, memory) as unknown as Record<string, (...a: number[]) => void>;
});
failures.after(async () => {
  await team?.close();
});

async function newTeam(deadlineMs = 5000): Promise<KernelTeam> {
  await team?.close();
  team = await startKernelThread(await loadKernelModule(), memory, local, { deadlineMs });
  return team;
}

/** A tiny max-pool gradient on tensors of the wasm heap, split over its two images. */
function poolArgs(): { args: (b0: number) => number[]; dispose: () => void; dx: tf.Tensor } {
  const backend = tf.backend() as unknown as WasmBackendLike;
  const x = tf.tensor4d(makeValues(2 * 4 * 4, 1), [2, 4, 4, 1]);
  const dy = tf.tensor4d(makeValues(2 * 2 * 2, 2), [2, 2, 2, 1]);
  const dx = tf.zeros([2, 4, 4, 1]);
  const at = (t: tf.Tensor) => backend.dataIdMap.get(t.dataId)!.memoryOffset;
  return {
    dx,
    args: (b0) => [at(x) + b0 * 64, at(dy) + b0 * 16, at(dx) + b0 * 64, 1, 4, 4, 1, 2, 2],
    dispose: () => tf.dispose([x, dy, dx]),
  };
}

failures('a trap in the helper\'s half is a KernelThreadError naming the kernel; the thread goes on', async () => {
  const t = await newTeam();
  const p = poolArgs();
  const bad = p.args(1);
  bad[2] = 0xfff00000; // dx far outside the heap: the helper's half traps
  try {
    t.split('maxPoolGrad2x2', p.args(0), bad);
    assert.unreachable('should have thrown');
  } catch (e) {
    assert.instance(e, KernelThreadError);
    assert.is((e as KernelThreadError).code, 'THREAD_FAILED');
    assert.match((e as Error).message, /maxPoolGrad2x2: the kernel thread's half failed: .*out of bounds/);
  }
  t.split('maxPoolGrad2x2', p.args(0), p.args(1));
  assert.ok(Array.from(p.dx.dataSync()).some((v) => v !== 0));
  p.dispose();
});

failures('a helper that is gone is reported at the next call', async () => {
  const t = await newTeam();
  await t.close();
  const p = poolArgs();
  assert.throws(() => t.split('maxPoolGrad2x2', p.args(0), p.args(1)), (e: Error) =>
    e instanceof KernelThreadError && e.code === 'THREAD_EXITED' && /closed/.test(e.message));
  p.dispose();
});

failures('a helper that does not answer in time hits the deadline instead of freezing the run', async () => {
  const t = await newTeam(1);
  const backend = tf.backend() as unknown as WasmBackendLike;
  const at = (x: tf.Tensor) => backend.dataIdMap.get(x.dataId)!.memoryOffset;
  const x = tf.zeros([16, 100, 100, 16]);
  const w = tf.zeros([3, 3, 16, 16]);
  const y = tf.zeros([16, 98, 98, 16]);
  const conv = (n: number) => [at(x), at(w), at(y), n, 100, 100, 16, 3, 3, 16, 98, 98, 0, 0];
  // the helper's half (~350M multiply-adds) cannot finish within 1 ms
  assert.throws(() => t.split('conv2dPadded', conv(0), conv(16)), (e: Error) =>
    e instanceof KernelThreadError && e.code === 'THREAD_TIMEOUT' && /within 1 ms/.test(e.message));
  assert.throws(() => t.split('conv2dPadded', conv(0), conv(0)), (e: Error) =>
    e instanceof KernelThreadError && e.code === 'THREAD_EXITED');
  tf.dispose([x, w, y]);
});

failures('20,000 back-to-back splits all complete (no lost wake-up)', async () => {
  const t = await newTeam(10_000);
  const p = poolArgs();
  for (let i = 0; i < 20_000; i++) t.split('maxPoolGrad2x2', p.args(0), p.args(1));
  // with sleeps in between, so the helper goes through Atomics.wait too
  for (let i = 0; i < 20; i++) {
    await new Promise((r) => setTimeout(r, 8));
    t.split('maxPoolGrad2x2', p.args(0), p.args(1));
  }
  p.dispose();
});

failures.run();

const draws = suite('kernel thread: dropout draws ahead');

/** The positions and the stream's state after drawing the layers here. */
function drawnHere(state: AleaState, layers: DrawLayer[]) {
  const s = createStream(9, 'dropout', state);
  const positions = layers.map((l) => [...dropPositions(l.size, l.p, s.next)]);
  return { positions, state: s.state() };
}

const STUDY_LAYERS: DrawLayer[] = [
  { size: 64 * 26 * 26 * 8, p: 0.1, cap: drawCap(64 * 26 * 26 * 8, 0.1) },
  { size: 64 * 10 * 10 * 16, p: 0.1, cap: drawCap(64 * 10 * 10 * 16, 0.1) },
  { size: 1000, p: 0, cap: drawCap(1000, 0) },
  { size: 3, p: 0.9, cap: drawCap(3, 0.9) },
];

draws('the helper draws the positions and the stream state of drawing here, job after job, between splits', async () => {
  const t = await newTeam(10_000);
  const p = poolArgs();
  let state = createStream(9, 'dropout').state() as AleaState;
  for (let step = 0; step < 6; step++) {
    const ticket = t.postDraws({ state, layers: STUDY_LAYERS });
    // halves keep coming while the helper draws: both are served
    for (let i = 0; i < 50; i++) t.split('maxPoolGrad2x2', p.args(0), p.args(1));
    const r = t.takeDraws(ticket);
    assert.ok(r !== null);
    const here = drawnHere(state, STUDY_LAYERS);
    assert.equal(r!.positions.map((x) => [...x]), here.positions, `step ${step}: positions`);
    assert.equal(r!.state, here.state, `step ${step}: stream state`);
    assert.ok(r!.positions[0].length > 30_000 && r!.positions[2].length === 0);
    state = r!.state;
  }
  p.dispose();
});

draws('two jobs out at once keep their own positions; a third is refused; order and unknown tickets are errors', async () => {
  const t = await newTeam(10_000);
  const s0 = createStream(9, 'dropout').state() as AleaState;
  const a = t.postDraws({ state: s0, layers: STUDY_LAYERS.slice(0, 1) });
  const s1 = drawnHere(s0, STUDY_LAYERS.slice(0, 1)).state as AleaState;
  const b = t.postDraws({ state: s1, layers: STUDY_LAYERS.slice(1, 2) });
  assert.throws(() => t.postDraws({ state: s1, layers: STUDY_LAYERS }), /two draw jobs are out/);
  assert.throws(() => t.takeDraws(b), /job 2 before job 1/);
  assert.throws(() => t.takeDraws(99), /no draw job 99/);
  const ra = t.takeDraws(a)!;
  const rb = t.takeDraws(b)!;
  assert.equal([...ra.positions[0]], drawnHere(s0, STUDY_LAYERS.slice(0, 1)).positions[0]);
  assert.equal([...rb.positions[0]], drawnHere(s1, STUDY_LAYERS.slice(1, 2)).positions[0]);
});

draws('a layer that outgrows its room gives null (draw it here from the job\'s state)', async () => {
  const t = await newTeam(10_000);
  const state = createStream(9, 'dropout').state() as AleaState;
  const r = t.takeDraws(t.postDraws({ state, layers: [{ size: 10_000, p: 0.5, cap: 100 }] }));
  assert.is(r, null);
  // the thread goes on
  const ok = t.takeDraws(t.postDraws({ state, layers: [{ size: 10_000, p: 0.5, cap: drawCap(10_000, 0.5) }] }));
  assert.equal([...ok!.positions[0]], drawnHere(state, [{ size: 10_000, p: 0.5, cap: 0 }]).positions[0]);
});

draws('a job the helper cannot draw is a KernelThreadError with its reason; a malformed job is refused; a closed thread refuses jobs', async () => {
  const t = await newTeam(10_000);
  const state = createStream(9, 'dropout').state() as AleaState;
  // no stream state: the helper's alea cannot report one
  assert.throws(() => t.takeDraws(t.postDraws({ state: null as unknown as AleaState, layers: STUDY_LAYERS.slice(3) })), (e: Error) =>
    e instanceof KernelThreadError && e.code === 'THREAD_FAILED' && /draws failed: .*state/i.test(e.message));
  // the thread goes on
  assert.ok(t.takeDraws(t.postDraws({ state, layers: STUDY_LAYERS.slice(3) })) !== null);
  for (const bad of [{ size: 100, p: 0.5, cap: -5 }, { size: 1.5, p: 0.5, cap: 10 }, { size: 100, p: 1, cap: 10 }, { size: 100, p: Number.NaN, cap: 10 }]) {
    assert.throws(() => t.postDraws({ state, layers: [STUDY_LAYERS[0], bad] }), /postDraws: layer 1 needs a whole size and cap >= 0 and 0 <= p < 1/);
  }
  await t.close();
  assert.throws(() => t.postDraws({ state, layers: STUDY_LAYERS }), (e: Error) =>
    e instanceof KernelThreadError && e.code === 'THREAD_EXITED');
});

draws.after(async () => {
  await team?.close();
});

draws.run();
