/** The results tables: rows from payloads (pure), one row per experiment with its seeds
 * aggregated (mean and sample standard deviation), rendered as Markdown or JSON. */
import type { ResultPayload } from '../result/types.js';
import type { ReferenceKey, ResolvedSpec, SweepInfo } from '../spec/types.js';

export const ROW_METRICS = ['bestTrainAcc', 'bestTestAcc', 'bestTestLoss', 'finalTrainAcc', 'finalTestAcc', 'finalTestLoss'] as const;
export type RowMetric = (typeof ROW_METRICS)[number];

export interface TableRow {
  /** the experiment (run group): runs of one spec that differ only by seed */
  name: string;
  title: string;
  profile: string;
  backend: string;
  source: 'results' | 'golden' | 'results+golden';
  norm: string;
  l1: number;
  l2: number;
  batchSize: number;
  epochs: number;
  trainSize: number;
  testSize: number;
  seeds: number[];
  /** mean over seeds */
  values: Record<RowMetric, number>;
  /** sample standard deviation over seeds; null with one seed */
  spread: Record<RowMetric, number | null>;
  /** per seed, in `seeds` order */
  perSeed: Record<RowMetric, number[]>;
  reference: Partial<Record<ReferenceKey, number>>;
  sweep: SweepInfo | null;
}

export function bestOf(epochs: ResultPayload['epochs']): ResultPayload['best'] {
  return {
    bestTrainAcc: Math.max(...epochs.map((e) => e.trainAcc)),
    bestTestAcc: Math.max(...epochs.map((e) => e.testAcc)),
    bestTestLoss: Math.min(...epochs.map((e) => e.testLoss)),
  };
}

export function metricsOf(p: ResultPayload): Record<RowMetric, number> {
  const last = p.epochs[p.epochs.length - 1];
  return { ...p.best, finalTrainAcc: last.trainAcc, finalTestAcc: last.testAcc, finalTestLoss: last.testLoss };
}

function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}
export function sampleStd(xs: number[]): number | null {
  if (xs.length < 2) return null;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1));
}

const NORM_NAMES = { batch: 'BatchNorm', layer: 'LayerNorm', group: 'GroupNorm' } as const;

/** One row from the runs of one group (same spec, different seeds). */
export function buildRow(runs: { spec: ResolvedSpec; payload: ResultPayload; source: 'results' | 'golden' }[]): TableRow {
  const { spec, payload: p } = runs[0];
  const per = Object.fromEntries(ROW_METRICS.map((k) => [k, runs.map((r) => metricsOf(r.payload)[k])])) as Record<RowMetric, number[]>;
  const sources = [...new Set(runs.map((r) => r.source))];
  return {
    name: spec.group, title: spec.title, profile: p.profile, backend: p.backend,
    source: sources.length > 1 ? 'results+golden' : sources[0],
    norm: spec.model.norm === 'group' ? `${NORM_NAMES.group} (${groupsLabel(spec.model.groups)} groups)` : NORM_NAMES[spec.model.norm],
    l1: spec.training.l1, l2: spec.training.weightDecay, batchSize: spec.training.batchSize,
    epochs: p.epochs.length, trainSize: p.trainSize, testSize: p.testSize,
    seeds: runs.map((r) => r.spec.seed),
    values: Object.fromEntries(ROW_METRICS.map((k) => [k, mean(per[k])])) as Record<RowMetric, number>,
    spread: Object.fromEntries(ROW_METRICS.map((k) => [k, sampleStd(per[k])])) as Record<RowMetric, number | null>,
    perSeed: per,
    reference: spec.reference,
    sweep: spec.sweep,
  };
}

function fmt(r: TableRow, k: RowMetric): string {
  const d = k.endsWith('Loss') ? 4 : 2;
  const s = r.spread[k];
  return s === null ? r.values[k].toFixed(d) : `${r.values[k].toFixed(d)} ± ${s.toFixed(d)}`;
}
function delta(a: number, b: number | undefined, digits: number): string {
  if (b === undefined) return '–';
  const d = a - b;
  return `${d >= 0 ? '+' : '−'}${Math.abs(d).toFixed(digits)}`;
}

function mainTable(rows: TableRow[]): string[] {
  const lines = [
    '| Experiment | Norm | L1 | L2 | Best train acc | Best test acc | Best test loss | Study train / test / loss | Δ train acc | Δ test acc | Δ test loss |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of rows) {
    const ref = r.reference;
    const study = ref.bestTestAcc === undefined ? '–' : `${ref.bestTrainAcc?.toFixed(2) ?? '–'} / ${ref.bestTestAcc.toFixed(2)} / ${ref.bestTestLoss?.toFixed(4) ?? '–'}`;
    const v = r.values;
    lines.push(`| ${r.title}${r.seeds.length > 1 ? ` (${r.seeds.length} seeds)` : ''} | ${r.norm} | ${r.l1} | ${r.l2} | ${fmt(r, 'bestTrainAcc')} | ${fmt(r, 'bestTestAcc')} | ${fmt(r, 'bestTestLoss')} | ${study} | ${delta(v.bestTrainAcc, ref.bestTrainAcc, 2)} | ${delta(v.bestTestAcc, ref.bestTestAcc, 2)} | ${delta(v.bestTestLoss, ref.bestTestLoss, 4)} |`);
  }
  return lines;
}

/** Study values of a sweep row: the final-epoch ones where the study reported those, else the best. */
function studyPair(r: TableRow): { kind: 'final' | 'best'; train?: number; test?: number } {
  const ref = r.reference;
  if (ref.finalTestAcc !== undefined || ref.finalTrainAcc !== undefined) return { kind: 'final', train: ref.finalTrainAcc, test: ref.finalTestAcc };
  return { kind: 'best', train: ref.bestTrainAcc, test: ref.bestTestAcc };
}

function sweepTable(rows: TableRow[]): string[] {
  const axes = rows[0].sweep!.axes.map(([a]) => a);
  const lines = [
    `| ${axes.join(' | ')} | Best train acc | Best test acc | Best test loss | Final train acc | Final test acc | Study train / test | Δ train | Δ test |`,
    `|${axes.map(() => '---:').join('|')}|---:|---:|---:|---:|---:|---:|---:|---:|`,
  ];
  for (const r of rows) {
    const st = studyPair(r);
    const [tr, te] = st.kind === 'final' ? [r.values.finalTrainAcc, r.values.finalTestAcc] : [r.values.bestTrainAcc, r.values.bestTestAcc];
    const study = st.test === undefined && st.train === undefined ? '–' : `${st.train?.toFixed(2) ?? '–'} / ${st.test?.toFixed(2) ?? '–'}${st.kind === 'final' ? ' (final)' : ''}`;
    lines.push(`| ${r.sweep!.axes.map(([, v]) => String(v)).join(' | ')} | ${fmt(r, 'bestTrainAcc')} | ${fmt(r, 'bestTestAcc')} | ${fmt(r, 'bestTestLoss')} | ${fmt(r, 'finalTrainAcc')} | ${fmt(r, 'finalTestAcc')} | ${study} | ${delta(tr, st.train, 2)} | ${delta(te, st.test, 2)} |`);
  }
  return lines;
}

export function renderMarkdownTable(profile: string, rows: TableRow[], pending: string[] = [], extra: string[] = []): string {
  if (rows.length === 0 && pending.length === 0) return `_No ${profile}-profile results or goldens yet: run \`npx normreg reproduce --profile ${profile}\`._`;
  const main = rows.filter((r) => !r.sweep);
  const backends = [...new Set(rows.map((r) => r.backend))].join(', ') || '–';
  const sizes = [...new Set(main.map((r) => `${r.epochs} epochs, ${r.trainSize} train / ${r.testSize} test images`))].join('; ');
  const lines = [
    `Profile \`${profile}\`${sizes ? ` (${sizes}` : ' ('}; backend ${backends}). Study = the published value; Δ = this run − study; "± s" = sample standard deviation over seeds.`,
    '',
  ];
  if (main.length) lines.push(...mainTable(main));
  const sweeps = [...new Set(rows.filter((r) => r.sweep).map((r) => r.sweep!.name))];
  for (const name of sweeps) {
    const rs = rows.filter((r) => r.sweep?.name === name);
    const first = rs[0];
    lines.push('', `**Sweep \`${name}\`: ${first.sweep!.title}** (${rs.length} runs; ${first.epochs} epochs, ${first.trainSize} train / ${first.testSize} test images)`, '', ...sweepTable(rs));
  }
  if (pending.length) {
    // sweep runs come as SWEEP/RUN: list a sweep once, with how many of its runs are pending
    const items: string[] = [];
    const counted = new Map<string, number>();
    for (const p of pending) {
      const [sweep] = p.split('/');
      if (p.includes('/')) counted.set(sweep, (counted.get(sweep) ?? 0) + 1);
      else items.push(`\`${p}\``);
    }
    for (const [sweep, n] of counted) items.push(`\`${sweep}\` (${n} run${n === 1 ? '' : 's'})`);
    lines.push('', `Pending in this profile (no result and no golden yet): ${items.join(', ')}.`);
  }
  if (extra.length) lines.push('', ...extra);
  return lines.join('\n');
}

export function jsonRows(rows: TableRow[]): object[] {
  return rows.map((r) => ({
    name: r.name, title: r.title, profile: r.profile, backend: r.backend, source: r.source, seeds: r.seeds,
    bestTrainAcc: r.values.bestTrainAcc, bestTestAcc: r.values.bestTestAcc, bestTestLoss: r.values.bestTestLoss,
    finalTrainAcc: r.values.finalTrainAcc, finalTestAcc: r.values.finalTestAcc,
    spread: r.seeds.length > 1 ? r.spread : null,
    reference: r.reference,
    delta: {
      bestTrainAcc: r.reference.bestTrainAcc === undefined ? null : r.values.bestTrainAcc - r.reference.bestTrainAcc,
      bestTestAcc: r.reference.bestTestAcc === undefined ? null : r.values.bestTestAcc - r.reference.bestTestAcc,
      bestTestLoss: r.reference.bestTestLoss === undefined ? null : r.values.bestTestLoss - r.reference.bestTestLoss,
    },
    ...(r.sweep ? { sweep: r.sweep.name, axes: Object.fromEntries(r.sweep.axes) } : {}),
  }));
}

/** GroupNorm groups of the first two norm layers ('2/4' for the study: block 1, then the rest). */
export function groupsLabel(groups: number[]): string {
  return groups.slice(0, 2).join('/');
}
