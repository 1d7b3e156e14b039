import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseShard } from '../../src/commands/flags.js';
import { makeWorkspace, normreg, tinySpec } from '../helpers/workspace.js';

const slurm = (id: number, min: number, count: number, extra: Record<string, string> = {}) => ({ SLURM_ARRAY_TASK_ID: String(id), SLURM_ARRAY_TASK_MIN: String(min), SLURM_ARRAY_TASK_COUNT: String(count), ...extra });

test('parseShard: I/N as before, none when not given', () => {
  assert.equal(parseShard('2/3', {}), { index: 2, total: 3 });
  assert.is(parseShard(undefined, slurm(1, 1, 2)), null);
});

test('parseShard auto: SLURM arrays numbered from 1 or from 0', () => {
  assert.equal(parseShard('auto', slurm(1, 1, 3)), { index: 1, total: 3 });
  assert.equal(parseShard('auto', slurm(3, 1, 3)), { index: 3, total: 3 });
  assert.equal(parseShard('auto', slurm(0, 0, 3)), { index: 1, total: 3 });
  assert.equal(parseShard('auto', slurm(2, 0, 3, { SLURM_ARRAY_TASK_STEP: '1' })), { index: 3, total: 3 });
  assert.equal(parseShard('auto/3', slurm(2, 1, 3)), { index: 2, total: 3 });
});

test('parseShard auto/N: a Kubernetes Indexed Job (0-based JOB_COMPLETION_INDEX)', () => {
  assert.equal(parseShard('auto/4', { JOB_COMPLETION_INDEX: '0' }), { index: 1, total: 4 });
  assert.equal(parseShard('auto/4', { JOB_COMPLETION_INDEX: '3' }), { index: 4, total: 4 });
});

test('parseShard refuses what it cannot read, naming the variable and the way out', () => {
  const refuse = (text: string, env: Record<string, string>, msg: string) => {
    try {
      parseShard(text, env);
    } catch (e) {
      assert.is((e as Error).message, msg);
      return;
    }
    assert.unreachable(`${text} ${JSON.stringify(env)} was accepted`);
  };
  refuse('auto', {}, "--shard auto: not in a SLURM array job (SLURM_ARRAY_TASK_ID is not set) (fix: submit with sbatch --array=1-N, use --shard auto/N in a Kubernetes Indexed Job, or give the shard as --shard I/N)");
  refuse('auto', { JOB_COMPLETION_INDEX: '1' }, "--shard auto: not in a SLURM array job (SLURM_ARRAY_TASK_ID is not set) (JOB_COMPLETION_INDEX is set: a Kubernetes Indexed Job needs the count, --shard auto/N with N = the Job's completions) (fix: submit with sbatch --array=1-N, use --shard auto/N in a Kubernetes Indexed Job, or give the shard as --shard I/N)");
  refuse('auto', { SLURM_ARRAY_TASK_ID: '2', SLURM_ARRAY_TASK_COUNT: '2' }, "--shard auto: environment variable SLURM_ARRAY_TASK_MIN must be an integer >= 0 (got '') (fix: run it inside the array job the scheduler started, or give the shard as --shard I/N)");
  refuse('auto', slurm(1, 1, 0), "--shard auto: environment variable SLURM_ARRAY_TASK_COUNT must be an integer >= 1 (got '0') (fix: run it inside the array job the scheduler started, or give the shard as --shard I/N)");
  refuse('auto', { ...slurm(1, 1, 2), SLURM_ARRAY_TASK_ID: 'x' }, "--shard auto: environment variable SLURM_ARRAY_TASK_ID must be an integer >= 0 (got 'x') (fix: run it inside the array job the scheduler started, or give the shard as --shard I/N)");
  refuse('auto', slurm(3, 1, 3, { SLURM_ARRAY_TASK_STEP: '2' }), '--shard auto: the array has step 2 (SLURM_ARRAY_TASK_STEP); the shards must be numbered without gaps (fix: submit with --array=1-3 (or 0-2))');
  refuse('auto', slurm(9, 1, 3), '--shard auto: SLURM_ARRAY_TASK_ID 9 is outside the array 1-3 (SLURM_ARRAY_TASK_MIN 1, SLURM_ARRAY_TASK_COUNT 3) (fix: submit with --array=1-3)');
  refuse('auto/3', slurm(1, 1, 2), '--shard auto/3: the SLURM array has 2 task(s) (SLURM_ARRAY_TASK_COUNT), not 3 (fix: submit with --array=1-3, or pass --shard auto/2)');
  refuse('auto/0', {}, "--shard auto/N: N must be a positive integer (got '0') (fix: for example --shard auto/12 for 12 shards)");
  refuse('auto/x', {}, "--shard auto/N: N must be a positive integer (got 'x') (fix: for example --shard auto/12 for 12 shards)");
  refuse('auto/4', {}, '--shard auto/4: neither SLURM_ARRAY_TASK_ID nor JOB_COMPLETION_INDEX is set (fix: run it in a SLURM array job or a Kubernetes Indexed Job, or give the shard as --shard I/N)');
  refuse('auto/4', { JOB_COMPLETION_INDEX: '4' }, "--shard auto/4: JOB_COMPLETION_INDEX 4 is not below 4 (fix: set the Job's completions to 4, or pass --shard auto/N with N = its completions)");
  refuse('auto/4', { JOB_COMPLETION_INDEX: '-1' }, "--shard auto: environment variable JOB_COMPLETION_INDEX must be an integer >= 0 (got '-1') (fix: run it inside the array job the scheduler started, or give the shard as --shard I/N)");
  refuse('autox', {}, "--shard must be INDEX/TOTAL with 1 <= INDEX <= TOTAL (got 'autox') (fix: for example --shard 1/2 on one machine and --shard 2/2 on another, or --shard auto in a SLURM array job)");
});

test('reproduce --shard auto: the CLI refuses with exit 2 and writes nothing; auto/N trains its shard', async () => {
  const dir = makeWorkspace({ 'a.json': tinySpec('a'), 'b.json': tinySpec('b', { seed: 2 }) });
  const clean = { SLURM_ARRAY_TASK_ID: '', JOB_COMPLETION_INDEX: '' };
  const bad = await normreg(dir, ['reproduce', '--profile', 'smoke', '--shard', 'auto'], { ...clean, SLURM_ARRAY_TASK_ID: '1', SLURM_ARRAY_TASK_MIN: '1', SLURM_ARRAY_TASK_COUNT: '0' });
  assert.is(bad.exitCode, 2);
  assert.match(bad.stderr, "normreg: --shard auto: environment variable SLURM_ARRAY_TASK_COUNT must be an integer >= 1 (got '0')");
  assert.not.match(bad.stderr, /\n\s+at /);
  const k8s = await normreg(dir, ['reproduce', '--profile', 'smoke', '--shard', 'auto/2', '--update', 'new'], { JOB_COMPLETION_INDEX: '1' });
  assert.is(k8s.exitCode, 0, k8s.stderr + k8s.stdout);
  assert.match(k8s.stdout, 'shard 2/2: 1 of 2 run(s), 192 training images; shards balanced by training images: longest shard 1 with 192 (max/mean 1.00)');
});

test.run();
