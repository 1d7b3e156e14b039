import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { decodeCheckpoint, encodeCheckpoint, CheckpointCorrupt, type Checkpoint } from '../../src/train/checkpoint.js';

const sample = (): Checkpoint => ({
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

test('round trip is bit-exact for floats and streams', () => {
  const c = sample();
  const back = decodeCheckpoint(encodeCheckpoint(c));
  for (const k of Object.keys(c.state.params))
    assert.equal(Buffer.from(back.state.params[k].buffer), Buffer.from(c.state.params[k].buffer), k);
  assert.equal(Buffer.from(back.state.sgd!.c1.buffer), Buffer.from(c.state.sgd!.c1.buffer));
  assert.equal(back.state.streams, c.state.streams);
  assert.equal(back.state.epochs, c.state.epochs);
  assert.is(encodeCheckpoint(back), encodeCheckpoint(c));
});

test('torn, edited or foreign files are refused', () => {
  const text = encodeCheckpoint(sample());
  assert.throws(() => decodeCheckpoint(text.slice(0, text.length / 2)), (e: unknown) => e instanceof CheckpointCorrupt);
  assert.throws(() => decodeCheckpoint(text.replace('"epoch":1,', '"epoch":2,')), /checksum mismatch/);
  assert.throws(() => decodeCheckpoint('{"a":1}'), /not a normreg checkpoint/);
});

test.run();
