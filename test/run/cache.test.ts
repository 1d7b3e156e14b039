import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash } from 'node:crypto';
import { encodeCheckpoint, CheckpointCorrupt, type Checkpoint } from '../../src/train/checkpoint.js';
import { checkCheckpointText } from '../../src/run/cache.js';

const sample = (): Checkpoint => ({
  format: 1, fingerprint: 'f'.repeat(64),
  state: {
    epoch: 1,
    params: { c1: Float32Array.from([0.1, -0.2, 3e-8, Number.MIN_VALUE]) },
    buffers: { 'n1.running_mean': Float32Array.from([0.5]) },
    sgd: { c1: Float32Array.from([1e-3, 2, -0, 7]) },
    streams: { shuffle: { c: 1, s0: 0.25, s1: 0.5, s2: 0.75 } },
    epochs: [{ epoch: 1, trainLoss: 1.23456789012, trainAcc: 50, testLoss: 1, testAcc: 60, lr: 0.01 }],
    epochSeconds: [1.5],
    lastEval: { count: 1, wrong: [{ index: 3, actual: 1, predicted: 2 }], testLoss: 1, testAcc: 60 },
  },
});

/** A checkpoint whose checksum is right but whose body is not what the harness writes. */
function forged(edit: (body: any) => void): string {
  const body = JSON.parse(/"body":(.*)\}\n$/s.exec(encodeCheckpoint(sample()))![1]);
  edit(body);
  const text = JSON.stringify(body);
  return `{"sha256":"${createHash('sha256').update(text).digest('hex')}","body":${text}}\n`;
}

test('a body with the right checksum is still checked: schema, ranges, epochs against state.epoch', () => {
  assert.ok(checkCheckpointText(forged(() => {})));
  const why = (edit: (b: any) => void) => { try { checkCheckpointText(forged(edit)); return 'accepted'; } catch (e) { assert.instance(e, CheckpointCorrupt); return (e as Error).message; } };
  assert.is(why((b) => { b.state.epochs[0].testAcc = 140; }), '/state/epochs/0/testAcc: must be <= 100 (got 140)');
  assert.is(why((b) => { b.state.epochs[0].trainLoss = 'low'; }), '/state/epochs/0/trainLoss: must be number (got "low")');
  assert.is(why((b) => { b.state.params.c1 = 12; }), 'params.c1 is not base64 text');
  assert.is(why((b) => { b.state.params.c1 = 'AAAAAA==*'; }), '/state/params/c1: "AAAAAA==*" does not match ^[A-Za-z0-9+/]*={0,2}$');
  assert.is(why((b) => { b.fingerprint = 'x'; }), '/fingerprint: "x" does not match ^[0-9a-f]{64}$');
  assert.is(why((b) => { delete b.state.lastEval; }), "/state: missing required key 'lastEval'");
  assert.is(why((b) => { b.state.epoch = 2; }), 'state.epochs does not match state.epoch');
  assert.is(why((b) => { b.state.epochSeconds = []; }), '/state/epochSeconds: 0 time(s) listed, but /state/epoch is 1');
  assert.is(why((b) => { b.state.epochs[0].epoch = 2; }), '/state/epochs/0/epoch: is 2, expected 1');
});

test.run();
