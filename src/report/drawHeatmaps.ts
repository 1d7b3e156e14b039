/** Heatmap PNGs of a profile's sweeps (test accuracy, coloured by Δ against the study): drawn only
 * for a sweep whose every run has a payload, so a partial selection never draws half a grid.
 * `specs` must be all of the profile's specs, not a selection: a selection holding one cell of a
 * sweep would otherwise make a complete one-cell "sweep". */
import type { ResultPayload } from '../result/types.js';
import type { ResolvedSpec } from '../spec/types.js';
import { buildRow, type TableRow } from './rows.js';
import { buildHeatmap, heatmapFile, renderHeatmapFigure, type HeatmapColour, type HeatmapMetric } from './figureHeatmap.js';

/** the PNGs drawn per sweep: README shows these */
const HEATMAP_FIGURES: { metric: HeatmapMetric; colour: HeatmapColour }[] = [{ metric: 'test', colour: 'delta' }];

/** Rows of every complete sweep, grouped by sweep name (spec order). Pure. */
export function completeSweepRows(specs: ResolvedSpec[], payloads: ResultPayload[]): Map<string, TableRow[]> {
  const byName = new Map(payloads.map((p) => [p.name, p]));
  const sweeps = new Map<string, Map<string, ResolvedSpec[]>>();
  for (const s of specs) {
    if (!s.sweep) continue;
    const groups = sweeps.get(s.sweep.name) ?? new Map<string, ResolvedSpec[]>();
    groups.set(s.group, [...(groups.get(s.group) ?? []), s]);
    sweeps.set(s.sweep.name, groups);
  }
  const out = new Map<string, TableRow[]>();
  for (const [name, groups] of sweeps) {
    const members = [...groups.values()];
    if (!members.every((m) => m.every((s) => byName.has(s.name)))) continue;
    out.set(name, members.map((m) => buildRow(m.map((spec) => ({ spec, payload: byName.get(spec.name)!, source: 'results' as const })), m.map((s) => s.seed))));
  }
  return out;
}

export async function drawHeatmaps(specs: ResolvedSpec[], payloads: ResultPayload[]): Promise<{ file: string; png: Buffer }[]> {
  const out: { file: string; png: Buffer }[] = [];
  for (const [name, rows] of completeSweepRows(specs, payloads))
    for (const { metric, colour } of HEATMAP_FIGURES)
      out.push({ file: heatmapFile(name, metric, colour), png: await renderHeatmapFigure(buildHeatmap(rows, metric), colour) });
  return out;
}
