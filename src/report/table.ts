/** The results tables: rows (./rows.ts) rendered as Markdown or JSON. Pure. */
import { renderSweep } from './sweepTable.js';
import { delta, fmt } from './format.js';
import { withinTwoStd, type TableRow } from './rows.js';
import { REFERENCE_BACKEND } from '../workspace/paths.js';

/** [1, 2, 3, 4, 5] -> "1-5"; [1, 2, 4] -> "1, 2, 4" */
export function seedList(seeds: number[]): string {
  const xs = [...seeds].sort((a, b) => a - b);
  const contiguous = xs.length > 2 && xs.every((x, i) => i === 0 || x === xs[i - 1] + 1);
  return contiguous ? `${xs[0]}-${xs[xs.length - 1]}` : xs.join(', ');
}

function seedsCell(r: TableRow): string {
  const missing = r.declaredSeeds.some((s) => !r.seeds.includes(s));
  return missing ? `${seedList(r.seeds)} (of ${seedList(r.declaredSeeds)})` : seedList(r.seeds);
}

const MAIN_METRICS = ['bestTrainAcc', 'bestTestAcc', 'bestTestLoss'] as const;

function verdictCell(r: TableRow): string {
  if (r.seeds.length < 2) return '1 seed';
  const v = MAIN_METRICS.map((k) => withinTwoStd(r, k, r.reference[k]));
  if (v.every((x) => x === null)) return '–';
  return v.map((x) => (x === null ? '–' : x ? 'yes' : '**no**')).join(' / ');
}

function mainTable(rows: TableRow[]): string[] {
  const lines = [
    '| Experiment | Norm | L1 | L2 | Seeds | Best train acc | Best test acc | Best test loss | Study train / test / loss | Δ train acc | Δ test acc | Δ test loss | Study within mean ± 2 std (train / test / loss) |',
    '|---|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---|',
  ];
  for (const r of rows) {
    const ref = r.reference;
    const study = ref.bestTestAcc === undefined ? '–' : `${ref.bestTrainAcc?.toFixed(2) ?? '–'} / ${ref.bestTestAcc.toFixed(2)} / ${ref.bestTestLoss?.toFixed(4) ?? '–'}`;
    const v = r.values;
    lines.push(`| ${r.title}${r.comparedWith === 'reference golden' || r.comparedWith === 'mixed' ? ' †' : r.comparedWith === 'no golden' ? ' ‡' : ''} | ${r.norm} | ${r.l1} | ${r.l2} | ${seedsCell(r)} | ${fmt(r, 'bestTrainAcc')} | ${fmt(r, 'bestTestAcc')} | ${fmt(r, 'bestTestLoss')} | ${study} | ${delta(v.bestTrainAcc, ref.bestTrainAcc, 2)} | ${delta(v.bestTestAcc, ref.bestTestAcc, 2)} | ${delta(v.bestTestLoss, ref.bestTestLoss, 4)} | ${verdictCell(r)} |`);
  }
  return lines;
}

/** How many of a profile's runs are done; a run counts once it has a committed golden. */
export interface Progress { profile: string; runs: number; golden: number; resultOnly: number }

export function renderProgress(p: Progress): string {
  const extra = p.resultOnly ? `; ${p.resultOnly} more have a local result but no committed golden and are not counted` : '';
  return `**${p.profile} profile: ${p.golden} of ${p.runs} runs trained** (a run counts once its golden is committed under \`golden/${p.profile}/\`${extra}).`;
}

export function renderMarkdownTable(profile: string, rows: TableRow[], pending: string[] = [], extra: string[] = [], progress?: Progress): string {
  if (rows.length === 0 && pending.length === 0) return `_No ${profile}-profile results or goldens yet: run \`npx normreg reproduce --profile ${profile}\`._`;
  const main = rows.filter((r) => !r.sweep);
  const backends = [...new Set(rows.map((r) => r.backend))].join(', ') || '–';
  const sizes = [...new Set(main.map((r) => `${r.epochs} epochs, ${r.trainSize} train / ${r.testSize} test images`))].join('; ');
  const lines = [
    `Profile \`${profile}\`${sizes ? ` (${sizes}` : ' ('}; backend ${backends}). Study = the published value. With several seeds a cell reads "seed 1 · mean ± std" (std = sample standard deviation over the seeds) and Δ = mean − study; with one seed Δ = that run − study. The last column says whether the study's value lies within mean ± 2 std ("1 seed": no spread to judge by).`,
    '',
    ...(progress ? [renderProgress(progress), ''] : []),
  ];
  if (main.length) lines.push(...mainTable(main));
  if (main.some((r) => r.comparedWith === 'reference golden' || r.comparedWith === 'mixed')) lines.push('', `† some or all of the row's seeds are results of backend ${backends} without a golden of their own: verify compares those with the ${REFERENCE_BACKEND} goldens within the cross-backend bands (docs/verification.md).`);
  if (main.some((r) => r.comparedWith === 'no golden')) lines.push('', `‡ results without any golden: not compared.`);
  const sweeps = [...new Set(rows.filter((r) => r.sweep).map((r) => r.sweep!.name))];
  const sweepSizes = new Map<string, number>();
  const count = (n: string) => sweepSizes.set(n, (sweepSizes.get(n) ?? 0) + 1);
  for (const r of rows) if (r.sweep) count(r.sweep.name);
  for (const p of pending) if (p.includes('/')) count(p.split('/')[0]);
  for (const name of sweeps) {
    const rs = rows.filter((r) => r.sweep?.name === name);
    lines.push('', ...renderSweep(rs, sweepSizes.get(name) ?? rs.length));
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
    name: r.name, title: r.title, profile: r.profile, backend: r.backend, source: r.source, comparedWith: r.comparedWith, seeds: r.seeds,
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
