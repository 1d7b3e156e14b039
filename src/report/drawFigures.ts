/** Drawing every declared figure of a profile from payloads (IO at the edges: config, dataset). */
import { existsSync } from 'node:fs';
import { figureConfigPath } from '../workspace/paths.js';
import type { ResultPayload } from '../result/types.js';
import type { ResolvedSpec } from '../spec/types.js';
import { loadFigureConfig, renderCurveFigure, renderMisclassifiedFigure, selectResults } from './figures.js';
import { loadDatasetFor } from '../data/dataset.js';
import { drawHeatmaps } from './drawHeatmaps.js';

export interface DrawnFigure { file: string; png: Buffer }


/** `partial`: only some experiments were selected (--only), so figures needing others are skipped.
 * `known`: every run name of the profile's specs (figures may name only those). `all`: every spec of
 * the profile (a sweep is complete, and gets its heatmap, only when all of its runs have payloads). */
export async function drawFigures(root: string, specs: ResolvedSpec[], payloads: ResultPayload[], partial: boolean, known?: string[], all: ResolvedSpec[] = specs): Promise<DrawnFigure[]> {
  // a workspace without a figure config declares no figures
  if (payloads.length === 0 || !existsSync(figureConfigPath(root))) return [];
  const cfg = await loadFigureConfig(figureConfigPath(root), known);
  const out: DrawnFigure[] = [];
  const names = new Set(payloads.map((p) => p.name));
  for (const fig of cfg.curves) {
    // a figure whose experiments are not all present (e.g. under --only) is skipped, not half-drawn
    if (partial && fig.experiments !== '*' && !fig.experiments.every((e) => names.has(e))) continue;
    out.push({ file: `${fig.name}.png`, png: await renderCurveFigure(fig, selectResults(fig.experiments, payloads, fig.name)) });
  }
  const mis = cfg.misclassified.experiments === '*' ? payloads : payloads.filter((p) => (cfg.misclassified.experiments as string[]).includes(p.name));
  for (const p of mis) {
    const spec = specs.find((s) => s.name === p.name)!;
    const ds = loadDatasetFor(spec);
    out.push({ file: `misclassified-${p.name}.png`, png: await renderMisclassifiedFigure(p, ds.test.images, cfg.misclassified.count) });
  }
  // a sweep's heatmap needs all its runs: drawHeatmaps skips an incomplete sweep
  out.push(...(await drawHeatmaps(all, payloads)));
  return out;
}
