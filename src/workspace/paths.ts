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
/** the profile's report site, from the committed goldens: reports/<profile>/site/index.html */
export const siteIndexPath = (root: string, profile: string) => join(root, 'reports', profile, 'site', 'index.html');
/** the site with this workspace's local results and verify's verdicts on them (never committed) */
export const localSiteIndexPath = (ws: Workspace, profile: string) => join(resultsRoot(ws), 'site', `${profile}${isReference(ws) ? '' : `.${ws.backend}`}`, 'index.html');
/** where the last verify left the difference images of failed figures */
export const figureDiffDir = (root: string, profile: string) => join(root, 'results', profile, 'figures');
/** where a failed figure comparison leaves its difference image */
export const figureDiffPath = (root: string, profile: string, file: string) => join(figureDiffDir(root, profile), file.replace(/\.png$/, '.diff.png'));

/** the figure declarations, relative to the workspace root */
const FIGURE_CONFIG = 'reports/figures.json';
export const figureConfigPath = (root: string) => join(root, FIGURE_CONFIG);
export const readmePath = (root: string) => join(root, 'README.md');

export const lockPath = (ws: Workspace) => join(resultsRoot(ws), '.lock');

/** results/<profile>[.<backend>]/shards/: the shard manifests */
export const shardsDir = (profileDir: string) => join(profileDir, 'shards');
export const SHARD_MANIFEST = /^shard-\d+-of-\d+\.json$/;
export const shardManifestPath = (ws: Workspace, profile: string, index: number, total: number) => join(shardsDir(resultsProfileDir(ws, profile)), `shard-${index}-of-${total}.json`);

/** results/slurm/<slug>/: one `normreg slurm` submission (the same command finds it again):
 * shard-<I>/ (a workspace per shard), logs/, status/<job>.rc, the batch scripts, jobs.json */
export const slurmRunDir = (ws: Workspace, slug: string) => join(resultsRoot(ws), 'slurm', slug);
/** index: a number, or a shell variable such as '$index' in the batch script */
export const slurmShardDir = (runDir: string, index: number | string) => join(runDir, `shard-${index}`);
export const slurmLogDir = (runDir: string) => join(runDir, 'logs');
export const slurmStatusDir = (runDir: string) => join(runDir, 'status');
/** the exit status a job leaves: status/shard-<I>.rc, status/merge.rc */
export const slurmRcPath = (runDir: string, job: string) => join(slurmStatusDir(runDir), `${job}.rc`);
export const slurmJobsPath = (runDir: string) => join(runDir, 'jobs.json');
export const slurmScriptPaths = (runDir: string) => ({ shards: join(runDir, 'shards.sbatch'), merge: join(runDir, 'merge.sbatch') });
