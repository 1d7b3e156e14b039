import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { decodeCheckpoint, encodeCheckpoint, CheckpointCorrupt } from '../../src/train/checkpoint.js';
import { sampleCheckpoint as sample } from '../helpers/checkpoint.js';

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
