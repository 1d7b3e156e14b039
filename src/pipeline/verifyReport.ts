/** Verify results (payloads and figures) and write or check the report: shared by reproduce,
 * merge and verify. */
import { verifyAll, loadResultsFor } from '../verify/verify.js';
import { collectRows, renderReport } from '../report/report.js';
import { docBodies, loadDocFiles, staleDocBlocks, writeDocBlocks } from '../report/docFiles.js';
import { drawFigures } from '../report/drawFigures.js';
import { staleReportFigures, verifyFigures, writeReportFigures } from '../verify/figures.js';
import type { UpdateMode } from '../verify/update.js';
import type { Common } from './common.js';
import { runNames } from '../verify/inputs.js';
import { isExact, toleranceFor } from '../verify/compare.js';
import { isReference } from '../workspace/paths.js';
import { writeCrossFile } from '../verify/crossFile.js';
import { staleSite, writeSites } from './site.js';

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
  const drawn = await drawFigures(c.ws.root, c.specs, payloads, c.filtered || payloads.length < results.length, runNames(c.all), c.all);
  const verdicts = verifyFigures(c.ws.root, c.profile, backend, drawn, mode);
  return printFigures(verdicts, checkStale ? staleReportFigures(c.ws.root, c.profile, drawn) : [], process.stdout);
}

export async function writeReport(c: Common, collected = collectRows(c.ws, c.specs, c.all)): Promise<{ rows: number; figures: number; docs: ReturnType<typeof writeDocBlocks>; site: string }> {
  const bodies = docBodies(c.ws, c.profile, collected, c.all);
  loadDocFiles(c.ws.root); // a malformed marker stops the report before anything is written
  const drawn = await drawFigures(c.ws.root, c.specs, collected.payloads, collected.pending.length > 0, runNames(c.all), c.all);
  const figures = writeReportFigures(c.ws.root, c.profile, drawn);
  writeCrossFile(c.ws, c.profile);
  const docs = writeDocBlocks(c.ws.root, bodies);
  return { rows: collected.rows.length, figures, docs, site: writeSites(c) };
}

/** What report did to the docs, in one line, then one line per block no file holds. */
export function docsSummary(profile: string, d: { updated: string[]; blocks: number; hints: string[] }): string {
  const what = d.blocks === 0 ? `no ${profile} block in README.md or docs/*.md`
    : d.updated.length ? `${d.updated.join(', ')} updated (${d.blocks} ${profile} block(s) in all)` : `${d.blocks} ${profile} block(s) already current`;
  return [`docs: ${what}`, ...d.hints.map((h) => `docs: ${h}`)].join('\n');
}

/** The profile's stale doc blocks and committed report site (verify); block hints go to stdout as notes. */
export function checkDocs(c: Common): string[] {
  const r = staleDocBlocks(c.ws.root, docBodies(c.ws, c.profile, collectRows(c.ws, c.specs, c.all), c.all));
  for (const h of r.hints) process.stdout.write(`note    ${h}\n`);
  return [...r.stale, ...staleSite(c)];
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
  const staleDocs = complete && !write && reference ? checkDocs(c) : undefined;
  const outcome = verifyAll(c.ws, c.specs, mode, { checkObsolete: complete, staleDocs, checkCrossFile: complete && !write && reference });
  printVerify(outcome, process.stdout);
  const figFailed = await checkFigures(c, mode, complete && !write && reference);
  if (write) {
    const r = await writeReport(c);
    process.stdout.write(`report: ${r.figures} figure(s) redrawn in reports/${c.profile}/\n${docsSummary(c.profile, r.docs)}\n${r.site}\n`);
  }
  return outcome.ok && figFailed === 0;
}
