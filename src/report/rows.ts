/** The row model of the results tables: one row per experiment with its seeds aggregated (mean
 * and sample standard deviation). Pure. */
import type { ResultPayload } from '../result/types.js';
import type { ReferenceKey, ResolvedSpec, SweepInfo } from '../spec/types.js';
import { mean, sampleStd } from '../util/stats.js';

export const ROW_METRICS = ['bestTrainAcc', 'bestTestAcc', 'bestTestLoss', 'finalTrainAcc', 'finalTestAcc', 'finalTestLoss'] as const;
export type RowMetric = (typeof ROW_METRICS)[number];

export interface TableRow {
  /** the experiment (run group): runs of one spec that differ only by seed */
  name: string;
  title: string;
  profile: string;
  backend: string;
  source: 'results' | 'golden' | 'results+golden';
  /** what verify compares this row's runs with: the backend's own goldens, the reference (wasm)
   * goldens within the cross-backend bands, or none; 'mixed' when its seeds differ */
  comparedWith: ComparedWith | 'mixed';
  norm: string;
  l1: number;
  l2: number;
  batchSize: number;
  epochs: number;
  trainSize: number;
  testSize: number;
  seeds: number[];
  /** the seeds the spec declares for this profile (seeds may still lack a result or golden) */
  declaredSeeds: number[];
  /** mean over seeds */
  values: Record<RowMetric, number>;
  /** sample standard deviation over seeds; null with one seed */
  spread: Record<RowMetric, number | null>;
  /** per seed, in `seeds` order */
  perSeed: Record<RowMetric, number[]>;
  reference: Partial<Record<ReferenceKey, number>>;
  sweep: SweepInfo | null;
}

function metricsOf(p: ResultPayload): Record<RowMetric, number> {
  const last = p.epochs[p.epochs.length - 1];
  return { ...p.best, finalTrainAcc: last.trainAcc, finalTestAcc: last.testAcc, finalTestLoss: last.testLoss };
}


const NORM_NAMES = { batch: 'BatchNorm', layer: 'LayerNorm', group: 'GroupNorm' } as const;

/** One row from the runs of one group (same spec, different seeds). */
export type ComparedWith = 'own golden' | 'reference golden' | 'no golden';

export function buildRow(runs: { spec: ResolvedSpec; payload: ResultPayload; source: 'results' | 'golden'; comparedWith?: ComparedWith }[], declaredSeeds?: number[]): TableRow {
  const { spec, payload: p } = runs[0];
  const compared = [...new Set(runs.map((r) => r.comparedWith ?? 'own golden'))];
  const per = Object.fromEntries(ROW_METRICS.map((k) => [k, runs.map((r) => metricsOf(r.payload)[k])])) as Record<RowMetric, number[]>;
  const sources = [...new Set(runs.map((r) => r.source))];
  return {
    name: spec.group, title: spec.title, profile: p.profile, backend: p.backend,
    source: sources.length > 1 ? 'results+golden' : sources[0],
    comparedWith: compared.length > 1 ? 'mixed' : compared[0],
    norm: spec.model.norm === 'group' ? `${NORM_NAMES.group} (${groupsLabel(spec.model.groups)} groups)` : NORM_NAMES[spec.model.norm],
    l1: spec.training.l1, l2: spec.training.weightDecay, batchSize: spec.training.batchSize,
    epochs: p.epochs.length, trainSize: p.trainSize, testSize: p.testSize,
    seeds: runs.map((r) => r.spec.seed),
    declaredSeeds: declaredSeeds ?? runs.map((r) => r.spec.seed),
    values: Object.fromEntries(ROW_METRICS.map((k) => [k, mean(per[k])])) as Record<RowMetric, number>,
    spread: Object.fromEntries(ROW_METRICS.map((k) => [k, sampleStd(per[k])])) as Record<RowMetric, number | null>,
    perSeed: per,
    reference: spec.reference,
    sweep: spec.sweep,
  };
}

/** Is the study's value within mean ± 2 std over seeds? null: no study value, or one seed (no spread). */
export function withinTwoStd(r: TableRow, k: RowMetric, study: number | undefined): boolean | null {
  const s = r.spread[k];
  if (study === undefined || s === null) return null;
  return Math.abs(r.values[k] - study) <= 2 * s;
}

/** GroupNorm groups of the first two norm layers ('2/4' for the study: block 1, then the rest). */
export function groupsLabel(groups: number[]): string {
  return groups.slice(0, 2).join('/');
}
