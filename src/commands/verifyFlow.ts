/** Verify results (payloads and figures) and write or check the report: shared by reproduce,
 * merge and verify. */
import { verifyAll, loadResultsFor } from '../verify/verify.js';
import { collectRows, renderReport, TABLE_SECTION, writeReadmeTable } from '../report/report.js';
import { drawFigures } from '../report/drawFigures.js';
import { staleReportFigures, verifyFigures, writeReportFigures } from '../verify/figures.js';
import type { UpdateMode } from '../verify/update.js';
import type { Common } from './args.js';
import { runNames } from '../verify/inputs.js';
import { isExact, toleranceFor } from '../verify/compare.js';
import { isReference } from '../result/files.js';
import { writeCrossFile } from '../verify/crossFile.js';

const EXACT_METRICS = ['trainLoss', 'trainAcc', 'testLoss', 'testAcc', 'lr', 'bestTrainAcc', 'bestTestAcc', 'bestTestLoss'];
import { printFigures, printVerify } from './print.js';

export async function checkFigures(c: Common, mode: UpdateMode, checkStale: boolean): Promise<number> {
  const results = loadResultsFor(c.ws, c.specs);
  const payloads = results.filter((r): r is NonNullable<typeof r> => r !== null);
  if (payloads.length === 0) return 0;
  // Figures are compared pixel for pixel: only meaningful where the results compare bit for bit.
  // A backend with tolerances (tensorflow: thread counts and CPUs change its bits) has no figure goldens.
  const backend = payloads[0].backend;
  if (!EXACT_METRICS.every((m) => isExact(toleranceFor(c.specs[0], backend, m)))) {
    process.stdout.write(`figures: not compared (backend ${backend} is verified within tolerances, figures only bit for bit)\n`);
    return 0;
  }
  const drawn = await drawFigures(c.ws.root, c.specs, payloads, c.filtered || payloads.length < results.length, runNames(c.all));
  const verdicts = verifyFigures(c.ws.root, c.profile, backend, drawn, mode);
  return printFigures(verdicts, checkStale ? staleReportFigures(c.ws.root, c.profile, drawn) : [], process.stdout);
}

export async function writeReport(c: Common, collected = collectRows(c.ws, c.specs, c.all)): Promise<{ rows: number; figures: number; readme: boolean }> {
  const drawn = await drawFigures(c.ws.root, c.specs, collected.payloads, collected.pending.length > 0, runNames(c.all));
  const figures = writeReportFigures(c.ws.root, c.profile, drawn);
  const readme = writeReadmeTable(c.ws, c.profile, renderReport(c.ws, c.profile, collected));
  writeCrossFile(c.ws, c.profile);
  return { rows: collected.rows.length, figures, readme };
}

export function tableBody(c: Common) {
  const collected = collectRows(c.ws, c.specs, c.all);
  return { collected, body: renderReport(c.ws, c.profile, collected) };
}

export /** Verify results against goldens; for a complete plan also the report: written where goldens may
 * be written, only checked (README table, report figures) under --update none, as in CI. */
async function verifyAndReport(c: Common, mode: UpdateMode, complete: boolean): Promise<boolean> {
  // README's table and reports/ figures are the reference engine's; other backends only verify
  const reference = isReference(c.ws);
  const write = complete && mode !== 'none' && reference;
  const expected = complete && !write && reference ? { section: TABLE_SECTION(c.profile), body: tableBody(c).body } : undefined;
  const outcome = verifyAll(c.ws, c.specs, mode, { checkObsolete: complete, expectedReadmeSection: expected, checkCrossFile: complete && !write && reference });
  printVerify(outcome, process.stdout);
  const figFailed = await checkFigures(c, mode, complete && !write && reference);
  if (write) {
    const r = await writeReport(c);
    process.stdout.write(`report: README.md ${r.readme ? 'updated' : 'current'}, ${r.figures} figure(s) redrawn in reports/${c.profile}/\n`);
  }
  return outcome.ok && figFailed === 0;
}
