/** The results table: rows from payloads (pure), rendered as Markdown or JSON rows. */
import type { ResultPayload } from '../result/types.js';
import type { ResolvedSpec } from '../spec/types.js';

export interface TableRow {
  name: string;
  title: string;
  profile: string;
  backend: string;
  source: 'results' | 'golden';
  norm: string;
  l1: number;
  l2: number;
  epochs: number;
  trainSize: number;
  testSize: number;
  bestTrainAcc: number;
  bestTestAcc: number;
  bestTestLoss: number;
  reference: { bestTrainAcc: number | null; bestTestAcc: number | null; bestTestLoss: number | null };
}

export function bestOf(epochs: ResultPayload['epochs']): ResultPayload['best'] {
  return {
    bestTrainAcc: Math.max(...epochs.map((e) => e.trainAcc)),
    bestTestAcc: Math.max(...epochs.map((e) => e.testAcc)),
    bestTestLoss: Math.min(...epochs.map((e) => e.testLoss)),
  };
}

export function buildRow(spec: ResolvedSpec, p: ResultPayload, source: TableRow['source']): TableRow {
  const normName = { batch: 'BatchNorm', layer: 'LayerNorm', group: 'GroupNorm' }[spec.model.norm];
  return {
    name: spec.name, title: spec.title, profile: p.profile, backend: p.backend, source,
    norm: spec.model.norm === 'group' ? `${normName} (${spec.model.groups[0]}/${spec.model.groups[1]} groups)` : normName,
    l1: spec.training.l1, l2: spec.training.weightDecay, epochs: p.epochs.length, trainSize: p.trainSize, testSize: p.testSize,
    bestTrainAcc: p.best.bestTrainAcc, bestTestAcc: p.best.bestTestAcc, bestTestLoss: p.best.bestTestLoss,
    reference: {
      bestTrainAcc: spec.reference.bestTrainAcc ?? null,
      bestTestAcc: spec.reference.bestTestAcc ?? null,
      bestTestLoss: spec.reference.bestTestLoss ?? null,
    },
  };
}

const f2 = (x: number) => x.toFixed(2);
const f4 = (x: number) => x.toFixed(4);
function delta(a: number, b: number | null, digits: number): string {
  if (b === null) return '–';
  const d = a - b;
  return `${d >= 0 ? '+' : '−'}${Math.abs(d).toFixed(digits)}`;
}

export function renderMarkdownTable(profile: string, rows: TableRow[]): string {
  if (rows.length === 0) return `_No ${profile}-profile results or goldens yet: run \`npx normreg reproduce --profile ${profile}\`._`;
  const backends = [...new Set(rows.map((r) => r.backend))].join(', ');
  const sizes = [...new Set(rows.map((r) => `${r.epochs} epochs, ${r.trainSize} train / ${r.testSize} test images`))].join('; ');
  const lines = [
    `Profile \`${profile}\` (${sizes}; backend ${backends}). Study = the published value; Δ = this run − study.`,
    '',
    '| Experiment | Norm | L1 | L2 | Best train acc | Best test acc | Best test loss | Study train / test / loss | Δ train acc | Δ test acc | Δ test loss |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of rows) {
    const ref = r.reference;
    const study = ref.bestTestAcc === null ? '–' : `${ref.bestTrainAcc?.toFixed(2) ?? '–'} / ${ref.bestTestAcc.toFixed(2)} / ${ref.bestTestLoss?.toFixed(4) ?? '–'}`;
    lines.push(`| ${r.title} | ${r.norm} | ${r.l1} | ${r.l2} | ${f2(r.bestTrainAcc)} | ${f2(r.bestTestAcc)} | ${f4(r.bestTestLoss)} | ${study} | ${delta(r.bestTrainAcc, ref.bestTrainAcc, 2)} | ${delta(r.bestTestAcc, ref.bestTestAcc, 2)} | ${delta(r.bestTestLoss, ref.bestTestLoss, 4)} |`);
  }
  return lines.join('\n');
}

export function jsonRows(rows: TableRow[]): object[] {
  return rows.map((r) => ({
    name: r.name, title: r.title, profile: r.profile, backend: r.backend, source: r.source,
    bestTrainAcc: r.bestTrainAcc, bestTestAcc: r.bestTestAcc, bestTestLoss: r.bestTestLoss, reference: r.reference,
  }));
}
