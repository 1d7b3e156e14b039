/** The report site in the report and verify flows: report writes the committed page (goldens only,
 * the same bytes in every clone) and, where local results exist, a second page with them and
 * verify's verdicts; verify flags a committed page that report would change. */
import { existsSync, readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { buildSite, renderSiteSummary, writeSite } from '../site/index.js';
import { localSiteIndexPath, siteIndexPath } from '../workspace/paths.js';
import type { Common } from './common.js';
import { GoldenError, ResultError } from '../errors.js';

/** Write the profile's pages (every run, whatever --only selected); the lines for the terminal. */
export function writeSites(c: Common): string {
  const committed = writeSite(siteIndexPath(c.ws.root, c.profile), buildSite(c.ws, c.profile, c.all, c.all, false));
  const lines = [renderSiteSummary(committed, relative(c.ws.root, committed.file))];
  const local = buildSite(c.ws, c.profile, c.all, c.all, true);
  if (local.model.counts.results > 0) {
    const o = writeSite(localSiteIndexPath(c.ws, c.profile), local);
    const seen = new Set(lines.join('\n').split('\n'));
    lines.push(...renderSiteSummary(o, relative(c.ws.root, o.file)).split('\n').filter((l) => !seen.has(l)));
  }
  return lines.join('\n');
}

/** The committed page when report would write other bytes (a page nobody wrote is not checked:
 * only the full profile's is committed). */
export function staleSite(c: Common): string[] {
  const file = siteIndexPath(c.ws.root, c.profile);
  if (!existsSync(file)) return [];
  const { html } = buildSite(c.ws, c.profile, c.all, c.all, false);
  return readFileSync(file, 'utf8') === html ? [] : [`${relative(c.ws.root, file)} (the report site)`];
}

/** After a corrupt golden or result stopped the report (README, docs and figures refused, exit 2):
 * the site is still written, showing that run as "invalid: <why>"; its lines, or null when the
 * error is of another kind or the site cannot be written either (then the first error is the one
 * to report). */
export function writeSitesDespite(c: Common, e: unknown): string | null {
  if (!(e instanceof GoldenError || e instanceof ResultError)) return null;
  try {
    return writeSites(c);
  } catch {
    return null;
  }
}
