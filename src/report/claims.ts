/** The study's claims as data: each claim is a list of checks like
 * "bestTestAcc(batchnorm) > bestTestAcc(layernorm)", evaluated on the rows at hand. Pure, except
 * loadClaims (IO at the edge). */
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { SpecError, problem, type Problem } from '../errors.js';
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

export function validateClaims(file: string, doc: unknown): { claims: Claim[]; problems: Problem[] } {
  const problems: Problem[] = [];
  const o = doc as { claims?: unknown };
  if (!o || typeof o !== 'object' || !Array.isArray(o.claims)) return { claims: [], problems: [problem(file, '/claims', 'missing or not an array', 'write { "claims": [ { "id", "text", "checks": [...] } ] }')] };
  const ids = new Set<string>();
  o.claims.forEach((c: any, i: number) => {
    if (typeof c?.id !== 'string' || !/^[a-z0-9-]+$/.test(c.id)) problems.push(problem(file, `/claims/${i}/id`, 'missing or not a slug', 'use lowercase letters, digits and -'));
    else if (ids.has(c.id)) problems.push(problem(file, `/claims/${i}/id`, `duplicate id '${c.id}'`, 'give each claim its own id'));
    else ids.add(c.id);
    if (typeof c?.text !== 'string' || !c.text) problems.push(problem(file, `/claims/${i}/text`, 'missing', 'state the claim in words'));
    if (!Array.isArray(c?.checks) || c.checks.length === 0) problems.push(problem(file, `/claims/${i}/checks`, 'missing or empty', 'list checks like "bestTestAcc(batchnorm) > bestTestAcc(layernorm)"'));
    else c.checks.forEach((t: unknown, j: number) => {
      if (typeof t !== 'string' || !parseCheck(t))
        problems.push(problem(file, `/claims/${i}/checks/${j}`, `cannot read ${JSON.stringify(t)}`, `write METRIC(experiment) > METRIC(experiment) with METRIC one of ${ROW_METRICS.join(', ')}`));
    });
  });
  return { claims: problems.length ? [] : (o.claims as Claim[]), problems };
}

export function loadClaims(root: string): Claim[] {
  const path = join(root, 'reports', 'claims.json');
  if (!existsSync(path)) return [];
  const file = relative(process.cwd(), path) || path;
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new SpecError('SPEC_INVALID', [problem(file, '', `invalid JSON: ${(e as Error).message}`, 'fix the JSON syntax')]);
  }
  const r = validateClaims(file, doc);
  if (r.problems.length) throw new SpecError('SPEC_INVALID', r.problems);
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
