// Element-wise passes of the compiled training step (src/train/compiledStep.ts). Each is the same
// single f32 operation per element as the tfjs op it replaces on tfjs-backend-wasm, so results are
// bit-identical; only the dispatch and the extra passes over memory go away.

/** y = max(x, 0) (tf.relu). A zero keeps no sign of its own downstream: norm subtracts the mean. */
export function reluForward(x: usize, y: usize, size: i32): void {
  const zero = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= size; i += 4) {
    const o = <usize>i << 2;
    v128.store(y + o, f32x4.max(v128.load(x + o), zero));
  }
  for (; i < size; i++) {
    const o = <usize>i << 2;
    const v = load<f32>(x + o);
    store<f32>(y + o, v > 0 ? v : (v != v ? v : 0));
  }
}

/** d *= step(x): 1 where x > 0, NaN where x is NaN, else 0 (tf.mul(d, tf.step(x, 0))). */
export function reluGrad(d: usize, x: usize, size: i32): void {
  const one = f32x4.splat(1);
  const zero = f32x4.splat(0);
  const nan = f32x4.splat(NaN);
  let i = 0;
  for (; i + 4 <= size; i += 4) {
    const o = <usize>i << 2;
    const v = v128.load(x + o);
    let s = v128.bitselect(one, zero, f32x4.gt(v, zero));
    s = v128.bitselect(nan, s, f32x4.ne(v, v));
    v128.store(d + o, f32x4.mul(v128.load(d + o), s));
  }
  for (; i < size; i++) {
    const o = <usize>i << 2;
    const v = load<f32>(x + o);
    const s: f32 = v != v ? NaN : (v > 0 ? 1 : 0);
    store<f32>(d + o, load<f32>(d + o) * s);
  }
}

/** Gradient of a global average pool: dx[b, p, c] = dy[b, c] / hw (tf.mul(onesLike(x), tf.div(dy, hw))). */
export function globalAvgPoolGrad(dy: usize, dx: usize, n: i32, hw: i32, c: i32): void {
  const div = <f32>hw;
  for (let b = 0; b < n; b++) {
    const src = dy + (<usize>(b * c) << 2);
    const dst = dx + (<usize>(b * hw * c) << 2);
    for (let ch = 0; ch < c; ch++) {
      const v = load<f32>(src + (<usize>ch << 2)) / div;
      for (let p = 0; p < hw; p++) store<f32>(dst + (<usize>(p * c + ch) << 2), v * 1);
    }
  }
}

/** Dropout on elements [from, to) of a: a[pos] = a[pos] * 0 (a signed zero, or NaN for an infinite
 * or NaN a) at each dropped position (ascending i32s, all in [from, to)), then a *= keep over the
 * range, which leaves those products unchanged. So each element gets tf.mul(a, mask)'s product bit
 * for bit, and the two halves of a split (from = 0, and from = the split point with the positions
 * from dropoutSplit on) each do their own part of both passes. */
export function dropoutApply(a: usize, positions: usize, count: i32, from: i32, to: i32, keep: f32): void {
  for (let i = 0; i < count; i++) {
    const o = <usize>load<i32>(positions + (<usize>i << 2)) << 2;
    store<f32>(a + o, load<f32>(a + o) * 0);
  }
  scaleInPlace(a + (<usize>from << 2), to - from, keep);
}

/** How many of the ascending positions fall below m: the first half's share of a split at m. */
export function dropoutSplit(positions: usize, count: i32, m: i32): i32 {
  let lo = 0;
  let hi = count;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (load<i32>(positions + (<usize>mid << 2)) < m) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** a *= s for every element. */
@inline function scaleInPlace(a: usize, size: i32, s: f32): void {
  const k = f32x4.splat(s);
  let i = 0;
  for (; i + 4 <= size; i += 4) {
    const o = <usize>i << 2;
    v128.store(a + o, f32x4.mul(v128.load(a + o), k));
  }
  for (; i < size; i++) {
    const o = <usize>i << 2;
    store<f32>(a + o, load<f32>(a + o) * s);
  }
}
