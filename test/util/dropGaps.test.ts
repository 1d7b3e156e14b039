import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { drawGaps, gapScale, newCursor, type GapState } from '../../src/util/dropGaps.js';
import { createStream } from '../../src/train/rng.js';

/** Positions and draw count of one layer drawn in one go into ample room. */
function whole(size: number, p: number) {
  const s = createStream(5, 'dropout');
  let draws = 0;
  const out = new Int32Array(size + 1);
  const cur = newCursor();
  assert.is(drawGaps(size, gapScale(p), () => { draws++; return s.next(); }, out, cur, Infinity), 'done');
  return { positions: [...out.subarray(0, cur.count)], draws, next: s.next() };
}

test('drawn in slices of any budget: the same positions, the same draws, the same stream after', () => {
  for (const [size, p] of [[50_000, 0.1], [1000, 0.5], [7, 0.9], [1, 0.03]] as const) {
    const ref = whole(size, p);
    for (const budget of [1, 3, 256]) {
      const s = createStream(5, 'dropout');
      let draws = 0;
      const out = new Int32Array(size + 1);
      const cur = newCursor();
      let st: GapState;
      let calls = 0;
      do {
        st = drawGaps(size, gapScale(p), () => { draws++; return s.next(); }, out, cur, budget);
        calls++;
      } while (st === 'more');
      assert.is(st, 'done');
      assert.equal([...out.subarray(0, cur.count)], ref.positions, `${size} ${p} budget ${budget}`);
      assert.is(draws, ref.draws);
      assert.is(s.next(), ref.next);
      assert.ok(calls >= Math.ceil(ref.draws / budget), 'each call stopped at its budget');
    }
  }
});

test('no room for a drawn position: \'full\', the position kept pending and written first into a larger buffer', () => {
  const ref = whole(10_000, 0.5);
  const s = createStream(5, 'dropout');
  let out = new Int32Array(10);
  const cur = newCursor();
  assert.is(drawGaps(10_000, gapScale(0.5), s.next, out, cur, Infinity), 'full');
  assert.is(cur.count, 10);
  assert.ok(cur.pending);
  assert.is(drawGaps(10_000, gapScale(0.5), s.next, out, cur, Infinity), 'full', 'still no room: nothing drawn');
  const grown = new Int32Array(10_000);
  grown.set(out);
  out = grown;
  assert.is(drawGaps(10_000, gapScale(0.5), s.next, out, cur, Infinity), 'done');
  assert.equal([...out.subarray(0, cur.count)], ref.positions);
  assert.is(s.next(), ref.next);
});

test('gapScale is log(1 - p)', () => {
  assert.is(gapScale(0.1), Math.log1p(-0.1));
  assert.is(gapScale(0), 0);
});

test.run();
