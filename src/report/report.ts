/** Building the table rows from results (or goldens when a spec has no result); docFiles.ts writes them. */
import { existsSync } from 'node:fs';
import type { ResolvedSpec } from '../spec/types.js';
import type { ResultPayload } from '../result/types.js';
import { readGolden, readResult } from '../workspace/payloads.js';
import { REFERENCE_BACKEND, goldenPath, readmePath, resultPath, type Workspace } from '../workspace/paths.js';
import { renderMarkdownTable, type Progress } from './table.js';
import { buildRow, type ComparedWith, type TableRow } from './rows.js';
import { evaluateClaims, loadClaims, renderClaims } from './claims.js';

/** A run counts as trained in this workspace's backend (wasm, the reference, by default). */
function hasGolden(ws: Workspace, spec: ResolvedSpec): boolean {
  return existsSync(goldenPath(ws, spec.profile, ws.backend ?? REFERENCE_BACKEND, spec.name));
}

/** The payload a row shows: the stored result, else this backend's golden. Never another
 * backend's: a row's seeds all come from one backend. With it, what verify compares a result
 * with: this backend's golden, else the reference golden (cross-backend), else nothing. */
function payloadFor(ws: Workspace, spec: ResolvedSpec): { payload: ResultPayload; source: 'results' | 'golden'; comparedWith: ComparedWith } | null {
  const own = goldenPath(ws, spec.profile, ws.backend ?? REFERENCE_BACKEND, spec.name);
  const r = readResult(resultPath(ws, spec.profile, spec.name));
  if (r) return { payload: r, source: 'results', comparedWith: existsSync(own) ? 'own golden' : existsSync(goldenPath(ws, spec.profile, REFERENCE_BACKEND, spec.name)) ? 'reference golden' : 'no golden' };
  const g = readGolden(own);
  return g ? { payload: g, source: 'golden', comparedWith: 'own golden' } : null;
}

export interface Collected {
  rows: TableRow[];
  /** one per run that has a result or golden, in spec order */
  payloads: ResultPayload[];
  /** experiments with neither a result nor a golden (sweep runs as SWEEP/RUN) */
  pending: string[];
  /** how many of the profile's runs have a committed golden */
  progress: Progress;
  /** every experiment (row name) the profile's specs declare, with or without --only: what claims may name */
  known: string[];
}

/** Rows grouped by experiment (its seeds together), in spec order. `all`: every spec of the
 * profile when `specs` is a selection (--only). */
export function collectRows(ws: Workspace, specs: ResolvedSpec[], all: ResolvedSpec[] = specs): Collected {
  const groups = new Map<string, ResolvedSpec[]>();
  for (const s of specs) groups.set(s.group, [...(groups.get(s.group) ?? []), s]);
  const rows: TableRow[] = [];
  const payloads: ResultPayload[] = [];
  const pending: string[] = [];
  const progress: Progress = { profile: specs[0]?.profile ?? '', runs: specs.length, golden: 0, resultOnly: 0 };
  for (const s of specs) {
    if (hasGolden(ws, s)) progress.golden++;
    else if (existsSync(resultPath(ws, s.profile, s.name))) progress.resultOnly++;
  }
  for (const [group, members] of groups) {
    const runs = members.flatMap((spec) => {
      const found = payloadFor(ws, spec);
      return found ? [{ spec, ...found }] : [];
    });
    if (runs.length === 0) {
      pending.push(members[0].sweep ? `${members[0].sweep.name}/${group}` : group);
      continue;
    }
    rows.push(buildRow(runs, members.map((m) => m.seed)));
    payloads.push(...runs.map((r) => r.payload));
  }
  return { rows, payloads, pending, progress, known: [...new Set(all.map((s) => s.group))] };
}

/** The README section of a profile: tables, pending runs, claims. */
export function renderReport(ws: Workspace, profile: string, c: Collected): string {
  return renderMarkdownTable(profile, c.rows, c.pending, renderClaims(evaluateClaims(loadClaims(ws.root, c.known), c.rows)), c.progress);
}

