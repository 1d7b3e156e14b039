// The two transposed matrix products of a 1x1 convolution's backward pass, with the summation
// order of tfjs-backend-wasm's own BatchMatMul for transposed operands (its blocked loop): each
// output starts at +0 and adds, block after block of 48 along the shared dimension, that block's
// sum of products taken in order from +0. Lanes run over output columns, so every output keeps
// exactly that order; the speed comes from SIMD and contiguous loads, not from a new order.

const BLOCK: i32 = 48;

/** out[i, j] = sum over t of a[t, i] * b[t, j]; a [shared, left], b [shared, right] (tf.matMul(a, b, true, false)).
 * Rows i in [iLo, iHi) only, so two threads can take disjoint halves. */
export function matMulTransA(a: usize, b: usize, out: usize, shared: i32, left: i32, right: i32, iLo: i32, iHi: i32): void {
  const zero = f32x4.splat(0);
  const rb = <usize>right << 2;
  const lb = <usize>left << 2;
  for (let i = iLo; i < iHi; i++) {
    const orow = out + <usize>i * rb;
    let j = 0;
    for (; j + 4 <= right; j += 4) {
      let acc = zero;
      for (let t0 = 0; t0 < shared; t0 += BLOCK) {
        const t1 = min(t0 + BLOCK, shared);
        let sum = zero;
        let ap = a + <usize>t0 * lb + (<usize>i << 2);
        let bp = b + <usize>t0 * rb + (<usize>j << 2);
        for (let t = t0; t < t1; t++, ap += lb, bp += rb) {
          sum = f32x4.add(sum, f32x4.mul(v128.load32_splat(ap), v128.load(bp)));
        }
        acc = f32x4.add(acc, sum);
      }
      v128.store(orow + (<usize>j << 2), acc);
    }
    for (; j < right; j++) {
      let acc: f32 = 0;
      for (let t0 = 0; t0 < shared; t0 += BLOCK) {
        const t1 = min(t0 + BLOCK, shared);
        let sum: f32 = 0;
        for (let t = t0; t < t1; t++) sum += load<f32>(a + <usize>t * lb + (<usize>i << 2)) * load<f32>(b + <usize>t * rb + (<usize>j << 2));
        acc = acc + sum;
      }
      store<f32>(orow + (<usize>j << 2), acc);
    }
  }
}

/** out[r, i] = sum over t of a[r, t] * w[i, t]; a [rows, shared], w [right, shared] (tf.matMul(a, w, false, true)).
 * wt is scratch for w transposed ([shared, right]). Rows r in [rLo, rHi). */
export function matMulTransB(a: usize, w: usize, wt: usize, out: usize, shared: i32, right: i32, rLo: i32, rHi: i32): void {
  const zero = f32x4.splat(0);
  for (let i = 0; i < right; i++)
    for (let t = 0; t < shared; t++) store<f32>(wt + (<usize>(t * right + i) << 2), load<f32>(w + (<usize>(i * shared + t) << 2)));
  const sb = <usize>shared << 2;
  const rb = <usize>right << 2;
  for (let r = rLo; r < rHi; r++) {
    const arow = a + <usize>r * sb;
    const orow = out + <usize>r * rb;
    let i = 0;
    for (; i + 4 <= right; i += 4) {
      let acc = zero;
      for (let t0 = 0; t0 < shared; t0 += BLOCK) {
        const t1 = min(t0 + BLOCK, shared);
        let sum = zero;
        for (let t = t0; t < t1; t++) {
          sum = f32x4.add(sum, f32x4.mul(v128.load32_splat(arow + (<usize>t << 2)), v128.load(wt + <usize>t * rb + (<usize>i << 2))));
        }
        acc = f32x4.add(acc, sum);
      }
      v128.store(orow + (<usize>i << 2), acc);
    }
    for (; i < right; i++) {
      let acc: f32 = 0;
      for (let t0 = 0; t0 < shared; t0 += BLOCK) {
        const t1 = min(t0 + BLOCK, shared);
        let sum: f32 = 0;
        for (let t = t0; t < t1; t++) sum += load<f32>(arow + (<usize>t << 2)) * load<f32>(wt + (<usize>(t * right + i) << 2));
        acc = acc + sum;
      }
      store<f32>(orow + (<usize>i << 2), acc);
    }
  }
}
