// BatchNorm / GroupNorm statistics and backward reductions on NHWC float32 tensors, with every
// sum accumulated in f64 in a fixed order set by the shapes alone (SIMD lanes are channels, so
// no reordering; two threads split samples only, see the phases below).
// A "statistic" s is a channel (batch: over N,H,W) or a (sample, group) pair (group: over H,W and
// the group's C/G channels). Both passes first sum per (sample, channel) over pixels in pixel
// order, then combine those partial sums in (sample, channel) order.
// Scratch `acc` (8-byte aligned): 2*n*c + 2*S + 3*c f64 values (S statistics).

@inline function ld(p: usize, i: i32): f64 { return <f64>load<f32>(p + (<usize>i << 2)); }
@inline function ld64(p: usize, i: i32): f64 { return load<f64>(p + (<usize>i << 3)); }
@inline function st64(p: usize, i: i32, v: f64): void { store<f64>(p + (<usize>i << 3), v); }
@inline function st(p: usize, i: i32, v: f64): void { store<f32>(p + (<usize>i << 2), <f32>v); }
// SIMD: lanes are channels, so every channel's sum still adds the same f64 terms in the same
// order as the scalar loops (f32 -> f64 promotion and f64 -> f32 rounding are exact / identical).
@inline function promLo(v: v128): v128 { return f64x2.promote_low_f32x4(v); }
@inline function promHi(v: v128): v128 { return f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 0, 1)); }
/** Two f64x2 (channels 0-1, 2-3) rounded to one f32x4. */
@inline function pack(lo: v128, hi: v128): v128 {
  return v128.shuffle<f32>(f32x4.demote_f64x2_zero(lo), f32x4.demote_f64x2_zero(hi), 0, 1, 4, 5);
}

/** pixelSums for channels ch..ch+7, the eight running sums kept in registers. */
function pixelSums8(xs: usize, row: usize, hw: i32, c: i32, ch: i32, mc: usize, centered: bool): void {
  let a0 = f64x2.splat(0), a1 = a0, a2 = a0, a3 = a0;
  let xp = xs + (<usize>ch << 2);
  const stride = <usize>c << 2;
  if (centered) {
    const mp = mc + (<usize>ch << 3);
    const m0 = v128.load(mp), m1 = v128.load(mp, 16), m2 = v128.load(mp, 32), m3 = v128.load(mp, 48);
    for (let p = 0; p < hw; p++) {
      const v = v128.load(xp), w = v128.load(xp, 16);
      const d0 = f64x2.sub(promLo(v), m0), d1 = f64x2.sub(promHi(v), m1);
      const d2 = f64x2.sub(promLo(w), m2), d3 = f64x2.sub(promHi(w), m3);
      a0 = f64x2.add(a0, f64x2.mul(d0, d0)); a1 = f64x2.add(a1, f64x2.mul(d1, d1));
      a2 = f64x2.add(a2, f64x2.mul(d2, d2)); a3 = f64x2.add(a3, f64x2.mul(d3, d3));
      xp += stride;
    }
  } else {
    for (let p = 0; p < hw; p++) {
      const v = v128.load(xp), w = v128.load(xp, 16);
      a0 = f64x2.add(a0, promLo(v)); a1 = f64x2.add(a1, promHi(v));
      a2 = f64x2.add(a2, promLo(w)); a3 = f64x2.add(a3, promHi(w));
      xp += stride;
    }
  }
  const rp = row + (<usize>ch << 3);
  v128.store(rp, a0); v128.store(rp, a1, 16); v128.store(rp, a2, 32); v128.store(rp, a3, 48);
}

/** s1[b*c + ch] = sum over pixels of x (minus mc[ch] when centered, squared when sq). */
function pixelSums(x: usize, s1: usize, b: i32, hw: i32, c: i32, mc: usize, centered: bool): void {
  const row = s1 + (<usize>(b * c) << 3);
  if (c % 8 == 0) {
    const xs = x + (<usize>(b * hw * c) << 2);
    for (let ch = 0; ch < c; ch += 8) pixelSums8(xs, row, hw, c, ch, mc, centered);
    return;
  }
  for (let ch = 0; ch < c; ch++) st64(row, ch, 0);
  let xp = x + (<usize>(b * hw * c) << 2);
  for (let p = 0; p < hw; p++) {
    if (centered) {
      for (let ch = 0; ch < c; ch++) {
        const d = ld(xp, ch) - ld64(mc, ch);
        st64(row, ch, ld64(row, ch) + d * d);
      }
    } else {
      for (let ch = 0; ch < c; ch++) st64(row, ch, ld64(row, ch) + ld(xp, ch));
    }
    xp += <usize>c << 2;
  }
}

/** stat value of statistic s from per-(sample, channel) sums in `s1`, divided by count. */
function statSum(s1: usize, s: i32, n: i32, c: i32, groups: i32, isGroup: bool): f64 {
  let t: f64 = 0;
  if (isGroup) {
    const cg = c / groups, b = s / groups, g = s % groups;
    for (let k = 0; k < cg; k++) t += ld64(s1, b * c + g * cg + k);
  } else {
    for (let b = 0; b < n; b++) t += ld64(s1, b * c + s);
  }
  return t;
}

/** per-channel view of statistic values for sample b: dst[ch] = src[stat(b, ch)] (src f64). */
function spread(dst: usize, src: usize, b: i32, c: i32, groups: i32, isGroup: bool): void {
  if (isGroup) {
    const cg = c / groups;
    for (let ch = 0; ch < c; ch++) st64(dst, ch, ld64(src, b * groups + ch / cg));
  } else {
    for (let ch = 0; ch < c; ch++) st64(dst, ch, ld64(src, ch));
  }
}

// Each kernel is a sequence of phases. The per-sample phases (`...Samples`, samples b0 <= b < b1)
// touch only their samples' rows of the shared scratch and outputs, plus a private c-sized (forward:
// 2c, backward: 3c) f64 scratch `own`; the statistic phases are cheap and run on one thread. So two
// threads taking disjoint sample ranges produce the whole call's bytes.

/** Forward phase 1: s1[b, ch] = sum over pixels of x, for b0 <= b < b1. */
export function normFwdSums(x: usize, acc: usize, b0: i32, b1: i32, hw: i32, c: i32): void {
  for (let b = b0; b < b1; b++) pixelSums(x, acc, b, hw, c, 0, false);
}

/** Forward phase 2 (one thread): mean per statistic. */
export function normFwdMean(acc: usize, n: i32, hw: i32, c: i32, groups: i32, isGroup: bool): void {
  const S = isGroup ? n * groups : c;
  const count: f64 = isGroup ? <f64>(hw * (c / groups)) : <f64>(n * hw);
  const s1 = acc;
  const mean = s1 + (<usize>(n * c) << 3);
  for (let s = 0; s < S; s++) st64(mean, s, statSum(s1, s, n, c, groups, isGroup) / count);
}

/** Forward phase 3: s1[b, ch] = sum over pixels of (x - mean)^2, for b0 <= b < b1. */
export function normFwdSqSums(x: usize, acc: usize, own: usize, b0: i32, b1: i32, n: i32, hw: i32, c: i32,
                              groups: i32, isGroup: bool): void {
  const mean = acc + (<usize>(n * c) << 3);
  for (let b = b0; b < b1; b++) {
    spread(own, mean, b, c, groups, isGroup);
    pixelSums(x, acc, b, hw, c, own, true);
  }
}

/** Forward phase 4 (one thread): invStd per statistic and the f32 statistic outputs. */
export function normFwdStats(acc: usize, meanOut: usize, invStdOut: usize, varOut: usize,
                             n: i32, hw: i32, c: i32, groups: i32, isGroup: bool, eps: f64): void {
  const S = isGroup ? n * groups : c;
  const count: f64 = isGroup ? <f64>(hw * (c / groups)) : <f64>(n * hw);
  const s1 = acc;
  const mean = s1 + (<usize>(n * c) << 3);
  const inv = mean + (<usize>S << 3);
  for (let s = 0; s < S; s++) {
    const v = statSum(s1, s, n, c, groups, isGroup) / count;
    const is = 1.0 / Math.sqrt(v + eps);
    st64(inv, s, is);
    st(meanOut, s, ld64(mean, s));
    st(invStdOut, s, is);
    st(varOut, s, count > 1 ? v * (count / (count - 1)) : v);
  }
}

/** Forward phase 5: xhat and out for b0 <= b < b1. */
export function normFwdSamples(x: usize, gamma: usize, beta: usize, out: usize, xhat: usize, acc: usize,
                               own: usize, b0: i32, b1: i32, n: i32, hw: i32, c: i32, groups: i32,
                               isGroup: bool): void {
  const S = isGroup ? n * groups : c;
  const mean = acc + (<usize>(n * c) << 3);
  const inv = mean + (<usize>S << 3);
  const mc = own;
  const ic = mc + (<usize>c << 3);
  for (let b = b0; b < b1; b++) {
    spread(mc, mean, b, c, groups, isGroup);
    spread(ic, inv, b, c, groups, isGroup);
    const base = <usize>(b * hw * c) << 2;
    let xp = x + base, hp = xhat + base, op = out + base;
    const vec = c % 4 == 0;
    for (let p = 0; p < hw; p++) {
      if (vec) {
        for (let ch = 0; ch < c; ch += 4) {
          const o4 = <usize>ch << 2, o8 = <usize>ch << 3;
          const v = v128.load(xp + o4), g = v128.load(gamma + o4), be = v128.load(beta + o4);
          const hLo = f64x2.mul(f64x2.sub(promLo(v), v128.load(mc + o8)), v128.load(ic + o8));
          const hHi = f64x2.mul(f64x2.sub(promHi(v), v128.load(mc + o8, 16)), v128.load(ic + o8, 16));
          v128.store(hp + o4, pack(hLo, hHi));
          v128.store(op + o4, pack(f64x2.add(f64x2.mul(hLo, promLo(g)), promLo(be)),
                                   f64x2.add(f64x2.mul(hHi, promHi(g)), promHi(be))));
        }
      } else {
        for (let ch = 0; ch < c; ch++) {
          const h = (ld(xp, ch) - ld64(mc, ch)) * ld64(ic, ch);
          st(hp, ch, h);
          st(op, ch, h * ld(gamma, ch) + ld(beta, ch));
        }
      }
      const step = <usize>c << 2;
      xp += step; hp += step; op += step;
    }
  }
}

/**
 * Forward (training statistics). Writes xhat = (x - mean) * invStd and out = xhat * gamma + beta
 * (f32, each rounded once from f64), mean, invStd = 1/sqrt(var + eps) and the unbiased variance
 * var * count/(count-1) per statistic (f32). var is the biased two-pass mean of squared deviations.
 * acc: f64 scratch of 2*n*c + 2*S + 2*c values, S = isGroup ? n*groups : c (the last 2c are `own`).
 */
export function normForward(x: usize, gamma: usize, beta: usize, out: usize, xhat: usize,
                            meanOut: usize, invStdOut: usize, varOut: usize, acc: usize,
                            n: i32, hw: i32, c: i32, groups: i32, isGroup: bool, eps: f64): void {
  const S = isGroup ? n * groups : c;
  const own = acc + (<usize>(n * c + 2 * S) << 3);
  normFwdSums(x, acc, 0, n, hw, c);
  normFwdMean(acc, n, hw, c, groups, isGroup);
  normFwdSqSums(x, acc, own, 0, n, n, hw, c, groups, isGroup);
  normFwdStats(acc, meanOut, invStdOut, varOut, n, hw, c, groups, isGroup, eps);
  normFwdSamples(x, gamma, beta, out, xhat, acc, own, 0, n, n, hw, c, groups, isGroup);
}

/** normBwdSums for channels ch..ch+7 of one sample, sums in registers. */
function bwdSums8(dp0: usize, hp0: usize, r1: usize, r2: usize, hw: i32, c: i32, ch: i32): void {
  let a0 = f64x2.splat(0), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
  let dp = dp0 + (<usize>ch << 2), hp = hp0 + (<usize>ch << 2);
  const stride = <usize>c << 2;
  for (let p = 0; p < hw; p++) {
    const dv = v128.load(dp), dw = v128.load(dp, 16), hv = v128.load(hp), hw4 = v128.load(hp, 16);
    const d0 = promLo(dv), d1 = promHi(dv), d2 = promLo(dw), d3 = promHi(dw);
    a0 = f64x2.add(a0, d0); a1 = f64x2.add(a1, d1); a2 = f64x2.add(a2, d2); a3 = f64x2.add(a3, d3);
    b0 = f64x2.add(b0, f64x2.mul(d0, promLo(hv))); b1 = f64x2.add(b1, f64x2.mul(d1, promHi(hv)));
    b2 = f64x2.add(b2, f64x2.mul(d2, promLo(hw4))); b3 = f64x2.add(b3, f64x2.mul(d3, promHi(hw4)));
    dp += stride; hp += stride;
  }
  const p1 = r1 + (<usize>ch << 3), p2 = r2 + (<usize>ch << 3);
  v128.store(p1, a0); v128.store(p1, a1, 16); v128.store(p1, a2, 32); v128.store(p1, a3, 48);
  v128.store(p2, b0); v128.store(p2, b1, 16); v128.store(p2, b2, 32); v128.store(p2, b3, 48);
}

/** Backward phase 1: s1[b, ch] = sum dout, s2[b, ch] = sum dout*xhat over pixels, b0 <= b < b1. */
export function normBwdSums(dout: usize, xhat: usize, acc: usize, b0: i32, b1: i32, n: i32, hw: i32, c: i32): void {
  const s1 = acc;
  const s2 = s1 + (<usize>(n * c) << 3);
  for (let b = b0; b < b1; b++) {
    const r1 = s1 + (<usize>(b * c) << 3), r2 = s2 + (<usize>(b * c) << 3);
    if (c % 8 == 0) {
      const base = <usize>(b * hw * c) << 2;
      for (let ch = 0; ch < c; ch += 8) bwdSums8(dout + base, xhat + base, r1, r2, hw, c, ch);
      continue;
    }
    for (let ch = 0; ch < c; ch++) { st64(r1, ch, 0); st64(r2, ch, 0); }
    const base = <usize>(b * hw * c) << 2;
    let dp = dout + base, hp = xhat + base;
    for (let p = 0; p < hw; p++) {
      for (let ch = 0; ch < c; ch++) {
        const d = ld(dp, ch);
        st64(r1, ch, ld64(r1, ch) + d);
        st64(r2, ch, ld64(r2, ch) + d * ld(hp, ch));
      }
      const step = <usize>c << 2;
      dp += step; hp += step;
    }
  }
}

/** Backward phase 2 (one thread): dgamma, dbeta and the per-statistic means. */
export function normBwdStats(gamma: usize, dgamma: usize, dbeta: usize, acc: usize,
                             n: i32, hw: i32, c: i32, groups: i32, isGroup: bool): void {
  const S = isGroup ? n * groups : c;
  const count: f64 = isGroup ? <f64>(hw * (c / groups)) : <f64>(n * hw);
  const s1 = acc;
  const s2 = s1 + (<usize>(n * c) << 3);
  const m1 = s2 + (<usize>(n * c) << 3);
  const m2 = m1 + (<usize>S << 3);
  for (let ch = 0; ch < c; ch++) {
    let t1: f64 = 0, t2: f64 = 0;
    for (let b = 0; b < n; b++) { t1 += ld64(s1, b * c + ch); t2 += ld64(s2, b * c + ch); }
    st(dbeta, ch, t1);
    st(dgamma, ch, t2);
    if (!isGroup) {
      const g = ld(gamma, ch);
      st64(m1, ch, g * t1 / count);
      st64(m2, ch, g * t2 / count);
    }
  }
  if (isGroup) {
    const cg = c / groups;
    for (let s = 0; s < S; s++) {
      const b = s / groups, g0 = (s % groups) * cg;
      let t1: f64 = 0, t2: f64 = 0;
      for (let k = 0; k < cg; k++) {
        const g = ld(gamma, g0 + k);
        t1 += g * ld64(s1, b * c + g0 + k);
        t2 += g * ld64(s2, b * c + g0 + k);
      }
      st64(m1, s, t1 / count);
      st64(m2, s, t2 / count);
    }
  }
}

/** Backward phase 3: dx for b0 <= b < b1. own: private f64 scratch of 3c values. */
export function normBwdSamples(dout: usize, xhat: usize, gamma: usize, invStd: usize, dx: usize, acc: usize,
                               own: usize, b0: i32, b1: i32, n: i32, hw: i32, c: i32, groups: i32,
                               isGroup: bool): void {
  const S = isGroup ? n * groups : c;
  const m1 = acc + (<usize>(2 * n * c) << 3);
  const m2 = m1 + (<usize>S << 3);
  const ka = own;                                 // per channel of sample b: invStd*gamma
  const kb = ka + (<usize>c << 3);                // -invStd*m1
  const kd = kb + (<usize>c << 3);                // -invStd*m2
  const cg = isGroup ? c / groups : 1;
  for (let b = b0; b < b1; b++) {
    for (let ch = 0; ch < c; ch++) {
      const s = isGroup ? b * groups + ch / cg : ch;
      const is = ld(invStd, s);
      st64(ka, ch, is * ld(gamma, ch));
      st64(kb, ch, -is * ld64(m1, s));
      st64(kd, ch, -is * ld64(m2, s));
    }
    const base = <usize>(b * hw * c) << 2;
    let dp = dout + base, hp = xhat + base, op = dx + base;
    const vec = c % 4 == 0;
    for (let p = 0; p < hw; p++) {
      if (vec) {
        for (let ch = 0; ch < c; ch += 4) {
          const o4 = <usize>ch << 2, o8 = <usize>ch << 3;
          const d = v128.load(dp + o4), h = v128.load(hp + o4);
          const lo = f64x2.add(f64x2.add(f64x2.mul(v128.load(ka + o8), promLo(d)), v128.load(kb + o8)),
                               f64x2.mul(v128.load(kd + o8), promLo(h)));
          const hi = f64x2.add(f64x2.add(f64x2.mul(v128.load(ka + o8, 16), promHi(d)), v128.load(kb + o8, 16)),
                               f64x2.mul(v128.load(kd + o8, 16), promHi(h)));
          v128.store(op + o4, pack(lo, hi));
        }
      } else {
        for (let ch = 0; ch < c; ch++) {
          st(op, ch, ld64(ka, ch) * ld(dp, ch) + ld64(kb, ch) + ld64(kd, ch) * ld(hp, ch));
        }
      }
      const step = <usize>c << 2;
      dp += step; hp += step; op += step;
    }
  }
}

/**
 * Backward. dgamma[ch] = sum dout*xhat, dbeta[ch] = sum dout over N,H,W; with dxhat = dout*gamma,
 * dx = invStd * (dxhat - mean(dxhat) - xhat * mean(dxhat*xhat)), means over each statistic's set.
 * invStd: f32 per statistic. acc: f64 scratch of 2*n*c + 2*S + 3*c values (the last 3c are `own`).
 */
export function normBackward(dout: usize, xhat: usize, gamma: usize, invStd: usize, dx: usize,
                             dgamma: usize, dbeta: usize, acc: usize,
                             n: i32, hw: i32, c: i32, groups: i32, isGroup: bool): void {
  const S = isGroup ? n * groups : c;
  const own = acc + (<usize>(2 * n * c + 2 * S) << 3);
  normBwdSums(dout, xhat, acc, 0, n, n, hw, c);
  normBwdStats(gamma, dgamma, dbeta, acc, n, hw, c, groups, isGroup);
  normBwdSamples(dout, xhat, gamma, invStd, dx, acc, own, 0, n, n, hw, c, groups, isGroup);
}
