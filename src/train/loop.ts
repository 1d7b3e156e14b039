/** The training loop: owns every random stream, the epoch/batch order, the optimizer and the metrics. */
import * as tf from '@tensorflow/tfjs';
import { createHash } from 'node:crypto';
import type { Dataset } from '../data/idx.js';
import type { ResolvedSpec } from '../spec/types.js';
import type { EpochMetrics, Misclassified } from '../result/types.js';
import { createStreams } from './rng.js';
import { planSchedule } from './schedule.js';
import { backward, blockOutputShapes, forwardEval, forwardTrain, initBuffers, initParams, nllLoss, PARAM_NAMES, type Buffers, type ModelConfig, type Params } from './model.js';
import { sgdStep, type SgdState } from './optimizer.js';
import { fillDropoutMask } from './dropout.js';
import { allocBatch, augmentConfigOf, fillBatch, selectSubset } from './batches.js';
import { permutation } from './rng.js';

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

export const MISCLASSIFIED_KEPT = 64;

function replace(target: Record<string, tf.Tensor>, next: Record<string, tf.Tensor>): void {
  for (const k of Object.keys(next)) {
    if (target[k] && target[k] !== next[k]) target[k].dispose();
    target[k] = next[k];
  }
}

export function hashWeights(p: Params, bufs: Buffers): string {
  const h = createHash('sha256');
  for (const k of [...PARAM_NAMES, ...Object.keys(bufs).sort()]) {
    const t = p[k] ?? bufs[k];
    h.update(k);
    h.update(Buffer.from((t.dataSync() as Float32Array).buffer));
  }
  return h.digest('hex');
}

export function evaluate(cfg: ModelConfig, p: Params, bufs: Buffers, ds: Dataset, testIdx: Uint32Array, batchSize: number) {
  let sumNll = 0;
  let correct = 0;
  const wrong: { index: number; actual: number; predicted: number }[] = [];
  let count = 0;
  const buf = allocBatch(batchSize);
  for (let start = 0; start < testIdx.length; start += batchSize) {
    const n = Math.min(batchSize, testIdx.length - start);
    fillBatch(ds.test, testIdx, start, n, buf, null);
    const [nll, pred] = tf.tidy(() => {
      const x = tf.tensor4d(buf.x.subarray(0, n * 784), [n, 28, 28, 1]);
      const y = tf.tensor1d(buf.y.subarray(0, n), 'int32');
      const logp = forwardEval(cfg, p, bufs, x);
      return [tf.neg(tf.sum(tf.mul(logp, tf.oneHot(y, 10)), 1)).dataSync(), tf.argMax(logp, 1).dataSync()];
    });
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

export function train(spec: ResolvedSpec, ds: Dataset, opts: { useMaxPoolKernel: boolean; onProgress?: (p: TrainProgress) => void }): TrainOutput {
  const streams = createStreams(spec.seed);
  const cfg: ModelConfig = spec.model;
  const t = spec.training;
  const trainIdx = selectSubset(ds.train.n, spec.dataset.trainSize, streams.subset.next);
  const testIdx = selectSubset(ds.test.n, spec.dataset.testSize, streams.subset.next);
  const stepsPerEpoch = Math.ceil(trainIdx.length / t.batchSize);
  const schedule = planSchedule(t.schedule, { lr: t.lr, momentum: t.momentum }, t.epochs * stepsPerEpoch);
  const augment = spec.augmentation.enabled ? { cfg: augmentConfigOf(spec.augmentation), rand: streams.augment.next } : null;

  const params: Params = initParams(streams.init.next);
  const bufs: Buffers = initBuffers(cfg);
  let sgd: SgdState = { buf: null };
  const epochs: EpochMetrics[] = [];
  const epochSeconds: number[] = [];
  const batch = allocBatch(t.batchSize);
  let lastEval: ReturnType<typeof evaluate> | null = null;

  try {
    for (let epoch = 1; epoch <= t.epochs; epoch++) {
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
        fillBatch(ds.train, indices, start, n, batch, augment);
        const masks = cfg.dropout > 0
          ? blockOutputShapes(n).map((shape) => {
              const m = new Float32Array(shape.reduce((a, b) => a * b, 1));
              fillDropoutMask(m, cfg.dropout, streams.dropout.next);
              return m;
            })
          : null;
        const hyper = schedule((epoch - 1) * stepsPerEpoch + s);
        lr = hyper.lr;
        const out = tf.tidy(() => {
          const x = tf.tensor4d(batch.x.subarray(0, n * 784), [n, 28, 28, 1]);
          const y = tf.tensor1d(batch.y.subarray(0, n), 'int32');
          const maskT = masks ? masks.map((m, i) => tf.tensor4d(m, blockOutputShapes(n)[i])) : Array(6).fill(null);
          const f = forwardTrain(cfg, params, bufs, x, maskT);
          const l = nllLoss(f.logp, y);
          const g = backward(cfg, params, f, l.dlogits, opts.useMaxPoolKernel);
          const upd = sgdStep(params, g, sgd, { lr: hyper.lr, momentum: hyper.momentum, weightDecay: t.weightDecay, l1: t.l1 });
          return { loss: l.loss, correct: l.correct, params: upd.params, buf: upd.state.buf!, bufs: f.newBuffers };
        });
        lossSum += out.loss.dataSync()[0];
        correct += out.correct.dataSync()[0];
        seen += n;
        out.loss.dispose();
        out.correct.dispose();
        replace(params, out.params);
        replace(bufs, out.bufs);
        if (sgd.buf) for (const k of Object.keys(sgd.buf)) sgd.buf[k].dispose();
        sgd = { buf: out.buf };
        opts.onProgress?.({ epoch, epochs: t.epochs, step: s + 1, steps: stepsPerEpoch });
      }
      lastEval = evaluate(cfg, params, bufs, ds, testIdx, t.evalBatchSize);
      const metrics: EpochMetrics = {
        epoch, trainLoss: lossSum / stepsPerEpoch, trainAcc: (100 * correct) / seen,
        testLoss: lastEval.testLoss, testAcc: lastEval.testAcc, lr,
      };
      epochs.push(metrics);
      epochSeconds.push((performance.now() - t0) / 1000);
      opts.onProgress?.({ epoch, epochs: t.epochs, step: stepsPerEpoch, steps: stepsPerEpoch, metrics });
    }
    return {
      epochs,
      misclassified: { epoch: t.epochs, count: lastEval!.count, samples: lastEval!.wrong },
      weightsSha256: hashWeights(params, bufs),
      trainSize: trainIdx.length,
      testSize: testIdx.length,
      epochSeconds,
    };
  } finally {
    for (const t of [...Object.values(params), ...Object.values(bufs), ...Object.values(sgd.buf ?? {})]) t.dispose();
  }
}
