/** Flag values, one parser per kind of value; each error names the flag and the fix. */
import { availableParallelism } from 'node:os';
import { UsageError } from '../errors.js';
import type { BackendInfo } from '../engine/backend.js';

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
