/** The page: the model drawn as one self-contained HTML file (vendored Vega inlined, data as JSON).
 * Pure; the same model and vendor text give the same bytes. */
import { FLAG_PP } from '../report/sweepTable.js';
import { runAnchor } from './charts.js';
import { CLIENT_JS } from './client.js';
import type { SiteModel } from './model.js';
import type { SiteRun } from './types.js';

function escapeHtml(s: string | number): string {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
const e = escapeHtml;

/** JSON with sorted keys and numbers at 6 significant digits, safe inside <script>. */
function stableJson(v: unknown): string {
  const norm = (x: unknown): unknown => {
    if (typeof x === 'number') return Number.isInteger(x) || !Number.isFinite(x) ? x : Number(x.toPrecision(6));
    if (Array.isArray(x)) return x.map(norm);
    if (x && typeof x === 'object') return Object.fromEntries(Object.keys(x).sort().flatMap((k) => ((x as Record<string, unknown>)[k] === undefined ? [] : [[k, norm((x as Record<string, unknown>)[k])]])));
    return x;
  };
  return JSON.stringify(norm(v)).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** A script's text with "</script" broken up, so that it cannot close its element early. */
function inlineScript(js: string): string {
  return js.replace(/<\/script/gi, '<\\/script');
}

const sgn = (x: number, d: number) => `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(d)}`;
const digitsFor = (key: string) => (key.endsWith('Loss') ? 4 : 2);
const METRIC_HEAD: Record<string, string> = { bestTrainAcc: 'Best train acc', bestTestAcc: 'Best test acc', bestTestLoss: 'Best test loss' };

function rowsTable(m: SiteModel): string {
  const head = `<tr><th>Experiment</th><th>Seeds</th>${m.rows[0].metrics.map((k) => `<th>${METRIC_HEAD[k.key]}<br><small>mean ± std · study · Δ</small></th>`).join('')}</tr>`;
  const body = m.rows.map((r) => {
    const cells = r.metrics.map((k) => {
      const d = digitsFor(k.key);
      const ours = `${k.mean.toFixed(d)}${k.std === null ? '' : ` ± ${k.std.toFixed(d)}`}`;
      const study = k.study === null ? '–' : k.study.toFixed(d);
      const delta = k.delta === null ? '–' : sgn(k.delta, d);
      const mark = k.within === false ? ' class="off" title="the study lies outside mean ± 2 std"' : '';
      return `<td${mark}>${ours}<br><small>study ${study} · Δ ${delta}</small></td>`;
    }).join('');
    return `<tr><td><a href="#${e(runAnchor(r.name))}">${e(r.title)}</a><br><small>${e(r.norm)}, L1 ${r.l1}, L2 ${r.l2}</small></td><td>${e(r.seeds.join(', '))}${r.seeds.length < r.declaredSeeds.length ? ` <small>(of ${e(r.declaredSeeds.join(', '))})</small>` : ''}</td>${cells}</tr>`;
  }).join('\n');
  return `<div class="scroll"><table id="rows-table"><thead>${head}</thead><tbody>\n${body}\n</tbody></table></div>`;
}

function sweepsSection(m: SiteModel): string {
  if (!m.heatmaps.length) return '<p>No sweep has a result or golden yet.</p>';
  const names = [...new Set(m.heatmaps.map((h) => h.sweep))];
  return names.map((name) => {
    const hs = m.heatmaps.filter((h) => h.sweep === name);
    const maps = hs.map((h) => {
      const flagged = h.cells.filter((c) => c.flagged).length;
      const studied = h.cells.filter((c) => c.study !== null).length;
      return `<div class="chart heatmap" id="chart-heatmap-${e(h.sweep)}-${h.metric}" data-cells="${h.cells.length}"></div>` +
        `<p class="note">${h.cells.length} cells; ${studied} with a study value; ${flagged} more than ${FLAG_PP} pp away. Click a cell for its run.</p>`;
    }).join('\n');
    return `<h3 id="sweep-${e(name)}">${e(hs[0].title)} <small>(<code>${e(name)}</code>)</small></h3>\n${maps}`;
  }).join('\n');
}

function claimsSection(m: SiteModel): string {
  if (!m.claims.length) return '<p>No claims (reports/claims.json).</p>';
  const rows = m.claims.flatMap((c) => c.checks.map((k, i) => {
    const margin = k.margin === null ? '–' : sgn(k.margin, 3);
    const spread = k.spread === null ? '–' : k.spread.toFixed(3);
    return `<tr>${i === 0 ? `<td rowspan="${c.checks.length}">${e(c.text)}<br><b class="v-${c.status.replace(/ /g, '-')}">${e(c.status)}</b>${c.singleSeed ? ' (1 seed)' : ''}</td>` : ''}<td><code>${e(k.check)}</code></td><td>${margin}</td><td>${spread}</td><td>${e(k.status)}${k.missing.length ? ` (no result for ${e(k.missing.join(', '))})` : ''}</td></tr>`;
  })).join('\n');
  return `<div class="chart" id="chart-claims"></div>\n<div class="scroll"><table id="claims-table"><thead><tr><th>Claim</th><th>Check</th><th>Margin</th><th>Spread</th><th>Verdict</th></tr></thead><tbody>\n${rows}\n</tbody></table></div>`;
}

function runState(r: SiteRun): string {
  if (r.state === 'no result') return '<span class="state none">no result</span>';
  if (r.state === 'invalid') return `<span class="state bad">invalid: ${e(r.problems.join('; '))}</span>`;
  return `<span class="state ok">${r.source === 'result' ? 'local result' : 'golden'}</span>`;
}
function verifyState(r: SiteRun): string {
  if (!r.verify) return '';
  return r.verify.status === 'pass' ? ' <span class="state ok">verify: pass</span>' : r.verify.status === 'fail' ? ` <span class="state bad">verify: FAIL (${r.verify.differences.length})</span>` : ' <span class="state none">verify: no golden</span>';
}

function runsSection(m: SiteModel): string {
  const groups = new Map<string, SiteRun[]>();
  for (const r of m.runs) {
    const key = r.sweep ?? '';
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  return [...groups].map(([sweep, runs]) => {
    const items = runs.map((r) => {
      const label = r.sweep ? `${r.axes.map(([a, v]) => `${a} ${v}`).join(', ')}${r.seed !== 1 ? `, seed ${r.seed}` : ''}` : `${r.title}${r.seed !== 1 ? `, seed ${r.seed}` : ''}`;
      return `<details class="run" id="${e(runAnchor(r.name))}" data-run="${e(r.name)}"><summary><a class="name" href="#${e(runAnchor(r.name))}">${e(label)}</a> <code>${e(r.name)}</code> ${runState(r)}${verifyState(r)}</summary><div class="detail"></div></details>`;
    }).join('\n');
    return `<h3>${sweep ? `Sweep <code>${e(sweep)}</code>` : 'Table rows'} <small>(${runs.length} runs)</small></h3>\n${items}`;
  }).join('\n');
}

const CSS = `
*{box-sizing:border-box}body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:#1b1b1b;background:#fff}
header{background:#f3f5f8;border-bottom:1px solid #d8dde4;padding:12px 16px}header h1{font-size:1.3em;margin:0 0 4px}
nav{position:sticky;top:0;background:#fff;border-bottom:1px solid #d8dde4;padding:8px 16px;z-index:2}nav a{margin-right:14px}
main{padding:0 16px 40px;max-width:1200px}section,h3,details.run{scroll-margin-top:44px}section{margin-top:18px}h2{border-bottom:1px solid #e3e3e3;padding-bottom:4px}
.scroll,.chart{overflow-x:auto;max-width:100%}table{border-collapse:collapse;margin:8px 0}th,td{border:1px solid #dde1e6;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f7f8fa}small{color:#555}td.off{background:#fdecea}.note{color:#444;margin:2px 0 18px}
fieldset{border:1px solid #dde1e6;margin:8px 0}fieldset label{display:inline-block;margin-right:12px;white-space:nowrap}
details.run{border-bottom:1px solid #eee;padding:4px 0}details.run>summary{cursor:pointer}details.run[open]{background:#fafbfc}
.detail{padding:4px 0 12px 18px}.state{font-size:.85em;padding:1px 6px;border-radius:8px;margin-left:4px}
.state.ok{background:#e6f4ea;color:#1e6b34}.state.bad{background:#fdecea;color:#a12622}.state.none{background:#eeeeee;color:#555}
.pass{color:#1e6b34}.fail{color:#a12622;font-weight:bold}.problems{color:#a12622}
.v-holds{color:#1e6b34}.v-does-not-hold{color:#a12622}.v-not-distinguishable{color:#9a5b00}
.digits{display:flex;flex-wrap:wrap;gap:6px}.tile{margin:0;text-align:center;font-size:.8em}
.digit{display:block;width:56px;height:56px;image-rendering:pixelated;background-repeat:no-repeat;background-color:#000}
img.diff{max-width:100%;border:1px solid #ccc}code{font-size:.9em}
@media (max-width:640px){body{font-size:14px}main{padding:0 8px 30px}th,td{padding:3px 5px}}
`;

/** A run as the page's script reads it: curves as columns, digits as [index, actual, predicted]. */
function compactRun(r: SiteRun): object {
  const { epochs, misclassified, ...rest } = r;
  const curves = Object.fromEntries(CURVES.map((k) => [k, epochs.map((ep) => Number(ep[k].toPrecision(5)))]));
  return {
    ...rest, curves,
    misclassified: misclassified && { count: misclassified.count, epoch: misclassified.epoch, samples: misclassified.samples.map((s) => [s.index, s.actual, s.predicted]) },
  };
}
const CURVES = ['trainLoss', 'trainAcc', 'testLoss', 'testAcc'] as const;

export function renderSiteHtml(m: SiteModel, charts: Record<string, object>, vendorJs: string): string {
  const c = m.counts;
  const g = m.goldens;
  // a digest of the goldens, not a git commit: every clone with the same goldens writes the same page
  const goldens = g ? `goldens <code title="sha256 over the ${g.files} files of ${e(g.dir)}/*.json in name order: ${e(g.sha256)}">sha256 ${e(g.sha256.slice(0, 12))}</code> (${g.files} files in ${e(g.dir)}/)` : 'no goldens';
  const source = m.withResults ? 'local results where they exist, else goldens' : 'the committed goldens';
  const runs = Object.fromEntries(m.runs.map((r) => [r.name, compactRun(r)]));
  const digitCss = 'sprite' in m.digits ? `.digit{background-image:url(${m.digits.sprite});background-size:${m.digits.columns * 56}px auto}` : '';
  const data = stableJson({ charts, curves: m.curves, runs, digits: 'sprite' in m.digits ? { at: m.digits.at, columns: m.digits.columns } : m.digits });
  const picker = m.rows.map((r, i) => `<label><input type="checkbox" value="${e(r.title)}"${i < 3 ? ' checked' : ''}> ${e(r.title)}</label>`).join('\n');
  const diffs = m.figureDiffs.map((d) => `<figure><img class="diff" alt="pixel diff ${e(d.file)}" src="${d.src}"><figcaption>${e(d.file)}</figcaption></figure>`).join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>normreg report: ${e(m.profile)} profile</title>
<style>${CSS}${digitCss}</style>
</head>
<body>
<header>
<h1>Normalization and Regularization on MNIST: ${e(m.profile)} profile</h1>
<p id="counts">Profile <b>${e(m.profile)}</b> · from ${source} · ${goldens} · ${c.runs} runs: ${c.golden} with a golden, ${c.results} with a local result, ${c.noResult} without a result, ${c.invalid} invalid · ${c.rows} table rows · ${c.sweeps} sweeps · ${c.claims} claims</p>
</header>
<nav><a href="#rows">Rows</a><a href="#curves">Curves</a><a href="#sweeps">Sweeps</a><a href="#claims">Claims</a><a href="#runs">Runs</a></nav>
<main>
<section id="rows"><h2>The table rows</h2>
<p>Each metric: mean ± sample std over seeds, the study's published value and Δ = mean − study; red cells: the study lies outside mean ± 2 std. The chart shows each seed (blue dots), mean ± std (black tick and grey bar) and the study (red diamond).</p>
${m.rows.length ? rowsTable(m) + '\n<div class="chart" id="chart-rows"></div>' : '<p>No table row has a result or golden yet.</p>'}
</section>
<section id="curves"><h2>Curves</h2>
<p>Per row: the mean over seeds (line) and the min-max band over seeds. Pick one row or compare several.</p>
${m.rows.length ? `<fieldset id="curve-picker"><legend>Rows <button type="button" id="curve-all">all</button> <button type="button" id="curve-none">none</button></legend>\n${picker}\n</fieldset>\n<div class="chart" id="chart-curves"></div>` : ''}
</section>
<section id="sweeps"><h2>Sweeps</h2>
<p>One heatmap per sweep and metric: colour = our value (mean over seeds where a point has several); each cell reads our value and Δ = ours − study; outlined cells marked "!" lie more than ${FLAG_PP} pp from the study. Hover for the study's value.</p>
${sweepsSection(m)}
</section>
<section id="claims"><h2>Claims</h2>
<p>Each check of reports/claims.json as margin ± seed spread (a forest plot): margin = difference of the means in the claimed direction (positive = holds), spread = √(s₁² + s₂²). A check whose |margin| is below the spread is not distinguishable.</p>
${claimsSection(m)}
</section>
<section id="runs"><h2>Runs</h2>
<p>Open a run for its curves, misclassified digits, facts and golden${c.results ? ", and verify's verdict on its local result" : ''}.</p>
${diffs ? `<h3>Figure differences from the last verify</h3>\n${diffs}\n` : ''}${runsSection(m)}
</section>
</main>
<script>${inlineScript(vendorJs)}</script>
<script id="site-data" type="application/json">${data}</script>
<script>${inlineScript(CLIENT_JS)}</script>
</body>
</html>
`;
}
