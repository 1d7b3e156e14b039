// BatchNorm / GroupNorm statistics and backward reductions on NHWC float32 tensors, with every
// sum accumulated in f64 in a fixed order set by the shapes alone (no SIMD reorder; two threads
// split samples only, see the phases below).
// A "statistic" s is a channel (batch: over N,H,W) or a (sample, group) pair (group: over H,W and
// the group's C/G channels). Both passes first sum per (sample, channel) over pixels in pixel
// order, then combine those partial sums in (sample, channel) order.
// Scratch `acc` (8-byte aligned): 2*n*c + 2*S + 3*c f64 values (S statistics).

@inline function ld(p: usize, i: i32): f64 { return <f64>load<f32>(p + (<usize>i << 2)); }
@inline function ld64(p: usize, i: i32): f64 { return load<f64>(p + (<usize>i << 3)); }
@inline function st64(p: usize, i: i32, v: f64): void { store<f64>(p + (<usize>i << 3), v); }
@inline function st(p: usize, i: i32, v: f64): void { store<f32>(p + (<usize>i << 2), <f32>v); }
/** s1[b*c + ch] = sum over pixels of x (minus mc[ch] when centered, squared when sq). */
function pixelSums(x: usize, s1: usize, b: i32, hw: i32, c: i32, mc: usize, centered: bool): void {
  const row = s1 + (<usize>(b * c) << 3);
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
    for (let p = 0; p < hw; p++) {
      for (let ch = 0; ch < c; ch++) {
        const h = (ld(xp, ch) - ld64(mc, ch)) * ld64(ic, ch);
        st(hp, ch, h);
        st(op, ch, h * ld(gamma, ch) + ld(beta, ch));
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

/** Backward phase 1: s1[b, ch] = sum dout, s2[b, ch] = sum dout*xhat over pixels, b0 <= b < b1. */
export function normBwdSums(dout: usize, xhat: usize, acc: usize, b0: i32, b1: i32, n: i32, hw: i32, c: i32): void {
  const s1 = acc;
  const s2 = s1 + (<usize>(n * c) << 3);
  for (let b = b0; b < b1; b++) {
    const r1 = s1 + (<usize>(b * c) << 3), r2 = s2 + (<usize>(b * c) << 3);
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
    for (let p = 0; p < hw; p++) {
      for (let ch = 0; ch < c; ch++) {
        st(op, ch, ld64(ka, ch) * ld(dp, ch) + ld64(kb, ch) + ld64(kd, ch) * ld(hp, ch));
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
