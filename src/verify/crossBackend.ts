/** Cross-backend verification: a run on a backend without a golden of its own is compared with the
 * reference engine's golden (wasm) within tolerances derived from a measured spread. Pure.
 *
 * Why this rule: another backend's float arithmetic differs in the last bits, and training
 * amplifies that into a different trajectory, as a different seed does. So the difference
 * between the two backends' runs is judged like the difference between two independent seeds:
 * its std is s·√2, where s is the seed-to-seed std of the committed reference goldens, and the
 * band is K of those (K = 3). s is the experiment's own (when it has at least MIN_SEEDS committed
 * seeds) or the profile's pooled s (root mean square over the experiments that have them). */
import type { ResultPayload } from '../result/types.js';
import type { Difference } from './compare.js';

export const REFERENCE = 'wasm';
const K = 3;
const MIN_SEEDS = 3;
const CROSS_METRICS = ['bestTrainAcc', 'bestTestAcc', 'bestTestLoss'] as const;
export type CrossMetric = (typeof CROSS_METRICS)[number];

export interface CrossTolerances {
  format: 1;
  profile: string;
  reference: string;
  rule: string;
  k: number;
  minSeeds: number;
  /** allowed |actual − reference| per metric: for runs of an experiment listed, its own; else pooled */
  metrics: Record<CrossMetric, { pooled: number | null; experiments: Record<string, number> }>;
  /** the seed std each band came from, per experiment and metric, and the seeds it used */
  spread: Record<string, { seeds: number[]; std: Record<CrossMetric, number> }>;
}

/** A golden's run name without its seed suffix: the experiment whose seeds it belongs to. */
export const experimentOf = (run: string): string => run.replace(/\.seed_\d+$/, '');

function sampleStd(xs: number[]): number {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1));
}

/** Round up to 4 significant digits, so the committed file is short and the band never shrinks. */
export function roundUp(x: number): number {
  if (x === 0) return 0;
  const e = Math.floor(Math.log10(Math.abs(x))) - 3;
  const f = 10 ** -e;
  return Number((Math.ceil(x * f - 1e-9) / f).toPrecision(4));
}

/** Derive the bands from the reference goldens of one profile (one payload per run and seed). */
export function deriveCrossTolerances(profile: string, goldens: ResultPayload[]): CrossTolerances {
  const groups = new Map<string, ResultPayload[]>();
  for (const g of [...goldens].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.seed - b.seed))) {
    const k = experimentOf(g.name);
    groups.set(k, [...(groups.get(k) ?? []), g]);
  }
  const spread: CrossTolerances['spread'] = {};
  for (const [name, runs] of groups) {
    if (runs.length < MIN_SEEDS) continue;
    const std = Object.fromEntries(CROSS_METRICS.map((m) => [m, sampleStd(runs.map((r) => r.best[m]))])) as Record<CrossMetric, number>;
    spread[name] = { seeds: runs.map((r) => r.seed), std };
  }
  const names = Object.keys(spread).sort();
  const band = (s: number) => roundUp(K * Math.SQRT2 * s);
  const metrics = Object.fromEntries(CROSS_METRICS.map((m) => {
    const pooled = names.length ? Math.sqrt(names.reduce((a, n) => a + spread[n].std[m] ** 2, 0) / names.length) : null;
    return [m, { pooled: pooled === null ? null : band(pooled), experiments: Object.fromEntries(names.map((n) => [n, band(spread[n].std[m])])) }];
  })) as CrossTolerances['metrics'];
  for (const n of names) for (const m of CROSS_METRICS) spread[n].std[m] = Number(spread[n].std[m].toPrecision(6));
  return {
    format: 1, profile, reference: REFERENCE, k: K, minSeeds: MIN_SEEDS,
    rule: `allowed |Δ| = ${K} × √2 × s, s = the seed-to-seed sample std of the ${REFERENCE} goldens of the run's experiment (>= ${MIN_SEEDS} seeds), else the profile's pooled s`,
    metrics, spread,
  };
}

/** The band for one run and metric; null when the profile has no measured spread at all. */
export function crossToleranceFor(t: CrossTolerances, run: string, metric: CrossMetric): number | null {
  return t.metrics[metric].experiments[experimentOf(run)] ?? t.metrics[metric].pooled;
}

/** Differences of a result from the reference golden. The runs must be the same experiment on the
 * same data with the same schedule; metrics may differ within the bands. */
export function compareCross(actual: ResultPayload, reference: ResultPayload, t: CrossTolerances): Difference[] {
  const out: Difference[] = [];
  if (actual.specFingerprint !== reference.specFingerprint)
    out.push({ pointer: '/specFingerprint', actual: actual.specFingerprint, expected: reference.specFingerprint, reason: 'the reference golden was made from a different spec or profile' });
  if (actual.datasetSha256 !== reference.datasetSha256)
    out.push({ pointer: '/datasetSha256', actual: actual.datasetSha256, expected: reference.datasetSha256, reason: 'trained on different data' });
  if (actual.epochs.length !== reference.epochs.length)
    out.push({ pointer: '/epochs', actual: actual.epochs.length, expected: reference.epochs.length, reason: 'different number of epochs' });
  else
    actual.epochs.forEach((e, i) => {
      // the schedule is computed in JavaScript on every backend: it must agree exactly
      if (e.lr !== reference.epochs[i].lr) out.push({ pointer: `/epochs/${i}/lr`, actual: e.lr, expected: reference.epochs[i].lr, allowed: 0, reason: 'learning-rate schedule differs (exact comparison)' });
    });
  for (const m of CROSS_METRICS) {
    const allowed = crossToleranceFor(t, actual.name, m);
    const a = actual.best[m];
    const e = reference.best[m];
    if (allowed === null) {
      out.push({ pointer: `/best/${m}`, actual: a, expected: e, reason: `no cross-backend tolerance: the profile has no experiment with ${t.minSeeds}+ reference seeds` });
      continue;
    }
    if (!(Math.abs(a - e) <= allowed))
      out.push({ pointer: `/best/${m}`, actual: a, expected: e, allowed, reason: `outside the cross-backend band ${fmtBand(e, allowed)}` });
  }
  return out;
}

function fmtBand(e: number, allowed: number): string {
  const d = allowed > 0 ? Math.min(12, Math.max(4, -Math.floor(Math.log10(allowed)) + 3)) : 4;
  return `[${(e - allowed).toFixed(d)}, ${(e + allowed).toFixed(d)}] (reference ${e} ± ${allowed})`;
}

