import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { dropPositions, fillDropoutMask, keepScale } from '../../src/train/dropout.js';
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

test('dropPositions: ascending, exactly the zeros of the mask from the same stream, and the same draws', () => {
  for (const [size, p] of [[200000, 0.03], [1000, 0.5], [5, 0.9], [1, 0.03]] as const) {
    let maskDraws = 0;
    let posDraws = 0;
    const a = createStream(3, 'dropout');
    const b = createStream(3, 'dropout');
    const m = new Float32Array(size);
    fillDropoutMask(m, p, () => { maskDraws++; return a.next(); });
    const pos = dropPositions(size, p, () => { posDraws++; return b.next(); });
    assert.is(posDraws, maskDraws, 'one stream position after either');
    assert.equal([...pos], [...m.keys()].filter((i) => m[i] === 0));
    for (let i = 1; i < pos.length; i++) assert.ok(pos[i] > pos[i - 1]);
    assert.ok(m.every((v) => v === 0 || v === keepScale(p)));
  }
});

test('dropPositions reuses a scratch buffer and grows past it', () => {
  const scratch = new Int32Array(4);
  const few = dropPositions(100, 0.01, createStream(1, 'dropout').next, scratch);
  assert.ok(few.length <= 4 ? few.buffer === scratch.buffer : true);
  const many = dropPositions(100000, 0.5, createStream(1, 'dropout').next, scratch);
  assert.ok(many.length > 4 && many.buffer !== scratch.buffer, 'grown');
  assert.is(dropPositions(100, 0, () => { throw new Error('no draws at p = 0'); }).length, 0);
});

test.run();
