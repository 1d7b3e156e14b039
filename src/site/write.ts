/** Writing the report site of a profile: read (tolerantly), build the model, render, write the page
 * atomically (untouched when the bytes are the same). */
import type { ResolvedSpec } from '../spec/types.js';
import type { Workspace } from '../workspace/paths.js';
import { writeFileAtomic } from '../workspace/store.js';
import { loadSiteInputs } from './inputs.js';
import { buildSiteModel, type SiteModel } from './model.js';
import { buildCharts } from './charts.js';
import { renderSiteHtml } from './html.js';
import { readVendorJs } from './vendor.js';

export interface SiteOutcome { file: string; bytes: number; written: boolean; model: SiteModel }

/** Pure given its inputs: the page for a profile's runs. */
export function renderSite(model: SiteModel, vendorJs: string): string {
  return renderSiteHtml(model, buildCharts(model), vendorJs);
}

/** The page and its model; withResults false = the committed page (goldens only). */
export function buildSite(ws: Workspace, profile: string, specs: ResolvedSpec[], all: ResolvedSpec[], withResults: boolean): { model: SiteModel; html: string } {
  const model = buildSiteModel(loadSiteInputs(ws, profile, specs, all, withResults));
  return { model, html: renderSite(model, readVendorJs()) };
}

export function writeSite(file: string, site: { model: SiteModel; html: string }): SiteOutcome {
  return { file, bytes: Buffer.byteLength(site.html), written: writeFileAtomic(file, site.html), model: site.model };
}

/** What the terminal says about a page: where it is, and each run shown without data. */
export function renderSiteSummary(o: SiteOutcome, shownFile: string): string {
  const c = o.model.counts;
  const what = o.model.withResults ? `${c.results} local result(s) with verify's verdicts, ` : '';
  const lines = [`site: ${shownFile} ${o.written ? 'written' : 'already current'} (${(o.bytes / 1024).toFixed(0)} KiB; ${what}${c.runs} runs, ${c.noResult} without a result, ${c.invalid} invalid)`];
  for (const n of o.model.notices) lines.push(`site: ${n}`);
  return lines.join('\n');
}
