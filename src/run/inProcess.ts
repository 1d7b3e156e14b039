/** Training planned runs one after another in this process, with a progress line each. */
import { NormregError, formatProblem } from '../errors.js';
import { TrainInterrupted } from '../train/loop.js';
import type { BackendInfo } from '../engine/backend.js';
import type { PlannedRun } from '../plan/runs.js';
import type { Workspace } from '../workspace/paths.js';
import { EXIT_INTERRUPTED, type PoolResult } from './pool.js';
import { createProgress } from './progress.js';
import { executeRun } from './runSpec.js';

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
