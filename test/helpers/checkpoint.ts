import type { Checkpoint } from '../../src/train/checkpoint.js';

/** A small checkpoint with the floats a codec gets wrong first: a subnormal, a tiny weight, −0. */
export const sampleCheckpoint = (): Checkpoint => ({
  format: 1, fingerprint: 'f'.repeat(64),
  state: {
    epoch: 1,
    params: { c1: Float32Array.from([0.1, -0.2, 3e-8, Number.MIN_VALUE]), 'n1.weight': Float32Array.from([1, 1]) },
    buffers: { 'n1.running_mean': Float32Array.from([0.5]) },
    sgd: { c1: Float32Array.from([1e-3, 2, -0, 7]) },
    streams: { shuffle: { c: 1, s0: 0.25, s1: 0.5, s2: 0.75 } },
    epochs: [{ epoch: 1, trainLoss: 1.23456789012, trainAcc: 50, testLoss: 1, testAcc: 60, lr: 0.01 }],
    epochSeconds: [1.5],
    lastEval: { count: 1, wrong: [{ index: 3, actual: 1, predicted: 2 }], testLoss: 1, testAcc: 60 },
  },
});
