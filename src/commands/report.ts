/** normreg report: regenerate the README results table and figures (or print rows as JSON). */
import { jsonRows } from '../report/table.js';
import { evaluateClaims, loadClaims } from '../report/claims.js';
import { common, type Values } from './args.js';
import { lockWorkspace } from './session.js';
import { checkInputs } from '../verify/inputs.js';
import { isReference } from '../result/files.js';
import { tableBody, writeReport } from './verifyFlow.js';
import type { Common } from './args.js';
import { GoldenError, ResultError, displayPath } from '../errors.js';
import { renderSiteSummary, writeSite } from '../site/index.js';

/** The profile's report site (every run, whatever --only selected); its summary for the terminal. */
function site(c: Common): string {
  const o = writeSite(c.ws, c.profile, c.all, c.all);
  return renderSiteSummary(o, displayPath(o.file));
}

export async function cmdReport(values: Values): Promise<number> {
  const c = common(values);
  let table: ReturnType<typeof tableBody>;
  try {
    await checkInputs(c.ws, c.specs, c.all, { goldens: true });
    table = tableBody(c);
  } catch (e) {
    // a corrupt golden or result: README and figures are refused (exit 2), but the site is still
    // written (atomically; no workspace lock, which would create results/), showing that run as
    // "invalid: <why>"
    if (!values.json && isReference(c.ws) && (e instanceof GoldenError || e instanceof ResultError)) {
      try {
        process.stdout.write(site(c) + '\n');
      } catch {
        // the site needs other inputs too (claims): then the first error is the one to report
      }
    }
    throw e;
  }
  const { collected, body } = table;
  if (values.json) {
    const claims = evaluateClaims(loadClaims(c.ws.root, collected.known), collected.rows);
    process.stdout.write(JSON.stringify({ profile: c.profile, rows: jsonRows(collected.rows), pending: collected.pending, claims }, null, 2) + '\n');
    return 0;
  }
  if (!isReference(c.ws)) {
    // README's table is the wasm engine's: another backend's table is printed, never written
    process.stdout.write(`${body}\n\n(backend ${c.ws.backend}: printed only; README.md shows the reference wasm engine)\n`);
    return 0;
  }
  const release = await lockWorkspace(c, values, 'report');
  try {
    const r = await writeReport(c, collected);
    process.stdout.write(`${body}\n\nREADME.md ${r.readme ? 'updated' : 'already current'} (${r.rows} row(s), profile ${c.profile}); ${r.figures} figure(s) redrawn in reports/${c.profile}/\n${site(c)}\n`);
    return 0;
  } finally {
    release();
  }
}
