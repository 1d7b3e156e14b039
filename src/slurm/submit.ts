/** The IO of `normreg slurm`: the run folder with one workspace per shard, sbatch, and following
 * the jobs with squeue / scontrol (sacct where accounting is on). */
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, lstatSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { RunError, problem } from '../errors.js';
import { writeFileAtomic } from '../result/store.js';
import { logDir, rcFile, shardDir } from './script.js';
import { parseScontrol, parseSqueue, type JobState } from './verdict.js';

/** A shard's workspace: the checkout's top-level entries linked in (specs, goldens, reports, the
 * code's git), and its own results/, so shards never share a lock or a results folder. */
export function prepareRunDir(root: string, runDir: string, shards: number): void {
  for (const d of [logDir(runDir), join(runDir, 'status')]) mkdirSync(d, { recursive: true });
  const entries = readdirSync(root).filter((e) => e !== 'results' && e !== 'node_modules');
  for (let i = 1; i <= shards; i++) {
    const dir = shardDir(runDir, i);
    mkdirSync(join(dir, 'results'), { recursive: true });
    for (const e of entries) {
      const link = join(dir, e);
      let there = true;
      try { lstatSync(link); } catch { there = false; }
      if (!there) symlinkSync(join(root, e), link);
    }
  }
}

export function writeScripts(runDir: string, scripts: { shards: string; merge: string }): { shards: string; merge: string } {
  const files = { shards: join(runDir, 'shards.sbatch'), merge: join(runDir, 'merge.sbatch') };
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
export async function sbatch(file: string, args: string[] = []): Promise<string> {
  const out = await slurmCommand('sbatch', ['--parsable', ...args, file]);
  return out.trim().split(';')[0];
}

export interface JobsRecord { array: string; merge: string; submittedAt: string; command: string }

const jobsFile = (runDir: string) => join(runDir, 'jobs.json');

export function readJobs(runDir: string): JobsRecord | null {
  try {
    return JSON.parse(readFileSync(jobsFile(runDir), 'utf8')) as JobsRecord;
  } catch {
    return null;
  }
}

export function writeJobs(runDir: string, r: JobsRecord): void {
  writeFileAtomic(jobsFile(runDir), JSON.stringify(r, null, 2) + '\n');
}

/** The jobs of `ids` still queued or running. */
export async function queued(ids: string[]) {
  return parseSqueue(await slurmCommand('squeue', ['-h', '-o', '%A|%F|%K|%T|%r']), ids);
}

/** Final states of the array's tasks and the merge job: scontrol (kept MinJobAge seconds), else sacct. */
export async function finalStates(ids: string[]): Promise<JobState[]> {
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

export function readRc(runDir: string, name: string): number | null {
  const f = rcFile(runDir, name);
  if (!existsSync(f)) return null;
  const n = Number(readFileSync(f, 'utf8').trim());
  return Number.isInteger(n) ? n : null;
}
