/** The flags of `normreg slurm`, checked. Pure. */
import { UsageError } from '../errors.js';
import type { Values } from '../commands/args.js';

export interface SlurmFlags {
  shards: number;
  timeMinutes?: number;
  cpusPerTask: number;
  partition?: string;
  sbatchArgs: string[];
  signalSeconds: number;
  pollMs: number;
}

const positive = (flag: string, text: string | undefined, dflt?: number): number => {
  if (text === undefined) {
    if (dflt !== undefined) return dflt;
    throw new UsageError(`--${flag} is required`, `for example --${flag} 12`);
  }
  if (!/^\d+$/.test(text.trim()) || Number(text) < 1) throw new UsageError(`--${flag} must be a positive integer (got '${text}')`);
  return Number(text);
};

/** SLURM's time formats: M, M:S, H:M:S, D-H, D-H:M, D-H:M:S; in minutes (seconds round up). */
export function parseSlurmTime(text: string): number | null {
  const t = text.trim();
  let m: RegExpExecArray | null;
  const n = (s: string | undefined) => (s === undefined ? 0 : Number(s));
  if ((m = /^(\d+)$/.exec(t))) return n(m[1]) || null;
  if ((m = /^(\d+):(\d{1,2})$/.exec(t))) return n(m[1]) + Math.ceil(n(m[2]) / 60) || null;
  if ((m = /^(\d+):(\d{1,2}):(\d{1,2})$/.exec(t))) return n(m[1]) * 60 + n(m[2]) + Math.ceil(n(m[3]) / 60) || null;
  if ((m = /^(\d+)-(\d+)(?::(\d{1,2})(?::(\d{1,2}))?)?$/.exec(t))) return n(m[1]) * 1440 + n(m[2]) * 60 + n(m[3]) + Math.ceil(n(m[4]) / 60) || null;
  return null;
}

export function parseSlurmFlags(values: Values): SlurmFlags {
  const shards = positive('shards', values.shards);
  if (values.shard !== undefined) throw new UsageError('normreg slurm takes --shards N (how many), not --shard', 'each array task runs `reproduce --shard auto/N` itself');
  let timeMinutes: number | undefined;
  if (values.time !== undefined) {
    const t = parseSlurmTime(values.time);
    if (t === null) throw new UsageError(`--time must be a SLURM time limit: minutes, HH:MM:SS or D-HH:MM (got '${values.time}')`, 'for example --time 90 or --time 1-00:00');
    timeMinutes = t;
  }
  const cpusPerTask = positive('cpus-per-task', values['cpus-per-task'], 1);
  if (values.partition !== undefined && !/^[A-Za-z0-9_.,-]+$/.test(values.partition)) throw new UsageError(`--partition must be a partition name (got '${values.partition}')`, 'see `sinfo -s` for the partitions');
  const sbatchArgs = (values['sbatch-arg'] ?? []) as string[];
  for (const a of sbatchArgs)
    if (!a.startsWith('-') || /[\n\r]/.test(a)) throw new UsageError(`--sbatch-arg must be one sbatch option starting with '-', on one line (got '${a}')`, 'for example --sbatch-arg=--mem=4G --sbatch-arg=--account=lab');
  const time = timeMinutes ?? Infinity;
  // the warning comes 2 minutes ahead, or a quarter of a short limit (SLURM may send it up to a minute early)
  const signalSeconds = Math.max(10, Math.min(120, Math.floor((time * 60) / 4)));
  const pollMs = values['poll-ms'] !== undefined ? positive('poll-ms', values['poll-ms']) : 5000;
  return { shards, timeMinutes, cpusPerTask, partition: values.partition, sbatchArgs, signalSeconds, pollMs };
}

/** The run folder's name: one per profile, backend, selection and shard count, so the same
 * command resubmitted finds its shards' results and checkpoints again. */
export function runSlug(profile: string, backend: string, values: Values, shards: number): string {
  const clean = (s: string) => s.replace(/[^A-Za-z0-9.+-]+/g, '+');
  const parts = [profile + (backend === 'wasm' ? '' : `.${backend}`), values.only ? clean(values.only) : 'all', ...(values.seeds ? [`seeds-${clean(values.seeds)}`] : []), `${shards}-shards`];
  return parts.join('.').slice(0, 120);
}
