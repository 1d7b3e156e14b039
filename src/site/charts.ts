/** The site's charts as Vega-Lite specs, compiled to Vega here so that the page needs only Vega and
 * vega-embed. Pure. Charts whose data the page picks (curves, a run's curves) have a named, empty
 * data set the page fills. */
import { compile, type TopLevelSpec } from 'vega-lite';
import { buildHeatmapSpec } from '../report/figureHeatmap.js';
import { CURVE_METRICS, ROW_CHART_METRICS, type SiteModel } from './model.js';

const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#bcbd22', '#17becf'];
const LABEL: Record<string, string> = {
  bestTrainAcc: 'Best train accuracy (%)', bestTestAcc: 'Best test accuracy (%)', bestTestLoss: 'Best test loss',
  trainLoss: 'Training loss', trainAcc: 'Training accuracy (%)', testLoss: 'Test loss', testAcc: 'Test accuracy (%)',
};
const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
const CONFIG = { font: 'DejaVu Sans, Verdana, sans-serif', view: { stroke: '#bbbbbb' }, axis: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal' as const } };

/** Seeds' dots, mean ± std and the study's value, one panel per metric. */
function rowsChart(m: SiteModel): TopLevelSpec {
  const order = m.rows.map((r) => r.title);
  const values = m.rows.flatMap((r) => r.metrics.flatMap((k) => [
    ...k.perSeed.map((v, i) => ({ experiment: r.title, metric: k.key, kind: 'seed', value: v, seed: r.seeds[i] })),
    { experiment: r.title, metric: k.key, kind: 'mean', value: k.mean, lo: k.mean - (k.std ?? 0), hi: k.mean + (k.std ?? 0) },
    ...(k.study === null ? [] : [{ experiment: r.title, metric: k.key, kind: 'study', value: k.study }]),
  ]));
  const y = { field: 'experiment', type: 'nominal' as const, sort: order, title: null };
  return {
    $schema: SCHEMA, config: CONFIG, data: { values },
    hconcat: ROW_CHART_METRICS.map((metric, i) => ({
      width: 230,
      height: { step: 26 },
      transform: [{ filter: `datum.metric === '${metric}'` }],
      encoding: { y: i === 0 ? y : { ...y, axis: null } },
      layer: [
        { transform: [{ filter: "datum.kind === 'mean'" }], mark: { type: 'rule', strokeWidth: 2, color: '#555555' }, encoding: { x: { field: 'lo', type: 'quantitative', scale: { zero: false }, title: LABEL[metric] }, x2: { field: 'hi' } } },
        { transform: [{ filter: "datum.kind === 'seed'" }], mark: { type: 'point', filled: true, size: 40, opacity: 0.55, color: '#1f77b4' }, encoding: { x: { field: 'value', type: 'quantitative' }, tooltip: [{ field: 'experiment' }, { field: 'seed' }, { field: 'value', format: '.4f' }] } },
        { transform: [{ filter: "datum.kind === 'mean'" }], mark: { type: 'tick', thickness: 2, color: '#000000' }, encoding: { x: { field: 'value', type: 'quantitative' }, tooltip: [{ field: 'experiment' }, { field: 'value', title: 'mean', format: '.4f' }, { field: 'lo', title: 'mean − std', format: '.4f' }, { field: 'hi', title: 'mean + std', format: '.4f' }] } },
        { transform: [{ filter: "datum.kind === 'study'" }], mark: { type: 'point', shape: 'diamond', filled: true, size: 70, color: '#d62728' }, encoding: { x: { field: 'value', type: 'quantitative' }, tooltip: [{ field: 'experiment' }, { field: 'value', title: 'study', format: '.4f' }] } },
      ],
    })),
  } as TopLevelSpec;
}

/** Mean over seeds with the min-max band, one panel per curve; data set "curves" filled by the page. */
function curvesChart(m: SiteModel): TopLevelSpec {
  const titles = m.rows.map((r) => r.title);
  const colour = { field: 'experiment', type: 'nominal' as const, title: 'Experiment', scale: { domain: titles, range: titles.map((_, i) => PALETTE[i % PALETTE.length]) } };
  return {
    $schema: SCHEMA, config: CONFIG, data: { name: 'curves' },
    columns: 2,
    concat: CURVE_METRICS.map((metric) => ({
      width: 300, height: 190, title: LABEL[metric],
      transform: [{ filter: `datum.metric === '${metric}'` }],
      encoding: { x: { field: 'epoch', type: 'quantitative', title: 'Epoch', axis: { tickMinStep: 1, format: 'd' } }, color: colour },
      layer: [
        { mark: { type: 'area', opacity: 0.18 }, encoding: { y: { field: 'min', type: 'quantitative', scale: { zero: false }, title: null }, y2: { field: 'max' } } },
        { mark: { type: 'line', strokeWidth: 2, point: { size: 18, filled: true } }, encoding: { y: { field: 'mean', type: 'quantitative' }, tooltip: [{ field: 'experiment' }, { field: 'epoch' }, { field: 'mean', format: '.4f' }, { field: 'min', format: '.4f' }, { field: 'max', format: '.4f' }] } },
      ],
    })),
  } as TopLevelSpec;
}

/** One run's four curves; data set "epochs" ({metric, epoch, value}) filled by the page. */
function runChart(): TopLevelSpec {
  return {
    $schema: SCHEMA, config: CONFIG, data: { name: 'epochs' },
    columns: 2,
    concat: CURVE_METRICS.map((metric) => ({
      width: 240, height: 130, title: LABEL[metric],
      transform: [{ filter: `datum.metric === '${metric}'` }],
      mark: { type: 'line', strokeWidth: 2, point: { size: 16, filled: true } },
      encoding: {
        x: { field: 'epoch', type: 'quantitative', title: 'Epoch', axis: { tickMinStep: 1, format: 'd' } },
        y: { field: 'value', type: 'quantitative', scale: { zero: false }, title: null },
        tooltip: [{ field: 'epoch' }, { field: 'value', format: '.4f' }],
      },
    })),
  } as TopLevelSpec;
}

const CHECK_Y = { field: 'check', type: 'nominal' as const, sort: null, title: null, axis: { labelLimit: 520 } };

/** The claims' checks as a forest plot: margin ± spread, coloured by verdict; one panel per unit. */
function forestChart(m: SiteModel): TopLevelSpec {
  const values = m.claims.flatMap((c) => c.checks.map((k) => ({
    claim: c.id, check: `${c.id}: ${k.check}`, unit: /Loss\(/.test(k.check) ? 'loss' : 'pp', verdict: k.status,
    margin: k.margin, lo: k.margin === null ? null : k.margin - (k.spread ?? 0), hi: k.margin === null ? null : k.margin + (k.spread ?? 0),
    spread: k.spread, claimStatus: c.status,
  }))).filter((v) => v.margin !== null);
  const units = [...new Set(values.map((v) => v.unit))];
  const verdicts = ['holds', 'not distinguishable', 'fails'];
  return {
    $schema: SCHEMA, config: CONFIG, data: { values },
    vconcat: units.map((unit) => ({
      width: 360, height: { step: 24 },
      transform: [{ filter: `datum.unit === '${unit}'` }],
      layer: [
        { mark: { type: 'rule', color: '#888888', strokeDash: [4, 3] }, encoding: { x: { datum: 0, type: 'quantitative' } } },
        { mark: { type: 'rule', strokeWidth: 2 }, encoding: { y: CHECK_Y, x: { field: 'lo', type: 'quantitative', title: unit === 'pp' ? 'margin ± spread (pp), positive = claim holds' : 'margin ± spread (loss), positive = claim holds' }, x2: { field: 'hi' }, color: { field: 'verdict', type: 'nominal', scale: { domain: verdicts, range: ['#2ca02c', '#ff7f0e', '#d62728'] }, title: 'Verdict' } } },
        { mark: { type: 'point', filled: true, size: 60 }, encoding: { y: CHECK_Y, x: { field: 'margin', type: 'quantitative' }, color: { field: 'verdict', type: 'nominal' }, tooltip: [{ field: 'check' }, { field: 'margin', format: '+.3f' }, { field: 'spread', format: '.3f' }, { field: 'verdict' }, { field: 'claimStatus', title: 'claim' }] } },
      ],
    })),
  } as TopLevelSpec;
}

export const runAnchor = (name: string) => `run-${name}`;

/** Every chart of the page as a Vega spec, by the id of its container. */
export function buildCharts(m: SiteModel): Record<string, object> {
  const charts: Record<string, TopLevelSpec> = {};
  if (m.rows.length) charts['chart-rows'] = rowsChart(m);
  if (m.rows.length) charts['chart-curves'] = curvesChart(m);
  m.heatmaps.forEach((h) => (charts[`chart-heatmap-${h.sweep}-${h.metric}`] = buildHeatmapSpec(h, 'value')));
  if (m.claims.some((c) => c.checks.some((k) => k.margin !== null))) charts['chart-claims'] = forestChart(m);
  charts['chart-run'] = runChart();
  return Object.fromEntries(Object.entries(charts).map(([id, spec]) => [id, compile(spec).spec]));
}
