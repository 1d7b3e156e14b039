/** The batch scripts `normreg slurm` submits, rendered from plain data. Pure.
 *  - shards.sbatch: an array job, one task per shard; each task runs `normreg reproduce --shard
 *    auto/N` in its own shard workspace. SLURM sends USR1 `signalSeconds` before the time limit
 *    (or a preemption); the script then stops the run at the next step (checkpoints of finished
 *    epochs are kept), and requeues the task, which resumes from the checkpoint.
 *  - merge.sbatch: run after every task succeeded (afterok): `normreg merge` of the shards'
 *    results into the workspace, which verifies and writes the report. */

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

export const shardDir = (runDir: string, index: number) => `${runDir}/shard-${index}`;
export const logDir = (runDir: string) => `${runDir}/logs`;
/** exit status files the jobs leave: status/shard-I.rc, status/merge.rc */
export const rcFile = (runDir: string, name: string) => `${runDir}/status/${name}.rc`;

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
      `--output=${logDir(j.runDir)}/shard-%a.out`,
      '--open-mode=append',
      `--time=${formatSlurmTime(j.timeMinutes)}`,
      `--cpus-per-task=${j.cpusPerTask}`,
      `--signal=B:USR1@${j.signalSeconds}`,
      '--requeue',
    ]),
    'set -u',
    'index=$((SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN + 1))',
    `cd ${q(j.runDir)}/shard-$index || exit 2`,
    `echo "normreg: shard $index/${j.shards}, job $SLURM_JOB_ID (array $SLURM_ARRAY_JOB_ID task $SLURM_ARRAY_TASK_ID) on $(hostname), restart \${SLURM_RESTART_COUNT:-0}, $(date -u +%FT%TZ)"`,
    `rm -f ${q(j.runDir)}/status/shard-$index.rc`,
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
    `echo "$rc" > ${q(j.runDir)}/status/shard-$index.rc`,
    'exit "$rc"',
    '',
  ].join('\n');
}

export function renderMergeScript(j: SlurmJob): string {
  const q = shellQuote;
  const dirs = Array.from({ length: j.shards }, (_, i) => `${q(shardDir(j.runDir, i + 1))}/results`);
  const merge = [q(j.node), q(j.bin), 'merge', '--profile', q(j.profile), ...j.mergeArgs.map(q), ...dirs].join(' ');
  return [
    ...header(j, [
      `--job-name=${j.jobName}-merge`,
      `--output=${logDir(j.runDir)}/merge.out`,
      '--open-mode=append',
      '--time=00:30:00',
      '--cpus-per-task=1',
      '--kill-on-invalid-dep=yes',
    ]),
    'set -u',
    `cd ${q(j.root)} || exit 2`,
    `echo "normreg: merge of ${j.shards} shard(s), job $SLURM_JOB_ID on $(hostname), $(date -u +%FT%TZ)"`,
    `rm -f ${q(rcFile(j.runDir, 'merge'))}`,
    '# merge verifies the merged results against the goldens and writes the report',
    merge,
    'rc=$?',
    `echo "$rc" > ${q(rcFile(j.runDir, 'merge'))}`,
    'exit "$rc"',
    '',
  ].join('\n');
}
