/** Pieces of reproduce's orchestration below the command: the run environment for the cache,
 * the job count, and training runs one after another in this process. */
import { availableParallelism } from 'node:os';
import { NormregError, formatProblem } from '../errors.js';
import { UsageError } from '../errors.js';
import { codeHash } from '../plan/codeHash.js';
import { TrainInterrupted } from '../train/loop.js';
import type { BackendInfo } from '../engine/backend.js';
import type { PlannedRun, RunEnv } from '../workspace/runFiles.js';
import type { Workspace } from '../workspace/paths.js';
import { EXIT_INTERRUPTED, type PoolResult } from './pool.js';
import { createProgress } from './progress.js';
import { executeRun, loadDatasetFor } from './runSpec.js';
import { estimatePlan, renderEstimate } from '../plan/estimate.js';
import { calibrate, readSpeedSamples, thisCpu, workOf } from '../bench/speed.js';

export function runEnvFor(backend: BackendInfo): RunEnv {
  return {
    datasetSha256: (s) => loadDatasetFor(s).sha256,
    backend: backend.name,
    versions: { ...backend.versions, kernels: backend.kernels.join(',') || 'stock' },
    code: codeHash(),
  };
}

export function parseJobs(text: string | undefined, backend: BackendInfo, runs: number): number {
  if (text !== undefined && text !== 'auto') {
    const n = Number(text);
    if (!Number.isInteger(n) || n < 1) throw new UsageError(`--jobs must be a positive integer or 'auto' (got '${text}')`);
    return n;
  }
  // native TensorFlow backends use every core (and the GPU) already: one run at a time
  const perRun = backend.threads > 0 ? backend.threads : availableParallelism();
  return Math.max(1, Math.min(runs, Math.floor(availableParallelism() / perRun)));
}

export async function runInProcess(ws: Workspace, todo: PlannedRun[], backend: BackendInfo, signal: AbortSignal): Promise<PoolResult[]> {
  const results: PoolResult[] = todo.map((p) => ({ name: p.spec.name, status: 'not-started', exitCode: null }));
  for (let i = 0; i < todo.length && !signal.aborted; i++) {
    const p = todo[i];
    try {
      const { facts } = await executeRun(ws, p, backend, { onProgress: createProgress(p.spec.name, process.stdout), signal });
      process.stdout.write(`${p.spec.name}: done in ${facts.wallSeconds.toFixed(1)}s (${facts.imagesPerSec.toFixed(0)} img/s)${facts.resumedFromEpoch ? `, resumed after epoch ${facts.resumedFromEpoch}` : ''}\n`);
      results[i] = { name: p.spec.name, status: 'ok', exitCode: 0 };
    } catch (e) {
      if (e instanceof TrainInterrupted) results[i] = { name: p.spec.name, status: 'interrupted', exitCode: EXIT_INTERRUPTED };
      else results[i] = { name: p.spec.name, status: 'failed', exitCode: 2, error: e instanceof NormregError ? e.problems.map(formatProblem).join('; ') : String((e as Error)?.stack ?? e) };
    }
  }
  return results;
}

/** Below this much work (training images over all runs to train) a plan without measured speed is
 * not worth a calibration: it trains in about the time calibrating would take. */
export const CALIBRATE_MIN_IMAGES = 300_000;

/** The plan's expected duration: from the facts of earlier runs, else from a short calibration. */
export async function estimateLine(ws: Workspace, plan: PlannedRun[], backend: BackendInfo, jobs: number): Promise<string> {
  const work = workOf(plan);
  if (work.length === 0) return 'plan: nothing to train (every run is cached)';
  let samples = readSpeedSamples(ws);
  let e = estimatePlan(work, samples, jobs, thisCpu());
  if (!e) {
    const images = work.reduce((a, w) => a + w.images, 0);
    if (images < CALIBRATE_MIN_IMAGES) return `plan: ${work.length} run(s) to train, ${images.toLocaleString('en-US')} training images in all (no speed measured here yet; too little work to be worth a calibration)`;
    const norms = [...new Set(work.map((w) => w.norm))].filter((n) => !samples.some((s) => s.norm === n));
    process.stdout.write(`calibrating: a few training steps per norm (${norms.join(', ')}), no earlier run's facts.json to go by\n`);
    samples = [...samples, ...(await calibrate(backend, norms))];
    e = estimatePlan(work, samples, jobs, thisCpu());
  }
  return e ? renderEstimate(e) : `plan: ${work.length} run(s) to train (speed unknown: calibration failed)`;
}
