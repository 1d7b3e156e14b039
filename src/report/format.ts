/** Cell formatting shared by the results tables (pure). */
import type { RowMetric, TableRow } from './rows.js';

const digitsOf = (k: RowMetric) => (k.endsWith('Loss') ? 4 : 2);

/** The study's seed: the main table shows its run beside the mean over seeds. */
export const STUDY_SEED = 1;

/** One seed: its value; several: "seed 1 · mean ± std" (– where seed 1 has no run). */
export function fmt(r: TableRow, k: RowMetric): string {
  const d = digitsOf(k);
  const s = r.spread[k];
  if (s === null) return r.values[k].toFixed(d);
  const i = r.seeds.indexOf(STUDY_SEED);
  return `${i < 0 ? '–' : r.perSeed[k][i].toFixed(d)} · ${r.values[k].toFixed(d)} ± ${s.toFixed(d)}`;
}

export function delta(a: number, b: number | undefined, digits: number): string {
  if (b === undefined) return '–';
  const d = a - b;
  return `${d >= 0 ? '+' : '−'}${Math.abs(d).toFixed(digits)}`;
}
