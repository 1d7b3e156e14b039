/** normreg report: regenerate the generated doc blocks and figures (or print rows as JSON). */
import { jsonRows } from '../report/table.js';
import { evaluateClaims, loadClaims } from '../report/claims.js';
import { common, type Values } from './args.js';
import { lockWorkspace } from './session.js';
import { checkInputs } from '../verify/inputs.js';
import { isReference } from '../workspace/paths.js';
import { docsSummary, tableBody, writeReport } from '../pipeline/verifyReport.js';

export async function cmdReport(values: Values): Promise<number> {
  const c = common(values);
  await checkInputs(c.ws, c.specs, c.all, { goldens: true });
  const { collected, body } = tableBody(c);
  if (values.json) {
    const claims = evaluateClaims(loadClaims(c.ws.root, collected.known), collected.rows);
    process.stdout.write(JSON.stringify({ profile: c.profile, rows: jsonRows(collected.rows), pending: collected.pending, claims }, null, 2) + '\n');
    return 0;
  }
  if (!isReference(c.ws)) {
    // the docs' tables are the wasm engine's: another backend's table is printed, never written
    process.stdout.write(`${body}\n\n(backend ${c.ws.backend}: printed only; README.md and docs/ show the reference wasm engine)\n`);
    return 0;
  }
  const release = await lockWorkspace(c, values, 'report');
  try {
    const r = await writeReport(c, collected);
    process.stdout.write(`${body}\n\n${r.rows} row(s), profile ${c.profile}; ${r.figures} figure(s) redrawn in reports/${c.profile}/\n${docsSummary(c.profile, r.docs)}\n`);
    return 0;
  } finally {
    release();
  }
}
