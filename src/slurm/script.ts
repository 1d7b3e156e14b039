/** The batch scripts `normreg slurm` submits, rendered from plain data. Pure.
 *  - shards.sbatch: an array job, one task per shard; each task runs `normreg reproduce --shard
 *    auto/N` in its own shard workspace. SLURM sends USR1 `signalSeconds` before the time limit
 *    (or a preemption); the script then stops the run at the next step (checkpoints of finished
 *    epochs are kept), and requeues the task, which resumes from the checkpoint.
 *  - merge.sbatch: run after every task succeeded (afterok): `normreg merge` of the shards'
 *    results into the workspace, which verifies and writes the report. */
import { basename, dirname, join } from 'node:path';
import { slurmLogDir, slurmRcPath, slurmShardDir } from '../workspace/paths.js';

export interface SlurmJob {
  profile: string;
  shards: number;
  /** reproduce flags of the selection: --only, --seeds, --backend, --specs, --threads, --jobs */
  selectionArgs: string[];
  /** merge flags: --backend when not the reference engine */
  mergeArgs: string[];
  /** absolute paths */
  root: string;
  runDir: string;
  node: string;
  bin: string;
  jobName: string;
  /** minutes per array task */
  timeMinutes: number;
  cpusPerTask: number;
  partition?: string;
  /** free `sbatch` arguments, one `#SBATCH` line each */
  sbatchArgs: string[];
  signalSeconds: number;
}

/** Single-quote for bash. */
export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:=,@%+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** A path whose last part holds a shell variable ('$index'): the folder quoted, the name not. */
const withVar = (p: string) => `${shellQuote(dirname(p))}/${basename(p)}`;

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

/** Seconds of warning (USR1) before the time limit: 2 minutes, or a quarter of a short limit (SLURM
 * may send it up to a minute early); no limit given yet: 2 minutes. */
export function warningSeconds(timeMinutes: number | undefined): number {
  return Math.max(10, Math.min(120, Math.floor(((timeMinutes ?? Infinity) * 60) / 4)));
}

/** `--time` for sbatch: D-HH:MM:SS from minutes. */
export function formatSlurmTime(minutes: number): string {
  const m = Math.max(1, Math.ceil(minutes));
  const d = Math.floor(m / 1440);
  const h = Math.floor((m % 1440) / 60);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d ? `${d}-` : ''}${pad(h)}:${pad(m % 60)}:00`;
}

/** The per-task time limit: the longest shard's estimate with half again as margin, plus five
 * minutes for start-up and verification, in whole minutes. */
export function timeLimitMinutes(longestSeconds: number): number {
  return Math.ceil((longestSeconds * 1.5) / 60) + 5;
}

function header(j: SlurmJob, lines: string[]): string[] {
  return [
    '#!/bin/bash',
    `# written by normreg slurm; ${j.profile} profile, ${j.shards} shard(s)`,
    ...lines.map((l) => `#SBATCH ${l}`),
    ...(j.partition ? [`#SBATCH --partition=${j.partition}`] : []),
    ...j.sbatchArgs.map((a) => `#SBATCH ${a}`),
  ];
}

export function renderArrayScript(j: SlurmJob): string {
  const q = shellQuote;
  const reproduce = [q(j.node), q(j.bin), 'reproduce', '--profile', q(j.profile), '--shard', `auto/${j.shards}`, ...j.selectionArgs.map(q)].join(' ');
  return [
    ...header(j, [
      `--job-name=${j.jobName}`,
      `--array=1-${j.shards}`,
      `--output=${slurmLogDir(j.runDir)}/shard-%a.out`,
      '--open-mode=append',
      `--time=${formatSlurmTime(j.timeMinutes)}`,
      `--cpus-per-task=${j.cpusPerTask}`,
      `--signal=B:USR1@${j.signalSeconds}`,
      '--requeue',
    ]),
    'set -u',
    'index=$((SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN + 1))',
    `cd ${withVar(slurmShardDir(j.runDir, '$index'))} || exit 2`,
    `echo "normreg: shard $index/${j.shards}, job $SLURM_JOB_ID (array $SLURM_ARRAY_JOB_ID task $SLURM_ARRAY_TASK_ID) on $(hostname), restart \${SLURM_RESTART_COUNT:-0}, $(date -u +%FT%TZ)"`,
    `rm -f ${withVar(slurmRcPath(j.runDir, 'shard-$index'))}`,
    '# USR1 (time limit or preemption ahead): stop at the next step, keep the checkpoints, requeue',
    'requeue=0',
    'trap \'requeue=1; echo "normreg: USR1 received: stopping the run to requeue"; kill -TERM "$pid" 2>/dev/null\' USR1',
    `${reproduce} &`,
    'pid=$!',
    'wait "$pid"; rc=$?',
    '# wait returns early when the trap runs; wait again for the run to stop',
    'while kill -0 "$pid" 2>/dev/null; do wait "$pid"; rc=$?; done',
    'if [ "$requeue" = 1 ]; then',
    '  echo "normreg: run stopped (exit $rc); requeueing job $SLURM_JOB_ID"',
    '  scontrol requeue "$SLURM_JOB_ID" && exit 0',
    '  echo "normreg: scontrol requeue failed; resubmit the same normreg slurm command to resume" >&2',
    '  exit 2',
    'fi',
    `echo "$rc" > ${withVar(slurmRcPath(j.runDir, 'shard-$index'))}`,
    'exit "$rc"',
    '',
  ].join('\n');
}

export function renderMergeScript(j: SlurmJob): string {
  const q = shellQuote;
  const dirs = Array.from({ length: j.shards }, (_, i) => q(join(slurmShardDir(j.runDir, i + 1), 'results')));
  const merge = [q(j.node), q(j.bin), 'merge', '--profile', q(j.profile), ...j.mergeArgs.map(q), ...dirs].join(' ');
  return [
    ...header(j, [
      `--job-name=${j.jobName}-merge`,
      `--output=${slurmLogDir(j.runDir)}/merge.out`,
      '--open-mode=append',
      '--time=00:30:00',
      '--cpus-per-task=1',
      '--kill-on-invalid-dep=yes',
    ]),
    'set -u',
    `cd ${q(j.root)} || exit 2`,
    `echo "normreg: merge of ${j.shards} shard(s), job $SLURM_JOB_ID on $(hostname), $(date -u +%FT%TZ)"`,
    `rm -f ${q(slurmRcPath(j.runDir, 'merge'))}`,
    '# merge verifies the merged results against the goldens and writes the report',
    merge,
    'rc=$?',
    `echo "$rc" > ${q(slurmRcPath(j.runDir, 'merge'))}`,
    'exit "$rc"',
    '',
  ].join('\n');
}
