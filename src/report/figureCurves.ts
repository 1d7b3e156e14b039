/** Curve figures: one panel per metric, x = epoch, one line per experiment; vega-lite -> SVG -> PNG. */
import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { ResultPayload } from '../result/types.js';
import { selectResults, type CurveFigure, type MetricName } from './figureConfig.js';
import { FigureError } from './figureError.js';
import { FONT_FAMILY, renderPng, type RenderOptions } from './figurePng.js';

const PANELS: Record<MetricName, { title: string; axis: string }> = {
  trainLoss: { title: 'Training loss', axis: 'Loss' },
  trainAcc: { title: 'Training accuracy', axis: 'Accuracy (%)' },
  testLoss: { title: 'Test loss', axis: 'Loss' },
  testAcc: { title: 'Test accuracy', axis: 'Accuracy (%)' },
  lr: { title: 'Learning rate', axis: 'Learning rate' },
};

// d3 category10 minus its grey: distinct on white, and in a fixed order so colours follow the config
const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#bcbd22', '#17becf'];
const SHAPES = ['circle', 'square', 'triangle-up', 'diamond', 'cross', 'triangle-down', 'triangle-right', 'triangle-left', 'wedge'];

export async function renderCurveFigure(fig: CurveFigure, results: ResultPayload[], options: RenderOptions = {}): Promise<Buffer> {
  const spec = buildCurveSpec(fig, selectResults(fig.experiments, results, `curve figure "${fig.name}"`));
  const view = new View(parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await renderPng(await view.toSVG(), options);
  } finally {
    view.finalize();
  }
}

/** Pure: the vega-lite spec of a curve figure over the given results (already selected and ordered). */
export function buildCurveSpec(fig: CurveFigure, results: ResultPayload[]): TopLevelSpec {
  if (results.length === 0) {
    throw new FigureError('FIGURE_BAD_INPUT', null, [{ pointer: '', message: `curve figure "${fig.name}": no results to draw`, fix: 'produce at least one result first' }]);
  }
  const labels = legendLabels(results);
  const epochs = results.flatMap((r) => r.epochs.map((e) => e.epoch));
  const first = Math.min(...epochs);
  const last = Math.max(first + 1, ...epochs);
  const legend = { domain: labels, range: labels.map((_, i) => PALETTE[i % PALETTE.length]) };
  const shapes = { domain: labels, range: labels.map((_, i) => SHAPES[Math.floor(i / PALETTE.length) % SHAPES.length]) };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: fig.title, fontSize: 18, anchor: 'start', offset: 14 },
    background: 'white',
    padding: 16,
    columns: Math.min(2, fig.metrics.length),
    spacing: { row: 24, column: 36 },
    config: {
      font: FONT_FAMILY,
      view: { stroke: '#bbbbbb' },
      title: { fontSize: 15, fontWeight: 'bold', offset: 8 },
      axis: { labelFontSize: 12, titleFontSize: 13, titleFontWeight: 'normal', gridColor: '#e6e6e6' },
      legend: { labelFontSize: 13, titleFontSize: 13, labelLimit: 0, symbolSize: 90, symbolStrokeWidth: 2, rowPadding: 6 },
    },
    concat: fig.metrics.map((metric) => ({
      title: PANELS[metric].title,
      width: 500,
      height: 270,
      data: {
        values: results.flatMap((r, i) => r.epochs.map((e) => ({ experiment: labels[i], epoch: e.epoch, value: e[metric] }))),
      },
      mark: { type: 'line', strokeWidth: 2, point: { filled: true, size: 40 } },
      encoding: {
        x: { field: 'epoch', type: 'quantitative', title: 'Epoch', scale: { domain: [first, last], nice: false }, axis: { tickMinStep: 1, format: 'd' } },
        y: { field: 'value', type: 'quantitative', title: PANELS[metric].axis, scale: { zero: false, nice: true } },
        color: { field: 'experiment', type: 'nominal', title: 'Experiment', scale: legend, sort: labels },
        shape: { field: 'experiment', type: 'nominal', title: 'Experiment', scale: shapes, sort: labels },
      },
    })),
  };
}

/** Result titles, with the name added where two results share a title (the legend would merge them). */
function legendLabels(results: ResultPayload[]): string[] {
  const titles = results.map((r) => r.title);
  return results.map((r) => (titles.indexOf(r.title) === titles.lastIndexOf(r.title) ? r.title : `${r.title} (${r.name})`));
}
