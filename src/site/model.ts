/** From what was read (SiteInputs) to what the page shows (SiteModel). Pure. */
import { PNG } from 'pngjs';
import type { ResultPayload } from '../result/types.js';
import { buildRow, withinTwoStd, type RowMetric, type TableRow } from '../report/rows.js';
import { evaluateClaims, type ClaimVerdict } from '../report/claims.js';
import { buildHeatmap, type Heatmap } from '../report/figureHeatmap.js';
import { comparePayload } from '../verify/compare.js';
import { DIGITS_PER_RUN } from './inputs.js';
import type { RunInput, SiteInputs, SiteRun } from './types.js';

export const CURVE_METRICS = ['trainLoss', 'trainAcc', 'testLoss', 'testAcc'] as const;
export const ROW_CHART_METRICS = ['bestTrainAcc', 'bestTestAcc', 'bestTestLoss'] as const satisfies readonly RowMetric[];

interface RowView {
  name: string;
  title: string;
  norm: string;
  l1: number;
  l2: number;
  seeds: number[];
  declaredSeeds: number[];
  metrics: { key: RowMetric; mean: number; std: number | null; perSeed: number[]; study: number | null; delta: number | null; within: boolean | null }[];
}

/** one point of a row's curve: mean over seeds with the min-max band */
interface CurvePoint { experiment: string; metric: string; epoch: number; mean: number; min: number; max: number }

export interface SiteModel {
  profile: string;
  goldens: SiteInputs['goldens'];
  withResults: boolean;
  counts: { runs: number; golden: number; results: number; noResult: number; invalid: number; rows: number; sweeps: number; claims: number };
  rows: RowView[];
  curves: CurvePoint[];
  heatmaps: Heatmap[];
  claims: ClaimVerdict[];
  runs: SiteRun[];
  digits: { sprite: string; columns: number; at: Record<string, number> } | { why: string };
  /** pixel-diff images of figures from the last verify that belong to no single run */
  figureDiffs: { file: string; src: string }[];
  /** lines for the terminal: runs shown as "no result" or "invalid" */
  notices: string[];
}

const SPRITE_COLUMNS = 16;
const pngUrl = (png: Buffer) => `data:image/png;base64,${png.toString('base64')}`;

function shownPayload(r: RunInput): { payload: ResultPayload; source: 'result' | 'golden' } | null {
  if (r.result.state === 'ok') return { payload: r.result.value, source: 'result' };
  if (r.golden.state === 'ok') return { payload: r.golden.value, source: 'golden' };
  return null;
}

function siteRun(r: RunInput, diffs: SiteInputs['figureDiffs']): SiteRun {
  const shown = shownPayload(r);
  const problems = [
    ...(r.result.state === 'invalid' ? [`${r.resultFile}: invalid: ${r.result.why}`] : []),
    ...(r.golden.state === 'invalid' ? [`${r.goldenFile}: invalid: ${r.golden.why}`] : []),
    ...(r.facts.state === 'invalid' ? [`facts: invalid: ${r.facts.why}`] : []),
  ];
  const p = shown?.payload ?? null;
  const g = r.golden.state === 'ok' ? r.golden.value : null;
  let verify: SiteRun['verify'] = null;
  if (r.result.state === 'ok') {
    if (!g) verify = { status: 'no golden', differences: [] };
    else {
      const differences = comparePayload(r.result.value, g, r.spec);
      verify = { status: differences.length ? 'fail' : 'pass', differences };
    }
  }
  const f = r.facts.state === 'ok' ? r.facts.value : null;
  const payloadInvalid = r.result.state === 'invalid' || r.golden.state === 'invalid';
  return {
    name: r.spec.name, group: r.spec.group, title: r.spec.title, seed: r.spec.seed, sweep: r.spec.sweep?.name ?? null,
    axes: (r.spec.sweep?.axes ?? []).map(([a, v]) => [a, String(v)]),
    state: p ? (payloadInvalid ? 'invalid' : 'ok') : payloadInvalid ? 'invalid' : 'no result',
    source: shown?.source ?? null,
    problems,
    golden: { file: r.goldenFile, state: r.golden.state, ...(g ? { specFingerprint: g.specFingerprint, weightsSha256: g.weightsSha256, datasetSha256: g.datasetSha256 } : {}) },
    verify,
    facts: f && { backend: f.backend, threads: f.threads, versions: f.versions, cpu: f.cpu, node: f.node, platform: f.platform, wallSeconds: f.wallSeconds, imagesPerSec: f.imagesPerSec, gitCommit: f.gitCommit },
    best: p?.best ?? null,
    epochs: p?.epochs ?? [],
    misclassified: p ? { ...p.misclassified, samples: p.misclassified.samples.slice(0, DIGITS_PER_RUN) } : null,
    figureDiffs: diffs.filter((d) => d.file === `misclassified-${r.spec.name}.diff.png`).map((d) => ({ file: d.file, src: pngUrl(d.png) })),
  };
}

function rowView(r: TableRow): RowView {
  return {
    name: r.name, title: r.title, norm: r.norm, l1: r.l1, l2: r.l2, seeds: r.seeds, declaredSeeds: r.declaredSeeds,
    metrics: ROW_CHART_METRICS.map((key) => {
      const study = r.reference[key] ?? null;
      return { key, mean: r.values[key], std: r.spread[key], perSeed: r.perSeed[key], study, delta: study === null ? null : r.values[key] - study, within: withinTwoStd(r, key, study ?? undefined) };
    }),
  };
}

function curvePoints(row: TableRow, payloads: ResultPayload[]): CurvePoint[] {
  const epochs = Math.min(...payloads.map((p) => p.epochs.length));
  const out: CurvePoint[] = [];
  for (const metric of CURVE_METRICS)
    for (let e = 0; e < epochs; e++) {
      const xs = payloads.map((p) => p.epochs[e][metric]);
      out.push({ experiment: row.title, metric, epoch: e + 1, mean: xs.reduce((a, b) => a + b, 0) / xs.length, min: Math.min(...xs), max: Math.max(...xs) });
    }
  return out;
}

/** One grayscale PNG holding every digit shown, SPRITE_COLUMNS to a row, in test-index order. */
function digitSprite(images: Map<number, Uint8Array>): { sprite: string; columns: number; at: Record<string, number> } {
  const keys = [...images.keys()].sort((a, b) => a - b);
  const rows = Math.max(1, Math.ceil(keys.length / SPRITE_COLUMNS));
  const png = new PNG({ width: 28 * SPRITE_COLUMNS, height: 28 * rows, colorType: 0, inputColorType: 0, inputHasAlpha: false, bitDepth: 8 });
  png.data = Buffer.alloc(28 * SPRITE_COLUMNS * 28 * rows);
  const at: Record<string, number> = {};
  keys.forEach((k, n) => {
    at[String(k)] = n;
    const img = images.get(k)!;
    const x0 = (n % SPRITE_COLUMNS) * 28;
    const y0 = Math.floor(n / SPRITE_COLUMNS) * 28;
    for (let y = 0; y < 28; y++) png.data.set(img.subarray(y * 28, y * 28 + 28), (y0 + y) * 28 * SPRITE_COLUMNS + x0);
  });
  return { sprite: pngUrl(PNG.sync.write(png, { colorType: 0, inputColorType: 0, inputHasAlpha: false })), columns: SPRITE_COLUMNS, at };
}

export function buildSiteModel(inputs: SiteInputs): SiteModel {
  const runs = inputs.runs.map((r) => siteRun(r, inputs.figureDiffs));
  const groups = new Map<string, RunInput[]>();
  for (const r of inputs.runs) groups.set(r.spec.group, [...(groups.get(r.spec.group) ?? []), r]);
  const rows: TableRow[] = [];
  const curves: CurvePoint[] = [];
  for (const members of groups.values()) {
    const present = members.flatMap((m) => {
      const s = shownPayload(m);
      return s ? [{ spec: m.spec, payload: s.payload, source: s.source === 'result' ? ('results' as const) : ('golden' as const) }] : [];
    });
    if (present.length === 0) continue;
    const row = buildRow(present, members.map((m) => m.spec.seed));
    rows.push(row);
    if (!row.sweep) curves.push(...curvePoints(row, present.map((p) => p.payload)));
  }
  const sweepNames = [...new Set(rows.filter((r) => r.sweep).map((r) => r.sweep!.name))];
  const heatmaps = sweepNames.flatMap((name) => {
    const rs = rows.filter((r) => r.sweep?.name === name);
    return [buildHeatmap(rs, 'test'), buildHeatmap(rs, 'train')];
  });
  const notices = runs.flatMap((r) => (r.state === 'no result' ? [`${r.name}: no result`] : r.state === 'invalid' ? r.problems.map((p) => `${r.name}: ${p}`) : []));
  const runOwned = new Set(runs.flatMap((r) => r.figureDiffs.map((d) => d.file)));
  return {
    profile: inputs.profile,
    goldens: inputs.goldens,
    withResults: inputs.withResults,
    counts: {
      runs: runs.length,
      golden: inputs.runs.filter((r) => r.golden.state === 'ok').length,
      results: inputs.runs.filter((r) => r.result.state === 'ok').length,
      noResult: runs.filter((r) => r.state === 'no result').length,
      invalid: runs.filter((r) => r.state === 'invalid').length,
      rows: rows.filter((r) => !r.sweep).length,
      sweeps: sweepNames.length,
      claims: inputs.claims.length,
    },
    rows: rows.filter((r) => !r.sweep).map(rowView),
    curves,
    heatmaps,
    claims: evaluateClaims(inputs.claims, rows),
    runs,
    digits: 'why' in inputs.digits ? { why: inputs.digits.why } : digitSprite(inputs.digits.images),
    figureDiffs: inputs.figureDiffs.filter((d) => !runOwned.has(d.file)).map((d) => ({ file: d.file, src: pngUrl(d.png) })),
    notices,
  };
}
