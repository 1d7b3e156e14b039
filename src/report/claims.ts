/** The study's claims as data: each claim is a list of checks like
 * "bestTestAcc(batchnorm) > bestTestAcc(layernorm)", evaluated on the rows at hand. Pure, except
 * loadClaims (IO at the edge). */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ReportError, displayPath, problem, type Problem } from '../errors.js';
import { parseJson, schemaProblems } from '../jsonSchema.js';
import { closestName } from '../util/closest.js';
import claimsSchema from './claims.schema.json' with { type: 'json' };
import { sampleStd } from '../util/stats.js';
import { ROW_METRICS, type RowMetric, type TableRow } from './rows.js';

export interface Claim { id: string; text: string; checks: string[] }
export interface Check { lhs: { metric: RowMetric; run: string }; op: '>' | '<'; rhs: { metric: RowMetric; run: string } }

/** Verdict rule over seeds. spread = sqrt(s_l^2 + s_r^2), the standard deviation of the difference
 * between one run of each side (s = sample std over that side's seeds; a side with one seed takes
 * the other side's s). A check whose |margin of the means| is below the spread is "not
 * distinguishable": a different draw of seeds could reverse it. With one seed on both sides there
 * is no spread and the verdict is holds / fails, marked "1 seed". */
export interface CheckVerdict {
  check: string;
  status: 'holds' | 'fails' | 'not distinguishable' | 'not evaluated';
  /** mean(lhs) - mean(rhs) in the claimed direction (positive = holds), in the metric's unit */
  margin: number | null;
  /** seed-to-seed spread of the difference (see above); null with one seed on both sides */
  spread: number | null;
  /** seeds on each side [lhs, rhs] */
  seeds: [number, number] | null;
  missing: string[];
}
export type ClaimStatus = 'holds' | 'does not hold' | 'not distinguishable' | 'not evaluated';
export interface ClaimVerdict { id: string; text: string; status: ClaimStatus; singleSeed: boolean; checks: CheckVerdict[] }

const TERM = `(${ROW_METRICS.join('|')})\\(\\s*([a-z0-9][a-z0-9._-]*)\\s*\\)`;
const CHECK = new RegExp(`^\\s*${TERM}\\s*([<>])\\s*${TERM}\\s*$`);

export function parseCheck(text: string): Check | null {
  const m = CHECK.exec(text);
  if (!m) return null;
  return { lhs: { metric: m[1] as RowMetric, run: m[2] }, op: m[3] as '>' | '<', rhs: { metric: m[4] as RowMetric, run: m[5] } };
}

const FORMAT_FIX = `write METRIC(experiment) > METRIC(experiment) with METRIC one of ${ROW_METRICS.join(', ')}`;
const LOOSE = /^\s*([A-Za-z_]\w*)\(\s*([^()\s]+)\s*\)\s*([<>])\s*([A-Za-z_]\w*)\(\s*([^()\s]+)\s*\)\s*$/;

/** Why a check's text names no metric or no experiment the table can have; null when it is fine. */
function checkProblem(file: string, pointer: string, text: string, known: Set<string> | null): Problem | null {
  const m = LOOSE.exec(text);
  if (!m) return problem(file, pointer, `cannot read ${JSON.stringify(text)}`, FORMAT_FIX);
  for (const metric of [m[1], m[4]])
    if (!(ROW_METRICS as readonly string[]).includes(metric)) {
      const near = closestName(metric, ROW_METRICS);
      return problem(file, pointer, `unknown metric '${metric}' in ${JSON.stringify(text)}`, near ? `did you mean '${near}'?` : `use one of ${ROW_METRICS.join(', ')}`);
    }
  if (known)
    for (const run of [m[2], m[5]])
      if (!known.has(run)) {
        const near = closestName(run, known);
        return problem(file, pointer, `no experiment named '${run}' in this profile's specs (in ${JSON.stringify(text)})`,
          near ? `did you mean '${near}'?` : 'use a name `normreg list` shows (a sweep run is named like SWEEP.AXIS_VALUE...), or remove the check');
      }
  return parseCheck(text) ? null : problem(file, pointer, `cannot read ${JSON.stringify(text)}`, FORMAT_FIX);
}

/** Schema, then what it cannot say: unique ids, readable checks, known metrics and (given `known`,
 * the experiments of the profile's specs) known experiments. Pure. */
export function validateClaims(file: string, doc: unknown, known?: Iterable<string>): { claims: Claim[]; problems: Problem[] } {
  const fix = 'see src/report/claims.schema.json: { "claims": [ { "id", "text", "checks": ["bestTestAcc(a) > bestTestAcc(b)"] } ] }';
  const problems = schemaProblems(claimsSchema, file, doc, fix);
  const claims = (doc as { claims?: unknown })?.claims;
  if (Array.isArray(claims)) {
    const names = known ? new Set(known) : null;
    const ids = new Set<string>();
    claims.forEach((c: any, i: number) => {
      if (typeof c?.id === 'string') {
        if (ids.has(c.id)) problems.push(problem(file, `/claims/${i}/id`, `duplicate id '${c.id}'`, 'give each claim its own id'));
        ids.add(c.id);
      }
      if (Array.isArray(c?.checks))
        c.checks.forEach((t: unknown, j: number) => {
          const p = typeof t === 'string' ? checkProblem(file, `/claims/${i}/checks/${j}`, t, names) : null;
          if (p) problems.push(p);
        });
    });
  }
  return { claims: problems.length ? [] : (claims as Claim[]), problems };
}

/** reports/claims.json of a workspace, checked; none when there is no such file. */
export function loadClaims(root: string, known?: Iterable<string>): Claim[] {
  const path = join(root, 'reports', 'claims.json');
  if (!existsSync(path)) return [];
  const file = displayPath(path);
  const parsed = parseJson(file, readFileSync(path, 'utf8'), 'fix the JSON syntax');
  if ('problem' in parsed) throw new ReportError('CLAIMS_INVALID', [parsed.problem]);
  const r = validateClaims(file, parsed.value, known);
  if (r.problems.length) throw new ReportError('CLAIMS_INVALID', r.problems);
  return r.claims;
}

export function checkSpread(sl: number | null, sr: number | null): number | null {
  if (sl === null && sr === null) return null;
  return Math.hypot(sl ?? sr!, sr ?? sl!);
}

/** A claim: not evaluated if a check lacks a run; does not hold if a check fails beyond the spread
 * (or fails with one seed); not distinguishable if a check is; else holds. */
export function claimStatus(checks: CheckVerdict[]): ClaimStatus {
  if (checks.some((k) => k.status === 'not evaluated')) return 'not evaluated';
  if (checks.some((k) => k.status === 'fails')) return 'does not hold';
  if (checks.some((k) => k.status === 'not distinguishable')) return 'not distinguishable';
  return 'holds';
}

export function evaluateClaims(claims: Claim[], rows: TableRow[]): ClaimVerdict[] {
  const byName = new Map(rows.map((r) => [r.name, r]));
  return claims.map((c) => {
    const checks = c.checks.map((text): CheckVerdict => {
      const ck = parseCheck(text)!;
      const l = byName.get(ck.lhs.run);
      const r = byName.get(ck.rhs.run);
      const missing = [ck.lhs.run, ck.rhs.run].filter((n) => !byName.has(n));
      if (!l || !r) return { check: text, status: 'not evaluated', margin: null, spread: null, seeds: null, missing: [...new Set(missing)] };
      const diff = l.values[ck.lhs.metric] - r.values[ck.rhs.metric];
      const margin = ck.op === '>' ? diff : -diff;
      const spread = checkSpread(sampleStd(l.perSeed[ck.lhs.metric]), sampleStd(r.perSeed[ck.rhs.metric]));
      const status = spread !== null && Math.abs(margin) < spread ? 'not distinguishable' : margin > 0 ? 'holds' : 'fails';
      return { check: text, status, margin, spread, seeds: [l.seeds.length, r.seeds.length], missing: [] };
    });
    const singleSeed = checks.some((k) => k.seeds !== null && k.spread === null);
    return { id: c.id, text: c.text, status: claimStatus(checks), singleSeed, checks };
  });
}

function fmtMargin(check: string, v: number): string {
  const loss = /Loss\(/.test(check);
  return `${v >= 0 ? '+' : '−'}${Math.abs(v).toFixed(loss ? 4 : 2)}${loss ? '' : ' pp'}`;
}

function checkVerdictText(k: CheckVerdict): string {
  if (k.status === 'not evaluated') return `not evaluated (no result for ${k.missing.join(', ')})`;
  if (k.spread === null) return `${k.status} (1 seed)`;
  // no '|' here: the text sits in a Markdown table cell
  if (k.status === 'not distinguishable') return 'not distinguishable (margin within the spread)';
  return `${k.status}, beyond the spread`;
}

export function renderClaims(verdicts: ClaimVerdict[]): string[] {
  if (verdicts.length === 0) return [];
  const lines = [
    '**Claims** (reports/claims.json). Margin = difference of the means over seeds in the claimed direction (positive = holds). ' +
      'Spread = √(s₁² + s₂²), the standard deviation of the difference between one seed of each side (s = sample std over seeds; a side with one seed borrows the other side\'s s). ' +
      'A check with |margin| < spread is "not distinguishable" (another draw of seeds could reverse it); with one seed on both sides there is no spread and the verdict says "1 seed".',
    '',
    '| Claim | Check | Seeds | Margin | Seed spread | Verdict |',
    '|---|---|---|---:|---:|---|',
  ];
  for (const v of verdicts)
    v.checks.forEach((k, i) => {
      const claim = i === 0 ? `${v.text} **${v.status}**${v.singleSeed && v.status !== 'not evaluated' ? ' (1 seed)' : ''}` : '';
      const margin = k.margin === null ? '–' : fmtMargin(k.check, k.margin);
      const spread = k.spread === null ? '–' : fmtMargin(k.check, k.spread).replace(/^\+/, '');
      const seeds = k.seeds === null ? '–' : `${k.seeds[0]} vs ${k.seeds[1]}`;
      lines.push(`| ${claim} | \`${k.check}\` | ${seeds} | ${margin} | ${spread} | ${checkVerdictText(k)} |`);
    });
  return lines;
}
