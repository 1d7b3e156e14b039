/** Flag values: one parser for each kind of value (enum, positive integer, list, seeds, shard,
 * jobs); each error names the flag, what it got and how to write it. Pure. */
import { availableParallelism } from 'node:os';
import { UsageError } from '../errors.js';
import { parseTfThreads, type BackendChoice, type BackendInfo } from '../engine/backend.js';
import type { Shard } from '../shard/shard.js';

export function oneOf<T extends string>(flag: string, value: string | undefined, choices: readonly T[], dflt: T): T {
  if (value === undefined) return dflt;
  if (!(choices as readonly string[]).includes(value)) throw new UsageError(`--${flag} must be one of ${choices.join(', ')} (got '${value}')`);
  return value as T;
}

export function positiveInt(flag: string, value: string | undefined, dflt: number): number {
  if (value === undefined) return dflt;
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n < 1) throw new UsageError(`--${flag} must be a positive integer (got '${value}')`);
  return n;
}

/** a comma-separated subset of `all` (default: all of it) */
export function listOf<T extends string>(flag: string, value: string | undefined, all: readonly T[], dflt: readonly T[] = all): T[] {
  if (value === undefined) return [...dflt];
  const items = value.split(',').map((s) => s.trim());
  for (const i of items) if (!(all as readonly string[]).includes(i)) throw new UsageError(`--${flag}: unknown '${i}'`, `use ${all.join(',')}`);
  return items as T[];
}

/** '1,2,3' or '1-5' (or a mix: '1-3,7') -> seeds */
export function parseSeeds(text: string): number[] | null {
  const out: number[] = [];
  for (const part of text.split(',').map((s) => s.trim())) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) return null;
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    if (b < a || b - a > 1000) return null;
    for (let s = a; s <= b; s++) if (!out.includes(s)) out.push(s);
  }
  return out.length ? out : null;
}

export function seedsFlag(value: string | undefined): number[] | undefined {
  if (value === undefined) return undefined;
  const parsed = parseSeeds(value);
  if (!parsed) throw new UsageError(`--seeds must be a list or range of seeds like 1,2,3 or 1-5 (got '${value}')`);
  return parsed;
}

export function parseShard(text: string | undefined): Shard | null {
  if (text === undefined) return null;
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = m ? Number(m[1]) : NaN;
  const total = m ? Number(m[2]) : NaN;
  if (!m || total < 1 || index < 1 || index > total)
    throw new UsageError(`--shard must be INDEX/TOTAL with 1 <= INDEX <= TOTAL (got '${text}')`, 'for example --shard 1/2 on one machine and --shard 2/2 on another');
  return { index, total };
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

/** TensorFlow's thread counts when the choice may load it (they must be known before it loads). */
export function tfThreadsFor(choice: BackendChoice, values: { threads?: string; 'inter-threads'?: string }) {
  return choice === 'wasm' || choice === 'cpu' ? undefined : parseTfThreads(values.threads, values['inter-threads']);
}
