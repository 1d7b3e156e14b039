/** Sweep heatmaps: one cell per sweep run (first axis as columns when there are three), coloured by
 * our value or by our value minus the study's, each cell labelled with both; cells more than
 * FLAG_PP away outlined. The same Vega-Lite spec feeds the report site and the PNG (vega -> SVG -> resvg). */
import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { FLAG_PP, studyPair } from './sweepTable.js';
import type { TableRow } from './rows.js';
import { FONT_FAMILY, renderPng, type RenderOptions } from './figurePng.js';

export type HeatmapMetric = 'train' | 'test';
/** colour by our value (site) or by Δ = ours − study (README) */
export type HeatmapColour = 'value' | 'delta';

interface HeatmapCell {
  /** the experiment (run group) of this cell */
  run: string;
  /** axis values as text, in the sweep's axis order */
  axes: string[];
  ours: number;
  /** sample std over seeds; null with one seed */
  std: number | null;
  seeds: number;
  study: number | null;
  delta: number | null;
  flagged: boolean;
  /** 'final' (last epoch) or 'best', as the study reported it */
  kind: 'final' | 'best';
}

export interface Heatmap {
  sweep: string;
  title: string;
  metric: HeatmapMetric;
  axes: string[];
  cells: HeatmapCell[];
}

const METRIC_TITLE: Record<HeatmapMetric, string> = { train: 'train accuracy', test: 'test accuracy' };

/** Pure: the heatmap of one sweep and metric from its rows (one row per sweep point, seeds averaged). */
export function buildHeatmap(rows: TableRow[], metric: HeatmapMetric): Heatmap {
  const first = rows[0];
  const cells = rows.map((r): HeatmapCell => {
    const st = studyPair(r);
    const key = st.kind === 'final' ? (metric === 'train' ? 'finalTrainAcc' : 'finalTestAcc') : metric === 'train' ? 'bestTrainAcc' : 'bestTestAcc';
    const study = (metric === 'train' ? st.train : st.test) ?? null;
    const ours = r.values[key];
    const delta = study === null ? null : ours - study;
    return {
      run: r.name, axes: r.sweep!.axes.map(([, v]) => String(v)), ours, std: r.spread[key], seeds: r.seeds.length,
      study, delta, flagged: delta !== null && Math.abs(delta) > FLAG_PP, kind: st.kind,
    };
  });
  return { sweep: first.sweep!.name, title: first.sweep!.title, metric, axes: first.sweep!.axes.map(([a]) => a), cells };
}

const signed = (x: number) => `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(2)}`;

/** Pure: the Vega-Lite spec of a heatmap. `href`: a link per cell (the site's run detail). */
export function buildHeatmapSpec(h: Heatmap, colour: HeatmapColour, opts: { href?: (run: string) => string } = {}): TopLevelSpec {
  const [colAxis, xAxis, yAxis] = h.axes.length >= 3 ? h.axes : [null, h.axes[0], h.axes[1] ?? null];
  const offset = h.axes.length >= 3 ? 1 : 0;
  const kind = h.cells.some((c) => c.kind === 'final') ? 'last-epoch' : 'best';
  const deltas = h.cells.flatMap((c) => (c.delta === null ? [] : [Math.abs(c.delta)]));
  const span = Math.max(FLAG_PP, ...deltas);
  const values = h.cells.map((c) => {
    const colourValue = colour === 'value' ? c.ours : c.delta;
    return {
      run: c.run,
      col: colAxis === null ? '' : `${colAxis} ${c.axes[0]}`,
      x: c.axes[offset],
      y: yAxis === null ? '' : c.axes[offset + 1],
      ours: Number(c.ours.toFixed(2)),
      study: c.study === null ? '–' : c.study.toFixed(2),
      delta: c.delta === null ? '–' : `${signed(c.delta)} pp`,
      colour: colourValue === null ? null : Number(colourValue.toFixed(4)),
      flagged: c.flagged,
      label: [c.ours.toFixed(2), c.delta === null ? 'study –' : `Δ ${signed(c.delta)}${c.flagged ? ' !' : ''}`],
      spread: c.std === null ? '1 seed' : `± ${c.std.toFixed(2)} over ${c.seeds} seeds`,
      ...(opts.href ? { href: opts.href(c.run) } : {}),
    };
  });
  // text stays readable on both ends of the colour ramp
  const colours = values.map((v) => v.colour).filter((v): v is number => v !== null);
  const [lo, hi] = [Math.min(...colours), Math.max(...colours)];
  const dark = colour === 'value' ? `datum.colour > ${lo + 0.6 * (hi - lo)}` : `abs(datum.colour) > ${0.6 * span}`;
  const order = (field: 'x' | 'y' | 'col') => [...new Set(values.map((v) => v[field]))].sort((a, b) => Number(a.split(' ').pop()) - Number(b.split(' ').pop()) || a.localeCompare(b));
  const colourScale = colour === 'value'
    ? { scheme: 'blues', zero: false }
    : { scheme: 'redblue', domain: [-span, span], domainMid: 0 };
  const colourTitle = colour === 'value' ? `ours (%)` : `ours − study (pp)`;
  const unit = {
    width: 70 * order('x').length,
    height: 46 * Math.max(1, order('y').length),
    encoding: {
      x: { field: 'x', type: 'ordinal' as const, title: xAxis, sort: order('x'), axis: { labelAngle: 0 } },
      y: { field: 'y', type: 'ordinal' as const, title: yAxis ?? '', sort: order('y').reverse() },
    },
    layer: [
      {
        mark: { type: 'rect' as const, cursor: opts.href ? ('pointer' as const) : undefined },
        encoding: {
          color: { condition: { test: 'datum.colour === null', value: '#eeeeee' }, field: 'colour', type: 'quantitative' as const, title: colourTitle, scale: colourScale, legend: { orient: 'right' as const, gradientLength: 120 } },
          stroke: { condition: { test: 'datum.flagged', value: '#000000' }, value: '#ffffff' },
          strokeWidth: { condition: { test: 'datum.flagged', value: 3 }, value: 1 },
          tooltip: [
            { field: 'run', title: 'run' },
            { field: 'ours', title: `ours (${kind})` },
            { field: 'spread', title: 'spread' },
            { field: 'study', title: 'study' },
            { field: 'delta', title: 'Δ' },
          ],
          ...(opts.href ? { href: { field: 'href' } } : {}),
        },
      },
      {
        mark: { type: 'text' as const, fontSize: 11, lineHeight: 13, baseline: 'middle' as const },
        encoding: {
          text: { field: 'label' },
          color: { condition: { test: dark, value: '#ffffff' }, value: '#000000' },
        },
      },
    ],
  };
  const title = {
    text: `${h.title}: ${METRIC_TITLE[h.metric]} (${kind})`,
    subtitle: colour === 'value'
      ? `colour = ours; label = ours and Δ = ours − study; outlined, "!" = more than ${FLAG_PP} pp away`
      : `colour = Δ = ours − study (pp); label = ours and Δ; outlined, "!" = more than ${FLAG_PP} pp away`,
    anchor: 'start' as const,
  };
  const common = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    background: 'white',
    padding: 12,
    data: { values },
    config: {
      font: FONT_FAMILY,
      view: { stroke: null },
      axis: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal' as const, domain: false, ticks: false },
      header: { labelFontSize: 12, title: null },
      title: { fontSize: 14, subtitleFontSize: 11, subtitleColor: '#444444' },
    },
  };
  if (colAxis === null) return { ...common, ...unit } as TopLevelSpec;
  return {
    ...common,
    facet: { column: { field: 'col', type: 'ordinal', sort: order('col'), header: { title: null, labelFontSize: 12 } } },
    spacing: 14,
    spec: unit,
  } as TopLevelSpec;
}

export const heatmapFile = (sweep: string, metric: HeatmapMetric, colour: HeatmapColour) => `heatmap-${sweep}-${metric}-${colour}.png`;

export async function renderHeatmapFigure(h: Heatmap, colour: HeatmapColour, options: RenderOptions = {}): Promise<Buffer> {
  const view = new View(parse(compile(buildHeatmapSpec(h, colour)).spec), { renderer: 'none' });
  try {
    return await renderPng(await view.toSVG(), options);
  } finally {
    view.finalize();
  }
}
