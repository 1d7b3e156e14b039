// Stride-1 NHWC convolution with zero padding, vectorized over output channels.
//   y[n,r,c,o] = sum_{kh,kw,i} x[n, r+kh-padT, c+kw-padL, i] * w[kh,kw,i,o]
// Every output sums its terms in the order kh, then (kw, i): fixed by the shapes alone.
// With padT = padL = 0 this is a 'valid' forward conv; with padT = KH-1, padL = KW-1 and a
// flipped, in/out-swapped filter it is the input gradient (see conv2dBackpropInput).

// A "pixel run": nPix output pixels that share one (kh range, j range), j = kw*Ci + i.
// x of pixel p, row k, term j is at xp + k*xr + p*xs + 4*j; w of row k, term j, channel o is
// at wp + k*wr + j*wj + 4*o.

@inline function c16p2(xp: usize, xs: usize, xr: usize, wp: usize, wr: usize, wj: usize,
                       nk: i32, jn: i32, yp: usize, ys: usize): void {
  let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
  for (let k = 0; k < nk; k++) {
    let xa = xp + <usize>k * xr;
    let wq = wp + <usize>k * wr;
    for (let j = 0; j < jn; j++) {
      const w0 = v128.load(wq), w1 = v128.load(wq, 16), w2 = v128.load(wq, 32), w3 = v128.load(wq, 48);
      const s = v128.load32_splat(xa);
      const t = v128.load32_splat(xa + xs);
      a0 = f32x4.add(a0, f32x4.mul(s, w0)); a1 = f32x4.add(a1, f32x4.mul(s, w1));
      a2 = f32x4.add(a2, f32x4.mul(s, w2)); a3 = f32x4.add(a3, f32x4.mul(s, w3));
      b0 = f32x4.add(b0, f32x4.mul(t, w0)); b1 = f32x4.add(b1, f32x4.mul(t, w1));
      b2 = f32x4.add(b2, f32x4.mul(t, w2)); b3 = f32x4.add(b3, f32x4.mul(t, w3));
      xa += 4; wq += wj;
    }
  }
  v128.store(yp, a0); v128.store(yp, a1, 16); v128.store(yp, a2, 32); v128.store(yp, a3, 48);
  const yq = yp + ys;
  v128.store(yq, b0); v128.store(yq, b1, 16); v128.store(yq, b2, 32); v128.store(yq, b3, 48);
}

@inline function c16p1(xp: usize, xr: usize, wp: usize, wr: usize, wj: usize,
                       nk: i32, jn: i32, yp: usize): void {
  let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0;
  for (let k = 0; k < nk; k++) {
    let xa = xp + <usize>k * xr;
    let wq = wp + <usize>k * wr;
    for (let j = 0; j < jn; j++) {
      const s = v128.load32_splat(xa);
      a0 = f32x4.add(a0, f32x4.mul(s, v128.load(wq)));
      a1 = f32x4.add(a1, f32x4.mul(s, v128.load(wq, 16)));
      a2 = f32x4.add(a2, f32x4.mul(s, v128.load(wq, 32)));
      a3 = f32x4.add(a3, f32x4.mul(s, v128.load(wq, 48)));
      xa += 4; wq += wj;
    }
  }
  v128.store(yp, a0); v128.store(yp, a1, 16); v128.store(yp, a2, 32); v128.store(yp, a3, 48);
}

@inline function c8p4(xp: usize, xs: usize, xr: usize, wp: usize, wr: usize, wj: usize,
                      nk: i32, jn: i32, yp: usize, ys: usize): void {
  let a0 = f32x4.splat(0), a1 = a0, b0 = a0, b1 = a0, c0 = a0, c1 = a0, d0 = a0, d1 = a0;
  for (let k = 0; k < nk; k++) {
    let xa = xp + <usize>k * xr;
    let wq = wp + <usize>k * wr;
    for (let j = 0; j < jn; j++) {
      const w0 = v128.load(wq), w1 = v128.load(wq, 16);
      let s = v128.load32_splat(xa);
      a0 = f32x4.add(a0, f32x4.mul(s, w0)); a1 = f32x4.add(a1, f32x4.mul(s, w1));
      s = v128.load32_splat(xa + xs);
      b0 = f32x4.add(b0, f32x4.mul(s, w0)); b1 = f32x4.add(b1, f32x4.mul(s, w1));
      s = v128.load32_splat(xa + 2 * xs);
      c0 = f32x4.add(c0, f32x4.mul(s, w0)); c1 = f32x4.add(c1, f32x4.mul(s, w1));
      s = v128.load32_splat(xa + 3 * xs);
      d0 = f32x4.add(d0, f32x4.mul(s, w0)); d1 = f32x4.add(d1, f32x4.mul(s, w1));
      xa += 4; wq += wj;
    }
  }
  v128.store(yp, a0); v128.store(yp, a1, 16);
  v128.store(yp + ys, b0); v128.store(yp + ys, b1, 16);
  v128.store(yp + 2 * ys, c0); v128.store(yp + 2 * ys, c1, 16);
  v128.store(yp + 3 * ys, d0); v128.store(yp + 3 * ys, d1, 16);
}

@inline function c8p1(xp: usize, xr: usize, wp: usize, wr: usize, wj: usize,
                      nk: i32, jn: i32, yp: usize): void {
  let a0 = f32x4.splat(0), a1 = a0;
  for (let k = 0; k < nk; k++) {
    let xa = xp + <usize>k * xr;
    let wq = wp + <usize>k * wr;
    for (let j = 0; j < jn; j++) {
      const s = v128.load32_splat(xa);
      a0 = f32x4.add(a0, f32x4.mul(s, v128.load(wq)));
      a1 = f32x4.add(a1, f32x4.mul(s, v128.load(wq, 16)));
      xa += 4; wq += wj;
    }
  }
  v128.store(yp, a0); v128.store(yp, a1, 16);
}

@inline function c4p4(xp: usize, xs: usize, xr: usize, wp: usize, wr: usize, wj: usize,
                      nk: i32, jn: i32, yp: usize, ys: usize): void {
  let a0 = f32x4.splat(0), b0 = a0, c0 = a0, d0 = a0;
  for (let k = 0; k < nk; k++) {
    let xa = xp + <usize>k * xr;
    let wq = wp + <usize>k * wr;
    for (let j = 0; j < jn; j++) {
      const w0 = v128.load(wq);
      a0 = f32x4.add(a0, f32x4.mul(v128.load32_splat(xa), w0));
      b0 = f32x4.add(b0, f32x4.mul(v128.load32_splat(xa + xs), w0));
      c0 = f32x4.add(c0, f32x4.mul(v128.load32_splat(xa + 2 * xs), w0));
      d0 = f32x4.add(d0, f32x4.mul(v128.load32_splat(xa + 3 * xs), w0));
      xa += 4; wq += wj;
    }
  }
  v128.store(yp, a0); v128.store(yp + ys, b0); v128.store(yp + 2 * ys, c0); v128.store(yp + 3 * ys, d0);
}

@inline function c4p1(xp: usize, xr: usize, wp: usize, wr: usize, wj: usize,
                      nk: i32, jn: i32, yp: usize): void {
  let a0 = f32x4.splat(0);
  for (let k = 0; k < nk; k++) {
    let xa = xp + <usize>k * xr;
    let wq = wp + <usize>k * wr;
    for (let j = 0; j < jn; j++) {
      a0 = f32x4.add(a0, f32x4.mul(v128.load32_splat(xa), v128.load(wq)));
      xa += 4; wq += wj;
    }
  }
  v128.store(yp, a0);
}

@inline function c1p1(xp: usize, xr: usize, wp: usize, wr: usize, wj: usize,
                      nk: i32, jn: i32, yp: usize): void {
  let a: f32 = 0;
  for (let k = 0; k < nk; k++) {
    let xa = xp + <usize>k * xr;
    let wq = wp + <usize>k * wr;
    for (let j = 0; j < jn; j++) {
      a += load<f32>(xa) * load<f32>(wq);
      xa += 4; wq += wj;
    }
  }
  store<f32>(yp, a);
}

// All output channels of nPix consecutive pixels that share one kh range and one j range.
function runPixels(xp: usize, xs: usize, xr: usize, wp: usize, wr: usize, co: i32,
                   nk: i32, jn: i32, yp: usize, nPix: i32): void {
  const wj = <usize>co << 2;
  const ys = wj;
  let o = 0;
  for (; o + 16 <= co; o += 16) {
    const wo = wp + (<usize>o << 2), yo = yp + (<usize>o << 2);
    let p = 0;
    for (; p + 2 <= nPix; p += 2) {
      c16p2(xp + <usize>p * xs, xs, xr, wo, wr, wj, nk, jn, yo + <usize>p * ys, ys);
    }
    if (p < nPix) c16p1(xp + <usize>p * xs, xr, wo, wr, wj, nk, jn, yo + <usize>p * ys);
  }
  for (; o + 8 <= co; o += 8) {
    const wo = wp + (<usize>o << 2), yo = yp + (<usize>o << 2);
    let p = 0;
    for (; p + 4 <= nPix; p += 4) {
      c8p4(xp + <usize>p * xs, xs, xr, wo, wr, wj, nk, jn, yo + <usize>p * ys, ys);
    }
    for (; p < nPix; p++) c8p1(xp + <usize>p * xs, xr, wo, wr, wj, nk, jn, yo + <usize>p * ys);
  }
  for (; o + 4 <= co; o += 4) {
    const wo = wp + (<usize>o << 2), yo = yp + (<usize>o << 2);
    let p = 0;
    for (; p + 4 <= nPix; p += 4) {
      c4p4(xp + <usize>p * xs, xs, xr, wo, wr, wj, nk, jn, yo + <usize>p * ys, ys);
    }
    for (; p < nPix; p++) c4p1(xp + <usize>p * xs, xr, wo, wr, wj, nk, jn, yo + <usize>p * ys);
  }
  for (; o < co; o++) {
    const wo = wp + (<usize>o << 2), yo = yp + (<usize>o << 2);
    for (let p = 0; p < nPix; p++) c1p1(xp + <usize>p * xs, xr, wo, wr, wj, nk, jn, yo + <usize>p * ys);
  }
}

@inline function imax(a: i32, b: i32): i32 { return a > b ? a : b; }
@inline function imin(a: i32, b: i32): i32 { return a < b ? a : b; }

function zeroRun(yp: usize, count: i32): void {
  for (let i = 0; i < count; i++) store<f32>(yp + (<usize>i << 2), 0);
}

export function conv2dPadded(x: usize, w: usize, y: usize, n: i32, h: i32, wd: i32, ci: i32,
                             kh: i32, kw: i32, co: i32, oh: i32, ow: i32, padT: i32, padL: i32): void {
  const xs = <usize>ci << 2;                 // x pixel stride, bytes
  const xr = <usize>wd * xs;                 // x row stride, bytes
  const wr = <usize>kw * <usize>ci * <usize>co << 2; // w stride per kh, bytes
  const yRow = <usize>ow * <usize>co << 2;
  // Output columns whose whole kw range lies inside x.
  const cLo = imin(ow, padL);
  const cHi = imax(cLo, imin(ow, wd + padL - kw + 1));
  for (let b = 0; b < n; b++) {
    for (let r = 0; r < oh; r++) {
      const yp = y + (<usize>(b * oh + r)) * yRow;
      const khLo = imax(0, padT - r), khHi = imin(kh, h + padT - r);
      const nk = khHi - khLo;
      if (nk <= 0) { zeroRun(yp, ow * co); continue; }
      const xRow = x + (<usize>(b * h + r + khLo - padT)) * xr; // x row of kh = khLo, column 0
      const wK = w + <usize>khLo * wr;
      for (let c = 0; c < ow; c++) {
        if (c == cLo && cHi > cLo) {
          runPixels(xRow + <usize>(cLo - padL) * xs, xs, xr, wK, wr, co, nk, kw * ci,
                    yp + <usize>cLo * (<usize>co << 2), cHi - cLo);
          c = cHi - 1;
          continue;
        }
        const kwLo = imax(0, padL - c), kwHi = imin(kw, wd + padL - c);
        const yc = yp + <usize>c * (<usize>co << 2);
        if (kwHi <= kwLo) { zeroRun(yc, co); continue; }
        runPixels(xRow + <usize>(c + kwLo - padL) * xs, xs, xr, wK + <usize>(kwLo * ci * co) * 4, wr, co,
                  nk, (kwHi - kwLo) * ci, yc, 1);
      }
    }
  }
}

// wt[kh',kw',o,i] = w[KH-1-kh', KW-1-kw', i, o]: the filter of the input gradient as a forward conv.
export function flipSwapFilter(w: usize, wt: usize, kh: i32, kw: i32, ci: i32, co: i32): void {
  for (let a = 0; a < kh; a++) {
    for (let b = 0; b < kw; b++) {
      const src = w + (<usize>(((kh - 1 - a) * kw + (kw - 1 - b)) * ci * co) << 2);
      const dst = wt + (<usize>((a * kw + b) * co * ci) << 2);
      for (let i = 0; i < ci; i++) {
        for (let o = 0; o < co; o++) {
          store<f32>(dst + (<usize>(o * ci + i) << 2), load<f32>(src + (<usize>(i * co + o) << 2)));
        }
      }
    }
  }
}
