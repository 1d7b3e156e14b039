/** The bodies of the generated doc blocks of one profile (see docBlocks.ts). Pure: rows, claim
 * verdicts and resolved specs in, Markdown out. */
import type { ResolvedSpec } from '../spec/types.js';
import type { ClaimVerdict } from './claims.js';
import { renderClaims } from './claims.js';
import { renderMarkdownTable, seedList, type Progress } from './table.js';
import { groupsLabel, withinTwoStd, type RowMetric, type TableRow } from './rows.js';
import { renderSweep, studyPair } from './sweepTable.js';
import { STUDY_SEED, delta } from './format.js';
import type { DocKind } from './docBlocks.js';

export interface DocInput {
  profile: string;
  rows: TableRow[];
  /** runs with neither result nor golden (sweep runs as SWEEP/RUN) */
  pending: string[];
  progress: Progress;
  claims: ClaimVerdict[];
  /** every spec of the profile (for the published values) */
  all: ResolvedSpec[];
}

/** The project's targets for one row at the study's seed: |run − study| at most this. */
const FIDELITY_TARGETS = { bestTrainAcc: 0.3, bestTestAcc: 0.15, bestTestLoss: 0.004 } as const;
const FIDELITY_METRICS = Object.keys(FIDELITY_TARGETS) as (keyof typeof FIDELITY_TARGETS)[];
const LABEL: Record<keyof typeof FIDELITY_TARGETS, string> = { bestTrainAcc: 'best train acc', bestTestAcc: 'best test acc', bestTestLoss: 'best test loss' };
const digits = (k: RowMetric) => (k.endsWith('Loss') ? 4 : 2);
const unit = (k: RowMetric) => (k.endsWith('Loss') ? '' : ' pp');

const NORMS = { batch: 'BatchNorm', layer: 'LayerNorm', group: 'GroupNorm' } as const;
function normOf(s: ResolvedSpec): string {
  return s.model.norm === 'group' ? `GroupNorm (${groupsLabel(s.model.groups)} groups)` : NORMS[s.model.norm];
}

function results(d: DocInput): string {
  const main = d.rows.filter((r) => !r.sweep);
  const claims = renderClaims(d.claims);
  if (main.length === 0 && d.rows.length > 0)
    return [`_No table rows in the ${d.profile} profile (its specs are sweeps: see the sweep tables)._`, ...(claims.length ? ['', ...claims] : [])].join('\n');
  return renderMarkdownTable(d.profile, main, d.pending, claims, d.progress);
}

function sweeps(d: DocInput): string {
  const names = [...new Set(d.rows.filter((r) => r.sweep).map((r) => r.sweep!.name))];
  if (names.length === 0) return `_No sweep has a result or golden in the ${d.profile} profile._`;
  const out: string[] = [];
  for (const name of names) {
    const rs = d.rows.filter((r) => r.sweep?.name === name);
    const declared = rs.length + d.pending.filter((p) => p.startsWith(`${name}/`)).length;
    out.push(...(out.length ? [''] : []), ...renderSweep(rs, declared));
  }
  return out.join('\n');
}

function claims(d: DocInput): string {
  const lines = renderClaims(d.claims);
  return lines.length ? lines.join('\n') : '_No claims: this workspace has no reports/claims.json._';
}

function seedValue(r: TableRow, k: RowMetric): number | null {
  const i = r.seeds.indexOf(STUDY_SEED);
  return i < 0 ? null : r.perSeed[k][i];
}

/** Seed 1 against the study per row, with the targets; the largest deviations; the ±2 std verdicts. */
function fidelity(d: DocInput): string {
  const rows = d.rows.filter((r) => !r.sweep && FIDELITY_METRICS.some((k) => r.reference[k] !== undefined));
  if (rows.length === 0) return `_No row of the ${d.profile} profile has both a published value and a result._`;
  const lines = [
    `Seed ${STUDY_SEED} (the study's seed) against the study, per row, and the seed-to-seed standard deviation of this profile's runs for scale. Targets: ${FIDELITY_METRICS.map((k) => `|Δ ${LABEL[k]}| ≤ ${FIDELITY_TARGETS[k]}${unit(k)}`).join(', ')}.`,
    '',
    '| Experiment | Seeds | Δ best train acc | Δ best test acc | Δ best test loss | Seed std (train / test / loss) | Within the targets |',
    '|---|---|---:|---:|---:|---|---|',
  ];
  const largest = new Map<string, { v: number; title: string }>();
  let met = 0;
  let judged = 0;
  for (const r of rows) {
    const ds = FIDELITY_METRICS.map((k) => {
      const v = seedValue(r, k);
      const ref = r.reference[k];
      return v === null || ref === undefined ? null : v - ref;
    });
    ds.forEach((x, i) => {
      const k = FIDELITY_METRICS[i];
      if (x !== null && (!largest.has(k) || Math.abs(x) > Math.abs(largest.get(k)!.v))) largest.set(k, { v: x, title: r.title });
    });
    const known = ds.filter((x) => x !== null).length;
    const ok = FIDELITY_METRICS.every((k, i) => ds[i] === null || Math.abs(ds[i]!) <= FIDELITY_TARGETS[k] + 1e-12);
    if (known) {
      judged++;
      if (ok) met++;
    }
    const std = FIDELITY_METRICS.map((k) => (r.spread[k] === null ? '–' : r.spread[k]!.toFixed(digits(k)))).join(' / ');
    const cells = ds.map((x, i) => (x === null ? '–' : delta(x, 0, digits(FIDELITY_METRICS[i]))));
    lines.push(`| ${r.title} | ${seedList(r.seeds)} | ${cells.join(' | ')} | ${std} | ${known ? (ok ? 'yes' : '**no**') : '–'} |`);
  }
  const big = FIDELITY_METRICS.filter((k) => largest.has(k)).map((k) => `${LABEL[k]} ${delta(largest.get(k)!.v, 0, digits(k))}${unit(k)} (${largest.get(k)!.title})`);
  lines.push('', `At seed ${STUDY_SEED}, ${met} of ${judged} row(s) meet all three targets. Largest deviations: ${big.join('; ')}.`);
  const verdicts = rows.flatMap((r) => FIDELITY_METRICS.map((k) => withinTwoStd(r, k, r.reference[k]))).filter((v) => v !== null);
  if (verdicts.length)
    lines.push('', `Over seeds, the study's value lies within mean ± 2 std in ${verdicts.filter((v) => v).length} of ${verdicts.length} row × metric verdicts (the last column of the results table).`);
  return lines.join('\n');
}

const pp = (x: number) => `${delta(x, 0, 2)} pp`;

/** For each sweep and each numeric axis: what moving it one step up does to best test and train
 * accuracy (the seed mean where a run has several seeds), over the runs that differ only in that
 * axis; a step of an axis without 0 (batch, groups) also split by every other axis that has 0
 * among its values (a penalty off or on). */
function effects(d: DocInput): string {
  const names = [...new Set(d.rows.filter((r) => r.sweep).map((r) => r.sweep!.name))];
  if (names.length === 0) return `_No sweep has a result or golden in the ${d.profile} profile._`;
  const lines = [
    'Each line compares the runs of a sweep that differ only in one axis, one step up that axis: how many pairs the larger value wins on best test accuracy, the mean and range of its change, and the mean and range of the change in best train accuracy (seed means where a run has several seeds).',
    '',
    '| Sweep | Step | Where | Pairs | Higher test acc | Mean Δ test acc | Range Δ test acc | Mean Δ train acc | Range Δ train acc |',
    '|---|---|---|---:|---:|---:|---|---:|---|',
  ];
  for (const name of names) {
    const rs = d.rows.filter((r) => r.sweep?.name === name);
    const axes = rs[0].sweep!.axes.map(([a]) => a);
    const valueOf = (r: TableRow, a: string) => r.sweep!.axes.find(([x]) => x === a)![1];
    for (const axis of axes) {
      const values = [...new Set(rs.map((r) => valueOf(r, axis)))];
      if (!values.every((v) => typeof v === 'number') || values.length < 2) continue;
      const sorted = (values as number[]).sort((a, b) => a - b);
      const others = axes.filter((a) => a !== axis);
      const key = (r: TableRow) => others.map((a) => String(valueOf(r, a))).join('|');
      const splits: { where: string; keep: (r: TableRow) => boolean }[] = [{ where: 'all', keep: () => true }];
      // a step of a setting that is not itself off at 0 (batch, groups) is split by each penalty off / on
      if (!sorted.includes(0)) for (const o of others) {
        const ov = new Set(rs.map((r) => valueOf(r, o)));
        if (ov.has(0) && ov.size > 1)
          splits.push({ where: `${o} = 0`, keep: (r) => valueOf(r, o) === 0 }, { where: `${o} > 0`, keep: (r) => valueOf(r, o) !== 0 });
      }
      for (let i = 0; i + 1 < sorted.length; i++) {
        const lo = new Map(rs.filter((r) => valueOf(r, axis) === sorted[i]).map((r) => [key(r), r]));
        const pairs = rs.filter((r) => valueOf(r, axis) === sorted[i + 1] && lo.has(key(r))).map((hi) => [lo.get(key(hi))!, hi] as const);
        for (const s of splits) {
          const ps = pairs.filter(([a]) => s.keep(a));
          if (ps.length === 0) continue;
          const dt = ps.map(([a, b]) => b.values.bestTestAcc - a.values.bestTestAcc);
          const dr = ps.map(([a, b]) => b.values.bestTrainAcc - a.values.bestTrainAcc);
          const mean = (xs: number[]) => xs.reduce((x, y) => x + y, 0) / xs.length;
          const range = (xs: number[]) => `${pp(Math.min(...xs))} to ${pp(Math.max(...xs))}`;
          lines.push(`| ${name} | ${axis} ${sorted[i]} → ${sorted[i + 1]} | ${s.where} | ${ps.length} | ${dt.filter((x) => x > 0).length} | ${pp(mean(dt))} | ${range(dt)} | ${pp(mean(dr))} | ${range(dr)} |`);
        }
      }
    }
  }
  return lines.join('\n');
}

/** The study's published numbers as the specs carry them (`reference`, `references`): the table
 * rows, then each sweep's runs that have one. */
function published(d: DocInput): string {
  const firstOf = new Map<string, ResolvedSpec>();
  for (const s of d.all) if (!firstOf.has(s.group)) firstOf.set(s.group, s);
  const specs = [...firstOf.values()].filter((s) => Object.keys(s.reference).length > 0);
  const main = specs.filter((s) => !s.sweep);
  const lines: string[] = [];
  const num = (x: number | undefined, k: number) => (x === undefined ? '–' : x.toFixed(k));
  if (main.length) {
    lines.push(
      '| Experiment | Norm | L1 | L2 | Batch | Epochs | Best train acc | Best test acc | Best test loss |',
      '|---|---|---:|---:|---:|---:|---:|---:|---:|',
      ...main.map((s) => `| ${s.title} | ${normOf(s)} | ${s.training.l1} | ${s.training.weightDecay} | ${s.training.batchSize} | ${s.training.epochs} | ${num(s.reference.bestTrainAcc, 2)} | ${num(s.reference.bestTestAcc, 2)} | ${num(s.reference.bestTestLoss, 4)} |`),
    );
  }
  const sweepNames = [...new Set(d.all.filter((s) => s.sweep).map((s) => s.sweep!.name))];
  for (const name of sweepNames) {
    const runs = specs.filter((s) => s.sweep?.name === name);
    const total = [...firstOf.values()].filter((s) => s.sweep?.name === name).length;
    if (runs.length === 0) continue;
    const first = runs[0];
    const axes = first.sweep!.axes.map(([a]) => a);
    const kind = studyPair({ reference: first.reference } as TableRow).kind;
    if (lines.length) lines.push('');
    lines.push(
      `**${first.sweep!.title}** (\`specs/${name}.json\`; ${NORMS[first.model.norm]}, ${first.training.epochs} epochs; ${kind === 'final' ? 'last-epoch' : 'best'} accuracies; ${runs.length} of its ${total} runs have a published value)`,
      '',
      `| ${axes.join(' | ')} | Train acc | Test acc |`,
      `|${axes.map(() => '---:').join('|')}|---:|---:|`,
      ...runs.map((s) => {
        const st = studyPair({ reference: s.reference } as TableRow);
        return `| ${s.sweep!.axes.map(([, v]) => String(v)).join(' | ')} | ${num(st.train, 2)} | ${num(st.test, 2)} |`;
      }),
    );
  }
  return lines.length ? lines.join('\n') : `_No spec of the ${d.profile} profile carries a published value._`;
}

export function renderDocBlocks(d: DocInput): Record<DocKind, string> {
  return { results: results(d), sweeps: sweeps(d), claims: claims(d), fidelity: fidelity(d), effects: effects(d), published: published(d) };
}

/** The blocks a workspace should have (a hint is printed when no file holds one). */
export function wantedBlocks(d: DocInput): DocKind[] {
  return d.rows.some((r) => r.sweep) ? ['results', 'sweeps'] : ['results'];
}
