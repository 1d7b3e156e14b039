/** Verification: results vs goldens for every spec of a profile, obsolete goldens, stale doc blocks.
 * Returns an outcome as data; the CLI prints it and picks the exit code. */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { diffString } from 'json-diff';
import type { ResolvedSpec } from '../spec/types.js';
import type { ResultPayload } from '../result/types.js';
import { RESULT_FIX, readGolden, readResult, writePayload } from '../workspace/payloads.js';
import { goldenPath, goldenProfileDir, resultPath, type Workspace } from '../workspace/paths.js';
import { payloadMatchesSpec } from './inputs.js';
import { comparePayload, type Difference } from './compare.js';
import { decideGoldenAction, type UpdateMode } from './update.js';
import { REFERENCE, compareCross, type CrossTolerances } from './crossBackend.js';
import { crossFileStale, crossTolerances } from './crossFile.js';
import { ResultError, problem } from '../errors.js';

type SpecVerdict =
  | { name: string; status: 'pass'; golden: string; backend?: string; cross?: true }
  | { name: string; status: 'written'; golden: string; previous: boolean }
  | { name: string; status: 'fail'; golden: string; differences: Difference[]; diff: string; backend?: string; cross?: true }
  | { name: string; status: 'missing-golden'; golden: string }
  | { name: string; status: 'no-result'; golden: string };

export interface VerifyOutcome {
  profile: string;
  verdicts: SpecVerdict[];
  obsolete: string[];
  /** generated files that `report` would change ("README.md: the full results table",
   * "golden/full/cross-backend.json"); null: not checked */
  staleDocs: string[] | null;
  ok: boolean;
}

function pick(p: ResultPayload, diffs: Difference[]): object {
  // The part of the payload that differs, for a readable json-diff.
  const out: Record<string, unknown> = {};
  for (const d of diffs) {
    const top = d.pointer.split('/')[1];
    out[top] = (p as unknown as Record<string, unknown>)[top];
  }
  return out;
}

function verifySpec(ws: Workspace, spec: ResolvedSpec, result: ResultPayload, mode: UpdateMode, cross: () => CrossTolerances = () => crossTolerances(ws, spec.profile)): SpecVerdict {
  const gp = goldenPath(ws, spec.profile, result.backend, spec.name);
  const shown = relative(ws.root, gp);
  // --update all rewrites goldens without reading them, so it also repairs a corrupt one
  const existed = existsSync(gp);
  const rp = goldenPath(ws, spec.profile, REFERENCE, spec.name);
  const action = decideGoldenAction(mode, existed, result.backend !== REFERENCE && existsSync(rp));
  if (action === 'compare-reference') return verifyCross(ws, spec, result, rp, cross());
  const golden = mode === 'all' ? null : readGolden(gp);
  if (action === 'missing') return { name: spec.name, status: 'missing-golden', golden: shown };
  if (action === 'write') {
    writePayload(gp, result);
    return { name: spec.name, status: 'written', golden: shown, previous: existed };
  }
  const differences = comparePayload(result, golden!, spec);
  if (differences.length === 0) return { name: spec.name, status: 'pass', golden: shown };
  return { name: spec.name, status: 'fail', golden: shown, differences, diff: diffString(pick(golden!, differences), pick(result, differences), { color: false, full: false }) };
}

/** A run of another backend, without a golden of its own, against the reference golden. */
function verifyCross(ws: Workspace, spec: ResolvedSpec, result: ResultPayload, rp: string, t: CrossTolerances): SpecVerdict {
  const golden = relative(ws.root, rp);
  const reference = readGolden(rp)!;
  const differences = compareCross(result, reference, t);
  const base = { name: spec.name, golden, backend: result.backend, cross: true as const };
  if (differences.length === 0) return { ...base, status: 'pass' };
  return { ...base, status: 'fail', differences, diff: diffString(pick(reference, differences), pick(result, differences), { color: false, full: false }) };
}

/** Golden files of a profile that belong to no spec. */
function findObsoleteGoldens(ws: Workspace, profile: string, known: (name: string) => boolean): string[] {
  const dir = goldenProfileDir(ws.root, profile);
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const backend of readdirSync(dir).sort()) {
    const bdir = join(dir, backend);
    if (!statSync(bdir).isDirectory()) continue; // cross-backend.json
    for (const f of readdirSync(bdir).sort())
      if (f.endsWith('.json') && !known(f.slice(0, -5))) out.push(relative(ws.root, join(bdir, f)));
  }
  return out;
}

/** Stored results of these specs; null where a run has no result yet. A result file that holds
 * another run is an error, never silently used. */
export function loadResultsFor(ws: Workspace, specs: ResolvedSpec[]): (ResultPayload | null)[] {
  return specs.map((s) => {
    const p = resultPath(ws, s.profile, s.name);
    const r = readResult(p);
    if (r && (r.name !== s.name || r.profile !== s.profile))
      throw new ResultError('RESULT_CORRUPT', [problem(relative(ws.root, p), '/name', `result file holds '${r.name}' (${r.profile}), expected '${s.name}' (${s.profile})`, 'delete it and reproduce again')]);
    const off = r ? payloadMatchesSpec(relative(ws.root, p), r, s, RESULT_FIX) : [];
    if (off.length) throw new ResultError('RESULT_CORRUPT', off.map((q) => ({ ...q, message: `corrupt result file: ${q.message}` })));
    return r;
  });
}

/** Golden files of seeds beyond a spec's own are named NAME.seed_N: they belong to NAME's spec. */
function knownGoldenNames(specs: ResolvedSpec[]): (file: string) => boolean {
  const names = new Set(specs.map((s) => s.name));
  return (n) => names.has(n) || names.has(n.replace(/\.seed_\d+$/, ''));
}

export function verifyAll(ws: Workspace, specs: ResolvedSpec[], mode: UpdateMode, opts: { checkObsolete: boolean; staleDocs?: string[]; checkCrossFile?: boolean }): VerifyOutcome {
  const results = loadResultsFor(ws, specs);
  let bands: CrossTolerances | undefined; // derived once, from the reference goldens, when a run needs them
  const cross = () => (bands ??= crossTolerances(ws, specs[0].profile));
  const verdicts = specs.map((s, i): SpecVerdict => {
    const r = results[i];
    if (r) return verifySpec(ws, s, r, mode, cross);
    return { name: s.name, status: 'no-result', golden: relative(ws.root, resultPath(ws, s.profile, s.name)) };
  });
  const profile = specs[0]?.profile ?? '';
  const obsolete = opts.checkObsolete ? findObsoleteGoldens(ws, profile, knownGoldenNames(specs)) : [];
  const staleDocs = opts.staleDocs || opts.checkCrossFile ? [...(opts.staleDocs ?? []), ...(opts.checkCrossFile && crossFileStale(ws, profile) ? [`golden/${profile}/cross-backend.json (the cross-backend bands)`] : [])] : null;
  const ok = verdicts.every((v) => v.status === 'pass' || v.status === 'written' || v.status === 'no-result') && !staleDocs?.length;
  return { profile, verdicts, obsolete, staleDocs, ok };
}
