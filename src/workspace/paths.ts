/** Every path of a workspace, in one place: results, run files, goldens, figures, the lock, shard
 * manifests, the README. Pure; everything else asks here where a file lives. */
import { basename, join } from 'node:path';

/** backend: whose results this workspace reads and writes; absent = the wasm engine, the reference. */
export interface Workspace { root: string; backend?: string }

export const REFERENCE_BACKEND = 'wasm';
export const isReference = (ws: Workspace) => !ws.backend || ws.backend === REFERENCE_BACKEND;

/** results/: every profile's runs (and the lock) */
export const resultsRoot = (ws: Workspace) => join(ws.root, 'results');

/** results/<profile>/ holds the reference engine's runs (the README's table); another backend's
 * runs go to results/<profile>.<backend>/ so that they never replace or mix with them. */
function resultsProfileDir(ws: Workspace, profile: string): string {
  return join(resultsRoot(ws), isReference(ws) ? profile : `${profile}.${ws.backend}`);
}

export function resultDir(ws: Workspace, profile: string, name: string): string {
  return join(resultsProfileDir(ws, profile), name);
}
export function resultPath(ws: Workspace, profile: string, name: string): string {
  return join(resultDir(ws, profile, name), 'result.json');
}
export function factsPath(ws: Workspace, profile: string, name: string): string {
  return join(resultDir(ws, profile, name), 'facts.json');
}
export const runRecordPath = (ws: Workspace, profile: string, name: string) => join(resultDir(ws, profile, name), 'run.json');
export const checkpointPath = (ws: Workspace, profile: string, name: string) => join(resultDir(ws, profile, name), 'checkpoint.json');

export const goldenProfileDir = (root: string, profile: string) => join(root, 'golden', profile);
/** the cross-backend bands derived from the profile's reference goldens (verify/crossFile.ts) */
export const crossBandsPath = (root: string, profile: string) => join(goldenProfileDir(root, profile), 'cross-backend.json');
export function goldenPath(ws: Workspace, profile: string, backend: string, name: string): string {
  return join(goldenProfileDir(ws.root, profile), backend, `${name}.json`);
}

/** Where a golden is says what it must hold: golden/<profile>/<backend>/<name>.json. */
export function goldenPlace(file: string): { name: string; profile: string; backend: string } {
  const parts = file.split(/[\\/]/);
  return { name: basename(file, '.json'), backend: parts[parts.length - 2], profile: parts[parts.length - 3] };
}

export function goldenFigurePath(root: string, profile: string, backend: string, file: string): string {
  return join(goldenProfileDir(root, profile), backend, 'figures', file);
}
export function reportFigurePath(root: string, profile: string, file: string): string {
  return join(root, 'reports', profile, file);
}
/** where a failed figure comparison leaves its difference image */
export const figureDiffPath = (root: string, profile: string, file: string) => join(root, 'results', profile, 'figures', file.replace(/\.png$/, '.diff.png'));

/** the figure declarations, relative to the workspace root */
const FIGURE_CONFIG = 'reports/figures.json';
export const figureConfigPath = (root: string) => join(root, FIGURE_CONFIG);
export const readmePath = (root: string) => join(root, 'README.md');

export const lockPath = (ws: Workspace) => join(resultsRoot(ws), '.lock');

/** results/<profile>[.<backend>]/shards/: the shard manifests */
export const shardsDir = (profileDir: string) => join(profileDir, 'shards');
export const SHARD_MANIFEST = /^shard-\d+-of-\d+\.json$/;
export const shardManifestPath = (ws: Workspace, profile: string, index: number, total: number) => join(shardsDir(resultsProfileDir(ws, profile)), `shard-${index}-of-${total}.json`);
