// Filter gradient of a stride-1 'valid' NHWC convolution, vectorized over output channels.
//   dw[kh, j, o] = sum_{n,r,c} x[n, r+kh, c, j] * dy[n, r, c, o]    (j = kw*Ci + i, contiguous in x)
// Fixed order: terms of a group of G whole images (G from the shapes only) are summed in f32 in
// (n, r, c) order, and group sums are added in f64 in group order; the result is rounded once.

@inline function add64(p: usize, v: v128): void {
  const lo = f64x2.promote_low_f32x4(v);
  const hi = f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 0, 1));
  v128.store(p, f64x2.add(v128.load(p), lo));
  v128.store(p, f64x2.add(v128.load(p, 16), hi), 16);
}

// Geometry shared by every tile of one call (set by conv2dFilterGrad, read by the tiles).
let gH: i32 = 0, gW: i32 = 0, gCi: i32 = 0, gCo: i32 = 0, gOh: i32 = 0, gOw: i32 = 0;

@inline function xStart(x: usize, b: i32, r: i32, k: i32, j: i32): usize {
  return x + (<usize>(((b * gH + r + k) * gW) * gCi + j) << 2);
}
@inline function dyStart(dy: usize, b: i32, r: i32, o: i32): usize {
  return dy + (<usize>(((b * gOh + r) * gOw) * gCo + o) << 2);
}

function t16j2(x: usize, dy: usize, acc: usize, b0: i32, bn: i32, k: i32, j: i32, o: i32, jj: i32): void {
  const xs = <usize>gCi << 2, ds = <usize>gCo << 2;
  let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0, b0v = a0, b1v = a0, b2v = a0, b3v = a0;
  for (let b = b0; b < b0 + bn; b++) {
    for (let r = 0; r < gOh; r++) {
      let xp = xStart(x, b, r, k, j), dp = dyStart(dy, b, r, o);
      for (let c = 0; c < gOw; c++) {
        const d0 = v128.load(dp), d1 = v128.load(dp, 16), d2 = v128.load(dp, 32), d3 = v128.load(dp, 48);
        const s = v128.load32_splat(xp), t = v128.load32_splat(xp, 4);
        a0 = f32x4.add(a0, f32x4.mul(s, d0)); a1 = f32x4.add(a1, f32x4.mul(s, d1));
        a2 = f32x4.add(a2, f32x4.mul(s, d2)); a3 = f32x4.add(a3, f32x4.mul(s, d3));
        b0v = f32x4.add(b0v, f32x4.mul(t, d0)); b1v = f32x4.add(b1v, f32x4.mul(t, d1));
        b2v = f32x4.add(b2v, f32x4.mul(t, d2)); b3v = f32x4.add(b3v, f32x4.mul(t, d3));
        xp += xs; dp += ds;
      }
    }
  }
  const p = acc + (<usize>((k * jj + j) * gCo + o) << 3), q = p + (<usize>gCo << 3);
  add64(p, a0); add64(p + 32, a1); add64(p + 64, a2); add64(p + 96, a3);
  add64(q, b0v); add64(q + 32, b1v); add64(q + 64, b2v); add64(q + 96, b3v);
}

function t16j1(x: usize, dy: usize, acc: usize, b0: i32, bn: i32, k: i32, j: i32, o: i32, jj: i32): void {
  const xs = <usize>gCi << 2, ds = <usize>gCo << 2;
  let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0;
  for (let b = b0; b < b0 + bn; b++) {
    for (let r = 0; r < gOh; r++) {
      let xp = xStart(x, b, r, k, j), dp = dyStart(dy, b, r, o);
      for (let c = 0; c < gOw; c++) {
        const s = v128.load32_splat(xp);
        a0 = f32x4.add(a0, f32x4.mul(s, v128.load(dp))); a1 = f32x4.add(a1, f32x4.mul(s, v128.load(dp, 16)));
        a2 = f32x4.add(a2, f32x4.mul(s, v128.load(dp, 32))); a3 = f32x4.add(a3, f32x4.mul(s, v128.load(dp, 48)));
        xp += xs; dp += ds;
      }
    }
  }
  const p = acc + (<usize>((k * jj + j) * gCo + o) << 3);
  add64(p, a0); add64(p + 32, a1); add64(p + 64, a2); add64(p + 96, a3);
}

function t8j4(x: usize, dy: usize, acc: usize, b0: i32, bn: i32, k: i32, j: i32, o: i32, jj: i32): void {
  const xs = <usize>gCi << 2, ds = <usize>gCo << 2;
  let a0 = f32x4.splat(0), a1 = a0, b0v = a0, b1v = a0, c0 = a0, c1 = a0, e0 = a0, e1 = a0;
  for (let b = b0; b < b0 + bn; b++) {
    for (let r = 0; r < gOh; r++) {
      let xp = xStart(x, b, r, k, j), dp = dyStart(dy, b, r, o);
      for (let c = 0; c < gOw; c++) {
        const d0 = v128.load(dp), d1 = v128.load(dp, 16);
        let s = v128.load32_splat(xp);
        a0 = f32x4.add(a0, f32x4.mul(s, d0)); a1 = f32x4.add(a1, f32x4.mul(s, d1));
        s = v128.load32_splat(xp, 4);
        b0v = f32x4.add(b0v, f32x4.mul(s, d0)); b1v = f32x4.add(b1v, f32x4.mul(s, d1));
        s = v128.load32_splat(xp, 8);
        c0 = f32x4.add(c0, f32x4.mul(s, d0)); c1 = f32x4.add(c1, f32x4.mul(s, d1));
        s = v128.load32_splat(xp, 12);
        e0 = f32x4.add(e0, f32x4.mul(s, d0)); e1 = f32x4.add(e1, f32x4.mul(s, d1));
        xp += xs; dp += ds;
      }
    }
  }
  const st = <usize>gCo << 3;
  const p = acc + (<usize>((k * jj + j) * gCo + o) << 3);
  add64(p, a0); add64(p + 32, a1);
  add64(p + st, b0v); add64(p + st + 32, b1v);
  add64(p + 2 * st, c0); add64(p + 2 * st + 32, c1);
  add64(p + 3 * st, e0); add64(p + 3 * st + 32, e1);
}

function t8j3(x: usize, dy: usize, acc: usize, b0: i32, bn: i32, k: i32, j: i32, o: i32, jj: i32): void {
  const xs = <usize>gCi << 2, ds = <usize>gCo << 2;
  let a0 = f32x4.splat(0), a1 = a0, b0v = a0, b1v = a0, c0 = a0, c1 = a0;
  for (let b = b0; b < b0 + bn; b++) {
    for (let r = 0; r < gOh; r++) {
      let xp = xStart(x, b, r, k, j), dp = dyStart(dy, b, r, o);
      for (let c = 0; c < gOw; c++) {
        const d0 = v128.load(dp), d1 = v128.load(dp, 16);
        let s = v128.load32_splat(xp);
        a0 = f32x4.add(a0, f32x4.mul(s, d0)); a1 = f32x4.add(a1, f32x4.mul(s, d1));
        s = v128.load32_splat(xp, 4);
        b0v = f32x4.add(b0v, f32x4.mul(s, d0)); b1v = f32x4.add(b1v, f32x4.mul(s, d1));
        s = v128.load32_splat(xp, 8);
        c0 = f32x4.add(c0, f32x4.mul(s, d0)); c1 = f32x4.add(c1, f32x4.mul(s, d1));
        xp += xs; dp += ds;
      }
    }
  }
  const st = <usize>gCo << 3;
  const p = acc + (<usize>((k * jj + j) * gCo + o) << 3);
  add64(p, a0); add64(p + 32, a1);
  add64(p + st, b0v); add64(p + st + 32, b1v);
  add64(p + 2 * st, c0); add64(p + 2 * st + 32, c1);
}

function t8j1(x: usize, dy: usize, acc: usize, b0: i32, bn: i32, k: i32, j: i32, o: i32, jj: i32): void {
  const xs = <usize>gCi << 2, ds = <usize>gCo << 2;
  let a0 = f32x4.splat(0), a1 = a0;
  for (let b = b0; b < b0 + bn; b++) {
    for (let r = 0; r < gOh; r++) {
      let xp = xStart(x, b, r, k, j), dp = dyStart(dy, b, r, o);
      for (let c = 0; c < gOw; c++) {
        const s = v128.load32_splat(xp);
        a0 = f32x4.add(a0, f32x4.mul(s, v128.load(dp))); a1 = f32x4.add(a1, f32x4.mul(s, v128.load(dp, 16)));
        xp += xs; dp += ds;
      }
    }
  }
  const p = acc + (<usize>((k * jj + j) * gCo + o) << 3);
  add64(p, a0); add64(p + 32, a1);
}

function t4j4(x: usize, dy: usize, acc: usize, b0: i32, bn: i32, k: i32, j: i32, o: i32, jj: i32): void {
  const xs = <usize>gCi << 2, ds = <usize>gCo << 2;
  let a0 = f32x4.splat(0), b0v = a0, c0 = a0, e0 = a0;
  for (let b = b0; b < b0 + bn; b++) {
    for (let r = 0; r < gOh; r++) {
      let xp = xStart(x, b, r, k, j), dp = dyStart(dy, b, r, o);
      for (let c = 0; c < gOw; c++) {
        const d0 = v128.load(dp);
        a0 = f32x4.add(a0, f32x4.mul(v128.load32_splat(xp), d0));
        b0v = f32x4.add(b0v, f32x4.mul(v128.load32_splat(xp, 4), d0));
        c0 = f32x4.add(c0, f32x4.mul(v128.load32_splat(xp, 8), d0));
        e0 = f32x4.add(e0, f32x4.mul(v128.load32_splat(xp, 12), d0));
        xp += xs; dp += ds;
      }
    }
  }
  const st = <usize>gCo << 3;
  const p = acc + (<usize>((k * jj + j) * gCo + o) << 3);
  add64(p, a0); add64(p + st, b0v); add64(p + 2 * st, c0); add64(p + 3 * st, e0);
}

function t4j1(x: usize, dy: usize, acc: usize, b0: i32, bn: i32, k: i32, j: i32, o: i32, jj: i32): void {
  const xs = <usize>gCi << 2, ds = <usize>gCo << 2;
  let a0 = f32x4.splat(0);
  for (let b = b0; b < b0 + bn; b++) {
    for (let r = 0; r < gOh; r++) {
      let xp = xStart(x, b, r, k, j), dp = dyStart(dy, b, r, o);
      for (let c = 0; c < gOw; c++) {
        a0 = f32x4.add(a0, f32x4.mul(v128.load32_splat(xp), v128.load(dp)));
        xp += xs; dp += ds;
      }
    }
  }
  add64(acc + (<usize>((k * jj + j) * gCo + o) << 3), a0);
}

function t1j1(x: usize, dy: usize, acc: usize, b0: i32, bn: i32, k: i32, j: i32, o: i32, jj: i32): void {
  const xs = <usize>gCi << 2, ds = <usize>gCo << 2;
  let a: f32 = 0;
  for (let b = b0; b < b0 + bn; b++) {
    for (let r = 0; r < gOh; r++) {
      let xp = xStart(x, b, r, k, j), dp = dyStart(dy, b, r, o);
      for (let c = 0; c < gOw; c++) {
        a += load<f32>(xp) * load<f32>(dp);
        xp += xs; dp += ds;
      }
    }
  }
  const p = acc + (<usize>((k * jj + j) * gCo + o) << 3);
  store<f64>(p, load<f64>(p) + <f64>a);
}

// Terms per f32 partial sum: whole images, about this many output pixels.
const GROUP_PIXELS: i32 = 1024;

// acc: scratch of kh*kw*ci*co f64 (8-byte aligned); dw receives the f32 result.
export function conv2dFilterGrad(x: usize, dy: usize, dw: usize, acc: usize, n: i32, h: i32, wd: i32,
                                 ci: i32, kh: i32, kw: i32, co: i32, oh: i32, ow: i32): void {
  conv2dFilterGradPart(x, dy, dw, acc, n, h, wd, ci, kh, kw, co, oh, ow, 0, kw * ci);
}

/**
 * The outputs dw[k, j, o] with jLo <= j < jHi only (j = kw*Ci + i), for every k and o. Each output
 * is computed exactly as by the whole call (its lanes see the same terms in the same order), so
 * two threads taking disjoint j ranges produce the whole call's bytes.
 */
export function conv2dFilterGradPart(x: usize, dy: usize, dw: usize, acc: usize, n: i32, h: i32, wd: i32,
                                     ci: i32, kh: i32, kw: i32, co: i32, oh: i32, ow: i32,
                                     jLo: i32, jHi: i32): void {
  gH = h; gW = wd; gCi = ci; gCo = co; gOh = oh; gOw = ow;
  const jj = kw * ci;
  for (let k = 0; k < kh; k++) {
    for (let i = (k * jj + jLo) * co; i < (k * jj + jHi) * co; i++) store<f64>(acc + (<usize>i << 3), 0);
  }
  let g = GROUP_PIXELS / (oh * ow);
  if (g < 1) g = 1;
  for (let b0 = 0; b0 < n; b0 += g) {
    const bn = n - b0 < g ? n - b0 : g;
    for (let k = 0; k < kh; k++) {
      let o = 0;
      for (; o + 16 <= co; o += 16) {
        let j = jLo;
        for (; j + 2 <= jHi; j += 2) t16j2(x, dy, acc, b0, bn, k, j, o, jj);
        for (; j < jHi; j++) t16j1(x, dy, acc, b0, bn, k, j, o, jj);
      }
      for (; o + 8 <= co; o += 8) {
        let j = jLo;
        for (; j + 4 <= jHi; j += 4) t8j4(x, dy, acc, b0, bn, k, j, o, jj);
        if (j + 3 <= jHi) { t8j3(x, dy, acc, b0, bn, k, j, o, jj); j += 3; }
        for (; j < jHi; j++) t8j1(x, dy, acc, b0, bn, k, j, o, jj);
      }
      for (; o + 4 <= co; o += 4) {
        let j = jLo;
        for (; j + 4 <= jHi; j += 4) t4j4(x, dy, acc, b0, bn, k, j, o, jj);
        for (; j < jHi; j++) t4j1(x, dy, acc, b0, bn, k, j, o, jj);
      }
      for (; o < co; o++) {
        for (let j = jLo; j < jHi; j++) t1j1(x, dy, acc, b0, bn, k, j, o, jj);
      }
    }
  }
  for (let k = 0; k < kh; k++) {
    for (let i = (k * jj + jLo) * co; i < (k * jj + jHi) * co; i++) {
      store<f32>(dw + (<usize>i << 2), <f32>load<f64>(acc + (<usize>i << 3)));
    }
  }
}
