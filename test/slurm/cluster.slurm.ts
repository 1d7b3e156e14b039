/** normreg slurm against a real SLURM (`.ci/slurm.sh up`, SLURM_CONF exported): the sharded smoke
 * table through an array job and its merge job, a cancelled shard resubmitted, and a task warned
 * with USR1 that checkpoints, requeues itself and finishes byte-identical to its golden.
 * Not part of `npm test` (the file does not end in .test.ts): .ci/run runs it between bringing
 * SLURM up and down. Without a reachable SLURM it fails under CI=true and skips, loudly, elsewhere. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cpSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { execa } from 'execa';
import { normreg } from '../helpers/workspace.js';

const REPO = new URL('../..', import.meta.url).pathname;
const CI = process.env.CI === 'true';

const up = await execa('sinfo', ['-h', '-o', '%t'], { reject: false });
const states = String(up.stdout ?? '').trim();
const reachable = up.exitCode === 0 && /idle|mix|alloc/.test(states);
if (!reachable) {
  const why = `no SLURM controller reachable (sinfo: ${String(up.stderr || up.stdout || (up as { code?: string }).code).trim().split('\n').pop()}); bring one up with \`eval "$(.ci/slurm.sh up)"\``;
  if (CI) throw new Error(`SLURM tests cannot run under CI=true: ${why}`);
  console.log(`SKIPPED (not CI): ${why}`);
}

/** A workspace on the shared filesystem with the repo's smoke specs, goldens and reports. */
function workspace(): string {
  const dir = mkdtempSync(join(tmpdir(), 'normreg-slurm-'));
  for (const e of ['specs', 'golden', 'reports', 'README.md']) cpSync(join(REPO, e), join(dir, e), { recursive: true });
  return dir;
}

const env = { CI: 'true' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const runDir = (ws: string, slug: string) => join(ws, 'results', 'slurm', slug);
const log = (ws: string, slug: string, f: string) => { const p = join(runDir(ws, slug), 'logs', f); return existsSync(p) ? readFileSync(p, 'utf8') : ''; };
/** The part of an appended log written by the last start of the task. */
const lastStart = (text: string) => text.slice(text.lastIndexOf('normreg: shard '));
const submitted = (stdout: string) => {
  const m = /submitted: array job (\d+) .* merge job (\d+)/.exec(stdout);
  assert.ok(m, stdout);
  return { array: m![1], merge: m![2] };
};
async function until(what: string, ok: () => boolean | Promise<boolean>, seconds: number) {
  for (let i = 0; i < seconds * 2; i++) {
    if (await ok()) return;
    await sleep(500);
  }
  assert.unreachable(`timed out after ${seconds}s waiting for ${what}`);
}
const queuedIds = async (ids: string[]) => String((await execa('squeue', ['-h', '-o', '%F'], { reject: false })).stdout).split('\n').filter((l) => ids.includes(l.trim()));

const TABLE = ['--profile', 'smoke', '--only', 'table', '--seeds', '1', '--shards', '3'];
const TABLE_SLUG = 'smoke.table.seeds-1.3-shards';

test('the smoke table through an array job of 3 shards and the afterok merge: verified', async () => {
  if (!reachable) return;
  const ws = workspace();
  const dry = await normreg(ws, ['slurm', ...TABLE, '--dry'], env);
  assert.is(dry.exitCode, 0, dry.stderr);
  assert.match(dry.stdout, 'dry run: nothing submitted');
  assert.not.ok(existsSync(join(runDir(ws, TABLE_SLUG), 'jobs.json')), '--dry submitted something');
  const r = await normreg(ws, ['slurm', ...TABLE, '--wait', '--poll-ms', '1000'], env);
  assert.is(r.exitCode, 0, r.stdout + r.stderr);
  assert.match(r.stdout, 'merge: exit 0 (merged, verified, reported)');
  const v = await normreg(ws, ['verify', '--profile', 'smoke', '--only', 'table', '--seeds', '1'], env);
  assert.is(v.exitCode, 0, v.stdout + v.stderr);
  assert.match(v.stdout, 'verify smoke: 7 ok, 0 failed');
  for (const n of ['batchnorm', 'groupnorm-l1', 'layernorm-l2'])
    assert.ok(readFileSync(join(ws, 'results/smoke', n, 'result.json')).equals(readFileSync(join(ws, 'golden/smoke/wasm', `${n}.json`))), `${n}: not the golden's bytes`);
});

test('a shard cancelled mid-run: the merge never runs; the same command again trains only what is missing', async () => {
  if (!reachable) return;
  const ws = workspace();
  const first = await normreg(ws, ['slurm', ...TABLE], env);
  assert.is(first.exitCode, 0, first.stdout + first.stderr);
  const { array, merge } = submitted(first.stdout);
  // shard 2 trains batchnorm-l1, then groupnorm-l1: cancel it once the first is done
  await until('shard 2 to finish its first run', () => /batchnorm-l1: done in/.test(log(ws, TABLE_SLUG, 'shard-2.out')), 300);
  // a second submission into the same folder while these are queued is refused
  const twice = await normreg(ws, ['slurm', ...TABLE], env);
  assert.is(twice.exitCode, 2, twice.stdout + twice.stderr);
  assert.match(twice.stderr, `already submitted: job(s) ${array}`);
  await execa('scancel', [`${array}_2`]);
  await until('the jobs to leave the queue', async () => (await queuedIds([array, merge])).length === 0, 300);
  assert.not.ok(existsSync(join(runDir(ws, TABLE_SLUG), 'status', 'merge.rc')), 'the merge ran after a cancelled shard');
  assert.not.ok(existsSync(join(ws, 'results/smoke/batchnorm')), 'nothing is merged');

  const again = await normreg(ws, ['slurm', ...TABLE, '--wait', '--poll-ms', '1000'], env);
  assert.is(again.exitCode, 0, again.stdout + again.stderr);
  // the submission's plan: only shard 2 has something to train, one run
  assert.match(again.stdout, 'shard 1: 3 run(s), 0 to train');
  assert.match(again.stdout, 'shard 2: 2 run(s), 1 to train');
  assert.match(again.stdout, 'shard 3: 2 run(s), 0 to train');
  const s2 = lastStart(log(ws, TABLE_SLUG, 'shard-2.out'));
  assert.match(s2, 'cached  batchnorm-l1: unchanged');
  assert.match(s2, /(train|resume) +groupnorm-l1: /);
  assert.match(s2, /trained 1, cached 1, failed 0/);
  for (const i of [1, 3]) assert.match(lastStart(log(ws, TABLE_SLUG, `shard-${i}.out`)), /trained 0, cached 2|trained 0, cached 3/);
  const v = await normreg(ws, ['verify', '--profile', 'smoke', '--only', 'table', '--seeds', '1'], env);
  assert.is(v.exitCode, 0, v.stdout + v.stderr);
  assert.match(v.stdout, 'verify smoke: 7 ok, 0 failed');
});

test('USR1 ahead of the time limit: the task checkpoints, requeues itself and resumes to the golden\'s bytes', async () => {
  if (!reachable) return;
  const ws = workspace();
  const args = ['--profile', 'smoke', '--only', 'batchnorm-l1-l2', '--seeds', '1', '--shards', '1'];
  const slug = 'smoke.batchnorm-l1-l2.seeds-1.1-shards';
  const r = await normreg(ws, ['slurm', ...args], env);
  assert.is(r.exitCode, 0, r.stdout + r.stderr);
  const { array, merge } = submitted(r.stdout);
  assert.match(readFileSync(join(runDir(ws, slug), 'shards.sbatch'), 'utf8'), '#SBATCH --signal=B:USR1@');
  const ckpt = join(runDir(ws, slug), 'shard-1/results/smoke/batchnorm-l1-l2/checkpoint.json');
  await until('the first epoch\'s checkpoint', () => existsSync(ckpt), 300);
  // what SLURM sends --signal seconds before the limit: USR1 to the batch shell
  await execa('scancel', ['--signal=USR1', '--batch', `${array}_1`]);
  await until('the jobs to leave the queue', async () => (await queuedIds([array, merge])).length === 0, 300);
  const text = log(ws, slug, 'shard-1.out');
  assert.match(text, 'normreg: USR1 received: stopping the run to requeue');
  assert.match(text, 'requeueing job');
  assert.match(text, 'restart 1');
  assert.match(lastStart(text), 'resume  batchnorm-l1-l2: no result; resuming from the checkpoint after epoch 1/2');
  assert.match(lastStart(text), 'resumed after epoch 1');
  assert.is(readFileSync(join(runDir(ws, slug), 'status/merge.rc'), 'utf8').trim(), '0');
  assert.ok(readFileSync(join(ws, 'results/smoke/batchnorm-l1-l2/result.json')).equals(readFileSync(join(ws, 'golden/smoke/wasm/batchnorm-l1-l2.json'))), 'resumed run differs from its golden');
});

test.run();
