/** How verdicts and plans are printed. */
import type { VerifyOutcome } from '../verify/verify.js';
import type { FigureVerdict } from '../verify/figures.js';
import type { PlannedRun } from '../plan/runs.js';
import { formatReason, renderPlanLine } from '../plan/plan.js';

export function printVerify(o: VerifyOutcome, out: NodeJS.WriteStream): void {
  for (const v of o.verdicts) {
    if (v.status === 'pass' && v.cross) out.write(`ok      ${v.name} (${v.backend}): within cross-backend tolerance of ${v.golden}\n`);
    else if (v.status === 'pass') out.write(`ok      ${v.name}: matches ${v.golden}\n`);
    else if (v.status === 'written') out.write(`written ${v.name}: ${v.previous ? 'updated' : 'new'} golden ${v.golden}\n`);
    else if (v.status === 'missing-golden') out.write(`FAIL    ${v.name}: no golden ${v.golden} (run with --update new to create it, then commit it)\n`);
    else if (v.status === 'no-result') out.write(`skip    ${v.name}: no result ${v.golden} (not compared; \`npx normreg reproduce --profile ${o.profile} --only ${v.name}\` makes it)\n`);
    else {
      out.write(v.cross ? `FAIL    ${v.name} (${v.backend}): ${v.differences.length} difference(s) beyond cross-backend tolerance of ${v.golden}\n` : `FAIL    ${v.name}: ${v.differences.length} difference(s) from ${v.golden}\n`);
      for (const d of v.differences.slice(0, 12))
        out.write(`          ${d.pointer}: got ${JSON.stringify(d.actual)}, ${v.cross ? 'reference' : 'golden'} ${JSON.stringify(d.expected)} (${d.reason})\n`);
      if (v.differences.length > 12) out.write(`          ... ${v.differences.length - 12} more\n`);
      out.write(v.diff.split('\n').map((l) => `          ${l}`).join('\n') + '\n');
    }
  }
  for (const f of o.obsolete) out.write(`obsolete ${f}: no spec checks this golden (delete it if the experiment is gone)\n`);
  for (const s of o.staleDocs ?? []) out.write(`FAIL    ${s} is stale (run \`npx normreg report --profile ${o.profile}\`, then commit it)\n`);
  const failed = o.verdicts.filter((v) => v.status === 'fail' || v.status === 'missing-golden').length;
  const skipped = o.verdicts.filter((v) => v.status === 'no-result').length;
  const ok = o.verdicts.length - failed - skipped;
  out.write(`verify ${o.profile}: ${ok} ok, ${failed + (o.staleDocs?.length ?? 0)} failed${skipped ? `, ${skipped} without result` : ''}${o.obsolete.length ? `, ${o.obsolete.length} obsolete golden(s)` : ''}\n`);
}

export function printFigures(verdicts: FigureVerdict[], stale: string[], out: NodeJS.WriteStream): number {
  let failed = 0;
  for (const v of verdicts) {
    if (v.status === 'pass') out.write(`ok      figure ${v.file}: matches ${v.golden}\n`);
    else if (v.status === 'written') out.write(`written figure ${v.file}: ${v.golden}\n`);
    else if (v.status === 'missing-golden') {
      failed++;
      out.write(`FAIL    figure ${v.file}: no golden ${v.golden} (run with --update new, then commit it)\n`);
    } else if (v.status === 'fail') {
      failed++;
      out.write(`FAIL    figure ${v.file}: ${v.sizeMismatch ? 'size differs' : `${v.diffPixels} pixel(s) differ`} from ${v.golden}${v.diffImage ? `; diff image: ${v.diffImage}` : ''}\n`);
    }
  }
  for (const f of stale) {
    failed++;
    out.write(`FAIL    ${f}: stale (the results draw a different figure; run \`npx normreg report\`)\n`);
  }
  return failed;
}

export function printPlan(plan: PlannedRun[], out: NodeJS.WriteStream): void {
  for (const p of plan) out.write(`${renderPlanLine(p)}\n`);
}

/** verify's last line: how many results it compared (none, on a fresh clone) and what the docs
 * check found, so that a pass with nothing compared never reads like a pass that compared. */
export function renderVerifyVerdict(o: VerifyOutcome, figuresFailed: number): string {
  const count = (pred: (s: string) => boolean) => o.verdicts.filter((v) => pred(v.status)).length;
  const compared = count((s) => s === 'pass' || s === 'fail');
  const differ = count((s) => s === 'fail' || s === 'missing-golden');
  const written = count((s) => s === 'written');
  const noResult = count((s) => s === 'no-result');
  const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
  const results = compared === 0 && written === 0
    ? `compared 0 results (${plural(noResult, 'run has', 'runs have')} no result; \`npx normreg reproduce --profile ${o.profile}\` makes them)`
    : `compared ${plural(compared, 'result', 'results')} with ${compared === 1 ? 'its golden' : 'their goldens'}: ${differ ? `${differ} differ or lack a golden` : 'all match'}${written ? `; wrote ${plural(written, 'golden', 'goldens')}` : ''}${noResult ? `; ${noResult} without result` : ''}`;
  const docs = o.staleDocs === null ? 'README/docs not checked (verify checks them for a whole profile of the wasm engine)'
    : o.staleDocs.length ? `${plural(o.staleDocs.length, 'generated block is', 'generated blocks are')} stale`
    : 'the committed goldens and README/docs agree';
  return `verify ${o.profile}: ${results}; ${docs}${figuresFailed ? `; ${plural(figuresFailed, 'figure differs', 'figures differ')}` : ''}\n`;
}
