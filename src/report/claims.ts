/** The study's claims as data: each claim is a list of checks like
 * "bestTestAcc(batchnorm) > bestTestAcc(layernorm)", evaluated on the rows at hand. Pure, except
 * loadClaims (IO at the edge). */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ReportError, displayPath, problem, type Problem } from '../errors.js';
import { closestName, parseJson, schemaProblems } from '../jsonSchema.js';
import claimsSchema from './claims.schema.json' with { type: 'json' };
import { ROW_METRICS, sampleStd, type RowMetric, type TableRow } from './table.js';

export interface Claim { id: string; text: string; checks: string[] }
export interface Check { lhs: { metric: RowMetric; run: string }; op: '>' | '<'; rhs: { metric: RowMetric; run: string } }

export interface CheckVerdict {
  check: string;
  status: 'holds' | 'fails' | 'not evaluated';
  /** lhs - rhs in the claimed direction (positive = holds), in the metric's unit */
  margin: number | null;
  /** combined seed-to-seed spread sqrt(s_l^2 + s_r^2); null unless both sides have several seeds */
  spread: number | null;
  missing: string[];
}
export interface ClaimVerdict { id: string; text: string; status: 'holds' | 'does not hold' | 'not evaluated'; checks: CheckVerdict[] }

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

export function evaluateClaims(claims: Claim[], rows: TableRow[]): ClaimVerdict[] {
  const byName = new Map(rows.map((r) => [r.name, r]));
  return claims.map((c) => {
    const checks = c.checks.map((text): CheckVerdict => {
      const ck = parseCheck(text)!;
      const l = byName.get(ck.lhs.run);
      const r = byName.get(ck.rhs.run);
      const missing = [ck.lhs.run, ck.rhs.run].filter((n) => !byName.has(n));
      if (!l || !r) return { check: text, status: 'not evaluated', margin: null, spread: null, missing: [...new Set(missing)] };
      const diff = l.values[ck.lhs.metric] - r.values[ck.rhs.metric];
      const margin = ck.op === '>' ? diff : -diff;
      const sl = sampleStd(l.perSeed[ck.lhs.metric]);
      const sr = sampleStd(r.perSeed[ck.rhs.metric]);
      return { check: text, status: margin > 0 ? 'holds' : 'fails', margin, spread: sl !== null && sr !== null ? Math.hypot(sl, sr) : null, missing: [] };
    });
    const status = checks.some((k) => k.status === 'not evaluated') ? 'not evaluated' : checks.every((k) => k.status === 'holds') ? 'holds' : 'does not hold';
    return { id: c.id, text: c.text, status, checks };
  });
}

function fmtMargin(check: string, v: number): string {
  const loss = /Loss\(/.test(check);
  return `${v >= 0 ? '+' : '−'}${Math.abs(v).toFixed(loss ? 4 : 2)}${loss ? '' : ' pp'}`;
}

export function renderClaims(verdicts: ClaimVerdict[]): string[] {
  if (verdicts.length === 0) return [];
  const lines = ['**Claims** (reports/claims.json; margin in the claimed direction, positive = holds):', '', '| Claim | Check | Margin | Seed spread | Verdict |', '|---|---|---:|---:|---|'];
  for (const v of verdicts)
    v.checks.forEach((k, i) => {
      const claim = i === 0 ? `${v.text} **${v.status}**` : '';
      const margin = k.margin === null ? '–' : fmtMargin(k.check, k.margin);
      const spread = k.spread === null ? '–' : fmtMargin(k.check, k.spread).replace(/^\+/, '');
      const verdict = k.status === 'not evaluated' ? `not evaluated (no result for ${k.missing.join(', ')})`
        : k.spread === null ? k.status : `${k.status}, ${Math.abs(k.margin!) > k.spread ? 'beyond' : 'within'} the seed spread`;
      lines.push(`| ${claim} | \`${k.check}\` | ${margin} | ${spread} | ${verdict} |`);
    });
  return lines;
}
