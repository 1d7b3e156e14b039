/** Ratios of this engine's bench results to PyTorch's, measured in alternating rounds in one
 * command (the machine's speed drifts by tens of percent over minutes, so only numbers taken side
 * by side are compared). Pure: rows in, rows out. */
import { RunError, problem } from '../errors.js';
import { median } from '../util/stats.js';
import type { CpuFacts } from '../host/cpu.js';
import type { TensorflowFacts } from '../engine/tensorflow.js';

export interface BenchRow { norm: string; mode: string; imagesPerSec: number }
export interface BenchSummary { backend: string; threads: number; batchSize: number; results: BenchRow[]; cpu?: CpuFacts; tensorflow?: TensorflowFacts }

export interface ComparisonRow {
  norm: string;
  mode: string;
  /** img/s per round, same order for both */
  ours: number[];
  pytorch: number[];
  /** ours / pytorch per round */
  ratios: number[];
  medianRatio: number;
  minRatio: number;
}


/** the benchmarks disagree on what they measured: say so, and how to get comparable rounds */
const benchError = (message: string) => new RunError('RUN', [problem('', '', message, 'run the benchmark again with the same --norms, --modes and --rounds for every engine')]);

const round2 = (x: number) => Math.round(x * 100) / 100;

/** Pairs round i of ours with round i of PyTorch's, per (norm, mode). */
export function compareBench(ours: BenchSummary[], pytorch: BenchSummary[]): ComparisonRow[] {
  if (ours.length !== pytorch.length || ours.length === 0) {
    throw benchError(`compareBench: ${ours.length} round(s) of ours vs ${pytorch.length} of PyTorch`);
  }
  const keys: Array<[string, string]> = ours[0].results.map((r) => [r.norm, r.mode]);
  return keys.map(([norm, mode]) => {
    const pick = (s: BenchSummary, who: string): number => {
      const r = s.results.find((x) => x.norm === norm && x.mode === mode);
      if (!r || !(r.imagesPerSec > 0)) throw benchError(`compareBench: ${who} has no result for ${norm}/${mode}`);
      return r.imagesPerSec;
    };
    const o = ours.map((s) => pick(s, 'ours'));
    const p = pytorch.map((s) => pick(s, 'PyTorch'));
    const ratios = o.map((v, i) => round2(v / p[i]));
    return { norm, mode, ours: o, pytorch: p, ratios, medianRatio: round2(median(ratios)), minRatio: Math.min(...ratios) };
  });
}

export function renderComparison(rows: ComparisonRow[], oursLabel: string): string {
  const lines = [`${'mode'.padEnd(16)} ${'norm'.padEnd(6)} ${'ratio (median, min)'.padEnd(20)} ${oursLabel} img/s  vs  PyTorch img/s, per round`];
  for (const r of rows) {
    lines.push(`${r.mode.padEnd(16)} ${r.norm.padEnd(6)} ${`${r.medianRatio.toFixed(2)}x, ${r.minRatio.toFixed(2)}x`.padEnd(20)} ` +
      r.ours.map((v, i) => `${v} vs ${r.pytorch[i]}`).join(';  '));
  }
  return lines.join('\n');
}

export interface EngineRow {
  norm: string;
  mode: string;
  /** median img/s per engine (PyTorch included when measured), in column order */
  imagesPerSec: Record<string, number>;
  /** median over rounds of engine / baseline, per engine */
  ratios: Record<string, number>;
}

/** Several engines (and PyTorch) measured in the same rounds: the median of each, and the median
 * of the per-round ratios to the baseline (PyTorch when measured, else the first engine). */
export function compareEngines(runs: Record<string, BenchSummary[]>, baseline: string): EngineRow[] {
  const names = Object.keys(runs);
  const rounds = runs[baseline]?.length ?? 0;
  if (!rounds || names.some((n) => runs[n].length !== rounds)) throw benchError(`compareEngines: every engine needs the same number of rounds (${names.map((n) => `${n} ${runs[n].length}`).join(', ')})`);
  const keys: Array<[string, string]> = runs[names[0]][0].results.map((r) => [r.norm, r.mode]);
  return keys.map(([norm, mode]) => {
    const per = (n: string) => runs[n].map((s) => {
      const r = s.results.find((x) => x.norm === norm && x.mode === mode);
      if (!r || !(r.imagesPerSec > 0)) throw benchError(`compareEngines: ${n} has no result for ${norm}/${mode}`);
      return r.imagesPerSec;
    });
    const base = per(baseline);
    const imagesPerSec: Record<string, number> = {};
    const ratios: Record<string, number> = {};
    for (const n of names) {
      const v = per(n);
      imagesPerSec[n] = Math.round(median(v));
      ratios[n] = round2(median(v.map((x, i) => x / base[i])));
    }
    return { norm, mode, imagesPerSec, ratios };
  });
}

/** A markdown table: one row per (mode, norm), img/s and the ratio to the baseline per engine. */
export function renderEngineTable(rows: EngineRow[], baseline: string): string {
  const names = Object.keys(rows[0]?.imagesPerSec ?? {});
  const head = `| mode | norm | ${names.map((n) => `${n} img/s`).join(' | ')} | ${names.filter((n) => n !== baseline).map((n) => `${n} / ${baseline}`).join(' | ')} |`;
  const sep = `|${' --- |'.repeat(2 + names.length + names.length - 1)}`;
  const body = rows.map((r) => `| ${r.mode} | ${r.norm} | ${names.map((n) => String(r.imagesPerSec[n])).join(' | ')} | ${names.filter((n) => n !== baseline).map((n) => `${r.ratios[n].toFixed(2)}x`).join(' | ')} |`);
  return [head, sep, ...body].join('\n');
}
