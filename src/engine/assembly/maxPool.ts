// Gradient of a 2x2, stride-2, unpadded NHWC max pool. Each window sends dy to its FIRST maximum
// in row-major order (strict '>' from -Infinity, like tfjs-cpu: NaN never wins and an all-NaN
// window sends nothing). Windows do not overlap; dx cells outside every window get 0.

export function maxPoolGrad2x2(x: usize, dy: usize, dx: usize, n: i32, h: i32, wd: i32, ch: i32,
                               oh: i32, ow: i32): void {
  const cs = <usize>ch << 2;          // pixel stride, bytes
  const rs = <usize>wd * cs;          // row stride, bytes
  const zero = f32x4.splat(0);
  const negInf = f32x4.splat(-Infinity);
  for (let b = 0; b < n; b++) {
    for (let r = 0; r < oh; r++) {
      const rowOff = (<usize>(b * h + 2 * r)) * rs;
      const dyRow = dy + (<usize>(b * oh + r)) * (<usize>ow * cs);
      for (let q = 0; q < ow; q++) {
        const off = rowOff + (<usize>(2 * q)) * cs;
        const x00 = x + off, d00 = dx + off;
        const g0 = dyRow + <usize>q * cs;
        let c = 0;
        for (; c + 4 <= ch; c += 4) {
          const o = <usize>c << 2;
          const v0 = v128.load(x00 + o), v1 = v128.load(x00 + cs + o);
          const v2 = v128.load(x00 + rs + o), v3 = v128.load(x00 + rs + cs + o);
          let pos = i32x4.splat(-1);
          let m = negInf;
          let gt = f32x4.gt(v0, m); pos = v128.bitselect(i32x4.splat(0), pos, gt); m = v128.bitselect(v0, m, gt);
          gt = f32x4.gt(v1, m); pos = v128.bitselect(i32x4.splat(1), pos, gt); m = v128.bitselect(v1, m, gt);
          gt = f32x4.gt(v2, m); pos = v128.bitselect(i32x4.splat(2), pos, gt); m = v128.bitselect(v2, m, gt);
          gt = f32x4.gt(v3, m); pos = v128.bitselect(i32x4.splat(3), pos, gt);
          // '+ 0' turns -0 into +0, as tfjs-cpu's 'sum = 0; sum += dy' does.
          const g = f32x4.add(v128.load(g0 + o), zero);
          v128.store(d00 + o, v128.and(g, i32x4.eq(pos, i32x4.splat(0))));
          v128.store(d00 + cs + o, v128.and(g, i32x4.eq(pos, i32x4.splat(1))));
          v128.store(d00 + rs + o, v128.and(g, i32x4.eq(pos, i32x4.splat(2))));
          v128.store(d00 + rs + cs + o, v128.and(g, i32x4.eq(pos, i32x4.splat(3))));
        }
        for (; c < ch; c++) {
          const o = <usize>c << 2;
          const v0 = load<f32>(x00 + o), v1 = load<f32>(x00 + cs + o);
          const v2 = load<f32>(x00 + rs + o), v3 = load<f32>(x00 + rs + cs + o);
          let pos = -1;
          let m: f32 = -Infinity;
          if (v0 > m) { pos = 0; m = v0; }
          if (v1 > m) { pos = 1; m = v1; }
          if (v2 > m) { pos = 2; m = v2; }
          if (v3 > m) { pos = 3; }
          const g: f32 = load<f32>(g0 + o) + 0;
          store<f32>(d00 + o, pos == 0 ? g : 0);
          store<f32>(d00 + cs + o, pos == 1 ? g : 0);
          store<f32>(d00 + rs + o, pos == 2 ? g : 0);
          store<f32>(d00 + rs + cs + o, pos == 3 ? g : 0);
        }
      }
      // Odd width: the last column of both rows is in no window.
      for (let cc = 2 * ow; cc < wd; cc++) {
        for (let c = 0; c < ch; c++) {
          const o = (<usize>cc) * cs + (<usize>c << 2);
          store<f32>(dx + rowOff + o, 0);
          store<f32>(dx + rowOff + rs + o, 0);
        }
      }
    }
    // Odd height: the last rows are in no window.
    for (let rr = 2 * oh; rr < h; rr++) {
      const p = dx + (<usize>(b * h + rr)) * rs;
      for (let i = 0; i < wd * ch; i++) store<f32>(p + (<usize>i << 2), 0);
    }
  }
}
