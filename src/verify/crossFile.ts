/** The cross-backend bands of a profile as a committed file (golden/<profile>/cross-backend.json):
 * derived from the reference goldens, written by `report`, checked for staleness by `verify`. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { canonicalJson } from '../result/canonical.js';
import { readGolden } from '../workspace/payloads.js';
import { crossBandsPath, goldenProfileDir, type Workspace } from '../workspace/paths.js';
import { writeFileAtomic } from '../workspace/store.js';
import type { ResultPayload } from '../result/types.js';
import { REFERENCE, deriveCrossTolerances, type CrossTolerances } from './crossBackend.js';

export const crossFilePath = (ws: Workspace, profile: string): string => crossBandsPath(ws.root, profile);

/** Every committed reference golden of the profile (all seeds). */
function readReferenceGoldens(ws: Workspace, profile: string): ResultPayload[] {
  const dir = join(goldenProfileDir(ws.root, profile), REFERENCE);
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => f.endsWith('.json')).sort().map((f) => readGolden(join(dir, f))!);
}

export function crossTolerances(ws: Workspace, profile: string): CrossTolerances {
  return deriveCrossTolerances(profile, readReferenceGoldens(ws, profile));
}

/** null: no experiment of the profile has enough reference seeds to measure a spread, so there
 * are no bands to write or check (a workspace of one-seed experiments needs no such file) */
export function renderCrossFile(ws: Workspace, profile: string): string | null {
  const t = deriveCrossTolerances(profile, readReferenceGoldens(ws, profile));
  return Object.keys(t.spread).length ? canonicalJson(t) : null;
}

export function writeCrossFile(ws: Workspace, profile: string): boolean {
  const body = renderCrossFile(ws, profile);
  return body !== null && writeFileAtomic(crossFilePath(ws, profile), body);
}

export function crossFileStale(ws: Workspace, profile: string): boolean {
  const body = renderCrossFile(ws, profile);
  if (body === null) return false;
  const p = crossFilePath(ws, profile);
  return !existsSync(p) || readFileSync(p, 'utf8') !== body;
}
