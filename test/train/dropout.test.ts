import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fillDropoutMask } from '../../src/train/dropout.js';
import { createStream, permutation } from '../../src/train/rng.js';

test('dropout mask: drop rate near p, kept values scaled by 1/(1-p), seeded', () => {
  const m = new Float32Array(200000);
  fillDropoutMask(m, 0.03, createStream(1, 'dropout').next);
  const dropped = m.filter((v) => v === 0).length;
  assert.ok(Math.abs(dropped / m.length - 0.03) < 0.002, `rate ${dropped / m.length}`);
  assert.ok(m.every((v) => v === 0 || v === Math.fround(1 / 0.97)));
  const m2 = new Float32Array(200000);
  fillDropoutMask(m2, 0.03, createStream(1, 'dropout').next);
  assert.equal(Buffer.from(m.buffer), Buffer.from(m2.buffer));
  const m3 = new Float32Array(200000);
  fillDropoutMask(m3, 0.03, createStream(2, 'dropout').next);
  assert.not.equal(Buffer.from(m.buffer), Buffer.from(m3.buffer));
});

test('p = 0 keeps everything and draws nothing', () => {
  let draws = 0;
  const m = new Float32Array(100);
  fillDropoutMask(m, 0, () => { draws++; return 0.5; });
  assert.is(draws, 0);
  assert.ok(m.every((v) => v === 1));
});

test('streams are independent and restorable; permutation is a permutation', () => {
  const a = createStream(1, 'shuffle');
  a.next();
  const st = a.state();
  const x = a.next();
  assert.is(createStream(1, 'shuffle', st).next(), x);
  assert.is.not(createStream(1, 'shuffle').next(), createStream(1, 'augment').next());
  const p = permutation(1000, createStream(1, 'shuffle').next);
  assert.equal([...p].sort((u, v) => u - v), Array.from({ length: 1000 }, (_, i) => i));
});

test.run();
