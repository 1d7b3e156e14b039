/** The training loop: owns every random stream, the epoch/batch order, the optimizer and the metrics. */
import * as tf from '@tensorflow/tfjs';
import { createHash } from 'node:crypto';
import type { Dataset } from '../data/idx.js';
import type { ResolvedSpec } from '../spec/types.js';
import type { EpochMetrics, Misclassified } from '../result/types.js';
import { createStream, createStreams, type StreamName } from './rng.js';
import type { EvalSummary, TrainState } from './checkpoint.js';
import { planSchedule } from './schedule.js';
import { backward, buildNetwork, dropoutMaskShapes, forwardEval, forwardTrain, initBuffers, initParams, nllLoss, type Buffers, type Network, type Params } from './model.js';
import { sgdStep, type SgdHyper, type SgdState } from './optimizer.js';
import { maskInto } from './dropout.js';
import { DropoutDraws, type Drop } from './drawAhead.js';
import { drawAhead } from '../engine/wasmKernels.js';
import { allocBatch, augmentConfigOf, fillBatch, selectSubset, type Normalize } from './batches.js';
import { permutation } from './rng.js';
import { compileStep, renewTensors, type StepOutput, type StepProbe } from './compiledStep.js';

export interface TrainProgress {
  epoch: number;
  epochs: number;
  step: number; // within the epoch, 1-based
  steps: number;
  metrics?: EpochMetrics; // set at the end of an epoch
}

export interface TrainOutput {
  epochs: EpochMetrics[];
  misclassified: Misclassified;
  weightsSha256: string;
  trainSize: number;
  testSize: number;
  epochSeconds: number[];
}

const MISCLASSIFIED_KEPT = 64;

function replace(target: Record<string, tf.Tensor>, next: Record<string, tf.Tensor>): void {
  for (const k of Object.keys(next)) {
    if (target[k] && target[k] !== next[k]) target[k].dispose();
    target[k] = next[k];
  }
}

/** Reads are asynchronous throughout: the webgpu backend cannot read GPU memory synchronously in Node. */
async function hashWeights(net: Network, p: Params, bufs: Buffers): Promise<string> {
  const h = createHash('sha256');
  for (const k of [...net.params.map(([name]) => name), ...Object.keys(bufs).sort()]) {
    const t = p[k] ?? bufs[k];
    h.update(k);
    h.update(Buffer.from(((await t.data()) as Float32Array).buffer));
  }
  return h.digest('hex');
}

async function evaluate(net: Network, p: Params, bufs: Buffers, ds: Dataset, testIdx: Uint32Array, batchSize: number, normalize: Normalize) {
  let sumNll = 0;
  let correct = 0;
  const wrong: { index: number; actual: number; predicted: number }[] = [];
  let count = 0;
  const { rows, cols } = ds.test;
  const buf = allocBatch(batchSize, rows * cols);
  for (let start = 0; start < testIdx.length; start += batchSize) {
    const n = Math.min(batchSize, testIdx.length - start);
    fillBatch(ds.test, testIdx, start, n, buf, null, normalize);
    const out = tf.tidy(() => {
      const x = tf.tensor4d(buf.x.subarray(0, n * rows * cols), [n, rows, cols, 1]);
      const y = tf.tensor1d(buf.y.subarray(0, n), 'int32');
      const logp = forwardEval(net, p, bufs, x);
      return [tf.neg(tf.sum(tf.mul(logp, tf.oneHot(y, net.classes)), 1)), tf.argMax(logp, 1)];
    });
    const [nll, pred] = await Promise.all(out.map((t) => t.data()));
    tf.dispose(out);
    for (let i = 0; i < n; i++) {
      sumNll += nll[i];
      if (pred[i] === buf.y[i]) correct++;
      else {
        count++;
        if (wrong.length < MISCLASSIFIED_KEPT) wrong.push({ index: testIdx[start + i], actual: buf.y[i], predicted: pred[i] });
      }
    }
  }
  return { testLoss: sumNll / testIdx.length, testAcc: (100 * correct) / testIdx.length, wrong, count };
}

/** Streams whose position matters after the start of a run (init and subset are spent up front). */
const RESUMED_STREAMS: StreamName[] = ['shuffle', 'augment', 'dropout'];

async function snapshot(m: Record<string, tf.Tensor>): Promise<Record<string, Float32Array>> {
  const keys = Object.keys(m).sort();
  const values = await Promise.all(keys.map(async (k) => Float32Array.from((await m[k].data()) as Float32Array)));
  return Object.fromEntries(keys.map((k, i) => [k, values[i]]));
}

function restore(target: Record<string, tf.Tensor>, saved: Record<string, Float32Array>, what: string): void {
  const want = Object.keys(target).sort().join(',');
  if (Object.keys(saved).sort().join(',') !== want) throw new Error(`checkpoint ${what} hold [${Object.keys(saved).sort()}], the model has [${want}]`);
  for (const k of Object.keys(target)) {
    if (saved[k].length !== target[k].size) throw new Error(`checkpoint ${what}.${k} has ${saved[k].length} values, the model ${target[k].size}`);
    const t = tf.tensor(saved[k], target[k].shape);
    target[k].dispose();
    target[k] = t;
  }
}

export class TrainInterrupted extends Error {
  constructor(readonly epochsDone: number) {
    super(`interrupted after ${epochsDone} completed epoch(s)`);
  }
}

export interface TrainOptions {
  useMaxPoolKernel: boolean;
  onProgress?: (p: TrainProgress) => void;
  /** state at an epoch boundary to continue from (its fingerprint was checked by the caller) */
  resume?: TrainState | null;
  /** called at the end of every epoch with the full state, to be written as a checkpoint */
  onEpochEnd?: (state: TrainState) => void;
  /** checked between steps; training stops at the next step boundary with TrainInterrupted */
  signal?: AbortSignal;
  /** false: every step through tfjs ops, even where the compiled step applies (same bytes; for tests and bench) */
  compiledStep?: boolean;
  /** told how long the compiled step's own kernels and phases and each batch's preparation take (scripts/profile-step.mjs) */
  stepProbe?: StepProbe;
  /** told once, before the first step, which path the steps take */
  onStepPath?: (path: 'compiled' | 'tfjs') => void;
}

const yieldToEventLoop = () => new Promise<void>((r) => setImmediate(r));

export async function train(spec: ResolvedSpec, ds: Dataset, opts: TrainOptions): Promise<TrainOutput> {
  const streams = createStreams(spec.seed);
  const { rows, cols } = ds.train;
  const net = buildNetwork(spec.model.layers, { h: rows, w: cols, c: 1 }, ds.classes);
  const normalize = spec.dataset.normalize;
  const t = spec.training;
  const trainIdx = selectSubset(ds.train.n, spec.dataset.trainSize, streams.subset.next);
  const testIdx = selectSubset(ds.test.n, spec.dataset.testSize, streams.subset.next);
  const stepsPerEpoch = Math.ceil(trainIdx.length / t.batchSize);
  const schedule = planSchedule(t.schedule, { lr: t.lr, momentum: t.momentum }, t.epochs * stepsPerEpoch);

  const params: Params = initParams(net, streams.init.next);
  const bufs: Buffers = initBuffers(net);
  let sgd: SgdState = { buf: null };
  const epochs: EpochMetrics[] = [];
  const epochSeconds: number[] = [];
  const batch = allocBatch(t.batchSize, rows * cols);
  let lastEval: EvalSummary | null = null;
  let firstEpoch = 1;
  const r = opts.resume;
  if (r) {
    if (r.epoch > t.epochs) throw new Error(`checkpoint is at epoch ${r.epoch}, the run has ${t.epochs}`);
    restore(params, r.params, 'params');
    restore(bufs, r.buffers, 'buffers');
    if (r.sgd) {
      sgd = { buf: Object.fromEntries(Object.keys(params).map((k) => [k, tf.zerosLike(params[k])])) };
      restore(sgd.buf!, r.sgd, 'sgd');
    }
    for (const n of RESUMED_STREAMS) {
      if (!r.streams[n]) throw new Error(`checkpoint lacks the position of the ${n} stream`);
      streams[n] = createStream(spec.seed, n, r.streams[n]);
    }
    epochs.push(...r.epochs);
    epochSeconds.push(...r.epochSeconds);
    lastEval = r.lastEval;
    firstEpoch = r.epoch + 1;
  }
  const augment = spec.augmentation.enabled ? { cfg: augmentConfigOf(spec.augmentation), rand: streams.augment.next } : null;
  const compiled = opts.compiledStep === false ? null : compileStep(net, params, bufs, opts.useMaxPoolKernel, opts.stepProbe);
  const draws = new DropoutDraws(net, spec.seed, streams, compiled ? drawAhead() : undefined);
  opts.onStepPath?.(compiled ? 'compiled' : 'tfjs');
  /** One step op by op through tfjs (every backend; the compiled step's reference). */
  const opsStep = async (xs: Float32Array, ys: Int32Array, drops: Drop[], hyper: SgdHyper): Promise<StepOutput> => {
    const n = ys.length;
    const maskShapes = dropoutMaskShapes(net, n);
    const masks = drops.map((dr, i) => maskInto(new Float32Array(maskShapes[i].reduce((a, b) => a * b, 1)), dr.positions, dr.keep));
    const out = tf.tidy(() => {
      const x = tf.tensor4d(xs, [n, rows, cols, 1]);
      const y = tf.tensor1d(ys, 'int32');
      const maskT = masks.map((m, i) => tf.tensor4d(m, maskShapes[i] as [number, number, number, number]));
      const f = forwardTrain(net, params, bufs, x, maskT);
      const l = nllLoss(f.logp, y);
      const g = backward(net, params, f, l.dlogits, opts.useMaxPoolKernel);
      const upd = sgdStep(params, g, sgd, hyper);
      return { loss: l.loss, correct: l.correct, params: upd.params, buf: upd.state.buf!, bufs: f.newBuffers };
    });
    const [loss, right] = await Promise.all([out.loss.data(), out.correct.data()]);
    out.loss.dispose();
    out.correct.dispose();
    replace(params, out.params);
    replace(bufs, out.bufs);
    if (sgd.buf) for (const k of Object.keys(sgd.buf)) sgd.buf[k].dispose();
    sgd = { buf: out.buf };
    return { loss: loss[0], correct: right[0] };
  };

  try {
    for (let epoch = firstEpoch; epoch <= t.epochs; epoch++) {
      const t0 = performance.now();
      const order = permutation(trainIdx.length, streams.shuffle.next);
      const indices = Uint32Array.from(order, (i) => trainIdx[i]);
      let lossSum = 0;
      let correct = 0;
      let seen = 0;
      let lr = 0;
      for (let s = 0; s < stepsPerEpoch; s++) {
        const start = s * t.batchSize;
        const n = Math.min(t.batchSize, indices.length - start);
        const tPrep = performance.now();
        fillBatch(ds.train, indices, start, n, batch, augment, normalize);
        const drops = draws.take(n, s + 1 < stepsPerEpoch ? Math.min(t.batchSize, indices.length - start - t.batchSize) : null);
        opts.stepProbe?.('batch: images and dropout positions (JS)', performance.now() - tPrep);
        const hyper = schedule((epoch - 1) * stepsPerEpoch + s);
        lr = hyper.lr;
        const sgdHyper = { lr: hyper.lr, momentum: hyper.momentum, weightDecay: t.weightDecay, l1: t.l1 };
        const r = compiled
          ? await compiled.step(batch.x, batch.y, n, drops, sgdHyper, sgd)
          : await opsStep(batch.x.subarray(0, n * rows * cols), batch.y.subarray(0, n), drops, sgdHyper);
        lossSum += r.loss;
        correct += r.correct;
        seen += n;
        opts.onProgress?.({ epoch, epochs: t.epochs, step: s + 1, steps: stepsPerEpoch });
        if (opts.signal) {
          await yieldToEventLoop(); // lets a SIGINT handler run
          if (opts.signal.aborted) throw new TrainInterrupted(epoch - 1);
        }
      }
      if (compiled) {
        renewTensors(params);
        renewTensors(bufs);
      }
      lastEval = await evaluate(net, params, bufs, ds, testIdx, t.evalBatchSize, normalize);
      const metrics: EpochMetrics = {
        epoch, trainLoss: lossSum / stepsPerEpoch, trainAcc: (100 * correct) / seen,
        testLoss: lastEval.testLoss, testAcc: lastEval.testAcc, lr,
      };
      epochs.push(metrics);
      epochSeconds.push((performance.now() - t0) / 1000);
      opts.onEpochEnd?.({
        epoch, params: await snapshot(params), buffers: await snapshot(bufs), sgd: sgd.buf ? await snapshot(sgd.buf) : null,
        streams: Object.fromEntries(RESUMED_STREAMS.map((n) => [n, streams[n].state()])),
        epochs: [...epochs], epochSeconds: [...epochSeconds],
        lastEval: { count: lastEval.count, wrong: lastEval.wrong, testLoss: lastEval.testLoss, testAcc: lastEval.testAcc },
      });
      opts.onProgress?.({ epoch, epochs: t.epochs, step: stepsPerEpoch, steps: stepsPerEpoch, metrics });
    }
    return {
      epochs,
      misclassified: { epoch: t.epochs, count: lastEval!.count, samples: lastEval!.wrong },
      weightsSha256: await hashWeights(net, params, bufs),
      trainSize: trainIdx.length,
      testSize: testIdx.length,
      epochSeconds,
    };
  } finally {
    try {
      draws.close();
    } catch {
      // the run failed already, or the kernel thread is gone: no draws are needed any more
    }
    for (const t of [...Object.values(params), ...Object.values(bufs), ...Object.values(sgd.buf ?? {})]) t.dispose();
  }
}
