/** The IO of `normreg slurm`: the run folder with one workspace per shard, sbatch, and following
 * the jobs with squeue / scontrol (sacct where accounting is on). */
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, lstatSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { RunError, problem } from '../errors.js';
import { writeFileAtomic } from '../workspace/store.js';
import { resultsRoot, slurmJobsPath, slurmLogDir, slurmRcPath, slurmScriptPaths, slurmShardDir, slurmStatusDir } from '../workspace/paths.js';
import { decideVerdict, parseScontrol, parseSqueue, type JobState } from './verdict.js';

/** A shard's workspace: the checkout's top-level entries linked in (specs, goldens, reports, the
 * code's git), and its own results/, so shards never share a lock or a results folder. */
function prepareRunDir(root: string, runDir: string, shards: number): void {
  for (const d of [slurmLogDir(runDir), slurmStatusDir(runDir)]) mkdirSync(d, { recursive: true });
  const entries = readdirSync(root).filter((e) => e !== 'results' && e !== 'node_modules');
  for (let i = 1; i <= shards; i++) {
    const dir = slurmShardDir(runDir, i);
    mkdirSync(resultsRoot({ root: dir }), { recursive: true });
    for (const e of entries) {
      const link = join(dir, e);
      let there = true;
      try { lstatSync(link); } catch { there = false; }
      if (!there) symlinkSync(join(root, e), link);
    }
  }
}

function writeScripts(runDir: string, scripts: { shards: string; merge: string }): { shards: string; merge: string } {
  const files = slurmScriptPaths(runDir);
  writeFileAtomic(files.shards, scripts.shards);
  writeFileAtomic(files.merge, scripts.merge);
  return files;
}

async function slurmCommand(cmd: string, args: string[]): Promise<string> {
  const r = await execa(cmd, args, { reject: false, stdin: 'ignore' });
  if (r.failed) {
    const why = (r as { code?: string }).code === 'ENOENT' ? `'${cmd}' is not installed here` : `${cmd} ${args.join(' ')} failed (exit ${r.exitCode}): ${String(r.stderr).trim() || String(r.stdout).trim()}`;
    throw new RunError('RUN', [problem('', '', why, 'run normreg slurm on a SLURM login node (sbatch, squeue, scontrol on the PATH, the controller reachable)')]);
  }
  return String(r.stdout);
}

/** sbatch --parsable: the job id (before any ';cluster'). */
async function sbatch(file: string, args: string[] = []): Promise<string> {
  const out = await slurmCommand('sbatch', ['--parsable', ...args, file]);
  return out.trim().split(';')[0];
}

export interface JobsRecord { array: string; merge: string; submittedAt: string; command: string }

function readJobs(runDir: string): JobsRecord | null {
  try {
    return JSON.parse(readFileSync(slurmJobsPath(runDir), 'utf8')) as JobsRecord;
  } catch {
    return null;
  }
}

function writeJobs(runDir: string, r: JobsRecord): void {
  writeFileAtomic(slurmJobsPath(runDir), JSON.stringify(r, null, 2) + '\n');
}

/** Submit the array job and the merge job (afterok) from `runDir`, its shard workspaces made and the
 * scripts written; refused while an earlier submission into the same folder is still queued (the
 * two would share each shard's results). */
export async function submit(root: string, runDir: string, shards: number, scripts: { shards: string; merge: string }, command: string, shown: string): Promise<JobsRecord> {
  const prev = readJobs(runDir);
  if (prev) {
    const live = await queued([prev.array, prev.merge]);
    if (live.length) throw new RunError('RUN', [problem(shown, '', `already submitted: job(s) ${[...new Set(live.map((l) => l.arrayJob))].join(', ')} still ${[...new Set(live.map((l) => l.state))].join('/')} for this folder`, `wait for them (squeue -j ${prev.array},${prev.merge}) or cancel them (scancel ${prev.array} ${prev.merge}), then submit again`)]);
  }
  prepareRunDir(root, runDir, shards);
  const files = writeScripts(runDir, scripts);
  const array = await sbatch(files.shards);
  const merge = await sbatch(files.merge, [`--dependency=afterok:${array}`]);
  const record = { array, merge, submittedAt: new Date().toISOString(), command };
  writeJobs(runDir, record);
  return record;
}

/** The jobs of `ids` still queued or running. */
async function queued(ids: string[]) {
  return parseSqueue(await slurmCommand('squeue', ['-h', '-o', '%A|%F|%K|%T|%r']), ids);
}

/** Final states of the array's tasks and the merge job: scontrol (kept MinJobAge seconds), else sacct. */
async function finalStates(ids: string[]): Promise<JobState[]> {
  const out: JobState[] = [];
  for (const id of ids) {
    const r = await execa('scontrol', ['show', 'job', '-o', id], { reject: false, stdin: 'ignore' });
    let states = r.exitCode === 0 ? parseScontrol(String(r.stdout)) : [];
    if (!states.length) {
      const s = await execa('sacct', ['-n', '-P', '-X', '-j', id, '-o', 'JobID,State,ExitCode'], { reject: false, stdin: 'ignore' });
      states = s.exitCode === 0 ? String(s.stdout).split('\n').filter(Boolean).map((l) => {
        const [jobId, state, exitCode] = l.split('|');
        const task = /_(\d+)$/.exec(jobId)?.[1];
        return { jobId, task: task ? Number(task) : null, state: state.split(' ')[0], exitCode };
      }) : [];
    }
    out.push(...states.map((s) => (id === ids[ids.length - 1] ? { ...s, task: null } : s)));
  }
  return out;
}

function readRc(runDir: string, name: string): number | null {
  const f = slurmRcPath(runDir, name);
  if (!existsSync(f)) return null;
  const n = Number(readFileSync(f, 'utf8').trim());
  return Number.isInteger(n) ? n : null;
}

/** Poll squeue until the jobs have left the queue, printing each change of their states, then
 * the verdict from the status files and SLURM's final states (exit code 0/1/2). */
export async function follow(runDir: string, shards: number, array: string, merge: string, resubmit: string, pollMs: number, out: NodeJS.WritableStream): Promise<number> {
  let last = '';
  for (;;) {
    const live = await queued([array, merge]);
    const line = live.map((l) => `${l.arrayJob === array ? `shard ${l.task === 'N/A' ? '?' : l.task}` : 'merge'} ${l.state}${l.reason && l.reason !== 'None' ? ` (${l.reason})` : ''}`).sort().join(', ');
    if (line !== last && line) out.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);
    last = line;
    if (!live.length) break;
    await new Promise((r) => setTimeout(r, pollMs));
  }
  const v = decideVerdict({
    shardRc: Array.from({ length: shards }, (_, i) => readRc(runDir, `shard-${i + 1}`)),
    mergeRc: readRc(runDir, 'merge'),
    states: await finalStates([array, merge]),
  }, resubmit);
  for (const l of v.lines) out.write(`${l}\n`);
  return v.code;
}
