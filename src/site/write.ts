/** Writing the report site of a profile: read (tolerantly), build the model, render, write
 * reports/<profile>/site/index.html atomically (untouched when the bytes are the same). */
import { join } from 'node:path';
import type { ResolvedSpec } from '../spec/types.js';
import type { Workspace } from '../result/files.js';
import { writeFileAtomic } from '../result/store.js';
import { loadSiteInputs } from './inputs.js';
import { buildSiteModel, type SiteModel } from './model.js';
import { buildCharts } from './charts.js';
import { renderSiteHtml } from './html.js';
import { readVendorJs } from './vendor.js';

export const siteDir = (root: string, profile: string) => join(root, 'reports', profile, 'site');

export interface SiteOutcome { file: string; bytes: number; written: boolean; model: SiteModel }

/** Pure given its inputs: the page for a profile's runs. */
export function renderSite(model: SiteModel, vendorJs: string): string {
  return renderSiteHtml(model, buildCharts(model), vendorJs);
}

export function writeSite(ws: Workspace, profile: string, specs: ResolvedSpec[], all: ResolvedSpec[], dir = siteDir(ws.root, profile)): SiteOutcome {
  const model = buildSiteModel(loadSiteInputs(ws, profile, specs, all));
  const html = renderSite(model, readVendorJs());
  const file = join(dir, 'index.html');
  return { file, bytes: Buffer.byteLength(html), written: writeFileAtomic(file, html), model };
}

/** What the terminal says about the site: where it is, and each run shown without data. */
export function renderSiteSummary(o: SiteOutcome, shownFile: string): string {
  const c = o.model.counts;
  const lines = [`site: ${shownFile} ${o.written ? 'written' : 'already current'} (${(o.bytes / 1024).toFixed(0)} KiB; ${c.runs} runs, ${c.noResult} without a result, ${c.invalid} invalid)`];
  for (const n of o.model.notices) lines.push(`site: ${n}`);
  return lines.join('\n');
}
