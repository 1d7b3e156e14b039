/** Comparing a result payload with its golden: pure, returns every difference as data. */
import type { ResultPayload } from '../result/types.js';
import type { ResolvedSpec, Tolerance } from '../spec/types.js';

export interface Difference {
  pointer: string;
  actual: unknown;
  expected: unknown;
  /** allowed |actual - expected| for numbers; undefined = must be equal */
  allowed?: number;
  reason: string;
}

export function toleranceFor(spec: ResolvedSpec, backend: string, metric: string): Tolerance {
  const base = { abs: spec.tolerances.abs, rel: spec.tolerances.rel };
  const b = spec.tolerances.backends[backend] ?? {};
  const bm = b.metrics?.[metric] ?? {};
  const m = spec.tolerances.metrics[metric] ?? {};
  // most specific first: this backend's metric, the metric, this backend, the spec
  return { abs: bm.abs ?? m.abs ?? b.abs ?? base.abs, rel: bm.rel ?? m.rel ?? b.rel ?? base.rel };
}

export function isExact(t: Tolerance): boolean {
  return t.abs === 0 && t.rel === 0;
}

function compareNumber(pointer: string, a: number, e: number, t: Tolerance, out: Difference[]): void {
  const allowed = t.abs + t.rel * Math.abs(e);
  if (!(Math.abs(a - e) <= allowed)) out.push({ pointer, actual: a, expected: e, allowed, reason: allowed === 0 ? 'differs (exact comparison)' : `outside tolerance ±${allowed.toPrecision(3)}` });
}

export function comparePayload(actual: ResultPayload, golden: ResultPayload, spec: ResolvedSpec): Difference[] {
  const out: Difference[] = [];
  const tol = (m: string) => toleranceFor(spec, actual.backend, m);
  if (actual.specFingerprint !== golden.specFingerprint)
    out.push({ pointer: '/specFingerprint', actual: actual.specFingerprint, expected: golden.specFingerprint, reason: 'the golden was made from a different spec or profile; if the change is intended, regenerate it with --update all' });
  if (actual.datasetSha256 !== golden.datasetSha256)
    out.push({ pointer: '/datasetSha256', actual: actual.datasetSha256, expected: golden.datasetSha256, reason: 'trained on different data' });
  if (actual.epochs.length !== golden.epochs.length) {
    out.push({ pointer: '/epochs', actual: actual.epochs.length, expected: golden.epochs.length, reason: 'different number of epochs' });
  } else {
    actual.epochs.forEach((ep, i) => {
      for (const k of ['trainLoss', 'trainAcc', 'testLoss', 'testAcc', 'lr'] as const)
        compareNumber(`/epochs/${i}/${k}`, ep[k], golden.epochs[i][k], tol(k), out);
    });
  }
  for (const k of ['bestTrainAcc', 'bestTestAcc', 'bestTestLoss'] as const) compareNumber(`/best/${k}`, actual.best[k], golden.best[k], tol(k), out);
  // Bit-level fields only mean something when every metric is compared exactly.
  const allExact = ['trainLoss', 'trainAcc', 'testLoss', 'testAcc', 'lr', 'bestTrainAcc', 'bestTestAcc', 'bestTestLoss'].every((m) => isExact(tol(m)));
  if (allExact) {
    if (actual.weightsSha256 !== golden.weightsSha256)
      out.push({ pointer: '/weightsSha256', actual: actual.weightsSha256, expected: golden.weightsSha256, reason: 'final weights differ (exact comparison)' });
    if (JSON.stringify(actual.misclassified) !== JSON.stringify(golden.misclassified))
      out.push({ pointer: '/misclassified', actual: actual.misclassified.count, expected: golden.misclassified.count, reason: 'misclassified test images differ' });
  }
  return out;
}
