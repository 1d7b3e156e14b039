/** Every file that verify, report and merge read besides results, checked before anything is
 * written: the goldens of the selected specs, reports/claims.json and reports/figures.json. A bad
 * one is an error (exit 2) naming the file, the JSON pointer and the fix; a README, figure or
 * golden is never half-written from it. (Corrupt results are not checked here: reproduce re-runs
 * them, verify and report refuse them when they read them.) */
import { existsSync, readFileSync } from 'node:fs';
import type { ResolvedSpec } from '../spec/types.js';
import type { ResultPayload } from '../result/types.js';
import { GOLDEN_FIX, payloadProblems } from '../workspace/payloads.js';
import { goldenPath, goldenPlace, type Workspace } from '../workspace/paths.js';
import { fingerprintSpec } from '../plan/fingerprint.js';
import { GoldenError, displayPath, problem, type Problem } from '../errors.js';
import { BACKEND_CHOICES } from '../engine/backend.js';
import { loadClaims } from '../report/claims.js';
import { loadFigureConfig } from '../report/figureConfig.js';
import { figureConfigPath } from '../workspace/paths.js';

/** A payload made from exactly this spec (same spec fingerprint) must have its epochs and seed. */
export function payloadMatchesSpec(file: string, p: ResultPayload, spec: ResolvedSpec, fix: string): Problem[] {
  if (p.specFingerprint !== fingerprintSpec(spec)) return []; // made from another spec: compare reports that
  const out: Problem[] = [];
  if (p.epochs.length !== spec.training.epochs)
    out.push(problem(file, '/epochs', `lists ${p.epochs.length} epoch(s), but the spec it was made from (${displayPath(spec.file)}) declares ${spec.training.epochs}`, fix));
  if (p.seed !== spec.seed) out.push(problem(file, '/seed', `is ${p.seed}, but the spec it was made from declares seed ${spec.seed}`, fix));
  return out;
}

/** Problems of every golden the selected specs have (any backend). */
export function goldenProblems(ws: Workspace, specs: ResolvedSpec[]): Problem[] {
  const out: Problem[] = [];
  for (const spec of specs)
    for (const backend of BACKEND_CHOICES.filter((b) => b !== 'auto')) {
      const file = goldenPath(ws, spec.profile, backend, spec.name);
      if (!existsSync(file)) continue;
      const shown = displayPath(file);
      const r = payloadProblems(readFileSync(file, 'utf8'), shown, 'golden', goldenPlace(file));
      out.push(...r.problems, ...(r.payload ? payloadMatchesSpec(shown, r.payload, spec, GOLDEN_FIX(shown)) : []));
    }
  return out.map((p) => ({ ...p, message: `corrupt golden file: ${p.message}` }));
}

/** Run names and experiment (row) names the profile's specs declare. */
export const runNames = (all: ResolvedSpec[]) => [...new Set(all.flatMap((s) => [s.name, s.group]))];
const experimentNames = (all: ResolvedSpec[]) => [...new Set(all.map((s) => s.group))];

/** Throws the first kind of problem found: goldens (all of them listed), claims, figure config.
 * `goldens: false` under --update all, which rewrites the selected goldens without reading them. */
export async function checkInputs(ws: Workspace, specs: ResolvedSpec[], all: ResolvedSpec[], opts: { goldens: boolean }): Promise<void> {
  if (opts.goldens) {
    const probs = goldenProblems(ws, specs);
    if (probs.length) throw new GoldenError('GOLDEN_CORRUPT', probs);
  }
  loadClaims(ws.root, experimentNames(all));
  const figures = figureConfigPath(ws.root);
  if (existsSync(figures)) await loadFigureConfig(displayPath(figures), runNames(all));
}
